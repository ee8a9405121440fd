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

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use crate::krm::annotations;
use crate::krm::gvk::{Gvk, CONFIG_MAP, NETWORK_POLICY, SERVICE, SERVICE_MONITOR, STATEFUL_SET};
use crate::server::Plan;

pub use secret_data::SecretData;
pub use stateful_set::{strip_template_type_meta, volume_claim_templates};

/// One generated object, serialised, with the identity used to match it on the next run.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub name: String,
    pub value: Value,
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
    out.push(generated(&config_map, CONFIG_MAP));
    for service in services::services(&plan) {
        out.push(generated(&service, SERVICE));
    }
    for policy in policies::network_policies(&plan) {
        out.push(generated(&policy, NETWORK_POLICY));
    }
    if let Some(value) = policies::service_monitor(&plan) {
        let name = plan.workload.service_monitor.as_ref().map(|m| m.name.clone()).unwrap_or_default();
        out.push(Generated { api_version: SERVICE_MONITOR.api_version, kind: SERVICE_MONITOR.kind, name, value: conventional_order(value) });
    }
    let mut sts = generated(&stateful_set::stateful_set(plan, &config_hash), STATEFUL_SET);
    stateful_set::strip_template_type_meta(&mut sts.value);
    out.push(sts);
    out
}

fn generated<T: serde::Serialize + k8s_openapi::Metadata<Ty = ObjectMeta>>(
    object: &T,
    Gvk { api_version, kind }: Gvk,
) -> Generated {
    let name = object.metadata().name.clone().unwrap_or_default();
    // Serialising k8s-openapi types to a JSON value cannot fail: they hold no maps with
    // non-string keys and no non-finite floats.
    let value = serde_json::to_value(object).unwrap_or(Value::Null);
    Generated { api_version, kind, name, value: conventional_order(value) }
}

/// k8s-openapi writes fields alphabetically; people (and kubectl) read apiVersion, kind and
/// metadata first, and name before labels and annotations.
fn conventional_order(mut value: Value) -> Value {
    if let Value::Object(map) = &mut value {
        put_first(map, &["apiVersion", "kind", "metadata"]);
        if let Some(Value::Object(metadata)) = map.get_mut("metadata") {
            put_first(metadata, &["name", "namespace", "labels", "annotations"]);
        }
    }
    value
}

/// Moves the `keys` that `map` holds to its front, in that order; the other keys keep theirs.
/// In place: rebuilding the map would hash every key again.
fn put_first(map: &mut serde_json::Map<String, Value>, keys: &[&str]) {
    let mut at = 0;
    for &key in keys {
        if map.keys().nth(at).is_some_and(|k| k == key) {
            at += 1;
        } else if let Some(v) = map.shift_remove(key) {
            map.shift_insert(at, key.to_string(), v);
            at += 1;
        }
    }
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
