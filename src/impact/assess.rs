//! One server's previous render against its new one: what applying the new one does, edit by
//! edit ([`Edit`]), in the user's terms and with the steps that apply it. Pure: the caller finds
//! the objects and the StorageClasses.

use serde_json::Value;

use super::diff::{self, Change};
use super::edits::Edit;
use super::kubernetes::{self, Apply, Verdict};
use super::claims::{claim_names, claims};
use crate::expand::names::CONFIG_HASH;

/// One object of a render.
#[derive(Debug, Clone, Copy)]
pub struct Object<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub value: &'a Value,
}

/// The StorageClass a claim gets: its name (`None`: the cluster's default, which the input does
/// not name) and the object, when the input holds it.
pub struct Class {
    pub name: Option<String>,
    pub object: Option<Value>,
}

/// What the assessment needs to know besides the two renders.
pub struct Context<'a> {
    pub namespace: Option<&'a str>,
    pub stateful_set: &'a str,
    /// Each claim's field in the DittoServer (`cache` → `spec.storage.cacheSize`).
    pub claim_fields: &'a [(&'static str, &'static str)],
    /// The StorageClass of a claim template's `storageClassName`.
    pub storage_class: &'a dyn Fn(Option<&str>) -> Class,
}

/// One effect of the new render.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub edit: Edit,
    /// The DittoServer's field that causes it.
    pub field: String,
    pub message: String,
    pub current: Option<Value>,
    pub proposed: Option<Value>,
}

impl Finding {
    pub fn new(edit: Edit, field: impl Into<String>, message: String) -> Self {
        Finding { edit, field: field.into(), message, current: None, proposed: None }
    }

    pub fn values(mut self, current: Option<&Value>, proposed: Option<&Value>) -> Self {
        self.current = current.cloned();
        self.proposed = proposed.cloned();
        self
    }
}

/// What applying `after` over `before` does.
pub fn assess(ctx: &Context<'_>, before: &[Object<'_>], after: &[Object<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    let config = |objects: &[Object<'_>]| {
        objects.iter().find(|o| o.kind == "ConfigMap").and_then(|o| o.value.pointer("/data/config.yaml")).cloned()
    };
    let config_changed = config(before) != config(after);
    if let (Some(old), Some(new)) = (find(before, "StatefulSet", ctx.stateful_set), find(after, "StatefulSet", ctx.stateful_set)) {
        stateful_set(ctx, old, new, config_changed, &mut out);
    }
    for old in before.iter().filter(|o| o.kind == "Service") {
        match find(after, "Service", old.name) {
            // Nothing `service` compares is a label or annotation: no projection needed.
            Some(new) => service(ctx, old.name, old.value, new, &mut out),
            None => out.push(service_removed(old.name, old.value)),
        }
    }
    out
}

/// A server whose DittoServer is gone, from its previous StatefulSet.
pub fn server_removed(namespace: Option<&str>, server: &str, stateful_set: &Value) -> Finding {
    let pvcs = claim_names(stateful_set, stateful_set);
    let kept = if pvcs.is_empty() {
        String::new()
    } else {
        format!("; its PVCs stay with their data (retention policy Retain): {}. Delete them when the data is no longer needed ({}), or put the DittoServer back to serve them again", pvcs.join(", "), delete_pvcs(namespace, &pvcs))
    };
    Finding::new(
        Edit::ServerRemoved,
        "metadata.name",
        format!("the DittoServer {server:?} is gone from the input: its StatefulSet, Services and ConfigMap go when the apply prunes, and the server stops{kept}"),
    )
}

fn find<'a>(objects: &[Object<'a>], kind: &str, name: &str) -> Option<&'a Value> {
    objects.iter().find(|o| o.kind == kind && o.name == name).map(|o| o.value)
}

