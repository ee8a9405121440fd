//! The outline of a ResourceList in the block style its clients write, found line by line.
//!
//! kpt, kustomize and Argo CD send block YAML: one key or one `- ` entry a line, single-line
//! scalars, literal block scalars for scripts and certificates. [`scan`] reads that subset in a
//! fraction of a parser's instructions and gives exactly the [`Outline`] the full scan
//! ([`super::scan`]) would give. On anything outside the subset (non-ASCII or control
//! characters, tabs, CR, anchors, aliases, tags, merge keys, flow collections other than `{}`
//! and `[]`, multi-line flow scalars, explicit indentation indicators, odd indentation, document
//! markers) it returns `None` and the caller runs the full scan, which also reports the errors.
//! Hand-rolled because the parsers available tokenise every scalar character by character
//! (saphyr-parser costs about 160 instructions a byte, most of the function's time on a large
//! list); `tests/fast_scan.rs` and the fuzz oracle (`tests/support/oracle.rs`) hold it to the
//! full scan's outline on every input it accepts.

use std::borrow::Cow;

use super::scan::{BlockSpan, Extent, FunctionConfigNode, ItemHeader, Outline, ScannedItem};

/// The outline of `text`, or `None` when `text` is outside the subset this scanner reads.
pub fn scan(text: &str) -> Option<Outline> {
    if !in_subset(text) {
        return None;
    }
    let mut scanner = Scanner::default();
    for (start, line) in lines(text) {
        scanner.line(start, line)?;
    }
    scanner.finish(text.len())
}

/// The lines of `text` (each line break ends one) and where each starts. memchr over the whole
/// text rather than a search per line.
pub(super) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> + '_ {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes()).map(move |end| {
        let line = (start, &text[start..end]);
        start = end + 1;
        line
    })
}

/// Printable ASCII and LF only, and a final line break: every other character and shape is the
/// full parsers' to judge.
pub(super) fn in_subset(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Chunks without an early exit inside: the check over a chunk compiles to vector code.
    bytes.ends_with(b"\n")
        && bytes.chunks(64).all(|chunk| chunk.iter().fold(true, |ok, &b| ok & (b == b'\n' || (0x20..0x7f).contains(&b))))
}

/// What the keys of a mapping mean for the outline.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Root,
    /// The `items` sequence.
    Items,
    /// An item, or the functionConfig: apiVersion, kind and metadata are its header.
    Node,
    Metadata,
    Annotations,
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Mapping,
    Sequence,
}

#[derive(Debug)]
struct Frame {
    indent: usize,
    kind: Kind,
    role: Role,
}

/// A key (or a `-`) with nothing after it on its line: its value is on the lines below, or null.
struct Pending {
    column: usize,
    after_key: bool,
    /// The role of a mapping opened as this value.
    child: Role,
    slot: Slot,
}

/// Where a scalar value goes in the outline.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Slot {
    None,
    RootApiVersion,
    RootKind,
    /// `items: ~` is an empty list; any other scalar is the full scan's error to report.
    RootItems,
    ApiVersion,
    Kind,
    Name,
    Namespace,
    Annotation(String),
}

/// The lines after a block scalar's header (`|`, `>`): which belong to it. Shared by the line
/// scan and the value builder.
pub(super) struct BlockScalar {
    /// Indentation of the node holding it: content lines are indented more.
    parent: usize,
    /// The content's indentation, set by its first line that is not all spaces.
    pub(super) content: Option<usize>,
    /// Most spaces on an all-space line before the first content line.
    leading_spaces: usize,
}

/// Where a line stands to an open block scalar.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum BlockLine {
    Inside,
    /// The line ends the scalar and is read as structure.
    After,
}

impl BlockScalar {
    pub(super) fn new(parent: usize) -> Self {
        BlockScalar { parent, content: None, leading_spaces: 0 }
    }

    /// A line indented `indent` (`blank`: nothing else on it); `None` when the leading all-space
    /// lines have more spaces than the content (an error, or an indentation the full parsers
    /// work out).
    pub(super) fn take(&mut self, indent: usize, blank: bool) -> Option<BlockLine> {
        if blank {
            if self.content.is_none() {
                self.leading_spaces = self.leading_spaces.max(indent);
            }
            return Some(BlockLine::Inside);
        }
        match self.content {
            Some(content) if indent >= content => Some(BlockLine::Inside),
            None if indent > self.parent => {
                if self.leading_spaces > indent {
                    return None;
                }
                self.content = Some(indent);
                Some(BlockLine::Inside)
            }
            None if self.leading_spaces > self.parent => None,
            _ => Some(BlockLine::After),
        }
    }

