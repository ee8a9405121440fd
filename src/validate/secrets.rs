//! Referenced Secrets: present in the input, holding the referenced keys. Only names and key
//! names are ever reported, never values. Which Secrets a spec refers to, and what the server
//! needs of their values, is the line's to say ([`SecretRef`]).

use std::borrow::Cow;

use k8s_openapi::api::core::v1::SecretKeySelector;

use crate::expand::SecretData;
use crate::inventory::Inventory;
use crate::krm::ValidationResult;

/// A Secret key a spec refers to.
pub struct SecretRef<'a> {
    pub selector: Cow<'a, SecretKeySelector>,
    /// The field that refers to it (`spec.identity.admin.passwordSecretRef`).
    pub path: &'static str,
    /// Whether the field names the Secret itself (`name` and `key` below `path`), rather than
    /// the Secret being the one a convention names: problems are then reported at `path`.
    pub named: bool,
    /// The warning when the Secret is absent; `None`: the operator's wording.
    pub absent: Option<String>,
    /// What the server needs of the value.
    pub check: fn(&Found<'_>) -> Vec<ValidationResult>,
}

/// A referenced key that is there.
pub struct Found<'a> {
    pub selector: &'a SecretKeySelector,
    pub value: &'a [u8],
    pub data: &'a SecretData,
    pub name_path: String,
    pub key_path: String,
}

impl SecretRef<'_> {
    fn field(&self, below: &str) -> String {
        if self.named {
            format!("{}.{below}", self.path)
        } else {
            self.path.to_string()
        }
    }
}

/// Each reference against the Secrets of the input, in order.
pub fn check(refs: &[SecretRef<'_>], namespace: Option<&str>, inventory: &Inventory) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    for r in refs {
        let s = r.selector.as_ref();
        let (name_path, key_path) = (r.field("name"), r.field("key"));
        if s.name.is_empty() || s.key.is_empty() {
            out.push(ValidationResult::error(format!("{} needs both name and key", r.path.trim_start_matches("spec."))).at(r.path));
            continue;
        }
        match inventory.secret(namespace, &s.name) {
            None => {
                let message = r.absent.clone().unwrap_or_else(|| {
                    format!("Secret {:?} not found in the input; ensure it exists before DittoFS pod starts", s.name)
                });
                out.push(ValidationResult::warning(message).at(name_path).with_current(s.name.as_str()));
            }
            Some(None) => out.push(unreadable(&s.name, &name_path)),
            Some(Some(data)) => match data.get(&s.key) {
                None => out.push(
                    ValidationResult::warning(format!("Secret {:?} missing key {:?}", s.name, s.key))
                        .at(key_path)
                        .with_current(s.key.as_str()),
                ),
                Some(value) => out.extend((r.check)(&Found { selector: s, value, data, name_path, key_path })),
            },
        }
    }
    out
}

/// A Secret in the input that cannot be decoded.
pub fn unreadable(name: &str, path: &str) -> ValidationResult {
    ValidationResult::warning(format!(
        "Could not verify Secret {name:?}: it is not a valid Secret (data values must be base64)"
    ))
    .at(path)
}
