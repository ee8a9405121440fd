//! Finds the items of a ResourceList without building them.
//!
//! The scanner walks the parser's events once, remembers where each item starts and ends (as
//! lines of the input) and picks up the few header fields the function needs to decide what an
//! item is: apiVersion, kind, metadata.name, metadata.namespace and the annotations. Items are
//! never turned into values here; the caller deserialises only the kinds it reads and copies the
//! others through as their original text.
//!
//! Saphyr's spans count characters, not bytes, so positions are kept as (line, column) and turned
//! into byte offsets through a table of line starts.

use std::borrow::Cow;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span};

use super::YamlError;

/// What the scanner learnt about one item of `items`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemHeader {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// Annotations in document order; only scalar values are kept.
    pub annotations: Annotations,
}

impl ItemHeader {
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.iter().find(|&(k, _)| k == key).map(|(_, v)| v)
    }
}

/// An item's annotations, in document order, in one string: every item of a large input carries
/// half a dozen client annotations and stays in memory until the output is written; one
/// allocation per item instead of two per annotation keeps that small.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations {
    text: String,
    /// Where each key and each value ends in `text`, alternately.
    ends: Vec<usize>,
}

impl Annotations {
    pub fn push(&mut self, key: &str, value: &str) {
        if self.ends.is_empty() {
            // Room for kpt's seven client annotations at once; trimmed when the item closes.
            self.text.reserve(384);
            self.ends.reserve(16);
        }
        self.text.push_str(key);
        self.ends.push(self.text.len());
        self.text.push_str(value);
        self.ends.push(self.text.len());
    }

    /// (key, value) pairs in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.ends.chunks_exact(2).scan(0, |start, ends| {
            let (key_end, value_end) = (ends[0], ends[1]);
            let pair = (&self.text[*start..key_end], &self.text[key_end..value_end]);
            *start = value_end;
            Some(pair)
        })
    }

    pub fn len(&self) -> usize {
        self.ends.len() / 2
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Annotations {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut out = Annotations::default();
        for (k, v) in iter {
            out.push(k.as_ref(), v.as_ref());
        }
        out
    }
}

/// Where a block node lies in the input: whole lines, the first one starting at `col`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockSpan {
    /// Byte offset of the node's first character.
    pub start: usize,
    /// Byte offset one past the node's last line (its line break included).
    pub end: usize,
    /// The node's indentation: every further non-blank, non-comment line is indented this much.
    pub indent: usize,
}

/// How an item (or the functionConfig) can be taken out of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// A block mapping that can be cut out as text and re-indented.
    Block(BlockSpan),
    /// A flow mapping (`{...}`) whose aliases stay inside it: its text (byte offsets
    /// `start..end`) parses alone, so the document needs no full parse for it.
    Flow { start: usize, end: usize },
    /// Flow style, tags, cross-item aliases or odd indentation: the value must be rebuilt from a
    /// full parse of the document.
    Rebuild,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedItem {
    pub header: ItemHeader,
    pub extent: Extent,
    /// The node holds an alias or a merge key (`<<`): its header fields may come from them,
    /// which the scanner does not resolve, so the reader takes the header from its value.
    pub header_from_value: bool,
}

/// The outline of a ResourceList document.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outline {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    /// `None` when the document has no `items` key.
    pub items: Option<Vec<ScannedItem>>,
    pub function_config: Option<FunctionConfigNode>,
    /// Some item needs a full parse (see [`Extent::Rebuild`]).
    pub needs_full_parse: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionConfigNode {
    pub header: ItemHeader,
    pub extent: Extent,
    pub header_from_value: bool,
}

/// The shape errors the scanner can tell apart; syntax errors come as [`YamlError::Syntax`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeError {
    Empty,
    MultipleDocuments,
    NotAMapping,
    ItemsNotASequence { line: usize },
    ItemNotAMapping { index: usize, line: usize },
}

#[derive(Debug)]
pub enum ScanFailure {
    Yaml(YamlError),
    Shape(ShapeError),
}

