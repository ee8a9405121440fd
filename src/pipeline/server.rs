//! One DittoServer: parsed, validated and, when valid, expanded.

use serde_json::Value;

use crate::model::{self, DittoServerSpec};
use crate::expand::{self, names, Generated, Server};
use crate::inventory::Inventory;
use crate::krm::annotations;
use crate::krm::gvk::STATEFUL_SET;
use crate::krm;
use crate::validate;
use crate::krm::{Severity, ValidationResult};
use crate::parse::Item;

/// What became of one DittoServer.
pub enum Expansion {
    /// Valid: these objects replace the previously generated ones.
    Valid(Vec<Generated>),
    /// Invalid: its previously generated objects are kept as they were.
    Invalid,
}

/// Parses, validates and expands one DittoServer. Returns the expansion, its results (without
/// resourceRef/file) and, when the item needs the local-config annotation, its rewritten value.
pub fn expand_server(
    item: &Item<'_>,
    inventory: &Inventory,
    items: &[Item<'_>],
    storage_class_check: model::StorageClassCheck,
) -> (Expansion, Vec<ValidationResult>, Option<Value>) {
    let mut found = Vec::new();
    let value = match item.value() {
        Ok(v) => v,
        Err(e) => {
            found.push(ValidationResult::error(format!("the DittoServer is not valid YAML: {e}")));
            return (Expansion::Invalid, found, None);
        }
    };
    let spec_value = value.get("spec").cloned().unwrap_or(Value::Null);
    let rewritten = with_local_config(item, value);
    found.extend(validate::name(item.name()));
    found.extend(krm::check_namespace(item.namespace()));
    let spec = match spec_value {
        Value::Object(_) => match model::read_typed::<DittoServerSpec>(spec_value, "spec") {
            Ok((spec, unknown)) => {
                found.extend(unknown.into_iter().map(|path| {
                    ValidationResult::warning(format!("unknown field {path} is ignored; check its spelling against `dittofs-krm crd`"))
                        .at(path)
                }));
                Some(spec)
            }
            Err(p) => {
                found.push(ValidationResult::error(p.message).at(p.path));
                None
            }
        },
        Value::Null => {
            found.push(ValidationResult::error("storage.metadataSize is required: the DittoServer has no spec").at("spec"));
            None
        }
        _ => {
            found.push(ValidationResult::error("spec must be an object (a mapping of fields), not a scalar or list").at("spec"));
            None
        }
    };
    let Some(spec) = spec else { return (Expansion::Invalid, found, rewritten) };

    let namespace = item.namespace();
    found.extend(validate::spec(&spec));
    found.extend(validate::image(&spec));
    found.extend(validate::ignored_fields(&spec));
    found.extend(validate::storage_class(&spec, inventory, storage_class_check));
    found.extend(validate::s3_secret(&spec, namespace, inventory));
    found.extend(validate::secret_refs(item.name(), &spec, namespace, inventory));
    if found.iter().any(|r| r.severity == Severity::Error) {
        return (Expansion::Invalid, found, rewritten);
    }

    let key = (item.header.namespace.clone(), item.name().to_string());
    let previous_stateful_set = inventory
        .identities
        .generated_by(&key)
        .iter()
        .map(|&i| &items[i])
        .find(|g| g.is(STATEFUL_SET) && g.name() == names::stateful_set(item.name()));
    if let Some(Ok(previous)) = previous_stateful_set.map(Item::value) {
        found.extend(validate::immutable_templates(&previous, &expand::volume_claim_templates(&spec)));
    }

    let server = Server { name: item.name(), namespace, spec: &spec };
    let secret = |name: &str| inventory.secret(namespace, name).flatten().cloned();
    (Expansion::Valid(expand::expand(&server, &secret)), found, rewritten)
}

/// The DittoServer must not reach a cluster (no CRD there): it is marked local-config, which kpt
/// live apply and kustomize build leave out. `None` when it already carries the mark.
fn with_local_config(item: &Item<'_>, mut value: Value) -> Option<Value> {
    if item.is_local_config() {
        return None;
    }
    annotations::mark_local_config(&mut value)?;
    Some(value)
}
