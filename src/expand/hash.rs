//! The pod annotation `dittofs.io/config-hash`: sha256 over the config text and the data of the
//! referenced Secrets found in the input, so that a Secret changed in Git rolls the pods.
//!
//! As the operator does: the config bytes, then for each Secret entry, sorted by key, the key
//! (`<prefix>:<key>`: the line names the Secrets and their prefixes, e.g. `jwt:<key>`, and
//! `postgres:<key>` for every key of a Secret the pod reads several keys of) and its value. The operator's trailing `gen:<generation>` is left out: objects in Git have no
//! generation, and a spec change changes the pod template anyway.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::SecretData;
use crate::server::plan::HashedSecret;

pub fn config_hash(config_text: &str, hashed: &[HashedSecret], secret: &dyn Fn(&str) -> Option<SecretData>) -> String {
    let mut entries: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for h in hashed {
        match h {
            HashedSecret::Key { prefix, name, key } => {
                if let Some(value) = secret(name).and_then(|mut d| d.remove(key)) {
                    entries.insert(format!("{prefix}:{key}"), value);
                }
            }
            HashedSecret::Whole { prefix, name } => {
                for (k, v) in secret(name).unwrap_or_default() {
                    entries.insert(format!("{prefix}:{k}"), v);
                }
            }
        }
    }
    let mut h = Sha256::new();
    h.update(config_text.as_bytes());
    for (k, v) in &entries {
        h.update(k.as_bytes());
        h.update(v);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