fn stateful_set(ctx: &Context<'_>, old: &Value, new: &Value, config_changed: bool, out: &mut Vec<Finding>) {
    // The model sees the previous spec without the labels other functions added; the pod
    // template, mutable and large, is left out of that copy and compared by `diff::changes`.
    let without_template = |v: &Value| {
        let spec = v.get("spec").and_then(Value::as_object).map(|m| m.iter().filter(|(k, _)| *k != "template").map(|(k, v)| (k.clone(), v.clone())).collect());
        serde_json::json!({ "spec": spec.map(Value::Object).unwrap_or(Value::Null) })
    };
    let fixed_old = diff::projected(&without_template(old), new);
    if let Verdict::Rejected { fields, message, source } = kubernetes::stateful_set_update(&fixed_old, new, Apply::ClientSide) {
        for field in fields {
            if field == "spec.volumeClaimTemplates" {
                let before = out.len();
                claims(ctx, &fixed_old, old, new, out);
                if out.len() == before {
                    out.push(fixed(ctx, &field, &fixed_old, new, message, source));
                }
            } else {
                out.push(fixed(ctx, &field, &fixed_old, new, message, source));
            }
        }
    }
    let (was, will) = (replicas(old), replicas(new));
    if was > 0 && will == 0 {
        let pvcs = claim_names(old, new);
        out.push(
            Finding::new(
                Edit::ScaledToZero,
                "spec.replicas",
                format!(
                    "replicas goes from {was} to 0: the server stops, and NFS and SMB clients lose it until replicas is 1 again; its PVCs stay ({})",
                    pvcs.join(", ")
                ),
            )
            .values(old.pointer("/spec/replicas"), new.pointer("/spec/replicas")),
        );
    }
    // A pod runs before and after: it restarts. (From 0 the server starts; to 0 it stops.)
    if was > 0 && will > 0 {
        let changes = diff::changes(
            old.pointer("/spec/template").unwrap_or(&Value::Null),
            new.pointer("/spec/template").unwrap_or(&Value::Null),
            "spec.template",
        );
        if !changes.is_empty() {
            out.push(restart(ctx, &changes, config_changed));
        }
    }
}

/// Parts of a pod template, by what their paths contain, in the user's words.
const TEMPLATE_PARTS: &[(&[&str], &str)] = &[
    (&[".resources"], "resources"),
    (&[".command", ".args"], "command line"),
    (&["Probe"], "probes"),
    (&["ecurityContext"], "security context"),
    (&[".volumes", ".volumeMounts"], "volumes"),
    (&[".ports"], "container ports"),
    (&[".lifecycle"], "pre-stop hook"),
];

/// The pod restarts: what in its template changes, in the user's words.
fn restart(ctx: &Context<'_>, changes: &[Change], config_changed: bool) -> Finding {
    let mut reasons: Vec<String> = Vec::new();
    let mut env: Vec<String> = Vec::new();
    let mut settings: Vec<&str> = Vec::new();
    let mut image = None;
    for c in changes {
        let p = c.path.as_str();
        let reason = if p.ends_with(".image") && p.contains(".containers[") {
            image = Some(c);
            format!("image {} → {}", shown(c.before.as_ref()), shown(c.after.as_ref()))
        } else if let Some(rest) = p.split_once(".env").map(|(_, rest)| rest).filter(|r| r.is_empty() || r.starts_with('[')) {
            let names: Vec<String> = match rest.strip_prefix('[').and_then(|r| r.split(']').next()) {
                Some(name) => vec![name.to_string()],
                // The whole list appears, goes, or holds unnamed items.
                None => [&c.before, &c.after]
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_array)
                    .flatten()
                    .filter_map(|e| e.get("name").and_then(Value::as_str).map(str::to_string))
                    .collect(),
            };
            for name in names {
                if !env.contains(&name) {
                    env.push(name);
                }
            }
            continue;
        } else if p.ends_with(&format!("annotations.{CONFIG_HASH}")) {
            if config_changed { "config.yaml" } else { "the data of a Secret the server reads (the config hash)" }.to_string()
        } else if let Some((_, words)) = TEMPLATE_PARTS.iter().find(|(marks, _)| marks.iter().any(|m| p.contains(m))) {
            words.to_string()
        } else {
            let last = p.rsplit('.').next().unwrap_or(p);
            if !settings.contains(&last) {
                settings.push(last);
            }
            continue;
        };
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    if !env.is_empty() {
        reasons.push(format!("environment ({})", env.join(", ")));
    }
    if !settings.is_empty() {
        reasons.push(format!("pod settings ({})", settings.join(", ")));
    }
    let only_image = reasons.len() == 1 && image.is_some();
    let finding = Finding::new(
        Edit::PodRestarts,
        if only_image { "spec.image" } else { "spec" },
        format!(
            "the pod of StatefulSet {:?} restarts when this is applied, and NFS and SMB clients lose the server while it starts; its template changes: {}",
            ctx.stateful_set,
            reasons.join("; ")
        ),
    );
    match image.filter(|_| only_image) {
        Some(c) => finding.values(c.before.as_ref(), c.after.as_ref()),
        None => finding,
    }
}

/// Another fixed field of the StatefulSet.
fn fixed(ctx: &Context<'_>, field: &str, old: &Value, new: &Value, message: &str, source: &str) -> Finding {
    let pointer = format!("/{}", field.replace('.', "/"));
    Finding::new(
        Edit::StatefulSetFixed,
        "spec",
        format!(
            "StatefulSet {:?} {field} changes from {} to {}: Kubernetes rejects the update ({message:?}, {source}). To apply: {}",
            ctx.stateful_set,
            shown(old.pointer(&pointer)),
            shown(new.pointer(&pointer)),
            recreate(ctx)
        ),
    )
    .values(old.pointer(&pointer), new.pointer(&pointer))
}

