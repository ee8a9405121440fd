//! The command line: help, version, usage errors.

use std::fs::File;
use std::process::{Command, Stdio};

/// Runs dittofs-krm with a directory as stdin: reading it fails, so a command that must not
/// read stdin proves it did not by succeeding.
fn run_unreadable_stdin(args: &[&str]) -> (i32, String, String) {
    let stdin = File::open(env!("CARGO_MANIFEST_DIR")).expect("open a directory");
    let out = Command::new(env!("CARGO_BIN_EXE_dittofs-krm")).args(args).stdin(Stdio::from(stdin)).output().expect("runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn help_lists_every_function_config_field_and_value_without_reading_stdin() {
    let schema = dittofs_krm::crd::function_config_schema();
    for args in [&["--help"][..], &["-h"], &["build", "--help"]] {
        let (code, stdout, stderr) = run_unreadable_stdin(args);
        assert_eq!((code, stderr.as_str()), (0, ""), "{args:?}");
        assert!(stdout.starts_with("dittofs-krm: expands DittoServer"), "{stdout}");
        for field in dittofs_krm::api::function_config::FIELDS {
            assert!(stdout.contains(&format!("\n  {field}")), "{field} missing from --help:\n{stdout}");
            for value in schema["properties"][field]["enum"].as_array().into_iter().flatten() {
                assert!(stdout.contains(value.as_str().unwrap()), "{field}: {value} missing from --help");
            }
        }
        for command in ["build [PATH|-]", "dittofs-krm crd", "dittofs-krm schema", "Exit codes: 0"] {
            assert!(stdout.contains(command), "{command} missing from --help");
        }
    }
}

#[test]
fn reading_an_unreadable_stdin_is_an_io_error() {
    // The check above relies on this: the function mode does read stdin and fails.
    let (code, stdout, _) = run_unreadable_stdin(&[]);
    assert_eq!((code, stdout.as_str()), (3, ""));
}

#[test]
fn version_and_usage_errors() {
    let (code, stdout, _) = run_unreadable_stdin(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, format!("dittofs-krm {}\n", env!("CARGO_PKG_VERSION")));
    for args in [&["--bogus"][..], &["crd", "extra"], &["schema", "x"]] {
        let (code, stdout, stderr) = run_unreadable_stdin(args);
        assert_eq!((code, stdout.as_str()), (3, ""), "{args:?}");
        assert!(stderr.contains("dittofs-krm --help"), "{stderr}");
    }
}
