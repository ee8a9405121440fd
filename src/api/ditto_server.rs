//! The DittoServer custom resource (`dittofs.dittofs.com/v1alpha1`), Phase-3 API.
//!
//! Every default the CRD declares is a serde default here, so the function applies what an API
//! server would; the same attributes feed the JSON schema of `dittofs-krm crd`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PodSecurityContext, ResourceRequirements, SecretKeySelector, SecurityContext};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub const API_VERSION: &str = "dittofs.dittofs.com/v1alpha1";
pub const GROUP: &str = "dittofs.dittofs.com";
pub const KIND: &str = "DittoServer";

/// Pattern of every size field (the operator's kubebuilder marker).
pub const SIZE_PATTERN: &str = "^[0-9]+(Gi|Mi|Ti)$";

/// Desired state of a DittoFS server.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DittoServerSpec {
    /// Container image of the DittoFS server. The objects are generated for the v0.4 release line
    /// (binary `/app/dittofs`, volumes under `/data`); pin a release tag such as `v0.4.2`.
    #[serde(default = "default_image")]
    pub image: String,
    /// Number of server pods: 0 (stopped) or 1.
    #[serde(default = "default_replicas")]
    #[schemars(range(min = 0, max = 1))]
    pub replicas: i32,
    /// Sizes and class of the server's persistent volumes.
    pub storage: StorageSpec,
    /// Control-plane database.
    #[serde(default)]
    pub database: DatabaseSpec,
    /// The server's WAL-backed cache (its settings, not the PVC size).
    #[serde(default)]
    pub cache: CacheSpec,
    /// Prometheus metrics endpoint.
    #[serde(default)]
    pub metrics: MetricsSpec,
    /// Control-plane REST API.
    #[serde(default)]
    pub control_plane: ControlPlaneSpec,
    /// Authentication of the control plane.
    #[serde(default)]
    pub identity: IdentitySpec,
    /// The `-file` and `-api` Services.
    #[serde(default)]
    pub service: ServiceSpec,
    /// Port of the NFS Services (`-headless`, `-file`). The server itself listens on 12049, the
    /// port its NFS adapter has by default; the Services forward this port to it.
    #[serde(default = "default_nfs_port")]
    #[schemars(range(min = 1, max = 65535))]
    pub nfs_port: i32,
    /// SMB adapter.
    #[serde(default)]
    pub smb: SmbSpec,
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
    #[schemars(regex(pattern = r"^[0-9]+(Gi|Mi|Ti)$"), example = "10Gi")]
    pub metadata_size: String,
    /// Size of the content PVC, mounted at /data/content; no content PVC when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]+(Gi|Mi|Ti)$"), example = "50Gi")]
    pub content_size: Option<String>,
    /// Size of the cache PVC, mounted at /data/cache; it always exists (the WAL must survive restarts).
    #[serde(default = "default_cache_size")]
    #[schemars(regex(pattern = r"^[0-9]+(Gi|Mi|Ti)$"), example = "5Gi")]
    pub cache_size: String,
    /// StorageClass of every PVC; absent means the cluster's default class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DatabaseType {
    #[default]
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseSpec {
    /// Database type; a `postgresSecretRef` takes precedence.
    #[serde(default, rename = "type")]
    pub kind: DatabaseType,
    #[serde(default)]
    pub sqlite: SqliteSpec,
    /// The Secret that holds the PostgreSQL connection: keys `host`, `database`, `user` and, when
    /// not the defaults, `port` (5432) and `sslmode` (disable); `key` names the key of the
    /// password. They reach the server as `DITTOFS_DATABASE_POSTGRES_*` variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgres_secret_ref: Option<SecretKeySelector>,
}

