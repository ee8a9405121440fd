//! The Services: `-headless` (NFS, for the StatefulSet), `-file` (NFS and SMB), `-api`, and
//! `-metrics` when metrics are enabled.

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{metadata, names, Server};
use crate::target;

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

pub fn services(server: &Server<'_>) -> Vec<Service> {
    let spec = server.spec;
    let service = |name: String, kind: Option<&str>, cluster_ip: Option<&str>, ports: Vec<ServicePort>, annotate: bool| {
        let mut meta = metadata(server, name);
        if annotate {
            if let Some(a) = meta.annotations.as_mut() {
                a.extend(spec.service.annotations.clone());
            }
        }
        Service {
            metadata: meta,
            spec: Some(ServiceSpec {
                type_: kind.map(str::to_string),
                cluster_ip: cluster_ip.map(str::to_string),
                selector: Some(names::labels(server.name)),
                ports: Some(ports),
                ..ServiceSpec::default()
            }),
            ..Service::default()
        }
    };
    let service_type = spec.service.kind.as_str();
    // The ports users ask for, onto the ports the server listens on.
    let nfs = || port("nfs", spec.nfs_port.get(), target::NFS_LISTEN_PORT);
    let mut file_ports = vec![nfs()];
    if spec.smb.enabled {
        file_ports.push(port("smb", spec.smb.port.get(), target::SMB_LISTEN_PORT));
    }
    let mut out = vec![
        service(names::headless_service(server.name), None, Some("None"), vec![nfs()], false),
        service(names::file_service(server.name), Some(service_type), None, file_ports, true),
        service(names::api_service(server.name), Some(service_type), None, vec![port("api", spec.control_plane.port.get(), spec.control_plane.port.get())], true),
    ];
    if spec.metrics.enabled {
        out.push(service(
            names::metrics_service(server.name),
            Some("ClusterIP"),
            None,
            vec![port("metrics", spec.metrics.port.get(), spec.metrics.port.get())],
            false,
        ));
    }
    out
}
