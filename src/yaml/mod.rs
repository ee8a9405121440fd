//! The one place that knows the YAML libraries.
//!
//! - [`outline`] outlines a ResourceList (item spans and headers, the types in [`scan`]): the
//!   outline builder ([`outline`](mod@outline)) takes saphyr-parser events from [`events::read`],
//!   which reads the block style clients write line by line ([`lines`]) and everything else with
//!   saphyr-parser's `Parser`.
//! - [`parse_value`] turns the text of one node into a `serde_json::Value`: [`fast_value`] reads
//!   block style line by line, serde_yaml everything else; swapping serde_yaml for another
//!   library changes this file only.
//! - [`emit`] writes values back as block-style, YAML-1.1-safe text.
//! - [`yaml11`] reads multi-document manifest streams with kubectl's YAML 1.1 scalar rules
//!   (for `dittofs-krm build`).

pub mod emit;
pub mod events;
pub mod fast_value;
mod line_grammar;
mod line_table;
pub mod lines;
pub mod outline;
mod reindent;
pub mod scan;
pub mod yaml11;

use std::fmt;

use serde_json::Value;

/// The outline of a ResourceList, from the line source's events when it reads the input, else
/// from saphyr-parser's.
pub fn outline(text: &str) -> Result<scan::Outline, scan::ScanFailure> {
    outline::outline(text)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlError {
    Syntax { message: String, line: usize, column: usize },
    /// Valid YAML that has no JSON equivalent (a non-string key, a tagged value).
    Unsupported(String),
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            YamlError::Syntax { message, line, column } => write!(f, "line {line}, column {column}: {message}"),
            YamlError::Unsupported(m) => f.write_str(m),
        }
    }
}

/// Parses one YAML document into a JSON-shaped value, resolving aliases and merge keys (`<<`):
/// block-style text line by line ([`fast_value`]), the rest with serde_yaml.
pub fn parse_value(text: &str) -> Result<Value, YamlError> {
    match fast_value::parse(text) {
        Some(value) => Ok(value),
        None => parse_value_full(text),
    }
}

/// [`parse_value`] by serde_yaml alone: what the line-by-line reading must agree with.
pub fn parse_value_full(text: &str) -> Result<Value, YamlError> {
    let mut value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        YamlError::Syntax { message: reword(&strip_location(&e.to_string())), line, column }
    })?;
    value.apply_merge().map_err(|e| YamlError::Unsupported(e.to_string()))?;
    to_json(value)
}

/// serde_yaml reads an integer beyond 64 bits as a 128-bit one that no value can hold, and says
/// so in Rust's terms; both parsers stop at a nesting depth and call it a recursion limit.
pub(crate) fn reword(message: &str) -> String {
    for suffix in [" as u128, expected any YAML value", " as i128, expected any YAML value"] {
        if let Some(head) = message.strip_suffix(suffix) {
            // The number itself is left out: it may be a value of a Secret.
            if let Some((path, _)) = head.split_once("invalid type: integer ") {
                return format!("{path}an integer that does not fit in 64 bits");
            }
        }
    }
    if message.ends_with("recursion limit exceeded") {
        return message.replace("recursion limit exceeded", "nested too deeply for the YAML reader (recursion limit exceeded)");
    }
    message.to_string()
}

fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn to_json(value: serde_yaml::Value) -> Result<Value, YamlError> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| YamlError::Unsupported(format!("the number {n} has no JSON form")))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Bool(b) => b.to_string(),
                    Y::Number(n) => n.to_string(),
                    other => {
                        return Err(YamlError::Unsupported(format!(
                            "a mapping key must be a string, found {}",
                            describe(&other)
                        )))
                    }
                };
                out.insert(key, to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            return Err(YamlError::Unsupported(format!("tagged values ({}) are not supported", t.tag)))
        }
    })
}

fn describe(v: &serde_yaml::Value) -> &'static str {
    match v {
        serde_yaml::Value::Null => "null",
        serde_yaml::Value::Sequence(_) => "a sequence",
        serde_yaml::Value::Mapping(_) => "a mapping",
        serde_yaml::Value::Tagged(_) => "a tagged value",
        _ => "a scalar",
    }
}

/// Writes a value as a block-style YAML document (no `---`).
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    emit::write_node(value, 0, &mut out);
    out
}
