//! What is decided for one valid server: the line's facts, its volumes for this spec, and the
//! line's workload. `expand` turns a plan into the Kubernetes objects every line shares the
//! shape of, without asking the line again.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, PodSecurityContext, ResourceRequirements, SecretKeySelector, SecurityContext};

use super::layout::Source;
use super::{Facts, Line, Server};

#[derive(Clone)]
pub struct Plan {
    pub name: String,
    pub namespace: Option<String>,
    pub facts: &'static Facts,
    /// The volume claim templates, in order.
    pub claims: Vec<ClaimPlan>,
    /// The container's mounts, in order.
    pub mounts: Vec<MountPlan>,
    pub workload: Workload,
}

impl Plan {
    /// The plan without the spare room its lists and texts grew with: a plan waits for its
    /// objects to be made, beside every other server's, so that room adds up.
    pub fn shrink_to_fit(&mut self) {
        self.claims.shrink_to_fit();
        self.mounts.shrink_to_fit();
        let workload = &mut self.workload;
        workload.config_yaml.shrink_to_fit();
        workload.hashed_secrets.shrink_to_fit();
        workload.secret_volumes.shrink_to_fit();
        workload.services.shrink_to_fit();
        workload.network_policies.shrink_to_fit();
        workload.container.ports.shrink_to_fit();
        workload.container.env.shrink_to_fit();
    }

    /// The plan of a valid server of the line `L`.
    pub fn of<L: Line>(server: &Server<'_, L::Spec>) -> Plan {
        let layout = &L::LAYOUT;
        let spec = server.spec;
        let class = (layout.storage_class)(spec).map(str::to_string);
        Plan {
            name: server.name.to_string(),
            namespace: server.namespace.map(str::to_string),
            facts: &L::FACTS,
            claims: layout
                .claims(spec)
                .into_iter()
                .map(|(name, size)| ClaimPlan { name, size: size.to_string(), class: class.clone() })
                .collect(),
            mounts: layout
                .mounts(spec)
                .map(|m| MountPlan {
                    volume: match m.source {
                        Source::Claim(claim) => claim,
                        Source::Config => "config",
                        Source::Scratch => "tmp",
                    },
                    path: m.path,
                    sub_path: m.sub_path,
                })
                .collect(),
            workload: L::workload(server),
        }
    }
}

#[derive(Clone)]
pub struct ClaimPlan {
    pub name: &'static str,
    pub size: String,
    pub class: Option<String>,
}

/// A mount of the volume named `volume` (a claim, `config` or `tmp`).
#[derive(Clone)]
pub struct MountPlan {
    pub volume: &'static str,
    pub path: &'static str,
    pub sub_path: Option<&'static str>,
}

/// What a line decides for one valid server, in its own terms.
#[derive(Clone)]
pub struct Workload {
    /// The ConfigMap's `config.yaml`.
    pub config_yaml: String,
    /// The Secrets whose data rolls the pods when it changes (the config hash).
    pub hashed_secrets: Vec<HashedSecret>,
    pub replicas: i32,
    /// The pod's grace period; `None`: the pre-stop wait, the line's shutdown budget and a margin.
    pub termination_grace_seconds: Option<i64>,
    pub container: ContainerPlan,
    /// Secrets mounted as files, read-only, after the layout's mounts.
    pub secret_volumes: Vec<SecretVolumePlan>,
    /// Replaces the pod's default securityContext (`fsGroup`: the image's group).
    pub pod_security_context: Option<Box<PodSecurityContext>>,
    /// In order.
    pub services: Vec<ServicePlan>,
    /// In order, after the Services.
    pub network_policies: Vec<NetworkPolicyPlan>,
    pub service_monitor: Option<ServiceMonitorPlan>,
}

/// A Secret mounted at `path`: every key, or one key as the file `file`, with `mode` when given.
#[derive(Clone)]
pub struct SecretVolumePlan {
    pub volume: &'static str,
    pub secret: String,
    pub key_to_file: Option<(String, &'static str)>,
    pub mode: Option<i32>,
    pub path: &'static str,
}

/// An ingress NetworkPolicy to the server's pod on these ports.
#[derive(Clone)]
pub struct NetworkPolicyPlan {
    pub name: String,
    /// Added to the server's labels.
    pub labels: BTreeMap<String, String>,
    /// (port, protocol).
    pub ports: Vec<(i32, &'static str)>,
}

/// A prometheus-operator ServiceMonitor of the Service with `selector`'s labels.
#[derive(Clone)]
pub struct ServiceMonitorPlan {
    pub name: String,
    /// Its own labels, with the selector's.
    pub labels: BTreeMap<String, String>,
    pub selector: BTreeMap<String, String>,
    pub port: &'static str,
    pub path: String,
    pub interval: Option<String>,
    pub bearer_token: Option<SecretKeySelector>,
}

/// How the kubelet asks the API whether the server is alive and ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    /// `GET` on the health paths, over HTTPS when `https`.
    Http { https: bool },
    /// A TCP connection only: the API requires client certificates, which the kubelet has none of.
    Tcp,
}

#[derive(Clone)]
pub struct ContainerPlan {
    pub image: String,
    /// (name, port) the container listens on.
    pub ports: Vec<(&'static str, i32)>,
    /// The API port, which the probes ask, and how.
    pub api_port: i32,
    pub probe: ProbeKind,
    /// Every Secret by `secretKeyRef`, none copied.
    pub env: Vec<EnvVar>,
    pub resources: Option<Box<ResourceRequirements>>,
    /// Merged field by field over the hardened defaults.
    pub security_context: Option<Box<SecurityContext>>,
}

/// A Secret that goes into the config hash, under `<prefix>:<key>`.
#[derive(Clone)]
pub enum HashedSecret {
    /// One key of it.
    Key { prefix: &'static str, name: String, key: String },
    /// Every key of it (the pod reads several).
    Whole { prefix: &'static str, name: String },
}

#[derive(Clone)]
pub struct ServicePlan {
    pub name: String,
    /// Added to the server's labels.
    pub labels: BTreeMap<String, String>,
    pub shape: ServiceShape,
    /// (name, port, target port).
    pub ports: Vec<(&'static str, i32, i32)>,
    /// Added to the function's own annotations.
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy)]
pub enum ServiceShape {
    /// `clusterIP: None`, for the StatefulSet's pod names.
    Headless,
    /// `ClusterIP`, `NodePort` or `LoadBalancer`.
    Typed(&'static str),
}

/// A variable from one key of a Secret.
pub fn secret_env(name: &str, secret: &str, key: &str, optional: bool) -> EnvVar {
    selector_env(name, &SecretKeySelector { name: secret.into(), key: key.into(), optional: optional.then_some(true) })
}

pub fn selector_env(name: &str, selector: &SecretKeySelector) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource { secret_key_ref: Some(selector.clone()), ..EnvVarSource::default() }),
        ..EnvVar::default()
    }
}
