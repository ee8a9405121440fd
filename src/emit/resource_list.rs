//! Writes the output ResourceList: untouched items as their original text, the rest emitted.

use std::io;

use serde_json::Value;

use crate::expand::Generated;
use crate::yaml::serialize::{self, Extra, Shape};
use crate::krm::{Body, Object, ValidationResult};
use crate::krm::gvk::RESOURCE_LIST;
use crate::yaml::{emit, scan};

pub enum OutItem<'i, 'a> {
    /// An input item, copied through as it came.
    Original(&'i Object<'a>),
    /// A generated or rewritten item, already rendered by [`render`].
    Text(&'i str),
}

/// The text of an item as [`Writer::item`] puts it after its `- `.
pub fn render(value: &Value) -> String {
    item_text(|out| emit::write_node(value, 2, out))
}

/// A generated object's text as [`Writer::item`] puts it after its `- `: written from its type,
/// or, should that fail, as the value it makes.
pub fn render_generated(object: &Generated, extra: &Extra<'_>) -> String {
    item_text(|out| {
        if object.write(2, extra, out).is_err() {
            emit::write_node(&object.value(extra), 2, out);
        }
    })
}

/// The text `write` writes, kept until the output reaches it: most objects fit the first
/// buffer or grow it once or twice, and it is kept without the spare capacity of its growth.
fn item_text(write: impl FnOnce(&mut String)) -> String {
    let mut out = String::with_capacity(2048);
    write(&mut out);
    out.shrink_to_fit();
    out
}

/// Text is collected up to this size before it goes to the sink: few write calls, little memory.
const CHUNK: usize = 64 * 1024;

/// Writes a ResourceList item by item to a sink.
pub struct Writer<'w> {
    sink: &'w mut dyn io::Write,
    out: String,
    items: usize,
}

impl<'w> Writer<'w> {
    pub fn new(sink: &'w mut dyn io::Write) -> Self {
        let mut out = String::with_capacity(2 * CHUNK);
        for (key, value) in [("apiVersion", RESOURCE_LIST.api_version), ("kind", RESOURCE_LIST.kind)] {
            out.push_str(key);
            out.push_str(": ");
            out.push_str(value);
            out.push('\n');
        }
        Writer { sink, out, items: 0 }
    }

    pub fn item(&mut self, item: OutItem<'_, '_>) -> io::Result<()> {
        if self.items == 0 {
            self.out.push_str("items:\n");
        }
        self.items += 1;
        self.out.push_str("- ");
        match item {
            OutItem::Original(node) => write_body(&node.body, &mut self.out),
            OutItem::Text(text) => self.out.push_str(text),
        }
        self.flush_chunk()
    }

    /// Writes the functionConfig and the results after the items.
    pub fn finish(mut self, function_config: Option<&Object<'_>>, results: &[ValidationResult]) -> io::Result<()> {
        if self.items == 0 {
            self.out.push_str("items: []\n");
        }
        if let Some(fc) = function_config {
            self.out.push_str("functionConfig:\n  ");
            write_body(&fc.body, &mut self.out);
        }
        if !results.is_empty() {
            self.out.push_str("results:\n");
            for r in results {
                self.out.push_str("- ");
                // Written from its type, without a value made first; should that fail, as the
                // null `serde_json::to_value` would have given.
                if serialize::write(r, 2, &Shape::NONE, &Extra::NONE, &mut self.out).is_err() {
                    emit::write_node(&Value::Null, 2, &mut self.out);
                }
                self.flush_chunk()?;
            }
        }
        self.sink.write_all(self.out.as_bytes())
    }

    fn flush_chunk(&mut self) -> io::Result<()> {
        if self.out.len() >= CHUNK {
            self.sink.write_all(self.out.as_bytes())?;
            self.out.clear();
        }
        Ok(())
    }
}

fn write_body(body: &Body<'_>, out: &mut String) {
    match body {
        Body::Text { source, span } => scan::reindent(source, span, 2, out),
        Body::Flow { text, .. } => write_flow(text, out),
        Body::Value(v) => emit::write_node(v, 2, out),
    }
}

/// A flow node after `- `, as it was written. A continuation line indented less than the entry's
/// two spaces is indented to them, so that it stays inside the entry: white space that starts a
/// line inside a flow collection means nothing (a multi-line scalar folds it away), so the value
/// is the same, and a second run changes nothing.
fn write_flow(text: &str, out: &mut String) {
    let mut lines = text.split('\n');
    out.push_str(lines.next().unwrap_or_default());
    for line in lines {
        out.push('\n');
        let leading = line.len() - line.trim_start_matches(' ').len();
        out.push_str(&"  "[leading.min(2)..]);
        out.push_str(line);
    }
    out.push('\n');
}
