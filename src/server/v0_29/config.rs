//! The server's `config.yaml`, as the current operator writes it
//! (internal/controller/config/config.go at v0.29.0), with every key one the v0.29 server reads
//! (pkg/config/config.go, pkg/config/metrics.go, pkg/controlplane/api/config.go,
//! pkg/identity/ldap/config.go). Secrets reach the server as environment variables or files,
//! never as ConfigMap text.

use serde_json::{json, Map, Value};

use super::facts::{self, LISTEN_ALL};
use super::plan::{secret_file, SecretFile};
use super::spec::{DittoServerSpec, KerberosSpec, LdapSpec};
use crate::yaml;

pub fn config_yaml(spec: &DittoServerSpec) -> String {
    let mut root = Map::new();
    root.insert("logging".into(), json!({"level": spec.logging.level, "format": spec.logging.format, "output": spec.logging.output}));
    root.insert("shutdown_timeout".into(), json!(format!("{}s", facts::SHUTDOWN_TIMEOUT_SECONDS)));
    root.insert("database".into(), database(spec));
    root.insert("controlplane".into(), control_plane(spec));
    root.insert("admin".into(), json!({"username": spec.identity.admin.username}));
    if spec.metrics.enabled {
        root.insert("metrics".into(), metrics(spec));
    }
    if let Some(ldap) = &spec.identity.ldap {
        root.insert("ldap".into(), self::ldap(ldap));
    }
    if let Some(kerberos) = spec.identity.kerberos.as_ref().filter(|k| k.enabled) {
        root.insert("kerberos".into(), self::kerberos(spec, kerberos));
    }
    yaml::to_string(&Value::Object(root))
}

/// SQLite at its path, or Postgres with each key present for its `DITTOFS_DATABASE_POSTGRES_*`
/// variable to fill (the port and SSL mode keep the server's defaults when the Secret has none).
fn database(spec: &DittoServerSpec) -> Value {
    if !spec.database.uses_postgres() {
        return json!({"type": "sqlite", "sqlite": {"path": spec.database.sqlite.path}});
    }
    json!({"type": "postgres", "postgres": {"host": "", "port": 5432, "database": "", "user": "", "password": "", "sslmode": "disable"}})
}

/// Bound to every address: the server's default, 127.0.0.1, is out of reach of the kubelet's
/// probes and of the Services.
fn control_plane(spec: &DittoServerSpec) -> Value {
    let (access, refresh) = match &spec.identity.jwt {
        Some(jwt) => (jwt.access_token_duration.as_str(), jwt.refresh_token_duration.as_str()),
        None => ("15m", "168h"),
    };
    let mut cp = json!({
        "host": LISTEN_ALL,
        "port": spec.control_plane.port,
        "jwt": {"access_token_duration": access, "refresh_token_duration": refresh},
    });
    if spec.control_plane.cert_secret().is_some() {
        let mut tls = json!({"cert_file": secret_file(SecretFile::TlsCert), "key_file": secret_file(SecretFile::TlsKey)});
        if spec.control_plane.client_ca_secret().is_some() {
            tls["client_ca"] = json!(secret_file(SecretFile::ClientCa));
        }
        cp["tls"] = tls;
    }
    cp
}

fn metrics(spec: &DittoServerSpec) -> Value {
    let m = &spec.metrics;
    let mut out = json!({"enabled": true, "host": LISTEN_ALL, "port": m.port, "path": m.path, "auth": "none"});
    if m.bearer_token_secret.is_some() {
        out["auth"] = json!("token");
        out["token_file"] = json!(secret_file(SecretFile::MetricsToken));
    }
    out
}

/// The operator's `ldap:` block: false switches and empty texts left out.
fn ldap(l: &LdapSpec) -> Value {
    let mut out = Map::new();
    out.insert("enabled".into(), json!(l.enabled));
    out.insert("url".into(), json!(l.url));
    set_true(&mut out, "start_tls", l.start_tls);
    set_true(&mut out, "allow_plaintext", l.allow_plaintext);
    out.insert("base_dn".into(), json!(l.base_dn));
    out.insert("bind_dn".into(), json!(l.bind_dn));
    set_text(&mut out, "user_attr", l.user_attr.as_deref());
    set_text(&mut out, "realm", l.realm.as_deref());
    if let Some(idmap) = l.idmap {
        out.insert("idmap".into(), json!(idmap));
    }
    set_true(&mut out, "nested_groups", l.nested_groups);
    if l.ca_cert_file.as_deref().is_some_and(|f| !f.is_empty()) || l.insecure_skip_verify {
        let mut tls = Map::new();
        set_text(&mut tls, "ca_cert_file", l.ca_cert_file.as_deref());
        set_true(&mut tls, "insecure_skip_verify", l.insecure_skip_verify);
        out.insert("tls".into(), Value::Object(tls));
    }
    Value::Object(out)
}

/// The operator's `kerberos:` block: the keytab and krb5.conf as the files their Secrets are
/// mounted as; the machine account's password by variable.
fn kerberos(spec: &DittoServerSpec, k: &KerberosSpec) -> Value {
    let mut out = Map::new();
    out.insert("enabled".into(), json!(true));
    if super::plan::kerberos_keytab(spec).is_some() {
        out.insert("keytab_path".into(), json!(secret_file(SecretFile::Keytab)));
    }
    set_text(&mut out, "service_principal", k.service_principal.as_deref());
    set_text(&mut out, "realm", k.realm.as_deref());
    set_text(&mut out, "netbios_domain", k.netbios_domain.as_deref());
    set_text(&mut out, "dns_domain", k.dns_domain.as_deref());
    if super::plan::krb5_conf(spec).is_some() {
        out.insert("krb5_conf".into(), json!(secret_file(SecretFile::Krb5Conf)));
    } else {
        set_text(&mut out, "krb5_conf", k.krb5_conf.as_deref());
    }
    if let Some(m) = k.machine_account.as_ref().filter(|m| m.enabled) {
        let mut machine = Map::new();
        machine.insert("enabled".into(), json!(true));
        set_text(&mut machine, "account_name", m.account_name.as_deref());
        if super::plan::machine_keytab(spec).is_some() {
            machine.insert("keytab_path".into(), json!(secret_file(SecretFile::MachineKeytab)));
        }
        if !m.dc_address.is_empty() {
            machine.insert("dc_address".into(), json!(m.dc_address));
        }
        out.insert("machine_account".into(), Value::Object(machine));
    }
    Value::Object(out)
}

fn set_true(map: &mut Map<String, Value>, key: &str, value: bool) {
    if value {
        map.insert(key.into(), json!(true));
    }
}

fn set_text(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        map.insert(key.into(), json!(v));
    }
}
