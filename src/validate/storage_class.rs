//! `storageClassName` against the StorageClass objects of the input.

use crate::model::StorageClassCheck;
use crate::inventory::Inventory;
use crate::krm::ValidationResult;

const PATH: &str = "spec.storage.storageClassName";

/// `class`: the claims' StorageClass, `None` for the cluster's default.
pub fn storage_class(class: Option<&str>, inventory: &Inventory, check: StorageClassCheck) -> Vec<ValidationResult> {
    let classes = &inventory.storage_classes;
    match class {
        Some("") => Vec::new(), // reported by the spec rules
        Some(name) if classes.contains_key(name) => Vec::new(),
        Some(name) if !classes.is_empty() => {
            let mut known: Vec<&str> = classes.keys().copied().collect();
            known.sort_unstable();
            vec![ValidationResult::error(format!(
                "StorageClass {name:?} does not exist in cluster: the input's StorageClasses are {}; name one of them or add the StorageClass to the input",
                known.join(", ")
            ))
            .at(PATH)
            .with_current(name)]
        }
        Some(name) => {
            let message = format!(
                "Could not verify StorageClass {name:?} exists: the input holds no StorageClass objects; add them to the input, or set storageClassCheck to off"
            );
            match check {
                StorageClassCheck::Off => Vec::new(),
                StorageClassCheck::Warn => vec![ValidationResult::warning(message).at(PATH).with_current(name)],
                StorageClassCheck::Strict => vec![ValidationResult::error(message).at(PATH).with_current(name)],
            }
        }
        None if !classes.is_empty() && !inventory.has_default_storage_class() => {
            vec![ValidationResult::warning(
                "no storageClassName is set and none of the input's StorageClasses is the default (storageclass.kubernetes.io/is-default-class: \"true\"): the PVCs would stay Pending; set storage.storageClassName",
            )
            .at(PATH)]
        }
        None => Vec::new(),
    }
}
