//! Reads a ResourceList: the outline from the outline builder, and item values only on demand.

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

use crate::krm::ResourceRef;
use crate::krm::gvk::{Gvk, RESOURCE_LIST, RESOURCE_LIST_V1ALPHA1};
use crate::yaml::scan::{self, BlockSpan, Extent, ItemHeader, ScanFailure, ShapeError};
use crate::yaml::{self, YamlError};

/// The schema items are read with: KRM clients (kyaml's go-yaml v3) read YAML 1.2.
const ITEMS: yaml::Schema = yaml::Schema::Yaml12;

/// Input that cannot be read as a ResourceList at all. Shown on stderr; no ResourceList is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    Empty,
    NotYaml(YamlError),
    MultipleDocuments,
    NotAResourceList(String),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Empty => f.write_str(
                "the input is empty: a KRM function reads a ResourceList (apiVersion: config.kubernetes.io/v1, kind: ResourceList) on stdin",
            ),
            InputError::NotYaml(e) => write!(f, "the input is not valid YAML: {e}"),
            InputError::MultipleDocuments => f.write_str(
                "the input holds more than one YAML document: send one ResourceList; to expand plain manifests use `dittofs-krm build`",
            ),
            InputError::NotAResourceList(why) => write!(
                f,
                "the input is not a ResourceList: {why}; expected `apiVersion: config.kubernetes.io/v1`, `kind: ResourceList` and a list of `items`"
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// A node of the input: its text when it can be cut out, else its value from a full parse.
#[derive(Debug, Clone)]
pub enum Body<'a> {
    /// A block node: whole lines of the input.
    Text { source: &'a str, span: BlockSpan },
    /// A flow mapping (`{...}`, JSON) with its value: the output copies the text, so that its
    /// scalars keep the meaning their reader gave them (`0644`, `on`, `1e3` read differently
    /// under YAML 1.1 and 1.2, and a value written back would fix one reading).
    Flow { text: &'a str, value: Value },
    /// A node rebuilt from a full parse (aliases across items): written from its value.
    Value(Value),
}

#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub header: ItemHeader,
    pub body: Body<'a>,
}

pub type Item<'a> = Node<'a>;

#[derive(Debug)]
pub struct ResourceList<'a> {
    pub items: Vec<Item<'a>>,
    pub function_config: Option<Node<'a>>,
}

/// Turns each lone CR (one not followed by LF) into LF. YAML, and the parser, take a lone CR
/// for a line break, while the outline's line table counts LFs only, so item spans would be cut
/// in the wrong places. YAML reads every line break as LF, so no value changes; CRLF is kept.
pub fn normalize_line_breaks(input: &str) -> Cow<'_, str> {
    let bytes = input.as_bytes();
    let lone = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    // A search for CRs, not a test of every byte: most inputs have none.
    if !memchr::memchr_iter(b'\r', bytes).any(lone) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push_str(if rest[i + 1..].starts_with('\n') { "\r" } else { "\n" });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

pub fn read(input: &str) -> Result<ResourceList<'_>, InputError> {
    if input.trim().is_empty() {
        return Err(InputError::Empty);
    }
    let outline = yaml::outline(input).map_err(|f| match f {
        ScanFailure::Yaml(e) => InputError::NotYaml(e),
        ScanFailure::Shape(ShapeError::Empty) => InputError::Empty,
        ScanFailure::Shape(ShapeError::MultipleDocuments) => InputError::MultipleDocuments,
        ScanFailure::Shape(ShapeError::NotAMapping) => {
            InputError::NotAResourceList("the document is not a mapping".into())
        }
        ScanFailure::Shape(ShapeError::ItemsNotASequence { line }) => {
            InputError::NotAResourceList(format!("`items` (line {line}) is not a list"))
        }
        ScanFailure::Shape(ShapeError::ItemNotAMapping { index, line }) => InputError::NotAResourceList(format!(
            "item {index} of `items` (line {line}) is not an object; every item must be a Kubernetes resource"
        )),
    })?;
    match outline.kind.as_deref() {
        Some(kind) if kind == RESOURCE_LIST.kind => {}
        Some(other) => return Err(InputError::NotAResourceList(format!("its kind is {other:?}"))),
        None => return Err(InputError::NotAResourceList("it has no `kind`".into())),
    }
    match outline.api_version.as_deref() {
        Some(v) if v == RESOURCE_LIST.api_version || v == RESOURCE_LIST_V1ALPHA1.api_version => {}
        Some(other) => return Err(InputError::NotAResourceList(format!("its apiVersion is {other:?}"))),
        None => return Err(InputError::NotAResourceList("it has no `apiVersion`".into())),
    }
    let Some(scanned) = outline.items else {
        return Err(InputError::NotAResourceList("it has no `items`".into()));
    };

    // Rare inputs (flow style, aliases across items) need every value from one full parse.
    let full: Option<Value> = if outline.needs_full_parse { Some(yaml::parse_value(input, ITEMS).map_err(InputError::NotYaml)?) } else { None };
    let full_items = full.as_ref().and_then(|v| v.get("items")).and_then(Value::as_array);

    let mut items = Vec::with_capacity(scanned.len());
    for (i, s) in scanned.into_iter().enumerate() {
        let node = Node { body: body(input, s.extent, || full_items.and_then(|a| a.get(i)).cloned())?, header: s.header };
        items.push(if s.header_from_value { node.with_header_from_value() } else { node });
    }
    let function_config = match outline.function_config {
        Some(fc) => {
            let node = Node {
                body: body(input, fc.extent, || full.as_ref().and_then(|v| v.get("functionConfig")).cloned())?,
                header: fc.header,
            };
            Some(if fc.header_from_value { node.with_header_from_value() } else { node })
        }
        None => None,
    };
    let mut list = ResourceList { items, function_config };
    if !input.ends_with('\n') {
        let last = list.items.iter_mut().chain(list.function_config.as_mut()).find(|n| ends_at(n, input.len()));
        if let Some(node) = last {
            keep_value_at_end_of_input(node);
        }
    }
    Ok(list)
}

