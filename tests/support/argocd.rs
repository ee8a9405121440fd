//! The Argo CD plugin of `examples/argocd/plugin.yaml`: its generate command, the environment
//! Argo CD's CMP server runs it with, and the checks on the stream it prints for
//! `examples/argocd/app`. `make deps` installs kubernetes-validate; without it the checks fail (the tests using them are
//! `#[ignore]`d).

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn plugin() -> Value {
    let text = fs::read_to_string(root().join("examples/argocd/plugin.yaml")).unwrap();
    dittofs_krm::yaml::parse_value(&text, dittofs_krm::yaml::Schema::Yaml12).unwrap()
}

/// `spec.generate.command`; its first word is the binary's path in the image.
pub fn generate_command() -> Vec<String> {
    let command: Vec<String> =
        plugin()["spec"]["generate"]["command"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(command[0], "/usr/local/bin/dittofs-krm", "the image installs the binary there");
    command
}

/// What Argo CD's CMP server sets besides `ARGOCD_APP_PARAMETERS`.
pub const APP_ENV: &[(&str, &str)] =
    &[("ARGOCD_APP_NAME", "dittofs"), ("ARGOCD_APP_NAMESPACE", "storage"), ("ARGOCD_APP_REVISION", "0123456789abcdef")];

/// `ARGOCD_APP_PARAMETERS` with the plugin's announced parameter set to `strict`, the way an
/// Application would set it.
pub fn strict_parameters() -> String {
    let parameter = &plugin()["spec"]["parameters"]["static"][0];
    let name = parameter["name"].as_str().unwrap();
    assert!(dittofs_krm::model::function_config::FIELDS.contains(&name), "{name} is not a functionConfig field");
    format!(r#"[{{"name": "{name}", "string": "strict"}}]"#)
}

/// The stream generated for `examples/argocd/app`: `kubernetes-validate --strict` accepts every
/// object of it, and neither a DittoServer nor a client annotation reaches the cluster.
pub fn assert_valid_example_stream(stream: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let rendered = dir.path().join("rendered.yaml");
    fs::write(&rendered, stream).unwrap();
    let check = Command::new("kubernetes-validate")
        .arg("--strict")
        .arg(&rendered)
        .output()
        .unwrap_or_else(|e| panic!("kubernetes-validate cannot run ({e}); `make deps` installs it"));
    let report = format!("{}{}", String::from_utf8_lossy(&check.stdout), String::from_utf8_lossy(&check.stderr));
    assert!(check.status.success(), "{report}");
    for object in [
        "configmap/dittofs-config",
        "service/dittofs-headless",
        "service/dittofs-file",
        "service/dittofs-api",
        "statefulset/dittofs",
        "secret/dittofs-jwt-secret",
        "namespace/storage",
        "configmap/files-config",
        "service/files-adapter-nfs",
        "service/files-adapter-smb",
        "service/files-metrics",
        "networkpolicy/files-baseline",
        "networkpolicy/files-adapter-nfs",
        "statefulset/files",
    ] {
        assert!(report.contains(&format!("passed for resource {object} ")), "{object} not validated:\n{report}");
    }
    let stream = String::from_utf8_lossy(stream);
    assert!(!stream.contains("kind: DittoServer"), "no DittoServer reaches the cluster");
    assert!(!stream.contains("config.kubernetes.io/"), "no client annotation reaches the cluster");
}