impl DatabaseSpec {
    /// A `postgresSecretRef` takes precedence over `type`, as in the operator.
    pub fn uses_postgres(&self) -> bool {
        self.postgres_secret_ref.is_some() || self.kind == DatabaseType::Postgres
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SqliteSpec {
    #[serde(default = "default_sqlite_path")]
    pub path: String,
}

impl Default for SqliteSpec {
    fn default() -> Self {
        SqliteSpec { path: default_sqlite_path() }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CacheSpec {
    #[serde(default = "default_cache_path")]
    pub path: String,
    #[serde(default = "default_cache_config_size")]
    pub size: String,
}

impl Default for CacheSpec {
    fn default() -> Self {
        CacheSpec { path: default_cache_path(), size: default_cache_config_size() }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricsSpec {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default = "default_metrics_port")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: i32,
}

impl Default for MetricsSpec {
    fn default() -> Self {
        MetricsSpec { enabled: false, port: default_metrics_port() }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ControlPlaneSpec {
    #[serde(default = "default_api_port")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: i32,
}

impl Default for ControlPlaneSpec {
    fn default() -> Self {
        ControlPlaneSpec { port: default_api_port() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IdentityType {
    #[default]
    Memory,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdentitySpec {
    #[serde(default, rename = "type")]
    pub kind: IdentityType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt: Option<JwtSpec>,
    #[serde(default)]
    pub admin: AdminSpec,
}

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

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminSpec {
    /// Ignored by the DittoFS v0.4 server, whose admin user is always `admin`.
    #[serde(default = "default_admin_username")]
    pub username: String,
    /// Secret key holding the admin's initial password, in clear text; the server sets it when it
    /// creates the admin user on its first start. Without it the server generates a password and
    /// writes it to its log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_secret_ref: Option<SecretKeySelector>,
}

impl Default for AdminSpec {
    fn default() -> Self {
        AdminSpec { username: default_admin_username(), password_secret_ref: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
pub enum ServiceType {
    #[default]
    ClusterIP,
    NodePort,
    LoadBalancer,
}

impl ServiceType {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::ClusterIP => "ClusterIP",
            ServiceType::NodePort => "NodePort",
            ServiceType::LoadBalancer => "LoadBalancer",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    #[serde(default, rename = "type")]
    pub kind: ServiceType,
    /// Copied to the `-file` and `-api` Services.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SmbSpec {
    /// Adds the `smb` port to the `-file` Service. (The server's SMB adapter listens on 1445
    /// whenever its control-plane database has it enabled, as it has by default.)
    #[serde(default)]
    pub enabled: bool,
    /// Port of SMB on the `-file` Service; the server listens on 1445.
    #[serde(default = "default_smb_port")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: i32,
    /// This and the SMB fields below are not read by the DittoFS v0.4 server, whose SMB settings
    /// live in its control-plane database (`PUT /api/v1/adapters/smb`).
    #[serde(default)]
    #[schemars(range(min = 0))]
    pub max_connections: i32,
    #[serde(default = "default_max_requests")]
    #[schemars(range(min = 1))]
    pub max_requests_per_connection: i32,
    #[serde(default)]
    pub timeouts: SmbTimeouts,
    #[serde(default)]
    pub credits: SmbCredits,
    #[serde(default = "default_five_minutes")]
    pub metrics_log_interval: String,
}

impl Default for SmbSpec {
    fn default() -> Self {
        SmbSpec {
            enabled: false,
            port: default_smb_port(),
            max_connections: 0,
            max_requests_per_connection: default_max_requests(),
            timeouts: SmbTimeouts::default(),
            credits: SmbCredits::default(),
            metrics_log_interval: default_five_minutes(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SmbTimeouts {
    #[serde(default = "default_five_minutes")]
    pub read: String,
    #[serde(default = "default_thirty_seconds")]
    pub write: String,
    #[serde(default = "default_five_minutes")]
    pub idle: String,
    #[serde(default = "default_thirty_seconds")]
    pub shutdown: String,
}

impl Default for SmbTimeouts {
    fn default() -> Self {
        SmbTimeouts {
            read: default_five_minutes(),
            write: default_thirty_seconds(),
            idle: default_five_minutes(),
            shutdown: default_thirty_seconds(),
        }
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
#[serde(rename_all = "camelCase")]
pub struct SmbCredits {
    #[serde(default)]
    pub strategy: CreditStrategy,
    #[serde(default = "default_min_grant")]
    #[schemars(range(min = 1))]
    pub min_grant: i32,
    #[serde(default = "default_max_grant")]
    #[schemars(range(min = 1))]
    pub max_grant: i32,
    #[serde(default = "default_initial_grant")]
    #[schemars(range(min = 1))]
    pub initial_grant: i32,
    #[serde(default = "default_max_session_credits")]
    #[schemars(range(min = 1))]
    pub max_session_credits: i32,
}

impl Default for SmbCredits {
    fn default() -> Self {
        SmbCredits {
            strategy: CreditStrategy::Adaptive,
            min_grant: default_min_grant(),
            max_grant: default_max_grant(),
            initial_grant: default_initial_grant(),
            max_session_credits: default_max_session_credits(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct S3Spec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_secret_ref: Option<S3CredentialsSecretRef>,
    /// Not used by the DittoFS v0.4 server: an S3 payload store's region is part of the store's
    /// configuration, given when the store is created through the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Informational only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
}

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

fn default_image() -> String {
    crate::target::IMAGE.into()
}
fn default_replicas() -> i32 {
    1
}
fn default_cache_size() -> String {
    "5Gi".into()
}
fn default_sqlite_path() -> String {
    "/data/controlplane/controlplane.db".into()
}
fn default_cache_path() -> String {
    "/data/cache".into()
}
fn default_cache_config_size() -> String {
    "1GB".into()
}
fn default_metrics_port() -> i32 {
    9090
}
fn default_api_port() -> i32 {
    8080
}
fn default_nfs_port() -> i32 {
    2049
}
fn default_smb_port() -> i32 {
    445
}
fn default_max_requests() -> i32 {
    100
}
fn default_five_minutes() -> String {
    "5m".into()
}
fn default_thirty_seconds() -> String {
    "30s".into()
}
fn default_min_grant() -> i32 {
    16
}
fn default_max_grant() -> i32 {
    8192
}
fn default_initial_grant() -> i32 {
    256
}
fn default_max_session_credits() -> i32 {
    65535
}
fn default_access_token_duration() -> String {
    "15m".into()
}
fn default_refresh_token_duration() -> String {
    "168h".into()
}
fn default_issuer() -> String {
    "dittofs".into()
}
fn default_admin_username() -> String {
    "admin".into()
}
fn default_access_key_id_key() -> String {
    "accessKeyId".into()
}
fn default_secret_access_key_key() -> String {
    "secretAccessKey".into()
}
fn default_endpoint_key() -> String {
    "endpoint".into()
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
