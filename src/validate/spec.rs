//! Rules on the DittoServer alone: name, sizes, replicas, ports, database (the operator's webhook
//! rules, with the ports the server really listens on), and the paths that must lie on a claim.

use crate::api::ditto_server::{DatabaseType, SIZE_PATTERN};
use crate::api::DittoServerSpec;
use crate::expand::names::MAX_SERVER_NAME;
use crate::target;
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
    if spec.database.kind == DatabaseType::Postgres && spec.database.postgres_secret_ref.is_none() {
        out.push(
            ValidationResult::error(
                "database.type is 'postgres' but no database.postgresSecretRef names the Secret with the connection (keys host, database, user, and the password's key): the server does not start without them",
            )
            .at("spec.database.postgresSecretRef"),
        );
    }
    if spec.database.postgres_secret_ref.is_some() && spec.database.kind == DatabaseType::Sqlite {
        out.push(
            ValidationResult::warning(
                "database.postgresSecretRef is set but database.type is 'sqlite' - PostgreSQL will take precedence",
            )
            .at("spec.database.postgresSecretRef"),
        );
    }
    ports(&mut out, spec);
    paths(&mut out, spec);
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
    let fields = [
        ("nfsPort", spec.nfs_port),
        ("controlPlane.port", spec.control_plane.port),
        ("smb.port", spec.smb.port),
        ("metrics.port", spec.metrics.port),
    ];
    let mut in_range = |field: &str, port: i32| {
        let ok = (1..=65535).contains(&port);
        if !ok {
            out.push(
                ValidationResult::error(format!("{field} must be between 1 and 65535"))
                    .at(format!("spec.{field}"))
                    .with_current(port),
            );
        }
        ok
    };
    let valid: Vec<bool> = fields.iter().map(|(field, port)| in_range(field, *port)).collect();
    let [nfs_ok, api_ok, smb_ok, metrics_ok] = valid[..] else { return };

    // What the container listens on: the server's NFS and SMB adapters (their ports are fixed, the
    // SMB adapter listens whether or not the Services expose it), the API, and metrics.
    let mut listening: Vec<(&str, i32, Option<&str>)> =
        vec![("nfs", target::NFS_LISTEN_PORT, None), ("smb", target::SMB_LISTEN_PORT, None)];
    if api_ok {
        listening.push(("api", spec.control_plane.port, Some("spec.controlPlane.port")));
    }
    if spec.metrics.enabled && metrics_ok {
        listening.push(("metrics", spec.metrics.port, Some("spec.metrics.port")));
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
    if spec.smb.enabled && nfs_ok && smb_ok && spec.nfs_port == spec.smb.port {
        out.push(
            ValidationResult::error(format!("port {} is used by both nfs and smb", spec.smb.port))
                .at("spec.smb.port")
                .with_current(spec.smb.port),
        );
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
}

/// The control-plane database and the cache's WAL must lie on a claim, or every restart loses
/// them.
fn paths(out: &mut Vec<ValidationResult>, spec: &DittoServerSpec) {
    if !spec.database.uses_postgres() {
        let path = &spec.database.sqlite.path;
        let mut claims = vec![target::CONTROL_PLANE_DIR, target::METADATA_DIR, target::CACHE_DIR];
        if spec.storage.content_size.is_some() {
            claims.push(target::CONTENT_DIR);
        }
        if !claims.iter().any(|dir| below(path, dir)) {
            out.push(
                ValidationResult::error(format!(
                    "database.sqlite.path {path:?} lies on no volume: the control-plane database (users, shares, stores, adapter settings) would be lost on every restart; put it under {}/ (on the metadata volume) or {}/",
                    target::CONTROL_PLANE_DIR,
                    target::METADATA_DIR
                ))
                .at("spec.database.sqlite.path")
                .with_current(path.as_str()),
            );
        }
    }
    let cache = spec.cache.path.trim_end_matches('/');
    if cache != target::CACHE_DIR && !below(cache, target::CACHE_DIR) {
        out.push(
            ValidationResult::error(format!(
                "cache.path {:?} is not on the cache volume ({}): the server's write-ahead log would be lost on every restart",
                spec.cache.path,
                target::CACHE_DIR
            ))
            .at("spec.cache.path")
            .with_current(spec.cache.path.as_str()),
        );
    }
}

/// Whether `path` names something inside the directory `dir` (no `.` or `..` step out of it).
fn below(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| !rest.is_empty() && rest.split('/').all(|step| step != ".." && step != "."))
}
