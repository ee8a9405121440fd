//! The function's own configuration: the typed kind, or a ConfigMap of strings (`-- key=value`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// Configuration of dittofs-krm (`apiVersion: fn.dittofs.com/v1alpha1`, `kind: DittoServerExpansion`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FunctionConfig {
    /// What to report when a DittoServer names a StorageClass and the input holds no
    /// StorageClass objects to check it against: `strict` (error), `warn` or `off`.
    #[serde(default)]
    pub storage_class_check: StorageClassCheck,
    /// `expand` (the default) or `validate`: report results and change no item, as a kustomize
    /// `validators:` entry must.
    #[serde(default)]
    pub mode: Mode,
}

/// The field names, for messages and help.
pub const FIELDS: &[&str] = &["storageClassCheck", "mode"];

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
        (super::ditto_server::API_VERSION, super::ditto_server::KIND) => Ok(FunctionConfig::default()),
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
    let mut fields = serde_json::Map::new();
    for (k, v) in map {
        match k.as_str() {
            "apiVersion" | "kind" | "metadata" => {}
            _ if FIELDS.contains(&k.as_str()) => {
                fields.insert(k.clone(), v.clone());
            }
            _ => return Err(unknown_key(format!("functionConfig.{k}"), k)),
        }
    }
    serde_json::from_value(Value::Object(fields))
        .map_err(|e| ConfigError { path: "functionConfig".into(), message: format!("functionConfig: {e}") })
}

/// `kpt fn eval -- storageClassCheck=strict` arrives as `data: {storageClassCheck: "strict"}`.
fn from_config_map(value: &Value) -> Result<FunctionConfig, ConfigError> {
    let mut config = FunctionConfig::default();
    let Some(data) = value.get("data") else { return Ok(config) };
    let Some(data) = data.as_object() else {
        if data.is_null() {
            return Ok(config);
        }
        return Err(ConfigError { path: "functionConfig.data".into(), message: "functionConfig.data must be a map of strings".into() });
    };
    for (k, v) in data {
        let path = format!("functionConfig.data.{k}");
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => return Err(ConfigError { path, message: format!("functionConfig.data.{k} must be a string") }),
        };
        match k.as_str() {
            "storageClassCheck" => {
                config.storage_class_check = match text.as_str() {
                    "strict" => StorageClassCheck::Strict,
                    "warn" => StorageClassCheck::Warn,
                    "off" => StorageClassCheck::Off,
                    other => {
                        return Err(ConfigError {
                            path,
                            message: format!("storageClassCheck is {other:?}; use one of strict, warn, off"),
                        })
                    }
                }
            }
            "mode" => {
                config.mode = match text.as_str() {
                    "expand" => Mode::Expand,
                    "validate" => Mode::Validate,
                    other => return Err(ConfigError { path, message: format!("mode is {other:?}; use expand or validate") }),
                }
            }
            _ => return Err(unknown_key(path, k)),
        }
    }
    Ok(config)
}
