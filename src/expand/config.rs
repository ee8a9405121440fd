//! The server's `config.yaml`: infrastructure settings only. Secrets reach the server as
//! `DITTOFS_*` environment variables (see the StatefulSet), never as ConfigMap text.

use serde_json::{json, Map, Value};

use crate::api::ditto_server::{DatabaseType, DittoServerSpec};
use crate::yaml;

pub fn config_yaml(spec: &DittoServerSpec) -> String {
    let mut root = Map::new();
    root.insert("logging".into(), json!({"level": "INFO", "format": "json", "output": "stdout"}));
    root.insert("shutdown_timeout".into(), json!("30s"));
    let database = if spec.database.postgres_secret_ref.is_some() || spec.database.kind == DatabaseType::Postgres {
        json!({"type": "postgres"})
    } else {
        json!({"type": "sqlite", "sqlite": {"path": spec.database.sqlite.path}})
    };
    root.insert("database".into(), database);
    root.insert("metrics".into(), json!({"enabled": spec.metrics.enabled, "port": spec.metrics.port}));
    let mut jwt = Map::new();
    let defaults = crate::api::ditto_server::JwtSpec::defaults();
    let j = spec.identity.jwt.as_ref().unwrap_or(&defaults);
    jwt.insert("issuer".into(), json!(j.issuer));
    jwt.insert("access_token_duration".into(), json!(j.access_token_duration));
    jwt.insert("refresh_token_duration".into(), json!(j.refresh_token_duration));
    root.insert("controlplane".into(), json!({"port": spec.control_plane.port, "jwt": Value::Object(jwt)}));
    root.insert("cache".into(), json!({"path": spec.cache.path, "size": spec.cache.size}));
    root.insert("admin".into(), json!({"username": spec.identity.admin.username}));
    yaml::to_string(&Value::Object(root))
}
