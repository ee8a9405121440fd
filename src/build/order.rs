//! The order of the stream: kustomize's legacy resource order, so that one `kubectl apply` of
//! it works on a fresh cluster.

use crate::krm::Object;

/// Kinds that go first, in this order, and last: kustomize's legacy resource order (the
/// `orderFirst` and `orderLast` lists of kustomize `api/resid/gvk.go`,
/// https://github.com/kubernetes-sigs/kustomize/blob/master/api/resid/gvk.go, as its
/// SortOrderTransformer applies them). Namespaces, and the CustomResourceDefinitions before any
/// custom resource (other kinds rank between the two lists), so that one `kubectl apply` of the
/// stream works on a fresh cluster.
const ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const ORDER_LAST: &[&str] = &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

/// Where an object goes in the stream, compared as kustomize's legacy order compares: the kind's
/// rank, then `group_version_kind` (`~G` for the core group; of two Namespace kinds the core one
/// first), then namespace (`~X` for none) and name.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SortKey {
    rank: isize,
    /// False for the core group's Namespace, which kustomize puts before other Namespace kinds.
    not_core_namespace: bool,
    gvk: String,
    namespace: String,
    name: String,
}

impl SortKey {
    pub fn of(item: &Object<'_>) -> Self {
        Self::new(item.api_version(), item.kind(), item.namespace(), item.name())
    }

    pub fn new(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> Self {
        let rank = apply_order(kind);
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let or = |s: &str, placeholder: &str| if s.is_empty() { placeholder.to_string() } else { s.to_string() };
        SortKey {
            rank,
            not_core_namespace: !(kind == "Namespace" && group.is_empty()),
            gvk: format!("{}_{}_{}", or(group, "~G"), or(version, "~V"), or(kind, "~K")),
            namespace: or(namespace.unwrap_or(""), "~X"),
            name: or(name, "~N"),
        }
    }
}

/// The rank of a kind: negative for the kinds that go first, 0 for every other kind, positive for
/// those that go last.
pub fn apply_order(kind: &str) -> isize {
    if let Some(i) = ORDER_FIRST.iter().position(|k| *k == kind) {
        return i as isize - ORDER_FIRST.len() as isize;
    }
    ORDER_LAST.iter().position(|k| *k == kind).map_or(0, |i| i as isize + 1)
}
