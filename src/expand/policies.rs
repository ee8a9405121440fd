//! The NetworkPolicies and the ServiceMonitor a line plans.

use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPort, NetworkPolicySpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{json, Value};

use super::{metadata, names};
use crate::krm::gvk::SERVICE_MONITOR;
use crate::server::Plan;

/// Ingress to the server's pod on each policy's ports.
pub fn network_policies(plan: &Plan) -> Vec<NetworkPolicy> {
    plan.workload
        .network_policies
        .iter()
        .map(|p| {
            let mut meta = metadata(plan, p.name.clone());
            if let Some(l) = meta.labels.as_mut() {
                l.extend(p.labels.clone());
            }
            let ports = p
                .ports
                .iter()
                .map(|&(port, protocol)| NetworkPolicyPort {
                    port: Some(IntOrString::Int(port)),
                    protocol: Some(protocol.to_string()),
                    ..NetworkPolicyPort::default()
                })
                .collect();
            NetworkPolicy {
                metadata: meta,
                spec: Some(NetworkPolicySpec {
                    pod_selector: Some(LabelSelector { match_labels: Some(names::labels(&plan.name)), ..LabelSelector::default() }),
                    policy_types: Some(vec!["Ingress".into()]),
                    ingress: Some(vec![NetworkPolicyIngressRule { ports: Some(ports), ..NetworkPolicyIngressRule::default() }]),
                    ..NetworkPolicySpec::default()
                }),
            }
        })
        .collect()
}

/// The ServiceMonitor as a value: its type is the prometheus-operator's CRD, which k8s-openapi
/// (core Kubernetes only) does not have; the fields written are those of its
/// `monitoring.coreos.com/v1` schema.
pub fn service_monitor(plan: &Plan) -> Option<Value> {
    let m = plan.workload.service_monitor.as_ref()?;
    let mut meta = metadata(plan, m.name.clone());
    meta.labels = Some(m.labels.clone());
    let mut endpoint = json!({"port": m.port, "path": m.path});
    if let Some(interval) = &m.interval {
        endpoint["interval"] = json!(interval);
    }
    if let Some(token) = &m.bearer_token {
        endpoint["bearerTokenSecret"] = json!({"name": token.name, "key": token.key});
    }
    let mut spec = json!({"selector": {"matchLabels": m.selector}, "endpoints": [endpoint]});
    if let Some(ns) = &plan.namespace {
        spec["namespaceSelector"] = json!({"matchNames": [ns]});
    }
    Some(json!({
        "apiVersion": SERVICE_MONITOR.api_version,
        "kind": SERVICE_MONITOR.kind,
        "metadata": serde_json::to_value(meta).unwrap_or(Value::Null),
        "spec": spec,
    }))
}
