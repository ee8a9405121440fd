//! The control-plane database, as both lines' APIs have it (the same fields, defaults and
//! precedence), and the rules of its fields against each other.

use k8s_openapi::api::core::v1::SecretKeySelector;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::krm::ValidationResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DatabaseType {
    #[default]
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct DatabaseSpec {
    /// Database type; a `postgresSecretRef` takes precedence.
    #[serde(rename = "type")]
    pub kind: DatabaseType,
    pub sqlite: SqliteSpec,
    /// The Secret that holds the PostgreSQL connection: keys `host`, `database`, `user` and, when
    /// not the defaults, `port` (5432) and `sslmode` (disable); `key` names the key of the
    /// password. They reach the server as `DITTOFS_DATABASE_POSTGRES_*` variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postgres_secret_ref: Option<SecretKeySelector>,
}

impl DatabaseSpec {
    /// A `postgresSecretRef` takes precedence over `type`, as in the operator.
    pub fn uses_postgres(&self) -> bool {
        self.postgres_secret_ref.is_some() || self.kind == DatabaseType::Postgres
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct SqliteSpec {
    pub path: String,
}

impl Default for SqliteSpec {
    fn default() -> Self {
        SqliteSpec { path: "/data/controlplane/controlplane.db".into() }
    }
}

/// `type: postgres` without the Secret, and a Secret that overrides `type: sqlite`.
pub fn rules(database: &DatabaseSpec) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    if database.kind == DatabaseType::Postgres && database.postgres_secret_ref.is_none() {
        out.push(
            ValidationResult::error(
                "database.type is 'postgres' but no database.postgresSecretRef names the Secret with the connection (keys host, database, user, and the password's key): the server does not start without them",
            )
            .at("spec.database.postgresSecretRef"),
        );
    }
    if database.postgres_secret_ref.is_some() && database.kind == DatabaseType::Sqlite {
        out.push(
            ValidationResult::warning("database.postgresSecretRef is set but database.type is 'sqlite' - PostgreSQL will take precedence")
                .at("spec.database.postgresSecretRef"),
        );
    }
    out
}
