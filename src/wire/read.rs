//! Reads a ResourceList: the outline from the scanner, and item values only on demand.

use std::fmt;

use serde_json::Value;

use super::{FileRef, ResourceRef, INDEX_ANNOTATION, INTERNAL_INDEX_ANNOTATION, INTERNAL_PATH_ANNOTATION, PATH_ANNOTATION};
use crate::yaml::scan::{self, BlockSpan, Extent, ItemHeader, ScanFailure, ShapeError};
use crate::yaml::{self, YamlError};

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
    Text { source: &'a str, span: BlockSpan },
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

pub fn read(input: &str) -> Result<ResourceList<'_>, InputError> {
    if input.trim().is_empty() {
        return Err(InputError::Empty);
    }
    let outline = scan::scan(input).map_err(|f| match f {
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
        Some("ResourceList") => {}
        Some(other) => return Err(InputError::NotAResourceList(format!("its kind is {other:?}"))),
        None => return Err(InputError::NotAResourceList("it has no `kind`".into())),
    }
    match outline.api_version.as_deref() {
        Some("config.kubernetes.io/v1" | "config.kubernetes.io/v1alpha1") => {}
        Some(other) => return Err(InputError::NotAResourceList(format!("its apiVersion is {other:?}"))),
        None => return Err(InputError::NotAResourceList("it has no `apiVersion`".into())),
    }
    let Some(scanned) = outline.items else {
        return Err(InputError::NotAResourceList("it has no `items`".into()));
    };

    // Rare inputs (flow style, aliases across items) need every value from one full parse.
    let full: Option<Value> = if outline.needs_full_parse { Some(yaml::parse_value(input).map_err(InputError::NotYaml)?) } else { None };
    let full_items = full.as_ref().and_then(|v| v.get("items")).and_then(Value::as_array);

    let items = scanned
        .into_iter()
        .enumerate()
        .map(|(i, s)| Node { body: body(input, s.extent, || full_items.and_then(|a| a.get(i)).cloned()), header: s.header })
        .collect();
    let function_config = outline.function_config.map(|fc| Node {
        body: body(input, fc.extent, || full.as_ref().and_then(|v| v.get("functionConfig")).cloned()),
        header: fc.header,
    });
    Ok(ResourceList { items, function_config })
}

fn body<'a>(input: &'a str, extent: Extent, rebuilt: impl FnOnce() -> Option<Value>) -> Body<'a> {
    match extent {
        Extent::Block(span) => Body::Text { source: input, span },
        Extent::Rebuild => Body::Value(rebuilt().unwrap_or(Value::Null)),
    }
}

impl Node<'_> {
    /// The node's value, parsed from its text on demand.
    pub fn value(&self) -> Result<Value, YamlError> {
        match &self.body {
            Body::Value(v) => Ok(v.clone()),
            Body::Text { source, span } => {
                let mut text = String::with_capacity(span.end - span.start);
                scan::reindent(source, span, 0, &mut text);
                yaml::parse_value(&text)
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

    pub fn is(&self, api_version: &str, kind: &str) -> bool {
        self.kind() == kind && self.api_version() == api_version
    }

    pub fn resource_ref(&self) -> ResourceRef {
        ResourceRef {
            api_version: self.api_version().to_string(),
            kind: self.kind().to_string(),
            name: self.name().to_string(),
            namespace: self.header.namespace.clone(),
        }
    }

    /// The file the item came from, as the clients annotate it.
    pub fn file(&self) -> Option<FileRef> {
        let h = &self.header;
        let path = h.annotation(INTERNAL_PATH_ANNOTATION).or_else(|| h.annotation(PATH_ANNOTATION))?;
        let index = h
            .annotation(INTERNAL_INDEX_ANNOTATION)
            .or_else(|| h.annotation(INDEX_ANNOTATION))
            .and_then(|i| i.parse().ok());
        Some(FileRef { path: path.to_string(), index })
    }
}
