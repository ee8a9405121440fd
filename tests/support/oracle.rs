//! What must hold for the function on any input; shared by the fuzz target
//! (`fuzz/fuzz_targets/run.rs`) and the regression tests (`tests/fuzz_regressions.rs`).
//!
//! - `run` never panics (the caller's harness catches that);
//! - when `run` accepts the input, its output is a ResourceList that `run` accepts again, and
//!   when the first run had no error result, running on its output changes nothing
//!   (idempotence): the same items and functionConfig, byte for byte, and no new result — a
//!   result may go away, as the warning that a previously generated StatefulSet changes does
//!   once the output holds the new one;
//! - no item is lost: when the whole input parses as YAML, every input item that the function
//!   did not generate is in the output with the same value — the DittoServers with the
//!   `config.kubernetes.io/local-config` annotation added;
//! - the line source (`yaml::lines`) gives saphyr-parser's events and spans for the input and
//!   the output, or declines: every receiver (the outline, the value builder) then reads the
//!   same thing whichever source ran.

use dittofs_krm::yaml::events::{Event, Span, SpannedEventReceiver};
use dittofs_krm::yaml::{parse_value, Schema};
use serde_json::{Map, Value};

const GENERATED_FROM: &str = "fn.dittofs.com/generated-from";
const LOCAL_CONFIG: &str = "config.kubernetes.io/local-config";

pub fn check(input: &str) {
    events_agree(input);
    let Ok(first) = dittofs_krm::run(input) else { return };
    let output = &first.resource_list;
    events_agree(output);
    let second = match dittofs_krm::run(output) {
        Ok(s) => s,
        Err(e) => panic!("the output is not a ResourceList that run accepts: {e}\n--- input\n{input}\n--- output\n{output}"),
    };
    if !first.has_errors() {
        if without_results(&second.resource_list) != without_results(output) {
            panic!(
                "not idempotent: run(output) != output\n--- input\n{input}\n--- output\n{output}\n--- output of the second run\n{}",
                second.resource_list
            );
        }
        if let Some(new) = second.results.iter().find(|r| !first.results.contains(r)) {
            panic!("the second run reports {new:?}, the first did not\n--- input\n{input}\n--- output\n{output}");
        }
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

/// The ResourceList without its `results`, which the writer puts last, as the only top-level
/// key after `items` and `functionConfig` (everything else is indented).
fn without_results(resource_list: &str) -> &str {
    resource_list.find("\nresults:\n").map_or(resource_list, |i| &resource_list[..=i])
}

fn check_items_kept(input: &str, output: &str) {
    let Ok(input_value) = parse_value(input, Schema::Yaml12) else { return };
    let output_value = match parse_value(output, Schema::Yaml12) {
        Ok(v) => v,
        Err(e) => panic!("the input parses as YAML but the output does not: {e}\n--- input\n{input}\n--- output\n{output}"),
    };
    let mut out_items: Vec<Option<&Value>> =
        output_value.get("items").and_then(Value::as_array).map(|a| a.iter().map(Some).collect()).unwrap_or_default();
    let Some(in_items) = input_value.get("items").and_then(Value::as_array) else { return };
    // Names and namespaces as written: what a rewritten DittoServer keeps (`0x1f`, not 31).
    let as_written = dittofs_krm::yaml::parse_as_written(input, Schema::Yaml12).ok();
    for (i, item) in in_items.iter().enumerate() {
        if is_generated(item) {
            continue;
        }
        let written = as_written.as_ref().and_then(|v| v.get("items")?.get(i)?.get("metadata"));
        let candidates = [Some(item.clone()), with_local_config(item, written)];
        let found = out_items.iter_mut().find(|o| o.is_some_and(|o| candidates.iter().flatten().any(|c| c == o)));
        match found {
            Some(slot) => *slot = None,
            None => panic!(
                "item {i} of the input is not in the output with the same content\n--- item\n{}\n--- input\n{input}\n--- output\n{output}",
                serde_json::to_string_pretty(item).unwrap_or_default()
            ),
        }
    }
}

/// Items marked as generated by an earlier run may be replaced or pruned.
fn is_generated(item: &Value) -> bool {
    item.pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .and_then(|a| a.get(GENERATED_FROM))
        .is_some_and(|v| !v.is_object() && !v.is_array())
}

/// A DittoServer comes out marked local-config (the function's documented rewrite), its name and
/// namespace the text `written` holds.
fn with_local_config(item: &Value, written: Option<&Value>) -> Option<Value> {
    if item.get("apiVersion")? != "dittofs.dittofs.com/v1alpha1" || item.get("kind")? != "DittoServer" {
        return None;
    }
    let mut item = item.clone();
    let metadata = item.as_object_mut()?.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    for key in ["name", "namespace"] {
        if let (Some(field), Some(Value::String(text))) = (metadata.get_mut(key), written.and_then(|w| w.get(key))) {
            *field = Value::String(text.clone());
        }
    }
    let annotations = metadata.as_object_mut()?.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
    if !annotations.is_object() {
        *annotations = Value::Object(Map::new());
    }
    annotations.as_object_mut()?.insert(LOCAL_CONFIG.into(), Value::String("true".into()));
    Some(item)
}
