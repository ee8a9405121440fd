//! One server's previous render against its new one: what applying the new one does, edit by
//! edit ([`Edit`]), in the user's terms and with the steps that apply it. Pure: the caller finds
//! the objects and the StorageClasses.

use serde_json::{json, Value};

use super::diff::{self, Change};
use super::edits::Edit;
use super::kubernetes::{self, Apply, ClaimStatus, Verdict};
use super::quantity;
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

/// The claim templates' differences, one finding per claim and kind of change. `fixed`: the
/// previous spec's fixed fields, projected; `old`: the whole previous StatefulSet.
fn claims(ctx: &Context<'_>, fixed: &Value, old: &Value, new: &Value, out: &mut Vec<Finding>) {
    let templates = |v: &Value| v.pointer("/spec/volumeClaimTemplates").and_then(Value::as_array).cloned().unwrap_or_default();
    let (was, will) = (templates(fixed), templates(new));
    let name = |t: &Value| t.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    let ordinals = replicas(old).max(replicas(new)).max(1);
    for t in &was {
        let claim = name(t);
        let pvcs = pvc_names(&claim, ctx.stateful_set, ordinals);
        let field = claim_field(ctx, &claim);
        let Some(n) = will.iter().find(|n| name(n) == claim) else {
            let at = mount_path(old, &claim).map(|p| format!(" at {p}")).unwrap_or_default();
            out.push(Finding::new(
                Edit::ClaimRemoved,
                field,
                format!(
                    "claim {claim:?} is removed: Kubernetes rejects the StatefulSet update (its claim templates are fixed). Once it is recreated, the existing PVCs ({}) stay with their data (retention policy Retain) but are no longer mounted: the server no longer sees what it stored{at}. Copy that data elsewhere first; to apply: {}; delete the PVCs when the data is no longer needed",
                    pvcs.join(", "),
                    recreate(ctx)
                ),
            ));
            continue;
        };
        let size = |t: &Value| t.pointer("/spec/resources/requests/storage").cloned();
        let (a, b) = (size(t), size(n));
        let (qa, qb) = (a.as_ref().and_then(Value::as_str).and_then(quantity::nanos), b.as_ref().and_then(Value::as_str).and_then(quantity::nanos));
        if qa != qb {
            let message = if qb > qa { grows(ctx, &claim, t, n, &pvcs) } else { shrinks(ctx, &claim, t, n, &pvcs) };
            out.push(Finding::new(if qb > qa { Edit::ClaimGrows } else { Edit::ClaimShrinks }, field, message).values(a.as_ref(), b.as_ref()));
        }
        let class = |t: &Value| t.pointer("/spec/storageClassName").cloned();
        if class(t) != class(n) {
            let (ca, cb) = (class_name(ctx, t), class_name(ctx, n));
            out.push(
                Finding::new(
                    Edit::ClaimClass,
                    field,
                    format!(
                        "claim {claim:?} changes StorageClass from {ca} to {cb}: Kubernetes rejects the StatefulSet update, and a PVC's class never changes: the existing PVCs ({}) stay on {ca}, only a PVC made anew gets {cb}. To apply: {}. To move the data: set replicas to 0, copy each PVC to a new one of {cb} under the same name (a Job mounting both, or a VolumeSnapshot restored to the new class), then set replicas back",
                        pvcs.join(", "),
                        recreate(ctx)
                    ),
                )
                .values(class(t).as_ref(), class(n).as_ref()),
            );
        }
        let modes = |t: &Value| t.pointer("/spec/accessModes").cloned();
        if modes(t) != modes(n) {
            out.push(
                Finding::new(
                    Edit::ClaimAccessModes,
                    field,
                    format!(
                        "claim {claim:?} changes its access modes from {} to {}: Kubernetes rejects the StatefulSet update, and a PVC's access modes never change: the existing PVCs ({}) keep theirs. To apply: {}; to move the data, copy each PVC to a new one under the same name while replicas is 0",
                        shown(modes(t).as_ref()),
                        shown(modes(n).as_ref()),
                        pvcs.join(", "),
                        recreate(ctx)
                    ),
                )
                .values(modes(t).as_ref(), modes(n).as_ref()),
            );
        }
        let rest = |t: &Value| {
            let mut t = kubernetes::claim_template_defaults(t.clone());
            for p in ["/spec/resources/requests/storage", "/spec/storageClassName", "/spec/accessModes"] {
                let (parent, key) = p.rsplit_once('/').unwrap_or_default();
                if let Some(m) = t.pointer_mut(parent).and_then(Value::as_object_mut) {
                    m.remove(key);
                }
            }
            t
        };
        let other = diff::changes(&rest(t), &rest(n), &format!("spec.volumeClaimTemplates[{claim}]"));
        if !other.is_empty() {
            let paths: Vec<&str> = other.iter().map(|c| c.path.as_str()).collect();
            out.push(Finding::new(
                Edit::StatefulSetFixed,
                field,
                format!("StatefulSet {:?} {} changes: Kubernetes rejects the update (its claim templates are fixed). To apply: {}", ctx.stateful_set, paths.join(", "), recreate(ctx)),
            ));
        }
    }
    for n in will.iter().filter(|n| !was.iter().any(|t| name(t) == name(n))) {
        let claim = name(n);
        let at = mount_path(new, &claim).map(|p| format!(" at {p}")).unwrap_or_default();
        out.push(Finding::new(
            Edit::ClaimAdded,
            claim_field(ctx, &claim),
            format!(
                "claim {claim:?} is added: Kubernetes rejects the StatefulSet update (its claim templates are fixed). To apply: {}; the pod then restarts on a new, empty PVC {}{at}, and what the server kept there until now, inside the container, is not moved onto it",
                recreate(ctx),
                pvc_names(&claim, ctx.stateful_set, 1).join(", ")
            ),
        ));
    }
}

