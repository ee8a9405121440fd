//! `--help`, generated: the usage lines from the command table, the functionConfig's fields
//! from its schema, the exit codes from the failure module's table. Nothing in it is written
//! twice, so it cannot drift from what the parser accepts.

use super::commands::{Command, COMMANDS};
use super::failure::EXIT_CODES;

fn head() -> String {
    format!(
        "\
dittofs-krm: expands DittoServer resources ({}) into the ConfigMap,
Services and StatefulSet that run them. A KRM function: reads a ResourceList on stdin, writes one
with results on stdout.
",
        dittofs_krm::server::API_VERSION
    )
}

const EXAMPLES: &str = "\
Examples:
  kpt fn eval DIR --exec ./dittofs-krm -- storageClassCheck=strict
  kpt fn render DIR --allow-exec         (Kptfile pipeline: `exec: ./dittofs-krm`)
  kustomize fn run DIR --enable-exec --exec-path ./dittofs-krm
  kustomize build --enable-alpha-plugins --enable-exec DIR
  dittofs-krm build . -- storageClassCheck=off
  dittofs-krm build . --previous main.yaml   (a pull request check: what applying it does)
";

/// The help's lines end before this column.
const WIDTH: usize = 100;
/// A command's description starts in this column, on its line when the command leaves room.
const ABOUT_COLUMN: usize = 41;
/// ... and below it, this far in, when the command is longer.
const ABOUT_BELOW: usize = 19;

/// The whole help.
pub fn usage() -> String {
    [&head(), &usage_section(), EXAMPLES, &function_config_section(), &exit_codes_section()].join("\n")
}

/// `Usage:` and a line per command (README.md holds a copy; a test compares them).
pub fn usage_section() -> String {
    let mut text = String::from("Usage:\n");
    for command in COMMANDS {
        let line = format!("  dittofs-krm {}", synopsis(command));
        if line.len() < ABOUT_COLUMN {
            let about = wrap(command.about, ABOUT_COLUMN, WIDTH);
            text.push_str(&line);
            text.push_str(&about[line.len()..]);
        } else {
            text.push_str(&line);
            text.push('\n');
            text.push_str(&wrap(command.about, ABOUT_BELOW, WIDTH));
        }
    }
    text
}

/// `build [PATH|-]... [-- key=value...]`, `-h | --help`.
fn synopsis(command: &Command) -> String {
    [command.names.join(" | "), command.operands.syntax().to_string()].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join(" ")
}

/// Every field of the functionConfig's schema, with its values, default and description.
fn function_config_section() -> String {
    let mut text = format!(
        "functionConfig: apiVersion: {}, kind: {}, with these fields,\nor a ConfigMap whose data holds the same keys as strings (`-- key=value`):\n",
        dittofs_krm::model::function_config::API_VERSION,
        dittofs_krm::model::function_config::KIND
    );
    let schema = dittofs_krm::crd::function_config_schema();
    let empty = serde_json::Map::new();
    let properties = schema["properties"].as_object().unwrap_or(&empty);
    for (name, property) in properties.iter().filter(|(k, _)| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata")) {
        let values: Vec<&str> = property["enum"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
        text.push_str(&format!("  {name}"));
        if !values.is_empty() {
            text.push_str(&format!(": {}", values.join(" | ")));
        }
        if let Some(default) = property["default"].as_str() {
            text.push_str(&format!(" (default {default})"));
        }
        text.push('\n');
        text.push_str(&wrap(property["description"].as_str().unwrap_or_default(), 6, 96));
    }
    text
}

/// `Exit codes: 0 ...; 1 ...` (README.md holds a copy; a test compares them).
pub fn exit_codes_section() -> String {
    let codes: Vec<String> = EXIT_CODES.iter().map(|(code, meaning)| format!("{code} {meaning}")).collect();
    wrap(&format!("Exit codes: {}.", codes.join("; ")), 0, 96)
}

/// `text`'s words in lines of at most `width` characters, each indented by `indent` spaces.
fn wrap(text: &str, indent: usize, width: usize) -> String {
    let indent = " ".repeat(indent);
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_name_and_exit_code_is_in_the_help() {
        let help = usage();
        for command in COMMANDS {
            assert!(help.contains(&format!("dittofs-krm {}", synopsis(command))), "{:?}", command.names);
        }
        for (code, meaning) in EXIT_CODES {
            let words = format!("{code} {meaning}").split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(help.split_whitespace().collect::<Vec<_>>().join(" ").contains(&words), "{code}");
        }
    }

    #[test]
    fn no_line_is_wider_than_the_help() {
        for line in usage().lines() {
            assert!(line.len() <= WIDTH, "{line}");
        }
    }
}
