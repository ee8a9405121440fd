//! The v0.29 line's DittoServer spec (`dittofs.dittofs.com/v1alpha1`): the API of the current
//! operator (k8s/dittofs-operator/api/v1alpha1/dittoserver_types.go at v0.29.0), plus
//! `adapters`, which a render needs where the operator polls the running server.
//!
//! As for every line: each default the CRD declares is a serde default here, and the rules of
//! single fields live on their types (`crate::model::checked`). Doc comments are the CRD's
//! descriptions.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PodSecurityContext, ResourceRequirements, SecretKeySelector, SecurityContext};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::facts;
use crate::model::checked::{AtLeast, HttpPath, Int, Port, Size, StorageClassName};
use crate::model::ServiceType;
pub use crate::server::database::{DatabaseSpec, DatabaseType};

/// Desired state of a DittoFS server.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DittoServerSpec {
    /// Container image of the DittoFS server. Pin a release such as `v0.29.0`: its tag chooses
    /// the release line the objects are rendered for.
    #[serde(default = "default_image")]
    pub image: String,
    /// Sizes and class of the server's persistent volumes.
    pub storage: StorageSpec,
    /// Number of server pods: 0 (stopped) or 1.
    #[serde(default = "default_replicas")]
    pub replicas: Int<0, 1>,
    /// The protocol adapters the server runs, with their ports: a Service, a NetworkPolicy and a
    /// container port each. The server creates NFS on 12049 and SMB on 1445 on its first start
    /// and keeps them in its database; a port changed later through its API is not followed here.
    #[serde(default = "default_adapters")]
    pub adapters: Vec<AdapterSpec>,
    /// Control-plane REST API.
    #[serde(default)]
    pub control_plane: ControlPlaneSpec,
    /// Control-plane database.
    #[serde(default)]
    pub database: DatabaseSpec,
    /// Authentication: JWT, the admin user, LDAP and Kerberos.
    #[serde(default)]
    pub identity: IdentitySpec,
    /// The per-adapter Services.
    #[serde(default)]
    pub adapter_services: AdapterServicesSpec,
    /// The `-api` Service.
    #[serde(default)]
    pub service: ServiceSpec,
    /// Prometheus metrics endpoint and its Service.
    #[serde(default)]
    pub metrics: MetricsSpec,
    /// The server's log.
    #[serde(default)]
    pub logging: LoggingSpec,
    /// Adapter polling of the operator: a render declares the adapters instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adapter_discovery: Option<AdapterDiscoverySpec>,
    /// A Percona PostgreSQL cluster made by the operator; not rendered (its server would run on
    /// SQLite): use `database.postgresSecretRef`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percona: Option<PerconaSpec>,
    /// Snapshot policies per share, set through the server's API once the share exists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshot_policies: Vec<SnapshotPolicySpec>,
    /// Resources of the server container; the read cache is sized from its memory limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// The pod's grace period; by default the pre-stop wait, three shutdown stages of 30 s and
    /// a margin (105 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<AtLeast<36>>,
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
    /// Size of the metadata PVC, mounted at /data/store/metadata (Badger metadata stores).
    #[schemars(example = "10Gi")]
    pub metadata_size: Size,
    /// Size of the block PVC, mounted at /data/store/block (local block stores and their
    /// append-log); no such PVC when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = "50Gi")]
    pub content_size: Option<Size>,
    /// Size of the control-plane PVC, mounted at /data/controlplane (the SQLite database).
    #[serde(default = "default_control_plane_size")]
    #[schemars(example = "1Gi")]
    pub control_plane_size: Size,
    /// StorageClass of every PVC; absent means the cluster's default class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<StorageClassName>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AdapterType {
    Nfs,
    Smb,
}