/// Byte offsets of line starts, to turn saphyr's (line, char column) into byte offsets.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// Byte offset of the start of (1-based) `line`; one past the end for lines past the text.
    fn line_start(&self, line: usize) -> usize {
        self.starts.get(line.saturating_sub(1)).copied().unwrap_or(self.text.len())
    }

    fn line_text(&self, line: usize) -> &'a str {
        let start = self.line_start(line);
        let end = self.starts.get(line).copied().unwrap_or(self.text.len());
        &self.text[start..end]
    }

    /// Byte offset of a marker.
    fn offset(&self, m: &Marker) -> usize {
        let line = self.line_text(m.line());
        let within = line.char_indices().nth(m.col()).map_or(line.len(), |(i, _)| i);
        self.line_start(m.line()) + within
    }
}

/// An open collection. A mapping holds the key whose value comes next: the parser's own string,
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

struct Open {
    start: Marker,
    start_span: Span,
    header: ItemHeader,
    anchors: Vec<usize>,
    rebuild: bool,
    aliased: bool,
    depth: usize,
}

impl Open {
    /// A node (item or functionConfig) opening at `span`, `depth` mappings deep. A node with an
    /// anchor of its own is rebuilt from a full parse (its first line carries the anchor).
    fn new(span: Span, anchor: usize, depth: usize) -> Self {
        Open {
            start: span.start,
            start_span: span,
            header: ItemHeader::default(),
            anchors: if anchor != 0 { vec![anchor] } else { Vec::new() },
            rebuild: anchor != 0,
            aliased: false,
            depth,
        }
    }
}

