//! What is decided for one valid server: the line's facts, its volumes for this spec, and the
//! line's workload. `expand` turns a plan into the Kubernetes objects every line shares the
//! shape of, without asking the line again.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, PodSecurityContext, ResourceRequirements, SecretKeySelector, SecurityContext};

use super::layout::Source;
use super::{Facts, Line, Server};

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

pub struct ClaimPlan {
    pub name: &'static str,
    pub size: String,
    pub class: Option<String>,
}

/// A mount of the volume named `volume` (a claim, `config` or `tmp`).
pub struct MountPlan {
    pub volume: &'static str,
    pub path: &'static str,
    pub sub_path: Option<&'static str>,
}

/// What a line decides for one valid server, in its own terms.
pub struct Workload {
    /// The ConfigMap's `config.yaml`.
    pub config_yaml: String,
    /// The Secrets whose data rolls the pods when it changes (the config hash).
    pub hashed_secrets: Vec<HashedSecret>,
    pub replicas: i32,
    pub container: ContainerPlan,
    /// Replaces the pod's default securityContext (`fsGroup`: the image's group).
    pub pod_security_context: Option<Box<PodSecurityContext>>,
    /// In order.
    pub services: Vec<ServicePlan>,
}

pub struct ContainerPlan {
    pub image: String,
    /// (name, port) the container listens on.
    pub ports: Vec<(&'static str, i32)>,
    /// The API port, which the probes ask.
    pub api_port: i32,
    /// Every Secret by `secretKeyRef`, none copied.
    pub env: Vec<EnvVar>,
    pub resources: Option<Box<ResourceRequirements>>,
    /// Merged field by field over the hardened defaults.
    pub security_context: Option<Box<SecurityContext>>,
}

/// A Secret that goes into the config hash, under `<prefix>:<key>`.
pub enum HashedSecret {
    /// One key of it.
    Key { prefix: &'static str, name: String, key: String },
    /// Every key of it (the pod reads several).
    Whole { prefix: &'static str, name: String },
}

pub struct ServicePlan {
    pub name: String,
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
