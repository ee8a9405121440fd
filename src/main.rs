//! The dittofs-krm binary: reads a ResourceList on stdin, writes one on stdout.
//!
//! Exit codes: 0 no error result; 1 an error result (the ResourceList is still written);
//! 2 the input is not a ResourceList (message on stderr); 3 a usage or IO error.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// See Cargo.toml: the native build allocates with mimalloc, the WASI module with Rust's own.
#[cfg(not(target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `eprintln!` without its panic when stderr is closed or full: a message that cannot be shown
/// must not turn an answer into a crash.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(io::stderr().lock(), $($arg)*);
    }};
}


// A hand-written parser: four modes and `-- key=value` need no more, and clap would add compile
// time to the native and WASI builds while the functionConfig part of the help is generated from
// the schema anyway.
const USAGE_HEAD: &str = "\
dittofs-krm: expands DittoServer resources (dittofs.dittofs.com/v1alpha1) into the ConfigMap,
Services and StatefulSet that run them. A KRM function: reads a ResourceList on stdin, writes one
with results on stdout.

Usage:
  dittofs-krm < resource-list.yaml       the KRM function (kpt, kustomize, any KRM client)
  dittofs-krm build [PATH|-]... [-- key=value...]
                   plain manifests (files; directories, read recursively for *.yaml and *.yml;
                   - for stdin) in, a plain manifest stream ready to apply out (Argo CD). Results
                   go to stderr; on any error nothing is printed on stdout. The functionConfig is
                   the key=value settings, Argo CD's ARGOCD_APP_PARAMETERS, or a
                   DittoServerExpansion among the manifests
  dittofs-krm crd                        print the DittoServer CustomResourceDefinition
  dittofs-krm schema                     print the functionConfig's JSON schema
  dittofs-krm -h | --help                print this help
  dittofs-krm -V | --version             print the version

Examples:
  kpt fn eval DIR --exec ./dittofs-krm -- storageClassCheck=strict
  kpt fn render DIR --allow-exec         (Kptfile pipeline: `exec: ./dittofs-krm`)
  kustomize fn run DIR --enable-exec --exec-path ./dittofs-krm
  kustomize build --enable-alpha-plugins --enable-exec DIR
  dittofs-krm build . -- storageClassCheck=off

";

const USAGE_TAIL: &str = "
Exit codes: 0 no error result; 1 an error result (the function still writes its ResourceList
and writes the error results to stderr, one line each; build writes nothing) or, for build,
nothing to apply; 2 the input is not a ResourceList (build:
a manifest is not YAML or not an object); 3 a usage or IO error.
";

/// The help text; its functionConfig part lists every field of the functionConfig's schema.
fn usage() -> String {
    let mut text = String::from(USAGE_HEAD);
    text.push_str(&format!(
        "functionConfig: apiVersion: {}, kind: {}, with these fields,\nor a ConfigMap whose data holds the same keys as strings (`-- key=value`):\n",
        dittofs_krm::api::function_config::API_VERSION,
        dittofs_krm::api::function_config::KIND
    ));
    let schema = dittofs_krm::crd::function_config_schema();
    let empty = serde_json::Map::new();
    let properties = schema["properties"].as_object().unwrap_or(&empty);
    for (name, property) in properties.iter().filter(|(k, _)| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata")) {
        let values: Vec<String> = property["enum"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect();
        let mut head = format!("  {name}");
        if !values.is_empty() {
            head.push_str(&format!(": {}", values.join(" | ")));
        }
        if let Some(default) = property["default"].as_str() {
            head.push_str(&format!(" (default {default})"));
        }
        text.push_str(&head);
        text.push('\n');
        let description = property["description"].as_str().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
        text.push_str(&wrap(&description, "      ", 96));
    }
    text.push_str(USAGE_TAIL);
    text
}

fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > width {
            out.push_str(&format!("{indent}{line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("{indent}{line}\n"));
    }
    out
}

fn help() -> ExitCode {
    print_text(&usage())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => function(),
        // Help never reads stdin, so `kpt fn doc` and a terminal both get it at once.
        _ if args.iter().take_while(|a| *a != "--").any(|a| a == "-h" || a == "--help") => help(),
        Some("build") => build(&args[1..]),
        Some("crd") if args.len() == 1 => print_text(&crd_yaml()),
        Some("schema") if args.len() == 1 => print_text(&schema_json()),
        Some(command @ ("crd" | "schema")) => {
            say!("dittofs-krm {command} takes no arguments; see `dittofs-krm --help`");
            ExitCode::from(3)
        }
        Some("-V" | "--version") => print_text(&format!("dittofs-krm {}\n", env!("CARGO_PKG_VERSION"))),
        Some(other) => {
            say!("dittofs-krm: unknown argument {other:?}; see `dittofs-krm --help`");
            ExitCode::from(3)
        }
    }
}

fn function() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = io::stdin().read_to_string(&mut input) {
        say!("dittofs-krm: cannot read stdin: {e}");
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
            let mut errors = results.iter().filter(|r| r.severity == dittofs_krm::wire::Severity::Error).peekable();
            if errors.peek().is_none() {
                return ExitCode::SUCCESS;
            }
            // kpt shows the results; kustomize and Argo CD show only stderr and the exit code.
            for r in errors {
                say!("{}", r.one_line());
            }
            ExitCode::from(1)
        }
        Err(dittofs_krm::RunError::Write(e)) => {
            say!("dittofs-krm: cannot write stdout: {e}");
            ExitCode::from(3)
        }
        Err(dittofs_krm::RunError::Input(e)) => {
            say!("dittofs-krm: {e}");
            ExitCode::from(2)
        }
    }
}

