//! The v0.29 line's rules beyond single fields: the database, ports and adapters, identity
//! providers, and what the operator does that a render cannot (it needs the running server).

use super::facts::{self, BLOCK_DIR, METADATA_DIR};
use super::spec::{DittoServerSpec, LdapSpec};
use crate::krm::ValidationResult;
use crate::server::image::{tag, Tag};

pub fn database(spec: &DittoServerSpec) -> Vec<ValidationResult> {
    let mut out = crate::server::database::rules(&spec.database);
    if spec.percona.as_ref().is_some_and(|p| p.enabled) {
        out.push(
            ValidationResult::error(
                "percona is not rendered: the operator creates a PerconaPGCluster and gives the server DATABASE_URL, which no DittoFS release reads, so that server silently runs on SQLite; run PostgreSQL yourself and name its Secret in database.postgresSecretRef (keys host, database, user, password)",
            )
            .at("spec.percona.enabled"),
        );
    }
    out
}

/// Ports that clash or cannot be bound, and adapters declared twice.
pub fn ports(spec: &DittoServerSpec) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    let mut listening: Vec<(String, i32, String)> = Vec::new();
    if let Some(api) = spec.control_plane.port.valid() {
        listening.push(("api".into(), api, "spec.controlPlane.port".into()));
    }
    if let Some(metrics) = spec.metrics.port.valid().filter(|_| spec.metrics.enabled) {
        listening.push(("metrics".into(), metrics, "spec.metrics.port".into()));
    }
    for (i, a) in spec.adapters.iter().enumerate() {
        let name = a.kind.as_str();
        if spec.adapters[..i].iter().any(|b| b.kind == a.kind) {
            out.push(ValidationResult::error(format!("the {name} adapter is declared twice: a server has one adapter of each type")).at(format!("spec.adapters[{i}].type")));
        }
        if let Some(port) = a.port.valid() {
            listening.push((format!("the {name} adapter"), port, format!("spec.adapters[{i}].port")));
        }
    }
    for (i, (name, port, path)) in listening.iter().enumerate() {
        if let Some((other, _, _)) = listening[..i].iter().find(|(_, p, _)| p == port) {
            out.push(ValidationResult::error(format!("port {port} is used by both {other} and {name}")).at(path.as_str()).with_current(*port));
        }
    }
    for (name, port, path) in &listening {
        if *port < 1024 {
            out.push(
                ValidationResult::warning(format!(
                    "{name} port {port} is privileged: the server runs as user {} with every capability dropped and cannot bind it (its API would still report the adapter running); use a port of 1024 or more, or add CAP_NET_BIND_SERVICE",
                    facts::USER_ID
                ))
                .at(path.as_str())
                .with_current(*port),
            );
        }
    }
    out
}

/// The settings a render cannot make: they live in the server's database and are set through its
/// API once it runs. Each says what to run.
pub fn after_first_start(spec: &DittoServerSpec) -> Vec<ValidationResult> {
    // dfsctl's flags: cmd/dfsctl/commands/store/metadata/add.go:58-61,
    // store/block/local/add.go:50-53, share/create.go:85-88.
    let blocks = if spec.storage.content_size.is_some() { BLOCK_DIR.to_string() } else { format!("{METADATA_DIR} (no contentSize: no block volume)") };
    let block_dir = if spec.storage.content_size.is_some() { BLOCK_DIR } else { METADATA_DIR };
    let stores = format!(
        "after the first start, create the stores on the volumes and a share through the server's API: dfsctl store metadata add --name meta --type badger --db-path {METADATA_DIR}/meta; dfsctl store block local add --name blocks --type fs --path {block_dir}/blocks (on {blocks}); dfsctl share create --name /export --metadata meta --local blocks. Stores and shares live in the control-plane database, not in config.yaml, and a store whose path is off the volumes loses its data at every restart"
    );
    let mut out = vec![ValidationResult::info(stores).at("spec.storage")];
    let defaults = [("nfs", facts::NFS_PORT), ("smb", facts::SMB_PORT)];
    for (i, a) in spec.adapters.iter().enumerate() {
        if let Some((_, first)) = defaults.iter().find(|(t, p)| *t == a.kind.as_str() && *p != a.port.get()) {
            out.push(
                ValidationResult::info(format!(
                    "the server creates its {} adapter on port {first} at its first start; set {} through its API (PUT /api/v1/adapters/{}) for the Services to reach it",
                    a.kind.as_str(), a.port.get(), a.kind.as_str()
                ))
                .at(format!("spec.adapters[{i}].port")),
            );
        }
    }
    for (kind, _) in defaults.iter().filter(|(t, _)| !spec.adapters.iter().any(|a| a.kind.as_str() == *t)) {
        out.push(
            ValidationResult::info(format!(
                "no {kind} adapter is declared, so it gets no Service, but the server still runs the one it creates at its first start; disable it through its API (PUT /api/v1/adapters/{kind} with enabled: false)"
            ))
            .at("spec.adapters"),
        );
    }
    if spec.adapter_discovery.is_some() {
        out.push(
            ValidationResult::info("adapterDiscovery is the operator's polling of the running server: a render declares the adapters in spec.adapters instead")
                .at("spec.adapterDiscovery"),
        );
    }
    for (i, p) in spec.snapshot_policies.iter().enumerate() {
        out.push(
            ValidationResult::warning(format!(
                "snapshot policies live in the server's database: once the share {:?} exists, set this one with PUT /api/v1/shares/{}/snapshot-policy (interval {:?})",
                p.share, p.share.trim_start_matches('/'), p.interval
            ))
            .at(format!("spec.snapshotPolicies[{i}]")),
        );
    }
    out
}

