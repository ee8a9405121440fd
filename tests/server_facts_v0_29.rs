//! The generated pods that run a v0.29 image against what the DittoFS server v0.29.0 reads and
//! does. The facts below are this test's own copy, each with the file and line of the server's
//! source (tag v0.29.0 of github.com/marmos91/dittofs, commit 5c30c801), so that a change to the
//! function that would break the server fails here, whatever the function's own constants say.
//!
//! Which pods are held to these facts is decided by what runs, not by the function: every
//! StatefulSet whose image is a v0.29 (or later) release, in every golden case and example.

use crate::support::krm;
use crate::support::pod::{at, inside, leaves, strings};

use std::collections::BTreeSet;

use serde_json::Value;

/// Keys of config.yaml the server reads (mapstructure tags): pkg/config/config.go:48-118,277-327,
/// 359-567; pkg/controlplane/store/gorm.go:37-53; pkg/controlplane/api/config.go:29-150;
/// pkg/config/metrics.go:17-43; pkg/identity/ldap/config.go:48-124.
const CONFIG_KEYS: &[&str] = &[
    "logging.level",
    "logging.format",
    "logging.output",
    "shutdown_timeout",
    "database.type",
    "database.sqlite.path",
    "database.postgres.host",
    "database.postgres.port",
    "database.postgres.database",
    "database.postgres.user",
    "database.postgres.password",
    "database.postgres.sslmode",
    "controlplane.host",
    "controlplane.port",
    "controlplane.jwt.access_token_duration",
    "controlplane.jwt.refresh_token_duration",
    "controlplane.tls.cert_file",
    "controlplane.tls.key_file",
    "controlplane.tls.client_ca",
    "admin.username",
    "metrics.enabled",
    "metrics.host",
    "metrics.port",
    "metrics.path",
    "metrics.auth",
    "metrics.token_file",
    "ldap.enabled",
    "ldap.url",
    "ldap.start_tls",
    "ldap.allow_plaintext",
    "ldap.base_dn",
    "ldap.bind_dn",
    "ldap.user_attr",
    "ldap.realm",
    "ldap.idmap",
    "ldap.nested_groups",
    "ldap.tls.ca_cert_file",
    "ldap.tls.insecure_skip_verify",
    "kerberos.enabled",
    "kerberos.keytab_path",
    "kerberos.service_principal",
    "kerberos.realm",
    "kerberos.netbios_domain",
    "kerberos.dns_domain",
    "kerberos.krb5_conf",
    "kerberos.machine_account.enabled",
    "kerberos.machine_account.account_name",
    "kerberos.machine_account.keytab_path",
    "kerberos.machine_account.dc_address",
];
/// Keys that name a file the server opens: each must be a file of a mounted Secret.
const FILE_KEYS: &[&str] = &[
    "controlplane.tls.cert_file",
    "controlplane.tls.key_file",
    "controlplane.tls.client_ca",
    "metrics.token_file",
    "kerberos.keytab_path",
    "kerberos.machine_account.keytab_path",
];
/// Read with os.Getenv whatever the file holds: the JWT secret (config.go:896-905) and the admin's
/// first password (models/admin.go:19). Every other `DITTOFS_<KEY>` binds to its key, in the file
/// or not (config.go:870-894,920-979).
const DIRECT_ENV: &[&str] = &["DITTOFS_CONTROLPLANE_SECRET", "DITTOFS_ADMIN_INITIAL_PASSWORD"];
/// Without a JWT secret of 32 characters the server exits 1 (api/server.go:109-113); without an
/// admin password it makes one up and prints it to a terminal only (start.go:125-138,847-871).
const REQUIRED_ENV: &[&str] = &["DITTOFS_CONTROLPLANE_SECRET", "DITTOFS_ADMIN_INITIAL_PASSWORD"];

