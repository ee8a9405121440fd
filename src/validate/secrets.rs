//! Referenced Secrets: present in the input, holding the referenced keys. Only names and key
//! names are ever reported, never values.

use crate::api::DittoServerSpec;
use crate::inventory::Inventory;
use crate::wire::ValidationResult;

const S3_PATH: &str = "spec.s3.credentialsSecretRef";

/// The S3 credentials Secret, with the operator's wording: absent, or missing the access-key or
/// secret-key key (the endpoint key is optional).
pub fn s3_secret(spec: &DittoServerSpec, namespace: Option<&str>, inventory: &Inventory) -> Vec<ValidationResult> {
    let Some(r) = spec.s3.as_ref().and_then(|s| s.credentials_secret_ref.as_ref()) else { return Vec::new() };
    match inventory.secret(namespace, &r.secret_name) {
        None => vec![ValidationResult::warning(format!(
            "S3 credentials Secret {:?} not found; ensure it exists before DittoFS pod starts",
            r.secret_name
        ))
        .at(format!("{S3_PATH}.secretName"))
        .with_current(r.secret_name.as_str())],
        Some(None) => vec![unreadable(&r.secret_name, &format!("{S3_PATH}.secretName"))],
        Some(Some(data)) => [("accessKeyIdKey", &r.access_key_id_key), ("secretAccessKeyKey", &r.secret_access_key_key)]
            .into_iter()
            .filter(|(_, key)| !data.contains_key(key.as_str()))
            .map(|(field, key)| {
                ValidationResult::warning(format!("S3 credentials Secret {:?} missing key {key:?}", r.secret_name))
                    .at(format!("{S3_PATH}.{field}"))
                    .with_current(key.as_str())
            })
            .collect(),
    }
}

/// The other references (JWT secret, admin password hash, Postgres connection string).
pub fn secret_refs(spec: &DittoServerSpec, namespace: Option<&str>, inventory: &Inventory) -> Vec<ValidationResult> {
    let refs = [
        ("spec.identity.jwt.secretRef", spec.identity.jwt.as_ref().map(|j| &j.secret_ref)),
        ("spec.identity.admin.passwordSecretRef", spec.identity.admin.password_secret_ref.as_ref()),
        ("spec.database.postgresSecretRef", spec.database.postgres_secret_ref.as_ref()),
    ];
    let mut out = Vec::new();
    for (path, selector) in refs {
        let Some(s) = selector else { continue };
        if s.name.is_empty() || s.key.is_empty() {
            out.push(ValidationResult::error(format!("{} needs both name and key", path.trim_start_matches("spec."))).at(path));
            continue;
        }
        match inventory.secret(namespace, &s.name) {
            None => out.push(
                ValidationResult::warning(format!(
                    "Secret {:?} not found in the input; ensure it exists before DittoFS pod starts",
                    s.name
                ))
                .at(format!("{path}.name"))
                .with_current(s.name.as_str()),
            ),
            Some(None) => out.push(unreadable(&s.name, &format!("{path}.name"))),
            Some(Some(data)) if !data.contains_key(&s.key) => out.push(
                ValidationResult::warning(format!("Secret {:?} missing key {:?}", s.name, s.key))
                    .at(format!("{path}.key"))
                    .with_current(s.key.as_str()),
            ),
            Some(Some(_)) => {}
        }
    }
    out
}

fn unreadable(name: &str, path: &str) -> ValidationResult {
    ValidationResult::warning(format!(
        "Could not verify Secret {name:?}: it is not a valid Secret (data values must be base64)"
    ))
    .at(path)
}
