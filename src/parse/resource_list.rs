//! Reads a ResourceList: the outline from the outline builder, and item values only on demand.

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

use crate::krm::gvk::{RESOURCE_LIST, RESOURCE_LIST_V1ALPHA1};
use crate::krm::object::{Body, Header, Object, ITEMS};
use crate::yaml::scan::{Extent, ScanFailure, ShapeError};
use crate::yaml::value::Builder;
use crate::yaml::{self, reindent, select, YamlError};

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

/// An item of the input: the object model's [`Object`].
pub type Item<'a> = Object<'a>;

#[derive(Debug)]
pub struct ResourceList<'a> {
    pub items: Vec<Item<'a>>,
    pub function_config: Option<Object<'a>>,
}

/// The input's line breaks as the reader and the writer need them, no value changed:
///
/// - each lone CR (one not followed by LF) becomes LF. YAML, and the parser, take a lone CR for
///   a line break, while the outline's line table counts LFs only, so item spans would be cut in
///   the wrong places. YAML reads every line break as LF; CRLF is kept;
/// - an input that ends without a line break, whose last block scalar the output's line break
///   after the last item would change, is ended with one as
///   [`yaml::final_break::with_final_line_break`] says. Clients end their output with a line break, so
///   the three parses that takes are rare.
pub fn normalize_line_breaks(input: &str) -> Cow<'_, str> {
    let input = lone_crs_to_lf(input);
    match yaml::final_break::with_final_line_break(&input) {
        Some(ended) => Cow::Owned(ended),
        None => input,
    }
}

fn lone_crs_to_lf(input: &str) -> Cow<'_, str> {
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
    if let Some(list) = read_json(input) {
        return list;
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
    is_resource_list(outline.api_version.as_deref(), outline.kind.as_deref())?;
    let Some(scanned) = outline.items else {
        return Err(InputError::NotAResourceList("it has no `items`".into()));
    };

    // The rare node that cannot be read from its own text (an alias to another node's anchor,
    // odd indentation) is read from the document's events, with the nodes whose anchors it
    // names; nothing else is read.
    let (to_read, function_config_to_read) = match outline.needs_rebuild {
        true => select::nodes_to_read(&scanned, outline.function_config.as_ref()),
        false => (Vec::new(), false),
    };
    let read_nodes = |builder: fn(yaml::Schema) -> Builder| {
        select::read_nodes(input, || builder(ITEMS), &to_read, function_config_to_read)
    };
    let rebuilt: Option<Value> = outline.needs_rebuild.then(|| read_nodes(Builder::new)).transpose().map_err(InputError::NotYaml)?;
    let full_items = rebuilt.as_ref().and_then(|v| v.get("items")).and_then(Value::as_array);

    // A rebuilt node whose header aliases or merge keys may supply reads it from those nodes
    // read as written, once, when first needed.
    let mut as_written: Option<Option<Value>> = None;
    let mut whole = |key: &str, i: Option<usize>| -> Option<Value> {
        let whole = as_written.get_or_insert_with(|| read_nodes(Builder::as_written).ok()).as_ref()?.get(key)?;
        i.map_or(Some(whole), |i| whole.get(i)).cloned()
    };

    // Collected in place of the outline's list where an item takes no more room than its
    // outline (64-bit targets; on wasm32 the alignments differ, and the list is a new one).
    let items = scanned
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let rebuilt = || full_items.and_then(|a| a.get(i)).cloned();
            object(input, s.extent, s.header, s.header_from_value, rebuilt, || whole("items", Some(i)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // What collecting in place needs: an item fits where its outline was.
    #[cfg(target_pointer_width = "64")]
    const _: () = {
        use crate::yaml::scan::ScannedItem;
        assert!(size_of::<Object<'static>>() <= size_of::<ScannedItem>() && align_of::<Object<'static>>() == align_of::<ScannedItem>());
    };
    let function_config = match outline.function_config {
        Some(fc) => {
            let rebuilt = || rebuilt.as_ref().and_then(|v| v.get("functionConfig")).cloned();
            Some(object(input, fc.extent, fc.header, fc.header_from_value, rebuilt, || whole("functionConfig", None))?)
        }
        None => None,
    };
    Ok(ResourceList { items, function_config })
}

fn is_resource_list(api_version: Option<&str>, kind: Option<&str>) -> Result<(), InputError> {
    match kind {
        Some(kind) if kind == RESOURCE_LIST.kind => {}
        Some(other) => return Err(InputError::NotAResourceList(format!("its kind is {other:?}"))),
        None => return Err(InputError::NotAResourceList("it has no `kind`".into())),
    }
    match api_version {
        Some(v) if v == RESOURCE_LIST.api_version || v == RESOURCE_LIST_V1ALPHA1.api_version => Ok(()),
        Some(other) => Err(InputError::NotAResourceList(format!("its apiVersion is {other:?}"))),
        None => Err(InputError::NotAResourceList("it has no `apiVersion`".into())),
    }
}

/// A ResourceList written as JSON, as some clients send it: one flow mapping, which the YAML
/// parser can only tokenize whole before its first event (it might be a key), holding every
/// token at once — tens of times the input. JSON is YAML 1.2, so serde_json reads it here the
/// same, each item kept as its text (read on demand, like any flow item). `None`: not strict
/// JSON (comments, unquoted keys, a repeated key…), which the YAML reading then takes.
fn read_json<'a>(input: &'a str) -> Option<Result<ResourceList<'a>, InputError>> {
    #[derive(serde::Deserialize)]
    struct List<'a> {
        #[serde(rename = "apiVersion")]
        api_version: Option<String>,
        kind: Option<String>,
        #[serde(borrow)]
        items: Option<Vec<&'a serde_json::value::RawValue>>,
        #[serde(borrow, rename = "functionConfig")]
        function_config: Option<&'a serde_json::value::RawValue>,
    }
    if !input.trim_start().starts_with('{') {
        return None;
    }
    let list: List<'a> = serde_json::from_str(input).ok()?;
    let object = |raw: &'a serde_json::value::RawValue| -> Option<Object<'a>> {
        let text = raw.get();
        if !text.starts_with('{') {
            return None;
        }
        // The header by the one rule, from the item's own value (gone once read).
        let header = Header::of_value(&yaml::parse_as_written(text, ITEMS).ok()?);
        Some(Object { header, body: Body::Flow { text } })
    };
    Some((|| {
        is_resource_list(list.api_version.as_deref(), list.kind.as_deref())?;
        let raw = list.items.ok_or_else(|| InputError::NotAResourceList("it has no `items`".into()))?;
        let mut items = Vec::with_capacity(raw.len());
        for (index, r) in raw.into_iter().enumerate() {
            let item = object(r).ok_or_else(|| {
                InputError::NotAResourceList(format!(
                    "item {index} of `items` is not an object; every item must be a Kubernetes resource"
                ))
            })?;
            items.push(item);
        }
        let function_config = match list.function_config {
            Some(raw) if raw.get() != "null" => {
                Some(object(raw).ok_or_else(|| InputError::NotAResourceList("its functionConfig is not an object".into()))?)
            }
            _ => None,
        };
        Ok(ResourceList { items, function_config })
    })())
}

