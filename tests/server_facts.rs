//! The generated pods against what the DittoFS server v0.4.2 reads and does. The facts below are
//! this test's own copy, each with the file and line of the server's source (tag v0.4.2 of
//! github.com/marmos91/dittofs) it comes from, so that a change to the function that would break
//! the server fails here, whatever the function's own constants say.
//!
//! Every golden input and the README's example is expanded, and each StatefulSet is held with
//! its ConfigMap and Services to the facts.

use crate::support::krm;
use crate::support::pod::{at, inside, leaves, strings};

use std::collections::BTreeSet;

use serde_json::Value;

/// Keys of config.yaml that `dittofs start` reads: pkg/config/config.go:39-166 (mapstructure
/// tags), pkg/controlplane/api/config.go:21-56, pkg/controlplane/store/gorm.go:30-47 (no tags:
/// field names, matched case-insensitively). `admin.*` (config.go:63,154-166) is left out: only
/// `dittofs init` writes it, `start` never uses it (models/admin.go:15, store/users.go:183-221).
const CONFIG_KEYS: &[&str] = &[
    "logging.level",
    "logging.format",
    "logging.output",
    "telemetry.enabled",
    "telemetry.endpoint",
    "telemetry.insecure",
    "telemetry.sample_rate",
    "telemetry.profiling.enabled",
    "telemetry.profiling.endpoint",
    "telemetry.profiling.profile_types",
    "shutdown_timeout",
    "database.type",
    "database.sqlite.path",
    "database.postgres.host",
    "database.postgres.port",
    "database.postgres.database",
    "database.postgres.user",
    "database.postgres.password",
    "database.postgres.sslmode",
    "database.postgres.sslrootcert",
    "database.postgres.maxopenconns",
    "database.postgres.maxidleconns",
    "metrics.enabled",
    "metrics.port",
    "controlplane.port",
    "controlplane.read_timeout",
    "controlplane.write_timeout",
    "controlplane.idle_timeout",
    "controlplane.jwt.secret",
    "controlplane.jwt.access_token_duration",
    "controlplane.jwt.refresh_token_duration",
    "cache.path",
    "cache.size",
];
/// Required once defaults apply: cache.path (pkg/config/validation.go:48-50); with Postgres, host,
/// database and user (store/gorm.go:110-119).
const REQUIRED_KEYS: &[&str] = &["cache.path"];
const POSTGRES_REQUIRED_KEYS: &[&str] = &["database.postgres.host", "database.postgres.database", "database.postgres.user"];

/// Variables read with os.Getenv, whatever the file holds: pkg/controlplane/api/config.go:11,
/// models/admin.go:19; the AWS SDK's default chain for the S3 client (runtime/init.go:297-312).
const DIRECT_ENV: &[&str] =
    &["DITTOFS_CONTROLPLANE_SECRET", "DITTOFS_ADMIN_INITIAL_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"];
/// viper: prefix DITTOFS, "." → "_", AutomaticEnv (pkg/config/config.go:284-286); a variable
/// sets a key only when the key is in the file (viper v1.21.0 viper.go:939-954).
const ENV_PREFIX: &str = "DITTOFS_";
/// Without a JWT secret of 32 characters `start` fails (api/server.go:57-60, start.go:216-219).
const JWT_ENV: &str = "DITTOFS_CONTROLPLANE_SECRET";

/// The image's binary (Dockerfile.goreleaser:22); `start` without `--foreground` daemonises and
/// its parent exits 0 (cmd/dittofs/commands/start.go:67-68, 280-371).
const COMMAND: &[&str] = &["/app/dittofs"];
const ARGS: &[&str] = &["start", "--foreground", "--config", "/config/config.yaml"];
/// NFS and SMB listen on their adapters' defaults, 12049 and 1445 (store/adapters.go:91-93); the
/// API on controlplane.port, 8080 by default (defaults.go:112-115); metrics on metrics.port,
/// 9090 by default, when enabled (defaults.go:102-108).
const NFS_PORT: i64 = 12049;
const SMB_PORT: i64 = 1445;
const DEFAULT_API_PORT: i64 = 8080;
const DEFAULT_METRICS_PORT: i64 = 9090;
/// Health endpoints on the API port (api/router.go:57-61; handlers/health.go:43-70).
const LIVENESS: &str = "/health";
const READINESS: &str = "/health/ready";
/// The image's user (Dockerfile.goreleaser:15-17, 29) must be able to write the claims.
const USER_ID: i64 = 65532;

