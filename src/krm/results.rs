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
    /// The specification's free-form tags: what kind of result it is, for tools that filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<std::collections::BTreeMap<String, String>>,
}

impl ValidationResult {
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        ValidationResult { message: message.into(), severity, resource_ref: None, field: None, file: None, tags: None }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    pub fn info(message: impl Into<String>) -> Self {
        Self::new(Severity::Info, message)
    }

    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.field = Some(Field { path: path.into(), current_value: None, proposed_value: None });
        self
    }

    pub fn tagged(mut self, key: &str, value: impl Into<String>) -> Self {
        self.tags.get_or_insert_with(Default::default).insert(key.to_string(), value.into());
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

    /// [`Self::on`] the item the result is about: its kind and name, and its file.
    pub fn on_item(self, item: &super::Object<'_>) -> Self {
        self.on(Some(item.resource_ref()), item.file())
    }
}

impl ValidationResult {
    /// The result on one line as kpt prints a function's results: `[severity]`, then the
    /// resource as `apiVersion/Kind/namespace/name` (no namespace part for a cluster-scoped one),
    /// then the field path, then `: message` with its line breaks turned into spaces. kpt shows
    /// no file; clients that do not show results at all (kustomize, Argo CD) get this on stderr.
    pub fn one_line(&self) -> String {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let mut line = format!("[{severity}]");
        if let Some(r) = &self.resource_ref {
            line.push(' ');
            line.push_str(&r.api_version);
            line.push('/');
            line.push_str(&r.kind);
            line.push('/');
            if let Some(ns) = r.namespace.as_deref().filter(|ns| !ns.is_empty()) {
                line.push_str(ns);
                line.push('/');
            }
            line.push_str(&r.name);
        }
        if let Some(path) = self.field.as_ref().map(|f| f.path.as_str()).filter(|p| !p.is_empty()) {
            line.push(' ');
            line.push_str(path);
        }
        line.push_str(": ");
        line.push_str(&self.message.split(['\n', '\r']).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" "));
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(namespace: Option<&str>) -> ResourceRef {
        ResourceRef {
            api_version: "dittofs.dittofs.com/v1alpha1".into(),
            kind: "DittoServer".into(),
            name: "nas".into(),
            namespace: namespace.map(String::from),
        }
    }

    #[test]
    fn one_line_is_kpts_form() {
        let r = ValidationResult::error("replicas must be 0 or 1, not 3").at("spec.replicas").on(Some(reference(Some("ns"))), None);
        assert_eq!(r.one_line(), "[error] dittofs.dittofs.com/v1alpha1/DittoServer/ns/nas spec.replicas: replicas must be 0 or 1, not 3");
        let r = ValidationResult::warning("two\nlines").on(Some(reference(None)), Some(FileRef { path: "a.yaml".into(), index: None }));
        assert_eq!(r.one_line(), "[warning] dittofs.dittofs.com/v1alpha1/DittoServer/nas: two lines");
        assert_eq!(ValidationResult::error("bare").one_line(), "[error]: bare");
        assert_eq!(ValidationResult::new(Severity::Info, "i").at("functionConfig").one_line(), "[info] functionConfig: i");
    }
}