    /// At the end of the input: the same check for a scalar without content.
    pub(super) fn end(&self) -> Option<()> {
        (self.content.is_some() || self.leading_spaces <= self.parent).then_some(())
    }
}

/// The item or functionConfig being read.
struct OpenNode {
    start: usize,
    indent: usize,
    header: ItemHeader,
    is_item: bool,
}

#[derive(Default)]
struct Scanner {
    outline: Outline,
    frames: Vec<Frame>,
    pending: Option<Pending>,
    block: Option<BlockScalar>,
    open: Option<OpenNode>,
    seen_items: bool,
    seen_function_config: bool,
}

impl Scanner {
    fn line(&mut self, start: usize, line: &str) -> Option<()> {
        let rest = line.trim_start_matches(' ');
        let indent = line.len() - rest.len();
        if let Some(block) = self.block.as_mut() {
            match block.take(indent, rest.is_empty())? {
                BlockLine::Inside => return Some(()),
                BlockLine::After => self.block = None,
            }
        }
        if rest.is_empty() || rest.starts_with('#') {
            return Some(());
        }
        if indent == 0 && (rest.starts_with("---") || rest.starts_with("...")) {
            return None;
        }
        self.structure(start, indent, rest)
    }

    /// A line that holds a key or an entry.
    fn structure(&mut self, start: usize, indent: usize, rest: &str) -> Option<()> {
        if self.frames.is_empty() {
            if indent != 0 || is_entry(rest) {
                return None;
            }
            self.frames.push(Frame { indent: 0, kind: Kind::Mapping, role: Role::Root });
        }
        if let Some(p) = self.pending.take() {
            let nested = indent > p.column || (indent == p.column && p.after_key && is_entry(rest));
            if nested {
                let kind = if is_entry(rest) {
                    Kind::Sequence
                } else if matches!(key_of(rest)?, KeyLine::Key { .. }) {
                    Kind::Mapping
                } else {
                    // A scalar on the lines below its key: multi-line forms are not read here.
                    return None;
                };
                self.open_collection(start, indent, kind, p.child)?;
            } else {
                self.scalar(&p.slot, Cow::Borrowed(""), true)?;
                if p.child == Role::Items {
                    self.outline.items = Some(Vec::new());
                }
            }
        }
        while self.frames.last().is_some_and(|f| f.indent > indent) {
            self.close_frame(start);
        }
        // A sequence written at its key's indentation ends at the mapping's next key.
        let n = self.frames.len();
        if n >= 2
            && !is_entry(rest)
            && self.frames[n - 1].kind == Kind::Sequence
            && self.frames[n - 1].indent == indent
            && self.frames[n - 2].kind == Kind::Mapping
            && self.frames[n - 2].indent == indent
        {
            self.close_frame(start);
        }
        let top = self.frames.last()?;
        if top.indent != indent {
            return None;
        }
        match top.kind {
            Kind::Mapping if !is_entry(rest) => self.key_line(start, indent, rest),
            Kind::Sequence if is_entry(rest) => self.entry_line(start, indent, rest),
            _ => None,
        }
    }

    fn open_collection(&mut self, start: usize, indent: usize, kind: Kind, role: Role) -> Option<()> {
        let role = match (role, kind) {
            (Role::Items, Kind::Sequence) => {
                self.outline.items = Some(Vec::new());
                Role::Items
            }
            (Role::Items, Kind::Mapping) => return None,
            (Role::Node, Kind::Mapping) => {
                self.open = Some(OpenNode { start: start + indent, indent, header: ItemHeader::default(), is_item: false });
                Role::Node
            }
            (_, Kind::Sequence) => Role::Other,
            (role, Kind::Mapping) => role,
        };
        self.frames.push(Frame { indent, kind, role });
        Some(())
    }

