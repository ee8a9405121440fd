//! Rules on the DittoServer alone: name, sizes, replicas, ports, database (the operator's webhook
//! rules, plus the nfs/api port clash it misses).

use crate::api::ditto_server::SIZE_PATTERN;
use crate::api::DittoServerSpec;
use crate::expand::names::MAX_SERVER_NAME;
use crate::wire::ValidationResult;

/// The longest name whose StatefulSet still gets a valid `controller-revision-hash` label
/// (`<name>-<10 characters>` within 63).
const MAX_STATEFUL_SET_NAME: usize = 52;

/// The name must make valid object names: Services need DNS-1035 labels (`<name>-headless`).
pub fn name(name: &str) -> Vec<ValidationResult> {
    let limit = MAX_SERVER_NAME.min(MAX_STATEFUL_SET_NAME);
    let mut out = Vec::new();
    if name.len() > limit {
        out.push(
            ValidationResult::error(format!(
                "metadata.name {name:?} is {} characters long; use at most {limit}, so that the generated Service `<name>-headless` and the StatefulSet's pods get valid names",
                name.len()
            ))
            .at("metadata.name"),
        );
    }
    let bytes = name.as_bytes();
    let valid = !bytes.is_empty()
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !name.ends_with('-');
    if !valid {
        out.push(
            ValidationResult::error(format!(
                "metadata.name {name:?} cannot name the generated Services: use lowercase letters, digits and '-', starting with a letter and ending with a letter or digit"
            ))
            .at("metadata.name"),
        );
    }
    out
}

pub fn spec(spec: &DittoServerSpec) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    let storage = &spec.storage;
    size(&mut out, "spec.storage.metadataSize", "metadata", Some(&storage.metadata_size));
    size(&mut out, "spec.storage.contentSize", "content", storage.content_size.as_deref());
    size(&mut out, "spec.storage.cacheSize", "cache", Some(&storage.cache_size));
    if storage.storage_class_name.as_deref() == Some("") {
        out.push(
            ValidationResult::error("storage.storageClassName is empty; name a StorageClass or leave the field out to use the cluster's default")
                .at("spec.storage.storageClassName"),
        );
    }
    if !(0..=1).contains(&spec.replicas) {
        out.push(
            ValidationResult::error(format!("replicas must be 0 or 1, not {}", spec.replicas))
                .at("spec.replicas")
                .with_current(spec.replicas),
        );
    }
    if spec.database.postgres_secret_ref.is_some() && spec.database.kind == crate::api::ditto_server::DatabaseType::Sqlite {
        out.push(
            ValidationResult::warning(
                "database.postgresSecretRef is set but database.type is 'sqlite' - PostgreSQL will take precedence",
            )
            .at("spec.database.postgresSecretRef"),
        );
    }
    ports(&mut out, spec);
    out
}

/// Sizes match `^[0-9]+(Gi|Mi|Ti)$` and parse as a quantity (non-zero, within 2^63 bytes).
fn size(out: &mut Vec<ValidationResult>, path: &str, what: &str, value: Option<&str>) {
    let Some(value) = value else { return };
    let parsed = value
        .strip_suffix("Gi")
        .map(|d| (d, 30))
        .or_else(|| value.strip_suffix("Mi").map(|d| (d, 20)))
        .or_else(|| value.strip_suffix("Ti").map(|d| (d, 40)))
        .filter(|(d, _)| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    let Some((digits, shift)) = parsed else {
        out.push(
            ValidationResult::error(format!(
                "invalid {what} size {value:?}: write a whole number followed by Mi, Gi or Ti (pattern {SIZE_PATTERN}), e.g. \"10Gi\""
            ))
            .at(path)
            .with_current(value),
        );
        return;
    };
    let bytes = digits.parse::<u64>().ok().and_then(|n| n.checked_mul(1u64 << shift)).filter(|b| *b <= i64::MAX as u64);
    match bytes {
        Some(0) => out.push(
            ValidationResult::error(format!("invalid {what} size {value:?}: a volume must be larger than zero"))
                .at(path)
                .with_current(value),
        ),
        Some(_) => {}
        None => out.push(
            ValidationResult::error(format!("invalid {what} size {value:?}: too large for a Kubernetes quantity"))
                .at(path)
                .with_current(value),
        ),
    }
}

fn ports(out: &mut Vec<ValidationResult>, spec: &DittoServerSpec) {
    // (name, value, field path, in use)
    let all = [
        ("nfs", spec.nfs_port, "spec.nfsPort", true),
        ("api", spec.control_plane.port, "spec.controlPlane.port", true),
        ("smb", spec.smb.port, "spec.smb.port", spec.smb.enabled),
        ("metrics", spec.metrics.port, "spec.metrics.port", spec.metrics.enabled),
    ];
    let field_name = |path: &str| path.trim_start_matches("spec.").to_string();
    let mut in_range = Vec::new();
    for (name, port, path, used) in all {
        if !(1..=65535).contains(&port) {
            out.push(
                ValidationResult::error(format!("{} must be between 1 and 65535", field_name(path)))
                    .at(path)
                    .with_current(port),
            );
        } else if used {
            in_range.push((name, port, path));
        }
    }
    for (i, (name, port, path)) in in_range.iter().enumerate() {
        if let Some((other, _, _)) = in_range[..i].iter().find(|(_, p, _)| p == port) {
            out.push(
                ValidationResult::error(format!("port {port} is used by both {other} and {name}"))
                    .at(*path)
                    .with_current(*port),
            );
        }
    }
    for (name, port, path) in &in_range {
        if *port < 1024 {
            out.push(
                ValidationResult::warning(format!(
                    "{name} port {port} is privileged; may require CAP_NET_BIND_SERVICE capability"
                ))
                .at(*path)
                .with_current(*port),
            );
        }
    }
}