pub fn scan(text: &str) -> Result<Outline, ScanFailure> {
    let lines = Lines::new(text);
    let mut outline = Outline::default();
    let mut frames: Vec<Frame<'_>> = Vec::new();
    // Keys from the open node (item or functionConfig) down to the current event.
    let mut path: Vec<Option<Cow<'_, str>>> = Vec::new();
    let mut zone_stack: Vec<Zone> = Vec::new();
    let mut open: Option<Open> = None;
    let mut documents = 0usize;
    let mut root_seen = false;

    for next in Parser::new_from_str(text) {
        let (event, span) = next.map_err(|e| {
            ScanFailure::Yaml(YamlError::Syntax {
                message: super::reword(e.info()),
                line: e.marker().line(),
                column: e.marker().col() + 1,
            })
        })?;
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => continue,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(ScanFailure::Shape(ShapeError::MultipleDocuments));
                }
                continue;
            }
            _ => {}
        }

        // The key/value bookkeeping of the enclosing mapping: a value takes its key along.
        let (is_key, key_of_value) = match frames.last_mut() {
            Some(Frame::Mapping { expecting_key: true, .. }) => (true, None),
            Some(Frame::Mapping { key, expecting_key: false }) => (false, key.take()),
            _ => (false, None),
        };
        let zone = zone_stack.last().copied().unwrap_or(Zone::Root);
        let depth = frames.len();

        match event {
            Event::Scalar(value, style, anchor, tag) => {
                // Only a plain, untagged `null` (or `~`, or nothing) is null: `"null"` is a name.
                let plain = style == ScalarStyle::Plain && tag.is_none();
                if depth == 0 {
                    // A document that is a lone scalar (or empty).
                    if value.is_empty() && tag.is_none() {
                        continue;
                    }
                    return Err(ScanFailure::Shape(ShapeError::NotAMapping));
                }
                if let Some(o) = open.as_mut() {
                    if anchor != 0 {
                        o.anchors.push(anchor);
                    }
                    if is_key && value == "<<" {
                        o.aliased = true;
                    }
                    if !is_key {
                        record_header(&mut o.header, &path, key_of_value, value, plain, depth - o.depth);
                        advance(&mut frames, None);
                        continue;
                    }
                } else if zone == Zone::Root && depth == 1 && !is_key {
                    match key_of_value.as_deref() {
                        Some("apiVersion") => outline.api_version = Some(value.to_string()),
                        Some("kind") => outline.kind = Some(value.to_string()),
                        Some("items") if plain && is_null(&value) => outline.items = Some(Vec::new()),
                        Some("items") => {
                            return Err(ScanFailure::Shape(ShapeError::ItemsNotASequence { line: span.start.line() }))
                        }
                        _ => {}
                    }
                } else if zone == Zone::Items {
                    let index = outline.items.as_ref().map_or(0, Vec::len);
                    return Err(ScanFailure::Shape(ShapeError::ItemNotAMapping { index, line: span.start.line() }));
                }
                advance(&mut frames, is_key.then_some(value));
            }
            Event::Alias(id) => {
                match open.as_mut() {
                    Some(o) => {
                        o.aliased = true;
                        if !o.anchors.contains(&id) {
                            o.rebuild = true;
                        }
                    }
                    None if zone == Zone::Items => {
                        let index = outline.items.as_ref().map_or(0, Vec::len);
                        return Err(ScanFailure::Shape(ShapeError::ItemNotAMapping { index, line: span.start.line() }));
                    }
                    None => {}
                }
                advance(&mut frames, None);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let is_mapping = matches!(event, Event::MappingStart(..));
                if depth == 0 {
                    if !is_mapping {
                        return Err(ScanFailure::Shape(ShapeError::NotAMapping));
                    }
                    root_seen = true;
                    zone_stack.push(Zone::Root);
                } else if let Some(o) = open.as_mut() {
                    if anchor != 0 {
                        o.anchors.push(anchor);
                    }
                    path.push(key_of_value);
                    zone_stack.push(zone);
                } else if zone == Zone::Root && depth == 1 && !is_key && key_of_value.as_deref() == Some("items") {
                    if is_mapping {
                        return Err(ScanFailure::Shape(ShapeError::ItemsNotASequence { line: span.start.line() }));
                    }
                    outline.items = Some(Vec::new());
                    zone_stack.push(Zone::Items);
                } else if zone == Zone::Items {
                    let index = outline.items.as_ref().map_or(0, Vec::len);
                    if !is_mapping {
                        return Err(ScanFailure::Shape(ShapeError::ItemNotAMapping { index, line: span.start.line() }));
                    }
                    open = Some(Open::new(span, anchor, depth + 1));
                    zone_stack.push(Zone::Item);
                } else if zone == Zone::Root
                    && depth == 1
                    && !is_key
                    && is_mapping
                    && key_of_value.as_deref() == Some("functionConfig")
                {
                    open = Some(Open::new(span, anchor, depth + 1));
                    zone_stack.push(Zone::FunctionConfig);
                } else {
                    zone_stack.push(Zone::Elsewhere);
                }
                frames.push(if is_mapping {
                    Frame::Mapping { key: None, expecting_key: true }
                } else {
                    Frame::Sequence
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                frames.pop();
                let closing = zone_stack.pop().unwrap_or(Zone::Root);
                let closes_open = open.as_ref().is_some_and(|o| o.depth == depth);
                if closes_open {
                    let mut o = open.take().expect("checked above");
                    o.header.annotations.shrink_to_fit();
                    let extent = if o.rebuild {
                        Extent::Rebuild
                    } else if text_at(&lines, &o.start_span).starts_with('{') {
                        Extent::Flow { start: lines.offset(&o.start), end: lines.offset(&span.end) }
                    } else {
                        block_extent(&lines, &o, span.start)
                    };
                    if extent == Extent::Rebuild {
                        outline.needs_full_parse = true;
                    }
                    match closing {
                        Zone::Item => outline
                            .items
                            .get_or_insert_with(Vec::new)
                            .push(ScannedItem { header: o.header, extent, header_from_value: o.aliased }),
                        _ => {
                            outline.function_config =
                                Some(FunctionConfigNode { header: o.header, extent, header_from_value: o.aliased })
                        }
                    }
                } else if open.is_some() {
                    path.pop();
                }
                advance(&mut frames, None);
            }
            _ => {}
        }
    }
    if !root_seen {
        return Err(ScanFailure::Shape(ShapeError::Empty));
    }
    Ok(outline)
}

