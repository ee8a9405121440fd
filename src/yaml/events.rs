//! The one place that chooses how YAML text becomes saphyr-parser events.
//!
//! [`read`] gives a receiver the events of `text` from the line source ([`super::lines`]) when
//! the text is in the block subset it reads, and otherwise from saphyr-parser's `Parser`, with
//! a fresh receiver: a receiver never sees a mix of the two. Both give the same events and
//! spans wherever the line source reads (`tests/fast_scan.rs`, the fuzz oracle), so a receiver
//! cannot tell which one ran.

use saphyr_parser::Parser;

use super::lines;

/// The event stream's types, for receivers outside this crate (the fuzz oracle, a value builder).
pub use saphyr_parser::{Event, Marker, ScalarStyle, ScanError, Span, SpannedEventReceiver};

/// The receiver that took `text`'s events, and the parser's syntax error if there was one (the
/// receiver then saw the events before it).
pub fn read<'i, R: SpannedEventReceiver<'i>>(text: &'i str, mut make_receiver: impl FnMut() -> R) -> (R, Result<(), ScanError>) {
    let mut recv = make_receiver();
    if lines::feed(text, &mut recv).is_some() {
        return (recv, Ok(()));
    }
    let mut recv = make_receiver();
    let parsed = parse(text, &mut recv);
    (recv, parsed)
}

/// saphyr-parser's events of `text`, pulled one at a time (its `load` recurses once per nesting
/// level, which deep input would turn into a stack overflow).
pub fn parse<'i, R: SpannedEventReceiver<'i>>(text: &'i str, recv: &mut R) -> Result<(), ScanError> {
    for next in Parser::new_from_str(text) {
        let (event, span) = next?;
        recv.on_event(event, span);
    }
    Ok(())
}
