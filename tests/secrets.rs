//! No Secret value of the input reaches the output outside its own Secret item, nor stderr, nor
//! the results: S3 credentials (`data` and `stringData`), the JWT signing secret, the admin's
//! initial password and the PostgreSQL connection, in base64 and decoded form.

use crate::support::krm;

use krm::{run, HEADER};

fn b64(s: &str) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in s.as_bytes().chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() { A[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

const S3_KEY_ID: &str = "AKIAEXAMPLEKEYID0001";
const S3_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const S3_ENDPOINT: &str = "https://s3.internal.example:9000/private-endpoint";
const JWT: &str = "jwt-signing-secret-4f9c2e7d1a-5b8e3c6f0d2a";
const ADMIN_PASSWORD: &str = "first-admin-password-N9qo8uLOickgx2";
const PG_USER: &str = "dittofs-pg-user-7731";
const PG_PASSWORD: &str = "hunter2-pg-password";

/// Every form a secret value could leak in: as written and base64-encoded.
fn forms() -> Vec<String> {
    [S3_KEY_ID, S3_SECRET, S3_ENDPOINT, JWT, ADMIN_PASSWORD, PG_USER, PG_PASSWORD]
        .iter()
        .flat_map(|s| [s.to_string(), b64(s)])
        .collect()
}

fn secrets(flow: bool) -> String {
    let s3 = format!(
        "- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s3\n    namespace: prod\n  data:\n    accessKeyId: {}\n    secretAccessKey: {}\n  stringData:\n    endpoint: \"{S3_ENDPOINT}\"\n",
        b64(S3_KEY_ID),
        b64(S3_SECRET)
    );
    let jwt = format!(
        "- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: jwt\n    namespace: prod\n  data:\n    signing: {}\n",
        b64(JWT)
    );
    let admin = format!(
        "- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: admin\n    namespace: prod\n  stringData:\n    password: '{ADMIN_PASSWORD}'\n"
    );
    let pg = if flow {
        format!("- {{apiVersion: v1, kind: Secret, metadata: {{name: pg, namespace: prod}}, stringData: {{host: db.internal, database: dittofs, user: \"{PG_USER}\", password: \"{PG_PASSWORD}\"}}}}\n")
    } else {
        format!("- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: pg\n    namespace: prod\n  stringData:\n    host: db.internal\n    database: dittofs\n    user: \"{PG_USER}\"\n    password: \"{PG_PASSWORD}\"\n")
    };
    format!("{s3}{jwt}{admin}{pg}")
}

fn server(name: &str, metadata_size: &str) -> String {
    format!(
        "- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: {name}\n    namespace: prod\n  spec:\n    storage:\n      metadataSize: {metadata_size}\n    database:\n      type: postgres\n      postgresSecretRef:\n        name: pg\n        key: password\n    identity:\n      jwt:\n        secretRef:\n          name: jwt\n          key: signing\n      admin:\n        passwordSecretRef:\n          name: admin\n          key: password\n    s3:\n      credentialsSecretRef:\n        secretName: s3\n"
    )
}

/// Checks one run: the Secrets' values only inside the Secret items.
fn assert_no_leak(input: &str, expected_code: i32) {
    let answer = run(input.as_bytes());
    answer.assert_no_panic();
    assert_eq!(answer.code, expected_code, "{}\n{}", answer.stderr, answer.stdout);
    for form in forms() {
        assert!(!answer.stderr.contains(&form), "stderr holds a secret ({form}): {}", answer.stderr);
    }
    let results_text = answer.stdout.find("\nresults:\n").map_or("", |i| &answer.stdout[i..]);
    for form in forms() {
        assert!(!results_text.contains(&form), "results hold a secret ({form}): {results_text}");
    }
    let items = answer.items();
    assert!(items.iter().filter(|i| i["kind"] == "Secret").count() == 4, "the Secrets pass through");
    for item in items.iter().filter(|i| i["kind"] != "Secret") {
        let text = item.to_string();
        for form in forms() {
            assert!(!text.contains(&form), "{} {} holds a secret ({form})", item["kind"], item["metadata"]["name"]);
        }
    }
    // The text of the output outside the Secret items, too (not only the parsed values).
    let mut outside = answer.stdout.clone();
    for secret in input.split("\n- ").filter(|t| t.contains("kind: Secret") && !t.starts_with('{')) {
        let secret = secret.trim_start_matches("- ").trim_end();
        outside = outside.replacen(secret, "", 1);
    }
    for form in forms() {
        let flow_pg = input.contains("- {apiVersion: v1, kind: Secret")
            && [PG_USER, PG_PASSWORD].iter().any(|v| form == *v || form == b64(v));
        if !flow_pg {
            assert!(!outside.contains(&form), "the output text holds a secret outside its Secret ({form})");
        }
    }
}

#[test]
fn secrets_stay_in_their_secret_items() {
    let input = format!("{HEADER}{}{}", server("files", "10Gi"), secrets(false));
    assert_no_leak(&input, 0);
    // The values do reach the pod — by reference only.
    let answer = run(input.as_bytes());
    let sts = answer.items().into_iter().find(|i| i["kind"] == "StatefulSet").expect("expanded");
    let env = sts.pointer("/spec/template/spec/containers/0/env").expect("env").to_string();
    for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "DITTOFS_CONTROLPLANE_SECRET", "DITTOFS_ADMIN_INITIAL_PASSWORD", "DITTOFS_DATABASE_POSTGRES_PASSWORD"] {
        assert!(env.contains(name), "{name} in {env}");
    }
    assert!(env.contains("secretKeyRef"));
}

#[test]
fn secrets_stay_out_of_error_results() {
    // An invalid DittoServer: errors and warnings name the Secrets, never their values.
    let input = format!("{HEADER}{}{}", server("broken", "lots"), secrets(false));
    assert_no_leak(&input, 1);
}

#[test]
fn secrets_with_missing_keys_are_reported_by_key_name() {
    let input = format!("{HEADER}{}{}", server("keys", "10Gi"), secrets(false)).replace("key: password\n    identity", "key: pw\n    identity");
    let answer = run(input.as_bytes());
    assert!(answer.results().iter().any(|(_, m, _)| m.contains("Secret \"pg\" missing key \"pw\"")));
    assert_no_leak(&input, 0);
}

#[test]
fn rebuilt_secrets_stay_in_their_items() {
    // A flow-style Secret is rebuilt by the function's writer: still only in its own item.
    let input = format!("{HEADER}{}{}", server("flow", "10Gi"), secrets(true));
    assert_no_leak(&input, 0);
}

#[test]
fn secrets_stay_out_of_stderr_when_the_input_is_refused() {
    // A Secret the function reads but cannot (an unquoted 30-digit value): the results say so
    // without quoting it, and the Secret itself passes through as its text.
    let bad_value = format!(
        "{HEADER}- {{apiVersion: v1, kind: Secret, metadata: {{name: n}}, stringData: {{pin: 123456789012345678901234567890}}}}\n{}",
        "- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: nas\n  spec:\n    storage:\n      metadataSize: 1Gi\n    identity:\n      jwt:\n        secretRef:\n          name: n\n          key: pin\n"
    );
    let answer = run(bad_value.as_bytes());
    answer.assert_no_panic();
    let results = &answer.stdout[answer.stdout.find("\nresults:\n").expect("results")..];
    assert!(results.contains("Could not verify Secret"), "the unreadable Secret is reported: {results}");
    for shown in [results, answer.stderr.as_str()] {
        assert!(!shown.contains("123456789012345678901234567890"), "{shown}");
    }

    // Refused inputs: the message must not quote a Secret (here a second document).

    let two_docs = format!("{HEADER}{}---\n{HEADER}", secrets(false));
    let answer = run(two_docs.as_bytes());
    assert_eq!(answer.code, 2);
    for form in forms() {
        assert!(!answer.stderr.contains(&form), "{}", answer.stderr);
    }
}

/// The DittoServer `nas` with its JWT secret in the Secret `nas-jwt-secret`, whose `data`
/// value is written `encoded` (what follows its key).
fn jwt_list(encoded: &str) -> String {
    format!(
        "{HEADER}- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: nas\n  spec:\n    storage:\n      metadataSize: 1Gi\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: nas-jwt-secret\n  data:\n    jwt-secret:{encoded}"
    )
}

/// `encoded` in a literal block, `width` characters a line.
fn wrapped(encoded: &str, width: usize) -> String {
    let lines: String = encoded.as_bytes().chunks(width).map(|line| format!("      {}\n", String::from_utf8_lossy(line))).collect();
    format!(" |\n{lines}")
}

#[test]
fn base64_wrapped_over_lines_is_decoded_as_kubernetes_decodes_it() {
    // `base64` wraps at 76 columns; the API server's decoder ignores the line breaks.
    let long = b64(&"a-jwt-signing-secret-long-enough-".repeat(3));
    assert!(long.len() > 76);
    let hash = |answer: &krm::Answer| {
        let sts = answer.items().into_iter().find(|i| i["kind"] == "StatefulSet").expect("expanded");
        sts["spec"]["template"]["metadata"]["annotations"]["dittofs.io/config-hash"].clone()
    };
    let one_line = run(jwt_list(&format!(" {long}\n")).as_bytes());
    assert_eq!(one_line.code, 0, "{:#?}", one_line.results());
    let answer = run(jwt_list(&wrapped(&long, 76)).as_bytes());
    assert_eq!(answer.code, 0, "{:#?}", answer.results());
    assert!(!answer.results().iter().any(|(_, m, _)| m.contains("nas-jwt-secret")), "{:#?}", answer.results());
    assert_eq!(hash(&answer), hash(&one_line), "the config hash reads the Secret's data");
    // A wrapped secret too short for the server is found so.
    let answer = run(jwt_list(&wrapped(&b64("short-secret"), 8)).as_bytes());
    assert_eq!(answer.code, 1, "{}", answer.stdout);
    assert!(answer.results().iter().any(|(s, m, _)| s == "error" && m.contains("is shorter than 32 characters")), "{:#?}", answer.results());
}
