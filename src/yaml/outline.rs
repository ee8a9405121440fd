//! The outline builder: a receiver of saphyr-parser events ([`super::events`]) that finds the
//! items of a ResourceList without building them.
//!
//! It remembers where each item starts and ends and picks up the few header fields the function
//! needs to decide what an item is: apiVersion, kind, metadata.name, metadata.namespace and the
//! annotations. Items are never turned into values here; the caller deserialises only the kinds
//! it reads and copies the others through as their original text.

use std::borrow::Cow;

use saphyr_parser::{Event, Marker, ScalarStyle, Span, SpannedEventReceiver};

use super::events;
use super::header::{is_null, Field, Header, Scalar};
use super::line_table::LineTable;
use super::scan::{BlockSpan, Extent, FunctionConfigNode, Outline, ScanFailure, ScannedItem, ShapeError};
use super::YamlError;

/// The outline of `text`, from whichever event source reads it.
pub fn outline(text: &str) -> Result<Outline, ScanFailure> {
    let (builder, parsed) = events::read(text, || OutlineBuilder::new(text));
    builder.finish(parsed.map_err(YamlError::from))
}

/// An open collection. A mapping holds the key whose value comes next: the event's own string,
/// moved here and moved on again (to `path` or a header), never copied.
enum Frame<'t> {
    Mapping { key: Option<Cow<'t, str>>, expecting_key: bool },
    Sequence,
}

/// Where the walk is, relative to the ResourceList.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Zone {
    Root,
    Items,
    Item,
    FunctionConfig,
    Elsewhere,
}

/// The item or functionConfig being read.
struct Open {
    start: Marker,
    /// The column of the node's first key: its indentation, also when the node's first line
    /// holds only its anchor or tag (`- &web`, the keys on the lines below).
    key_column: Option<usize>,
    header: Header,
    /// The anchors defined in the node, and those its aliases name that are defined elsewhere:
    /// such a node is read from its value, with the nodes that define them.
    anchors: Vec<usize>,
    foreign_aliases: Vec<usize>,
    aliased: bool,
    depth: usize,
}

impl Open {
    /// A node opening at `start`, `depth` mappings deep. An anchor of its own stays in its
    /// text, on its first line.
    fn new(start: Marker, anchor: usize, depth: usize) -> Self {
        Open {
            start,
            key_column: None,
            header: Header::default(),
            anchors: if anchor != 0 { vec![anchor] } else { Vec::new() },
            foreign_aliases: Vec::new(),
            aliased: false,
            depth,
        }
    }
}

pub struct OutlineBuilder<'t> {
    text: &'t str,
    /// Markers count characters; ASCII text (what the line source reads) needs no table to turn
    /// them into byte offsets, so the table is built only for other text.
    table: Option<LineTable>,
    outline: Outline,
    frames: Vec<Frame<'t>>,
    /// Keys from the open node (item or functionConfig) down to the current event.
    path: Vec<Option<Cow<'t, str>>>,
    zones: Vec<Zone>,
    open: Option<Open>,
    root_seen: bool,
    /// The first shape error; later events are ignored.
    failure: Option<ShapeError>,
    /// The document's root is the one node outlined (a manifest's object), not a ResourceList.
    object: bool,
    /// The value of the root's `items` key came.
    met_items: bool,
}

impl<'t> SpannedEventReceiver<'t> for OutlineBuilder<'t> {
    fn on_event(&mut self, event: Event<'t>, span: Span) {
        if self.failure.is_none() {
            if let Err(e) = self.event(event, span) {
                self.failure = Some(e);
            }
        }
    }
}

impl<'t> OutlineBuilder<'t> {
    pub fn new(text: &'t str) -> Self {
        OutlineBuilder::of(text, false)
    }

    /// A builder that outlines a document whose root is the one object (a manifest's): its header
    /// as an item's, without an extent (so without the line table markers need in other text).
    pub fn for_object(text: &'t str) -> Self {
        OutlineBuilder::of(text, true)
    }