fn ends_at(node: &Node<'_>, end: usize) -> bool {
    matches!(&node.body, Body::Text { span, .. } if span.end == end)
}

/// The output puts a line break after every item, but a block scalar (`|`, `>`) that ends the
/// input without one has no final line break in its value, and would gain one. Such a node is
/// written from its value instead of its text (only when the line break changes the value).
fn keep_value_at_end_of_input(node: &mut Node<'_>) {
    let Body::Text { source, span } = &node.body else { return };
    // A last line of spaces no deeper than the node's indentation is dropped by reindent, which
    // then adds no line break: the one before it is the scalar's own. Deeper spaces are content
    // (of a block scalar) and get a line break added like any other last line.
    let last_line = source[span.start..span.end].rsplit('\n').next().unwrap_or_default();
    let content = last_line.trim_start_matches(' ');
    if content.is_empty() && last_line.len() <= span.indent {
        return;
    }
    let mut text = String::with_capacity(span.end - span.start + 1);
    scan::reindent(source, span, 0, &mut text);
    let (Ok(with_break), Some(Ok(as_written))) =
        (yaml::parse_value(&text, ITEMS), text.strip_suffix('\n').map(|t| yaml::parse_value(t, ITEMS)))
    else {
        return;
    };
    if with_break != as_written {
        node.body = Body::Value(as_written);
    }
}

fn body<'a>(input: &'a str, extent: Extent, rebuilt: impl FnOnce() -> Option<Value>) -> Result<Body<'a>, InputError> {
    Ok(match extent {
        Extent::Block(span) => Body::Text { source: input, span },
        Extent::Flow { start, end } => {
            Body::Flow { text: &input[start..end], value: flow_value(input, start, end).map_err(InputError::NotYaml)? }
        }
        Extent::Rebuild => Body::Value(rebuilt().unwrap_or(Value::Null)),
    })
}

/// Parses a flow mapping cut out of the input: memory for that node only, where a full parse of
/// the document would hold every item's value at once. Positions are given in the input.
fn flow_value(input: &str, start: usize, end: usize) -> Result<Value, YamlError> {
    yaml::parse_value(&input[start..end], ITEMS).map_err(|e| match e {
        YamlError::Syntax { message, line, column } => {
            let before = &input[..start];
            let first_column = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
            YamlError::Syntax {
                message,
                line: line + before.matches('\n').count(),
                column: if line == 1 { column + first_column } else { column },
            }
        }
        other => other,
    })
}

impl Node<'_> {
    /// The header read from the node's value, for nodes whose header fields may come from
    /// aliases or merge keys. A node whose value cannot be parsed keeps the outline's header.
    fn with_header_from_value(mut self) -> Self {
        if let Ok(value) = self.value() {
            self.header = header_of(&value);
        }
        self
    }

    /// The node's value, parsed from its text on demand.
    pub fn value(&self) -> Result<Value, YamlError> {
        match &self.body {
            Body::Value(v) | Body::Flow { value: v, .. } => Ok(v.clone()),
            Body::Text { source, span } => {
                let mut text = String::with_capacity(span.end - span.start);
                scan::reindent(source, span, 0, &mut text);
                // Positions in the cut-out text are turned back into positions in the input.
                yaml::parse_value(&text, ITEMS).map_err(|e| match e {
                    YamlError::Syntax { message, line, column } => YamlError::Syntax {
                        message,
                        line: line + source[..span.start].matches('\n').count(),
                        column: column + span.indent,
                    },
                    other => other,
                })
            }
        }
    }

    pub fn kind(&self) -> &str {
        self.header.kind.as_deref().unwrap_or("")
    }

    pub fn api_version(&self) -> &str {
        self.header.api_version.as_deref().unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.header.name.as_deref().unwrap_or("")
    }

    pub fn namespace(&self) -> Option<&str> {
        self.header.namespace.as_deref()
    }

    pub fn is(&self, gvk: Gvk) -> bool {
        gvk.matches(self.api_version(), self.kind())
    }

    pub fn resource_ref(&self) -> ResourceRef {
        ResourceRef {
            api_version: self.api_version().to_string(),
            kind: self.kind().to_string(),
            name: self.name().to_string(),
            namespace: self.header.namespace.clone(),
        }
    }
}

impl Node<'static> {
    /// A node of an object that was not cut out of a ResourceList (a document of a manifest
    /// file): written from its value, its header read from it.
    pub fn from_value(value: Value) -> Self {
        Node { header: header_of(&value), body: Body::Value(value) }
    }
}

/// The header fields of a value, as the outline builder would read them from the value's emitted text.
fn header_of(value: &Value) -> ItemHeader {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("null".to_string()),
        Value::Array(_) | Value::Object(_) => None,
    };
    let named = |v: Option<&Value>| v.filter(|v| !v.is_null()).and_then(scalar);
    let metadata = value.get("metadata");
    ItemHeader {
        api_version: named(value.get("apiVersion")),
        kind: named(value.get("kind")),
        name: named(metadata.and_then(|m| m.get("name"))),
        namespace: named(metadata.and_then(|m| m.get("namespace"))),
        annotations: metadata
            .and_then(|m| m.get("annotations"))
            .and_then(Value::as_object)
            .map(|a| a.iter().filter_map(|(k, v)| Some((k.clone(), scalar(v)?))).collect())
            .unwrap_or_default(),
    }
}
