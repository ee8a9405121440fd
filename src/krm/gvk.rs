//! The kinds the function reads or writes, by apiVersion and kind: one constant per kind, so
//! that no module spells a kind (and a typo cannot make a kind silently unknown).

use crate::server::{API_VERSION, GROUP, KIND};

/// An apiVersion (`group/version`, or `version` for the core group) and a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gvk {
    pub api_version: &'static str,
    pub kind: &'static str,
}

pub const DITTO_SERVER: Gvk = Gvk { api_version: API_VERSION, kind: KIND };
pub const CONFIG_MAP: Gvk = Gvk { api_version: "v1", kind: "ConfigMap" };
pub const SECRET: Gvk = Gvk { api_version: "v1", kind: "Secret" };
pub const SERVICE: Gvk = Gvk { api_version: "v1", kind: "Service" };
pub const STATEFUL_SET: Gvk = Gvk { api_version: "apps/v1", kind: "StatefulSet" };
pub const NETWORK_POLICY: Gvk = Gvk { api_version: "networking.k8s.io/v1", kind: "NetworkPolicy" };
/// The prometheus-operator's.
pub const SERVICE_MONITOR: Gvk = Gvk { api_version: "monitoring.coreos.com/v1", kind: "ServiceMonitor" };
/// The kinds the function generates (see [`crate::expand::identities`]): only an object of one
/// of them is ever one of its own.
pub const GENERATED_KINDS: [Gvk; 5] = [CONFIG_MAP, SERVICE, NETWORK_POLICY, SERVICE_MONITOR, STATEFUL_SET];
pub const STORAGE_CLASS: Gvk = Gvk { api_version: "storage.k8s.io/v1", kind: "StorageClass" };
/// The envelope of the KRM functions specification, and the older version kpt still accepts.
pub const RESOURCE_LIST: Gvk = Gvk { api_version: "config.kubernetes.io/v1", kind: "ResourceList" };
pub const RESOURCE_LIST_V1ALPHA1: Gvk = Gvk { api_version: "config.kubernetes.io/v1alpha1", kind: "ResourceList" };

impl Gvk {
    pub fn matches(self, api_version: &str, kind: &str) -> bool {
        self.kind == kind && self.api_version == api_version
    }
}

/// An object of a kind in [`GENERATED_KINDS`].
pub fn is_generated_kind(api_version: &str, kind: &str) -> bool {
    GENERATED_KINDS.iter().any(|gvk| gvk.matches(api_version, kind))
}

/// A DittoServer of any version of its group (`dittofs.dittofs.com/*`): what `build` leaves out
/// of the stream, and what the version check looks at.
pub fn is_ditto_server(api_version: &str, kind: &str) -> bool {
    kind == KIND && api_version.split('/').next() == Some(GROUP)
}
