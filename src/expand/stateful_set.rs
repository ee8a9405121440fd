//! The StatefulSet: one `dittofs` container, the config volume and the metadata, content and
//! cache volume claim templates (the cache always: its WAL must survive restarts).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapVolumeSource, Container, ContainerPort, EmptyDirVolumeSource, EnvVar, EnvVarSource, ExecAction,
    HTTPGetAction,
    Lifecycle, LifecycleHandler, PersistentVolumeClaim, PersistentVolumeClaimSpec, PodSecurityContext, PodSpec,
    PodTemplateSpec, Probe, SeccompProfile, SecretKeySelector, SecurityContext, Volume, VolumeMount,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::{metadata, names, Server};
use crate::model::DittoServerSpec;
use crate::target;

/// How long the pod waits, once told to stop, before the server gets SIGTERM.
const PRE_STOP_SECONDS: i64 = 5;
/// The pre-stop wait, the server's own graceful shutdown, and a margin before SIGKILL.
const TERMINATION_GRACE_SECONDS: i64 = PRE_STOP_SECONDS + target::SHUTDOWN_TIMEOUT_SECONDS + 10;

pub fn stateful_set(server: &Server<'_>, config_hash: &str) -> StatefulSet {
    let spec = server.spec;
    let labels = names::labels(server.name);
    StatefulSet {
        metadata: metadata(server, names::stateful_set(server.name)),
        spec: Some(StatefulSetSpec {
            replicas: Some(spec.replicas.get()),
            service_name: Some(names::headless_service(server.name)),
            selector: LabelSelector { match_labels: Some(labels.clone()), ..LabelSelector::default() },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    annotations: Some(BTreeMap::from([(names::CONFIG_HASH.to_string(), config_hash.to_string())])),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    // The server never talks to the Kubernetes API.
                    automount_service_account_token: Some(false),
                    // Service links would put `<SERVICE>_PORT=tcp://...` variables in the
                    // environment, and the server reads `DITTOFS_*` variables over its config
                    // keys: a Service `dittofs-metrics` would set `metrics.port` to a URL.
                    enable_service_links: Some(false),
                    termination_grace_period_seconds: Some(TERMINATION_GRACE_SECONDS),
                    security_context: Some(spec.pod_security_context.clone().unwrap_or(PodSecurityContext {
                        fs_group: Some(target::USER_ID),
                        ..PodSecurityContext::default()
                    })),
                    containers: vec![container(server)],
                    volumes: Some(vec![
                        Volume {
                            name: "config".into(),
                            config_map: Some(ConfigMapVolumeSource {
                                name: names::config_map(server.name),
                                ..ConfigMapVolumeSource::default()
                            }),
                            ..Volume::default()
                        },
                        Volume { name: "tmp".into(), empty_dir: Some(EmptyDirVolumeSource::default()), ..Volume::default() },
                    ]),
                    ..PodSpec::default()
                }),
            },
            volume_claim_templates: Some(volume_claim_templates(spec)),
            persistent_volume_claim_retention_policy: Some(StatefulSetPersistentVolumeClaimRetentionPolicy {
                when_deleted: Some("Retain".into()),
                when_scaled: Some("Retain".into()),
            }),
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    }
}

fn container(server: &Server<'_>) -> Container {
    let spec = server.spec;
    // The server listens for NFS and SMB on its adapters' ports; the Services map the ports users
    // ask for (`nfsPort`, `smb.port`) onto these.
    let mut ports = vec![container_port("nfs", target::NFS_LISTEN_PORT), container_port("api", spec.control_plane.port.get())];
    if spec.metrics.enabled {
        ports.push(container_port("metrics", spec.metrics.port.get()));
    }
    if spec.smb.enabled {
        ports.push(container_port("smb", target::SMB_LISTEN_PORT));
    }
    let mut mounts = vec![mount("metadata", target::METADATA_DIR, None)];
    if !spec.database.uses_postgres() {
        // The control-plane database (users, shares, stores, adapter ports) on the metadata
        // claim: a directory of it at the API's default path, /data/controlplane.
        mounts.push(mount("metadata", target::CONTROL_PLANE_DIR, Some(target::CONTROL_PLANE_SUB_PATH)));
    }
    mounts.push(mount("cache", target::CACHE_DIR, None));
    mounts.push(mount("config", target::CONFIG_DIR, None));
    mounts.push(mount("tmp", "/tmp", None));
    if spec.storage.content_size.is_some() {
        mounts.push(mount("content", target::CONTENT_DIR, None));
    }
    let api = spec.control_plane.port.get();
    Container {
        name: "dittofs".into(),
        image: Some(spec.image.clone()),
        command: Some(vec![target::BINARY.into()]),
        args: Some(target::ARGS.iter().map(|a| a.to_string()).collect()),
        ports: Some(ports),
        env: Some(env(server)),
        resources: spec.resources.clone(),
        security_context: Some(security_context(spec.security_context.as_ref())),
        // The upstream operator's probes (internal/controller/dittoserver_controller.go:1006-1045):
        // the API answers once config, database, admin user and adapters are up (runtime.go:202-230);
        // the startup probe gives a first start's migrations 150 s.
        startup_probe: Some(http_probe(target::LIVENESS_PATH, api, 0, 5, 30)),
        liveness_probe: Some(http_probe(target::LIVENESS_PATH, api, 15, 10, 3)),
        readiness_probe: Some(http_probe(target::READINESS_PATH, api, 10, 5, 3)),
        // Time for the Services' endpoints to drop the pod before it stops taking connections
        // (the image is alpine: /bin/sh exists, Dockerfile.goreleaser:4).
        lifecycle: Some(Lifecycle {
            pre_stop: Some(LifecycleHandler {
                exec: Some(ExecAction { command: Some(vec!["/bin/sh".into(), "-c".into(), format!("sleep {PRE_STOP_SECONDS}")]) }),
                ..LifecycleHandler::default()
            }),
            ..Lifecycle::default()
        }),
        volume_mounts: Some(mounts),
        ..Container::default()
    }
}

