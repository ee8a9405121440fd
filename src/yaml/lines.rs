//! The block style kpt, kustomize and Argo CD write, read line by line into saphyr-parser's
//! events.
//!
//! Those clients send one key or one `- ` entry a line, single-line scalars and block scalars
//! (literal ones for scripts and certificates). [`feed`] reads that subset (the grammar is in
//! [`super::line_grammar`]) at a fraction of the parser's cost (saphyr-parser tokenises every
//! scalar character by character, about 160 instructions a byte) and hands any
//! [`SpannedEventReceiver`] the events saphyr-parser's `Parser` would give for the same text:
//!
//! - the same [`Event`] values in the same order, from `StreamStart` to `StreamEnd`;
//! - the same [`Span`] for every event (markers count characters, and the subset is ASCII, so
//!   a marker's index is also its byte offset).
//!
//! On anything outside the subset (non-ASCII or control characters, tabs, CR, anchors, aliases,
//! tags, merge keys, flow collections other than `{}` and `[]`, multi-line flow or plain
//! scalars, explicit indentation indicators, odd indentation, document
//! markers) it declines with `None`, before the first event or in the middle of the stream; the
//! caller ([`super::events::read`]) then gives a fresh receiver to the parser, which also
//! reports the errors. `tests/fast_scan.rs` and the fuzz oracle (`tests/support/oracle.rs`)
//! compare the two streams on every input the line source reads.

use std::borrow::Cow;

use saphyr_parser::{Event, Marker, ScalarStyle, Span, SpannedEventReceiver};

use super::line_grammar::{
    chomp_of, ends_cleanly, in_subset, is_entry, key_of, lines, quoted, scalar_of, BlockLine, BlockScalar, Chomp, KeyLine,
};

/// Feeds `text`'s events to `recv`; `None` when `text` is outside the subset (`recv` may then
/// have seen some of them, and is the caller's to throw away).
pub fn feed<'i, R: SpannedEventReceiver<'i>>(text: &'i str, recv: &mut R) -> Option<()> {
    if !in_subset(text) {
        return None;
    }
    let mut source = Source { text, recv, frames: Vec::new(), pending: None, block: None, line: 0, line_start: 0 };
    source.lines_of(0, text)?;
    source.finish()
}

/// [`feed`] over the lines before byte `split` (the start of a line that opens an entry of a
/// sequence), then what that line closes: the events before its entry. The collections still
/// open there, from the root down, as (indentation, is a sequence); `None` when `text` is
/// outside the subset up to there.
pub fn feed_head<'i, R: SpannedEventReceiver<'i>>(text: &'i str, split: usize, recv: &mut R) -> Option<Vec<(usize, bool)>> {
    let head = text.get(..split)?;
    if !in_subset(head) {
        return None;
    }
    let mut source = Source { text, recv, frames: Vec::new(), pending: None, block: None, line: 0, line_start: 0 };
    source.lines_of(0, head)?;
    let end = split + memchr::memchr(b'\n', &text.as_bytes()[split..])?;
    if !in_subset(&text[split..=end]) {
        return None;
    }
    source.line += 1;
    source.line_start = split;
    let (indent, rest) = source.structure_of(split, &text[split..end])??;
    if !is_entry(rest) || source.reach(split, indent, rest, &None)? != Kind::Sequence || source.pending.is_some() {
        return None;
    }
    Some(source.frames.iter().map(|f| (f.indent, f.kind == Kind::Sequence)).collect())
}

/// [`feed`] from byte `split` to the end, with the collections `open` (as [`feed_head`] left
/// them): the events after [`feed_head`]'s, the same as [`feed`] gives for the whole text.
pub fn feed_tail<'i, R: SpannedEventReceiver<'i>>(text: &'i str, split: usize, open: &[(usize, bool)], recv: &mut R) -> Option<()> {
    let tail = text.get(split..)?;
    if !in_subset(tail) || open.is_empty() {
        return None;
    }
    let frames = open.iter().map(|&(indent, sequence)| Frame { indent, kind: if sequence { Kind::Sequence } else { Kind::Mapping } }).collect();
    let line = memchr::memchr_iter(b'\n', &text.as_bytes()[..split]).count();
    let mut source = Source { text, recv, frames, pending: None, block: None, line, line_start: split };
    source.lines_of(split, tail)?;
    source.finish()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Mapping,
    Sequence,
}

struct Frame {
    indent: usize,
    kind: Kind,
}

/// A key (or a `-`) with nothing after it on its line: its value is on the lines below, or an
/// empty scalar at `empty` (the parser puts it at the key's colon, or after the dash and what
/// follows it on the line).
struct Pending {
    column: usize,
    after_key: bool,
    empty: Marker,
}

