//! What a line decides for one valid server, in the line's terms; `expand` turns it into the
//! Kubernetes objects every line shares the shape of.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, PodSecurityContext, ResourceRequirements, SecretKeySelector, SecurityContext};

pub struct Plan {
    /// The ConfigMap's `config.yaml`.
    pub config_yaml: String,
    /// The Secrets whose data rolls the pods when it changes (the config hash).
    pub hashed_secrets: Vec<HashedSecret>,
    pub replicas: i32,
    pub container: ContainerPlan,
    /// Replaces the pod's default securityContext (`fsGroup`: the image's group).
    pub pod_security_context: Option<PodSecurityContext>,
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
    pub resources: Option<ResourceRequirements>,
    /// Merged field by field over the hardened defaults.
    pub security_context: Option<SecurityContext>,
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
