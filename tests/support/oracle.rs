//! What must hold for the function on any input; shared by the fuzz target
//! (`fuzz/fuzz_targets/run.rs`) and the regression tests (`tests/fuzz_regressions.rs`).
//!
//! - `run` never panics (the caller's harness catches that);
//! - when `run` accepts the input, its output is a ResourceList that `run` accepts again, and
//!   running on its output changes nothing (idempotence), error results or not: the same items
//!   and functionConfig, byte for byte, and no new result — a result may go away, as the
//!   warning that a previously generated StatefulSet changes does once the output holds the new
//!   one;
//! - no item is lost: when serde_yaml (a reader that is not the function's) reads the input,
//!   every input item that the function did not generate is in the output with the same value
//!   as serde_yaml reads it — the DittoServers with the `config.kubernetes.io/local-config`
//!   annotation added;
//! - the line source (`yaml::lines`) gives saphyr-parser's events and spans for the input and
//!   the output, or declines: every receiver (the outline, the value builder) then reads the
//!   same thing whichever source ran.

use dittofs_krm::yaml::events::{Event, Span, SpannedEventReceiver};
use dittofs_krm::yaml::Schema;
use serde_json::Value;
use serde_yaml::{Mapping, Value as Y};

const GENERATED_FROM: &str = "fn.dittofs.com/generated-from";
const LOCAL_CONFIG: &str = "config.kubernetes.io/local-config";

pub fn check(input: &str) {
    events_agree(input);
    halves_agree(input, 4);
    let Ok(first) = dittofs_krm::run(input) else { return };
    let output = &first.resource_list;
    events_agree(output);
    let second = match dittofs_krm::run(output) {
        Ok(s) => s,
        Err(e) => panic!("the output is not a ResourceList that run accepts: {e}\n--- input\n{input}\n--- output\n{output}"),
    };
    // Error results included: an invalid DittoServer's objects are kept as they were, and its
    // results name no position that the first run's objects moved.
    if without_results(&second.resource_list) != without_results(output) {
        panic!(
            "not idempotent: run(output) != output\n--- input\n{input}\n--- output\n{output}\n--- output of the second run\n{}",
            second.resource_list
        );
    }
    if let Some(new) = second.results.iter().find(|r| !first.results.contains(r)) {
        panic!("the second run reports {new:?}, the first did not\n--- input\n{input}\n--- output\n{output}");
    }
    check_items_kept(input, output);
}

/// Every event with its span, as a receiver sees them.
struct Collect<'i>(Vec<(Event<'i>, Span)>);

impl<'i> SpannedEventReceiver<'i> for Collect<'i> {
    fn on_event(&mut self, event: Event<'i>, span: Span) {
        self.0.push((event, span));
    }
}

