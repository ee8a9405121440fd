//! Golden tests through the real binary: every `tests/cases/<case>/input.yaml` is piped to
//! `dittofs-krm` and its exit code, stdout and stderr are compared with an insta snapshot.

use std::io::Write;
use std::process::{Command, Stdio};

fn run_binary(input: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dittofs-krm"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dittofs-krm starts");
    child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    let out = child.wait_with_output().expect("dittofs-krm finishes");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn golden_cases() {
    insta::glob!("cases/*/input.yaml", |path| {
        let input = std::fs::read(path).expect("read input");
        let (code, stdout, stderr) = run_binary(&input);
        assert_ne!(code, 101, "dittofs-krm panicked on {}: {stderr}", path.display());
        insta::assert_snapshot!(format!("exit: {code}\n--- stderr\n{stderr}--- stdout\n{stdout}"));
    });
}
