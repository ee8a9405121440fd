//! The Secrets a v0.29 spec refers to, and what the v0.29 server needs of their values. Only names
//! and key names are ever reported, never values.

use std::borrow::Cow;

use k8s_openapi::api::core::v1::SecretKeySelector;

use super::facts::{ADMIN_PASSWORD_LEN, ENV_ADMIN_INITIAL_PASSWORD, MIN_JWT_SECRET_LEN, POSTGRES_KEYS};
use super::plan::{self, admin_password_ref, jwt_secret_ref};
use super::spec::DittoServerSpec;
use crate::inventory::Inventory;
use crate::krm::ValidationResult;
use crate::server::Server;
use crate::validate::secrets::{self, Found, SecretRef};

pub fn secret_refs(server: &Server<'_, DittoServerSpec>, inventory: &Inventory) -> Vec<ValidationResult> {
    let spec = server.spec;
    let mut refs = Vec::new();
    let jwt = jwt_secret_ref(server.name, spec);
    refs.push(match spec.identity.jwt {
        Some(_) => named(jwt, "spec.identity.jwt.secretRef", jwt_secret),
        None => SecretRef {
            absent: Some(format!(
                "Secret {:?} not found in the input: with no identity.jwt, the server's JWT signing secret (at least {MIN_JWT_SECRET_LEN} characters) comes from its key {:?}, which the operator would generate; the pod does not start until it exists: add the Secret or set identity.jwt.secretRef",
                jwt.name, jwt.key
            )),
            selector: Cow::Owned(jwt),
            path: "spec.identity.jwt",
            named: false,
            check: jwt_secret,
        },
    });
    let admin = admin_password_ref(server.name, spec);
    refs.push(match spec.identity.admin.password_secret_ref {
        Some(_) => named(admin, "spec.identity.admin.passwordSecretRef", admin_password),
        None => SecretRef {
            absent: Some(format!(
                "Secret {:?} not found in the input: with no identity.admin.passwordSecretRef, the admin's initial password comes from its key {:?}, which the operator would generate; the pod does not start until it exists (without it the server would make up a password nobody could read): add the Secret or set identity.admin.passwordSecretRef",
                admin.name, admin.key
            )),
            selector: Cow::Owned(admin),
            path: "spec.identity.admin",
            named: false,
            check: admin_password,
        },
    });
    if let Some(r) = &spec.database.postgres_secret_ref {
        refs.push(named(r.clone(), "spec.database.postgresSecretRef", postgres));
    }
    let present = [
        (plan::ldap_bind_password(spec), "spec.identity.ldap.bindPasswordSecretRef"),
        (plan::kerberos_keytab(spec), "spec.identity.kerberos.keytabSecretRef"),
        (plan::krb5_conf(spec), "spec.identity.kerberos.krb5ConfSecretRef"),
        (plan::machine_secret(spec), "spec.identity.kerberos.machineAccount.secretRef"),
        (plan::machine_keytab(spec), "spec.identity.kerberos.machineAccount.keytabSecretRef"),
        (plan::metrics_token(spec), "spec.metrics.bearerTokenSecret"),
    ];
    refs.extend(present.into_iter().filter_map(|(r, path)| Some(named(r?.clone(), path, nothing))));
    // The TLS Secrets are mounted whole; the server reads these keys of them.
    let whole = |name: &str, key: &str, path| SecretRef {
        selector: Cow::Owned(SecretKeySelector { name: name.into(), key: key.into(), optional: None }),
        path,
        named: false,
        absent: None,
        check: nothing,
    };
    if let Some(cert) = spec.control_plane.cert_secret() {
        refs.push(whole(cert, "tls.crt", "spec.controlPlane.certSecretName"));
        refs.push(whole(cert, "tls.key", "spec.controlPlane.certSecretName"));
    }
    if let Some(ca) = spec.control_plane.client_ca_secret() {
        refs.push(whole(ca, "ca.crt", "spec.controlPlane.clientCASecretName"));
    }
    secrets::check(&refs, server.namespace, inventory)
}

fn named(selector: SecretKeySelector, path: &'static str, check: fn(&Found<'_>) -> Vec<ValidationResult>) -> SecretRef<'static> {
    SecretRef { selector: Cow::Owned(selector), path, named: true, absent: None, check }
}

fn nothing(_: &Found<'_>) -> Vec<ValidationResult> {
    Vec::new()
}

/// The server counts bytes (Go's len, pkg/controlplane/api/server.go:109-113).
fn jwt_secret(found: &Found<'_>) -> Vec<ValidationResult> {
    let s = found.selector;
    (found.value.len() < MIN_JWT_SECRET_LEN)
        .then(|| {
            ValidationResult::error(format!(
                "the JWT secret in Secret {:?}, key {:?}, is shorter than {MIN_JWT_SECRET_LEN} characters: the DittoFS server refuses to start with it",
                s.name, s.key
            ))
            .at(found.key_path.as_str())
        })
        .into_iter()
        .collect()
}

fn admin_password(found: &Found<'_>) -> Vec<ValidationResult> {
    let (s, v) = (found.selector, found.value);
    if !ADMIN_PASSWORD_LEN.contains(&v.len()) {
        return vec![ValidationResult::error(format!(
            "the admin password in Secret {:?}, key {:?}, is not {} to {} characters long: the server refuses it and exits at its first start",
            s.name, s.key, ADMIN_PASSWORD_LEN.start(), ADMIN_PASSWORD_LEN.end()
        ))
        .at(found.key_path.as_str())];
    }
    let bcrypt = v.len() == 60 && [b"$2a$", b"$2b$", b"$2y$"].iter().any(|p| v.starts_with(*p));
    bcrypt
        .then(|| {
            ValidationResult::warning(format!(
                "Secret {:?}, key {:?}, holds what looks like a bcrypt hash: the server takes the initial admin password in clear text ({ENV_ADMIN_INITIAL_PASSWORD}), so the admin's password would be the hash's text",
                s.name, s.key
            ))
            .at(found.key_path.as_str())
        })
        .into_iter()
        .collect()
}

fn postgres(found: &Found<'_>) -> Vec<ValidationResult> {
    let s = found.selector;
    let mut out: Vec<ValidationResult> = POSTGRES_KEYS
        .iter()
        .filter(|(key, required)| *required && !found.data.contains_key(*key))
        .map(|(key, _)| {
            ValidationResult::warning(format!("Secret {:?} missing key {key:?}: the server needs the Postgres {key} and does not start without it", s.name))
                .at(found.name_path.as_str())
                .with_current(s.name.as_str())
        })
        .collect();
    if found.value.starts_with(b"postgres://") || found.value.starts_with(b"postgresql://") {
        out.push(
            ValidationResult::warning(format!(
                "Secret {:?}, key {:?}, holds a connection URL: the server reads no connection string, so the URL would be taken as the password; put host, database and user under their own keys and the password under this one",
                s.name, s.key
            ))
            .at(found.key_path.as_str()),
        );
    }
    out
}
