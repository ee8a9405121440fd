//! The `results` entries of a ResourceList (KRM functions specification).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_value: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposed_value: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileRef {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
}

/// One entry of `results`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationResult {
    pub message: String,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_ref: Option<ResourceRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<FileRef>,
}

impl ValidationResult {
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        ValidationResult { message: message.into(), severity, resource_ref: None, field: None, file: None }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.field = Some(Field { path: path.into(), current_value: None, proposed_value: None });
        self
    }

    pub fn with_current(mut self, value: impl Into<serde_json::Value>) -> Self {
        if let Some(f) = self.field.as_mut() {
            f.current_value = Some(value.into());
        }
        self
    }

    pub fn on(mut self, resource: Option<ResourceRef>, file: Option<FileRef>) -> Self {
        self.resource_ref = resource;
        self.file = file;
        self
    }
}
