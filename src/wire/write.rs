//! Writes the output ResourceList: untouched items as their original text, the rest emitted.

use serde_json::Value;

use super::read::{Body, Node};
use super::ValidationResult;
use crate::yaml::{emit, scan};

pub enum OutItem<'i, 'a> {
    /// An input item, copied through as it came.
    Original(&'i Node<'a>),
    /// A generated or rewritten item.
    Value(Value),
}

pub fn write(items: &[OutItem<'_, '_>], function_config: Option<&Node<'_>>, results: &[ValidationResult]) -> String {
    let capacity = items
        .iter()
        .map(|i| match i {
            OutItem::Original(Node { body: Body::Text { span, .. }, .. }) => span.end - span.start + 4,
            _ => 1024,
        })
        .sum::<usize>();
    let mut out = String::with_capacity(capacity + 256);
    out.push_str("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n");
    if items.is_empty() {
        out.push_str("items: []\n");
    } else {
        out.push_str("items:\n");
        for item in items {
            out.push_str("- ");
            match item {
                OutItem::Original(node) => write_body(&node.body, &mut out),
                OutItem::Value(v) => emit::write_node(v, 2, &mut out),
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
        }
    }
    out
}

fn write_body(body: &Body<'_>, out: &mut String) {
    match body {
        Body::Text { source, span } => scan::reindent(source, span, 2, out),
        Body::Value(v) => emit::write_node(v, 2, out),
    }
}
