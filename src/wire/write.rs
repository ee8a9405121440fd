//! Writes the output ResourceList: untouched items as their original text, the rest emitted.

use std::io;

use serde_json::Value;

use super::read::{Body, Node};
use super::ValidationResult;
use crate::yaml::{emit, scan};

pub enum OutItem<'i, 'a> {
    /// An input item, copied through as it came.
    Original(&'i Node<'a>),
    /// A generated or rewritten item, already rendered by [`render`].
    Text(&'i str),
}

/// The text of an item as [`write`] puts it after its `- `.
pub fn render(value: &Value) -> String {
    let mut out = String::new();
    emit::write_node(value, 2, &mut out);
    // Kept until the output is written: without the spare capacity of its growth.
    out.shrink_to_fit();
    out
}

/// Text is collected up to this size before it goes to the writer: few write calls, little memory.
const CHUNK: usize = 64 * 1024;

pub fn write(
    items: &[OutItem<'_, '_>],
    function_config: Option<&Node<'_>>,
    results: &[ValidationResult],
    sink: &mut dyn io::Write,
) -> io::Result<()> {
    let mut out = String::with_capacity(2 * CHUNK);
    out.push_str("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n");
    if items.is_empty() {
        out.push_str("items: []\n");
    } else {
        out.push_str("items:\n");
        for item in items {
            out.push_str("- ");
            match item {
                OutItem::Original(node) => write_body(&node.body, &mut out),
                OutItem::Text(text) => out.push_str(text),
            }
            if out.len() >= CHUNK {
                sink.write_all(out.as_bytes())?;
                out.clear();
            }
        }
    }
    if let Some(fc) = function_config {
        out.push_str("functionConfig:\n  ");
        write_body(&fc.body, &mut out);
    }
    if !results.is_empty() {
        out.push_str("results:\n");
        for r in results {
            out.push_str("- ");
            let v = serde_json::to_value(r).unwrap_or(Value::Null);
            emit::write_node(&v, 2, &mut out);
            if out.len() >= CHUNK {
                sink.write_all(out.as_bytes())?;
                out.clear();
            }
        }
    }
    sink.write_all(out.as_bytes())
}

fn write_body(body: &Body<'_>, out: &mut String) {
    match body {
        Body::Text { source, span } => scan::reindent(source, span, 2, out),
        Body::Value(v) => emit::write_node(v, 2, out),
    }
}