/// `build [PATH|-]... [-- key=value...]`: plain manifests in, a plain stream out (Argo CD).
fn build(args: &[String]) -> ExitCode {
    let (paths, settings) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (args, &args[args.len()..]),
    };
    if paths.is_empty() {
        say!("dittofs-krm build: name the manifests to read: files, directories or - for stdin (e.g. `dittofs-krm build .`)");
        return ExitCode::from(3);
    }
    let mut config = Vec::new();
    for setting in settings {
        match setting.split_once('=') {
            Some((k, v)) => config.push((k.to_string(), v.to_string())),
            None => {
                say!("dittofs-krm build: {setting:?} after -- is not a key=value setting");
                return ExitCode::from(3);
            }
        }
    }
    // Argo CD passes the Application's plugin parameters as JSON in this variable.
    if let Ok(json) = std::env::var("ARGOCD_APP_PARAMETERS") {
        match dittofs_krm::build::argocd_parameters(&json) {
            Ok(pairs) => config.extend(pairs),
            Err(e) => {
                say!("dittofs-krm build: ARGOCD_APP_PARAMETERS: {e}");
                return ExitCode::from(3);
            }
        }
    }
    let sources = match read_sources(paths) {
        Ok(s) => s,
        Err(e) => {
            say!("dittofs-krm build: {e}");
            return ExitCode::from(3);
        }
    };
    match dittofs_krm::build::build(&sources, &config) {
        Ok(built) => {
            for r in &built.results {
                say!("{}", r.one_line());
            }
            let mut stdout = io::stdout().lock();
            if let Err(e) = stdout.write_all(built.stream.as_bytes()).and_then(|()| stdout.flush()) {
                say!("dittofs-krm build: cannot write stdout: {e}");
                return ExitCode::from(3);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if let dittofs_krm::build::BuildError::Results(results) = &e {
                for r in results {
                    say!("{}", r.one_line());
                }
            }
            say!("dittofs-krm build: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Reads every named file, every `*.yaml`/`*.yml` below a named directory (sorted, hidden
/// entries skipped) and stdin for `-`, as (name, text) pairs.
fn read_sources(paths: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut sources = Vec::new();
    let mut stdin_read = false;
    for path in paths {
        if path == "-" {
            if stdin_read {
                return Err("- (stdin) is named twice".into());
            }
            stdin_read = true;
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read stdin: {e}"))?;
            sources.push(("stdin".to_string(), text));
            continue;
        }
        let p = Path::new(path);
        let meta = fs::metadata(p).map_err(|e| format!("{path}: {e}"))?;
        let files = if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).map_err(|e| format!("{path}: {e}"))?;
            found.sort();
            found
        } else {
            vec![p.to_path_buf()]
        };
        for file in files {
            let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            sources.push((display_name(&file), text));
        }
    }
    Ok(sources)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        // .git, .github and editor files are not manifests.
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // Directory symlinks are not followed, so a link cycle cannot loop.
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") && fs::metadata(&path)?.is_file() {
            found.push(path);
        }
    }
    Ok(())
}

/// `./a/b.yaml` is shown (and annotated) as `a/b.yaml`.
fn display_name(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

fn crd_yaml() -> String {
    dittofs_krm::yaml::to_string(&dittofs_krm::crd::crd_value())
}

fn schema_json() -> String {
    let schema = dittofs_krm::crd::function_config_schema();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

fn print_text(text: &str) -> ExitCode {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say!("dittofs-krm: cannot write stdout: {e}");
            ExitCode::from(3)
        }
    }
}
