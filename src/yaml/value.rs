//! The value builder: YAML events in, JSON-shaped documents out, under a [`Schema`].
//!
//! [`Builder`] is a receiver, not a loop around a parser: [`read`] feeds it the events that
//! [`events::read`] chooses, the line source's or saphyr-parser's, which are the same events.
//!
//! One rule set for both schemas, where the two readers it replaces differed:
//! - only a plain, untagged `<<` is a merge key (kubectl and kpt's go-yaml agree; serde_yaml
//!   also merged a quoted `"<<"`); keys written in the mapping win, then earlier sources;
//! - an anchor holds its node's finished value, merges applied, so an alias to a mapping that
//!   merges is merged too;
//! - at most [`max_depth`] nested collections, and aliases may copy at most
//!   [`ALIAS_NODES_PER_EVENT`] nodes per event read (a "billion laughs" document stops there).
//!
//! What stays per schema: under [`Schema::Yaml12`] (KRM items) a repeated key and a key that is
//! null or a collection are errors, and local tags (`!Ref`) are unsupported, as with serde_yaml
//! before; under [`Schema::Yaml11`] (`build`) the last of repeated keys wins, every scalar key is
//! written as text, and a scalar under a tag other than the core ones is its text, as
//! sigs.k8s.io/yaml (go-yaml v2) does.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, ScalarStyle, Span, SpannedEventReceiver, Tag};
use serde_json::{Map, Value};

use super::events;
pub(super) use super::final_break::FromText;
use super::header::Scalar;
use super::schema::{self, NoJsonForm, Schema};
use super::YamlError;

/// The most nested collections a document may have: serde_yaml's recursion limit for KRM items;
/// more for `build`, which passes through what kubectl would apply (deeper than serde_yaml read)
/// but stops well before the recursive code over values (writing, dropping) nears a stack's end.
pub const fn max_depth(schema: Schema) -> usize {
    match schema {
        Schema::Yaml12 => 128,
        Schema::Yaml11 => 1000,
    }
}

/// serde_yaml allowed 100 alias replays per event; here an alias costs the nodes it copies.
pub const ALIAS_NODES_PER_EVENT: usize = 100;

const CORE: &str = "tag:yaml.org,2002:";

/// Every document of `text`, empty ones as `null`, from the events [`events::read`] chooses
/// (the line source for the block style clients write, else saphyr-parser's).
pub fn read(text: &str, schema: Schema) -> Result<Vec<Value>, YamlError> {
    read_with(text, || Builder::new(schema))
}

/// [`read`] with every scalar as written (see [`Builder::as_written`]).
pub fn read_as_written(text: &str, schema: Schema) -> Result<Vec<Value>, YamlError> {
    read_with(text, || Builder::as_written(schema))
}

fn read_with(text: &str, builder: impl Fn() -> Builder) -> Result<Vec<Value>, YamlError> {
    let (reader, parsed) = events::read(text, || FromText::new(text, builder()));
    // A builder error came from an event before the parser's error, so it is the one to tell.
    let documents = reader.inner.finish()?;
    parsed?;
    Ok(documents)
}

/// A key waiting for its value.
enum Key {
    Merge,
    Name(String),
}

enum Collection {
    Sequence(Vec<Value>),
    Mapping { map: Map<String, Value>, key: Option<Key>, merges: Vec<Value> },
}

struct Frame {
    collection: Collection,
    anchor: usize,
    /// The nodes in this collection so far, itself included: what an alias to it copies.
    nodes: usize,
}

pub struct Builder {
    schema: Schema,
    /// Every scalar as its text, a null as null (the header's rule, [`Scalar::of_event`]), tags
    /// ignored: what an object's header is read from when aliases or merge keys may supply it.
    as_written: bool,
    stack: Vec<Frame>,
    /// Finished anchored nodes of the current document, with their node counts.
    anchors: HashMap<usize, (Value, usize)>,
    documents: Vec<Value>,
    root: Option<Value>,
    events: usize,
    alias_nodes: usize,
    /// The first error met through [`SpannedEventReceiver`], which cannot return one.
    error: Option<YamlError>,
}

