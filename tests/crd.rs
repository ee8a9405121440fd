//! `dittofs-krm crd` and `dittofs-krm schema` through the real binary, checked by outside tools:
//! `kubernetes-validate --strict` (the CRD is a valid apiextensions.k8s.io/v1 object) and the
//! python `jsonschema` package (every example and valid test DittoServer fits its schema, and the
//! schema rejects what it can express of the invalid ones). `make deps` installs both; the tests
//! that need them are `#[ignore]`d and `make test` runs them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

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
        "rule-smb-limits",
        "rule-storage-class-empty",
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

/// The keywords of a schema node that constrain a value beyond its type.
const CONSTRAINTS: &[&str] = &[
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "pattern", "minLength", "maxLength", "minItems",
    "maxItems", "minProperties", "maxProperties", "x-kubernetes-validations",
];

/// The spec fields of the published CRD that carry a constraint, with their schema: (dotted path
/// below `spec`, node).
fn constrained_fields(node: &Value, path: &str, found: &mut Vec<(String, Value)>) {
    if CONSTRAINTS.iter().any(|k| node.get(*k).is_some()) {
        found.push((path.to_string(), node.clone()));
    }
    for (key, child) in node.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let below = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        constrained_fields(child, &below, found);
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = node.get(key).filter(|c| c.is_object()) {
            constrained_fields(child, &format!("{path}[]"), found);
        }
    }
}

/// Values just outside and just inside a field's published constraint.
fn outside_and_inside(path: &str, node: &Value) -> (Vec<Value>, Vec<Value>) {
    let (mut outside, mut inside) = (Vec::new(), Vec::new());
    for key in node.as_object().unwrap().keys().filter(|k| CONSTRAINTS.contains(&k.as_str())) {
        let bound = &node[key];
        match key.as_str() {
            "minimum" => {
                outside.push(json!(bound.as_i64().unwrap() - 1));
                inside.push(bound.clone());
            }
            "maximum" => {
                outside.push(json!(bound.as_i64().unwrap() + 1));
                inside.push(bound.clone());
            }
            // No unit: no size pattern takes it (the CRD validator below confirms it).
            "pattern" => {
                outside.extend([json!("x"), json!("10")]);
                inside.push(node.get("example").or(node.get("default")).cloned().unwrap_or_else(|| panic!("{path}: an example")));
            }
            "minLength" => {
                let n = bound.as_u64().unwrap() as usize;
                outside.push(json!("a".repeat(n - 1)));
                inside.push(json!("a".repeat(n)));
            }
            other => panic!("{path}: the test does not know how to break `{other}`; teach it, and the function to check it"),
        }
    }
    (outside, inside)
}