    fn close_frame(&mut self, end: usize) {
        let Some(frame) = self.frames.pop() else { return };
        if frame.role != Role::Node {
            return;
        }
        let Some(mut node) = self.open.take() else { return };
        node.header.annotations.shrink_to_fit();
        let extent = Extent::Block(BlockSpan { start: node.start, end: end.max(node.start), indent: node.indent });
        if node.is_item {
            self.outline.items.get_or_insert_with(Vec::new).push(ScannedItem {
                header: node.header,
                extent,
                header_from_value: false,
            });
        } else {
            self.outline.function_config = Some(FunctionConfigNode { header: node.header, extent, header_from_value: false });
        }
    }

    /// `key: value` in a mapping whose keys are at `indent`.
    fn key_line(&mut self, start: usize, indent: usize, rest: &str) -> Option<()> {
        let KeyLine::Key { key, value, .. } = key_of(rest)? else { return None };
        let role = self.frames.last()?.role;
        let (slot, child) = match (role, &*key) {
            (Role::Root, "apiVersion") => (Slot::RootApiVersion, Role::Other),
            (Role::Root, "kind") => (Slot::RootKind, Role::Other),
            (Role::Root, "items") => {
                if std::mem::replace(&mut self.seen_items, true) {
                    return None;
                }
                (Slot::RootItems, Role::Items)
            }
            (Role::Root, "functionConfig") => {
                if std::mem::replace(&mut self.seen_function_config, true) {
                    return None;
                }
                (Slot::None, Role::Node)
            }
            (Role::Root, _) => (Slot::None, Role::Other),
            (Role::Node, "apiVersion") => (Slot::ApiVersion, Role::Other),
            (Role::Node, "kind") => (Slot::Kind, Role::Other),
            (Role::Node, "metadata") => (Slot::None, Role::Metadata),
            (Role::Metadata, "name") => (Slot::Name, Role::Other),
            (Role::Metadata, "namespace") => (Slot::Namespace, Role::Other),
            (Role::Metadata, "annotations") => (Slot::None, Role::Annotations),
            (Role::Annotations, _) => (Slot::Annotation(key.into_owned()), Role::Other),
            _ => (Slot::None, Role::Other),
        };
        let value_column = start + indent + (rest.len() - value.len());
        self.value(value_column, indent, value, slot, child, true)
    }

    /// `- ...` in a sequence whose dashes are at `indent`.
    fn entry_line(&mut self, start: usize, indent: usize, rest: &str) -> Option<()> {
        let in_items = self.frames.last()?.role == Role::Items;
        let after = rest[1..].trim_start_matches(' ');
        let column = indent + (rest.len() - after.len());
        if after.is_empty() || after.starts_with('#') {
            if in_items {
                return None;
            }
            self.pending = Some(Pending { column: indent, after_key: false, child: Role::Other, slot: Slot::None });
            return Some(());
        }
        if is_entry(after) {
            if in_items {
                return None;
            }
            self.frames.push(Frame { indent: column, kind: Kind::Sequence, role: Role::Other });
            return self.entry_line(start, column, after);
        }
        match key_of(after)? {
            KeyLine::Key { .. } => {
                if in_items {
                    self.open = Some(OpenNode { start: start + column, indent: column, header: ItemHeader::default(), is_item: true });
                }
                let role = if in_items { Role::Node } else { Role::Other };
                self.frames.push(Frame { indent: column, kind: Kind::Mapping, role });
                self.key_line(start, column, after)
            }
            KeyLine::Scalar if in_items => None,
            KeyLine::Scalar => self.value(start + column, indent, after, Slot::None, Role::Other, false),
        }
    }

