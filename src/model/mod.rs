//! What the function reads into types: its own functionConfig, the field types that check their
//! rules, and the typed reading every line's spec goes through. The DittoServer specs are their
//! lines' (`server::v0_4::spec`).

pub mod checked;
pub mod function_config;
mod service_type;
pub mod walk;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

pub use function_config::{FunctionConfig, Mode, StorageClassCheck};
pub use service_type::ServiceType;

/// A problem found while reading a typed value, with the path of the field (dotted, from the
/// value's root, e.g. `spec.storage.metadataSize`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub path: String,
    pub message: String,
}

/// Deserialises `value` (found at `root`, e.g. `spec`) into `T`, applying serde defaults.
///
/// Returns the value and the fields it did not know (for warnings), or the first type error
/// with the path of the field that caused it.
pub fn read_typed<T: DeserializeOwned + Serialize>(value: Value, root: &str) -> Result<(T, Vec<String>), FieldProblem> {
    let mut unknown = Vec::new();
    // serde_ignored writes an `Option`'s content as a `?` step: the field's path has none.
    let mut on_unknown = |path: serde_ignored::Path<'_>| {
        let path = path.to_string();
        let steps: Vec<&str> = path.split('.').filter(|s| *s != "?").collect();
        unknown.push(join(root, &steps.join(".")));
    };
    // Only a value that holds a list can have a list where a mapping belongs: the others (most
    // specs) are neither copied nor compared with their typed value.
    let input = holds_list(&value).then(|| value.clone());
    let de = serde_ignored::Deserializer::new(value, &mut on_unknown);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => {
            if let Some(input) = input {
                let typed = serde_json::to_value(&v).unwrap_or(Value::Null);
                if let Some(path) = list_for_mapping(&input, &typed, root.to_string(), &unknown) {
                    let message = format!("{path}: invalid type: sequence, expected a mapping");
                    return Err(FieldProblem { path, message });
                }
            }
            Ok((v, unknown))
        }
        Err(e) => {
            let path = e.path().to_string();
            let path = if path == "." { root.to_string() } else { join(root, &path) };
            let message = e.into_inner().to_string();
            Err(describe(path, &message))
        }
    }
}

/// serde's derived structs also read a list, field by field in order (`controlPlane: [8080]`
/// would set the port). Nobody writes a mapping that way, so a list where the typed value has a
/// mapping is reported as the type error it is. Returns the path of the first such list.
fn list_for_mapping(input: &Value, typed: &Value, path: String, unknown: &[String]) -> Option<String> {
    if unknown.contains(&path) {
        return None;
    }
    match (input, typed) {
        (Value::Array(_), Value::Object(_)) => Some(path),
        (Value::Object(a), Value::Object(b)) => {
            a.iter().find_map(|(k, v)| b.get(k).and_then(|t| list_for_mapping(v, t, join(&path, k), unknown)))
        }
        (Value::Array(a), Value::Array(b)) => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (v, t))| list_for_mapping(v, t, format!("{path}[{i}]"), unknown)),
        _ => None,
    }
}

fn holds_list(value: &Value) -> bool {
    match value {
        Value::Array(_) => true,
        Value::Object(map) => map.values().any(holds_list),
        _ => false,
    }
}

fn join(root: &str, path: &str) -> String {
    if root.is_empty() {
        path.to_string()
    } else if path.is_empty() || path == "?" {
        root.to_string()
    } else {
        // Joined, not `format!`ed: this runs for every field of every spec read.
        [root, ".", path].concat()
    }
}

/// Rewords serde's messages so that they name the field and say what to write instead.
fn describe(path: String, message: &str) -> FieldProblem {
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.trim_end_matches('`');
        let full = format!("{path}.{field}");
        let shown = full.strip_prefix("spec.").unwrap_or(&full).to_string();
        return FieldProblem { message: format!("{shown} is required"), path: full };
    }
    // serde names Rust types; users write YAML.
    let message = message
        .replace("expected i32", "expected a whole number")
        .replace("expected i64", "expected a whole number")
        .replace("expected a boolean", "expected true or false");
    FieldProblem { message: format!("{path}: {message}"), path }
}