/// Checks one StatefulSet with the objects of its output; returns what was checked.
fn check(case: &str, sts: &Value, items: &[Value]) {
    let name = at(sts, "/metadata/name").as_str().unwrap_or_default();
    let ctx = format!("{case}: StatefulSet {name}");
    let pod = at(sts, "/spec/template/spec");
    let containers = at(pod, "/containers").as_array().cloned().unwrap_or_default();
    assert_eq!(containers.len(), 1, "{ctx}: one container");
    let c = &containers[0];
    assert_eq!(strings(at(c, "/command")), COMMAND, "{ctx}: command");
    assert_eq!(strings(at(c, "/args")), ARGS, "{ctx}: args");

    // config.yaml: the ConfigMap volume mounted where --config points.
    let config_dir = ARGS[3].rsplit_once('/').unwrap().0;
    let mounts = at(c, "/volumeMounts").as_array().cloned().unwrap_or_default();
    let config_mount = mounts.iter().find(|m| at(m, "/mountPath") == config_dir).unwrap_or_else(|| panic!("{ctx}: nothing at {config_dir}"));
    let volume = at(config_mount, "/name").as_str().unwrap();
    let volumes = at(pod, "/volumes").as_array().cloned().unwrap_or_default();
    let config_map_name = volumes
        .iter()
        .find(|v| at(v, "/name") == volume)
        .and_then(|v| at(v, "/configMap/name").as_str())
        .unwrap_or_else(|| panic!("{ctx}: {config_dir} is not a ConfigMap"));
    let config_map = items
        .iter()
        .find(|i| i["kind"] == "ConfigMap" && i["metadata"]["name"] == config_map_name)
        .unwrap_or_else(|| panic!("{ctx}: ConfigMap {config_map_name} not in the output"));
    let text = at(config_map, "/data/config.yaml").as_str().unwrap_or_else(|| panic!("{ctx}: no config.yaml"));
    let config = dittofs_krm::yaml::parse_value(text, dittofs_krm::yaml::Schema::Yaml12).expect("config.yaml is YAML");
    let mut keys = BTreeSet::new();
    leaves(&config, "", &mut keys);
    for key in &keys {
        assert!(CONFIG_KEYS.contains(&key.as_str()), "{ctx}: config.yaml key {key} is not read by the server");
    }
    let postgres = at(&config, "/database/type") == "postgres";
    let required = REQUIRED_KEYS.iter().chain(if postgres { POSTGRES_REQUIRED_KEYS } else { &[] });
    for key in required {
        assert!(keys.contains(*key), "{ctx}: config.yaml lacks {key}");
    }

    // Environment: by reference only; each name one the server reads.
    let env = at(c, "/env").as_array().cloned().unwrap_or_default();
    let mut names = Vec::new();
    for e in &env {
        let n = at(e, "/name").as_str().unwrap();
        assert!(e.get("value").is_none() && e.pointer("/valueFrom/secretKeyRef/key").is_some(), "{ctx}: {n} not by secretKeyRef");
        let known = DIRECT_ENV.contains(&n)
            || n.strip_prefix(ENV_PREFIX).is_some_and(|rest| keys.iter().any(|k| k.replace('.', "_").eq_ignore_ascii_case(rest)));
        assert!(known, "{ctx}: the server does not read {n}");
        names.push(n);
    }
    assert!(names.contains(&JWT_ENV), "{ctx}: no {JWT_ENV}");
    if postgres {
        assert!(names.contains(&"DITTOFS_DATABASE_POSTGRES_PASSWORD"), "{ctx}: no Postgres password");
    }
    assert_eq!(pod["enableServiceLinks"], false, "{ctx}: Service links would set DITTOFS_* variables");

    // Ports where the server listens.
    let api = at(&config, "/controlplane/port").as_i64().unwrap_or(DEFAULT_API_PORT);
    let metrics = (at(&config, "/metrics/enabled") == true).then(|| at(&config, "/metrics/port").as_i64().unwrap_or(DEFAULT_METRICS_PORT));
    let ports: Vec<(String, i64)> = at(c, "/ports")
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| (at(p, "/name").as_str().unwrap().to_string(), at(p, "/containerPort").as_i64().unwrap()))
        .collect();
    for (port_name, number) in &ports {
        let expected = match port_name.as_str() {
            "nfs" => NFS_PORT,
            "smb" => SMB_PORT,
            "api" => api,
            "metrics" => metrics.unwrap_or_else(|| panic!("{ctx}: metrics port without metrics.enabled")),
            other => panic!("{ctx}: unexpected port {other}"),
        };
        assert_eq!(*number, expected, "{ctx}: container port {port_name}");
    }
    assert!(ports.iter().any(|(n, _)| n == "nfs") && ports.iter().any(|(n, _)| n == "api"), "{ctx}: {ports:?}");

    // Probes on the API's health endpoints.
    for (probe, path) in [("livenessProbe", LIVENESS), ("readinessProbe", READINESS), ("startupProbe", LIVENESS)] {
        let get = at(c, &format!("/{probe}/httpGet"));
        assert_eq!(get["path"], path, "{ctx}: {probe}");
        assert_eq!(get["port"].as_i64(), Some(api), "{ctx}: {probe} port");
    }

    // State on claims: the control-plane database and the cache directory.
    let claims: Vec<&str> =
        at(sts, "/spec/volumeClaimTemplates").as_array().into_iter().flatten().filter_map(|t| at(t, "/metadata/name").as_str()).collect();
    let on_claim = |path: &str, claim: Option<&str>| {
        mounts.iter().any(|m| {
            let volume = at(m, "/name").as_str().unwrap_or_default();
            claims.contains(&volume)
                && claim.is_none_or(|c| c == volume)
                && at(m, "/mountPath").as_str().is_some_and(|dir| path == dir || inside(path, dir))
        })
    };
    if !postgres {
        let db = at(&config, "/database/sqlite/path").as_str().expect("sqlite path");
        assert!(on_claim(db, None), "{ctx}: the control-plane database {db} is on no claim");
    }
    let cache = at(&config, "/cache/path").as_str().expect("cache path");
    assert!(on_claim(cache, Some("cache")), "{ctx}: the cache {cache} is not on the cache claim");
    assert_eq!(claims, {
        let mut expected = vec!["metadata"];
        if mounts.iter().any(|m| at(m, "/name") == "content") {
            expected.push("content");
        }
        expected.push("cache");
        expected
    });
    let group = at(pod, "/securityContext/fsGroup").as_i64();
    assert!(group == Some(USER_ID) || !at(pod, "/securityContext").is_null(), "{ctx}: the claims must be writable by {USER_ID}");

    // A stop lasts the server's shutdown_timeout at most, plus the preStop wait.
    let shutdown: i64 = at(&config, "/shutdown_timeout").as_str().and_then(|s| s.strip_suffix('s')?.parse().ok()).unwrap_or(30);
    let grace = at(pod, "/terminationGracePeriodSeconds").as_i64().unwrap_or(30);
    assert!(grace > shutdown, "{ctx}: terminationGracePeriodSeconds {grace} <= shutdown_timeout {shutdown}s");

    // Every Service of this server forwards to a port the server listens on.
    let selector = at(sts, "/spec/selector/matchLabels");
    for service in items.iter().filter(|i| i["kind"] == "Service" && at(i, "/spec/selector") == selector) {
        for p in at(service, "/spec/ports").as_array().into_iter().flatten() {
            let target = at(p, "/targetPort").as_i64();
            assert!(ports.iter().any(|(_, n)| Some(*n) == target), "{ctx}: Service {} targets {target:?}", service["metadata"]["name"]);
        }
    }
}

