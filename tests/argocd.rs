//! The Argo CD plugin example: examples/argocd/plugin.yaml's generate command, run as Argo CD's
//! CMP server runs it (in the Application directory, with Argo CD's environment), must print a
//! stream that `kubernetes-validate --strict` accepts; an invalid DittoServer must give exit 1
//! and an empty stdout. The first needs kubernetes-validate (`make deps`), so it is `#[ignore]`d and
//! `make test` runs it.

use crate::support::argocd;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use argocd::{plugin, root};

/// The plugin's generate command with the binary under test in place of the installed one.
fn generate(dir: &Path, parameters: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dittofs-krm"))
        .args(&argocd::generate_command()[1..])
        .current_dir(dir)
        .envs(argocd::APP_ENV.iter().copied())
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
#[ignore = "needs kubernetes-validate (`make deps`)"]
fn the_plugin_renders_the_example_into_valid_manifests() {
    let plugin = plugin();
    assert_eq!(plugin["kind"], "ConfigManagementPlugin");
    assert_eq!(plugin["apiVersion"], "argoproj.io/v1alpha1");
    // Discovery: the example directory holds a file the fileName glob matches.
    assert_eq!(plugin["spec"]["discover"]["fileName"], "./dittofs*.yaml");
    let app = root().join("examples/argocd/app");
    assert!(app.join("dittofs.yaml").is_file());

    let out = generate(&app, &argocd::strict_parameters());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    argocd::assert_valid_example_stream(&out.stdout);
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
    assert!(stderr.contains("[error] dittofs.dittofs.com/v1alpha1/DittoServer/storage/dittofs spec.storage.metadataSize:"), "{stderr}");
}

#[test]
fn an_unknown_parameter_fails_with_empty_stdout() {
    let out = generate(&root().join("examples/argocd/app"), r#"[{"name": "storageClass", "string": "x"}]"#);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("known keys: storageClassCheck, mode"));
}
