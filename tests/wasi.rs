//! The WASI build (wasm32-wasip1) must behave exactly like the native binary: for every
//! `tests/cases/<case>/input.yaml`, `dittofs-krm` and the module run through both runners
//! (`wasi/dittofs-krm-node`, `wasi/dittofs-krm-wasmtime`) must give the same exit code, stdout and
//! stderr bytes. The end-to-end tests run the runners under `kpt fn eval` as exec functions.
//!
//! These tests need the built module (`make wasm`), Node 20+, the `wasmtime` Python package and
//! kpt, so they are `#[ignore]`d; `make test` provides all of them and runs them, and there a
//! missing one fails the test (it never skips).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const NATIVE: &str = env!("CARGO_BIN_EXE_dittofs-krm");
const RUNNERS: [&str; 2] = ["wasi/dittofs-krm-node", "wasi/dittofs-krm-wasmtime"];

/// Tests in one binary run on parallel threads; running them one at a time keeps the reported
/// timings free of each other's load (the machines this runs on have few cores).
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Debug, PartialEq, Eq)]
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Run {
    fn describe(&self) -> String {
        format!(
            "exit {:?}, {} stdout bytes, stderr:\n{}",
            self.code,
            self.stdout.len(),
            String::from_utf8_lossy(&self.stderr)
        )
    }
}

/// Runs `program args` from the repository root with `input` on stdin; `env` adds variables.
fn run(program: &str, args: &[&str], env: &[(&str, &Path)], input: &[u8]) -> (Run, Duration) {
    let started = Instant::now();
    let mut command = Command::new(program);
    command.args(args).current_dir(ROOT).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().unwrap_or_else(|e| {
        panic!("cannot start {program} (Node 20+, python3 and kpt must be on PATH; `make deps`): {e}")
    });
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // Write from a thread: a large output could otherwise fill the stdout pipe while we still write.
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        // A program that exits before reading all its input (e.g. `--version`) closes the pipe.
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{program} does not finish: {e}"));
    let elapsed = started.elapsed();
    writer.join().expect("stdin writer");
    (Run { code: out.status.code(), stdout: out.stdout, stderr: out.stderr }, elapsed)
}

