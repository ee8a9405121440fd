//! The StatefulSet: one `dittofs` container, the config volume and the metadata, content and
//! cache volume claim templates (the cache always: its WAL must survive restarts).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapVolumeSource, Container, ContainerPort, EnvVar, EnvVarSource, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PodSecurityContext, PodSpec, PodTemplateSpec, Probe, SeccompProfile, SecretKeySelector,
    SecurityContext, TCPSocketAction, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::{metadata, names, Server};
use crate::api::DittoServerSpec;

/// The group id of the server image's non-root user.
const FS_GROUP: i64 = 65532;

pub fn stateful_set(server: &Server<'_>, config_hash: &str) -> StatefulSet {
    let spec = server.spec;
    let labels = names::labels(server.name);
    StatefulSet {
        metadata: metadata(server, names::stateful_set(server.name)),
        spec: Some(StatefulSetSpec {
            replicas: Some(spec.replicas),
            service_name: Some(names::headless_service(server.name)),
            selector: LabelSelector { match_labels: Some(labels.clone()), ..LabelSelector::default() },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    annotations: Some(BTreeMap::from([(names::CONFIG_HASH.to_string(), config_hash.to_string())])),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    security_context: Some(spec.pod_security_context.clone().unwrap_or(PodSecurityContext {
                        fs_group: Some(FS_GROUP),
                        ..PodSecurityContext::default()
                    })),
                    containers: vec![container(spec)],
                    volumes: Some(vec![Volume {
                        name: "config".into(),
                        config_map: Some(ConfigMapVolumeSource {
                            name: names::config_map(server.name),
                            ..ConfigMapVolumeSource::default()
                        }),
                        ..Volume::default()
                    }]),
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

fn container(spec: &DittoServerSpec) -> Container {
    let mut ports = vec![container_port("nfs", spec.nfs_port), container_port("api", spec.control_plane.port)];
    if spec.metrics.enabled {
        ports.push(container_port("metrics", spec.metrics.port));
    }
    if spec.smb.enabled {
        ports.push(container_port("smb", spec.smb.port));
    }
    let mut mounts = vec![mount("metadata", "/data/metadata"), mount("cache", "/data/cache"), mount("config", "/config")];
    if spec.storage.content_size.is_some() {
        mounts.push(mount("content", "/data/content"));
    }
    let env = env(spec);
    Container {
        name: "dittofs".into(),
        image: Some(spec.image.clone()),
        command: Some(vec!["/app/dittofs".into()]),
        args: Some(vec!["start".into(), "--config".into(), "/config/config.yaml".into()]),
        ports: Some(ports),
        env: (!env.is_empty()).then_some(env),
        resources: spec.resources.clone(),
        security_context: Some(security_context(spec.security_context.as_ref())),
        liveness_probe: Some(tcp_probe(spec.nfs_port, 30, 10, 5, 3)),
        readiness_probe: Some(tcp_probe(spec.nfs_port, 10, 5, 3, 3)),
        volume_mounts: Some(mounts),
        ..Container::default()
    }
}

/// The hardened defaults, under the user's securityContext: every field the user sets wins.
fn security_context(user: Option<&SecurityContext>) -> SecurityContext {
    let hardened = SecurityContext {
        allow_privilege_escalation: Some(false),
        run_as_non_root: Some(true),
        capabilities: Some(Capabilities { drop: Some(vec!["ALL".into()]), ..Capabilities::default() }),
        seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".into(), ..SeccompProfile::default() }),
        ..SecurityContext::default()
    };
    let Some(user) = user else { return hardened };
    // Field-wise merge through JSON: both sides are the same k8s-openapi type, so the merged
    // value always deserialises back.
    let (Ok(Value::Object(mut merged)), Ok(Value::Object(overrides))) =
        (serde_json::to_value(&hardened), serde_json::to_value(user))
    else {
        return user.clone();
    };
    merged.extend(overrides);
    serde_json::from_value(Value::Object(merged)).unwrap_or_else(|_| user.clone())
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

fn env(spec: &DittoServerSpec) -> Vec<EnvVar> {
    let mut env = Vec::new();
    if let Some(s3) = &spec.s3 {
        if let Some(r) = &s3.credentials_secret_ref {
            env.push(secret_env("AWS_ACCESS_KEY_ID", &r.secret_name, &r.access_key_id_key, false));
            env.push(secret_env("AWS_SECRET_ACCESS_KEY", &r.secret_name, &r.secret_access_key_key, false));
            env.push(secret_env("AWS_ENDPOINT_URL", &r.secret_name, &r.endpoint_key, true));
            env.push(EnvVar { name: "AWS_REGION".into(), value: Some(s3.region.clone()), ..EnvVar::default() });
        }
    }
    if let Some(jwt) = &spec.identity.jwt {
        env.push(selector_env("DITTOFS_CONTROLPLANE_SECRET", &jwt.secret_ref));
    }
    if let Some(r) = &spec.identity.admin.password_secret_ref {
        env.push(selector_env("DITTOFS_ADMIN_PASSWORD_HASH", r));
    }
    if let Some(r) = &spec.database.postgres_secret_ref {
        env.push(selector_env("DITTOFS_DATABASE_POSTGRES", r));
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

fn mount(name: &str, path: &str) -> VolumeMount {
    VolumeMount { name: name.into(), mount_path: path.into(), ..VolumeMount::default() }
}

fn tcp_probe(port: i32, initial_delay: i32, period: i32, timeout: i32, failure: i32) -> Probe {
    Probe {
        tcp_socket: Some(TCPSocketAction { port: IntOrString::Int(port), ..TCPSocketAction::default() }),
        initial_delay_seconds: Some(initial_delay),
        period_seconds: Some(period),
        timeout_seconds: Some(timeout),
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
