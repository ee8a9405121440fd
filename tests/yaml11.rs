//! Strings that YAML 1.1 reads as something else (`on`, `0123`, `12:30:00`, ...) stay strings in
//! what the function writes: generated objects and items it rebuilds. The output is read with
//! PyYAML, a YAML 1.1 reader like kubectl's (tests/python/yaml11_check.py; PyYAML is pinned in
//! tests/requirements.txt and installed by `make deps`; the tests are `#[ignore]`d and `make test` runs them).

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::support::krm;

const LOOKALIKES: &[&str] = &[
    "on", "off", "On", "OFF", "yes", "no", "Yes", "NO", "y", "n", "Y", "N", "~", "null", "Null", "NULL", "true",
    "False", "0123", "1e3", "1.5e3", "0x1F", "0o17", "0b101", "017", ".inf", "-.inf", ".NaN", "2024-01-01",
    "2001-12-14t21:59:43.10-05:00", "12:30:00", "190:20:30", "1_000", "+1", "-1", "1.5", "1,000", "=", "<<", "",
    " x", "x ", "a: b", "#c", "x #c", "- x", "!x", "&x", "*x", "%x", "@x", "`x", "|", ">", "'", "\"", "[x]", "{x}",
    "multi\nline", "trailing\n", "tab\tx", "\u{85}", "\u{feff}x", "ünï", "10Gi",
];

fn run_binary(input: &str) -> (i32, String, String) {
    let krm::Answer { code, stdout, stderr } = krm::run(input.as_bytes());
    (code, stdout, stderr)
}

#[test]
#[ignore = "needs python3 with PyYAML (`make deps`)"]
fn yaml_11_lookalikes_stay_strings() {
    let annotations: BTreeMap<String, String> =
        LOOKALIKES.iter().enumerate().map(|(i, s)| (format!("example.com/a{i}"), s.to_string())).collect();
    let mut items = vec![json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s3"},
        "stringData": {"accessKeyId": "id", "secretAccessKey": "key"},
    })];
    let mut servers = Vec::new();
    for (i, s) in LOOKALIKES.iter().enumerate() {
        let name = format!("s{i}");
        items.push(json!({
            "apiVersion": "dittofs.dittofs.com/v1alpha1", "kind": "DittoServer", "metadata": {"name": name},
            "spec": {
                "image": s,
                "storage": {"metadataSize": "1Gi"},
                "cache": {"size": s},
                "s3": {"credentialsSecretRef": {"secretName": "s3"}, "region": s},
                "service": {"annotations": annotations},
            },
        }));
        servers.push(json!({"name": name, "image": s, "region": s, "cache_size": s, "annotations": annotations}));
    }
    // An item the function does not read but rebuilds (flow style), lookalikes as keys and values.
    // `<<` too: written quoted, it is a key, no merge key.
    let data: BTreeMap<String, String> = LOOKALIKES.iter().map(|s| (s.to_string(), s.to_string())).collect();
    items.push(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "flow"}, "data": data}));

    // JSON is YAML flow style; every item is rebuilt by the function's own writer.
    let mut input = String::from("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n");
    for item in &items {
        input.push_str(&format!("- {}\n", escape_breaks(&item.to_string())));
    }
    let (code, stdout, stderr) = run_binary(&input);
    assert_eq!(code, 0, "stderr: {stderr}\n{stdout}");

    let dir = std::env::temp_dir().join(format!("dittofs-krm-yaml11-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let expected = json!({"servers": servers, "rebuilt": {"flow": data}});
    std::fs::write(dir.join("expected.json"), expected.to_string()).expect("write expected");
    std::fs::write(dir.join("output.yaml"), &stdout).expect("write output");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/yaml11_check.py");
    let check = Command::new("python3")
        .arg(script)
        .arg(dir.join("expected.json"))
        .arg(dir.join("output.yaml"))
        .output()
        .expect("python3 runs (installed with the machine; PyYAML by `make deps`)");
    let report = format!("{}{}", String::from_utf8_lossy(&check.stdout), String::from_utf8_lossy(&check.stderr));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(check.status.success(), "PyYAML (YAML 1.1) reads other values than were written:\n{report}");
    assert!(report.contains("0 strings changed"), "{report}");
}

/// U+0085, U+2028 and U+2029 are line breaks to YAML 1.1 readers: the input escapes them too.
fn escape_breaks(json: &str) -> String {
    json.chars()
        .map(|c| match c {
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => format!("\\u{:04x}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

#[test]
#[ignore = "needs python3 with PyYAML (`make deps`)"]
fn lookalike_table_is_read_as_non_strings_by_yaml_11() {
    // The table is only worth something if PyYAML, written plain, reads these as non-strings.
    let plain = ["on", "off", "yes", "no", "~", "null", "0123", "1e3", "0x1F", ".inf", "2024-01-01", "true", "12:30:00", "1_000", "+1"];
    let doc: String = plain.iter().enumerate().map(|(i, s)| format!("k{i}: {s}\n")).collect();
    let program = "import sys, yaml\nd = yaml.safe_load(sys.stdin)\nprint(sorted(k for k, v in d.items() if isinstance(v, str)))";
    let mut child = Command::new("python3")
        .args(["-c", program])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().expect("stdin").write_all(doc.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(out.status.success(), "PyYAML missing? {}", String::from_utf8_lossy(&out.stderr));
    // 1e3 is a string to YAML 1.1 (its floats need a dot) but a float to YAML 1.2 readers.
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "['k7']");
}
