//! One focused test per validation rule: the result's severity, field.path, resourceRef and file,
//! on the inputs of the golden cases (tests/cases/<case>/input.yaml).

use dittofs_krm::krm::{Severity, ValidationResult};

/// The results of the rules, without the info that names the line each server was rendered for
/// (`tests/lines.rs` holds that one to account).
fn results(case: &str) -> Vec<ValidationResult> {
    let path = format!("{}/tests/cases/{case}/input.yaml", env!("CARGO_MANIFEST_DIR"));
    let input = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let results = dittofs_krm::run(&input).expect("a ResourceList").results;
    results.into_iter().filter(|r| !r.message.starts_with("rendered for the DittoFS ")).collect()
}

/// Asserts the case yields exactly these (severity, field path, message fragment) results, each
/// naming the DittoServer `server` and its file `<server>.yaml`.
fn expect(case: &str, server: &str, expected: &[(Severity, &str, &str)]) {
    let got = results(case);
    assert_eq!(got.len(), expected.len(), "{case}: {got:#?}");
    for (r, (severity, path, fragment)) in got.iter().zip(expected) {
        assert_eq!(r.severity, *severity, "{case}: {r:#?}");
        assert_eq!(r.field.as_ref().map(|f| f.path.as_str()), Some(*path), "{case}: {r:#?}");
        assert!(r.message.contains(fragment), "{case}: {:?} lacks {fragment:?}", r.message);
        let rr = r.resource_ref.as_ref().expect("resourceRef");
        assert_eq!((rr.api_version.as_str(), rr.kind.as_str(), rr.name.as_str()), ("dittofs.dittofs.com/v1alpha1", "DittoServer", server));
        let file = r.file.as_ref().expect("file");
        assert_eq!((file.path.as_str(), file.index), (format!("{server}.yaml").as_str(), Some(0)));
    }
}

use Severity::{Error, Warning};

#[test]
fn metadata_size_is_required() {
    expect("rule-metadata-size-required", "no-metadata-size", &[(Error, "spec.storage.metadataSize", "storage.metadataSize is required")]);
}

#[test]
fn postgres_takes_precedence_over_sqlite() {
    expect("rule-postgres-over-sqlite", "pg", &[(Warning, "spec.database.postgresSecretRef", "PostgreSQL will take precedence")]);
}

#[test]
fn ports_must_be_in_range() {
    expect(
        "rule-port-range",
        "ports",
        &[
            (Error, "spec.controlPlane.port", "controlPlane.port must be between 1 and 65535"),
            (Error, "spec.metrics.port", "metrics.port must be between 1 and 65535"),
        ],
    );
}

#[test]
fn ports_must_differ_where_they_meet() {
    expect(
        "rule-port-clash",
        "clash",
        &[
            (Error, "spec.metrics.port", "port 9090 is used by both api and metrics"),
            (Error, "spec.smb.port", "port 9000 is used by both nfs and smb"),
        ],
    );
}

#[test]
fn ports_must_leave_the_adapters_ports_free() {
    expect(
        "rule-port-adapter",
        "adapter-port",
        &[(Error, "spec.controlPlane.port", "port 1445 is used by both smb and api (the server's smb adapter listens on 1445)")],
    );
}

#[test]
fn privileged_ports_warn_where_the_server_binds_them() {
    expect(
        "rule-privileged-port",
        "privileged",
        &[
            (Warning, "spec.controlPlane.port", "api port 443 is privileged"),
            (Warning, "spec.metrics.port", "metrics port 80 is privileged"),
        ],
    );
}

#[test]
fn storage_class_absent_from_input_is_an_error() {
    expect("rule-storage-class-absent", "sc-missing", &[(Error, "spec.storage.storageClassName", "StorageClass \"premium\" does not exist")]);
}

#[test]
fn storage_class_unverifiable_warns_by_default() {
    expect("rule-storage-class-unverifiable", "sc-unverified", &[(Warning, "spec.storage.storageClassName", "Could not verify StorageClass \"premium\"")]);
}