/// A block scalar being read.
struct Block {
    lines: BlockScalar,
    folded: bool,
    chomp: Chomp,
    /// Byte range of its lines after the header, as written.
    body: (usize, usize),
    /// Its first character: where the parser's scalar token begins.
    start: Option<Marker>,
    /// The `|`: where the token of a scalar without content lines that ends the input begins.
    header: Marker,
}

struct Source<'i, 'r, R> {
    text: &'i str,
    recv: &'r mut R,
    frames: Vec<Frame>,
    pending: Option<Pending>,
    block: Option<Block>,
    /// The current line (1-based, as the parser counts) and its byte offset.
    line: usize,
    line_start: usize,
}

fn empty_scalar<'i>() -> Event<'i> {
    Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None)
}

impl<'i, R: SpannedEventReceiver<'i>> Source<'i, '_, R> {
    /// A marker at byte `at` of the current line.
    fn mark(&self, at: usize) -> Marker {
        Marker::new(at, self.line, at - self.line_start)
    }

    fn emit(&mut self, event: Event<'i>, start: Marker, end: Marker) {
        self.recv.on_event(event, Span::new(start, end));
    }

    fn emit_at(&mut self, event: Event<'i>, at: Marker) {
        self.emit(event, at, at);
    }

    /// Reads the lines of `part`, which starts at byte `at` of the text.
    fn lines_of(&mut self, at: usize, part: &'i str) -> Option<()> {
        for (start, line) in lines(part) {
            let start = start + at;
            self.line += 1;
            self.line_start = start;
            self.line_of_text(start, line)?;
        }
        Some(())
    }

    fn line_of_text(&mut self, start: usize, line: &'i str) -> Option<()> {
        match self.structure_of(start, line)? {
            Some((indent, rest)) => self.structure(start, indent, rest),
            None => Some(()),
        }
    }

    /// The line at byte `start` as structure: its indentation and the rest, after it ends the
    /// open block scalar; `Some(None)` for a line of that block scalar, a blank line or a
    /// comment.
    fn structure_of(&mut self, start: usize, line: &'i str) -> Option<Option<(usize, &'i str)>> {
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        let rest = &line[indent..];
        if let Some(block) = self.block.as_mut() {
            match block.lines.take(indent, rest.is_empty())? {
                BlockLine::Inside => {
                    if block.start.is_none() && block.lines.content.is_some() {
                        block.start = Some(Marker::new(start + indent, self.line, indent));
                    }
                    block.body.1 = start + line.len() + 1;
                    return Some(None);
                }
                BlockLine::After => self.end_block(self.mark(start + indent))?,
            }
        }
        if rest.is_empty() || rest.starts_with('#') {
            return Some(None);
        }
        if indent == 0 && (rest.starts_with("---") || rest.starts_with("...")) {
            return None;
        }
        Some(Some((indent, rest)))
    }

    /// A line that holds a key or an entry, `indent` spaces in.
    fn structure(&mut self, start: usize, indent: usize, rest: &'i str) -> Option<()> {
        // A line that is no entry can only be a key of a mapping: split once.
        let key = if is_entry(rest) { None } else { Some(key_of(rest)?) };
        let top = self.reach(start, indent, rest, &key)?;
        match (top, key) {
            (Kind::Mapping, Some(key)) => self.key_line(start, indent, rest, key),
            (Kind::Sequence, None) => self.entry_line(start, indent, rest),
            _ => None,
        }
    }

    /// What a line of structure at `indent` does before its own content: opens the root, gives
    /// the key or dash above it its value, closes the collections it ends. The kind of the
    /// collection the line belongs to.
    fn reach(&mut self, start: usize, indent: usize, rest: &'i str, key: &Option<KeyLine<'i>>) -> Option<Kind> {
        let at = self.mark(start + indent);
        if self.frames.is_empty() {
            // The document's root: a block mapping at column 0 (the first key opens all three).
            if indent != 0 || is_entry(rest) {
                return None;
            }
            self.emit_at(Event::StreamStart, Marker::new(0, 1, 0));
            self.emit_at(Event::DocumentStart(false), at);
            self.emit_at(Event::MappingStart(0, None), at);
            self.frames.push(Frame { indent: 0, kind: Kind::Mapping });
        }
        if let Some(p) = self.pending.take() {
            let nested = indent > p.column || (indent == p.column && p.after_key && is_entry(rest));
            if !nested {
                self.emit_at(empty_scalar(), p.empty);
            } else if is_entry(rest) {
                // A sequence at its key's indentation starts at its first entry's content (the
                // parser's `-` token ends there); an indented one at its first dash.
                let seq_at = if indent == p.column { self.after_dash(start, indent, rest) } else { at };
                self.emit_at(Event::SequenceStart(0, None), seq_at);
                self.frames.push(Frame { indent, kind: Kind::Sequence });
            } else if matches!(key, Some(KeyLine::Key { .. })) {
                self.emit_at(Event::MappingStart(0, None), at);
                self.frames.push(Frame { indent, kind: Kind::Mapping });
            } else {
                // A scalar on the lines below its key: multi-line forms are not read here.
                return None;
            }
        }
        while self.frames.last().is_some_and(|f| f.indent > indent) {
            self.close_frame(at);
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
            self.close_frame(at);
        }
        let top = self.frames.last()?;
        (top.indent == indent).then_some(top.kind)
    }

