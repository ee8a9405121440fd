//! What a Kubernetes API server does with an update of the objects a render changes: the one
//! place the function knows it, so that every "Kubernetes rejects this" and "this applies" in its
//! results comes from here. Modelled on Kubernetes v1.36 (paths below are in its tree) and
//! checked, case by case, against what a v1.36 API server did (`tests/kubernetes-updates/`).
//!
//! Both objects are manifests as applied (`kubectl apply`): the stored object is the old one with
//! the server's defaults, the update is the new one with them.

use serde_json::{Map, Value};

use super::quantity;

/// What the API server does with the update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Rejected: the fields that differ where they may not (paths in the object), the API
    /// server's message, and the code that decides.
    Rejected { fields: Vec<String>, message: &'static str, source: &'static str },
}

impl Verdict {
    pub fn is_rejected(&self) -> bool {
        matches!(self, Verdict::Rejected { .. })
    }
}

/// How the update is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    /// `kubectl apply`: a field set to `null` in the manifest is removed from the stored object.
    ClientSide,
    /// `kubectl apply --server-side`.
    ServerSide,
}

/// The StatefulSet spec fields an update may change (`ValidateStatefulSetUpdate`,
/// `pkg/apis/apps/validation/validation.go:258-266` copies them from the old spec); any other
/// difference is refused with one message that names no field (:267-268).
pub const STATEFUL_SET_MUTABLE: &[&str] = &[
    "replicas",
    "template",
    "updateStrategy",
    "minReadySeconds",
    "ordinals",
    "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy",
];

const STATEFUL_SET_FORBIDDEN: &str = "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

/// `new` applied over the stored `old` StatefulSet.
pub fn stateful_set_update(old: &Value, new: &Value, apply: Apply) -> Verdict {
    let old_spec = stateful_set_defaults(old.get("spec"));
    let new_spec = stateful_set_defaults(new.get("spec"));
    // A `rollingUpdate` the server defaulted stays in the stored object unless the manifest
    // removes it (client-side apply of `rollingUpdate: null`), and is only allowed with
    // `type: RollingUpdate` (validation.go:141-148).
    if let Some(strategy) = new.pointer("/spec/updateStrategy") {
        let kind = strategy.get("type").and_then(Value::as_str).unwrap_or("RollingUpdate");
        let removed = apply == Apply::ClientSide && strategy.get("rollingUpdate") == Some(&Value::Null);
        let kept = strategy.get("rollingUpdate").is_some_and(|r| !r.is_null())
            || (!removed && old_spec.pointer("/updateStrategy/rollingUpdate").is_some());
        if kind != "RollingUpdate" && kept {
            return Verdict::Rejected {
                fields: vec!["spec.updateStrategy.rollingUpdate".into()],
                message: "spec.updateStrategy.rollingUpdate: Invalid value: only allowed for updateStrategy 'RollingUpdate'",
                source: "pkg/apis/apps/validation/validation.go:141-148",
            };
        }
    }
    let fields: Vec<String> = differing_keys(&old_spec, &new_spec)
        .into_iter()
        .filter(|k| !STATEFUL_SET_MUTABLE.contains(&k.as_str()))
        .map(|k| format!("spec.{k}"))
        .collect();
    if fields.is_empty() {
        Verdict::Accepted
    } else {
        Verdict::Rejected { fields, message: STATEFUL_SET_FORBIDDEN, source: "pkg/apis/apps/validation/validation.go:238-268" }
    }
}

/// `new` applied over the stored `old` Service. A cluster IP, once set, never changes
/// (`pkg/apis/core/validation/validation.go:9219-9224`); a headless Service has the cluster IP
/// `None`, so a Service cannot become headless or stop being headless. A manifest without
/// `clusterIP` (or with an empty one) keeps the stored one, `None` included: the Service store
/// copies it into the update before validating (`patchAllocatedValues`,
/// `pkg/registry/core/service/storage/storage.go`). The type may change.
pub fn service_update(old: &Value, new: &Value) -> Verdict {
    let cluster_ip = |v: &Value| v.pointer("/spec/clusterIP").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let Some(wanted) = cluster_ip(new) else { return Verdict::Accepted };
    // A Service of type ClusterIP, NodePort or LoadBalancer without one in its manifest was
    // given an address from the service range: never `None`.
    let stored = cluster_ip(old).unwrap_or_else(|| "an allocated address".into());
    if stored == wanted {
        Verdict::Accepted
    } else {
        Verdict::Rejected {
            fields: vec!["spec.clusterIP".into()],
            message: "spec.clusterIPs[0]: Invalid value: field is immutable / spec.clusterIP: may not change once set",
            source: "pkg/apis/core/validation/validation.go:9219-9224",
        }
    }
}

/// What an existing PersistentVolumeClaim is: whether it is bound, and its `status.capacity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimStatus<'a> {
    pub bound: bool,
    pub capacity: Option<&'a str>,
}