    /// The value after a key (`after_key`) or a dash at `column` (the key's or the dash's), starting
    /// at byte `at` of `text`.
    fn value(&mut self, at: usize, column: usize, value: &str, slot: Slot, child: Role, after_key: bool) -> Option<()> {
        if value.is_empty() || value.starts_with('#') {
            self.pending = Some(Pending { column, after_key, child, slot });
            return Some(());
        }
        let first = value.as_bytes()[0];
        match first {
            b'|' | b'>' => {
                // Block scalars as header values would need their folding and chomping here.
                if slot != Slot::None || child == Role::Items {
                    return None;
                }
                let indicators = value[1..].split(" #").next().unwrap_or("").trim_end_matches(' ');
                if !matches!(indicators, "" | "-" | "+") {
                    return None;
                }
                self.block = Some(BlockScalar::new(column));
                Some(())
            }
            b'{' | b'[' => {
                let collection = value.get(..2)?;
                if !matches!(collection, "{}" | "[]") || !ends_cleanly(&value[2..]) {
                    return None;
                }
                match (child, collection) {
                    (Role::Items, "[]") => self.outline.items = Some(Vec::new()),
                    (Role::Items, _) => return None,
                    (Role::Node, "{}") => {
                        self.outline.function_config = Some(FunctionConfigNode {
                            header: ItemHeader::default(),
                            extent: Extent::Flow { start: at, end: at + 2 },
                            header_from_value: false,
                        })
                    }
                    _ => {}
                }
                Some(())
            }
            _ => {
                let scalar = scalar_of(value)?;
                // Only a plain `null` is null: `"null"` is a string (and a name).
                let plain = !matches!(value.as_bytes()[0], b'\'' | b'"');
                if child == Role::Items && !(plain && is_null(&scalar)) {
                    return None;
                }
                self.scalar(&slot, scalar, plain)?;
                if child == Role::Items {
                    self.outline.items = Some(Vec::new());
                }
                Some(())
            }
        }
    }

    fn scalar(&mut self, slot: &Slot, value: Cow<'_, str>, plain: bool) -> Option<()> {
        let header = self.open.as_mut().map(|o| &mut o.header);
        match (slot, header) {
            (Slot::None | Slot::RootItems, _) => {}
            (Slot::RootApiVersion, _) => self.outline.api_version = Some(value.into_owned()),
            (Slot::RootKind, _) => self.outline.kind = Some(value.into_owned()),
            (_, None) => return None,
            (_, Some(_)) if plain && is_null(&value) && !matches!(slot, Slot::Annotation(_)) => {}
            (Slot::ApiVersion, Some(h)) => h.api_version = Some(value.into_owned()),
            (Slot::Kind, Some(h)) => h.kind = Some(value.into_owned()),
            (Slot::Name, Some(h)) => h.name = Some(value.into_owned()),
            (Slot::Namespace, Some(h)) => h.namespace = Some(value.into_owned()),
            (Slot::Annotation(key), Some(h)) => h.annotations.push(key, &value),
        }
        Some(())
    }

    fn finish(mut self, end: usize) -> Option<Outline> {
        if self.frames.is_empty() {
            return None;
        }
        if let Some(p) = self.pending.take() {
            self.scalar(&p.slot, Cow::Borrowed(""), true)?;
            if p.child == Role::Items {
                self.outline.items = Some(Vec::new());
            }
        }
        if let Some(block) = &self.block {
            block.end()?;
        }
        while !self.frames.is_empty() {
            self.close_frame(end);
        }
        Some(self.outline)
    }
}

pub(super) fn is_entry(rest: &str) -> bool {
    rest == "-" || rest.starts_with("- ")
}

pub(super) fn is_null(value: &str) -> bool {
    matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

/// Nothing but spaces and perhaps a comment after a value.
pub(super) fn ends_cleanly(after: &str) -> bool {
    after.is_empty() || (after.starts_with(' ') && matches!(after.trim_start_matches(' ').as_bytes().first(), None | Some(b'#')))
}

pub(super) enum KeyLine<'a> {
    /// `key:` and the text after the colon's spaces; `quoted` when the key is a quoted scalar.
    Key { key: Cow<'a, str>, quoted: bool, value: &'a str },
    /// A lone scalar (a sequence entry's value).
    Scalar,
}

/// Splits `key: value`; `None` for a line outside the subset.
pub(super) fn key_of(rest: &str) -> Option<KeyLine<'_>> {
    let b = rest.as_bytes();
    let is_quoted = matches!(b[0], b'\'' | b'"');
    let (key, after) = match b[0] {
        b'\'' | b'"' => {
            let (key, len) = quoted(rest)?;
            let after = rest[len..].trim_start_matches(' ');
            if !after.starts_with(':') {
                return if ends_cleanly(&rest[len..]) { Some(KeyLine::Scalar) } else { None };
            }
            (key, &after[1..])
        }
        _ => {
            let mut colon = None;
            for i in 0..b.len() {
                match b[i] {
                    b':' if matches!(b.get(i + 1), None | Some(b' ')) => {
                        colon = Some(i);
                        break;
                    }
                    b'#' if i > 0 && b[i - 1] == b' ' => break,
                    _ => {}
                }
            }
            let Some(colon) = colon else { return Some(KeyLine::Scalar) };
            let key = rest[..colon].trim_end_matches(' ');
            if key.is_empty() || key.len() > 1000 || !plain_start(key.as_bytes()) {
                return None;
            }
            (Cow::Borrowed(key), &rest[colon + 1..])
        }
    };
    // Merge keys (serde_yaml merges a quoted `<<` too) are the full parsers' to resolve.
    if !(after.is_empty() || after.starts_with(' ')) || key == "<<" {
        return None;
    }
    Some(KeyLine::Key { key, quoted: is_quoted, value: after.trim_start_matches(' ') })
}