fn is_null(value: &str) -> bool {
    matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

/// After a complete node: a mapping flips between key and value.
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

/// Picks up apiVersion, kind, metadata.{name,namespace,annotations}. `level` is the depth of the
/// scalar's mapping below the item: 1 for the item's own keys.
fn record_header(
    h: &mut ItemHeader,
    path: &[Option<Cow<'_, str>>],
    key: Option<Cow<'_, str>>,
    value: Cow<'_, str>,
    plain: bool,
    level: usize,
) {
    let Some(key) = key else { return };
    let is_null = |v: &str| plain && is_null(v);
    match (level, path) {
        (0, []) => match &*key {
            "apiVersion" if !is_null(&value) => h.api_version = Some(kept(value)),
            "kind" if !is_null(&value) => h.kind = Some(kept(value)),
            _ => {}
        },
        (1, [Some(m)]) if m == "metadata" => match &*key {
            "name" if !is_null(&value) => h.name = Some(kept(value)),
            "namespace" if !is_null(&value) => h.namespace = Some(kept(value)),
            _ => {}
        },
        (2, [Some(m), Some(a)]) if m == "metadata" && a == "annotations" => {
            h.annotations.push(&key, &value);
        }
        _ => {}
    }
}

/// A string the outline keeps, without the spare capacity the parser's buffers carry (several
/// times the text for short scalars; headers of every item stay until the output is written).
fn kept(s: Cow<'_, str>) -> String {
    let mut s = s.into_owned();
    s.shrink_to_fit();
    s
}

/// Decides whether a block mapping can be cut out as lines: its first line holds only
/// indentation and at most one `-` before the node, and no later line is indented less.
fn block_extent(lines: &Lines<'_>, o: &Open, end: Marker) -> Extent {
    let first_line = lines.line_text(o.start.line());
    let start = lines.offset(&o.start);
    let prefix = &first_line[..start - lines.line_start(o.start.line())];
    let prefix_ok = {
        let t = prefix.trim_start_matches(' ');
        let t = t.strip_prefix('-').unwrap_or(t);
        t.trim_start_matches(' ').is_empty()
    };
    // A flow mapping starts with its brace.
    let flow = text_at(lines, &o.start_span).starts_with('{');
    if !prefix_ok || flow {
        return Extent::Rebuild;
    }
    let indent = o.start.col();
    // The node ends where the next token begins; that token must open its own line.
    let end_prefix = &lines.line_text(end.line())[..lines.offset(&end) - lines.line_start(end.line())];
    if !end_prefix.trim_start_matches(' ').is_empty() {
        return Extent::Rebuild;
    }
    let end_offset = lines.line_start(end.line());
    let mut line = o.start.line() + 1;
    while line < end.line() {
        let t = lines.line_text(line);
        let body = t.trim_start_matches(' ');
        let blank = body.trim().is_empty() || body.starts_with('#');
        if !blank && t.len() - body.len() < indent {
            return Extent::Rebuild;
        }
        line += 1;
    }
    Extent::Block(BlockSpan { start, end: end_offset.max(start), indent })
}

fn text_at<'a>(lines: &Lines<'a>, span: &Span) -> &'a str {
    let from = lines.offset(&span.start);
    &lines.text[from..]
}

