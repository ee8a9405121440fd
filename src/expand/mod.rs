//! Expansion: one valid DittoServer in, the objects that run it out (k8s-openapi types), in the
//! shape every line shares; what goes in them is the line's [`Plan`] and [`Layout`].
//!
//! [`Plan`]: crate::server::Plan
//! [`Layout`]: crate::server::Layout

mod hash;
pub mod names;
mod policies;
mod secret_data;
mod services;
mod stateful_set;

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde_json::Value;

use crate::krm::annotations;
use crate::krm::gvk::{Gvk, CONFIG_MAP, NETWORK_POLICY, SERVICE, SERVICE_MONITOR, STATEFUL_SET};
use crate::server::Plan;
use crate::yaml::serialize::{self, Extra, Shape, Unsupported};

pub(crate) use hash::hex;
pub use secret_data::SecretData;
pub use stateful_set::volume_claim_templates;

/// One generated object, with the identity used to match it on the next run.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub name: String,
    object: Typed,
}

/// A generated object as made: written from its type, it need not become a value first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
enum Typed {
    ConfigMap(ConfigMap),
    Service(Service),
    NetworkPolicy(NetworkPolicy),
    /// The ServiceMonitor, of a CRD k8s-openapi has no type for.
    Value(Value),
    StatefulSet(Box<StatefulSet>),
}

/// How a generated object is written. k8s-openapi writes fields alphabetically; people (and
/// kubectl) read apiVersion, kind and metadata first, and name before labels and annotations.
/// The claim templates go without the apiVersion and kind k8s-openapi gives them (see
/// `stateful_set::claim`). The annotations the clients track an object by go in
/// `metadata.annotations` (see [`crate::krm::annotations::Tracking`]).
pub static SHAPE: Shape = Shape {
    first: &["apiVersion", "kind", "metadata"],
    fields: &[
        (
            "metadata",
            Shape {
                first: &["name", "namespace", "labels", "annotations"],
                fields: &[("annotations", Shape { extra: true, ..Shape::NONE })],
                ..Shape::NONE
            },
        ),
        ("spec", Shape { fields: &[("volumeClaimTemplates", Shape { items: Some(&CLAIM_TEMPLATE), ..Shape::NONE })], ..Shape::NONE }),
    ],
    ..Shape::NONE
};

static CLAIM_TEMPLATE: Shape = Shape { first: &["metadata"], drop: &["apiVersion", "kind"], ..Shape::NONE };

impl Generated {
    /// The object as a value, shaped as it is written, with the `extra` annotations.
    pub fn value(&self, extra: &Extra<'_>) -> Value {
        // Serialising k8s-openapi types to a JSON value cannot fail: they hold no maps with
        // non-string keys and no non-finite floats.
        let mut value = serde_json::to_value(&self.object).unwrap_or(Value::Null);
        SHAPE.apply(&mut value, extra);
        value
    }

    /// Writes the object as [`crate::yaml::emit::write_node`] writes [`Generated::value`], at
    /// `indent`; fails where `serde_json::to_value` would.
    pub fn write(&self, indent: usize, extra: &Extra<'_>, out: &mut String) -> Result<(), Unsupported> {
        serialize::write(&self.object, indent, &SHAPE, extra, out)
    }
}

/// The objects a plan expands to, by apiVersion, kind and name, in the order [`expand`] makes
/// them: known before anything is made. Their kinds are [`crate::krm::gvk::GENERATED_KINDS`].
pub fn identities(plan: &Plan) -> Vec<(Gvk, String)> {
    let mut out = vec![(CONFIG_MAP, names::config_map(&plan.name))];
    out.extend(plan.workload.services.iter().map(|s| (SERVICE, s.name.clone())));
    out.extend(plan.workload.network_policies.iter().map(|p| (NETWORK_POLICY, p.name.clone())));
    out.extend(plan.workload.service_monitor.iter().map(|m| (SERVICE_MONITOR, m.name.clone())));
    out.push((STATEFUL_SET, names::stateful_set(&plan.name)));
    out
}

/// Expands a valid server's plan. `secret` looks up a Secret of the server's namespace in the
/// input.
pub fn expand(mut plan: Plan, secret: &dyn Fn(&str) -> Option<SecretData>) -> Vec<Generated> {
    let config_text = std::mem::take(&mut plan.workload.config_yaml);
    let config_hash = hash::config_hash(&config_text, &plan.workload.hashed_secrets, secret);
    let mut out = Vec::with_capacity(6);
    let config_map = ConfigMap {
        metadata: metadata(&plan, names::config_map(&plan.name)),
        data: Some(BTreeMap::from([("config.yaml".to_string(), config_text)])),
        ..ConfigMap::default()
    };
    out.push(generated(config_map.metadata.name.clone(), Typed::ConfigMap(config_map), CONFIG_MAP));
    for service in services::services(&plan) {
        out.push(generated(service.metadata.name.clone(), Typed::Service(service), SERVICE));
    }
    for policy in policies::network_policies(&plan) {
        out.push(generated(policy.metadata.name.clone(), Typed::NetworkPolicy(policy), NETWORK_POLICY));
    }
    if let Some(value) = policies::service_monitor(&plan) {
        let name = plan.workload.service_monitor.as_ref().map(|m| m.name.clone());
        out.push(generated(name, Typed::Value(value), SERVICE_MONITOR));
    }
    let stateful_set = stateful_set::stateful_set(plan, &config_hash);
    out.push(generated(stateful_set.metadata.name.clone(), Typed::StatefulSet(Box::new(stateful_set)), STATEFUL_SET));
    out
}

fn generated(name: Option<String>, object: Typed, Gvk { api_version, kind }: Gvk) -> Generated {
    Generated { api_version, kind, name: name.unwrap_or_default(), object }
}

/// Metadata shared by every generated object: name, namespace, labels and the marker.
fn metadata(plan: &Plan, name: String) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: plan.namespace.clone(),
        labels: Some(names::labels(&plan.name)),
        annotations: Some(BTreeMap::from([(
            annotations::GENERATED_FROM.to_string(),
            names::generated_from(plan.namespace.as_deref(), &plan.name),
        )])),
        ..ObjectMeta::default()
    }
}
