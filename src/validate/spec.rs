//! Rules on the DittoServer alone that every line shares: its name, the function's marker, and
//! the single fields' rules (through `model::walk`).

use serde::Serialize;
use serde_json::Value;

use crate::expand::names::MAX_SERVER_NAME;
use crate::krm::annotations::GENERATED_FROM;
use crate::krm::ValidationResult;
use crate::model::walk;

/// The longest name whose StatefulSet still gets a valid `controller-revision-hash` label
/// (`<name>-<10 characters>` within 63).
const MAX_STATEFUL_SET_NAME: usize = 52;

/// The name must make valid object names: Services need DNS-1035 labels (`<name>-headless`).
pub fn name(name: &str) -> Vec<ValidationResult> {
    let limit = MAX_SERVER_NAME.min(MAX_STATEFUL_SET_NAME);
    let mut out = Vec::new();
    if name.len() > limit {
        out.push(
            ValidationResult::error(format!(
                "metadata.name {name:?} is {} characters long; use at most {limit}, so that the generated Service `<name>-headless` and the StatefulSet's pods get valid names",
                name.len()
            ))
            .at("metadata.name"),
        );
    }
    let bytes = name.as_bytes();
    let valid = !bytes.is_empty()
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !name.ends_with('-');
    if !valid {
        out.push(
            ValidationResult::error(format!(
                "metadata.name {name:?} cannot name the generated Services: use lowercase letters, digits and '-', starting with a letter and ending with a letter or digit"
            ))
            .at("metadata.name"),
        );
    }
    out
}

/// The rules of single fields, declared on their types (see `model::checked`), of any line's spec.
pub fn fields<S: Serialize>(spec: &S) -> Vec<ValidationResult> {
    walk::problems(spec, "spec")
        .into_iter()
        .map(|p| {
            let result = ValidationResult::error(p.message).at(p.path);
            match p.current {
                Some(current) => result.with_current(current),
                None => result,
            }
        })
        .collect()
}

/// The function's marker (`fn.dittofs.com/generated-from`) names the DittoServer a generated
/// object belongs to: the next run finds, replaces and prunes objects by it. No annotations the
/// spec sets (`service.annotations`, or any other line's map) may name it: a Service marked with
/// another value would be an orphan on the next run. The whole spec is searched, so that every
/// line's annotation maps are covered without a list of them. The path names the key as
/// apimachinery's `field.Path.Key` does (`spec.service.annotations[fn.dittofs.com/generated-from]`).
pub fn marker_in_spec(spec: &Value) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    let mut stack = vec![(spec, "spec".to_string())];
    while let Some((value, path)) = stack.pop() {
        match value {
            Value::Object(map) => {
                if map.contains_key(GENERATED_FROM) {
                    out.push(
                        ValidationResult::error(format!(
                            "{GENERATED_FROM} is the function's own annotation: it names the DittoServer each generated object comes from, and the next run finds its objects by it; remove this key"
                        ))
                        .at(format!("{path}[{GENERATED_FROM}]")),
                    );
                }
                stack.extend(map.iter().filter(|(k, _)| *k != GENERATED_FROM).map(|(k, v)| (v, format!("{path}.{k}"))));
            }
            Value::Array(list) => stack.extend(list.iter().enumerate().map(|(i, v)| (v, format!("{path}[{i}]")))),
            _ => {}
        }
    }
    out
}