/// The line source declines `text` (false) or gives saphyr-parser's events, spans included
/// (true). The outline and every other receiver then cannot tell which source ran.
pub fn events_agree(text: &str) -> bool {
    use dittofs_krm::yaml::{events, lines};
    let mut fast = Collect(Vec::new());
    if lines::feed(text, &mut fast).is_none() {
        return false;
    }
    let mut full = Collect(Vec::new());
    if let Err(e) = events::parse(text, &mut full) {
        panic!("the line source read input saphyr-parser rejects ({e})\n--- input\n{text}");
    }
    if fast.0 != full.0 {
        let at = fast.0.iter().zip(&full.0).position(|(a, b)| a != b).unwrap_or(fast.0.len().min(full.0.len()));
        let show = |events: &[(Event<'_>, Span)]| {
            events.iter().skip(at.saturating_sub(2)).take(5).map(|(e, s)| format!("{e:?} {s:?}")).collect::<Vec<_>>().join("\n")
        };
        panic!(
            "the line source's events differ from saphyr-parser's at event {at}\n--- input\n{text}\n--- line source\n{}\n--- saphyr-parser\n{}",
            show(&fast.0),
            show(&full.0)
        );
    }
    true
}

/// Cut before a line that opens an entry, the line source's two halves (`lines::feed_head`,
/// `lines::feed_tail`) give together the events saphyr-parser gives for the whole text; and
/// where the outline is read in two halves (`yaml::halves`), it is the outline read whole.
/// At most `cuts` cuts are tried, spread over the text.
pub fn halves_agree(text: &str, cuts: usize) {
    use dittofs_krm::yaml::{events, halves, lines, outline};
    let mut full = Collect(Vec::new());
    let parsed = events::parse(text, &mut full);
    let entries: Vec<usize> = text
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .filter(|&at| text[at..].trim_start_matches(' ').starts_with('-'))
        .collect();
    let step = entries.len().div_ceil(cuts.max(1)).max(1);
    for &split in entries.iter().step_by(step) {
        let mut both = Collect(Vec::new());
        let Some(open) = lines::feed_head(text, split, &mut both) else { continue };
        let mut tail = Collect(Vec::new());
        if lines::feed_tail(text, split, &open, &mut tail).is_none() {
            continue;
        }
        both.0.extend(tail.0);
        if let Err(e) = &parsed {
            panic!("the line source read in two halves input saphyr-parser rejects ({e}), cut at byte {split}\n--- input\n{text}");
        }
        if both.0 != full.0 {
            let at = both.0.iter().zip(&full.0).position(|(a, b)| a != b).unwrap_or(both.0.len().min(full.0.len()));
            panic!(
                "cut at byte {split}, the halves' events differ from saphyr-parser's at event {at}: {:?} against {:?}\n--- input\n{text}",
                both.0.get(at),
                full.0.get(at)
            );
        }
    }
    if let Some(halves) = halves::in_two(text) {
        assert_eq!(Some(halves), outline::outline(text).ok(), "the outline read in two halves is not the outline read whole\n--- input\n{text}");
    }
}

/// The ResourceList without its `results`, which the writer puts last, as the only top-level
/// key after `items` and `functionConfig` (everything else is indented).
fn without_results(resource_list: &str) -> &str {
    resource_list.find("\nresults:\n").map_or(resource_list, |i| &resource_list[..=i])
}

/// Read with serde_yaml (libyaml), not with the function's own reader: a reader bug that misreads
/// the input and the output alike would pass a comparison of the function's readings. Where the
/// two read an input item differently, libyaml's and saphyr-parser's syntax differ (the
/// characters of anchor names, U+0085 as a line break: tests/properties.rs lists them) and the
/// function, which writes a DittoServer back from its reading, follows saphyr-parser: that item
/// is compared as the function reads it.
fn check_items_kept(input: &str, output: &str) {
    let Some(theirs_in) = read_merged(input) else { return };
    let Some(theirs_out) = read_merged(output) else {
        panic!("the input reads as YAML but the output does not\n--- input\n{input}\n--- output\n{output}")
    };
    let ours_in = ours(input);
    let ours_out = ours_in.as_ref().map(|_| {
        ours(output).unwrap_or_else(|| panic!("the function reads its input but not its output\n--- input\n{input}\n--- output\n{output}"))
    });
    let mut theirs_pool: Vec<Option<&Y>> = items_of(&theirs_out).iter().map(Some).collect();
    let mut ours_pool: Vec<Option<&Y>> = ours_out.as_ref().map(items_of).unwrap_or_default().iter().map(Some).collect();
    // Names and namespaces as written (`0x1f`, not 31), which a rewritten DittoServer keeps: no
    // YAML reader gives the text of a plain scalar back, so the function's reading gives them.
    let as_written = dittofs_krm::yaml::parse_as_written(input, Schema::Yaml12).ok();
    for (i, theirs) in items_of(&theirs_in).iter().enumerate() {
        let (item, pool) = match ours_in.as_ref().and_then(|v| items_of(v).get(i)) {
            Some(ours) if ours != theirs => (ours, &mut ours_pool),
            _ => (theirs, &mut theirs_pool),
        };
        if is_generated(item) {
            continue;
        }
        let written = as_written.as_ref().and_then(|v| v.get("items")?.get(i)?.get("metadata"));
        let candidates = [Some(item.clone()), with_local_config(item, written)];
        let found = pool.iter_mut().find(|o| o.is_some_and(|o| candidates.iter().flatten().any(|c| c == o)));
        match found {
            Some(slot) => *slot = None,
            None => panic!(
                "item {i} of the input is not in the output with the same content\n--- item\n{}\n--- input\n{input}\n--- output\n{output}",
                serde_yaml::to_string(item).unwrap_or_default()
            ),
        }
    }
}

/// The function's own reading of `text` (YAML 1.2), in serde_yaml's terms.
fn ours(text: &str) -> Option<Y> {
    serde_yaml::to_value(dittofs_krm::yaml::parse_value(text, Schema::Yaml12).ok()?).ok()
}

fn items_of(list: &Y) -> &[Y] {
    list.get("items").and_then(Y::as_sequence).map_or(&[], Vec::as_slice)
}

/// serde_yaml's reading of `text`, merge keys applied (the function resolves them too); `None`
/// when serde_yaml refuses it.
fn read_merged(text: &str) -> Option<Y> {
    let mut value: Y = serde_yaml::from_str(text).ok()?;
    value.apply_merge().ok()?;
    Some(value)
}

/// Items marked as generated by an earlier run may be replaced or pruned.
fn is_generated(item: &Y) -> bool {
    item.get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(Y::as_mapping)
        .and_then(|a| a.get(GENERATED_FROM))
        .is_some_and(|v| !v.is_mapping() && !v.is_sequence())
}

/// A DittoServer comes out marked local-config (the function's documented rewrite), its name and
/// namespace the text `written` holds.
fn with_local_config(item: &Y, written: Option<&Value>) -> Option<Y> {
    if item.get("apiVersion")?.as_str()? != "dittofs.dittofs.com/v1alpha1" || item.get("kind")?.as_str()? != "DittoServer" {
        return None;
    }
    let mut item = item.clone();
    let map = item.as_mapping_mut()?;
    if !map.contains_key("metadata") {
        map.insert("metadata".into(), Y::Mapping(Mapping::new()));
    }
    let metadata = map.get_mut("metadata")?.as_mapping_mut()?;
    for key in ["name", "namespace"] {
        if let (Some(field), Some(Value::String(text))) = (metadata.get_mut(key), written.and_then(|w| w.get(key))) {
            *field = Y::String(text.clone());
        }
    }
    if !metadata.get("annotations").is_some_and(Y::is_mapping) {
        metadata.insert("annotations".into(), Y::Mapping(Mapping::new()));
    }
    metadata.get_mut("annotations")?.as_mapping_mut()?.insert(LOCAL_CONFIG.into(), Y::String("true".into()));
    Some(item)
}
