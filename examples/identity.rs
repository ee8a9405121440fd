//! The benchmark's yardstick: parses a YAML document from stdin into a `serde_yaml::Value` and
//! emits it again on stdout — the least a function that deserialises its whole input must do.
//! `make bench` compares dittofs-krm with it (bench/run.py).

use std::io::{self, Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = io::stdin().read_to_string(&mut input) {
        eprintln!("identity: cannot read stdin: {e}");
        return ExitCode::from(3);
    }
    let value: serde_yaml::Value = match serde_yaml::from_str(&input) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("identity: {e}");
            return ExitCode::from(2);
        }
    };
    let output = match serde_yaml::to_string(&value) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("identity: {e}");
            return ExitCode::from(2);
        }
    };
    let mut stdout = io::stdout().lock();
    if let Err(e) = stdout.write_all(output.as_bytes()).and_then(|()| stdout.flush()) {
        eprintln!("identity: cannot write stdout: {e}");
        return ExitCode::from(3);
    }
    ExitCode::SUCCESS
}