fn grows(ctx: &Context<'_>, claim: &str, old: &Value, new: &Value, pvcs: &[String]) -> String {
    let size = new.pointer("/spec/resources/requests/storage").and_then(Value::as_str).unwrap_or_default();
    let was = old.pointer("/spec/resources/requests/storage").and_then(Value::as_str).unwrap_or_default();
    let class = (ctx.storage_class)(old.pointer("/spec/storageClassName").and_then(Value::as_str));
    let shown_class = class.name.as_deref().map_or("the cluster's default StorageClass".to_string(), |n| format!("StorageClass {n:?}"));
    let patch = json!({"spec": {"resources": {"requests": {"storage": size}}}}).to_string();
    let patches: Vec<String> = pvcs.iter().map(|p| format!("`kubectl patch pvc {p}{} -p '{patch}'`", in_namespace(ctx.namespace))).collect();
    let status = ClaimStatus { bound: true, capacity: Some(was) };
    let expansion = match &class.object {
        // The existing PVC, as its template made it, patched to the new size.
        Some(object) => match kubernetes::claim_update(old, &resized(old, size), status, Some(object)) {
            Verdict::Accepted => format!("{shown_class} allows volume expansion; a PVC grows once it is bound (its pod has run)"),
            Verdict::Rejected { .. } => format!(
                "but {shown_class} does not allow volume expansion (its allowVolumeExpansion is not true), and Kubernetes refuses the patch: set allowVolumeExpansion: true on it if its driver can expand volumes, or move the data to new, larger PVCs"
            ),
        },
        None => match &class.name {
            Some(n) => format!(
                "this works only if {shown_class} has allowVolumeExpansion: true, which the input does not show (`kubectl get storageclass {n} -o jsonpath='{{.allowVolumeExpansion}}'`)"
            ),
            None => format!("this works only if {shown_class} has allowVolumeExpansion: true (`kubectl get storageclass` shows which class is the default)"),
        },
    };
    format!(
        "claim {claim:?} grows from {was} to {size}: Kubernetes rejects the StatefulSet update (its claim templates are fixed), and a StatefulSet never resizes the PVCs it made. To apply: {}; then grow each PVC: {}; {expansion}",
        recreate(ctx),
        patches.join(", ")
    )
}