/// The image's binary (Dockerfile.goreleaser:23); without `--foreground` `start` daemonises and
/// PID 1 exits 0 (cmd/dfs/commands/start.go:89-99).
const COMMAND: &[&str] = &["/app/dfs"];
const ARGS: &[&str] = &["start", "--foreground", "--config", "/config/config.yaml"];
/// The API binds controlplane.host, 127.0.0.1 by default (api/config.go:210-214), on port 8080;
/// metrics bind metrics.host, 127.0.0.1 by default, on 9090 (metrics.go:17-43). A pod must bind
/// every address for the kubelet and the Services.
const LOOPBACK: &str = "127.0.0.1";
const DEFAULT_API_PORT: i64 = 8080;
const DEFAULT_METRICS_PORT: i64 = 9090;
/// The adapters the server makes at its first start (store/adapters.go:56-95).
const FIRST_START_ADAPTERS: &[(&str, i64)] = &[("nfs", 12049), ("smb", 1445)];
/// Health endpoints on the API port (api/router.go:106-109; handlers/health.go:55-120).
const LIVENESS: &str = "/health";
const READINESS: &str = "/health/ready";
/// The image's user (Dockerfile.goreleaser:15-17, 30).
const USER_ID: i64 = 65532;
/// The operator's claims and where it mounts them (internal/controller/dittoserver_controller.go:941-960).
const CLAIMS: &[(&str, &str)] = &[("metadata", "/data/store/metadata"), ("content", "/data/store/block"), ("controlplane", "/data/controlplane")];
/// Shutdown stages run one after another, each up to shutdown_timeout (start.go:377-431).
const SHUTDOWN_TIMEOUT: i64 = 30;

fn dotted<'v>(config: &'v Value, key: &str) -> &'v Value {
    at(config, &format!("/{}", key.replace('.', "/")))
}

/// Whether the image runs v0.29.0 or a later release.
fn runs_v0_29(image: &str) -> bool {
    let tag = image.rsplit('/').next().and_then(|l| l.rsplit_once(':')).map(|(_, t)| t).unwrap_or("");
    let numbers: Vec<u64> = tag.trim_start_matches('v').split(['.', '-']).take(3).filter_map(|n| n.parse().ok()).collect();
    numbers.len() == 3 && (numbers[0], numbers[1]) >= (0, 29)
}

