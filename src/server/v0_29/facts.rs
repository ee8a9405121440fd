//! The facts of the v0.29 line, as of its release v0.29.0. Each fact names the file and line of
//! the server's source at tag v0.29.0 (github.com/marmos91/dittofs, commit 5c30c801) it comes
//! from; `tests/server_facts_v0_29.rs` holds the generated objects against its own copy.

use crate::server::Facts;

pub const FACTS: Facts = Facts {
    line: "v0.29",
    release: RELEASE,
    version: RELEASE_VERSION,
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
    shutdown_stages: SHUTDOWN_STAGES,
};

/// The release the objects are checked against, and its image (.goreleaser.yml:177-191).
pub const RELEASE: &str = "v0.29.0";
pub const RELEASE_VERSION: (u64, u64, u64) = (0, 29, 0);
pub const IMAGE: &str = "marmos91c/dittofs:v0.29.0";

/// The binary (Dockerfile.goreleaser:23), its name since v0.5.0.
pub const BINARY: &str = "/app/dfs";
/// Without `--foreground`, `start` daemonises and PID 1 exits 0 (cmd/dfs/commands/start.go:89-99,
/// daemon_unix.go:39,57).
pub const ARGS: [&str; 4] = ["start", "--foreground", "--config", CONFIG_FILE];
pub const CONFIG_DIR: &str = "/config";
pub const CONFIG_FILE: &str = "/config/config.yaml";

/// The image's user and group (Dockerfile.goreleaser:15-17, 30).
pub const USER_ID: i64 = 65532;

/// Health endpoints on the API port (pkg/controlplane/api/router.go:106-109, handlers/health.go:55-120).
pub const LIVENESS_PATH: &str = "/health";
pub const READINESS_PATH: &str = "/health/ready";

/// `shutdown_timeout` as written to config.yaml (pkg/config/defaults.go:59-64). The server runs
/// its shutdown stages one after another, each bounded by it (cmd/dfs/commands/start.go:377-431).
pub const SHUTDOWN_TIMEOUT_SECONDS: i64 = 30;
/// Stages a shutdown may wait for in turn, as the operator counts them.
pub const SHUTDOWN_STAGES: i64 = 3;

/// The server binds its API, and so its health endpoints, to 127.0.0.1 unless told otherwise
/// (pkg/controlplane/api/config.go:210-211); likewise metrics (pkg/config/metrics.go:24). A pod
/// must listen on every address for the kubelet and the Services to reach it.
pub const LISTEN_ALL: &str = "0.0.0.0";

/// The adapters a server creates on its first start, and their ports, kept in its control-plane
/// database and changed only through its API (pkg/controlplane/store/adapters.go:56-95).
pub const NFS_PORT: i32 = 12049;
pub const SMB_PORT: i32 = 1445;

/// Variables the server reads (pkg/config/config.go:870-905; models/admin.go:19,49-54): every
/// config key binds to `DITTOFS_<KEY_PATH>` since v0.17.0, present in the file or not.
pub const ENV_JWT_SECRET: &str = "DITTOFS_CONTROLPLANE_SECRET";
pub const ENV_ADMIN_INITIAL_PASSWORD: &str = "DITTOFS_ADMIN_INITIAL_PASSWORD";
pub const ENV_LDAP_BIND_PASSWORD: &str = "DITTOFS_LDAP_BIND_PASSWORD";
pub const ENV_MACHINE_ACCOUNT_SECRET: &str = "DITTOFS_KERBEROS_MACHINE_ACCOUNT_SECRET";
/// The shortest JWT secret the server accepts (pkg/controlplane/api/server.go:109-113).
pub const MIN_JWT_SECRET_LEN: usize = 32;
/// The admin's password, in bytes: bcrypt's bounds (pkg/controlplane/models/credential.go:32-37,
/// 77-84); outside them the first start exits 1.
pub const ADMIN_PASSWORD_LEN: std::ops::RangeInclusive<usize> = 8..=72;

pub fn postgres_env(key: &str) -> String {
    format!("DITTOFS_DATABASE_POSTGRES_{}", key.to_ascii_uppercase())
}

/// The keys of `database.postgres` the referenced Secret supplies, each with whether the server
/// requires it (pkg/controlplane/store/gorm.go:37-53,112-192); the password comes from the key
/// `postgresSecretRef.key` names.
pub const POSTGRES_KEYS: [(&str, bool); 5] =
    [("host", true), ("port", false), ("database", true), ("user", true), ("sslmode", false)];

/// Claim mount points: the current operator's layout, which the stores created through the API
/// must be given as their paths (`dfsctl store ... add --path`).
pub const CONTROL_PLANE_DIR: &str = "/data/controlplane";
pub const METADATA_DIR: &str = "/data/store/metadata";
pub const BLOCK_DIR: &str = "/data/store/block";

/// Secret mounts, as the operator names them (api/v1alpha1/helpers.go).
pub const TLS_DIR: &str = "/tls";
pub const TLS_CLIENT_CA_DIR: &str = "/tls-client-ca";
pub const METRICS_TOKEN_DIR: &str = "/metrics-token";
pub const KERBEROS_KEYTAB_DIR: &str = "/kerberos";
pub const KERBEROS_KRB5_DIR: &str = "/kerberos-krb5";
pub const KERBEROS_MACHINE_DIR: &str = "/kerberos-machine";