/// `new` applied over the stored claim `old` (both manifests), whose StorageClass is `class`
/// when known.
pub fn claim_update(old: &Value, new: &Value, status: ClaimStatus<'_>, class: Option<&Value>) -> Verdict {
    let spec = |v: &Value| claim_spec_defaults(v.get("spec"));
    let (old_spec, new_spec) = (spec(old), spec(new));
    // Only the requests (and the volume attributes class) may change, and only when bound
    // (validation.go:2563-2578).
    let mut fixed = differing_keys(&old_spec, &new_spec);
    fixed.retain(|k| k != "resources" && k != "volumeAttributesClassName");
    let resources_differ = differing_keys(
        old_spec.get("resources").unwrap_or(&Value::Null),
        new_spec.get("resources").unwrap_or(&Value::Null),
    )
    .into_iter()
    .any(|k| k != "requests")
        || requests_without_storage(&old_spec) != requests_without_storage(&new_spec);
    if !fixed.is_empty() || resources_differ {
        return claim_spec_immutable(fixed.into_iter().map(|k| format!("spec.{k}")).collect());
    }
    let size = |s: &Value| s.pointer("/resources/requests/storage").and_then(Value::as_str).and_then(quantity::nanos);
    let (before, after) = (size(&old_spec), size(&new_spec));
    if before == after {
        return Verdict::Accepted;
    }
    if !status.bound {
        return claim_spec_immutable(vec!["spec.resources.requests.storage".into()]);
    }
    if after > before {
        if !class.is_some_and(allows_expansion) {
            return Verdict::Rejected {
                fields: vec!["spec.resources.requests.storage".into()],
                message: "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize",
                source: "plugin/pkg/admission/storage/persistentvolume/resize/admission.go:107-130",
            };
        }
        return Verdict::Accepted;
    }
    let capacity = status.capacity.and_then(quantity::nanos);
    if capacity.is_none_or(|c| after <= Some(c)) {
        return Verdict::Rejected {
            fields: vec!["spec.resources.requests.storage".into()],
            message: "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity",
            source: "pkg/apis/core/validation/validation.go:2587",
        };
    }
    Verdict::Accepted
}

/// Whether a claim of this StorageClass may grow: `allowVolumeExpansion: true`, nothing else
/// (admission.go:107-130).
pub fn allows_expansion(class: &Value) -> bool {
    class.get("allowVolumeExpansion") == Some(&Value::Bool(true))
}

fn claim_spec_immutable(fields: Vec<String>) -> Verdict {
    Verdict::Rejected {
        fields,
        message: "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        source: "pkg/apis/core/validation/validation.go:2563-2578",
    }
}

fn requests_without_storage(spec: &Value) -> Value {
    let mut requests = spec.pointer("/resources/requests").cloned().unwrap_or(Value::Null);
    if let Some(r) = requests.as_object_mut() {
        r.remove("storage");
    }
    requests
}

/// The fields of a StatefulSet spec an update may not change (all but
/// [`STATEFUL_SET_MUTABLE`], so without the large pod template), with the server's defaults
/// where they change what is compared: the pod management policy and each claim template's. The
/// update strategy, mutable, is kept for its own rule.
fn stateful_set_defaults(spec: Option<&Value>) -> Value {
    let mut map: Map<String, Value> = spec
        .and_then(Value::as_object)
        .map(|m| m.iter().filter(|(k, _)| !STATEFUL_SET_MUTABLE.contains(&k.as_str()) || *k == "updateStrategy").map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    map.entry("podManagementPolicy").or_insert_with(|| "OrderedReady".into());
    if map.get("serviceName").is_some_and(|s| s == "") {
        map.remove("serviceName");
    }
    let strategy = map.entry("updateStrategy").or_insert_with(|| serde_json::json!({"type": "RollingUpdate"}));
    if let Some(s) = strategy.as_object_mut() {
        let kind = s.entry("type").or_insert_with(|| "RollingUpdate".into()).clone();
        if kind == "RollingUpdate" {
            let rolling = s.entry("rollingUpdate").or_insert_with(|| Value::Object(Map::new()));
            if let Some(r) = rolling.as_object_mut() {
                r.entry("partition").or_insert_with(|| 0.into());
            }
        }
    }
    let templates = map.remove("volumeClaimTemplates").unwrap_or(Value::Array(Vec::new()));
    let templates = match templates {
        Value::Array(list) => Value::Array(list.into_iter().map(claim_template_defaults).collect()),
        other => other,
    };
    map.insert("volumeClaimTemplates".into(), templates);
    Value::Object(map)
}

/// A claim template as stored: `apiVersion: v1` and `kind: PersistentVolumeClaim` dropped, the
/// spec defaulted, no status.
pub(crate) fn claim_template_defaults(mut template: Value) -> Value {
    if let Some(t) = template.as_object_mut() {
        if t.get("apiVersion").is_some_and(|v| v == "v1") {
            t.remove("apiVersion");
        }
        if t.get("kind").is_some_and(|v| v == "PersistentVolumeClaim") {
            t.remove("kind");
        }
        t.remove("status");
        if let Some(m) = t.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("creationTimestamp");
        }
        let spec = claim_spec_defaults(t.get("spec"));
        t.insert("spec".into(), spec);
    }
    template
}

/// A claim spec with `volumeMode: Filesystem` when unset.
fn claim_spec_defaults(spec: Option<&Value>) -> Value {
    let mut spec = spec.cloned().unwrap_or_else(|| Value::Object(Map::new()));
    if let Some(s) = spec.as_object_mut() {
        s.entry("volumeMode").or_insert_with(|| "Filesystem".into());
    }
    spec
}

/// The keys of two objects whose values differ (absent on one side counts), in order.
fn differing_keys(a: &Value, b: &Value) -> Vec<String> {
    let empty = Map::new();
    let (a, b) = (a.as_object().unwrap_or(&empty), b.as_object().unwrap_or(&empty));
    let mut keys: Vec<&String> = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))).collect();
    keys.retain(|k| a.get(*k) != b.get(*k));
    keys.into_iter().cloned().collect()
}
