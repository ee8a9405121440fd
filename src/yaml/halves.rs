//! A large ResourceList outlined as two halves on two threads.
//!
//! The text is cut at a line that opens one of the `items` entries, about halfway. The line
//! source reads the first half up to that line and closes what it ends; at the same time it
//! reads the second half from that line, starting with the root mapping and the items
//! sequence open, as they are there. The two event streams put together are the stream of the
//! whole text, so the two outlines put together are its outline; that holds when the first
//! half ends where the second starts (between two items, nothing else open), which is checked
//! before the halves are joined. Otherwise, and for any text the line source declines or any
//! error, the caller reads the text whole: every error is found, and worded, there.

use super::line_grammar::is_entry;
use super::lines;
use super::outline::OutlineBuilder;
use super::scan::Outline;

/// Below this size a second thread costs about what it saves.
const MIN_SIZE: usize = 1 << 20;

/// The outline of `text` read as two halves side by side; `None` when it cannot be (a small
/// text, no second core, a text the line source does not read, no line to cut at, an error).
pub fn outline(text: &str) -> Option<Outline> {
    if text.len() < MIN_SIZE || crate::parallel::helpers() == 0 {
        return None;
    }
    in_two(text)
}

/// [`outline`] whatever the size of `text`, on a second thread (not in the WASI module).
pub fn in_two(text: &str) -> Option<Outline> {
    let (split, column) = split_point(text)?;
    // The collections open at the cut: the root mapping and the items sequence.
    let open = [(0, false), (column, true)];
    let (head, tail) = std::thread::scope(|scope| {
        let tail = scope.spawn(|| {
            let mut builder = OutlineBuilder::between_items(text);
            lines::feed_tail(text, split, &open, &mut builder).map(|()| builder)
        });
        let mut builder = OutlineBuilder::new(text);
        let head = lines::feed_head(text, split, &mut builder).filter(|left_open| *left_open == open).map(|_| builder);
        (head, tail.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let (head, tail) = (head?, tail?);
    if !head.is_between_items() || tail.met_items() {
        return None;
    }
    let mut outline = head.finish(Ok(())).ok()?;
    let tail = tail.finish(Ok(())).ok()?;
    // Into a list of the exact size: kept while the input is read, it is the largest after
    // the text.
    let (first, second) = (outline.items.take()?, tail.items?);
    let mut items = Vec::with_capacity(first.len() + second.len());
    items.extend(first);
    items.extend(second);
    outline.items = Some(items);
    // What follows the items in the text comes later, and a repeated key's last value wins.
    outline.api_version = tail.api_version.or(outline.api_version);
    outline.kind = tail.kind.or(outline.kind);
    outline.function_config = tail.function_config.or(outline.function_config);
    outline.needs_rebuild |= tail.needs_rebuild;
    Some(outline)
}

/// Where to cut: the first line after the middle that opens an entry at the column of the
/// first entry under the root's `items:` key; with that column.
pub fn split_point(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let key = if text.starts_with("items:\n") { 0 } else { memchr::memmem::find(bytes, b"\nitems:\n")? + 1 };
    // The first line below the key that is not blank or a comment: the first entry.
    let mut at = key + "items:\n".len();
    let column = loop {
        let end = at + memchr::memchr(b'\n', &bytes[at..])?;
        let line = &text[at..end];
        let content = line.trim_start_matches(' ');
        if !(content.is_empty() || content.starts_with('#')) {
            if !is_entry(content) {
                return None;
            }
            break line.len() - content.len();
        }
        at = end + 1;
    };
    let mut entry = vec![b'\n'; 1];
    entry.extend(std::iter::repeat_n(b' ', column));
    entry.push(b'-');
    let finder = memchr::memmem::Finder::new(&entry);
    let mut from = text.len() / 2;
    loop {
        let found = from + finder.find(&bytes[from..])?;
        let split = found + 1;
        let end = split + memchr::memchr(b'\n', &bytes[split..])?;
        if is_entry(&text[split + column..end]) {
            return Some((split, column));
        }
        from = split;
    }
}
