//! `run_to` streams the same ResourceList that `run` returns, and writes nothing for an input
//! that is not a ResourceList.

use std::fs;

#[test]
fn run_to_writes_what_run_returns() {
    for case in ["memory-sample", "rerun-own-output", "generated-before-server", "passthrough-unrelated"] {
        let input = fs::read_to_string(format!("tests/cases/{case}/input.yaml")).expect("read case");
        let expected = dittofs_krm::run(&input).expect("a ResourceList");
        let mut out = Vec::new();
        let results = dittofs_krm::run_to(&input, &mut out).expect("a ResourceList");
        assert_eq!(String::from_utf8(out).expect("UTF-8"), expected.resource_list, "{case}");
        assert_eq!(results, expected.results, "{case}");
    }
}

#[test]
fn run_to_writes_nothing_for_an_input_that_is_not_a_resource_list() {
    let mut out = Vec::new();
    let err = dittofs_krm::run_to("apiVersion: v1\nkind: ConfigMap\n", &mut out).expect_err("not a ResourceList");
    assert!(matches!(err, dittofs_krm::RunError::Input(_)), "{err}");
    assert!(out.is_empty());
}

/// A sink that fails after `room` bytes, like a closed pipe.
struct Full {
    room: usize,
}

impl std::io::Write for Full {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed"));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_sink_is_a_write_error() {
    let input = fs::read_to_string("tests/cases/memory-sample/input.yaml").expect("read case");
    let err = dittofs_krm::run_to(&input, &mut Full { room: 100 }).expect_err("the sink fails");
    assert!(matches!(err, dittofs_krm::RunError::Write(_)), "{err}");
}