/// The module the runners load by default (or the one DITTOFS_KRM_WASM names, as they do).
fn wasm_module() -> PathBuf {
    let path = std::env::var_os("DITTOFS_KRM_WASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(ROOT).join("target/wasm32-wasip1/release/dittofs-krm.wasm"));
    assert!(path.is_file(), "the WASI module {} is missing: run `make wasm`", path.display());
    path
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("tests/cases"))
        .expect("read tests/cases")
        .map(|entry| entry.expect("read tests/cases entry").path().join("input.yaml"))
        .filter(|input| input.is_file())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no tests/cases/*/input.yaml found");
    cases
}

#[test]
#[ignore = "needs node, the wasmtime pip package and the WASI module (`make deps wasm`)"]
fn every_case_is_identical_under_wasi() {
    let _serial = serial();
    wasm_module();
    let mut mismatches = Vec::new();
    let mut timings = String::new();
    let mut totals = [Duration::ZERO; 3];
    for input_path in cases() {
        let case = input_path.parent().and_then(Path::file_name).expect("case folder").to_string_lossy().into_owned();
        let input = std::fs::read(&input_path).expect("read input");
        let (native, native_time) = run(NATIVE, &[], &[], &input);
        assert_ne!(native.code, Some(101), "dittofs-krm panicked on {case}: {}", native.describe());
        let mut line = format!("{case:<36} native {:>6.3}s", native_time.as_secs_f64());
        totals[0] += native_time;
        for (i, runner) in RUNNERS.iter().enumerate() {
            let (wasi, wasi_time) = run(runner, &[], &[], &input);
            line += &format!("  {} {:>6.3}s", runner.trim_start_matches("wasi/dittofs-krm-"), wasi_time.as_secs_f64());
            totals[i + 1] += wasi_time;
            if wasi != native {
                mismatches.push(format!(
                    "{case}: {runner} differs from the native binary (if the sources changed, rebuild \
                     with `make wasm`)\n  native: {}\n  {runner}: {}",
                    native.describe(),
                    wasi.describe()
                ));
            }
        }
        timings += &line;
        timings.push('\n');
    }
    // Reported, not asserted: visible with `cargo test --test wasi -- --nocapture`.
    eprintln!(
        "wall time per case (the first wasmtime run may include compiling the module):\n{timings}\
         {:<36} native {:>6.3}s  node {:>6.3}s  wasmtime {:>6.3}s",
        "total",
        totals[0].as_secs_f64(),
        totals[1].as_secs_f64(),
        totals[2].as_secs_f64()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
}

#[test]
#[ignore = "needs node, the wasmtime pip package and the WASI module (`make deps wasm`)"]
fn command_line_is_identical_under_wasi() {
    let _serial = serial();
    wasm_module();
    for args in [&["--version"][..], &["--help"], &["--bogus"]] {
        let (native, _) = run(NATIVE, args, &[], b"");
        for runner in RUNNERS {
            let (wasi, _) = run(runner, args, &[], b"");
            assert_eq!(wasi, native, "{runner} {args:?} differs from the native binary");
        }
    }
    // Invalid UTF-8 on stdin: the native binary rejects it with exit 2, and so must the module.
    let (native, _) = run(NATIVE, &[], &[], b"\xff\xfe items: []\n");
    assert_eq!(native.code, Some(2));
    for runner in RUNNERS {
        assert_eq!(run(runner, &[], &[], b"\xff\xfe items: []\n").0, native, "{runner} on invalid UTF-8");
    }
}

/// `(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
///  (memory (export "memory") 1) (func (export "_start") i32.const 7 call $exit))`
const EXIT_7: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x00,
    0x02, 0x24, 0x01, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f,
    0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x09, 0x70, 0x72, 0x6f, 0x63, 0x5f, 0x65, 0x78, 0x69, 0x74,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d,
    0x6f, 0x72, 0x79, 0x02, 0x00, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x01, 0x0a, 0x08, 0x01, 0x06,
    0x00, 0x41, 0x07, 0x10, 0x00, 0x0b,
];

/// `(module (memory (export "memory") 1) (func (export "_start") unreachable))`: what a Rust
/// panic becomes on wasm32-wasip1 (panics abort there).
const TRAP: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
    0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06,
    0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
];

#[test]
#[ignore = "needs node and the wasmtime pip package (`make deps`)"]
fn runners_propagate_exit_codes_traps_and_a_missing_module() {
    let _serial = serial();
    let dir = std::env::temp_dir().join(format!("dittofs-krm-wasi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let (exit_7, trap, missing) = (dir.join("exit7.wasm"), dir.join("trap.wasm"), dir.join("missing.wasm"));
    std::fs::write(&exit_7, EXIT_7).expect("write exit7.wasm");
    std::fs::write(&trap, TRAP).expect("write trap.wasm");
    for runner in RUNNERS {
        let (run7, _) = run(runner, &[], &[("DITTOFS_KRM_WASM", &exit_7)], b"");
        assert_eq!(run7.code, Some(7), "{runner}: proc_exit(7) must exit 7; {}", run7.describe());
        let (trapped, _) = run(runner, &[], &[("DITTOFS_KRM_WASM", &trap)], b"");
        assert_eq!(trapped.code, Some(101), "{runner}: a trap must exit 101 like a panic; {}", trapped.describe());
        assert!(String::from_utf8_lossy(&trapped.stderr).contains("trapped"), "{runner}: {}", trapped.describe());
        let (absent, _) = run(runner, &[], &[("DITTOFS_KRM_WASM", &missing)], b"");
        assert_eq!(absent.code, Some(3), "{runner}: a missing module is a usage error; {}", absent.describe());
        assert!(String::from_utf8_lossy(&absent.stderr).contains("make wasm"), "{runner}: {}", absent.describe());
    }
    std::fs::remove_dir_all(&dir).expect("remove temp dir");
}

/// `kpt fn eval - --exec EXEC` from the repository root (kpt resolves a relative exec path from
/// its working directory), with `input` on stdin.
fn kpt_eval(exec: &str, input: &[u8]) -> Run {
    run("kpt", &["fn", "eval", "-", "--exec", exec], &[], input).0
}

#[test]
#[ignore = "needs kpt, node, the wasmtime pip package and the WASI module (`make deps wasm`)"]
fn kpt_runs_the_wasi_module_like_the_native_binary() {
    let _serial = serial();
    wasm_module();
    let input = std::fs::read(Path::new(ROOT).join("tests/cases/memory-sample/input.yaml")).expect("read input");
    let native = kpt_eval(NATIVE, &input);
    assert_eq!(native.code, Some(0), "kpt with the native binary: {}", native.describe());
    let stdout = String::from_utf8_lossy(&native.stdout);
    assert!(
        stdout.contains("kind: StatefulSet") && stdout.contains("name: dittofs-sample-config"),
        "kpt with the native binary did not expand the sample:\n{stdout}"
    );
    for runner in RUNNERS {
        let wasi = kpt_eval(runner, &input);
        assert_eq!(wasi.code, native.code, "kpt --exec {runner}: {}", wasi.describe());
        assert_eq!(
            String::from_utf8_lossy(&wasi.stdout),
            stdout,
            "kpt --exec {runner} writes other output than with the native binary"
        );
    }
}

#[test]
#[ignore = "needs kpt, node, the wasmtime pip package and the WASI module (`make deps wasm`)"]
fn kpt_sees_the_wasi_module_fail_like_the_native_binary() {
    let _serial = serial();
    wasm_module();
    let input = std::fs::read(Path::new(ROOT).join("tests/cases/rule-port-clash/input.yaml")).expect("read input");
    let native = kpt_eval(NATIVE, &input);
    assert_eq!(native.code, Some(1), "kpt with the native binary: {}", native.describe());
    // kpt's report names the exec path and how long it ran ("[FAIL] \"PATH\" in 400ms"); the
    // rest (results, exit code) must match.
    let report = |run: &Run, exec: &str| {
        String::from_utf8_lossy(&run.stderr)
            .replace(exec, "EXEC")
            .lines()
            .map(|line| match line.split_once("\" in ") {
                Some((head, _duration)) if line.starts_with('[') => head,
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let native_report = report(&native, NATIVE);
    assert!(native_report.contains("port 9000 is used by both nfs and smb"), "kpt report:\n{native_report}");
    for runner in RUNNERS {
        let wasi = kpt_eval(runner, &input);
        assert_eq!(wasi.code, native.code, "kpt --exec {runner}: {}", wasi.describe());
        assert_eq!(wasi.stdout, native.stdout, "kpt --exec {runner}: stdout");
        assert_eq!(report(&wasi, runner), native_report, "kpt --exec {runner}: report");
    }
}
