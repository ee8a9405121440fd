//! The facts of the v0.4 line, as of its release v0.4.2, the last release whose image has this
//! API's volume layout. Each fact names the file and line of the server's source at tag v0.4.2
//! (github.com/marmos91/dittofs) it comes from; `tests/server_facts.rs` holds the generated
//! objects against its own copy of these facts.

use crate::server::Facts;

pub const FACTS: Facts = Facts {
    line: "v0.4",
    release: RELEASE,
    version: (0, 4, 2),
    image: IMAGE,
    binary: BINARY,
    args: &ARGS,
    config_dir: CONFIG_DIR,
    user_id: USER_ID,
    // The image is alpine (Dockerfile.goreleaser:4).
    shell: "/bin/sh",
    liveness_path: LIVENESS_PATH,
    readiness_path: READINESS_PATH,
    shutdown_timeout_seconds: SHUTDOWN_TIMEOUT_SECONDS,
    shutdown_stages: 1,
};

/// The release the objects are generated for, and the image that runs it (.goreleaser.yml:98-99).
pub const RELEASE: &str = "v0.4.2";
pub const IMAGE: &str = "marmos91c/dittofs:v0.4.2";
/// The release line whose layout the objects assume (`/app/dittofs`, `/data/{metadata,content,cache}`).
pub const RELEASE_LINE: (u64, u64) = (0, 4);

/// The binary (Dockerfile.goreleaser:22).
pub const BINARY: &str = "/app/dittofs";
/// `start` daemonises unless `--foreground` is given, and its parent exits 0
/// (cmd/dittofs/commands/start.go:67-68, 280-371): PID 1 must be the server itself.
pub const ARGS: [&str; 4] = ["start", "--foreground", "--config", CONFIG_FILE];
/// Where the ConfigMap is mounted, and the file the server reads (root.go:49, config.go:225-244).
pub const CONFIG_DIR: &str = "/config";
pub const CONFIG_FILE: &str = "/config/config.yaml";

/// The image's user and group (Dockerfile.goreleaser:15-17, 29).
pub const USER_ID: i64 = 65532;

/// Where the server listens for NFS and SMB: its adapter defaults, kept in its control-plane
/// database (pkg/controlplane/store/adapters.go:91-93), not in config.yaml.
pub const NFS_LISTEN_PORT: i32 = 12049;
pub const SMB_LISTEN_PORT: i32 = 1445;

/// Health endpoints on the control-plane API port (pkg/controlplane/api/router.go:57-61,
/// handlers/health.go:43-70).
pub const LIVENESS_PATH: &str = "/health";
pub const READINESS_PATH: &str = "/health/ready";

/// The server's graceful-shutdown bound, as written to config.yaml (config.go:45, defaults.go:90-94).
pub const SHUTDOWN_TIMEOUT_SECONDS: i64 = 30;

/// Environment variables the server reads itself (pkg/controlplane/api/config.go:11, 85-95;
/// pkg/controlplane/models/admin.go:19, 49-54).
pub const ENV_JWT_SECRET: &str = "DITTOFS_CONTROLPLANE_SECRET";
pub const ENV_ADMIN_INITIAL_PASSWORD: &str = "DITTOFS_ADMIN_INITIAL_PASSWORD";
/// The shortest JWT secret the server accepts (pkg/controlplane/api/server.go:57-60).
pub const MIN_JWT_SECRET_LEN: usize = 32;
/// The JWT issuer is fixed (pkg/controlplane/api/server.go:65).
pub const JWT_ISSUER: &str = "dittofs";
/// The admin user is always `admin` (pkg/controlplane/models/admin.go:15).
pub const ADMIN_USER: &str = "admin";

/// viper maps `DITTOFS_<SECTION>_<KEY>` onto a key only when the key is in the file
/// (pkg/config/config.go:284-286; viper v1.21.0 viper.go:939-954): each Postgres setting is
/// written to config.yaml as a placeholder and filled from the Secret by this variable.
pub fn postgres_env(key: &str) -> String {
    format!("DITTOFS_DATABASE_POSTGRES_{}", key.to_ascii_uppercase())
}

/// The keys of `database.postgres` (pkg/controlplane/store/gorm.go:37-47; no mapstructure tags,
/// so the keys are the field names in lower case) that the referenced Secret supplies, each with
/// whether the server requires it (gorm.go:110-119) and the placeholder written to config.yaml
/// (gorm.go:87-100: the server's own defaults where it has one).
pub const POSTGRES_KEYS: [PostgresKey; 5] = [
    PostgresKey { key: "host", required: true, placeholder: Placeholder::Text("") },
    PostgresKey { key: "port", required: false, placeholder: Placeholder::Number(5432) },
    PostgresKey { key: "database", required: true, placeholder: Placeholder::Text("") },
    PostgresKey { key: "user", required: true, placeholder: Placeholder::Text("") },
    PostgresKey { key: "sslmode", required: false, placeholder: Placeholder::Text("disable") },
];
/// The password: its Secret key is the one `database.postgresSecretRef.key` names.
pub const POSTGRES_PASSWORD_KEY: &str = "password";

pub struct PostgresKey {
    pub key: &'static str,
    pub required: bool,
    pub placeholder: Placeholder,
}

pub enum Placeholder {
    Text(&'static str),
    Number(i64),
}

/// Mount points of the claims (Dockerfile.goreleaser:25, 43) and of the control-plane database's
/// directory on the metadata claim.
pub const METADATA_DIR: &str = "/data/metadata";
pub const CONTENT_DIR: &str = "/data/content";
pub const CACHE_DIR: &str = "/data/cache";
pub const CONTROL_PLANE_DIR: &str = "/data/controlplane";
/// The sub-directory of the metadata claim mounted at [`CONTROL_PLANE_DIR`].
pub const CONTROL_PLANE_SUB_PATH: &str = "controlplane";