/// A plain scalar may start here: not an indicator, and `-` only before something that is not
/// a space (`-1`, `--flag`).
pub(super) fn plain_start(b: &[u8]) -> bool {
    match b[0] {
        b'-' => !matches!(b.get(1), None | Some(b' ')),
        c => c.is_ascii_alphanumeric() || b"._/$~+=^;()<\\".contains(&c),
    }
}

/// The value of a single-line scalar that runs to the end of the line (comment aside).
pub(super) fn scalar_of(value: &str) -> Option<Cow<'_, str>> {
    match value.as_bytes()[0] {
        b'\'' | b'"' => {
            let (decoded, len) = quoted(value)?;
            ends_cleanly(&value[len..]).then_some(decoded)
        }
        _ => {
            if !plain_start(value.as_bytes()) {
                return None;
            }
            let text = match comment_start(value.as_bytes()) {
                Some(i) => &value[..i],
                None => value,
            };
            let text = text.trim_end_matches(' ');
            // `a: b: c` and `a: b:` are not plain scalars.
            if has_colon_space(text.as_bytes()) || text.ends_with(':') {
                return None;
            }
            Some(Cow::Borrowed(text))
        }
    }
}

/// Where ` #` (a comment after a value) starts. Byte loops rather than `str::find`, which sets
/// up a substring searcher on every call: this runs for every scalar of the input.
fn comment_start(b: &[u8]) -> Option<usize> {
    let mut from = 1;
    while let Some(i) = b.get(from..)?.iter().position(|&c| c == b'#') {
        let at = from + i;
        if b[at - 1] == b' ' {
            return Some(at - 1);
        }
        from = at + 1;
    }
    None
}

fn has_colon_space(b: &[u8]) -> bool {
    b.iter().enumerate().any(|(i, &c)| c == b':' && b.get(i + 1) == Some(&b' '))
}

/// A quoted scalar closed on its line: its value and its length in `s`.
pub(super) fn quoted(s: &str) -> Option<(Cow<'_, str>, usize)> {
    let b = s.as_bytes();
    if b[0] == b'\'' {
        let mut i = 1;
        let mut escaped = false;
        loop {
            match b.get(i)? {
                b'\'' if b.get(i + 1) == Some(&b'\'') => {
                    escaped = true;
                    i += 2;
                }
                b'\'' => break,
                _ => i += 1,
            }
        }
        let inner = &s[1..i];
        let value = if escaped { Cow::Owned(inner.replace("''", "'")) } else { Cow::Borrowed(inner) };
        return Some((value, i + 1));
    }
    let mut i = 1;
    let mut out: Option<String> = None;
    let mut run = 1;
    loop {
        match *b.get(i)? {
            b'"' => break,
            b'\\' => {
                let o = out.get_or_insert_with(String::new);
                o.push_str(&s[run..i]);
                let (c, len) = escape(&s[i + 1..])?;
                o.push(c);
                i += 1 + len;
                run = i;
            }
            _ => i += 1,
        }
    }
    let value = match out {
        Some(mut o) => {
            o.push_str(&s[run..i]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(&s[1..i]),
    };
    Some((value, i + 1))
}

/// A double-quoted scalar's escape after the backslash: the character and the escape's length.
fn escape(s: &str) -> Option<(char, usize)> {
    let c = match *s.as_bytes().first()? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex(s, 2),
        b'u' => return hex(s, 4),
        b'U' => return hex(s, 8),
        _ => return None,
    };
    Some((c, 1))
}

fn hex(s: &str, digits: usize) -> Option<(char, usize)> {
    let h = s.get(1..1 + digits)?;
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(h, 16).ok()?)?;
    Some((c, 1 + digits))
}
