//! The Secrets a v0.4 spec refers to, and what the v0.4 server needs of their values. Only names
//! and key names are ever reported, never values.

use std::borrow::Cow;

use super::facts::{ENV_ADMIN_INITIAL_PASSWORD, MIN_JWT_SECRET_LEN, POSTGRES_KEYS};
use super::plan::jwt_secret_ref;
use super::spec::DittoServerSpec;
use crate::inventory::Inventory;
use crate::krm::ValidationResult;
use crate::server::Server;
use crate::validate::secrets::{self, unreadable, Found, SecretRef};

const S3_PATH: &str = "spec.s3.credentialsSecretRef";

/// The S3 credentials Secret, with the operator's wording: absent, or missing the access-key or
/// secret-key key (the endpoint key is optional).
pub fn s3_secret(server: &Server<'_, DittoServerSpec>, inventory: &Inventory) -> Vec<ValidationResult> {
    let Some(r) = server.spec.s3.as_ref().and_then(|s| s.credentials_secret_ref.as_ref()) else { return Vec::new() };
    match inventory.secret(server.namespace, &r.secret_name) {
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

/// The other references: the JWT secret (always: the server does not start without one), the
/// admin's initial password and the Postgres connection.
pub fn secret_refs(server: &Server<'_, DittoServerSpec>, inventory: &Inventory) -> Vec<ValidationResult> {
    let spec = server.spec;
    let jwt = jwt_secret_ref(server.name, spec);
    let mut refs = vec![match spec.identity.jwt {
        Some(_) => SecretRef { selector: Cow::Owned(jwt), path: "spec.identity.jwt.secretRef", named: true, absent: None, check: jwt_secret },
        None => SecretRef {
            absent: Some(format!(
                "Secret {:?} not found in the input: with no identity.jwt, the server's JWT signing secret (at least {MIN_JWT_SECRET_LEN} characters) comes from its key {:?}, and the pod does not start until it exists; add the Secret or set identity.jwt.secretRef",
                jwt.name, jwt.key
            )),
            selector: Cow::Owned(jwt),
            path: "spec.identity.jwt",
            named: false,
            check: jwt_secret,
        },
    }];
    if let Some(r) = &spec.identity.admin.password_secret_ref {
        refs.push(SecretRef { selector: Cow::Borrowed(r), path: "spec.identity.admin.passwordSecretRef", named: true, absent: None, check: admin_password });
    }
    if let Some(r) = &spec.database.postgres_secret_ref {
        refs.push(SecretRef { selector: Cow::Borrowed(r), path: "spec.database.postgresSecretRef", named: true, absent: None, check: postgres });
    }
    secrets::check(&refs, server.namespace, inventory)
}

/// The server counts bytes (Go's len, pkg/controlplane/api/server.go:58).
fn jwt_secret(found: &Found<'_>) -> Vec<ValidationResult> {
    let (s, short) = (found.selector, found.value.len() < MIN_JWT_SECRET_LEN);
    let message = || format!("the JWT secret in Secret {:?}, key {:?}, is shorter than {MIN_JWT_SECRET_LEN} characters: the DittoFS server refuses to start with it", s.name, s.key);
    short.then(|| ValidationResult::error(message()).at(found.key_path.as_str())).into_iter().collect()
}

fn admin_password(found: &Found<'_>) -> Vec<ValidationResult> {
    let (s, hashed) = (found.selector, is_bcrypt_hash(found.value));
    let message = || format!("Secret {:?}, key {:?}, holds what looks like a bcrypt hash: the DittoFS v0.4 server takes the initial admin password in clear text ({ENV_ADMIN_INITIAL_PASSWORD}), so the admin's password would be the hash's text", s.name, s.key);
    hashed.then(|| ValidationResult::warning(message()).at(found.key_path.as_str())).into_iter().collect()
}

fn postgres(found: &Found<'_>) -> Vec<ValidationResult> {
    let s = found.selector;
    let mut out: Vec<ValidationResult> = POSTGRES_KEYS
        .iter()
        .filter(|k| k.required && !found.data.contains_key(k.key))
        .map(|k| {
            ValidationResult::warning(format!(
                "Secret {:?} missing key {:?}: the server needs the Postgres {} and does not start without it",
                s.name, k.key, k.key
            ))
            .at(found.name_path.as_str())
            .with_current(s.name.as_str())
        })
        .collect();
    let value = found.value;
    let problem = if value.starts_with(b"postgres://") || value.starts_with(b"postgresql://") {
        Some("holds a connection URL: the DittoFS v0.4 server reads no connection string, so the URL would be taken as the password; put host, database and user under their own keys and the password under this one")
    } else if value.iter().any(u8::is_ascii_whitespace) {
        // The server writes the password unquoted into its DSN (store/gorm.go:49-52).
        Some("holds a password with white space: the DittoFS v0.4 server writes it unquoted into its connection string, where it cannot authenticate")
    } else {
        None
    };
    out.extend(problem.map(|p| ValidationResult::warning(format!("Secret {:?}, key {:?}, {p}", s.name, s.key)).at(found.key_path.as_str())));
    out
}

/// `$2a$`, `$2b$` or `$2y$`, cost, salt and hash: 60 characters.
fn is_bcrypt_hash(value: &[u8]) -> bool {
    value.len() == 60 && [b"$2a$", b"$2b$", b"$2y$"].iter().any(|p| value.starts_with(*p))
}