impl AdapterType {
    pub fn as_str(self) -> &'static str {
        match self {
            AdapterType::Nfs => "nfs",
            AdapterType::Smb => "smb",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdapterSpec {
    #[serde(rename = "type")]
    pub kind: AdapterType,
    /// The port the adapter listens on, as its settings in the server's database have it.
    pub port: Port,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ControlPlaneSpec {
    pub port: Port,
    /// Whether clients reach the API over HTTPS (set by `certSecretName`, or by a mesh).
    pub tls: bool,
    /// A `kubernetes.io/tls` Secret (`tls.crt`, `tls.key`): the API serves HTTPS itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_secret_name: Option<String>,
    /// A Secret with a CA bundle under `ca.crt`: the API requires client certificates signed by
    /// it (only with `certSecretName`).
    #[serde(rename = "clientCASecretName", skip_serializing_if = "Option::is_none")]
    pub client_ca_secret_name: Option<String>,
}

impl Default for ControlPlaneSpec {
    fn default() -> Self {
        ControlPlaneSpec { port: Port::new(8080), tls: false, cert_secret_name: None, client_ca_secret_name: None }
    }
}

impl ControlPlaneSpec {
    pub fn cert_secret(&self) -> Option<&str> {
        self.cert_secret_name.as_deref().filter(|n| !n.is_empty())
    }

    /// Client certificates are required only with a server certificate.
    pub fn client_ca_secret(&self) -> Option<&str> {
        self.cert_secret().and(self.client_ca_secret_name.as_deref().filter(|n| !n.is_empty()))
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ldap: Option<LdapSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kerberos: Option<KerberosSpec>,
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
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AdminSpec {
    /// Written to config.yaml; the server's admin user is always `admin`.
    pub username: String,
    /// Secret key holding the admin's initial password, in clear text. Without it, the Secret
    /// `<name>-admin-bootstrap-credentials`, key `password`, is used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_secret_ref: Option<SecretKeySelector>,
}

impl Default for AdminSpec {
    fn default() -> Self {
        AdminSpec { username: "admin".into(), password_secret_ref: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Idmap {
    Rfc2307,
    Rid,
}

/// The LDAP or Active Directory identity provider.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LdapSpec {
    #[serde(default)]
    pub enabled: bool,
    /// `ldaps://host:636`, or `ldap://host:389` with `startTLS` or `allowPlaintext`.
    pub url: String,
    #[serde(default, rename = "startTLS")]
    pub start_tls: bool,
    #[serde(default)]
    pub allow_plaintext: bool,
    #[serde(rename = "baseDN")]
    pub base_dn: String,
    #[serde(rename = "bindDN")]
    pub bind_dn: String,
    /// Reaches the server as `DITTOFS_LDAP_BIND_PASSWORD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_password_secret_ref: Option<SecretKeySelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_attr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idmap: Option<Idmap>,
    #[serde(default)]
    pub nested_groups: bool,
    /// A CA bundle's path inside the pod; mounting it is up to you.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert_file: Option<String>,
    #[serde(default)]
    pub insecure_skip_verify: bool,
}

/// The Kerberos (Active Directory) authentication provider for NFSv4 and SMB.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct KerberosSpec {
    pub enabled: bool,
    /// `service/host@REALM`; required when enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_principal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    #[serde(rename = "netbiosDomain", skip_serializing_if = "Option::is_none")]
    pub netbios_domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_domain: Option<String>,
    /// The service keytab, mounted at /kerberos/dittofs.keytab (mode 0440); required when enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keytab_secret_ref: Option<SecretKeySelector>,
    /// A krb5.conf, mounted at /kerberos-krb5/krb5.conf.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub krb5_conf_secret_ref: Option<SecretKeySelector>,
    /// krb5.conf's path in the pod when no `krb5ConfSecretRef` is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub krb5_conf: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine_account: Option<MachineAccountSpec>,
}

/// An AD machine account, for NTLM pass-through over NETLOGON.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct MachineAccountSpec {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// The account's password: `DITTOFS_KERBEROS_MACHINE_ACCOUNT_SECRET`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretKeySelector>,
    /// The account's keytab, mounted at /kerberos-machine/machine.keytab (mode 0440).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keytab_secret_ref: Option<SecretKeySelector>,
    #[serde(rename = "dcAddress", skip_serializing_if = "Vec::is_empty")]
    pub dc_address: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AdapterDiscoverySpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub polling_interval: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AdapterServicesSpec {
    #[serde(rename = "type")]
    pub kind: ServiceType,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Default for AdapterServicesSpec {
    fn default() -> Self {
        AdapterServicesSpec { kind: ServiceType::LoadBalancer, annotations: BTreeMap::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceSpec {
    #[serde(rename = "type")]
    pub kind: ServiceType,
    /// Copied to the `-api` Service.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct MetricsSpec {
    pub enabled: bool,
    pub port: Port,
    #[schemars(example = "/metrics")]
    pub path: HttpPath,
    /// A Secret key with the bearer token scrapers must send; mounted at /metrics-token/token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bearer_token_secret: Option<SecretKeySelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_monitor: Option<ServiceMonitorSpec>,
}

impl Default for MetricsSpec {
    fn default() -> Self {
        MetricsSpec { enabled: false, port: Port::new(9090), path: HttpPath::new("/metrics"), bearer_token_secret: None, service_monitor: None }
    }
}

/// A prometheus-operator ServiceMonitor for the metrics Service.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceMonitorSpec {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum LogLevel {
    Debug,
    #[default]
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    #[default]
    Json,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct LoggingSpec {
    pub level: LogLevel,
    pub format: LogFormat,
    /// `stdout`, `stderr` or a file path (which must lie on a volume: the root is read-only).
    pub output: String,
}

impl Default for LoggingSpec {
    fn default() -> Self {
        LoggingSpec { level: LogLevel::Info, format: LogFormat::Json, output: "stdout".into() }
    }
}

/// The operator's Percona PostgreSQL cluster; read only to refuse it with its reason.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PerconaSpec {
    pub enabled: bool,
    pub delete_with_server: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Int<1, 5>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<PerconaBackupSpec>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PerconaBackupSpec {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials_secret_ref: Option<k8s_openapi::api::core::v1::LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_schedule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incr_schedule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<AtLeast<1>>,
}

/// A scheduled snapshot policy for one share (`PUT /api/v1/shares/{share}/snapshot-policy`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotPolicySpec {
    pub share: String,
    pub interval: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_last: Option<AtLeast<0>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
}

fn default_image() -> String {
    facts::IMAGE.into()
}
fn default_replicas() -> Int<0, 1> {
    Int::new(1)
}
fn default_control_plane_size() -> Size {
    Size::new("1Gi")
}
fn default_adapters() -> Vec<AdapterSpec> {
    vec![
        AdapterSpec { kind: AdapterType::Nfs, port: Port::new(facts::NFS_PORT) },
        AdapterSpec { kind: AdapterType::Smb, port: Port::new(facts::SMB_PORT) },
    ]
}
fn default_access_token_duration() -> String {
    "15m".into()
}
fn default_refresh_token_duration() -> String {
    "168h".into()
}
