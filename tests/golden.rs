//! Golden tests through the real binary: every `tests/cases/<case>/input.yaml` is piped to
//! `dittofs-krm` and its exit code, stdout and stderr are compared with an insta snapshot.

#[path = "support/krm.rs"]
mod krm;

#[test]
fn golden_cases() {
    insta::glob!("cases/*/input.yaml", |path| {
        let input = std::fs::read(path).expect("read input");
        let krm::Answer { code, stdout, stderr } = krm::run(&input);
        assert_ne!(code, 101, "dittofs-krm panicked on {}: {stderr}", path.display());
        insta::assert_snapshot!(format!("exit: {code}\n--- stderr\n{stderr}--- stdout\n{stdout}"));
    });
}
