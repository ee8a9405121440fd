//! What a valid v0.29 server runs as: its container's ports, environment and Secret files, its
//! Services, NetworkPolicies and ServiceMonitor, and the Secrets that roll its pods.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{EnvVar, SecretKeySelector};

use super::config::config_yaml;
use super::facts::{self, postgres_env};
use super::spec::{AdapterSpec, DittoServerSpec};
use crate::expand::names;
use crate::server::plan::{
    secret_env, selector_env, ContainerPlan, HashedSecret, NetworkPolicyPlan, ProbeKind, SecretVolumePlan,
    ServiceMonitorPlan, ServicePlan, ServiceShape, Workload,
};
use crate::server::Server;

/// A file the server reads from a mounted Secret: (volume, mount point, file in it).
#[derive(Debug, Clone, Copy)]
pub enum SecretFile {
    TlsCert,
    TlsKey,
    ClientCa,
    MetricsToken,
    Keytab,
    Krb5Conf,
    MachineKeytab,
}

impl SecretFile {
    /// The operator's volume names, mount points and file names (api/v1alpha1/helpers.go;
    /// internal/controller/dittoserver_controller.go:63-68; metrics_reconciler.go:27).
    const fn place(self) -> (&'static str, &'static str, &'static str) {
        match self {
            SecretFile::TlsCert => ("tls-cert", facts::TLS_DIR, "tls.crt"),
            SecretFile::TlsKey => ("tls-cert", facts::TLS_DIR, "tls.key"),
            SecretFile::ClientCa => ("tls-client-ca", facts::TLS_CLIENT_CA_DIR, "ca.crt"),
            SecretFile::MetricsToken => ("metrics-token", facts::METRICS_TOKEN_DIR, "token"),
            SecretFile::Keytab => ("kerberos-keytab", facts::KERBEROS_KEYTAB_DIR, "dittofs.keytab"),
            SecretFile::Krb5Conf => ("kerberos-krb5", facts::KERBEROS_KRB5_DIR, "krb5.conf"),
            SecretFile::MachineKeytab => ("kerberos-machine-keytab", facts::KERBEROS_MACHINE_DIR, "machine.keytab"),
        }
    }
}

/// The path the server is given for a Secret's file.
pub fn secret_file(file: SecretFile) -> String {
    let (_, dir, name) = file.place();
    format!("{dir}/{name}")
}

/// Owner and group may read, no one else: for keytabs, as the operator mounts them.
const KEYTAB_MODE: i32 = 0o440;

/// The Secret with the server's JWT signing key: `identity.jwt.secretRef`, or the operator's
/// name for the one it generates.
pub fn jwt_secret_ref(server: &str, spec: &DittoServerSpec) -> SecretKeySelector {
    match &spec.identity.jwt {
        Some(jwt) => jwt.secret_ref.clone(),
        None => SecretKeySelector { name: format!("{server}-jwt-secret"), key: "jwt-secret".into(), optional: None },
    }
}

/// The admin's initial password: `identity.admin.passwordSecretRef`, or the operator's name for
/// the Secret it generates. Required, where the operator marks its own optional: without it the
/// server makes up a password that it shows only on a terminal, and no one can ever log in.
pub fn admin_password_ref(server: &str, spec: &DittoServerSpec) -> SecretKeySelector {
    match &spec.identity.admin.password_secret_ref {
        Some(r) => r.clone(),
        None => SecretKeySelector { name: format!("{server}-admin-bootstrap-credentials"), key: "password".into(), optional: None },
    }
}

fn named(r: Option<&SecretKeySelector>) -> Option<&SecretKeySelector> {
    r.filter(|r| !r.name.is_empty())
}

fn enabled_kerberos(spec: &DittoServerSpec) -> Option<&super::spec::KerberosSpec> {
    spec.identity.kerberos.as_ref().filter(|k| k.enabled)
}

fn enabled_machine_account(spec: &DittoServerSpec) -> Option<&super::spec::MachineAccountSpec> {
    enabled_kerberos(spec)?.machine_account.as_ref().filter(|m| m.enabled)
}

pub fn kerberos_keytab(spec: &DittoServerSpec) -> Option<&SecretKeySelector> {
    named(enabled_kerberos(spec)?.keytab_secret_ref.as_ref())
}
pub fn krb5_conf(spec: &DittoServerSpec) -> Option<&SecretKeySelector> {
    named(enabled_kerberos(spec)?.krb5_conf_secret_ref.as_ref())
}
pub fn machine_keytab(spec: &DittoServerSpec) -> Option<&SecretKeySelector> {
    named(enabled_machine_account(spec)?.keytab_secret_ref.as_ref())
}
pub fn machine_secret(spec: &DittoServerSpec) -> Option<&SecretKeySelector> {
    named(enabled_machine_account(spec)?.secret_ref.as_ref())
}
pub fn metrics_token(spec: &DittoServerSpec) -> Option<&SecretKeySelector> {
    named(spec.metrics.bearer_token_secret.as_ref()).filter(|_| spec.metrics.enabled)
}
pub fn ldap_bind_password(spec: &DittoServerSpec) -> Option<&SecretKeySelector> {
    spec.identity.ldap.as_ref()?.bind_password_secret_ref.as_ref()
}