/// A valid element of each list of the spec, for a field of its elements to be set on.
const ELEMENTS: &[(&str, &str)] = &[("adapters[]", r#"{"type": "nfs", "port": 12049}"#), ("snapshotPolicies[]", r#"{"share": "/export", "interval": "24h"}"#)];

fn ditto_server(name: &str, path: &str, value: &Value) -> Value {
    let mut spec = json!({"storage": {"metadataSize": "1Gi"}});
    let mut at = &mut spec;
    let steps: Vec<&str> = path.split('.').collect();
    for step in &steps[..steps.len() - 1] {
        if let Some(list) = step.strip_suffix("[]") {
            let element = ELEMENTS.iter().find(|(s, _)| s == step).unwrap_or_else(|| panic!("{step}: the test has no element for it"));
            let element: Value = serde_json::from_str(element.1).unwrap();
            at = &mut at.as_object_mut().unwrap().entry(list.to_string()).or_insert_with(|| json!([element]))[0];
            continue;
        }
        at = at.as_object_mut().unwrap().entry(step.to_string()).or_insert_with(|| json!({}));
    }
    at[steps[steps.len() - 1]] = value.clone();
    json!({
        "apiVersion": "dittofs.dittofs.com/v1alpha1",
        "kind": "DittoServer",
        "metadata": {"name": name, "annotations": {"config.kubernetes.io/path": format!("{name}.yaml"), "config.kubernetes.io/index": "0"}},
        "spec": spec,
    })
}

/// Every range, pattern and length the published CRD sets on a spec field is checked by the
/// function: a value just outside it (which the CRD's schema rejects, as the outside validator
/// confirms) is an error result at that field, with the server and file; the values at the bound
/// are no error there.
#[test]
fn every_published_constraint_is_checked_by_the_function() {
    let crd = dittofs_krm::crd::crd_value();
    let mut fields = Vec::new();
    constrained_fields(&crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"], "", &mut fields);
    let paths: Vec<&str> = fields.iter().map(|(p, _)| p.as_str()).collect();
    for expected in ["replicas", "nfsPort", "storage.metadataSize", "smb.maxConnections", "smb.credits.minGrant", "storage.storageClassName"] {
        assert!(paths.contains(&expected), "{expected} carries no constraint in the CRD: {paths:?}");
    }

    let (mut invalid, mut valid) = (Vec::new(), Vec::new());
    let mut wrong = Vec::new();
    for (path, node) in &fields {
        let (outside, inside) = outside_and_inside(path, node);
        for (values, is_outside) in [(outside, true), (inside, false)] {
            for value in values {
                let name = format!("v{}", invalid.len() + valid.len());
                let server = ditto_server(&name, path, &value);
                let list = json!({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [server.clone()]});
                let results = dittofs_krm::run(&list.to_string()).expect("a ResourceList").results;
                let full = format!("spec.{}", path.replace("[]", "[0]"));
                let errors: Vec<_> = results
                    .iter()
                    .filter(|r| r.severity == dittofs_krm::krm::Severity::Error && r.field.as_ref().is_some_and(|f| f.path == full))
                    .collect();
                let located = errors.iter().all(|r| {
                    r.resource_ref.as_ref().is_some_and(|rr| rr.name == name) && r.file.as_ref().is_some_and(|f| f.path == format!("{name}.yaml"))
                });
                if errors.is_empty() == is_outside || !located {
                    wrong.push(format!("{full} = {value}: {results:#?}"));
                }
                if is_outside { &mut invalid } else { &mut valid }.push(server);
            }
        }
    }
    assert!(wrong.is_empty(), "outside the CRD but no error, or inside and an error:\n{}", wrong.join("\n"));

    // The outside values are outside for the CRD's own schema too.
    let dir = tempfile::tempdir().unwrap();
    let crd_file = dir.path().join("crd.yaml");
    fs::write(&crd_file, dittofs_krm("crd")).unwrap();
    let write = |name: &str, servers: &[Value]| {
        let file = dir.path().join(name);
        fs::write(&file, servers.iter().map(|s| format!("---\n{s}\n")).collect::<String>()).unwrap();
        file
    };
    let (invalid, valid) = (write("invalid.yaml", &invalid), write("valid.yaml", &valid));
    let mut command = Command::new("python3");
    command.arg(root().join("tests/tools/validate_crd.py")).arg(&crd_file).arg("--valid").arg(&valid).arg("--invalid").arg(&invalid);
    let text = run(&mut command);
    assert!(text.contains(" 0 failed"), "{text}");
}

/// The other way round: every field whose own rule the function checks publishes a constraint.
/// Every field of the spec is given the value most likely to break a rule (the lowest int32, the
/// empty string), and every problem the single-field walk reports lies on a constrained field.
#[test]
fn every_single_field_check_is_published() {
    let crd = dittofs_krm::crd::crd_value();
    let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"];
    let mut fields = Vec::new();
    constrained_fields(schema, "", &mut fields);
    let published: Vec<String> = fields.into_iter().map(|(p, _)| format!("spec.{p}")).collect();

    // Every line's spec type reads the worst spec; their problems together are the checks.
    let spec = worst(schema);
    let (v0_4, _) = dittofs_krm::model::read_typed::<dittofs_krm::server::v0_4::DittoServerSpec>(spec.clone(), "spec").expect("the worst spec reads");
    let (v0_29, _) = dittofs_krm::model::read_typed::<dittofs_krm::server::v0_29::DittoServerSpec>(spec, "spec").expect("the worst spec reads");
    let mut found = dittofs_krm::model::walk::problems(&v0_4, "spec");
    found.extend(dittofs_krm::model::walk::problems(&v0_29, "spec"));
    let found: Vec<String> = found.iter().map(|p| p.path.replace("[0]", "[]")).collect();
    let paths: Vec<&str> = found.iter().map(String::as_str).collect();
    for path in &paths {
        assert!(published.iter().any(|p| p == path), "{path} is checked but the CRD publishes no constraint on it");
    }
    for path in &published {
        assert!(paths.contains(&path.as_str()), "{path} is constrained in the CRD but not checked: {paths:?}");
    }
}

/// A value of `node`'s type that breaks any rule a field of that type could have: the lowest
/// int32, the empty string, an enum's first value, every property of an object.
fn worst(node: &Value) -> Value {
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        return values[0].clone();
    }
    match node.get("type").and_then(Value::as_str) {
        Some("integer") => json!(i32::MIN),
        Some("string") => json!(""),
        Some("boolean") => json!(false),
        Some("array") => json!([worst(node.get("items").unwrap_or(&Value::Null))]),
        Some("object") => {
            let properties = node.get("properties").and_then(Value::as_object);
            Value::Object(properties.into_iter().flatten().map(|(k, v)| (k.clone(), worst(v))).collect())
        }
        _ => Value::Null,
    }
}