fn service(ctx: &Context<'_>, name: &str, old: &Value, new: &Value, out: &mut Vec<Finding>) {
    if let Verdict::Rejected { message, source, .. } = kubernetes::service_update(old, new) {
        let ip = |v: &Value| v.pointer("/spec/clusterIP").cloned();
        out.push(
            Finding::new(
                Edit::ServiceClusterIp,
                "spec",
                format!(
                    "Service {name:?} spec.clusterIP changes from {} to {}: Kubernetes rejects the update ({message:?}, {source}). To apply: `kubectl delete service {name}{}`, then apply; clients of its old address lose it",
                    ip(old).as_ref().map_or("the address the cluster gave it".to_string(), |v| shown(Some(v))),
                    shown(ip(new).as_ref()),
                    in_namespace(ctx.namespace)
                ),
            )
            .values(ip(old).as_ref(), ip(new).as_ref()),
        );
    }
    let kind = |v: &Value| v.pointer("/spec/type").and_then(Value::as_str).unwrap_or("ClusterIP").to_string();
    let (was, will) = (kind(old), kind(new));
    if was != will {
        let external = |t: &str| t == "LoadBalancer" || t == "NodePort";
        let what = if external(&was) {
            format!("its {} is released, and clients outside the cluster that mount the server through it lose it", if was == "LoadBalancer" { "external address" } else { "node port" })
        } else {
            "a new external address or node port is allocated: clients outside the cluster mount the server at that one".to_string()
        };
        out.push(
            Finding::new(Edit::ServiceType, "spec", format!("Service {name:?} changes type from {was} to {will}: {what}"))
                .values(Some(&Value::String(was)), Some(&Value::String(will))),
        );
    }
    let ports = |v: &Value| v.pointer("/spec/ports").and_then(Value::as_array).cloned().unwrap_or_default();
    let port_name = |p: &Value| p.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let (was, will) = (ports(old), ports(new));
    for p in &was {
        let number = p.get("port");
        match will.iter().find(|n| port_name(n) == port_name(p)) {
            Some(n) if n.get("port") != number => out.push(
                Finding::new(
                    Edit::ServicePort,
                    "spec",
                    format!(
                        "Service {name:?} port {:?} changes from {} to {}: clients mounted at {} lose the server; remount them at {}",
                        port_name(p),
                        shown(number),
                        shown(n.get("port")),
                        shown(number),
                        shown(n.get("port"))
                    ),
                )
                .values(number, n.get("port")),
            ),
            Some(_) => {}
            None => out.push(
                Finding::new(
                    Edit::ServicePort,
                    "spec",
                    format!("Service {name:?} no longer serves port {:?} ({}): clients that use it lose the server", port_name(p), shown(number)),
                )
                .values(number, None),
            ),
        }
    }
}

fn service_removed(name: &str, old: &Value) -> Finding {
    let ports: Vec<String> = old
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .map(|ps| ps.iter().map(|p| format!("{} {}", p.get("name").and_then(Value::as_str).unwrap_or("port"), shown(p.get("port")))).collect())
        .unwrap_or_default();
    Finding::new(
        Edit::ServiceRemoved,
        "spec",
        format!(
            "Service {name:?} is no longer generated: it goes when the apply prunes, and clients that reach the server through it ({}) lose it",
            ports.join(", ")
        ),
    )
}

/// `delete the StatefulSet … then apply`, for this server.
pub(super) fn recreate(ctx: &Context<'_>) -> String {
    format!(
        "delete the StatefulSet, keeping its pod and PVCs (`kubectl delete statefulset {}{} --cascade=orphan`), then apply",
        ctx.stateful_set,
        in_namespace(ctx.namespace)
    )
}

pub(super) fn in_namespace(namespace: Option<&str>) -> String {
    namespace.map(|ns| format!(" -n {ns}")).unwrap_or_default()
}

fn delete_pvcs(namespace: Option<&str>, pvcs: &[String]) -> String {
    format!("`kubectl delete pvc {}{}`", pvcs.join(" "), in_namespace(namespace))
}

pub(super) fn replicas(stateful_set: &Value) -> u64 {
    stateful_set.pointer("/spec/replicas").map_or(1, |r| r.as_u64().unwrap_or(0))
}

/// A value in a message: a string as is, anything else as JSON, absent as `(none)`.
pub(super) fn shown(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "(none)".into(),
    }
}
