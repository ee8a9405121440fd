//! The one place that knows the YAML libraries.
//!
//! - [`outline`] outlines a ResourceList (item spans and headers, the types in [`scan`]): the
//!   outline builder ([`outline`](mod@outline)) takes saphyr-parser events from [`events::read`],
//!   which reads the block style clients write line by line ([`lines`]) and everything else with
//!   saphyr-parser's `Parser`. An object's [`header`] is read by one rule, from those events or
//!   from a value ([`parse_as_written`] when aliases or merge keys may supply it).
//! - [`documents`] reads a manifest stream in one pass: each document's lines, header and value.
//! - [`reindent`] cuts a node out of the input: its text at another indentation, or its value.
//! - [`schema`] says what a plain scalar means, under YAML 1.2 (KRM items) or YAML 1.1
//!   (kubectl, for `dittofs-krm build`); the reader and the emitter both ask it.
//! - [`parse_value`] turns the text of one node into a `serde_json::Value`, and [`parse_stream`]
//!   the documents of a manifest stream: the [`value`] builder over the same events, under the
//!   schema each call site names.
//! - [`emit`] says how a scalar is written (YAML-1.1-safe), [`serialize`] writes anything serde
//!   serialises, values and k8s-openapi objects alike, as block-style text, shaped on the way
//!   out by a [`serialize::Shape`].

mod block;
pub mod documents;
pub mod emit;
pub mod events;
pub mod final_break;
pub mod halves;
pub mod header;
mod line_grammar;
mod line_table;
pub mod lines;
pub mod outline;
pub mod reindent;
pub mod scan;
pub mod schema;
pub mod select;
pub mod serialize;
pub mod shape;
pub mod value;

pub use documents::{documents, Document};
pub use header::Header;
pub use schema::Schema;

use std::fmt;

use serde_json::Value;

/// The outline of a ResourceList, from the line source's events when it reads the input (a
/// large one in two halves side by side, [`halves`]), else from saphyr-parser's.
pub fn outline(text: &str) -> Result<scan::Outline, scan::ScanFailure> {
    match halves::outline(text) {
        Some(outline) => Ok(outline),
        None => outline::outline(text),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlError {
    Syntax { message: String, line: usize, column: usize },
    /// Valid YAML that has no JSON equivalent (a non-string key, a tagged value).
    Unsupported(String),
}

impl YamlError {
    /// The error with its position said to be in `text` (`its text`): for an error read from
    /// an object alone, whose lines are counted from its own first line.
    pub fn in_text_of(&self, text: &str) -> String {
        match self {
            YamlError::Syntax { message, line, column } => format!("line {line}, column {column} of {text}: {message}"),
            YamlError::Unsupported(m) => m.clone(),
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            YamlError::Syntax { message, line, column } => write!(f, "line {line}, column {column}: {message}"),
            YamlError::Unsupported(m) => f.write_str(m),
        }
    }
}

/// Parses one YAML document into a JSON-shaped value under `schema`, resolving aliases and
/// merge keys (`<<`): the value builder over the events [`events::read`] chooses. One document;
/// an empty text is `null`.
pub fn parse_value(text: &str, schema: Schema) -> Result<Value, YamlError> {
    one_document(value::read(text, schema)?)
}

/// [`parse_value`] with every scalar as written: its text, or null for a plain null (the rule of
/// [`header`]), aliases and merge keys resolved under `schema`'s rules. What an object's header
/// is read from when aliases or merge keys may supply its fields.
pub fn parse_as_written(text: &str, schema: Schema) -> Result<Value, YamlError> {
    one_document(value::read_as_written(text, schema)?)
}

fn one_document(mut documents: Vec<Value>) -> Result<Value, YamlError> {
    if documents.len() > 1 {
        // An empty document beside the one (`---` at the end) is none: kubectl and kyaml skip it.
        documents.retain(|d| !d.is_null());
    }
    if documents.len() > 1 {
        return Err(YamlError::Unsupported("deserializing from YAML containing more than one document is not supported".into()));
    }
    Ok(documents.pop().unwrap_or(Value::Null))
}

/// Every document of a stream that is neither empty nor `null`, in order, as kubectl skips
/// those: `dittofs-krm build` reads manifests with [`Schema::Yaml11`].
pub fn parse_stream(text: &str, schema: Schema) -> Result<Vec<Value>, YamlError> {
    let mut documents = value::read(text, schema)?;
    documents.retain(|d| !d.is_null());
    Ok(documents)
}

/// What the reader says of a document nested deeper than it reads.
pub(crate) const TOO_DEEP: &str = "nested too deeply for the YAML reader (recursion limit exceeded)";

/// saphyr-parser's syntax error, at its line and (1-based) column; its own nesting limit is
/// worded as the value builder's.
impl From<saphyr_parser::ScanError> for YamlError {
    fn from(e: saphyr_parser::ScanError) -> YamlError {
        let message = match e.info() {
            info if info.ends_with("recursion limit exceeded") => info.replace("recursion limit exceeded", TOO_DEEP),
            info => info.to_string(),
        };
        YamlError::Syntax { message, line: e.marker().line(), column: e.marker().col() + 1 }
    }
}

/// Writes a value as a block-style YAML document (no `---`).
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    emit::write_node(value, 0, &mut out);
    out
}
