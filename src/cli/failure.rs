//! The one failure type of the command line, and the one place that turns it into an exit code
//! and a message on stderr (its `Termination` impl). The library's errors become failures here,
//! so that no other code of the binary picks an exit code.

use std::process::{ExitCode, Termination};

use dittofs_krm::build::BuildError;
use dittofs_krm::krm::ValidationResult;
use dittofs_krm::RunError;

/// Every exit code and what it means, for `--help` (README.md repeats the help's text, and a
/// test holds them equal). `Failure::exit_code` picks among them.
pub const EXIT_CODES: [(u8, &str); 4] = [
    (SUCCESS, "no error result"),
    (
        ERROR_RESULT,
        "an error result (the function still writes its ResourceList and writes the error results to \
         stderr, one line each; build writes nothing) or, for build, nothing to apply",
    ),
    (NOT_A_RESOURCE_LIST, "the input is not a ResourceList (build: a manifest is not YAML or not an object)"),
    (USAGE_OR_IO, "a usage or IO error"),
];

const SUCCESS: u8 = 0;
const ERROR_RESULT: u8 = 1;
const NOT_A_RESOURCE_LIST: u8 = 2;
const USAGE_OR_IO: u8 = 3;

/// Why a command did not succeed. Each message is whole, with the command it comes from
/// (`dittofs-krm build: ...`), since the user may see it without the command line.
#[derive(Debug)]
pub enum Failure {
    /// The function reported these error results; the ResourceList holding them is written.
    /// kpt shows the results, but kustomize and Argo CD show only stderr and the exit code, so
    /// each also goes to stderr as one line.
    Results(Vec<ValidationResult>),
    /// `build` refused: error results, nothing to apply, or manifests it cannot read.
    Build(BuildError),
    /// The input is not a ResourceList (or not even UTF-8 text).
    NotAResourceList(String),
    /// The command line asks for something there is not.
    Usage(String),
    /// Reading the input or writing the output failed.
    Io(String),
}

impl Failure {
    /// A failed write to stdout, by the command named `command` (`dittofs-krm build`).
    pub fn stdout(command: &str, error: std::io::Error) -> Failure {
        Failure::Io(format!("{command}: cannot write stdout: {error}"))
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Results(_) | Failure::Build(BuildError::Results(_) | BuildError::Empty) => ERROR_RESULT,
            Failure::NotAResourceList(_) | Failure::Build(_) => NOT_A_RESOURCE_LIST,
            Failure::Usage(_) | Failure::Io(_) => USAGE_OR_IO,
        }
    }
}

impl From<RunError> for Failure {
    fn from(error: RunError) -> Failure {
        match error {
            RunError::Write(e) => Failure::stdout("dittofs-krm", e),
            RunError::Input(e) => Failure::NotAResourceList(format!("dittofs-krm: {e}")),
        }
    }
}

impl From<BuildError> for Failure {
    fn from(error: BuildError) -> Failure {
        Failure::Build(error)
    }
}

impl Termination for Failure {
    fn report(self) -> ExitCode {
        match &self {
            Failure::Results(results) => results.iter().for_each(|r| say!("{}", r.one_line())),
            Failure::Build(error) => {
                // Every result, warnings too: the stream that would have carried them is not printed.
                if let BuildError::Results(results) = error {
                    results.iter().for_each(|r| say!("{}", r.one_line()));
                }
                say!("dittofs-krm build: {error}");
            }
            Failure::NotAResourceList(message) | Failure::Usage(message) | Failure::Io(message) => say!("{message}"),
        }
        ExitCode::from(self.exit_code())
    }
}

/// What `main` returns: success, or the failure whose report sets the exit code.
pub fn exit(outcome: Result<(), Failure>) -> ExitCode {
    outcome.map_or_else(Termination::report, |()| ExitCode::from(SUCCESS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_has_a_documented_exit_code() {
        let failures = [
            Failure::Results(Vec::new()),
            Failure::Build(BuildError::Empty),
            Failure::Build(BuildError::Config(String::new())),
            Failure::NotAResourceList(String::new()),
            Failure::Usage(String::new()),
            Failure::Io(String::new()),
        ];
        let codes: Vec<u8> = failures.iter().map(Failure::exit_code).collect();
        assert_eq!(codes, [1, 1, 2, 2, 3, 3]);
        assert!(codes.iter().all(|c| EXIT_CODES.iter().any(|(code, _)| code == c)));
    }
}
