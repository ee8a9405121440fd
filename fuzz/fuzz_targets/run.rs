//! Fuzzes the whole `dittofs_krm::run` path: any UTF-8 input, then the output run again.
//! The checks (no panic, output accepted, idempotence, no lost item) live in the oracle shared
//! with `tests/fuzz_regressions.rs`, so a crashing input saved there fails `cargo test` too.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/oracle.rs"]
mod oracle;

fuzz_target!(|data: &[u8]| {
    // The binary reads stdin with read_to_string: non-UTF-8 input is rejected before `run`.
    if let Ok(input) = std::str::from_utf8(data) {
        oracle::check(input);
    }
});