fn check(ctx: &str, sts: &Value, items: &[Value], server: &Value) {
    let pod = at(sts, "/spec/template/spec");
    let containers = at(pod, "/containers").as_array().cloned().unwrap_or_default();
    assert_eq!(containers.len(), 1, "{ctx}: one container");
    let c = &containers[0];
    assert_eq!(strings(at(c, "/command")), COMMAND, "{ctx}: command");
    assert_eq!(strings(at(c, "/args")), ARGS, "{ctx}: args");

    let mounts = at(c, "/volumeMounts").as_array().cloned().unwrap_or_default();
    let volumes = at(pod, "/volumes").as_array().cloned().unwrap_or_default();
    let volume = |name: &str| volumes.iter().find(|v| at(v, "/name") == name).cloned().unwrap_or(Value::Null);
    let config_dir = ARGS[3].rsplit_once('/').unwrap().0;
    let config_mount = mounts.iter().find(|m| at(m, "/mountPath") == config_dir).unwrap_or_else(|| panic!("{ctx}: nothing at {config_dir}"));
    let config_map_name = at(&volume(at(config_mount, "/name").as_str().unwrap()), "/configMap/name").as_str().map(str::to_string).unwrap_or_else(|| panic!("{ctx}: {config_dir} is not a ConfigMap"));
    let config_map = items
        .iter()
        .find(|i| i["kind"] == "ConfigMap" && i["metadata"]["name"] == config_map_name.as_str())
        .unwrap_or_else(|| panic!("{ctx}: ConfigMap {config_map_name} not in the output"));
    let text = at(config_map, "/data/config.yaml").as_str().unwrap_or_else(|| panic!("{ctx}: no config.yaml"));
    let config: Value = serde_yaml::from_str(text).expect("config.yaml is YAML");
    let mut keys = BTreeSet::new();
    leaves(&config, "", &mut keys);
    for key in &keys {
        assert!(CONFIG_KEYS.contains(&key.as_str()), "{ctx}: config.yaml key {key} is not read by the server");
    }

    // The read-only root: logs to stdout or stderr, temporary files on an emptyDir.
    assert_eq!(at(c, "/securityContext/readOnlyRootFilesystem"), true, "{ctx}");
    let output = dotted(&config, "logging.output").as_str().unwrap_or_default();
    assert!(matches!(output, "stdout" | "stderr"), "{ctx}: logging.output {output:?}: with a read-only root and no output the server exits 1");
    let tmp = mounts.iter().find(|m| at(m, "/mountPath") == "/tmp").unwrap_or_else(|| panic!("{ctx}: /tmp not writable"));
    assert!(!at(&volume(at(tmp, "/name").as_str().unwrap()), "/emptyDir").is_null(), "{ctx}: /tmp is not an emptyDir");

    // Listening where the kubelet and the Services reach it.
    assert_ne!(dotted(&config, "controlplane.host").as_str().unwrap_or(LOOPBACK), LOOPBACK, "{ctx}: the API would listen on loopback");
    let metrics_on = dotted(&config, "metrics.enabled") == true;
    if metrics_on {
        assert_ne!(dotted(&config, "metrics.host").as_str().unwrap_or(LOOPBACK), LOOPBACK, "{ctx}: metrics would listen on loopback");
    }

    // Environment: by reference only; each name one the server reads.
    let env = at(c, "/env").as_array().cloned().unwrap_or_default();
    let mut names = Vec::new();
    for e in &env {
        let n = at(e, "/name").as_str().unwrap();
        assert!(e.get("value").is_none() && e.pointer("/valueFrom/secretKeyRef/key").is_some(), "{ctx}: {n} not by secretKeyRef");
        let known = DIRECT_ENV.contains(&n)
            || n.strip_prefix("DITTOFS_").is_some_and(|rest| CONFIG_KEYS.iter().any(|k| k.replace('.', "_").eq_ignore_ascii_case(rest)))
            // ldap.bind_password (ldap/config.go:95) and kerberos.machine_account.secret
            // (config.go:371): keys the file never holds.
            || n == "DITTOFS_LDAP_BIND_PASSWORD"
            || n == "DITTOFS_KERBEROS_MACHINE_ACCOUNT_SECRET";
        assert!(known, "{ctx}: the server does not read {n}");
        names.push(n);
    }
    for required in REQUIRED_ENV {
        let e = env.iter().find(|e| at(e, "/name") == *required).unwrap_or_else(|| panic!("{ctx}: no {required}"));
        assert_ne!(at(e, "/valueFrom/secretKeyRef/optional"), true, "{ctx}: {required} is optional");
    }
    if dotted(&config, "database.type") == "postgres" {
        for v in ["HOST", "DATABASE", "USER", "PASSWORD"] {
            assert!(names.contains(&format!("DITTOFS_DATABASE_POSTGRES_{v}").as_str()), "{ctx}: no Postgres {v}");
        }
    }
    assert_eq!(pod["enableServiceLinks"], false, "{ctx}: Service links would set DITTOFS_* variables, which bind to config keys");

    // Files the config names are files of mounted Secrets.
    for key in FILE_KEYS {
        let Some(file) = dotted(&config, key).as_str() else { continue };
        let (dir, name) = file.rsplit_once('/').unwrap();
        let mount = mounts.iter().find(|m| at(m, "/mountPath") == dir).unwrap_or_else(|| panic!("{ctx}: {key} {file}: nothing mounted at {dir}"));
        let source = volume(at(mount, "/name").as_str().unwrap());
        let secret = at(&source, "/secret");
        assert!(!secret.is_null(), "{ctx}: {dir} is not a Secret");
        if let Some(items) = secret["items"].as_array() {
            assert!(items.iter().any(|i| i["path"] == name), "{ctx}: {key}: the Secret at {dir} has no file {name}");
        }
    }

    // Ports: the API, metrics, and the adapters at the ports the server has them on.
    let api = dotted(&config, "controlplane.port").as_i64().unwrap_or(DEFAULT_API_PORT);
    let declared: Vec<(String, i64)> = match server.pointer("/spec/adapters").and_then(Value::as_array) {
        Some(list) => list.iter().map(|a| (a["type"].as_str().unwrap_or_default().to_string(), a["port"].as_i64().unwrap_or(0))).collect(),
        None => FIRST_START_ADAPTERS.iter().map(|(t, p)| (t.to_string(), *p)).collect(),
    };
    let ports: Vec<(String, i64)> = at(c, "/ports")
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| (at(p, "/name").as_str().unwrap().to_string(), at(p, "/containerPort").as_i64().unwrap()))
        .collect();
    for (port_name, number) in &ports {
        let expected = match port_name.as_str() {
            "api" => api,
            "metrics" if metrics_on => dotted(&config, "metrics.port").as_i64().unwrap_or(DEFAULT_METRICS_PORT),
            other => {
                let adapter = other.strip_prefix("adapter-").unwrap_or_else(|| panic!("{ctx}: unexpected port {other}"));
                declared.iter().find(|(t, _)| t == adapter).map(|(_, p)| *p).unwrap_or_else(|| panic!("{ctx}: adapter {adapter} not declared"))
            }
        };
        assert_eq!(*number, expected, "{ctx}: container port {port_name}");
    }

    // Probes on the API's health endpoints, over what the API speaks.
    let tls = !dotted(&config, "controlplane.tls.cert_file").is_null();
    let mutual = !dotted(&config, "controlplane.tls.client_ca").is_null();
    for (probe, path) in [("livenessProbe", LIVENESS), ("readinessProbe", READINESS), ("startupProbe", LIVENESS)] {
        let p = at(c, &format!("/{probe}"));
        if mutual {
            assert_eq!(at(p, "/tcpSocket/port").as_i64(), Some(api), "{ctx}: {probe}: the kubelet has no client certificate");
            continue;
        }
        assert_eq!(at(p, "/httpGet/path"), path, "{ctx}: {probe}");
        assert_eq!(at(p, "/httpGet/port").as_i64(), Some(api), "{ctx}: {probe} port");
        let scheme = at(p, "/httpGet/scheme").as_str().unwrap_or("HTTP");
        assert_eq!(scheme, if tls { "HTTPS" } else { "HTTP" }, "{ctx}: {probe} scheme");
    }

    // State on the claims, where the operator puts them.
    let claims: Vec<&str> =
        at(sts, "/spec/volumeClaimTemplates").as_array().into_iter().flatten().filter_map(|t| at(t, "/metadata/name").as_str()).collect();
    for claim in &claims {
        let (_, dir) = CLAIMS.iter().find(|(c, _)| c == claim).unwrap_or_else(|| panic!("{ctx}: unexpected claim {claim}"));
        assert!(mounts.iter().any(|m| at(m, "/name") == *claim && at(m, "/mountPath") == *dir), "{ctx}: claim {claim} not at {dir}");
    }
    assert!(claims.contains(&"metadata") && claims.contains(&"controlplane"), "{ctx}: {claims:?}");
    if dotted(&config, "database.type") != "postgres" {
        let db = dotted(&config, "database.sqlite.path").as_str().expect("sqlite path");
        assert!(inside(db, "/data/controlplane"), "{ctx}: the control-plane database {db} is not on the controlplane claim");
    }
    let group = at(pod, "/securityContext/fsGroup").as_i64();
    assert!(group == Some(USER_ID) || !at(pod, "/securityContext").is_null(), "{ctx}: the claims must be writable by {USER_ID}");
    let grace = at(pod, "/terminationGracePeriodSeconds").as_i64().unwrap_or(30);
    assert!(grace > 5 + SHUTDOWN_TIMEOUT, "{ctx}: terminationGracePeriodSeconds {grace}");

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
fn every_generated_v0_29_pod_fits_the_v0_29_0_server() {
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
        let text = std::fs::read_to_string(input).unwrap();
        let given: Vec<Value> = serde_yaml::from_str::<Value>(&text).ok().and_then(|l| l["items"].as_array().cloned()).unwrap_or_default();
        for sts in items.iter().filter(|i| i["kind"] == "StatefulSet" && !given.contains(i)) {
            let image = at(sts, "/spec/template/spec/containers/0/image").as_str().unwrap_or_default();
            if !runs_v0_29(image) {
                continue;
            }
            let name = at(sts, "/metadata/name").as_str().unwrap_or_default();
            let server = given.iter().find(|i| i["kind"] == "DittoServer" && i["metadata"]["name"] == name).cloned().unwrap_or(Value::Null);
            check(&format!("{}: StatefulSet {name}", input.display()), sts, &items, &server);
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} v0.29 StatefulSets checked");
}
