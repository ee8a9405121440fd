//! The function's own configuration: the typed kind, or a ConfigMap of strings (`-- key=value`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const API_VERSION: &str = "fn.dittofs.com/v1alpha1";
pub const KIND: &str = "DittoServerExpansion";

/// How to treat a `storageClassName` that cannot be checked because the input holds no
/// StorageClass objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StorageClassCheck {
    /// An error: the input must hold the StorageClass objects.
    Strict,
    /// A warning (the default).
    #[default]
    Warn,
    /// No result.
    Off,
}

/// What the function does with the items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Expand every valid DittoServer (the default).
    #[default]
    Expand,
    /// Report results only and return every item unchanged: the role of a kustomize or kpt
    /// validator, which must not modify the resources.
    Validate,
}

/// Declares [`FunctionConfig`] and [`FIELDS`] from one list, so that each key is spelled once: the
/// parser (serde), the schema (`dittofs-krm schema`, from which `--help` lists the keys) and the
/// messages all read it.
macro_rules! function_config {
    ($($(#[doc = $doc:literal])* $key:literal => $field:ident: $type:ty),* $(,)?) => {
        /// Configuration of dittofs-krm (`apiVersion: fn.dittofs.com/v1alpha1`, `kind: DittoServerExpansion`).
        #[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
        #[serde(deny_unknown_fields, default)]
        pub struct FunctionConfig {
            $($(#[doc = $doc])* #[serde(rename = $key)] pub $field: $type,)*
        }

        /// The keys, for messages and help.
        pub const FIELDS: &[&str] = &[$($key),*];
    };
}

function_config! {
    /// What to report when a DittoServer names a StorageClass and the input holds no
    /// StorageClass objects to check it against: `strict` (error), `warn` or `off`.
    "storageClassCheck" => storage_class_check: StorageClassCheck,
    /// `expand` (the default) or `validate`: report results and change no item, as a kustomize
    /// `validators:` entry must.
    "mode" => mode: Mode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

/// Reads the functionConfig of a ResourceList. `None` (no functionConfig) gives the defaults, and
/// so does a DittoServer: kustomize passes the generator's own resource as the functionConfig.
pub fn read(value: Option<&Value>) -> Result<FunctionConfig, ConfigError> {
    let Some(value) = value.filter(|v| !v.is_null()) else { return Ok(FunctionConfig::default()) };
    let api_version = value.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    match (api_version, kind) {
        ("v1", "ConfigMap") => from_config_map(value),
        (API_VERSION, KIND) => from_typed(value),
        (crate::server::API_VERSION, crate::server::KIND) => Ok(FunctionConfig::default()),
        _ => Err(ConfigError {
            path: "functionConfig".into(),
            message: format!(
                "functionConfig has apiVersion {api_version:?} and kind {kind:?}; use a ConfigMap (`-- key=value`) or `apiVersion: {API_VERSION}`, `kind: {KIND}`"
            ),
        }),
    }
}

fn unknown_key(path: String, key: &str) -> ConfigError {
    ConfigError { path, message: format!("unknown functionConfig key {key:?}; known keys: {}", FIELDS.join(", ")) }
}

fn from_typed(value: &Value) -> Result<FunctionConfig, ConfigError> {
    let Value::Object(map) = value else {
        return Err(ConfigError { path: "functionConfig".into(), message: "functionConfig must be an object".into() });
    };
    let mut fields = Map::new();
    for (k, v) in map {
        match k.as_str() {
            "apiVersion" | "kind" | "metadata" => {}
            _ if FIELDS.contains(&k.as_str()) => {
                fields.insert(k.clone(), v.clone());
            }
            _ => return Err(unknown_key(format!("functionConfig.{k}"), k)),
        }
    }
    parse(fields, "functionConfig")
}

/// `kpt fn eval -- storageClassCheck=strict` arrives as `data: {storageClassCheck: "strict"}`.
fn from_config_map(value: &Value) -> Result<FunctionConfig, ConfigError> {
    let Some(data) = value.get("data").filter(|d| !d.is_null()) else { return Ok(FunctionConfig::default()) };
    let Some(data) = data.as_object() else {
        return Err(ConfigError { path: "functionConfig.data".into(), message: "functionConfig.data must be a map of strings".into() });
    };
    let mut fields = Map::new();
    for (k, v) in data {
        let path = format!("functionConfig.data.{k}");
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => return Err(ConfigError { path, message: format!("functionConfig.data.{k} must be a string") }),
        };
        if !FIELDS.contains(&k.as_str()) {
            return Err(unknown_key(path, k));
        }
        fields.insert(k.clone(), Value::String(text));
    }
    parse(fields, "functionConfig.data")
}

/// Reads the known keys (found at `at`) with serde; a value that is none of its field's values
/// gets a message that lists them.
fn parse(fields: Map<String, Value>, at: &str) -> Result<FunctionConfig, ConfigError> {
    let input = Value::Object(fields);
    serde_path_to_error::deserialize(&input).map_err(|e| {
        let key = e.path().to_string();
        let path = format!("{at}.{key}");
        let inner = e.into_inner().to_string();
        match input.get(&key).and_then(Value::as_str) {
            // serde says "unknown variant `x`, expected one of `a`, `b`" (or "expected `a` or `b`").
            Some(value) if inner.starts_with("unknown variant") => {
                let expected = inner.split_once("expected").map_or("", |(_, rest)| rest);
                let values: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
                ConfigError { message: format!("{key} is {value:?}; use one of {}", values.join(", ")), path }
            }
            _ => ConfigError { message: format!("{path}: {inner}"), path },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_forms_read_the_keys_of_the_one_list() {
        let typed = json!({"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": "x"}, "storageClassCheck": "strict", "mode": "validate"});
        let map = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"storageClassCheck": "strict", "mode": "validate"}});
        let expected = FunctionConfig { storage_class_check: StorageClassCheck::Strict, mode: Mode::Validate };
        assert_eq!(read(Some(&typed)), Ok(expected.clone()));
        assert_eq!(read(Some(&map)), Ok(expected));
        assert_eq!(read(Some(&json!({"apiVersion": "v1", "kind": "ConfigMap"}))), Ok(FunctionConfig::default()));
    }

    #[test]
    fn a_wrong_value_lists_the_field_values() {
        let typed = json!({"apiVersion": API_VERSION, "kind": KIND, "mode": "lint"});
        let error = read(Some(&typed)).unwrap_err();
        assert_eq!((error.path.as_str(), error.message.as_str()), ("functionConfig.mode", "mode is \"lint\"; use one of expand, validate"));
        let map = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"storageClassCheck": "loud"}});
        let error = read(Some(&map)).unwrap_err();
        assert_eq!(error.path, "functionConfig.data.storageClassCheck");
        assert_eq!(error.message, "storageClassCheck is \"loud\"; use one of strict, warn, off");
        let unknown = read(Some(&json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"strict": "x"}}))).unwrap_err();
        assert!(unknown.message.ends_with("known keys: storageClassCheck, mode"), "{}", unknown.message);
    }
}
