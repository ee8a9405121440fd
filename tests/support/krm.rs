//! Runs the real binary and reads what it answered.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

pub struct Answer {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Answer {
    /// The `results` of the output ResourceList: (severity, message, field path).
    pub fn results(&self) -> Vec<(String, String, Option<String>)> {
        // The results come last and are written by the function itself; the items before them
        // may hold what no YAML library reads (they are the user's text).
        let Some(at) = self.stdout.find("\nresults:\n") else { return Vec::new() };
        let list: serde_yaml::Value =
            serde_yaml::from_str(&self.stdout[at..]).unwrap_or_else(|e| panic!("results are not YAML: {e}\n{}", self.stdout));
        list.get("results")
            .and_then(|r| r.as_sequence())
            .map(|rs| {
                rs.iter()
                    .map(|r| {
                        let s = |v: Option<&serde_yaml::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
                        (
                            s(r.get("severity")).unwrap_or_default(),
                            s(r.get("message")).unwrap_or_default(),
                            s(r.get("field").and_then(|f| f.get("path"))),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The output items as values, read by serde_yaml (libyaml) with its merge keys applied:
    /// not by the function's own reader, whose mistakes would then pass unseen.
    pub fn items(&self) -> Vec<serde_json::Value> {
        let mut list: serde_yaml::Value =
            serde_yaml::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not YAML: {e}\n{}", self.stdout));
        list.apply_merge().unwrap_or_else(|e| panic!("stdout's merge keys: {e}\n{}", self.stdout));
        let list: serde_json::Value =
            serde_json::to_value(list).unwrap_or_else(|e| panic!("stdout has no JSON form: {e}\n{}", self.stdout));
        list.get("items").and_then(|i| i.as_array()).cloned().unwrap_or_default()
    }

    /// Panics unless the binary ended normally (a panic exits with 101 and prints "panicked").
    pub fn assert_no_panic(&self) -> &Self {
        assert_ne!(self.code, 101, "dittofs-krm panicked: {}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "dittofs-krm panicked: {}", self.stderr);
        self
    }
}

pub fn run(input: &[u8]) -> Answer {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dittofs-krm"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dittofs-krm starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    // Written from a thread: a large input would otherwise fill the pipe while stdout fills too.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("dittofs-krm finishes");
    writer.join().expect("stdin writer");
    Answer {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

pub const HEADER: &str = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n";

/// A ResourceList holding one DittoServer `name` whose spec is `spec` (a YAML block indented by
/// four spaces), and the given further items (already `- `-prefixed YAML).
pub fn server_list(name: &str, spec: &str, more: &str) -> String {
    format!(
        "{HEADER}- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: {name}\n  spec:\n{spec}{more}"
    )
}

/// `dittofs-krm build ARGS` in `dir`, with `stdin`: (exit code, stdout, stderr).
pub fn build(dir: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dittofs-krm"))
        .arg("build")
        .args(args)
        .current_dir(dir)
        .env_remove("ARGOCD_APP_PARAMETERS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dittofs-krm starts");
    // A usage error exits before reading stdin; the broken pipe is expected then.
    let _ = child.stdin.take().expect("stdin").write_all(stdin.as_bytes());
    let out = child.wait_with_output().expect("dittofs-krm finishes");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}