impl<'input> SpannedEventReceiver<'input> for Builder {
    fn on_event(&mut self, event: Event<'input>, span: Span) {
        if self.error.is_none() {
            if let Err(e) = self.event(event, span) {
                self.error = Some(e);
            }
        }
    }
}

impl Builder {
    pub fn new(schema: Schema) -> Self {
        Builder {
            schema,
            as_written: false,
            stack: Vec::new(),
            anchors: HashMap::new(),
            documents: Vec::new(),
            root: None,
            events: 0,
            alias_nodes: 0,
            error: None,
        }
    }

    /// A builder that reads every scalar as written, under `schema`'s rules for keys, repeated
    /// keys and nesting.
    pub fn as_written(schema: Schema) -> Self {
        Builder { as_written: true, ..Builder::new(schema) }
    }

    /// The documents read, in order (an empty document is `null`).
    pub fn finish(mut self) -> Result<Vec<Value>, YamlError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(v) = self.root.take() {
            self.documents.push(v);
        }
        Ok(self.documents)
    }

    /// Takes one event; the first error ends the reading.
    pub fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        self.events += 1;
        let at = span.start;
        let (value, anchor, nodes) = match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                return Ok(());
            }
            Event::DocumentEnd => {
                let root = self.root.take().unwrap_or(Value::Null);
                self.documents.push(root);
                return Ok(());
            }
            Event::Scalar(text, style, anchor, tag) => {
                if style == ScalarStyle::Plain && tag.is_none() && text == "<<" {
                    if let Some(Frame { collection: Collection::Mapping { key: key @ None, merges, .. }, .. }) =
                        self.stack.last_mut()
                    {
                        if self.schema == Schema::Yaml12 && !merges.is_empty() {
                            return Err(syntax("duplicate entry with key \"<<\"".into(), at));
                        }
                        *key = Some(Key::Merge);
                        return Ok(());
                    }
                }
                let is_key = matches!(self.stack.last(), Some(Frame { collection: Collection::Mapping { key: None, .. }, .. }));
                let value = self.scalar(text.into_owned(), style, tag.as_deref(), at, is_key)?;
                (value, anchor, 1)
            }
            Event::Alias(id) => {
                let Some((value, nodes)) = self.anchors.get(&id) else {
                    return Err(syntax("an alias refers to an anchor that is not defined before it".into(), at));
                };
                self.alias_nodes = self.alias_nodes.saturating_add(*nodes);
                if self.alias_nodes > self.events.saturating_mul(ALIAS_NODES_PER_EVENT) {
                    return Err(syntax("aliases copy too many nodes (repetition limit exceeded)".into(), at));
                }
                (value.clone(), 0, *nodes)
            }
            Event::SequenceStart(anchor, tag) => {
                self.collection_tag(tag.as_deref(), "seq", at)?;
                return self.open(Collection::Sequence(Vec::new()), anchor, at);
            }
            Event::MappingStart(anchor, tag) => {
                self.collection_tag(tag.as_deref(), "map", at)?;
                return self.open(Collection::Mapping { map: Map::new(), key: None, merges: Vec::new() }, anchor, at);
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame { collection: Collection::Sequence(items), anchor, nodes }) => (Value::Array(items), anchor, nodes),
                Some(Frame { collection: Collection::Mapping { mut map, merges, .. }, anchor, nodes }) => {
                    merge_into(&mut map, merges).map_err(|m| syntax(m.into(), at))?;
                    (Value::Object(map), anchor, nodes)
                }
                None => return Err(syntax("a collection ends that did not start".into(), at)),
            },
            Event::StreamStart | Event::StreamEnd | Event::Nothing => return Ok(()),
        };
        if anchor != 0 {
            self.anchors.insert(anchor, (value.clone(), nodes));
        }
        self.attach(value, nodes, at)
    }

    fn open(&mut self, collection: Collection, anchor: usize, at: Marker) -> Result<(), YamlError> {
        if self.stack.len() >= max_depth(self.schema) {
            return Err(syntax(super::TOO_DEEP.into(), at));
        }
        self.stack.push(Frame { collection, anchor, nodes: 1 });
        Ok(())
    }

    /// Puts a finished node where it belongs: the document root, a list item, a key or a value.
    fn attach(&mut self, value: Value, nodes: usize, at: Marker) -> Result<(), YamlError> {
        let schema = self.schema;
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(value);
            return Ok(());
        };
        frame.nodes = frame.nodes.saturating_add(nodes);
        match &mut frame.collection {
            Collection::Sequence(items) => items.push(value),
            Collection::Mapping { map, key, merges } => match key.take() {
                None => *key = Some(Key::Name(key_string(value, schema).map_err(|e| e.at(at))?)),
                Some(Key::Merge) => merges.push(value),
                Some(Key::Name(k)) if schema == Schema::Yaml11 => {
                    map.insert(k, value);
                }
                Some(Key::Name(k)) => match map.entry(k) {
                    serde_json::map::Entry::Vacant(slot) => {
                        slot.insert(value);
                    }
                    // serde_yaml's wording; the key is named, a key is no secret.
                    serde_json::map::Entry::Occupied(slot) => {
                        return Err(syntax(format!("duplicate entry with key {:?}", slot.key()), at))
                    }
                },
            },
        }
        Ok(())
    }

    fn scalar(&self, text: String, style: ScalarStyle, tag: Option<&Tag>, at: Marker, is_key: bool) -> Result<Value, YamlError> {
        if self.as_written {
            return Ok(match Scalar::of_event(text.into(), style == ScalarStyle::Plain && tag.is_none()) {
                Scalar::Null => Value::Null,
                Scalar::Text(text) => Value::String(text.into_owned()),
            });
        }
        let Some(tag) = tag else {
            if style != ScalarStyle::Plain {
                return Ok(Value::String(text));
            }
            return schema::resolve_plain(text, self.schema).or_else(|e| self.no_json_form(e, at, is_key));
        };
        let full = format!("{}{}", tag.handle, tag.suffix);
        let Some(core) = full.strip_prefix(CORE) else {
            return match self.schema {
                // kubectl's go-yaml v2 resolves only the core tags (`resolvableTag` in its
                // resolve.go) and gives any other scalar, `!` alone, a local `!Ref` or another
                // global tag, as its text.
                Schema::Yaml11 => Ok(Value::String(text)),
                Schema::Yaml12 if full.starts_with('!') => Err(tagged(&full)),
                // serde_yaml read a scalar under another global tag as a string.
                Schema::Yaml12 => Ok(Value::String(text)),
            };
        };
        let resolved = match (core, self.schema) {
            ("str", _) => return Ok(Value::String(text)),
            // serde_yaml read a float under `!!float` without the leading-zero rule.
            ("float", Schema::Yaml12) => schema::resolve_float_tag_12(&text),
            ("int" | "float" | "bool" | "null", _) => Some(schema::resolve_plain(&text, self.schema)),
            (_, Schema::Yaml12) => return Ok(Value::String(text)),
            (other, Schema::Yaml11) => return Err(syntax(format!("the tag !!{other} is not supported"), at)),
        };
        let resolved = match resolved {
            Some(Ok(v)) => v,
            Some(Err(e)) => return self.no_json_form(e, at, is_key),
            None => Value::Null,
        };
        let fits = match core {
            "int" => resolved.as_i64().is_some() || resolved.as_u64().is_some(),
            "float" => resolved.is_number(),
            "bool" => resolved.is_boolean(),
            // serde_yaml's `!!null` takes `~` and `null`, not an empty scalar.
            _ => resolved.is_null() && !(self.schema == Schema::Yaml12 && text.is_empty()),
        };
        if fits {
            Ok(resolved)
        } else {
            // The value itself is left out: it may be a value of a Secret.
            Err(syntax(format!("the value is not a valid !!{core}"), at))
        }
    }

    /// serde_yaml refused such numbers as values, and wrote `.inf` and `.nan` keys as text.
    fn no_json_form(&self, e: NoJsonForm, at: Marker, is_key: bool) -> Result<Value, YamlError> {
        Err(match e {
            NoJsonForm::NonFinite(name) if is_key => return Ok(Value::String(name.into())),
            NoJsonForm::BigInteger => syntax(format!("{}{}", path_prefix(&self.stack), e.message()), at),
            NoJsonForm::NonFinite(_) => YamlError::Unsupported(e.message()),
        })
    }

    fn collection_tag(&self, tag: Option<&Tag>, expected: &str, at: Marker) -> Result<(), YamlError> {
        let Some(tag) = tag.filter(|_| !self.as_written) else { return Ok(()) };
        let full = format!("{}{}", tag.handle, tag.suffix);
        match self.schema {
            // go-yaml v2 builds a mapping or sequence whatever its tag but a core one of the other
            // kind (`!!str {}`), which it cannot decode.
            Schema::Yaml11 if full.strip_prefix(CORE).is_none_or(|core| core == expected) => Ok(()),
            Schema::Yaml11 => Err(syntax(format!("the tag {full} is not supported"), at)),
            Schema::Yaml12 if full.starts_with('!') => Err(tagged(&full)),
            Schema::Yaml12 => Ok(()),
        }
    }
}