    fn of(text: &'t str, object: bool) -> Self {
        OutlineBuilder {
            text,
            table: (!object && !text.is_ascii()).then(|| LineTable::new(text)),
            outline: Outline::default(),
            frames: Vec::new(),
            path: Vec::new(),
            zones: Vec::new(),
            open: None,
            root_seen: false,
            failure: None,
            object,
            met_items: false,
        }
    }

    /// A builder for the events that follow [`Self::is_between_items`]: of the ResourceList's
    /// items, those after the split, and what follows them.
    pub(super) fn between_items(text: &'t str) -> Self {
        let mut builder = OutlineBuilder::new(text);
        builder.root_seen = true;
        builder.outline.items = Some(Vec::new());
        builder.frames = vec![Frame::Mapping { key: None, expecting_key: false }, Frame::Sequence];
        builder.zones = vec![Zone::Root, Zone::Items];
        builder
    }

    /// Whether the builder stands between two items of the ResourceList's items, in the state
    /// [`Self::between_items`] starts from, with no error.
    pub(super) fn is_between_items(&self) -> bool {
        self.failure.is_none()
            && self.open.is_none()
            && self.root_seen
            && self.path.is_empty()
            && self.zones == [Zone::Root, Zone::Items]
            && matches!(self.frames.as_slice(), [Frame::Mapping { key: None, expecting_key: false }, Frame::Sequence])
            && self.table.is_none()
    }

    /// Whether the builder met the ResourceList's `items` key (a second one, when it started
    /// [`Self::between_items`]).
    pub(super) fn met_items(&self) -> bool {
        self.met_items
    }

    /// The outline, given how the stream ended: a shape error found before a syntax error wins,
    /// as the events after a syntax error never came.
    pub fn finish(self, parsed: Result<(), YamlError>) -> Result<Outline, ScanFailure> {
        if let Some(e) = self.failure {
            return Err(ScanFailure::Shape(e));
        }
        parsed.map_err(ScanFailure::Yaml)?;
        if !self.root_seen {
            return Err(ScanFailure::Shape(ShapeError::Empty));
        }
        Ok(self.outline)
    }

    /// Byte offset of a marker.
    fn offset(&self, m: &Marker) -> usize {
        match &self.table {
            Some(table) => table.offset(self.text, m),
            None => m.index().min(self.text.len()),
        }
    }

    fn item_not_a_mapping(&self, span: &Span) -> ShapeError {
        let index = self.outline.items.as_ref().map_or(0, Vec::len);
        ShapeError::ItemNotAMapping { index, line: span.start.line() }
    }