/// An item or the functionConfig: its body, and its header read as written where aliases or merge
/// keys may supply it (`as_written`: the node's value as written from the whole document, for a
/// node rebuilt from it).
fn object<'a>(
    input: &'a str,
    extent: Extent,
    header: Header,
    header_from_value: bool,
    rebuilt: impl FnOnce() -> Option<Value>,
    as_written: impl FnOnce() -> Option<Value>,
) -> Result<Object<'a>, InputError> {
    let mut object = Object { body: body(input, extent, rebuilt)?, header };
    if header_from_value {
        if let Some(header) = header_as_written(&object, as_written) {
            object.header = header;
        }
    }
    Ok(object)
}

fn body<'a>(input: &'a str, extent: Extent, rebuilt: impl FnOnce() -> Option<Value>) -> Result<Body<'a>, InputError> {
    Ok(match extent {
        Extent::Block(span) => Body::Text { source: input, span },
        Extent::Flow { start, end } => Body::Flow { text: &input[start..end] },
        Extent::Rebuild => Body::Value(rebuilt().unwrap_or(Value::Null)),
    })
}

/// The header of a node whose fields may come from aliases or merge keys, read from its value as
/// written (`whole`: a rebuilt node's, from the whole document). `None` when that cannot be read:
/// the node keeps the outline's header.
fn header_as_written(node: &Object<'_>, whole: impl FnOnce() -> Option<Value>) -> Option<Header> {
    let value = match &node.body {
        Body::Text { source, span } => yaml::parse_as_written(&reindent::cut(source, span), ITEMS).ok()?,
        Body::Flow { text, .. } => yaml::parse_as_written(text, ITEMS).ok()?,
        Body::Value(_) => whole()?,
    };
    Some(Header::of_value(&value))
}
