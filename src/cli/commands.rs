//! The command table: each command, its names and what may follow it are defined once, here.
//! `parse` reads the command line against it, and `--help` (`help::usage`) is generated from it.
//!
//! A hand-written parser: four modes and `-- key=value` need no more, and clap would add compile
//! time to the native and WASI builds while the functionConfig part of the help is generated
//! from the schema anyway.

use super::failure::Failure;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Function,
    Build,
    Crd,
    Schema,
    Help,
    Version,
}

/// What may follow a command's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operands {
    /// The function mode: no argument at all, the ResourceList on stdin.
    Stdin,
    /// Nothing.
    Nothing,
    /// Anything, unread: `--version` has never looked at what follows it, and callers may rely
    /// on that.
    Unread,
    /// `build`: files, directories or `-` for stdin, `--previous` and one of those, then after
    /// `--` the functionConfig as key=value settings.
    Manifests,
}

impl Operands {
    /// How the help writes them.
    pub fn syntax(self) -> &'static str {
        match self {
            Operands::Stdin => "< resource-list.yaml",
            Operands::Nothing | Operands::Unread => "",
            Operands::Manifests => "[PATH|-]... [--previous PATH|-] [-- key=value...]",
        }
    }
}

pub struct Command {
    pub action: Action,
    /// The first argument that selects it; none for the function mode.
    pub names: &'static [&'static str],
    pub operands: Operands,
    /// One sentence for the help, which wraps it.
    pub about: &'static str,
}

/// In the help's order.
pub const COMMANDS: &[Command] = &[
    Command {
        action: Action::Function,
        names: &[],
        operands: Operands::Stdin,
        about: "the KRM function (kpt, kustomize, any KRM client)",
    },
    Command {
        action: Action::Build,
        names: &["build"],
        operands: Operands::Manifests,
        about: "plain manifests (files; directories, read recursively for *.yaml and *.yml; - for stdin) \
                in, a plain manifest stream ready to apply out (Argo CD). Results go to stderr; on any \
                error nothing is printed on stdout. The functionConfig is the key=value settings, \
                Argo CD's ARGOCD_APP_PARAMETERS, or a DittoServerExpansion among the manifests. \
                With --previous, the results also say what applying the stream over the one a \
                previous build printed (a file, a directory or -) does to the running servers",
    },
    Command {
        action: Action::Crd,
        names: &["crd"],
        operands: Operands::Nothing,
        about: "print the DittoServer CustomResourceDefinition",
    },
    Command {
        action: Action::Schema,
        names: &["schema"],
        operands: Operands::Nothing,
        about: "print the functionConfig's JSON schema",
    },
    Command { action: Action::Help, names: &["-h", "--help"], operands: Operands::Unread, about: "print this help" },
    Command { action: Action::Version, names: &["-V", "--version"], operands: Operands::Unread, about: "print the version" },
];

/// What `build` settings follow: everything after it is a key=value setting.
const SETTINGS_SEPARATOR: &str = "--";

/// A command line, read.
#[derive(Debug, PartialEq, Eq)]
pub enum Invocation {
    Function,
    Build { paths: Vec<String>, previous: Option<String>, settings: Vec<(String, String)> },
    Crd,
    Schema,
    Help,
    Version,
}

fn command(action: Action) -> &'static Command {
    COMMANDS.iter().find(|c| c.action == action).expect("every action is in the table")
}

/// Reads the arguments (without the program's name).
pub fn parse(args: &[String]) -> Result<Invocation, Failure> {
    let Some(first) = args.first() else { return Ok(Invocation::Function) };
    // A help option anywhere before `--` wins, so that `dittofs-krm build --help` helps.
    let help = command(Action::Help).names;
    if args.iter().take_while(|a| *a != SETTINGS_SEPARATOR).any(|a| help.contains(&a.as_str())) {
        return Ok(Invocation::Help);
    }
    let Some(command) = COMMANDS.iter().find(|c| c.names.contains(&first.as_str())) else {
        return Err(Failure::Usage(format!("dittofs-krm: unknown argument {first:?}; see `dittofs-krm --help`")));
    };
    let rest = &args[1..];
    if command.operands == Operands::Nothing && !rest.is_empty() {
        return Err(Failure::Usage(format!("dittofs-krm {first} takes no arguments; see `dittofs-krm --help`")));
    }
    Ok(match command.action {
        Action::Function => Invocation::Function,
        Action::Build => build(rest)?,
        Action::Crd => Invocation::Crd,
        Action::Schema => Invocation::Schema,
        Action::Help => Invocation::Help,
        Action::Version => Invocation::Version,
    })
}