fn resized(template: &Value, size: &str) -> Value {
    let mut t = template.clone();
    if let Some(requests) = t.pointer_mut("/spec/resources/requests").and_then(Value::as_object_mut) {
        requests.insert("storage".into(), size.into());
    }
    t
}

fn shrinks(ctx: &Context<'_>, claim: &str, old: &Value, new: &Value, pvcs: &[String]) -> String {
    let size = |t: &Value| t.pointer("/spec/resources/requests/storage").and_then(Value::as_str).unwrap_or_default().to_string();
    let (was, will) = (size(old), size(new));
    format!(
        "claim {claim:?} shrinks from {was} to {will}: Kubernetes rejects the StatefulSet update, and never shrinks a PVC below its capacity: the existing PVCs ({}) keep {was}, only a PVC made anew gets {will}. Keep {was}; or, to apply: {}; to really shrink, move the data to new, smaller PVCs while replicas is 0",
        pvcs.join(", "),
        recreate(ctx)
    )
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
fn recreate(ctx: &Context<'_>) -> String {
    format!(
        "delete the StatefulSet, keeping its pod and PVCs (`kubectl delete statefulset {}{} --cascade=orphan`), then apply",
        ctx.stateful_set,
        in_namespace(ctx.namespace)
    )
}

fn in_namespace(namespace: Option<&str>) -> String {
    namespace.map(|ns| format!(" -n {ns}")).unwrap_or_default()
}

fn delete_pvcs(namespace: Option<&str>, pvcs: &[String]) -> String {
    format!("`kubectl delete pvc {}{}`", pvcs.join(" "), in_namespace(namespace))
}

fn replicas(stateful_set: &Value) -> u64 {
    stateful_set.pointer("/spec/replicas").map_or(1, |r| r.as_u64().unwrap_or(0))
}

/// The PVCs a StatefulSet made for a claim: `<claim>-<statefulset>-<ordinal>`.
fn pvc_names(claim: &str, stateful_set: &str, ordinals: u64) -> Vec<String> {
    (0..ordinals).map(|i| format!("{claim}-{stateful_set}-{i}")).collect()
}

/// Every PVC of `old`'s claim templates, for as many ordinals as either render runs.
fn claim_names(old: &Value, new: &Value) -> Vec<String> {
    let name = old.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    let ordinals = replicas(old).max(replicas(new)).max(1);
    old.pointer("/spec/volumeClaimTemplates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.pointer("/metadata/name").and_then(Value::as_str))
        .flat_map(|claim| pvc_names(claim, name, ordinals))
        .collect()
}

fn claim_field(ctx: &Context<'_>, claim: &str) -> &'static str {
    ctx.claim_fields.iter().find(|(c, _)| *c == claim).map_or("spec.storage", |(_, f)| f)
}

fn class_name(ctx: &Context<'_>, template: &Value) -> String {
    match template.pointer("/spec/storageClassName").and_then(Value::as_str) {
        Some(n) => format!("{n:?}"),
        None => match (ctx.storage_class)(None).name {
            Some(n) => format!("the default class ({n:?})"),
            None => "the cluster's default class".into(),
        },
    }
}

/// Where the StatefulSet's first container mounts a claim.
fn mount_path(stateful_set: &Value, claim: &str) -> Option<String> {
    let mounts = stateful_set.pointer("/spec/template/spec/containers/0/volumeMounts")?.as_array()?;
    let m = mounts.iter().find(|m| m.get("name").and_then(Value::as_str) == Some(claim))?;
    m.get("mountPath").and_then(Value::as_str).map(str::to_string)
}

/// A value in a message: a string as is, anything else as JSON, absent as `(none)`.
fn shown(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "(none)".into(),
    }
}
