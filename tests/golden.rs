//! Golden tests through the real binary: every `tests/cases/<case>/input.yaml` is piped to
//! `dittofs-krm` and its exit code, stdout and stderr are compared with an insta snapshot.

use crate::support::krm;

/// The snapshots were named when each test file was its own crate, whose module path was
/// `golden`: `golden__golden_cases@<case>__input.yaml.snap`. In the one test crate it is
/// `tests::golden`, so the name is given without the module path and the same files are read.
const SNAPSHOT: &str = "golden__golden_cases";

#[test]
fn golden_cases() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    let _bound = settings.bind_to_scope();
    insta::glob!("cases/*/input.yaml", |path| {
        let input = std::fs::read(path).expect("read input");
        let krm::Answer { code, stdout, stderr } = krm::run(&input);
        assert_ne!(code, 101, "dittofs-krm panicked on {}: {stderr}", path.display());
        insta::assert_snapshot!(SNAPSHOT, format!("exit: {code}\n--- stderr\n{stderr}--- stdout\n{stdout}"));
    });
}