/// The option of `build` that names the previous build's stream.
pub const PREVIOUS: &str = "--previous";

/// `build [PATH|-]... [--previous PATH|-] [-- key=value...]`
fn build(args: &[String]) -> Result<Invocation, Failure> {
    let (before, settings) = match args.iter().position(|a| a == SETTINGS_SEPARATOR) {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (args, &args[args.len()..]),
    };
    let mut paths = Vec::new();
    let mut previous = None;
    let mut words = before.iter();
    while let Some(word) = words.next() {
        if let Some(value) = word.strip_prefix(PREVIOUS).and_then(|rest| if rest.is_empty() { None } else { rest.strip_prefix('=') }) {
            previous = Some(set_previous(previous, value)?);
        } else if word == PREVIOUS {
            let Some(value) = words.next() else {
                return Err(Failure::Usage(format!("dittofs-krm build: {PREVIOUS} needs the previous stream: a file, a directory or -")));
            };
            previous = Some(set_previous(previous, value)?);
        } else {
            paths.push(word.clone());
        }
    }
    if previous.as_deref() == Some("-") && paths.iter().any(|p| p == "-") {
        return Err(Failure::Usage(format!("dittofs-krm build: - (stdin) cannot be both a manifest source and {PREVIOUS}")));
    }
    if paths.is_empty() {
        return Err(Failure::Usage(
            "dittofs-krm build: name the manifests to read: files, directories or - for stdin (e.g. `dittofs-krm build .`)".into(),
        ));
    }
    let settings = settings
        .iter()
        .map(|setting| match setting.split_once('=') {
            Some((k, v)) => Ok((k.to_string(), v.to_string())),
            None => Err(Failure::Usage(format!("dittofs-krm build: {setting:?} after -- is not a key=value setting"))),
        })
        .collect::<Result<_, _>>()?;
    Ok(Invocation::Build { paths, previous, settings })
}

fn set_previous(already: Option<String>, value: &str) -> Result<String, Failure> {
    match already {
        Some(_) => Err(Failure::Usage(format!("dittofs-krm build: {PREVIOUS} is given twice"))),
        None => Ok(value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &str) -> Result<Invocation, u8> {
        let args: Vec<String> = words.split_whitespace().map(String::from).collect();
        parse(&args).map_err(|f| f.exit_code())
    }

    #[test]
    fn each_command_is_found_by_each_of_its_names() {
        assert_eq!(parse_words(""), Ok(Invocation::Function));
        for (words, expected) in [
            ("crd", Invocation::Crd),
            ("schema", Invocation::Schema),
            ("-h", Invocation::Help),
            ("--help", Invocation::Help),
            ("-V", Invocation::Version),
            ("--version", Invocation::Version),
            ("--version extra", Invocation::Version),
            ("crd --help", Invocation::Help),
            ("build . -- --help=x", Invocation::Build { paths: vec![".".into()], previous: None, settings: vec![("--help".into(), "x".into())] }),
        ] {
            assert_eq!(parse_words(words), Ok(expected), "{words}");
        }
    }

    #[test]
    fn build_reads_paths_then_settings() {
        assert_eq!(
            parse_words("build a - -- mode=validate k=v=w"),
            Ok(Invocation::Build {
                paths: vec!["a".into(), "-".into()],
                previous: None,
                settings: vec![("mode".into(), "validate".into()), ("k".into(), "v=w".into())],
            })
        );
        for words in ["build a --previous old b", "build a --previous=old b"] {
            assert_eq!(
                parse_words(words),
                Ok(Invocation::Build { paths: vec!["a".into(), "b".into()], previous: Some("old".into()), settings: vec![] }),
                "{words}"
            );
        }
    }

    #[test]
    fn usage_errors_exit_3() {
        for words in [
            "--bogus",
            "--",
            "crd extra",
            "schema x",
            "build",
            "build -- k=v",
            "build . -- novalue",
            "build . --previous",
            "build . --previous a --previous b",
            "build - --previous -",
            "build --previous old",
        ] {
            assert_eq!(parse_words(words), Err(3), "{words}");
        }
    }
}
