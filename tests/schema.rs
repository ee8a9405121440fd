//! Strict Kubernetes schema validation of every generated object: the binary runs on every
//! `tests/cases/*/input.yaml` and on the examples; each output item carrying the marker annotation
//! `fn.dittofs.com/generated-from` is written to its own file and the whole batch is checked by
//! `kubernetes-validate --strict` (PyPI, `make deps`), which rejects unknown fields and wrong types.
//! The test is `#[ignore]`d (it needs python3, PyYAML and kubernetes-validate); `make test` runs it.
//!
//! The output is split by PyYAML — the YAML 1.1 loader kubernetes-validate itself uses — straight
//! from the function's text, so a scalar the emitter left ambiguous (`yes`, `0755`, `1e3`) reaches
//! the validator with the type a YAML 1.1 client would give it instead of being re-quoted here.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::support::krm;

/// The Kubernetes version the generated objects target: k8s-openapi is built with `v1_33`.
const KUBERNETES_VERSION: &str = "1.33.0";
const MARKER: &str = "fn.dittofs.com/generated-from";

/// Writes each item carrying the annotation argv[1] of each ResourceList file (argv[3..]) to its
/// own file in the folder argv[2], printing the written paths.
const SPLIT: &str = r#"
import os, sys, yaml
marker, out = sys.argv[1], sys.argv[2]
for src in sys.argv[3:]:
    with open(src) as f:
        resource_list = yaml.safe_load(f)
    case = os.path.basename(src)[: -len(".out.yaml")]
    for i, item in enumerate(resource_list.get("items") or []):
        annotations = (item.get("metadata") or {}).get("annotations") or {}
        if marker not in annotations:
            continue
        path = os.path.join(out, "%s--%03d-%s_%s.yaml" % (case, i, item["kind"].lower(), item["metadata"]["name"]))
        with open(path, "w") as f:
            yaml.safe_dump(item, f, sort_keys=False)
        print(path)
"#;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One input of the binary: a name (unique, file-name safe) and a ResourceList.
struct Input {
    name: String,
    resource_list: String,
    example: bool,
}

fn case_inputs() -> Vec<Input> {
    let mut inputs = Vec::new();
    for entry in std::fs::read_dir(root().join("tests/cases")).unwrap() {
        let dir = entry.unwrap().path();
        let input = dir.join("input.yaml");
        if input.is_file() {
            let name = format!("case-{}", dir.file_name().unwrap().to_string_lossy());
            inputs.push(Input { name, resource_list: std::fs::read_to_string(input).unwrap(), example: false });
        }
    }
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    inputs
}

/// Every ResourceList file under `examples/`, and every kpt package there (a folder with a
/// Kptfile) turned into the ResourceList kpt would send.
fn example_inputs() -> Vec<Input> {
    let mut inputs = Vec::new();
    walk_examples(&root().join("examples"), &mut inputs);
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    inputs
}

fn walk_examples(dir: &Path, inputs: &mut Vec<Input>) {
    let name =
        |p: &Path| format!("example-{}", p.strip_prefix(root().join("examples")).unwrap().to_string_lossy().replace(['/', '.'], "-"));
    if dir.join("Kptfile").is_file() {
        inputs.push(Input { name: name(dir), resource_list: package_resource_list(dir), example: true });
        return;
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk_examples(&path, inputs);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let value: Result<serde_yaml::Value, _> = serde_yaml::from_str(&text);
            if value.is_ok_and(|v| v["kind"].as_str() == Some("ResourceList")) {
                inputs.push(Input { name: name(&path), resource_list: text, example: true });
            }
        }
    }
}

/// The resources of a kpt package (every YAML document with apiVersion and kind, the Kptfile
/// aside), each annotated with its file path as kpt does.
fn package_resource_list(dir: &Path) -> String {
    let mut files = Vec::new();
    collect_yaml_files(dir, &mut files);
    files.sort();
    let mut items = Vec::new();
    for file in files {
        let rel = file.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        for (index, document) in serde_yaml::Deserializer::from_str(&text).enumerate() {
            let mut value = serde_yaml::Value::deserialize(document).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            if value.get("apiVersion").is_none() || value.get("kind").is_none() {
                continue;
            }
            let metadata = value.as_mapping_mut().unwrap().entry("metadata".into()).or_insert_with(|| serde_yaml::Mapping::new().into());
            let annotations =
                metadata.as_mapping_mut().unwrap().entry("annotations".into()).or_insert_with(|| serde_yaml::Mapping::new().into());
            let annotations = annotations.as_mapping_mut().unwrap();
            annotations.insert("config.kubernetes.io/path".into(), rel.clone().into());
            annotations.insert("config.kubernetes.io/index".into(), index.to_string().into());
            items.push(value);
        }
    }
    let mut list = serde_yaml::Mapping::new();
    list.insert("apiVersion".into(), "config.kubernetes.io/v1".into());
    list.insert("kind".into(), "ResourceList".into());
    list.insert("items".into(), items.into());
    serde_yaml::to_string(&list).unwrap()
}

