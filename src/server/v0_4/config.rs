//! The server's `config.yaml`: only keys the DittoFS v0.4 server reads (pkg/config/config.go,
//! pkg/controlplane/store/gorm.go, pkg/controlplane/api/config.go). Secrets reach the server as
//! environment variables (see the StatefulSet), never as ConfigMap text.

use serde_json::{json, Map, Value};

use super::facts::{self as target, Placeholder};
use super::spec::{DittoServerSpec, JwtSpec};
use crate::yaml;

pub fn config_yaml(spec: &DittoServerSpec) -> String {
    let mut root = Map::new();
    root.insert("logging".into(), json!({"level": "INFO", "format": "json", "output": "stdout"}));
    root.insert("shutdown_timeout".into(), json!(format!("{}s", target::SHUTDOWN_TIMEOUT_SECONDS)));
    root.insert("database".into(), database(spec));
    root.insert("metrics".into(), json!({"enabled": spec.metrics.enabled, "port": spec.metrics.port}));
    let defaults = JwtSpec::defaults();
    let jwt = spec.identity.jwt.as_ref().unwrap_or(&defaults);
    root.insert(
        "controlplane".into(),
        json!({
            "port": spec.control_plane.port,
            "jwt": {
                "access_token_duration": jwt.access_token_duration,
                "refresh_token_duration": jwt.refresh_token_duration,
            },
        }),
    );
    root.insert("cache".into(), json!({"path": spec.cache.path, "size": spec.cache.size}));
    yaml::to_string(&Value::Object(root))
}

/// SQLite at its path, or Postgres with every key present as a placeholder: the server fills a
/// key from its `DITTOFS_DATABASE_POSTGRES_*` variable only when the key is in the file.
fn database(spec: &DittoServerSpec) -> Value {
    if !spec.database.uses_postgres() {
        return json!({"type": "sqlite", "sqlite": {"path": spec.database.sqlite.path}});
    }
    let mut postgres = Map::new();
    for k in &target::POSTGRES_KEYS {
        let value = match k.placeholder {
            Placeholder::Text(t) => json!(t),
            Placeholder::Number(n) => json!(n),
        };
        postgres.insert(k.key.into(), value);
    }
    postgres.insert(target::POSTGRES_PASSWORD_KEY.into(), json!(""));
    json!({"type": "postgres", "postgres": postgres})
}
