//! The v0.4 line's DittoServer spec (`dittofs.dittofs.com/v1alpha1`): the Phase-3 API.
//!
//! Every default the CRD declares is a serde default here, so the function applies what an API
//! server would; the same attributes feed the JSON schema of `dittofs-krm crd`. Each struct has
//! its defaults in one place: its `Default` (struct-level `#[serde(default)]`) or, when a field is
//! required, one default function per field. The rules of single fields live on their types
//! (`crate::model::checked`), which publish them in the CRD too.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PodSecurityContext, ResourceRequirements, SecretKeySelector, SecurityContext};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::checked::{AtLeast, Int, Port, Size, StorageClassName};
pub use crate::model::ServiceType;
pub use crate::server::database::{DatabaseSpec, DatabaseType};

// The fields with a rule of their own come in the order their problems are reported: sizes,
// replicas, then the ports (`crate::model::walk` follows the field order). Doc comments are the CRD's
// descriptions; notes for the code are plain comments.
/// Desired state of a DittoFS server.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DittoServerSpec {
    /// Container image of the DittoFS server. The objects are generated for the v0.4 release line
    /// (binary `/app/dittofs`, volumes under `/data`); pin a release tag such as `v0.4.2`.
    #[serde(default = "default_image")]
    pub image: String,
    /// Sizes and class of the server's persistent volumes.
    pub storage: StorageSpec,
    /// Number of server pods: 0 (stopped) or 1.
    #[serde(default = "default_replicas")]
    pub replicas: Int<0, 1>,
    /// Port of the NFS Services (`-headless`, `-file`). The server itself listens on 12049, the
    /// port its NFS adapter has by default; the Services forward this port to it.
    #[serde(default = "default_nfs_port")]
    pub nfs_port: Port,
    /// Control-plane REST API.
    #[serde(default)]
    pub control_plane: ControlPlaneSpec,
    /// SMB adapter.
    #[serde(default)]
    pub smb: SmbSpec,
    /// Prometheus metrics endpoint.
    #[serde(default)]
    pub metrics: MetricsSpec,
    /// Control-plane database.
    #[serde(default)]
    pub database: DatabaseSpec,
    /// The server's WAL-backed cache (its settings, not the PVC size).
    #[serde(default)]
    pub cache: CacheSpec,
    /// Authentication of the control plane.
    #[serde(default)]
    pub identity: IdentitySpec,
    /// The `-file` and `-api` Services.
    #[serde(default)]
    pub service: ServiceSpec,
    /// S3-compatible payload store credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3Spec>,
    /// Resources of the server container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Container securityContext; its fields win over the hardened defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<SecurityContext>,
    /// Pod securityContext; replaces the default `fsGroup: 65532`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_security_context: Option<PodSecurityContext>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StorageSpec {
    /// Size of the metadata PVC, mounted at /data/metadata.
    #[schemars(example = "10Gi")]
    pub metadata_size: Size,
    /// Size of the content PVC, mounted at /data/content; no content PVC when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = "50Gi")]
    pub content_size: Option<Size>,
    /// Size of the cache PVC, mounted at /data/cache; it always exists (the WAL must survive restarts).
    #[serde(default = "default_cache_size")]
    #[schemars(example = "5Gi")]
    pub cache_size: Size,
    /// StorageClass of every PVC; absent means the cluster's default class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<StorageClassName>,
}

// The structs below default as a whole (`#[serde(default)]` on the struct): a missing field takes
// its value from the struct's `Default`, which is also what the CRD publishes as its default.

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CacheSpec {
    pub path: String,
    pub size: String,
}

