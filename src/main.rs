//! The dittofs-krm binary: reads a ResourceList on stdin, writes one on stdout.
//!
//! Exit codes: 0 no error result; 1 an error result (the ResourceList is still written);
//! 2 the input is not a ResourceList (message on stderr); 3 a usage or IO error.

use std::io::{self, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "\
dittofs-krm: expands DittoServer resources (dittofs.dittofs.com/v1alpha1) into the ConfigMap,
Services and StatefulSet that run them. A KRM function: reads a ResourceList on stdin, writes one
with results on stdout.

Usage:
  dittofs-krm < resource-list.yaml
  kpt fn eval DIR --exec ./dittofs-krm [-- storageClassCheck=strict|warn|off]

Options:
  -h, --help       print this help
  -V, --version    print the version

functionConfig (apiVersion: fn.dittofs.com/v1alpha1, kind: DittoServerExpansion, or a ConfigMap):
  storageClassCheck  strict | warn | off (default warn): what a storageClassName gets when the
                     input holds no StorageClass objects to check it against

Exit codes: 0 no error result, 1 an error result (output still written), 2 input not a
ResourceList, 3 usage or IO error.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => function(),
        Some("-h" | "--help") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some("-V" | "--version") => {
            println!("dittofs-krm {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("dittofs-krm: unknown argument {other:?}; see `dittofs-krm --help`");
            ExitCode::from(3)
        }
    }
}

fn function() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = io::stdin().read_to_string(&mut input) {
        eprintln!("dittofs-krm: cannot read stdin: {e}");
        return ExitCode::from(if e.kind() == io::ErrorKind::InvalidData { 2 } else { 3 });
    }
    // The output goes to stdout as it is produced: it is larger than the input and need not be
    // held in memory.
    let mut stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    match dittofs_krm::run_to(&input, &mut stdout).and_then(|results| {
        stdout.flush().map_err(dittofs_krm::RunError::Write)?;
        Ok(results)
    }) {
        Ok(results) => {
            if results.iter().any(|r| r.severity == dittofs_krm::wire::Severity::Error) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(dittofs_krm::RunError::Write(e)) => {
            eprintln!("dittofs-krm: cannot write stdout: {e}");
            ExitCode::from(3)
        }
        Err(dittofs_krm::RunError::Input(e)) => {
            eprintln!("dittofs-krm: {e}");
            ExitCode::from(2)
        }
    }
}
