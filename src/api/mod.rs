//! The resources the function reads: DittoServer and its own functionConfig.

pub mod ditto_server;
pub mod function_config;

use serde::de::DeserializeOwned;
use serde_json::Value;

pub use ditto_server::DittoServerSpec;
pub use function_config::{FunctionConfig, Mode, StorageClassCheck};

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
pub fn read_typed<T: DeserializeOwned>(value: Value, root: &str) -> Result<(T, Vec<String>), FieldProblem> {
    let mut unknown = Vec::new();
    let mut on_unknown = |path: serde_ignored::Path<'_>| unknown.push(join(root, &path.to_string()));
    let de = serde_ignored::Deserializer::new(value, &mut on_unknown);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok((v, unknown)),
        Err(e) => {
            let path = e.path().to_string();
            let path = if path == "." { root.to_string() } else { join(root, &path) };
            let message = e.into_inner().to_string();
            Err(describe(path, &message))
        }
    }
}

fn join(root: &str, path: &str) -> String {
    if root.is_empty() {
        path.to_string()
    } else if path.is_empty() || path == "?" {
        root.to_string()
    } else {
        format!("{root}.{path}")
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
