//! The values of the few nodes of a ResourceList that cannot be read from their own text: a
//! node whose alias names another node's anchor (only a hand-written ResourceList has one;
//! anchors never cross the documents of a package), or one whose lines cannot be cut out.
//!
//! Such a node is read from the document's events, with the nodes that define the anchors it
//! needs. Every other item is skipped unread: nothing in an item the function leaves as text (a
//! local tag, a key that is a list, a number wider than 64 bits) can refuse the input.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, ScalarStyle, Span, SpannedEventReceiver};
use serde_json::Value;

use super::events;
use super::final_break::FromText;
use super::scan::{Extent, FunctionConfigNode, ScannedItem};
use super::value::Builder;
use super::YamlError;

/// Which nodes to read: `(items, function_config)`. Those that must be rebuilt, and every node
/// that defines an anchor a node to read names, and so on.
pub fn nodes_to_read(items: &[ScannedItem], function_config: Option<&FunctionConfigNode>) -> (Vec<bool>, bool) {
    // The functionConfig is node `items.len()`.
    let nodes: Vec<(bool, &[usize], &[usize])> = items
        .iter()
        .map(|i| (i.extent == Extent::Rebuild, &*i.anchors, &*i.foreign_aliases))
        .chain(function_config.map(|f| (f.extent == Extent::Rebuild, &*f.anchors, &*f.foreign_aliases)))
        .collect();
    let defined_in: HashMap<usize, usize> =
        nodes.iter().enumerate().flat_map(|(n, (_, anchors, _))| anchors.iter().map(move |&a| (a, n))).collect();
    let mut read: Vec<bool> = nodes.iter().map(|(rebuild, ..)| *rebuild).collect();
    let mut pending: Vec<usize> = (0..nodes.len()).filter(|&n| read[n]).collect();
    while let Some(n) = pending.pop() {
        for anchor in nodes[n].2 {
            if let Some(&m) = defined_in.get(anchor) {
                if !read[m] {
                    read[m] = true;
                    pending.push(m);
                }
            }
        }
    }
    let function_config = function_config.is_some() && read.pop().unwrap_or(false);
    (read, function_config)
}

/// The ResourceList's value with only the chosen nodes read (`items[i]`, and the functionConfig
/// when `function_config`): the others are null. The ResourceList's other fields are read whole,
/// as an anchor there may be named in an item.
pub fn read_nodes(text: &str, builder: impl Fn() -> Builder, items: &[bool], function_config: bool) -> Result<Value, YamlError> {
    let select = || FromText::new(text, Select::new(builder(), items, function_config));
    let (reader, parsed) = events::read(text, select);
    let documents = reader.inner.inner.finish()?;
    parsed?;
    Ok(documents.into_iter().next().unwrap_or(Value::Null))
}

/// Passes the events of the chosen nodes to the value builder, and a null for each other one.
struct Select<'w> {
    inner: Builder,
    items: &'w [bool],
    function_config: bool,
    /// Open collections around the event, the skipped ones included.
    depth: usize,
    /// Inside a node being passed on whole (`Pass`) or skipped (`Skip`): its open collections.
    within: Option<(Mode, usize)>,
    /// At depth 1: the root key whose value comes next.
    root_key: Option<Option<String>>,
    in_items: bool,
    next_item: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Pass,
    Skip,
}

impl<'w> Select<'w> {
    fn new(inner: Builder, items: &'w [bool], function_config: bool) -> Self {
        Select { inner, items, function_config, depth: 0, within: None, root_key: None, in_items: false, next_item: 0 }
    }

    /// A node starts with `event`: passed on or skipped (a null in its place) whole.
    fn node(&mut self, event: Event<'_>, span: Span, mode: Mode) {
        let opens = matches!(event, Event::SequenceStart(..) | Event::MappingStart(..));
        match mode {
            Mode::Pass => self.inner.on_event(event, span),
            Mode::Skip => self.inner.on_event(Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None), span),
        }
        if opens {
            self.within = Some((mode, 1));
        }
    }
}

impl<'i> SpannedEventReceiver<'i> for Select<'_> {
    fn on_event(&mut self, event: Event<'i>, span: Span) {
        let opens = matches!(event, Event::SequenceStart(..) | Event::MappingStart(..));
        let closes = matches!(event, Event::SequenceEnd | Event::MappingEnd);
        if let Some((mode, open)) = &mut self.within {
            *open = if opens { *open + 1 } else if closes { *open - 1 } else { *open };
            let mode = *mode;
            if *open == 0 {
                self.within = None;
            }
            if mode == Mode::Pass {
                self.inner.on_event(event, span);
            }
            return;
        }
        match (self.depth, self.in_items) {
            // Inside `items`: each node is an item.
            (2, true) if !closes => {
                let chosen = self.items.get(self.next_item).copied().unwrap_or(false);
                self.next_item += 1;
                self.node(event, span, if chosen { Mode::Pass } else { Mode::Skip });
                return;
            }
            // The root mapping's keys and values.
            (1, _) if !closes => {
                match self.root_key.take() {
                    None => {
                        let key = match &event {
                            Event::Scalar(key, ..) => Some(key.to_string()),
                            _ => None,
                        };
                        self.root_key = Some(key);
                        self.node(event, span, Mode::Pass);
                    }
                    Some(key) => match key.as_deref() {
                        Some("items") if matches!(event, Event::SequenceStart(..)) => {
                            self.in_items = true;
                            self.depth += 1;
                            self.inner.on_event(event, span);
                        }
                        Some("functionConfig") if !self.function_config => self.node(event, span, Mode::Skip),
                        _ => self.node(event, span, Mode::Pass),
                    },
                }
                return;
            }
            _ => {}
        }
        if opens {
            self.depth += 1;
        } else if closes {
            self.depth = self.depth.saturating_sub(1);
            if self.depth == 1 {
                self.in_items = false;
            }
        }
        self.inner.on_event(event, span);
    }
}
