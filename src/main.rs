//! The dittofs-krm binary: reads a ResourceList on stdin, writes one on stdout.
//!
//! Exit codes: 0 no error result; 1 an error result (the ResourceList is still written);
//! 2 the input is not a ResourceList (message on stderr); 3 a usage or IO error. They are
//! chosen in one place, `cli::failure` (its `EXIT_CODES` table is what `--help` prints); the
//! commands and their options are defined once, in `cli::commands`. The library does no process
//! IO: reading stdin and files, writing stdout and stderr happen here and in `cli`.

use std::io::{self, Read, Write};
use std::process::ExitCode;

/// See Cargo.toml: the native build allocates with mimalloc, the WASI module with Rust's own.
/// mimalloc keeps the pages freed for 10 ms (its default purge delay) before it returns them to
/// the system. Returned at once, the peak on the 7.5 MB bench list was 1.6 MB lower, but a run
/// on both cores spent a fifth of its CPU time in the kernel (pages returned, faulted in again,
/// and the other core's TLB flushed each time) and took 15 % longer.
#[cfg(not(target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `eprintln!` without its panic when stderr is closed or full: a message that cannot be shown
/// must not turn an answer into a crash. Defined before `mod cli`, so that `cli` can use it.
macro_rules! say {
    ($($arg:tt)*) => {{
        let line = format!("{}\n", format_args!($($arg)*));
        let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
    }};
}

mod cli;

use cli::commands::{self, Invocation};
use cli::failure::{self, Failure};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    failure::exit(run(&args))
}

fn run(args: &[String]) -> Result<(), Failure> {
    match commands::parse(args)? {
        Invocation::Function => function(),
        Invocation::Build { paths, previous, settings } => build(&paths, previous.as_deref(), settings),
        Invocation::Crd => print_text(&dittofs_krm::yaml::to_string(&dittofs_krm::crd::crd_value())),
        Invocation::Schema => {
            let schema = dittofs_krm::crd::function_config_schema();
            print_text(&format!("{}\n", serde_json::to_string_pretty(&schema).unwrap_or_default()))
        }
        // Help never reads stdin, so `kpt fn doc` and a terminal both get it at once.
        Invocation::Help => print_text(&cli::help::usage()),
        Invocation::Version => print_text(&format!("dittofs-krm {}\n", env!("CARGO_PKG_VERSION"))),
    }
}

/// The KRM function: the ResourceList on stdin, the one with results on stdout.
fn function() -> Result<(), Failure> {
    let mut input = String::with_capacity(stdin_file_len().unwrap_or(0));
    io::stdin().read_to_string(&mut input).map_err(|e| {
        let message = format!("dittofs-krm: cannot read stdin: {e}");
        // Bytes that are not UTF-8 are no ResourceList; any other failure is the reading's.
        if e.kind() == io::ErrorKind::InvalidData {
            Failure::NotAResourceList(message)
        } else {
            Failure::Io(message)
        }
    })?;
    // The output goes to stdout as it is produced: it is larger than the input and need not be
    // held in memory.
    let mut stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let results = dittofs_krm::run_to(&input, &mut stdout)?;
    stdout.flush().map_err(|e| Failure::stdout("dittofs-krm", e))?;
    let errors: Vec<_> = results.into_iter().filter(|r| r.severity == dittofs_krm::krm::Severity::Error).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Failure::Results(errors))
    }
}

/// The size of stdin when it is a file: the input is then read into one buffer of that size,
/// where a buffer that doubles as it fills is copied at each step and touches twice the memory.
#[cfg(unix)]
fn stdin_file_len() -> Option<usize> {
    use std::os::fd::AsFd;
    let metadata = std::fs::File::from(io::stdin().as_fd().try_clone_to_owned().ok()?).metadata().ok()?;
    if metadata.is_file() {
        usize::try_from(metadata.len()).ok()
    } else {
        None
    }
}

#[cfg(not(unix))]
fn stdin_file_len() -> Option<usize> {
    None
}

/// `build`: plain manifests in, a plain stream out (Argo CD).
fn build(paths: &[String], previous: Option<&str>, mut config: Vec<(String, String)>) -> Result<(), Failure> {
    // Argo CD passes the Application's plugin parameters as JSON in this variable.
    if let Ok(json) = std::env::var("ARGOCD_APP_PARAMETERS") {
        let pairs = dittofs_krm::build::argocd_parameters(&json)
            .map_err(|e| Failure::Usage(format!("dittofs-krm build: ARGOCD_APP_PARAMETERS: {e}")))?;
        config.extend(pairs);
    }
    let sources = cli::sources::read(paths).map_err(|e| Failure::Io(format!("dittofs-krm build: {e}")))?;
    let previous = previous
        .map(|p| cli::sources::read(&[p.to_string()]))
        .transpose()
        .map_err(|e| Failure::Io(format!("dittofs-krm build: {}: {e}", cli::commands::PREVIOUS)))?;
    let built = dittofs_krm::build::build_against(&sources, previous.as_deref(), &config)?;
    // Warnings and infos: with an error result, the failure reports them instead.
    for r in &built.results {
        say!("{}", r.one_line());
    }
    write_stdout("dittofs-krm build", &built.stream)
}

fn print_text(text: &str) -> Result<(), Failure> {
    write_stdout("dittofs-krm", text)
}

fn write_stdout(command: &str, text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).map_err(|e| Failure::stdout(command, e))
}
