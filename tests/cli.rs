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
        for field in dittofs_krm::model::function_config::FIELDS {
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

/// Runs dittofs-krm with stdout (or stderr) going to `sink`.
fn run_into(args: &[&str], stdout: Stdio, stderr: Stdio) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dittofs-krm"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .expect("runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into())
}

fn dev_full() -> Stdio {
    Stdio::from(File::options().write(true).open("/dev/full").expect("/dev/full"))
}

#[test]
fn a_full_or_closed_stdout_is_an_io_error_not_a_panic() {
    for args in [&["--version"][..], &["crd"], &["--help"]] {
        let (code, stderr) = run_into(args, dev_full(), Stdio::piped());
        assert_eq!(code, 3, "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write stdout") && !stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // A closed stdout (`>&-`): the version goes nowhere, and nothing panics.
    let out = Command::new("sh")
        .args(["-c", &format!("{:?} --version >&-", env!("CARGO_BIN_EXE_dittofs-krm"))])
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(101), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_full_stderr_is_not_a_panic() {
    // A usage error writes only to stderr; writing it fails, and the exit code still tells.
    let (code, _) = run_into(&["--no-such-flag"], Stdio::null(), dev_full());
    assert_eq!(code, 3);
    let (code, _) = run_into(&["build", "/no/such/dir"], Stdio::null(), dev_full());
    assert_eq!(code, 3);
}

/// The part of `text` from the line starting with `head` to the next blank line.
fn section<'t>(text: &'t str, head: &str) -> &'t str {
    let at = text.find(head).unwrap_or_else(|| panic!("{head:?} missing from\n{text}"));
    let rest = &text[at..];
    &rest[..rest.find("\n\n").map_or(rest.len(), |end| end + 1)]
}

#[test]
fn the_readmes_command_line_block_is_the_generated_help() {
    let (code, help, _) = run_unreadable_stdin(&["--help"]);
    assert_eq!(code, 0);
    let expected = format!("{}\n{}", section(&help, "Usage:\n"), section(&help, "Exit codes:"));
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md");
    let after = readme.split_once("\n## Command line\n").expect("README.md has a `## Command line` section").1;
    let block = after.split_once("```text\n").and_then(|(_, b)| b.split_once("```\n")).expect("a ```text block").0;
    assert_eq!(block, expected, "README.md's command line block differs from `dittofs-krm --help`; copy the help's text there");
}

/// The README's architecture tree names every source file and folder, and nothing that is not.
#[test]
fn readme_architecture_tree_matches_src() {
    use std::collections::BTreeSet;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let section = readme.split_once("\n## Architecture\n").expect("README.md has a `## Architecture` section").1;
    let tree = section.split_once("```\n").and_then(|(_, rest)| rest.split_once("```")).expect("a code block").0;
    // The names of the tree, each `name.rs` or `name/` before its description.
    let mut named = BTreeSet::new();
    for line in tree.lines().skip(1) {
        let entries = line.trim_start_matches(|c: char| "│├└─ ".contains(c));
        let names = entries.split("  ").next().unwrap_or_default();
        for name in names.split(", ") {
            named.insert(name.trim().trim_end_matches('/').to_string());
        }
    }
    let mut present = BTreeSet::new();
    fn walk(dir: &std::path::Path, present: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            if path.is_dir() {
                walk(&path, present);
                present.insert(name);
            } else if name.ends_with(".rs") && name != "mod.rs" && !name.ends_with("_tests.rs") {
                present.insert(name);
            }
        }
    }
    walk(&root.join("src"), &mut present);
    named.remove("mod.rs");
    assert_eq!(named, present, "README.md's architecture tree and src/ differ");
}

/// A release line's facts are its module's: outside `src/server/v0_4/`, no file under `src/`
/// names the v0.4 binary, paths, adapter ports, release or image.
#[test]
fn each_lines_facts_live_in_its_line_module_only() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let lines = root.join("src/server");
    // Each line's own facts, and the facts the lines share (the server's adapter ports, the
    // image's repository): none of them anywhere under src/ but in a line's module.
    let own: [(&str, &[&str]); 2] = [
        ("v0_4", &["/app/dittofs", "/data/cache", "/data/metadata", "/data/content", "v0.4.2"]),
        ("v0_29", &["/app/dfs", "/data/store", "v0.29.0"]),
    ];
    let shared = ["12049", "1445", "marmos91c/dittofs"];
    let mut found = Vec::new();
    let mut files = Vec::new();
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    walk(&root.join("src"), &mut files);
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file");
        let home = own.iter().find(|(line, _)| file.starts_with(lines.join(line))).map(|(line, _)| *line);
        for (line, facts) in &own {
            for fact in facts.iter().filter(|f| text.contains(**f) && home != Some(*line)) {
                found.push(format!("{} names {fact}, a fact of {line}", file.display()));
            }
        }
        for fact in shared.iter().filter(|f| text.contains(**f) && home.is_none()) {
            found.push(format!("{} names {fact}", file.display()));
        }
    }
    assert!(files.len() > 40, "the walk found the source files ({})", files.len());
    for (line, _) in &own {
        assert!(lines.join(line).join("facts.rs").exists(), "the {line} line keeps its facts in its facts.rs");
    }
    assert!(found.is_empty(), "{found:#?}");
}
