//! The fuzz target's checks (tests/support/oracle.rs) on every golden input and on every input
//! the fuzzer once found failing (tests/fuzz-regressions/), so a fixed crash stays fixed
//! without a fuzzer on the machine.

use crate::support::oracle;

use std::path::Path;

fn inputs(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| keep(p))
        .collect();
    out.sort();
    out
}

#[test]
fn golden_inputs_hold_the_fuzz_properties() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let cases = inputs(&root, |p| p.join("input.yaml").is_file());
    assert!(cases.len() >= 30, "expected the golden cases under {}", root.display());
    for case in cases {
        let input = std::fs::read_to_string(case.join("input.yaml")).expect("read input");
        oracle::check(&input);
    }
}

#[test]
fn inputs_the_fuzzer_found_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let files = inputs(&root, |p| p.is_file());
    assert!(!files.is_empty(), "tests/fuzz-regressions holds the fuzzer's findings");
    for file in files {
        // Bytes as the fuzzer saw them; non-UTF-8 files are skipped by the target as well.
        let bytes = std::fs::read(&file).expect("read regression input");
        if let Ok(input) = std::str::from_utf8(&bytes) {
            oracle::check(input);
        }
    }
}