enum KeyError {
    Syntax(String),
    Unsupported(String),
}

impl KeyError {
    fn at(self, at: Marker) -> YamlError {
        match self {
            KeyError::Unsupported(m) => YamlError::Unsupported(m),
            KeyError::Syntax(m) => syntax(m, at),
        }
    }
}

/// A mapping key as text: sigs.k8s.io/yaml writes every scalar key as JSON does (`true`, `1`,
/// `null`); serde_yaml took booleans and numbers, and refused the rest.
fn key_string(key: Value, schema: Schema) -> Result<String, KeyError> {
    match (key, schema) {
        (Value::String(s), _) => Ok(s),
        (Value::Bool(b), _) => Ok(b.to_string()),
        (Value::Number(n), Schema::Yaml12) if n.is_f64() => {
            Ok(ryu::Buffer::new().format_finite(n.as_f64().unwrap_or_default()).to_string())
        }
        (Value::Number(n), _) => Ok(n.to_string()),
        (Value::Null, Schema::Yaml11) => Ok("null".into()),
        (_, Schema::Yaml11) => Err(KeyError::Syntax("a mapping key must be a scalar, not a mapping or a list".into())),
        (other, Schema::Yaml12) => Err(KeyError::Unsupported(format!(
            "a mapping key must be a string, found {}",
            match other {
                Value::Null => "null",
                Value::Array(_) => "a sequence",
                _ => "a mapping",
            }
        ))),
    }
}