#[test]
fn every_generated_pod_fits_the_v0_4_2_server() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut inputs: Vec<std::path::PathBuf> =
        std::fs::read_dir(format!("{root}/tests/cases")).unwrap().map(|e| e.unwrap().path().join("input.yaml")).collect();
    inputs.sort();
    inputs.push(format!("{root}/examples/resource-list.yaml").into());
    let mut checked = 0;
    for input in &inputs {
        let answer = krm::run(&std::fs::read(input).unwrap());
        answer.assert_no_panic();
        if answer.code == 2 {
            continue;
        }
        let items = answer.items();
        // A StatefulSet of an invalid DittoServer is kept as the input had it: not generated now.
        let text = std::fs::read_to_string(input).unwrap();
        let given: Vec<Value> = dittofs_krm::yaml::parse_value(&text, dittofs_krm::yaml::Schema::Yaml12).ok().and_then(|l| l["items"].as_array().cloned()).unwrap_or_default();
        // Held to these facts: the pods whose image runs a v0.4 release (or the function's
        // default, which names one); tests/server_facts_v0_29.rs has the others.
        let v0_4 = |sts: &Value| at(sts, "/spec/template/spec/containers/0/image").as_str().is_some_and(|i| i.ends_with(":v0.4.2") || i.contains(":v0.4."));
        for sts in items.iter().filter(|i| i["kind"] == "StatefulSet" && !given.contains(i) && v0_4(i)) {
            check(&input.display().to_string(), sts, &items);
            checked += 1;
        }
    }
    // The golden cases hold far more expansions than this; fewer means the walk found nothing.
    assert!(checked >= 20, "only {checked} StatefulSets checked");
}
