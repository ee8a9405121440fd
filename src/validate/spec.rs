//! Rules on the DittoServer alone: name, the single fields' rules (through `model::walk`), database,
//! ports (the operator's webhook rules, with the ports the server really listens on), and the
//! paths that must lie on a claim.

use crate::model::ditto_server::DatabaseType;
use crate::model::{walk, DittoServerSpec};
use crate::expand::names::MAX_SERVER_NAME;
use crate::target;
use crate::krm::ValidationResult;

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

/// The rules of single fields (declared on their types, see `model::checked`), then the rules that
/// hold fields against each other.
pub fn spec(spec: &DittoServerSpec) -> Vec<ValidationResult> {
    let mut out: Vec<ValidationResult> = walk::problems(spec, "spec")
        .into_iter()
        .map(|p| {
            let result = ValidationResult::error(p.message).at(p.path);
            match p.current {
                Some(current) => result.with_current(current),
                None => result,
            }
        })
        .collect();
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

/// Ports that clash, or that the server cannot bind; a port out of range is reported by its type
/// and left out here.
fn ports(out: &mut Vec<ValidationResult>, spec: &DittoServerSpec) {
    let (nfs, api, smb, metrics) =
        (spec.nfs_port.valid(), spec.control_plane.port.valid(), spec.smb.port.valid(), spec.metrics.port.valid());

    // What the container listens on: the server's NFS and SMB adapters (their ports are fixed, the
    // SMB adapter listens whether or not the Services expose it), the API, and metrics.
    let mut listening: Vec<(&str, i32, Option<&str>)> =
        vec![("nfs", target::NFS_LISTEN_PORT, None), ("smb", target::SMB_LISTEN_PORT, None)];
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
