//! The floor of the function's scan, for the benchmark: reads a YAML document from stdin and
//! pulls every saphyr-parser event, building nothing, then prints the number of events. The
//! function's outline builder (src/yaml/outline.rs) takes these events for input outside the
//! line source's subset. `make bench` runs it (bench/run.py).

use std::io::{self, Read};
use std::process::ExitCode;

use saphyr_parser::Parser;

fn main() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = io::stdin().read_to_string(&mut input) {
        eprintln!("saphyr_events: cannot read stdin: {e}");
        return ExitCode::from(3);
    }
    let mut events = 0usize;
    for next in Parser::new_from_str(&input) {
        if let Err(e) = next {
            eprintln!("saphyr_events: {e}");
            return ExitCode::from(2);
        }
        events += 1;
    }
    println!("{events}");
    ExitCode::SUCCESS
}