/// The node's text re-indented so that its first line starts at `indent` columns; the first
/// line itself carries no indentation (the caller writes what precedes it).
pub fn reindent(text: &str, span: &BlockSpan, indent: usize, out: &mut String) {
    let body = &text[span.start..span.end];
    let mut lines = body.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    out.push_str(first);
    if indent == span.indent {
        // Same indentation (kpt's `- ` items written back as `- ` items): most lines come out as
        // they are, so copy runs of such lines at once and rewrite only the others.
        let mut run_start = first.len();
        let mut at = run_start;
        let mut breaks = memchr::memchr_iter(b'\n', &body.as_bytes()[at..]).map(|i| first.len() + i + 1);
        while at < body.len() {
            let end = breaks.next().unwrap_or(body.len());
            let line = &body[at..end];
            if !unchanged_by_reindent(line, indent) {
                out.push_str(&body[run_start..at]);
                reindent_line(line, span.indent, indent, out);
                run_start = end;
            }
            at = end;
        }
        out.push_str(&body[run_start..]);
    } else {
        for line in lines {
            reindent_line(line, span.indent, indent, out);
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
}

/// True when [`reindent_line`] from `indent` to the same `indent` gives `line` back: at least
/// `indent` spaces, then something other than a line break (a line holding exactly `indent`
/// spaces loses them).
fn unchanged_by_reindent(line: &str, indent: usize) -> bool {
    let b = line.as_bytes();
    b.len() > indent && b[..indent].iter().all(|&c| c == b' ') && !matches!(b[indent], b'\n' | b'\r')
}

/// One line after the first, from the node's indentation `from` to `to`.
fn reindent_line(line: &str, from: usize, to: usize, out: &mut String) {
    let content = line.trim_start_matches(' ');
    let leading = line.len() - content.len();
    if content.trim_end_matches(['\n', '\r']).is_empty() {
        // Blank line: keep the spaces beyond the node's indentation (block scalars count them).
        if leading > from {
            push_spaces(out, to);
            out.push_str(&line[from..]);
        } else {
            out.push_str(content);
        }
        return;
    }
    if leading >= from {
        push_spaces(out, to);
        out.push_str(&line[from..]);
    } else {
        // Only comment lines get here (block_extent checked the rest).
        push_spaces(out, to);
        out.push_str(content);
    }
}

fn push_spaces(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline(text: &str) -> Outline {
        match scan(text) {
            Ok(o) => o,
            Err(_) => panic!("scan failed on {text:?}"),
        }
    }

    #[test]
    fn annotations_keep_document_order_and_quoted_values() {
        let o = outline(
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n    annotations:\n      b: 'x'\n      a: \"\"\n      config.kubernetes.io/index: '0'\n      b: second\n",
        );
        let header = &o.items.expect("items")[0].header;
        let pairs: Vec<(&str, &str)> = header.annotations.iter().collect();
        assert_eq!(pairs, [("b", "x"), ("a", ""), ("config.kubernetes.io/index", "0"), ("b", "second")]);
        assert_eq!(header.annotations.len(), 4);
        // The first of duplicate keys wins, as before the annotations were packed.
        assert_eq!(header.annotation("b"), Some("x"));
        assert_eq!(header.annotation("a"), Some(""));
        assert_eq!(header.annotation("c"), None);
    }

    /// The line-by-line rewrite, as reindent did it for every line before it copied runs.
    fn reindent_slowly(text: &str, span: &BlockSpan, indent: usize) -> String {
        let mut out = String::new();
        let body = &text[span.start..span.end];
        let mut lines = body.split_inclusive('\n');
        out.push_str(lines.next().unwrap_or(""));
        for line in lines {
            reindent_line(line, span.indent, indent, &mut out);
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }

    #[test]
    fn copying_runs_gives_the_line_by_line_text() {
        let text = "- a: 1\n  b: |\n    x\n\n     \n  \n \n    y\n  # c\n # d\n#e\n  c:\r\n  \r\n  d: 2";
        for indent in [0, 1, 2, 3] {
            let span = BlockSpan { start: 2, end: text.len(), indent: 2 };
            let mut fast = String::new();
            reindent(text, &span, indent, &mut fast);
            assert_eq!(fast, reindent_slowly(text, &span, indent), "to {indent}");
        }
    }

    #[test]
    fn an_item_without_annotations_has_none() {
        let o = outline("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n");
        let header = &o.items.expect("items")[0].header;
        assert!(header.annotations.is_empty());
        assert_eq!(header.annotations.iter().count(), 0);
    }
}
