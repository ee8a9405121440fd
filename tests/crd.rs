//! `dittofs-krm crd` and `dittofs-krm schema` through the real binary, checked by outside tools:
//! `kubernetes-validate --strict` (the CRD is a valid apiextensions.k8s.io/v1 object) and the
//! python `jsonschema` package (every example and valid test DittoServer fits its schema, and the
//! schema rejects what it can express of the invalid ones). `make deps` installs both; the tests
//! that need them are `#[ignore]`d and `make test` runs them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn dittofs_krm(arg: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dittofs-krm")).arg(arg).output().expect("dittofs-krm runs");
    assert!(out.status.success(), "dittofs-krm {arg}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn run(command: &mut Command) -> String {
    let out = command.output().unwrap_or_else(|e| panic!("{command:?} cannot run ({e}); `make deps` installs it"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{command:?} failed:\n{text}");
    text
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `*.yaml` below `dir`.
fn yaml_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            yaml_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            found.push(path);
        }
    }
}

#[test]
#[ignore = "needs kubernetes-validate (`make deps`)"]
fn the_crd_is_a_valid_kubernetes_object() {
    let dir = tempfile::tempdir().unwrap();
    let crd = dir.path().join("crd.yaml");
    fs::write(&crd, dittofs_krm("crd")).unwrap();
    let text = run(Command::new("kubernetes-validate").arg("--strict").arg(&crd));
    assert!(text.contains("passed for resource customresourcedefinition/dittoservers.dittofs.dittofs.com"), "{text}");
}

#[test]
#[ignore = "needs python3 with jsonschema (`make deps`)"]
fn example_and_test_ditto_servers_fit_the_crd_schema() {
    let dir = tempfile::tempdir().unwrap();
    let crd = dir.path().join("crd.yaml");
    fs::write(&crd, dittofs_krm("crd")).unwrap();

    let mut valid = Vec::new();
    yaml_files(&root().join("examples"), &mut valid);
    // The golden cases the function accepts (exit 0 in their snapshot).
    let cases = root().join("tests/cases");
    for entry in fs::read_dir(&cases).unwrap() {
        let case = entry.unwrap().file_name().into_string().unwrap();
        let snapshot = root().join(format!("tests/snapshots/golden__golden_cases@{case}__input.yaml.snap"));
        let snapshot = fs::read_to_string(&snapshot).unwrap_or_else(|e| panic!("{}: {e}", snapshot.display()));
        if snapshot.contains("\nexit: 0\n") {
            valid.push(cases.join(&case).join("input.yaml"));
        }
    }
    // Invalid cases whose fault a schema can express: pattern, enum, range, type, required.
    let invalid: Vec<PathBuf> = [
        "rule-size-pattern",
        "rule-enum",
        "rule-replicas",
        "rule-port-range",
        "rule-wrong-type",
        "rule-metadata-size-required",
        "rule-spec-not-object",
    ]
    .iter()
    .map(|c| cases.join(c).join("input.yaml"))
    .collect();

    let mut command = Command::new("python3");
    command.arg(root().join("tests/tools/validate_crd.py")).arg(&crd).arg("--valid").args(&valid).arg("--invalid").args(&invalid);
    let text = run(&mut command);
    assert!(text.contains(" 0 failed"), "{text}");
}

#[test]
fn the_function_config_schema_accepts_the_shipped_configs() {
    let schema: serde_json::Value = serde_json::from_str(&dittofs_krm("schema")).expect("schema is JSON");
    assert_eq!(schema["title"], "DittoServerExpansion");
    let typed: serde_json::Value = serde_yaml::from_str(&fs::read_to_string(root().join("fnconfig/expansion.yaml")).unwrap()).unwrap();
    for (key, value) in typed.as_object().unwrap() {
        let property = &schema["properties"][key];
        assert!(property.is_object(), "{key} is not in the schema");
        if let Some(allowed) = property["enum"].as_array() {
            assert!(allowed.contains(value), "{key}: {value} not in {allowed:?}");
        }
    }
}