pub fn workload(server: &Server<'_, DittoServerSpec>) -> Workload {
    let spec = server.spec;
    let api = spec.control_plane.port.get();
    let mut ports = vec![("api", api)];
    if spec.metrics.enabled {
        ports.push(("metrics", spec.metrics.port.get()));
    }
    ports.extend(spec.adapters.iter().map(|a| (adapter_port_name(a), a.port.get())));
    let probe = match (spec.control_plane.cert_secret(), spec.control_plane.client_ca_secret()) {
        (_, Some(_)) => ProbeKind::Tcp,
        (Some(_), None) => ProbeKind::Http { https: true },
        (None, None) => ProbeKind::Http { https: false },
    };
    Workload {
        config_yaml: config_yaml(spec),
        hashed_secrets: hashed_secrets(server),
        replicas: spec.replicas.get(),
        termination_grace_seconds: spec.termination_grace_period_seconds.map(|s| i64::from(s.get())),
        container: ContainerPlan {
            image: spec.image.clone(),
            ports,
            api_port: api,
            probe,
            env: env(server),
            resources: spec.resources.clone().map(Box::new),
            security_context: spec.security_context.clone().map(Box::new),
        },
        secret_volumes: secret_volumes(spec),
        pod_security_context: spec.pod_security_context.clone().map(Box::new),
        services: services(server),
        network_policies: network_policies(server),
        service_monitor: service_monitor(server),
    }
}

fn adapter_port_name(a: &AdapterSpec) -> &'static str {
    match a.kind {
        super::spec::AdapterType::Nfs => "adapter-nfs",
        super::spec::AdapterType::Smb => "adapter-smb",
    }
}

fn adapter_name(server: &str, a: &AdapterSpec) -> String {
    format!("{server}-adapter-{}", a.kind.as_str())
}

/// The Secrets the server reads from its environment, in the operator's order; every value by
/// `secretKeyRef`, none copied.
fn env(server: &Server<'_, DittoServerSpec>) -> Vec<EnvVar> {
    let spec = server.spec;
    let mut env = vec![
        selector_env(facts::ENV_JWT_SECRET, &jwt_secret_ref(server.name, spec)),
        selector_env(facts::ENV_ADMIN_INITIAL_PASSWORD, &admin_password_ref(server.name, spec)),
    ];
    if let Some(r) = ldap_bind_password(spec) {
        env.push(selector_env(facts::ENV_LDAP_BIND_PASSWORD, r));
    }
    if let Some(r) = machine_secret(spec) {
        env.push(selector_env(facts::ENV_MACHINE_ACCOUNT_SECRET, r));
    }
    if let Some(r) = &spec.database.postgres_secret_ref {
        for (key, required) in facts::POSTGRES_KEYS {
            env.push(secret_env(&postgres_env(key), &r.name, key, !required));
        }
        env.push(secret_env(&postgres_env("password"), &r.name, &r.key, false));
    }
    env
}

fn secret_volumes(spec: &DittoServerSpec) -> Vec<SecretVolumePlan> {
    let whole = |file: SecretFile, secret: &str| {
        let (volume, path, _) = file.place();
        SecretVolumePlan { volume, secret: secret.to_string(), key_to_file: None, mode: None, path }
    };
    let one = |file: SecretFile, r: &SecretKeySelector, mode: Option<i32>| {
        let (volume, path, name) = file.place();
        SecretVolumePlan { volume, secret: r.name.clone(), key_to_file: Some((r.key.clone(), name)), mode, path }
    };
    let mut out = Vec::new();
    if let Some(cert) = spec.control_plane.cert_secret() {
        out.push(whole(SecretFile::TlsCert, cert));
    }
    if let Some(ca) = spec.control_plane.client_ca_secret() {
        out.push(whole(SecretFile::ClientCa, ca));
    }
    out.extend(metrics_token(spec).map(|r| one(SecretFile::MetricsToken, r, None)));
    out.extend(kerberos_keytab(spec).map(|r| one(SecretFile::Keytab, r, Some(KEYTAB_MODE))));
    out.extend(krb5_conf(spec).map(|r| one(SecretFile::Krb5Conf, r, None)));
    out.extend(machine_keytab(spec).map(|r| one(SecretFile::MachineKeytab, r, Some(KEYTAB_MODE))));
    out
}

