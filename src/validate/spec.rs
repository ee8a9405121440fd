//! Rules on the DittoServer alone that every line shares: its name, and the single fields' rules
//! (through `model::walk`).

use serde::Serialize;

use crate::expand::names::MAX_SERVER_NAME;
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