    /// Where the parser's token for the `-` that starts `rest` (at `indent`) ends: after the
    /// spaces that follow it, or at the end of the line when only a comment follows.
    fn after_dash(&self, start: usize, indent: usize, rest: &str) -> Marker {
        let after = rest[1..].trim_start_matches(' ');
        let at = if after.starts_with('#') { rest.len() } else { rest.len() - after.len() };
        self.mark(start + indent + at)
    }

    fn close_frame(&mut self, at: Marker) {
        if let Some(frame) = self.frames.pop() {
            let end = if frame.kind == Kind::Mapping { Event::MappingEnd } else { Event::SequenceEnd };
            self.emit_at(end, at);
        }
    }

    /// `key: value` in a mapping whose keys are at `indent`: `rest`, split by [`key_of`].
    fn key_line(&mut self, start: usize, indent: usize, rest: &'i str, line: KeyLine<'i>) -> Option<()> {
        let KeyLine::Key { key, quoted, value, len, colon } = line else { return None };
        let style = match (quoted, rest.as_bytes()[0]) {
            (false, _) => ScalarStyle::Plain,
            (true, b'\'') => ScalarStyle::SingleQuoted,
            (true, _) => ScalarStyle::DoubleQuoted,
        };
        let key_at = start + indent;
        let len = if quoted { token_len(rest, len) } else { len };
        self.emit(Event::Scalar(key, style, 0, None), self.mark(key_at), self.mark(key_at + len));
        let value_at = key_at + (rest.len() - value.len());
        self.value(value_at, indent, value, true, self.mark(key_at + colon))
    }

    /// `- ...` in a sequence whose dashes are at `indent`; `- - x` opens a sequence a line.
    fn entry_line(&mut self, start: usize, indent: usize, rest: &'i str) -> Option<()> {
        let (mut indent, mut rest) = (indent, rest);
        loop {
            let after = rest[1..].trim_start_matches(' ');
            let column = indent + (rest.len() - after.len());
            if after.is_empty() || after.starts_with('#') {
                let empty = self.mark(start + indent + rest.len());
                self.pending = Some(Pending { column: indent, after_key: false, empty });
                return Some(());
            }
            if is_entry(after) {
                self.emit_at(Event::SequenceStart(0, None), self.mark(start + column));
                self.frames.push(Frame { indent: column, kind: Kind::Sequence });
                (indent, rest) = (column, after);
                continue;
            }
            return match key_of(after)? {
                line @ KeyLine::Key { .. } => {
                    self.emit_at(Event::MappingStart(0, None), self.mark(start + column));
                    self.frames.push(Frame { indent: column, kind: Kind::Mapping });
                    self.key_line(start, column, after, line)
                }
                KeyLine::Scalar => self.value(start + column, indent, after, false, self.mark(start + column)),
            };
        }
    }