/// The hardened defaults, under the user's securityContext, merged field by field: a field the
/// user sets wins, and a nested object (`capabilities`, `seccompProfile`) is merged the same way,
/// so that `capabilities.add` keeps `drop: [ALL]`.
fn security_context(user: Option<&SecurityContext>) -> SecurityContext {
    let hardened = SecurityContext {
        allow_privilege_escalation: Some(false),
        run_as_non_root: Some(true),
        capabilities: Some(Capabilities { drop: Some(vec!["ALL".into()]), ..Capabilities::default() }),
        // The server writes only to its claims (and SQLite's temporary files to /tmp, an emptyDir).
        read_only_root_filesystem: Some(true),
        seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".into(), ..SeccompProfile::default() }),
        ..SecurityContext::default()
    };
    let Some(user) = user else { return hardened };
    // Through JSON: both sides are the same k8s-openapi type, so the merged value always
    // deserialises back.
    let (Ok(mut merged), Ok(overrides)) = (serde_json::to_value(&hardened), serde_json::to_value(user)) else {
        return user.clone();
    };
    merge(&mut merged, overrides);
    serde_json::from_value(merged).unwrap_or_else(|_| user.clone())
}

/// `over` onto `base`: objects key by key, recursively; anything else (lists included) replaced.
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (k, v) in over {
                match base.get_mut(&k) {
                    Some(b) => merge(b, v),
                    None => {
                        base.insert(k, v);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// The templates in the operator's order: metadata, content (with contentSize), cache.
pub fn volume_claim_templates(spec: &DittoServerSpec) -> Vec<PersistentVolumeClaim> {
    let storage = &spec.storage;
    let mut out = vec![claim("metadata", &storage.metadata_size, storage.storage_class_name.as_deref())];
    if let Some(content) = &storage.content_size {
        out.push(claim("content", content, storage.storage_class_name.as_deref()));
    }
    out.push(claim("cache", &storage.cache_size, storage.storage_class_name.as_deref()));
    out
}

/// A claim template. Note: k8s-openapi writes `apiVersion`/`kind` on each template; the API
/// server ignores them there, and the operator's templates have none, so
/// [`strip_template_type_meta`] removes them from the serialised StatefulSet.
fn claim(name: &str, size: &str, class: Option<&str>) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: ObjectMeta { name: Some(name.into()), ..ObjectMeta::default() },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: class.map(str::to_string),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".to_string(), Quantity(size.to_string()))])),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    }
}

/// The Secrets the server reads from its environment, in the operator's order (the server's own,
/// then S3); every value by `secretKeyRef`, none copied.
fn env(server: &Server<'_>) -> Vec<EnvVar> {
    let spec = server.spec;
    // Always: without a JWT secret of 32 characters the server does not start.
    let mut env = vec![selector_env(target::ENV_JWT_SECRET, &names::jwt_secret_ref(server.name, spec))];
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

fn secret_env(name: &str, secret: &str, key: &str, optional: bool) -> EnvVar {
    selector_env(
        name,
        &SecretKeySelector { name: secret.into(), key: key.into(), optional: optional.then_some(true) },
    )
}

fn selector_env(name: &str, selector: &SecretKeySelector) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource { secret_key_ref: Some(selector.clone()), ..EnvVarSource::default() }),
        ..EnvVar::default()
    }
}

fn container_port(name: &str, port: i32) -> ContainerPort {
    ContainerPort { name: Some(name.into()), container_port: port, protocol: Some("TCP".into()), ..ContainerPort::default() }
}

fn mount(name: &str, path: &str, sub_path: Option<&str>) -> VolumeMount {
    VolumeMount { name: name.into(), mount_path: path.into(), sub_path: sub_path.map(str::to_string), ..VolumeMount::default() }
}

fn http_probe(path: &str, port: i32, initial_delay: i32, period: i32, failure: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction { path: Some(path.into()), port: IntOrString::Int(port), ..HTTPGetAction::default() }),
        initial_delay_seconds: Some(initial_delay),
        period_seconds: Some(period),
        timeout_seconds: Some(5),
        success_threshold: Some(1),
        failure_threshold: Some(failure),
        ..Probe::default()
    }
}

/// Removes `apiVersion` and `kind` from serialised claim templates (see [`claim`]) and puts
/// `metadata` first.
pub fn strip_template_type_meta(value: &mut Value) {
    if let Some(templates) = value.pointer_mut("/spec/volumeClaimTemplates").and_then(Value::as_array_mut) {
        for t in templates.iter_mut().filter_map(Value::as_object_mut) {
            t.remove("apiVersion");
            t.remove("kind");
            // metadata before spec, as people write it.
            if let Some(spec) = t.remove("spec") {
                t.insert("spec".into(), spec);
            }
        }
    }
}