/// `<<: *base` or `<<: [*a, *b]`: keys written in the mapping win, then earlier sources.
fn merge_into(map: &mut Map<String, Value>, merges: Vec<Value>) -> Result<(), &'static str> {
    for source in merges {
        match source {
            Value::Object(entries) => merge_entries(map, entries),
            Value::Array(list) => {
                for s in list {
                    match s {
                        Value::Object(entries) => merge_entries(map, entries),
                        Value::Array(_) => return Err("expected a mapping for merging, but found sequence"),
                        _ => return Err("expected a mapping for merging, but found scalar"),
                    }
                }
            }
            _ => return Err("expected a mapping or list of mappings for merging, but found scalar"),
        }
    }
    Ok(())
}

fn merge_entries(map: &mut Map<String, Value>, entries: Map<String, Value>) {
    for (k, v) in entries {
        map.entry(k).or_insert(v);
    }
}

fn syntax(message: String, at: Marker) -> YamlError {
    YamlError::Syntax { message, line: at.line(), column: at.col() + 1 }
}

fn tagged(tag: &str) -> YamlError {
    YamlError::Unsupported(format!("tagged values ({tag}) are not supported"))
}

/// Where the node being read sits, as serde_yaml named it (`spec.replicas: `, `.[0]: `).
fn path_prefix(stack: &[Frame]) -> String {
    let mut path = String::new();
    for frame in stack {
        match &frame.collection {
            Collection::Sequence(items) => {
                if path.is_empty() {
                    path.push('.');
                }
                path.push_str(&format!("[{}]", items.len()));
            }
            Collection::Mapping { key, .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                match key {
                    Some(Key::Name(k)) => path.push_str(k),
                    Some(Key::Merge) => path.push_str("<<"),
                    None => path.push('?'),
                }
            }
        }
    }
    if path.is_empty() {
        path
    } else {
        path + ": "
    }
}

#[cfg(test)]
#[path = "value_tests.rs"]
mod tests;
