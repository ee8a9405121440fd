//! The Services a line plans, each selecting the server's pod.

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{metadata, names};
use crate::server::plan::ServiceShape;
use crate::server::Plan;

/// A Service port `number` forwarding to the container port `target`.
pub fn port(name: &str, number: i32, target: i32) -> ServicePort {
    ServicePort {
        name: Some(name.to_string()),
        port: number,
        target_port: Some(IntOrString::Int(target)),
        protocol: Some("TCP".to_string()),
        ..ServicePort::default()
    }
}

pub fn services(plan: &Plan) -> Vec<Service> {
    plan.workload
        .services
        .iter()
        .map(|p| {
            let mut meta = metadata(plan, p.name.clone());
            if let Some(a) = meta.annotations.as_mut() {
                a.extend(p.annotations.clone());
            }
            if let Some(l) = meta.labels.as_mut() {
                l.extend(p.labels.clone());
            }
            let (type_, cluster_ip) = match p.shape {
                ServiceShape::Headless => (None, Some("None".to_string())),
                ServiceShape::Typed(t) => (Some(t.to_string()), None),
            };
            Service {
                metadata: meta,
                spec: Some(ServiceSpec {
                    type_,
                    cluster_ip,
                    selector: Some(names::labels(&plan.name)),
                    ports: Some(p.ports.iter().map(|&(name, number, target)| port(name, number, target)).collect()),
                    ..ServiceSpec::default()
                }),
                ..Service::default()
            }
        })
        .collect()
}