    fn event(&mut self, event: Event<'t>, span: Span) -> Result<(), ShapeError> {
        match event {
            Event::StreamStart
            | Event::StreamEnd
            | Event::Nothing
            | Event::DocumentStart(_)
            | Event::DocumentEnd => return Ok(()),
            _ => {}
        }
        // A second document that holds something; an empty one (`---` at the end, or only a
        // comment) is no document to kubectl and kyaml, which skip it, nor here.
        let second_root = self.frames.is_empty() && self.root_seen;
        if second_root && !matches!(&event, Event::Scalar(value, _, _, None) if value.is_empty()) {
            return Err(ShapeError::MultipleDocuments);
        }
        // The key/value bookkeeping of the enclosing mapping: a value takes its key along.
        let (is_key, key_of_value) = match self.frames.last_mut() {
            Some(Frame::Mapping { expecting_key: true, .. }) => (true, None),
            Some(Frame::Mapping { key, expecting_key: false }) => (false, key.take()),
            _ => (false, None),
        };
        let zone = self.zones.last().copied().unwrap_or(Zone::Root);
        let depth = self.frames.len();
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                // Only a plain, untagged `null` (or `~`, or nothing) is null: `"null"` is a name.
                let plain = style == ScalarStyle::Plain && tag.is_none();
                if depth == 0 {
                    // A document that is a lone scalar (or empty).
                    return if value.is_empty() && tag.is_none() { Ok(()) } else { Err(ShapeError::NotAMapping) };
                }
                if let Some(o) = self.open.as_mut() {
                    if anchor != 0 {
                        o.anchors.push(anchor);
                    }
                    if is_key && depth == o.depth && o.key_column.is_none() {
                        o.key_column = Some(span.start.col());
                    }
                    if is_key && value == "<<" {
                        o.aliased = true;
                    }
                    if !is_key {
                        // Header fields sit at most two mappings below the item.
                        if depth - o.depth <= 2 {
                            record_header(&mut o.header, &self.path, key_of_value, value, plain);
                        }
                        advance(&mut self.frames, None);
                        return Ok(());
                    }
                } else if zone == Zone::Root && depth == 1 && !is_key {
                    match key_of_value.as_deref() {
                        Some("apiVersion") => self.outline.api_version = Some(value.to_string()),
                        Some("kind") => self.outline.kind = Some(value.to_string()),
                        Some("items") if plain && is_null(&value) => {
                            self.met_items = true;
                            self.outline.items = Some(Vec::new())
                        }
                        Some("items") => return Err(ShapeError::ItemsNotASequence { line: span.start.line() }),
                        _ => {}
                    }
                } else if zone == Zone::Items {
                    return Err(self.item_not_a_mapping(&span));
                }
                advance(&mut self.frames, is_key.then_some(value));
            }
            Event::Alias(id) => {
                match self.open.as_mut() {
                    Some(o) => {
                        o.aliased = true;
                        if !o.anchors.contains(&id) && !o.foreign_aliases.contains(&id) {
                            o.foreign_aliases.push(id);
                        }
                    }
                    None if zone == Zone::Items => return Err(self.item_not_a_mapping(&span)),
                    None => {}
                }
                advance(&mut self.frames, None);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let is_mapping = matches!(event, Event::MappingStart(..));
                let value_of = |key: &str| zone == Zone::Root && depth == 1 && !is_key && key_of_value.as_deref() == Some(key);
                if depth == 0 {
                    if !is_mapping {
                        return Err(ShapeError::NotAMapping);
                    }
                    self.root_seen = true;
                    if self.object {
                        self.open = Some(Open::new(span.start, anchor, 1));
                        self.zones.push(Zone::Item);
                    } else {
                        self.zones.push(Zone::Root);
                    }
                } else if let Some(o) = self.open.as_mut() {
                    if anchor != 0 {
                        o.anchors.push(anchor);
                    }
                    self.path.push(key_of_value);
                    self.zones.push(zone);
                } else if value_of("items") {
                    if is_mapping {
                        return Err(ShapeError::ItemsNotASequence { line: span.start.line() });
                    }
                    self.met_items = true;
                    self.outline.items = Some(Vec::new());
                    self.zones.push(Zone::Items);
                } else if zone == Zone::Items {
                    if !is_mapping {
                        return Err(self.item_not_a_mapping(&span));
                    }
                    self.open = Some(Open::new(span.start, anchor, depth + 1));
                    self.zones.push(Zone::Item);
                } else if is_mapping && value_of("functionConfig") {
                    self.open = Some(Open::new(span.start, anchor, depth + 1));
                    self.zones.push(Zone::FunctionConfig);
                } else {
                    self.zones.push(Zone::Elsewhere);
                }
                self.frames.push(if is_mapping { Frame::Mapping { key: None, expecting_key: true } } else { Frame::Sequence });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.frames.pop();
                let closing = self.zones.pop().unwrap_or(Zone::Root);
                match self.open.take_if(|o| o.depth == depth) {
                    Some(o) => self.close(o, closing, &span),
                    None if self.open.is_some() => {
                        self.path.pop();
                    }
                    None => {}
                }
                advance(&mut self.frames, None);
            }
            _ => {}
        }
        Ok(())
    }

    /// The open item or functionConfig ends at `span` (its closing event).
    fn close(&mut self, mut o: Open, closing: Zone, span: &Span) {
        o.header.annotations.shrink_to_fit();
        let start = self.offset(&o.start);
        let extent = if !o.foreign_aliases.is_empty() || self.object {
            Extent::Rebuild
        } else if self.text.as_bytes().get(after_properties(self.text, start)) == Some(&b'{') {
            Extent::Flow { start, end: self.offset(&span.end) }
        } else {
            block_extent(self.text, start, o.key_column.unwrap_or(o.start.col()), self.offset(&span.start))
        };
        if extent == Extent::Rebuild {
            self.outline.needs_rebuild = true;
        }
        match closing {
            Zone::Item => self.outline.items.get_or_insert_with(Vec::new).push(ScannedItem {
                header: o.header,
                extent,
                header_from_value: o.aliased,
                anchors: o.anchors.into(),
                foreign_aliases: o.foreign_aliases.into(),
            }),
            _ => {
                self.outline.function_config = Some(FunctionConfigNode {
                    header: o.header,
                    extent,
                    header_from_value: o.aliased,
                    anchors: o.anchors.into(),
                    foreign_aliases: o.foreign_aliases.into(),
                })
            }
        }
    }
}

