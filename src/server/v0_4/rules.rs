//! The v0.4 line's cross-field rules: the database, and the ports (the operator's webhook rules,
//! with the ports the server really listens on).

use super::facts::{NFS_LISTEN_PORT, SMB_LISTEN_PORT};
use super::spec::DittoServerSpec;
use crate::krm::ValidationResult;

pub fn database(spec: &DittoServerSpec) -> Vec<ValidationResult> {
    crate::server::database::rules(&spec.database)
}

/// Ports that clash, or that the server cannot bind; a port out of range is reported by its type
/// and left out here.
pub fn ports(spec: &DittoServerSpec) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    let (nfs, api, smb, metrics) =
        (spec.nfs_port.valid(), spec.control_plane.port.valid(), spec.smb.port.valid(), spec.metrics.port.valid());

    // What the container listens on: the server's NFS and SMB adapters (their ports are fixed, the
    // SMB adapter listens whether or not the Services expose it), the API, and metrics.
    let mut listening: Vec<(&str, i32, Option<&str>)> =
        vec![("nfs", NFS_LISTEN_PORT, None), ("smb", SMB_LISTEN_PORT, None)];
    if let Some(api) = api {
        listening.push(("api", api, Some("spec.controlPlane.port")));
    }
    if let Some(metrics) = metrics.filter(|_| spec.metrics.enabled) {
        listening.push(("metrics", metrics, Some("spec.metrics.port")));
    }
    for (i, (name, port, path)) in listening.iter().enumerate() {
        let (Some(path), Some((other, _, other_path))) = (path, listening[..i].iter().find(|(_, p, _)| p == port)) else {
            continue;
        };
        let adapter = if other_path.is_none() { format!(" (the server's {other} adapter listens on {port})") } else { String::new() };
        out.push(
            ValidationResult::error(format!("port {port} is used by both {other} and {name}{adapter}"))
                .at(*path)
                .with_current(*port),
        );
    }
    // The -file Service carries NFS and SMB.
    if let (true, Some(nfs), Some(smb)) = (spec.smb.enabled, nfs, smb) {
        if nfs == smb {
            out.push(ValidationResult::error(format!("port {smb} is used by both nfs and smb")).at("spec.smb.port").with_current(smb));
        }
    }
    // The server binds these itself, with every capability dropped; the Services' ports (nfsPort,
    // smb.port) need no privilege.
    for (name, port, path) in listening.iter().filter_map(|(n, p, path)| Some((n, p, (*path)?))) {
        if *port < 1024 {
            out.push(
                ValidationResult::warning(format!(
                    "{name} port {port} is privileged; may require CAP_NET_BIND_SERVICE capability"
                ))
                .at(path)
                .with_current(*port),
            );
        }
    }
    out
}