fn collect_yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// Runs the binary; exit 0 (no error result) and 1 (an error result, output still written) are
/// both fine here — rule cases exist to fail — anything else is not.
fn run_binary(input: &Input) -> String {
    let out = krm::run(input.resource_list.as_bytes());
    assert!(matches!(out.code, 0 | 1), "{}: dittofs-krm exited {}: {}", input.name, out.code, out.stderr);
    out.stdout
}

/// Runs the inputs, splits the generated objects into files; returns (input name, file) pairs.
fn generated_files(inputs: &[Input], work: &Path) -> Vec<(String, PathBuf)> {
    let outputs = work.join("outputs");
    let objects = work.join("objects");
    std::fs::create_dir_all(&outputs).unwrap();
    std::fs::create_dir_all(&objects).unwrap();
    let mut sources = Vec::new();
    for input in inputs {
        let path = outputs.join(format!("{}.out.yaml", input.name));
        std::fs::write(&path, run_binary(input)).unwrap();
        sources.push(path);
    }
    let out = Command::new("python3")
        .arg("-c")
        .arg(SPLIT)
        .arg(MARKER)
        .arg(&objects)
        .args(&sources)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}); install the test tools with `make deps`"));
    assert!(
        out.status.success(),
        "splitting the outputs with PyYAML failed (`make deps` installs PyYAML):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let file = PathBuf::from(line);
            let name = file.file_name().unwrap().to_string_lossy();
            (name[..name.find("--").unwrap()].to_string(), file)
        })
        .collect()
}

/// Validates all files in one `kubernetes-validate` run; returns a message per file that did not
/// pass. A file passes only with its own `INFO <file> passed` line: a kind without a schema is a
/// mere `WARN` with exit 0 for the tool, and a failure here.
fn validate(files: &[PathBuf]) -> Vec<String> {
    let out = Command::new("kubernetes-validate")
        .args(["--strict", "--kubernetes-version", KUBERNETES_VERSION])
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run kubernetes-validate ({e}); install it with `make deps` (tests/requirements.txt)"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut failures: Vec<String> = stdout.lines().filter(|l| !l.starts_with("INFO ")).map(str::to_string).collect();
    for file in files {
        let passed = format!("INFO {} passed for resource ", file.display());
        let reported = |l: &str| l.starts_with(&passed) || failures.iter().any(|f| f.contains(&*file.to_string_lossy()));
        if !stdout.lines().any(reported) {
            failures.push(format!("no pass reported for {}", file.display()));
        }
    }
    if !out.status.success() && failures.is_empty() {
        failures.push(format!("kubernetes-validate exited {}: {}", out.status, String::from_utf8_lossy(&out.stderr)));
    }
    failures
}

#[test]
#[ignore = "needs python3 with PyYAML and kubernetes-validate (`make deps`)"]
fn every_generated_object_passes_strict_kubernetes_validation() {
    let mut inputs = case_inputs();
    let examples = example_inputs();
    assert!(
        examples.iter().any(|e| e.name == "example-kpt"),
        "examples/kpt not found: {:?}",
        examples.iter().map(|e| &e.name).collect::<Vec<_>>()
    );
    assert!(examples.iter().any(|e| e.name == "example-resource-list-yaml"), "examples/resource-list.yaml not found");
    inputs.extend(examples);

    let work = tempfile::tempdir().unwrap();
    let generated = generated_files(&inputs, work.path());

    // Every example expands (ConfigMap, 3 Services, StatefulSet at least), and the cases together
    // cover every kind the function generates.
    for example in inputs.iter().filter(|i| i.example) {
        let count = generated.iter().filter(|(name, _)| *name == example.name).count();
        assert!(count >= 5, "{} generated {count} objects", example.name);
    }
    for kind in ["configmap_", "service_", "statefulset_"] {
        assert!(
            generated.iter().any(|(_, f)| f.file_name().unwrap().to_string_lossy().contains(&format!("-{kind}"))),
            "no generated {kind} object"
        );
    }
    assert!(
        generated.iter().any(|(_, f)| f.to_string_lossy().ends_with("-metrics.yaml")),
        "no metrics Service among the generated objects"
    );

    // A ServiceMonitor is the prometheus-operator's kind, whose schema kubernetes-validate (core
    // Kubernetes only) does not have: tests/lines.rs holds it to the Service it selects.
    let files: Vec<PathBuf> = generated
        .into_iter()
        .map(|(_, f)| f)
        .filter(|f| !f.file_name().is_some_and(|n| n.to_string_lossy().contains("-servicemonitor_")))
        .collect();
    let failures = validate(&files);
    assert!(
        failures.is_empty(),
        "generated objects fail strict validation ({} reports for {} objects):\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    eprintln!("{} generated objects from {} inputs pass kubernetes-validate --strict {KUBERNETES_VERSION}", files.len(), inputs.len());
}
