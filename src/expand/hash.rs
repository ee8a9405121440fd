//! The pod annotation `dittofs.io/config-hash`: sha256 over the config text and the data of the
//! referenced Secrets found in the input, so that a Secret changed in Git rolls the pods.
//!
//! As the operator does: the config bytes, then for each Secret entry, sorted by key, the key
//! (`jwt:<key>`, `admin:<key>`, and `postgres:<key>` and `s3:<key>` for every key of the Postgres
//! and S3 Secrets, which the pod reads several keys of) and its value. The operator's trailing `gen:<generation>` is left out: objects in Git have no
//! generation, and a spec change changes the pod template anyway.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::{names, SecretData};
use crate::model::DittoServerSpec;

pub fn config_hash(
    config_text: &str,
    server: &str,
    spec: &DittoServerSpec,
    secret: &dyn Fn(&str) -> Option<SecretData>,
) -> String {
    let mut entries: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut by_key = |prefix: &str, name: &str, key: &str| {
        if let Some(value) = secret(name).and_then(|mut d| d.remove(key)) {
            entries.insert(format!("{prefix}:{key}"), value);
        }
    };
    let jwt = names::jwt_secret_ref(server, spec);
    by_key("jwt", &jwt.name, &jwt.key);
    if let Some(r) = &spec.identity.admin.password_secret_ref {
        by_key("admin", &r.name, &r.key);
    }
    let mut whole = |prefix: &str, name: &str| {
        for (k, v) in secret(name).unwrap_or_default() {
            entries.insert(format!("{prefix}:{k}"), v);
        }
    };
    if let Some(r) = &spec.database.postgres_secret_ref {
        whole("postgres", &r.name);
    }
    if let Some(r) = spec.s3.as_ref().and_then(|s| s.credentials_secret_ref.as_ref()) {
        whole("s3", &r.secret_name);
    }
    let mut h = Sha256::new();
    h.update(config_text.as_bytes());
    for (k, v) in &entries {
        h.update(k.as_bytes());
        h.update(v);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
