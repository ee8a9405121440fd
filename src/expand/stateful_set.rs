//! The StatefulSet: one `dittofs` container, the config and scratch volumes, and the line's
//! volume claim templates and mounts (its [`Layout`]).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapVolumeSource, Container, ContainerPort, EmptyDirVolumeSource, ExecAction,
    HTTPGetAction,
    KeyToPath, Lifecycle, LifecycleHandler, PersistentVolumeClaim, PersistentVolumeClaimSpec, PodSecurityContext,
    PodSpec, PodTemplateSpec, Probe, SeccompProfile, SecretVolumeSource, SecurityContext, TCPSocketAction, Volume,
    VolumeMount,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::{metadata, names};
use crate::server::plan::{ClaimPlan, ProbeKind};
use crate::server::Plan;

/// How long the pod waits, once told to stop, before the server gets SIGTERM.
const PRE_STOP_SECONDS: i64 = 5;

pub fn stateful_set(plan: Plan, config_hash: &str) -> StatefulSet {
    let facts = plan.facts;
    // The pre-stop wait, the server's own graceful shutdown, and a margin before SIGKILL.
    let termination_grace_seconds = plan
        .workload
        .termination_grace_seconds
        .unwrap_or(PRE_STOP_SECONDS + facts.shutdown_stages * facts.shutdown_timeout_seconds + 10);
    let labels = names::labels(&plan.name);
    StatefulSet {
        metadata: metadata(&plan, names::stateful_set(&plan.name)),
        spec: Some(StatefulSetSpec {
            replicas: Some(plan.workload.replicas),
            service_name: Some(names::headless_service(&plan.name)),
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
                    termination_grace_period_seconds: Some(termination_grace_seconds),
                    security_context: Some(plan.workload.pod_security_context.as_deref().cloned().unwrap_or(PodSecurityContext {
                        fs_group: Some(facts.user_id),
                        ..PodSecurityContext::default()
                    })),
                    containers: vec![container(&plan)],
                    volumes: Some(volumes(&plan)),
                    ..PodSpec::default()
                }),
            },
            volume_claim_templates: Some(volume_claim_templates(&plan.claims)),
            persistent_volume_claim_retention_policy: Some(StatefulSetPersistentVolumeClaimRetentionPolicy {
                when_deleted: Some("Retain".into()),
                when_scaled: Some("Retain".into()),
            }),
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    }
}

/// The config and scratch volumes, then the Secrets mounted as files.
fn volumes(plan: &Plan) -> Vec<Volume> {
    let mut out = vec![
        Volume {
            name: "config".into(),
            config_map: Some(ConfigMapVolumeSource { name: names::config_map(&plan.name), ..ConfigMapVolumeSource::default() }),
            ..Volume::default()
        },
        Volume { name: "tmp".into(), empty_dir: Some(EmptyDirVolumeSource::default()), ..Volume::default() },
    ];
    out.extend(plan.workload.secret_volumes.iter().map(|v| Volume {
        name: v.volume.into(),
        secret: Some(SecretVolumeSource {
            secret_name: Some(v.secret.clone()),
            items: v.key_to_file.as_ref().map(|(key, file)| vec![KeyToPath { key: key.clone(), path: file.to_string(), mode: None }]),
            default_mode: v.mode,
            ..SecretVolumeSource::default()
        }),
        ..Volume::default()
    }));
    out
}

fn container(plan: &Plan) -> Container {
    let facts = plan.facts;
    let c = &plan.workload.container;
    let mut mounts: Vec<VolumeMount> = plan.mounts.iter().map(|m| mount(m.volume, m.path, m.sub_path)).collect();
    mounts.extend(plan.workload.secret_volumes.iter().map(|v| VolumeMount { read_only: Some(true), ..mount(v.volume, v.path, None) }));
    let api = c.api_port;
    let probe = |path, delay, period, failure| probe(c.probe, path, api, delay, period, failure);
    Container {
        name: "dittofs".into(),
        image: Some(c.image.clone()),
        command: Some(vec![facts.binary.into()]),
        args: Some(facts.args.iter().map(|a| a.to_string()).collect()),
        ports: Some(c.ports.iter().map(|&(name, port)| container_port(name, port)).collect()),
        env: Some(c.env.clone()),
        resources: c.resources.as_deref().cloned(),
        security_context: Some(security_context(c.security_context.as_deref())),
        // The upstream operator's probes (internal/controller/dittoserver_controller.go:1006-1045):
        // the API answers once config, database, admin user and adapters are up (runtime.go:202-230);
        // the startup probe gives a first start's migrations 150 s.
        startup_probe: Some(probe(facts.liveness_path, 0, 5, 30)),
        liveness_probe: Some(probe(facts.liveness_path, 15, 10, 3)),
        readiness_probe: Some(probe(facts.readiness_path, 10, 5, 3)),
        // Time for the Services' endpoints to drop the pod before it stops taking connections.
        lifecycle: Some(Lifecycle {
            pre_stop: Some(LifecycleHandler {
                exec: Some(ExecAction { command: Some(vec![facts.shell.into(), "-c".into(), format!("sleep {PRE_STOP_SECONDS}")]) }),
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

/// The planned claim templates, in order.
pub fn volume_claim_templates(claims: &[ClaimPlan]) -> Vec<PersistentVolumeClaim> {
    claims.iter().map(|c| claim(c.name, &c.size, c.class.as_deref())).collect()
}

/// A claim template. Note: k8s-openapi writes `apiVersion`/`kind` on each template; the API
/// server ignores them there, and the operator's templates have none, so the generated
/// objects' shape ([`super::SHAPE`]) leaves them out.
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

fn container_port(name: &str, port: i32) -> ContainerPort {
    ContainerPort { name: Some(name.into()), container_port: port, protocol: Some("TCP".into()), ..ContainerPort::default() }
}

fn mount(name: &str, path: &str, sub_path: Option<&str>) -> VolumeMount {
    VolumeMount { name: name.into(), mount_path: path.into(), sub_path: sub_path.map(str::to_string), ..VolumeMount::default() }
}

fn probe(kind: ProbeKind, path: &str, port: i32, initial_delay: i32, period: i32, failure: i32) -> Probe {
    let port = IntOrString::Int(port);
    let (http_get, tcp_socket) = match kind {
        ProbeKind::Http { https } => {
            let scheme = https.then(|| "HTTPS".to_string());
            (Some(HTTPGetAction { path: Some(path.into()), port, scheme, ..HTTPGetAction::default() }), None)
        }
        ProbeKind::Tcp => (None, Some(TCPSocketAction { port, ..TCPSocketAction::default() })),
    };
    Probe {
        http_get,
        tcp_socket,
        initial_delay_seconds: Some(initial_delay),
        period_seconds: Some(period),
        timeout_seconds: Some(5),
        success_threshold: Some(1),
        failure_threshold: Some(failure),
        ..Probe::default()
    }
}