impl Default for CacheSpec {
    fn default() -> Self {
        CacheSpec { path: "/data/cache".into(), size: "1GB".into() }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct MetricsSpec {
    pub enabled: bool,
    pub port: Port,
}

impl Default for MetricsSpec {
    fn default() -> Self {
        MetricsSpec { enabled: false, port: Port::new(9090) }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ControlPlaneSpec {
    pub port: Port,
}

impl Default for ControlPlaneSpec {
    fn default() -> Self {
        ControlPlaneSpec { port: Port::new(8080) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IdentityType {
    #[default]
    Memory,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct IdentitySpec {
    #[serde(rename = "type")]
    pub kind: IdentityType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<JwtSpec>,
    pub admin: AdminSpec,
}

// `secretRef` is required, so each of the other fields has its own default function; the same
// functions give `JwtSpec::defaults`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JwtSpec {
    /// Secret key holding the JWT signing secret (at least 32 characters). Without `jwt`, the
    /// Secret `<name>-jwt-secret`, key `jwt-secret`, is used.
    pub secret_ref: SecretKeySelector,
    #[serde(default = "default_access_token_duration")]
    pub access_token_duration: String,
    #[serde(default = "default_refresh_token_duration")]
    pub refresh_token_duration: String,
    /// Ignored by the DittoFS v0.4 server, whose issuer is always `dittofs`.
    #[serde(default = "default_issuer")]
    pub issuer: String,
}

impl JwtSpec {
    /// The durations and issuer used when no `identity.jwt` is given.
    pub fn defaults() -> Self {
        JwtSpec {
            secret_ref: SecretKeySelector::default(),
            access_token_duration: default_access_token_duration(),
            refresh_token_duration: default_refresh_token_duration(),
            issuer: default_issuer(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AdminSpec {
    /// Ignored by the DittoFS v0.4 server, whose admin user is always `admin`.
    pub username: String,
    /// Secret key holding the admin's initial password, in clear text; the server sets it when it
    /// creates the admin user on its first start. Without it the server generates a password and
    /// writes it to its log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_secret_ref: Option<SecretKeySelector>,
}

impl Default for AdminSpec {
    fn default() -> Self {
        AdminSpec { username: "admin".into(), password_secret_ref: None }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceSpec {
    #[serde(rename = "type")]
    pub kind: ServiceType,
    /// Copied to the `-file` and `-api` Services.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct SmbSpec {
    /// Adds the `smb` port to the `-file` Service. (The server's SMB adapter listens on 1445
    /// whenever its control-plane database has it enabled, as it has by default.)
    pub enabled: bool,
    /// Port of SMB on the `-file` Service; the server listens on 1445.
    pub port: Port,
    /// This and the SMB fields below are not read by the DittoFS v0.4 server, whose SMB settings
    /// live in its control-plane database (`PUT /api/v1/adapters/smb`).
    pub max_connections: AtLeast<0>,
    pub max_requests_per_connection: AtLeast<1>,
    pub timeouts: SmbTimeouts,
    pub credits: SmbCredits,
    pub metrics_log_interval: String,
}

impl Default for SmbSpec {
    fn default() -> Self {
        SmbSpec {
            enabled: false,
            port: Port::new(445),
            max_connections: AtLeast::new(0),
            max_requests_per_connection: AtLeast::new(100),
            timeouts: SmbTimeouts::default(),
            credits: SmbCredits::default(),
            metrics_log_interval: "5m".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct SmbTimeouts {
    pub read: String,
    pub write: String,
    pub idle: String,
    pub shutdown: String,
}

impl Default for SmbTimeouts {
    fn default() -> Self {
        SmbTimeouts { read: "5m".into(), write: "30s".into(), idle: "5m".into(), shutdown: "30s".into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CreditStrategy {
    Fixed,
    Echo,
    #[default]
    Adaptive,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct SmbCredits {
    pub strategy: CreditStrategy,
    pub min_grant: AtLeast<1>,
    pub max_grant: AtLeast<1>,
    pub initial_grant: AtLeast<1>,
    pub max_session_credits: AtLeast<1>,
}

impl Default for SmbCredits {
    fn default() -> Self {
        SmbCredits {
            strategy: CreditStrategy::Adaptive,
            min_grant: AtLeast::new(16),
            max_grant: AtLeast::new(8192),
            initial_grant: AtLeast::new(256),
            max_session_credits: AtLeast::new(65535),
        }
    }
}

// Every field optional and, as nothing but this spec is written from it, written as null when
// absent (the CRD publishes no null default).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct S3Spec {
    pub credentials_secret_ref: Option<S3CredentialsSecretRef>,
    /// Not used by the DittoFS v0.4 server: an S3 payload store's region is part of the store's
    /// configuration, given when the store is created through the API.
    pub region: Option<String>,
    /// Informational only.
    pub bucket: Option<String>,
}

// `secretName` is required, so each key name has its own default function.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct S3CredentialsSecretRef {
    /// Name of the Secret, in the DittoServer's namespace.
    pub secret_name: String,
    #[serde(default = "default_access_key_id_key")]
    pub access_key_id_key: String,
    #[serde(default = "default_secret_access_key_key")]
    pub secret_access_key_key: String,
    #[serde(default = "default_endpoint_key")]
    pub endpoint_key: String,
}

// The defaults of fields whose struct has a required field (and so no struct-level default).

fn default_image() -> String {
    super::facts::IMAGE.into()
}
fn default_replicas() -> Int<0, 1> {
    Int::new(1)
}
fn default_nfs_port() -> Port {
    Port::new(2049)
}
fn default_cache_size() -> Size {
    Size::new("5Gi")
}

/// `fn name() -> String` for each default text.
macro_rules! default_texts {
    ($($name:ident: $value:literal),* $(,)?) => {
        $(fn $name() -> String {
            $value.into()
        })*
    };
}

default_texts!(default_access_token_duration: "15m", default_refresh_token_duration: "168h", default_issuer: "dittofs");
default_texts!(default_access_key_id_key: "accessKeyId", default_secret_access_key_key: "secretAccessKey", default_endpoint_key: "endpoint");
