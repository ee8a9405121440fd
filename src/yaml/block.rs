//! The layout of block-style YAML: where each key, item and scalar goes, what an empty
//! collection looks like, when a mapping's entries are put in another order. What a scalar is
//! written as is [`super::emit`]'s business. Driven by [`super::serialize`], for values and
//! typed objects alike, so that everything the function writes has one layout.

use super::emit::{name_is_plain_safe, push_indent, write_scalar, write_string, Scalar, MAX_IMPLICIT_KEY};

/// A node written into `out` piece by piece: [`Block::begin`], [`Block::key`] or
/// [`Block::item`] before each entry's value, [`Block::scalar`] for a leaf, [`Block::end`].
pub(crate) struct Block<'o> {
    out: &'o mut String,
    frames: Vec<Frame>,
    /// Where the next value goes.
    slot: Slot,
}

/// Where a value goes: at the top (nested lines at this indentation, the first line with
/// none), after `key:` in a mapping at this indentation, after `-` in a sequence at this one.
#[derive(Clone, Copy)]
enum Slot {
    Top(usize),
    Value(usize),
    Item(usize),
}

/// An open collection.
struct Frame {
    is_map: bool,
    /// The indentation of its keys or `-`.
    indent: usize,
    /// What it was opened after: it decides what precedes the first entry, and how the
    /// collection is written when it stays empty.
    opened: Slot,
    empty: bool,
    /// When its entries are to be ordered by rank at the end: each entry's rank and where it
    /// starts.
    ranked: Option<Vec<Entry>>,
}

/// A mapping key: a name that is a `&'static str` (a struct's field, an enum's variant) or any
/// text. Both are written alike; a name's plain-or-quoted answer is remembered
/// ([`name_is_plain_safe`]).
#[derive(Clone, Copy)]
pub(crate) enum Key<'k> {
    Name(&'static str),
    Text(&'k str),
}

impl<'k> Key<'k> {
    pub fn text(self) -> &'k str {
        match self {
            Key::Name(name) => name,
            Key::Text(text) => text,
        }
    }
}

struct Entry {
    rank: usize,
    /// Where the indentation before its key starts (the key itself for the first entry).
    before: usize,
    /// Where its key starts.
    key: usize,
}

impl<'o> Block<'o> {
    /// A node whose nested lines are indented by `indent` spaces; its first line carries none:
    /// the caller has written whatever precedes it (`- ` or `key: `).
    pub fn new(out: &'o mut String, indent: usize) -> Self {
        Block { out, frames: Vec::new(), slot: Slot::Top(indent) }
    }

    /// Opens a mapping or a sequence in the current slot. A mapping `ranked` has its entries
    /// put in the order of the ranks its keys are given, at [`Block::end`] (stable: entries of
    /// equal rank keep their order).
    pub fn begin(&mut self, is_map: bool, ranked: bool) {
        let indent = match self.slot {
            Slot::Top(i) => i,
            // A sequence sits at its key's indentation (kubectl's and kyaml's compact style).
            Slot::Value(i) if !is_map => i,
            Slot::Value(i) | Slot::Item(i) => i + 2,
        };
        self.frames.push(Frame { is_map, indent, opened: self.slot, empty: true, ranked: ranked.then(Vec::new) });
    }

    /// Writes a key of the open mapping; its value comes next. `rank` counts for a mapping
    /// opened `ranked`.
    pub fn key(&mut self, key: Key<'_>, rank: usize) {
        let before = self.out.len();
        let indent = self.start_entry();
        let start = self.out.len();
        match key {
            Key::Name(name) if name_is_plain_safe(name) => self.out.push_str(name),
            _ => write_string(key.text(), indent, self.out, true),
        }
        if self.out.len() - start > MAX_IMPLICIT_KEY && self.out[start..].chars().count() > MAX_IMPLICIT_KEY {
            // Too long for `key: value`: an explicit key, `? key` then `: value`.
            self.out.insert_str(start, "? ");
            self.out.push('\n');
            push_indent(self.out, indent);
        }
        self.out.push(':');
        self.slot = Slot::Value(indent);
        if let Some(ranked) = self.frames.last_mut().and_then(|f| f.ranked.as_mut()) {
            ranked.push(Entry { rank, before, key: start });
        }
    }

    /// Writes the `-` of the open sequence's next item; its value comes next.
    pub fn item(&mut self) {
        let indent = self.start_entry();
        self.out.push('-');
        self.slot = Slot::Item(indent);
    }

    /// What precedes an entry of the open collection; returns its indentation.
    fn start_entry(&mut self) -> usize {
        let frame = self.frames.last_mut().expect("an entry is written inside a collection");
        if frame.empty {
            frame.empty = false;
            match frame.opened {
                Slot::Top(_) => {}
                Slot::Value(_) => {
                    self.out.push('\n');
                    push_indent(self.out, frame.indent);
                }
                Slot::Item(_) => self.out.push(' '),
            }
        } else {
            push_indent(self.out, frame.indent);
        }
        frame.indent
    }

    /// Writes a scalar in the current slot.
    pub fn scalar(&mut self, scalar: Scalar<'_>) {
        match self.slot {
            Slot::Top(i) => write_scalar(scalar, i, self.out),
            Slot::Value(i) | Slot::Item(i) => {
                self.out.push(' ');
                write_scalar(scalar, i + 2, self.out);
            }
        }
        self.out.push('\n');
    }

    /// Closes the open collection.
    pub fn end(&mut self) {
        let Some(frame) = self.frames.pop() else { return };
        if frame.empty {
            if !matches!(frame.opened, Slot::Top(_)) {
                self.out.push(' ');
            }
            self.out.push_str(if frame.is_map { "{}\n" } else { "[]\n" });
        } else if let Some(entries) = frame.ranked {
            reorder(self.out, &entries, frame.indent);
        }
    }
}

/// Puts the entries written since `entries[0]` in the order of their ranks: each entry's text
/// runs from its key to the indentation before the next one.
fn reorder(out: &mut String, entries: &[Entry], indent: usize) {
    if entries.windows(2).all(|w| w[0].rank <= w[1].rank) {
        return;
    }
    let base = entries[0].key;
    let written = out.split_off(base);
    let text = |i: usize| {
        let end = entries.get(i + 1).map_or(written.len() + base, |e| e.before);
        &written[entries[i].key - base..end - base]
    };
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| entries[i].rank);
    for (n, i) in order.into_iter().enumerate() {
        if n > 0 {
            push_indent(out, indent);
        }
        out.push_str(text(i));
    }
}
