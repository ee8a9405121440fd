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
                    entries.insert([prefix, ":", key].concat(), value);
                }
            }
            HashedSecret::Whole { prefix, name } => {
                for (k, v) in secret(name).unwrap_or_default() {
                    entries.insert([prefix, ":", &k].concat(), v);
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
    hex(&h.finalize())
}

/// Lower-case hexadecimal, two digits a byte (a byte at a time through `format!` costs ten
/// times as much).
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_two_lower_case_digits_a_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }
}
