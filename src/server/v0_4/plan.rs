//! What a valid v0.4 server runs as: its container's ports and environment, its Services, and
//! the Secrets that roll its pods.

use k8s_openapi::api::core::v1::{EnvVar, SecretKeySelector};

use super::config::config_yaml;
use super::facts::{self as target, NFS_LISTEN_PORT, SMB_LISTEN_PORT};
use super::spec::DittoServerSpec;
use crate::expand::names;
use crate::server::plan::{secret_env, selector_env, ContainerPlan, HashedSecret, ProbeKind, ServicePlan, ServiceShape, Workload};
use crate::server::Server;

pub fn workload(server: &Server<'_, DittoServerSpec>) -> Workload {
    let spec = server.spec;
    // The server listens for NFS and SMB on its adapters' ports; the Services map the ports users
    // ask for (`nfsPort`, `smb.port`) onto these.
    let mut ports = vec![("nfs", NFS_LISTEN_PORT), ("api", spec.control_plane.port.get())];
    if spec.metrics.enabled {
        ports.push(("metrics", spec.metrics.port.get()));
    }
    if spec.smb.enabled {
        ports.push(("smb", SMB_LISTEN_PORT));
    }
    Workload {
        config_yaml: config_yaml(spec),
        hashed_secrets: hashed_secrets(server),
        replicas: spec.replicas.get(),
        termination_grace_seconds: None,
        container: ContainerPlan {
            image: spec.image.clone(),
            ports,
            api_port: spec.control_plane.port.get(),
            probe: ProbeKind::Http { https: false },
            env: env(server),
            resources: spec.resources.clone().map(Box::new),
            security_context: spec.security_context.clone().map(Box::new),
        },
        pod_security_context: spec.pod_security_context.clone().map(Box::new),
        services: services(server),
        secret_volumes: Vec::new(),
        network_policies: Vec::new(),
        service_monitor: None,
    }
}

/// The Secret key of the server's JWT signing secret: `identity.jwt.secretRef`, or else the
/// operator's own name for the Secret it generates (`<name>-jwt-secret`, key `jwt-secret`), so
/// that a package moved from the operator keeps working.
pub fn jwt_secret_ref(server: &str, spec: &DittoServerSpec) -> SecretKeySelector {
    match &spec.identity.jwt {
        Some(jwt) => jwt.secret_ref.clone(),
        None => SecretKeySelector { name: format!("{server}-jwt-secret"), key: "jwt-secret".into(), optional: None },
    }
}

/// As the operator hashes them: the JWT and admin keys, every key of the Postgres and S3 Secrets.
fn hashed_secrets(server: &Server<'_, DittoServerSpec>) -> Vec<HashedSecret> {
    let spec = server.spec;
    let jwt = jwt_secret_ref(server.name, spec);
    let mut out = vec![HashedSecret::Key { prefix: "jwt", name: jwt.name, key: jwt.key }];
    if let Some(r) = &spec.identity.admin.password_secret_ref {
        out.push(HashedSecret::Key { prefix: "admin", name: r.name.clone(), key: r.key.clone() });
    }
    if let Some(r) = &spec.database.postgres_secret_ref {
        out.push(HashedSecret::Whole { prefix: "postgres", name: r.name.clone() });
    }
    if let Some(r) = spec.s3.as_ref().and_then(|s| s.credentials_secret_ref.as_ref()) {
        out.push(HashedSecret::Whole { prefix: "s3", name: r.secret_name.clone() });
    }
    out
}

/// `-headless` (NFS, for the StatefulSet), `-file` (NFS and SMB), `-api`, and `-metrics` when
/// metrics are enabled.
fn services(server: &Server<'_, DittoServerSpec>) -> Vec<ServicePlan> {
    let spec = server.spec;
    let service_type = ServiceShape::Typed(spec.service.kind.as_str());
    let nfs = ("nfs", spec.nfs_port.get(), NFS_LISTEN_PORT);
    let mut file_ports = vec![nfs];
    if spec.smb.enabled {
        file_ports.push(("smb", spec.smb.port.get(), SMB_LISTEN_PORT));
    }
    let api = spec.control_plane.port.get();
    let user = || spec.service.annotations.clone();
    let mut out = vec![
        ServicePlan { name: names::headless_service(server.name), labels: Default::default(), shape: ServiceShape::Headless, ports: vec![nfs], annotations: Default::default() },
        ServicePlan { name: names::file_service(server.name), labels: Default::default(), shape: service_type, ports: file_ports, annotations: user() },
        ServicePlan { name: names::api_service(server.name), labels: Default::default(), shape: service_type, ports: vec![("api", api, api)], annotations: user() },
    ];
    if spec.metrics.enabled {
        let metrics = spec.metrics.port.get();
        out.push(ServicePlan {
            name: names::metrics_service(server.name),
            labels: Default::default(),
            shape: ServiceShape::Typed("ClusterIP"),
            ports: vec![("metrics", metrics, metrics)],
            annotations: Default::default(),
        });
    }
    out
}

/// The Secrets the server reads from its environment, in the operator's order (the server's own,
/// then S3); every value by `secretKeyRef`, none copied.
fn env(server: &Server<'_, DittoServerSpec>) -> Vec<EnvVar> {
    let spec = server.spec;
    // Always: without a JWT secret of 32 characters the server does not start.
    let mut env = vec![selector_env(target::ENV_JWT_SECRET, &jwt_secret_ref(server.name, spec))];
    if let Some(r) = &spec.identity.admin.password_secret_ref {
        env.push(selector_env(target::ENV_ADMIN_INITIAL_PASSWORD, r));
    }
    if let Some(r) = &spec.database.postgres_secret_ref {
        for k in &target::POSTGRES_KEYS {
            env.push(secret_env(&target::postgres_env(k.key), &r.name, k.key, !k.required));
        }
        env.push(secret_env(&target::postgres_env(target::POSTGRES_PASSWORD_KEY), &r.name, &r.key, false));
    }
    // The server's S3 client takes credentials and endpoint from the AWS SDK's default chain
    // (pkg/controlplane/runtime/init.go:297-312); it ignores AWS_REGION (the store's region wins).
    if let Some(r) = spec.s3.as_ref().and_then(|s3| s3.credentials_secret_ref.as_ref()) {
        env.push(secret_env("AWS_ACCESS_KEY_ID", &r.secret_name, &r.access_key_id_key, false));
        env.push(secret_env("AWS_SECRET_ACCESS_KEY", &r.secret_name, &r.secret_access_key_key, false));
        env.push(secret_env("AWS_ENDPOINT_URL", &r.secret_name, &r.endpoint_key, true));
    }
    env
}