    /// The value at byte `at` after a key (`after_key`) or a dash at `column`; `empty` is where
    /// the parser puts the empty scalar of a key or dash with no value.
    fn value(&mut self, at: usize, column: usize, value: &'i str, after_key: bool, empty: Marker) -> Option<()> {
        if value.is_empty() || value.starts_with('#') {
            self.pending = Some(Pending { column, after_key, empty });
            return Some(());
        }
        match value.as_bytes()[0] {
            first @ (b'|' | b'>') => {
                let chomp = chomp_of(&value[1..])?;
                let next_line = self.line_start + (self.text[self.line_start..].find('\n')? + 1);
                self.block = Some(Block {
                    lines: BlockScalar::new(column),
                    folded: first == b'>',
                    chomp,
                    body: (next_line, next_line),
                    start: None,
                    header: self.mark(at),
                });
                Some(())
            }
            b'{' | b'[' => {
                let collection = value.get(..2)?;
                if !ends_cleanly(&value[2..]) {
                    return None;
                }
                let (open, close) = match collection {
                    "{}" => (Event::MappingStart(0, None), Event::MappingEnd),
                    "[]" => (Event::SequenceStart(0, None), Event::SequenceEnd),
                    _ => return None,
                };
                self.emit(open, self.mark(at), self.mark(at + 1));
                // The closing bracket is a token that ends like a quoted scalar's (`a: {} #c`).
                self.emit(close, self.mark(at + 1), self.mark(at + token_len(value, 2)));
                Some(())
            }
            b'\'' | b'"' => {
                let (text, len) = quoted(value)?;
                if !ends_cleanly(&value[len..]) {
                    return None;
                }
                let style = if value.as_bytes()[0] == b'\'' { ScalarStyle::SingleQuoted } else { ScalarStyle::DoubleQuoted };
                let len = token_len(value, len);
                self.emit(Event::Scalar(text, style, 0, None), self.mark(at), self.mark(at + len));
                Some(())
            }
            _ => {
                let text = scalar_of(value)?;
                let len = text.len();
                self.emit(Event::Scalar(text, ScalarStyle::Plain, 0, None), self.mark(at), self.mark(at + len));
                Some(())
            }
        }
    }

    /// Ends the open block scalar where the parser's token ends: at `end`, the first character
    /// of the line after it (or the end of the input).
    fn end_block(&mut self, end: Marker) -> Option<()> {
        let block = self.block.take()?;
        let body = &self.text[block.body.0..block.body.1];
        let value = block_value(body, block.lines.content, block.folded, block.chomp)?;
        let at_end_of_input = end.index() == self.text.len();
        let start = block.start.unwrap_or(if at_end_of_input { block.header } else { end });
        let style = if block.folded { ScalarStyle::Folded } else { ScalarStyle::Literal };
        self.emit(Event::Scalar(Cow::Owned(value), style, 0, None), start, end);
        Some(())
    }

    fn finish(mut self) -> Option<()> {
        if self.frames.is_empty() {
            return None;
        }
        // The parser ends the stream on a new line after the input's final line break.
        let end = Marker::new(self.text.len(), self.line + 1, 0);
        if let Some(p) = self.pending.take() {
            self.emit_at(empty_scalar(), p.empty);
        }
        if let Some(block) = &self.block {
            block.lines.end()?;
            self.end_block(end)?;
        }
        while !self.frames.is_empty() {
            self.close_frame(end);
        }
        self.emit_at(Event::DocumentEnd, end);
        self.emit_at(Event::StreamEnd, end);
        Some(())
    }
}

/// The parser's token for a quoted scalar or a flow collection's end (`len` bytes of `s`) takes
/// the spaces after it, and a comment after them, along; a plain scalar's does not.
fn token_len(s: &str, len: usize) -> usize {
    let after = s[len..].trim_start_matches(' ');
    if after.starts_with('#') {
        s.len()
    } else {
        s.len() - after.len()
    }
}

/// A block scalar's value from its lines after the header, as saphyr-parser builds it: lines
/// longer than the content indentation are text (spaces beyond it included), the others empty
/// lines. A folded scalar joins adjacent text lines with a space, unless either is more
/// indented; the chomping indicator decides the final line breaks. `None` for the one case left
/// to the parser: kept breaks without text.
fn block_value(body: &str, content: Option<usize>, folded: bool, chomp: Chomp) -> Option<String> {
    let indent = content.unwrap_or(usize::MAX);
    let mut out = String::with_capacity(body.len());
    // After a text line: its line break, and the empty lines since.
    let mut leading_break = false;
    let mut empty_lines = 0;
    let mut leading_blank = false;
    for (_, line) in lines(body) {
        if line.len() <= indent {
            empty_lines += 1;
            continue;
        }
        let text = &line[indent..];
        let blank = text.starts_with(' ');
        if folded && leading_break && !leading_blank && !blank {
            push_breaks(&mut out, empty_lines);
            if empty_lines == 0 {
                out.push(' ');
            }
        } else {
            push_breaks(&mut out, usize::from(leading_break) + empty_lines);
        }
        out.push_str(text);
        (leading_break, empty_lines, leading_blank) = (true, 0, blank);
    }
    match chomp {
        Chomp::Keep if !leading_break && empty_lines > 0 => return None,
        Chomp::Keep => push_breaks(&mut out, usize::from(leading_break) + empty_lines),
        Chomp::Clip => push_breaks(&mut out, usize::from(leading_break)),
        Chomp::Strip => {}
    }
    Some(out)
}

fn push_breaks(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push('\n');
    }
}