/// Identity and TLS settings that cannot work as given.
pub fn identity(spec: &DittoServerSpec) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    let admin = &spec.identity.admin;
    if admin.username != "admin" {
        out.push(
            ValidationResult::warning(format!("identity.admin.username {:?} is ignored: the DittoFS server's admin user is always \"admin\"", admin.username))
                .at("spec.identity.admin.username")
                .with_current(admin.username.as_str()),
        );
    }
    if admin.password_secret_ref.as_ref().is_some_and(|r| r.optional == Some(true)) {
        out.push(
            ValidationResult::error(
                "identity.admin.passwordSecretRef is optional: when its Secret is missing the server makes up an admin password that it prints only to a terminal, so no one could ever log in; remove optional",
            )
            .at("spec.identity.admin.passwordSecretRef.optional"),
        );
    }
    out.extend(spec.identity.ldap.as_ref().filter(|l| l.enabled).map(ldap).unwrap_or_default());
    if let Some(k) = spec.identity.kerberos.as_ref().filter(|k| k.enabled) {
        if k.service_principal.as_deref().unwrap_or("").is_empty() {
            out.push(ValidationResult::error("identity.kerberos.servicePrincipal is required when Kerberos is enabled (service/host@REALM)").at("spec.identity.kerberos.servicePrincipal"));
        }
        if k.keytab_secret_ref.as_ref().is_none_or(|r| r.name.is_empty()) {
            out.push(ValidationResult::error("identity.kerberos.keytabSecretRef is required when Kerberos is enabled: the server needs the service keytab").at("spec.identity.kerberos.keytabSecretRef"));
        }
        if let Some(m) = k.machine_account.as_ref().filter(|m| m.enabled) {
            if m.account_name.as_deref().unwrap_or("").is_empty() {
                out.push(ValidationResult::error("identity.kerberos.machineAccount.accountName is required when the machine account is enabled").at("spec.identity.kerberos.machineAccount.accountName"));
            }
            if m.secret_ref.is_none() && m.keytab_secret_ref.is_none() {
                out.push(ValidationResult::error("identity.kerberos.machineAccount needs secretRef or keytabSecretRef: the account's password or keytab").at("spec.identity.kerberos.machineAccount"));
            }
        }
    }
    let cp = &spec.control_plane;
    if cp.cert_secret().is_none() && cp.client_ca_secret_name.as_deref().is_some_and(|n| !n.is_empty()) {
        out.push(
            ValidationResult::warning("controlPlane.clientCASecretName is ignored without controlPlane.certSecretName: client certificates need a server certificate")
                .at("spec.controlPlane.clientCASecretName"),
        );
    }
    if cp.tls && cp.cert_secret().is_none() {
        out.push(
            ValidationResult::info("controlPlane.tls only tells the operator's client to use https (TLS ended by a mesh or sidecar); without controlPlane.certSecretName the server itself serves plain HTTP, and the probes ask over HTTP")
                .at("spec.controlPlane.tls"),
        );
    }
    let monitor = spec.metrics.service_monitor.as_ref().is_some_and(|m| m.enabled);
    if monitor && !spec.metrics.enabled {
        out.push(ValidationResult::warning("metrics.serviceMonitor is enabled but metrics are not: no ServiceMonitor is rendered").at("spec.metrics.serviceMonitor.enabled"));
    }
    out
}

/// What the server refuses of an enabled LDAP provider at start (pkg/identity/ldap/config.go:179-209).
fn ldap(l: &LdapSpec) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    let url = l.url.trim().to_ascii_lowercase();
    if url.starts_with("ldap://") && !l.start_tls && !l.allow_plaintext {
        out.push(ValidationResult::error("identity.ldap.url uses plaintext ldap://: the server refuses it unless startTLS (upgrade to TLS) or allowPlaintext is set; prefer ldaps://").at("spec.identity.ldap.url"));
    } else if !url.starts_with("ldap://") && !url.starts_with("ldaps://") {
        out.push(ValidationResult::error("identity.ldap.url must be an ldaps:// or ldap:// URL: the server does not start otherwise").at("spec.identity.ldap.url").with_current(l.url.as_str()));
    }
    for (field, value) in [("baseDN", &l.base_dn), ("bindDN", &l.bind_dn)] {
        if value.trim().is_empty() {
            out.push(ValidationResult::error(format!("identity.ldap.{field} is required when LDAP is enabled: the server does not start without it")).at(format!("spec.identity.ldap.{field}")));
        }
    }
    if l.bind_password_secret_ref.is_none() {
        out.push(
            ValidationResult::error("identity.ldap.bindPasswordSecretRef is required when LDAP is enabled: the server refuses an empty bind password (it would bind anonymously) and does not start")
                .at("spec.identity.ldap.bindPasswordSecretRef"),
        );
    }
    out
}

/// The image's tag, when it floats: the line was chosen, but the release will change under it.
pub fn image(spec: &DittoServerSpec) -> Vec<ValidationResult> {
    let image = spec.image.as_str();
    let message = match tag(image) {
        Tag::Latest => format!("image {image:?} floats: it runs whatever was released last, so the same render means another server tomorrow; pin a release such as {}", facts::IMAGE),
        Tag::Line(t) => format!("image {image:?} floats: the tag {t} moves to each new release of its line, so the same render means another server tomorrow; pin a release such as {}", facts::IMAGE),
        _ => return Vec::new(),
    };
    vec![ValidationResult::warning(message).at("spec.image").with_current(image)]
}
