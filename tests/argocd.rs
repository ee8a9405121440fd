//! The Argo CD plugin example: examples/argocd/plugin.yaml's generate command, run as Argo CD's
//! CMP server runs it (in the Application directory, with Argo CD's environment), must print a
//! stream that `kubernetes-validate --strict` accepts; an invalid DittoServer must give exit 1
//! and an empty stdout. `make deps` installs kubernetes-validate; without it the test fails.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn plugin() -> Value {
    let text = fs::read_to_string(root().join("examples/argocd/plugin.yaml")).unwrap();
    dittofs_krm::yaml::parse_value(&text).unwrap()
}

/// The plugin's generate command with the binary under test in place of the installed one.
fn generate(dir: &Path, parameters: &str) -> Output {
    let plugin = plugin();
    let command: Vec<&str> = plugin["spec"]["generate"]["command"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(command[0], "/usr/local/bin/dittofs-krm", "the image installs the binary there");
    Command::new(env!("CARGO_BIN_EXE_dittofs-krm"))
        .args(&command[1..])
        .current_dir(dir)
        .env("ARGOCD_APP_NAME", "dittofs")
        .env("ARGOCD_APP_NAMESPACE", "storage")
        .env("ARGOCD_APP_REVISION", "0123456789abcdef")
        .env("ARGOCD_APP_PARAMETERS", parameters)
        .output()
        .expect("dittofs-krm runs")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn the_plugin_renders_the_example_into_valid_manifests() {
    let plugin = plugin();
    assert_eq!(plugin["kind"], "ConfigManagementPlugin");
    assert_eq!(plugin["apiVersion"], "argoproj.io/v1alpha1");
    // Discovery: the example directory holds a file the fileName glob matches.
    assert_eq!(plugin["spec"]["discover"]["fileName"], "./dittofs*.yaml");
    let app = root().join("examples/argocd/app");
    assert!(app.join("dittofs.yaml").is_file());

    // The announced parameter, set the way an Application would set it.
    let parameter = &plugin["spec"]["parameters"]["static"][0];
    let name = parameter["name"].as_str().unwrap();
    assert!(dittofs_krm::api::function_config::FIELDS.contains(&name), "{name} is not a functionConfig field");
    let parameters = format!(r#"[{{"name": "{name}", "string": "strict"}}]"#);

    let out = generate(&app, &parameters);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let rendered = dir.path().join("rendered.yaml");
    fs::write(&rendered, &out.stdout).unwrap();

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
    ] {
        assert!(report.contains(&format!("passed for resource {object} ")), "{object} not validated:\n{report}");
    }
    let stream = String::from_utf8_lossy(&out.stdout);
    assert!(!stream.contains("kind: DittoServer"), "no DittoServer reaches the cluster");
    assert!(!stream.contains("config.kubernetes.io/"), "no client annotation reaches the cluster");
}

#[test]
fn an_invalid_ditto_server_fails_with_empty_stdout() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("examples/argocd/app"), dir.path());
    let server = fs::read_to_string(dir.path().join("dittofs.yaml")).unwrap();
    fs::write(dir.path().join("dittofs.yaml"), server.replace("\"10Gi\"", "\"10GB\"")).unwrap();

    let out = generate(dir.path(), "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty(), "stdout must be empty: {}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.contains("error: dittofs.yaml: DittoServer storage/dittofs: spec.storage.metadataSize:"), "{stderr}");
}

#[test]
fn an_unknown_parameter_fails_with_empty_stdout() {
    let out = generate(&root().join("examples/argocd/app"), r#"[{"name": "storageClass", "string": "x"}]"#);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("known keys: storageClassCheck, mode"));
}