/// As the operator hashes them (collectSecretData): the JWT and admin keys, every key of the
/// Postgres Secret, the Kerberos files and the machine account's password.
fn hashed_secrets(server: &Server<'_, DittoServerSpec>) -> Vec<HashedSecret> {
    let spec = server.spec;
    let key = |prefix, r: &SecretKeySelector| HashedSecret::Key { prefix, name: r.name.clone(), key: r.key.clone() };
    let mut out = vec![key("jwt", &jwt_secret_ref(server.name, spec)), key("admin", &admin_password_ref(server.name, spec))];
    if let Some(r) = &spec.database.postgres_secret_ref {
        out.push(HashedSecret::Whole { prefix: "postgres", name: r.name.clone() });
    }
    out.extend(kerberos_keytab(spec).map(|r| key("kerberos-keytab", r)));
    out.extend(krb5_conf(spec).map(|r| key("kerberos-krb5", r)));
    out.extend(machine_secret(spec).map(|r| key("kerberos-machine-secret", r)));
    out.extend(machine_keytab(spec).map(|r| key("kerberos-machine-keytab", r)));
    out
}

fn label(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

const METRICS_SERVICE_LABEL: (&str, &str) = ("dittofs.io/metrics-service", "true");

/// `-headless` (for the StatefulSet), `-api`, `-metrics` when metrics are on, and one per adapter.
fn services(server: &Server<'_, DittoServerSpec>) -> Vec<ServicePlan> {
    let spec = server.spec;
    let api = spec.control_plane.port.get();
    let mut out = vec![
        ServicePlan {
            name: names::headless_service(server.name),
            labels: BTreeMap::new(),
            shape: ServiceShape::Headless,
            ports: vec![("api", api, api)],
            annotations: BTreeMap::new(),
        },
        ServicePlan {
            name: names::api_service(server.name),
            labels: BTreeMap::new(),
            shape: ServiceShape::Typed(spec.service.kind.as_str()),
            ports: vec![("api", api, api)],
            annotations: spec.service.annotations.clone(),
        },
    ];
    if spec.metrics.enabled {
        let port = spec.metrics.port.get();
        out.push(ServicePlan {
            name: names::metrics_service(server.name),
            labels: label(&[METRICS_SERVICE_LABEL]),
            shape: ServiceShape::Typed("ClusterIP"),
            ports: vec![("metrics", port, port)],
            annotations: label(&[
                ("prometheus.io/scrape", "true"),
                ("prometheus.io/port", &port.to_string()),
                ("prometheus.io/path", &*spec.metrics.path),
            ]),
        });
    }
    for a in &spec.adapters {
        let port = a.port.get();
        out.push(ServicePlan {
            name: adapter_name(server.name, a),
            labels: label(&[("dittofs.io/adapter-service", "true"), ("dittofs.io/adapter-type", a.kind.as_str())]),
            shape: ServiceShape::Typed(spec.adapter_services.kind.as_str()),
            ports: vec![(adapter_port_name(a), port, port)],
            annotations: spec.adapter_services.annotations.clone(),
        });
    }
    out
}

/// `-baseline` (the API and metrics) and one per adapter: once one policy selects the pod, only
/// what some policy allows reaches it.
fn network_policies(server: &Server<'_, DittoServerSpec>) -> Vec<NetworkPolicyPlan> {
    let spec = server.spec;
    let mut baseline = vec![(spec.control_plane.port.get(), "TCP")];
    if spec.metrics.enabled {
        baseline.push((spec.metrics.port.get(), "TCP"));
    }
    let mut out = vec![NetworkPolicyPlan {
        name: format!("{}-baseline", server.name),
        labels: label(&[("dittofs.io/baseline-networkpolicy", "true")]),
        ports: baseline,
    }];
    out.extend(spec.adapters.iter().map(|a| NetworkPolicyPlan {
        name: adapter_name(server.name, a),
        labels: label(&[("dittofs.io/adapter-networkpolicy", "true"), ("dittofs.io/adapter-type", a.kind.as_str())]),
        ports: vec![(a.port.get(), "TCP")],
    }));
    out
}

fn service_monitor(server: &Server<'_, DittoServerSpec>) -> Option<ServiceMonitorPlan> {
    let spec = server.spec;
    let monitor = spec.metrics.service_monitor.as_ref().filter(|m| m.enabled && spec.metrics.enabled)?;
    let mut selector = names::labels(server.name);
    selector.extend(label(&[METRICS_SERVICE_LABEL]));
    let mut labels = monitor.labels.clone();
    labels.extend(selector.clone());
    Some(ServiceMonitorPlan {
        name: names::metrics_service(server.name),
        labels,
        selector,
        port: "metrics",
        path: spec.metrics.path.to_string(),
        interval: monitor.interval.clone().filter(|i| !i.is_empty()),
        bearer_token: metrics_token(spec).cloned(),
    })
}