#[test]
fn storage_class_unverifiable_is_an_error_when_strict() {
    expect("rule-storage-class-strict", "sc-strict", &[(Error, "spec.storage.storageClassName", "Could not verify StorageClass \"premium\"")]);
}

#[test]
fn storage_class_check_off_reports_nothing() {
    assert_eq!(results("config-storage-class-off"), vec![]);
}

#[test]
fn no_default_storage_class_warns() {
    expect("rule-no-default-storage-class", "no-default", &[(Warning, "spec.storage.storageClassName", "PVCs would stay Pending")]);
}

#[test]
fn s3_secret_absent_warns() {
    expect("rule-s3-secret-absent", "s3-absent", &[(Warning, "spec.s3.credentialsSecretRef.secretName", "S3 credentials Secret \"nowhere\" not found")]);
}

#[test]
fn s3_secret_missing_keys_warn_per_key() {
    expect(
        "rule-s3-secret-missing-keys",
        "s3-keys",
        &[
            (Warning, "spec.s3.credentialsSecretRef.accessKeyIdKey", "missing key \"accessKeyId\""),
            (Warning, "spec.s3.credentialsSecretRef.secretAccessKeyKey", "missing key \"secretAccessKey\""),
        ],
    );
}

#[test]
fn other_secret_refs_absent_warn() {
    expect("rule-secret-ref-absent", "jwt", &[(Warning, "spec.identity.jwt.secretRef.name", "Secret \"jwt\" not found")]);
}

#[test]
fn sizes_follow_the_pattern_and_are_positive() {
    expect(
        "rule-size-pattern",
        "sizes",
        &[
            (Error, "spec.storage.metadataSize", "invalid metadata size \"10GB\""),
            (Error, "spec.storage.contentSize", "invalid content size \"-5Gi\""),
            (Error, "spec.storage.cacheSize", "larger than zero"),
        ],
    );
}

#[test]
fn sizes_fit_a_quantity() {
    expect("rule-size-too-large", "huge", &[(Error, "spec.storage.metadataSize", "too large")]);
}

#[test]
fn replicas_are_zero_or_one() {
    expect("rule-replicas", "replicas", &[(Error, "spec.replicas", "replicas must be 0 or 1")]);
}

#[test]
fn enums_are_checked() {
    expect("rule-enum", "enum", &[(Error, "spec.service.type", "expected one of `ClusterIP`, `NodePort`, `LoadBalancer`")]);
}

#[test]
fn unknown_fields_warn() {
    expect(
        "rule-unknown-field",
        "typo",
        &[(Warning, "spec.storage.cachesize", "unknown field"), (Warning, "spec.metrcis", "unknown field")],
    );
}

#[test]
fn field_types_are_checked() {
    expect("rule-wrong-type", "wrongtype", &[(Error, "spec.nfsPort", "expected a whole number")]);
}

#[test]
fn spec_must_be_an_object() {
    expect("rule-spec-not-object", "spec-string", &[(Error, "spec", "spec must be an object")]);
}

#[test]
fn names_must_leave_room_for_suffixes() {
    let server = "this-name-is-far-too-long-to-fit-into-a-dns-label-with-suffix";
    expect("rule-name-too-long", server, &[(Error, "metadata.name", "use at most 52")]);
}

/// A claim that grows: Kubernetes rejects the StatefulSet, so the previous objects are kept and
/// the error names the PVC to patch (the other edits: `tests/impact.rs`).
#[test]
fn changed_volume_claim_templates_are_an_error_naming_the_pvcs() {
    let got = results("rule-immutable-templates");
    let errors: Vec<_> = got.iter().filter(|r| r.severity == Error).collect();
    assert_eq!(errors.len(), 1, "{got:#?}");
    assert_eq!(errors[0].field.as_ref().map(|f| f.path.as_str()), Some("spec.storage.metadataSize"));
    assert!(errors[0].message.contains("Kubernetes rejects the StatefulSet update"));
    assert!(errors[0].message.contains("kubectl patch pvc metadata-meta-only-0"));
    assert_eq!(errors[0].resource_ref.as_ref().map(|r| r.name.as_str()), Some("meta-only"));
}

