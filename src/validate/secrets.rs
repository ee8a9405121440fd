//! Referenced Secrets: present in the input, holding the referenced keys. Only names and key
//! names are ever reported, never values.

use k8s_openapi::api::core::v1::SecretKeySelector;

use crate::model::DittoServerSpec;
use crate::expand::{names, SecretData};
use crate::inventory::Inventory;
use crate::target;
use crate::krm::ValidationResult;

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

/// The other references: the JWT secret (always: the server does not start without one), the
/// admin's initial password and the Postgres connection.
pub fn secret_refs(server: &str, spec: &DittoServerSpec, namespace: Option<&str>, inventory: &Inventory) -> Vec<ValidationResult> {
    let jwt = names::jwt_secret_ref(server, spec);
    let refs = [
        (Ref::Jwt { given: spec.identity.jwt.is_some() }, Some(&jwt)),
        (Ref::AdminPassword, spec.identity.admin.password_secret_ref.as_ref()),
        (Ref::Postgres, spec.database.postgres_secret_ref.as_ref()),
    ];
    let mut out = Vec::new();
    for (kind, selector) in refs {
        let Some(s) = selector else { continue };
        let path = kind.path();
        if s.name.is_empty() || s.key.is_empty() {
            out.push(ValidationResult::error(format!("{} needs both name and key", path.trim_start_matches("spec."))).at(path));
            continue;
        }
        match inventory.secret(namespace, &s.name) {
            None => out.push(kind.absent(s).at(kind.name_path()).with_current(s.name.as_str())),
            Some(None) => out.push(unreadable(&s.name, &kind.name_path())),
            Some(Some(data)) => match data.get(&s.key) {
                None => out.push(
                    ValidationResult::warning(format!("Secret {:?} missing key {:?}", s.name, s.key))
                        .at(kind.key_path())
                        .with_current(s.key.as_str()),
                ),
                Some(value) => out.extend(kind.check(s, value, data)),
            },
        }
    }
    out
}

/// What a referenced Secret key is for, and what the server needs of it.
enum Ref {
    /// `given`: named by `identity.jwt.secretRef`, rather than the conventional Secret.
    Jwt { given: bool },
    AdminPassword,
    Postgres,
}

impl Ref {
    fn path(&self) -> &'static str {
        match self {
            Ref::Jwt { given: true } => "spec.identity.jwt.secretRef",
            Ref::Jwt { given: false } => "spec.identity.jwt",
            Ref::AdminPassword => "spec.identity.admin.passwordSecretRef",
            Ref::Postgres => "spec.database.postgresSecretRef",
        }
    }

    fn name_path(&self) -> String {
        match self {
            Ref::Jwt { given: false } => self.path().to_string(),
            _ => format!("{}.name", self.path()),
        }
    }

    fn key_path(&self) -> String {
        match self {
            Ref::Jwt { given: false } => self.path().to_string(),
            _ => format!("{}.key", self.path()),
        }
    }

    fn absent(&self, s: &SecretKeySelector) -> ValidationResult {
        let message = match self {
            Ref::Jwt { given: false } => format!(
                "Secret {:?} not found in the input: with no identity.jwt, the server's JWT signing secret (at least {} characters) comes from its key {:?}, and the pod does not start until it exists; add the Secret or set identity.jwt.secretRef",
                s.name,
                target::MIN_JWT_SECRET_LEN,
                s.key
            ),
            _ => format!("Secret {:?} not found in the input; ensure it exists before DittoFS pod starts", s.name),
        };
        ValidationResult::warning(message)
    }

    /// Checks of the value itself; a message names the Secret and key, never the value.
    fn check(&self, s: &SecretKeySelector, value: &[u8], data: &SecretData) -> Vec<ValidationResult> {
        match self {
            // The server counts bytes (Go's len, pkg/controlplane/api/server.go:58).
            Ref::Jwt { .. } if value.len() < target::MIN_JWT_SECRET_LEN => vec![ValidationResult::error(format!(
                "the JWT secret in Secret {:?}, key {:?}, is shorter than {} characters: the DittoFS server refuses to start with it",
                s.name,
                s.key,
                target::MIN_JWT_SECRET_LEN
            ))
            .at(self.key_path())],
            Ref::AdminPassword if is_bcrypt_hash(value) => vec![ValidationResult::warning(format!(
                "Secret {:?}, key {:?}, holds what looks like a bcrypt hash: the DittoFS v0.4 server takes the initial admin password in clear text ({}), so the admin's password would be the hash's text",
                s.name,
                s.key,
                target::ENV_ADMIN_INITIAL_PASSWORD
            ))
            .at(self.key_path())],
            Ref::Postgres => {
                let mut out: Vec<ValidationResult> = target::POSTGRES_KEYS
                    .iter()
                    .filter(|k| k.required && !data.contains_key(k.key))
                    .map(|k| {
                        ValidationResult::warning(format!(
                            "Secret {:?} missing key {:?}: the server needs the Postgres {} and does not start without it",
                            s.name, k.key, k.key
                        ))
                        .at(self.name_path())
                        .with_current(s.name.as_str())
                    })
                    .collect();
                let problem = if value.starts_with(b"postgres://") || value.starts_with(b"postgresql://") {
                    Some("holds a connection URL: the DittoFS v0.4 server reads no connection string, so the URL would be taken as the password; put host, database and user under their own keys and the password under this one")
                } else if value.iter().any(u8::is_ascii_whitespace) {
                    // The server writes the password unquoted into its DSN (store/gorm.go:49-52).
                    Some("holds a password with white space: the DittoFS v0.4 server writes it unquoted into its connection string, where it cannot authenticate")
                } else {
                    None
                };
                out.extend(problem.map(|p| {
                    ValidationResult::warning(format!("Secret {:?}, key {:?}, {p}", s.name, s.key)).at(self.key_path())
                }));
                out
            }
            _ => Vec::new(),
        }
    }
}

/// `$2a$`, `$2b$` or `$2y$`, cost, salt and hash: 60 characters.
fn is_bcrypt_hash(value: &[u8]) -> bool {
    value.len() == 60 && [b"$2a$", b"$2b$", b"$2y$"].iter().any(|p| value.starts_with(*p))
}

fn unreadable(name: &str, path: &str) -> ValidationResult {
    ValidationResult::warning(format!(
        "Could not verify Secret {name:?}: it is not a valid Secret (data values must be base64)"
    ))
    .at(path)
}
