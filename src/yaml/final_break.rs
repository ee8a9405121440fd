//! An input that ends without a line break: saphyr-parser's last block scalar corrected, and the
//! line break the output adds made harmless.

use saphyr_parser::{Event, ScalarStyle, Span, SpannedEventReceiver};

use super::events;

/// A receiver fed with the events of one text, which it needs to correct saphyr-parser's last
/// block scalar ([`extra_break_at_end`]) before `inner` sees it.
pub(super) struct FromText<'t, R> {
    text: &'t str,
    /// Counted only when the input ends without a line break (in characters, as saphyr counts).
    end: Option<usize>,
    pub inner: R,
}

impl<'t, R> FromText<'t, R> {
    pub fn new(text: &'t str, inner: R) -> Self {
        FromText { text, end: (!text.ends_with(['\n', '\r'])).then(|| text.chars().count()), inner }
    }
}

impl<'t, R: SpannedEventReceiver<'t>> SpannedEventReceiver<'t> for FromText<'t, R> {
    fn on_event(&mut self, mut event: Event<'t>, span: Span) {
        if let Event::Scalar(value, ScalarStyle::Literal | ScalarStyle::Folded, ..) = &mut event {
            if self.end == Some(span.end.index()) && value.ends_with('\n') && extra_break_at_end(self.text, span.start.line()) {
                value.to_mut().pop();
            }
        }
        self.inner.on_event(event, span);
    }
}

/// saphyr-parser ends a block scalar whose last line ends the input without a line break with
/// one line break too many: the last line's own, which it never had (libyaml, and YAML, give
/// `x` for `|` then `  x` at the very end). That last line is the scalar's when it has text, or
/// at least the content's indentation in spaces; a shorter line of spaces ends the scalar
/// before it, and saphyr's value is right. `first_line` is the scalar's first line of content.
fn extra_break_at_end(text: &str, first_line: usize) -> bool {
    let last = text.rsplit('\n').next().unwrap_or_default();
    if last.contains('\r') || !last.trim_start_matches(' ').is_empty() {
        return !last.contains('\r');
    }
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let content = text.split('\n').skip(first_line.saturating_sub(1)).find(|l| !l.trim_start_matches(' ').is_empty());
    content.is_some_and(|l| last.len() >= indent(l))
}

/// `text`, which ends without a line break, ended with one that changes no value: `None` when
/// appending the line break changes nothing (the caller may append it) or when no such text is
/// found.
///
/// The output puts a line break after every item, and a block scalar (`|`, `>`) whose last
/// line ends the input without one has no final line break in its value (see
/// [`extra_break_at_end`]): the break would add one. Such a scalar is written with the strip
/// indicator (`|` becomes `|-`), which gives the same value with the break; a last line of
/// spaces that holds nothing of the value is dropped instead. The rewrite is kept only when
/// the events, values and tags, are those of `text`, whatever nodes the text holds (a local tag,
/// a key the value builder refuses): the item stays text, and means what it meant.
pub fn with_final_line_break(text: &str) -> Option<String> {
    if text.is_empty() || text.ends_with(['\n', '\r']) {
        return None;
    }
    // JSON holds no block scalar; and the parses below would hold all of a one-line JSON
    // document's tokens at once (its root might be a key), tens of times its size.
    if text.trim_start().starts_with(['{', '[']) && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
        return None;
    }
    let events = corrected_events(text)?;
    let same = |candidate: &str| corrected_events(candidate).is_some_and(|e| e.iter().map(|(e, _)| e).eq(events.iter().map(|(e, _)| e)));
    if same(&format!("{text}\n")) {
        return None;
    }
    // A last line of spaces holds nothing of the value, unless it is deeper than the content.
    let last_line = text.rfind('\n').map_or(0, |i| i + 1);
    if text[last_line..].bytes().all(|b| b == b' ') && same(&text[..last_line]) {
        return Some(text[..last_line].to_string());
    }
    // The indicator follows the node before the scalar (its key, or the sequence's start).
    let scalar = events.iter().rposition(|(e, _)| matches!(e, Event::Scalar(..)))?;
    if !matches!(events[scalar].0, Event::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded, ..)) {
        return None;
    }
    let before = events.get(scalar.checked_sub(1)?)?.1.end.index();
    let from = text.char_indices().nth(before).map_or(text.len(), |(at, _)| at);
    let at = indicator_after(text, from)?;
    let header_end = at + 1 + text[at + 1..].bytes().take_while(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-')).count();
    let digits: String = text[at + 1..header_end].chars().filter(char::is_ascii_digit).collect();
    let stripped = format!("{}-{digits}{}\n", &text[..=at], &text[header_end..]);
    same(&stripped).then_some(stripped)
}

/// The events of `text` as the value builder sees them, saphyr-parser's last block scalar
/// corrected; `None` for text that is not YAML.
fn corrected_events(text: &str) -> Option<Vec<(Event<'_>, Span)>> {
    struct Collect<'t>(Vec<(Event<'t>, Span)>);
    impl<'t> SpannedEventReceiver<'t> for Collect<'t> {
        fn on_event(&mut self, event: Event<'t>, span: Span) {
            self.0.push((event, span));
        }
    }
    let mut recv = FromText::new(text, Collect(Vec::new()));
    events::parse(text, &mut recv).ok()?;
    Some(recv.inner.0)
}

/// The first block scalar indicator (`|`, `>`) in `text` from byte `from` that follows white
/// space, comments skipped. Between a node and the header of the block scalar after it stand
/// only `:`, `-`, `?`, white space, comments and the scalar's tag and anchor, which hold no
/// indicator after white space.
fn indicator_after(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut in_comment = false;
    for i in from..b.len() {
        let after_space = i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n');
        match b[i] {
            b'\n' => in_comment = false,
            _ if in_comment => {}
            b'#' if after_space => in_comment = true,
            b'|' | b'>' if after_space => return Some(i),
            _ => {}
        }
    }
    None
}