#[test]
fn a_floating_image_warns() {
    expect("rule-image-floating", "floating", &[(Warning, "spec.image", "floats")]);
}

#[test]
fn an_image_of_a_release_no_line_covers_is_an_error() {
    expect("rule-image-release-line", "next-line", &[(Error, "spec.image", "is of no release line the function renders for")]);
}

#[test]
fn the_conventional_jwt_secret_absent_warns() {
    expect("rule-jwt-secret-absent", "no-jwt", &[(Warning, "spec.identity.jwt", "Secret \"no-jwt-jwt-secret\" not found")]);
}

#[test]
fn a_short_jwt_secret_is_an_error_that_hides_the_value() {
    let case = "rule-jwt-secret-short";
    expect(case, "short-jwt", &[(Error, "spec.identity.jwt.secretRef.key", "shorter than 32 characters")]);
    assert!(!results(case)[0].message.contains("thirty-one"), "the message must not hold the secret");
}

#[test]
fn a_bcrypt_hash_as_the_admin_password_warns() {
    expect("rule-admin-password-hash", "hashed", &[(Warning, "spec.identity.admin.passwordSecretRef.key", "looks like a bcrypt hash")]);
}

#[test]
fn the_postgres_secret_needs_its_keys_and_no_url() {
    expect(
        "rule-postgres-secret",
        "pg-url",
        &[
            (Warning, "spec.database.postgresSecretRef.name", "missing key \"host\""),
            (Warning, "spec.database.postgresSecretRef.name", "missing key \"database\""),
            (Warning, "spec.database.postgresSecretRef.name", "missing key \"user\""),
            (Warning, "spec.database.postgresSecretRef.key", "holds a connection URL"),
        ],
    );
}

#[test]
fn postgres_without_a_secret_is_an_error() {
    expect("rule-postgres-without-secret", "pg-none", &[(Error, "spec.database.postgresSecretRef", "no database.postgresSecretRef")]);
}

#[test]
fn fields_the_server_ignores_warn() {
    expect(
        "rule-ignored-fields",
        "ignored",
        &[
            (Warning, "spec.identity.admin.username", "admin user is always \"admin\""),
            (Warning, "spec.identity.jwt.issuer", "always issues tokens as \"dittofs\""),
            (Warning, "spec.s3.region", "s3.region \"eu-central-1\" is ignored"),
            (Warning, "spec.smb.maxConnections", "PUT /api/v1/adapters/smb"),
            (Warning, "spec.smb.timeouts", "PUT /api/v1/adapters/smb"),
        ],
    );
}

#[test]
fn state_off_the_volumes_is_an_error() {
    expect(
        "rule-state-off-volume",
        "off-volume",
        &[
            (Error, "spec.database.sqlite.path", "lies on no volume"),
            (Error, "spec.cache.path", "not on the cache volume"),
        ],
    );
}

#[test]
fn smb_limits_keep_their_published_bounds() {
    let ignored = "PUT /api/v1/adapters/smb";
    expect(
        "rule-smb-limits",
        "smb-limits",
        &[
            (Error, "spec.smb.maxConnections", "smb.maxConnections must be at least 0, not -1"),
            (Error, "spec.smb.maxRequestsPerConnection", "smb.maxRequestsPerConnection must be at least 1, not 0"),
            (Error, "spec.smb.credits.minGrant", "smb.credits.minGrant must be at least 1, not 0"),
            (Error, "spec.smb.credits.maxSessionCredits", "smb.credits.maxSessionCredits must be at least 1, not -5"),
            (Warning, "spec.smb.maxConnections", ignored),
            (Warning, "spec.smb.maxRequestsPerConnection", ignored),
            (Warning, "spec.smb.credits", ignored),
        ],
    );
}

#[test]
fn an_empty_storage_class_name_is_an_error() {
    expect("rule-storage-class-empty", "sc-empty", &[(Error, "spec.storage.storageClassName", "storage.storageClassName is empty")]);
}