/// After a complete node: a mapping flips between key and value.
#[inline(always)]
fn advance<'t>(frames: &mut [Frame<'t>], key: Option<Cow<'t, str>>) {
    if let Some(Frame::Mapping { key: k, expecting_key }) = frames.last_mut() {
        if *expecting_key {
            *k = key;
            *expecting_key = false;
        } else {
            *k = None;
            *expecting_key = true;
        }
    }
}

/// Picks up apiVersion, kind, metadata.{name,namespace,annotations}: `path` holds the keys from
/// the item down to the scalar's mapping (empty for the item's own keys).
#[inline]
fn record_header(h: &mut Header, path: &[Option<Cow<'_, str>>], key: Option<Cow<'_, str>>, value: Cow<'_, str>, plain: bool) {
    let Some(key) = key else { return };
    if let Some(field) = Field::at(path, &key) {
        h.set(field, Scalar::of_event(value, plain));
    }
}

/// The byte after the anchor and tag (and the white space after them) that a node at `start`
/// may open with: where its content starts.
fn after_properties(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut at = start;
    while matches!(b.get(at), Some(b'&' | b'!')) {
        at += b[at..].iter().position(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')).unwrap_or(b.len() - at);
        at += b[at..].iter().position(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r')).unwrap_or(b.len() - at);
    }
    at
}

/// Decides whether a block mapping starting at byte `start` (column `indent`) and ending where
/// the token at byte `end` begins can be cut out as lines: its first line holds only
/// indentation and at most one `-` before the node, the token after it opens its own line, and
/// no line between is indented less (comments and blank lines aside).
fn block_extent(text: &str, start: usize, indent: usize, end: usize) -> Extent {
    let line_start = |at: usize| memchr::memrchr(b'\n', &text.as_bytes()[..at]).map_or(0, |i| i + 1);
    let first_line = line_start(start);
    let prefix = text[first_line..start].trim_start_matches(' ');
    let prefix = prefix.strip_prefix('-').unwrap_or(prefix);
    if !prefix.trim_start_matches(' ').is_empty() {
        return Extent::Rebuild;
    }
    // The parser ends a stream without a final line break on a line of its own.
    let end_line = if end >= text.len() { text.len() } else { line_start(end) };
    if !text[end_line..end].trim_start_matches(' ').is_empty() {
        return Extent::Rebuild;
    }
    if end_line > start && !lines_indented(&text.as_bytes()[start..end_line], indent) {
        return Extent::Rebuild;
    }
    Extent::Block(BlockSpan { start, end: end_line.max(start), indent })
}

/// Every line of `node` after its first is indented at least `indent` spaces, or blank, or a
/// comment. Most nodes pass on the first `indent` bytes of every line, checked a column at a
/// time over the whole node, as this runs over every item of the input; the others line by line.
fn lines_indented(node: &[u8], indent: usize) -> bool {
    if super::reindent::lines_start_with(node, indent, |b| b == b' ') {
        return true;
    }
    let mut breaks = memchr::memchr_iter(b'\n', node);
    let Some(first_end) = breaks.next() else { return true };
    let mut at = first_end + 1;
    for end in breaks.chain(std::iter::once(node.len())) {
        if at >= node.len() {
            break;
        }
        let line = &node[at..end.max(at)];
        let indented = line.len() >= indent && line[..indent].iter().all(|&b| b == b' ');
        if !indented {
            let line = std::str::from_utf8(line).unwrap_or("");
            let body = line.trim_start_matches(' ');
            if !(body.trim().is_empty() || body.starts_with('#')) {
                return false;
            }
        }
        at = end + 1;
    }
    true
}
