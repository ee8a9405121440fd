//! Bad input, one case each, through the real binary: the exit code, no panic, and the words
//! that tell the user what is wrong, where, and what to do.

use crate::support::krm;

use krm::{run, server_list, Answer, HEADER};
use serde_json::{json, Value};

/// Exit 2 with a message on stderr holding every word of `words`, and nothing on stdout.
fn assert_rejected(answer: &Answer, words: &[&str]) {
    answer.assert_no_panic();
    assert_eq!(answer.code, 2, "exit code; stderr: {}", answer.stderr);
    assert!(answer.stdout.is_empty(), "no ResourceList is written: {}", answer.stdout);
    assert!(answer.stderr.starts_with("dittofs-krm: "), "{}", answer.stderr);
    for w in words {
        assert!(answer.stderr.contains(w), "stderr lacks {w:?}: {}", answer.stderr);
    }
}

/// Exit 1 with an error result at `path` whose message holds every word of `words`.
fn assert_error_result(answer: &Answer, path: Option<&str>, words: &[&str]) {
    answer.assert_no_panic();
    assert_eq!(answer.code, 1, "exit code; stderr: {}\n{}", answer.stderr, answer.stdout);
    let results = answer.results();
    let found = results.iter().find(|(severity, message, p)| {
        severity == "error" && p.as_deref() == path && words.iter().all(|w| message.contains(w))
    });
    assert!(found.is_some(), "no error result at {path:?} with {words:?}; results: {results:#?}");
}

fn list(items: &str) -> String {
    format!("{HEADER}{items}")
}

// --- the input as a whole (exit 2) ---------------------------------------------------------

#[test]
fn empty_stdin() {
    assert_rejected(&run(b""), &["input is empty", "ResourceList", "stdin"]);
}

#[test]
fn blank_stdin() {
    assert_rejected(&run(b"  \n\n  # only a comment\n"), &["input is empty", "ResourceList"]);
}

#[test]
fn not_yaml() {
    assert_rejected(&run(b"apiVersion: [config\nkind: ResourceList\n"), &["not valid YAML", "line 2"]);
}

#[test]
fn not_utf8() {
    assert_rejected(&run(b"apiVersion: config.kubernetes.io/v1\nkind: \xff\xfe\n"), &["cannot read stdin", "UTF-8"]);
}

#[test]
fn yaml_that_is_a_scalar() {
    assert_rejected(&run(b"just some words\n"), &["not a ResourceList", "not a mapping", "kind: ResourceList"]);
}

#[test]
fn yaml_that_is_a_list() {
    assert_rejected(&run(b"- a\n- b\n"), &["not a ResourceList", "not a mapping"]);
}

#[test]
fn yaml_of_another_kind() {
    let input = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
    assert_rejected(&run(input.as_bytes()), &["not a ResourceList", "its kind is \"ConfigMap\"", "kind: ResourceList"]);
}

#[test]
fn resource_list_of_another_api_version() {
    let input = "apiVersion: v2\nkind: ResourceList\nitems: []\n";
    assert_rejected(&run(input.as_bytes()), &["its apiVersion is \"v2\"", "config.kubernetes.io/v1"]);
}

#[test]
fn resource_list_without_items() {
    let input = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";
    assert_rejected(&run(input.as_bytes()), &["it has no `items`"]);
}

#[test]
fn items_a_scalar() {
    let input = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: 5\n";
    assert_rejected(&run(input.as_bytes()), &["`items` (line 3) is not a list"]);
}

#[test]
fn items_a_mapping() {
    let input = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n  a: 1\n";
    assert_rejected(&run(input.as_bytes()), &["`items` (line 4) is not a list"]);
}

#[test]
fn item_a_scalar() {
    assert_rejected(&run(list("- hello\n").as_bytes()), &["item 0 of `items` (line 4) is not an object", "Kubernetes resource"]);
}

#[test]
fn no_line_break_at_the_end() {
    // A block scalar that ends the input has no final line break in its value; the output
    // (which ends every item with one) must not add it.
    let input = list("- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    text: |\n      last line");
    let answer = run(input.as_bytes());
    answer.assert_no_panic();
    assert_eq!(answer.code, 0, "{}", answer.stderr);
    assert_eq!(answer.items()[0]["data"]["text"], "last line");
    let plain = list("- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a # kept as text\n  data:\n    k: v");
    let answer = run(plain.as_bytes());
    assert!(answer.stdout.contains("name: a # kept as text\n  data:\n    k: v\n"), "{}", answer.stdout);
}

#[test]
fn no_line_break_at_the_end_of_an_item_the_value_builder_refuses() {
    // The item holds a local tag, which the function never reads: it stays text, its last block
    // scalar written with the strip indicator so that the output's line break adds nothing.
    // Read back by serde_yaml, not by the function's own reader.
    let item = "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a # comment\n  ref: !Ref x\n  data:\n    text: |\n      last line";
    let answer = run(list(item).as_bytes());
    assert_eq!(answer.code, 0, "{}", answer.stderr);
    assert!(answer.stdout.contains(&format!("{}\n", item.replace("text: |", "text: |-"))), "{}", answer.stdout);
    let output: serde_yaml::Value = serde_yaml::from_str(&answer.stdout).expect("the output is YAML");
    let input: serde_yaml::Value = serde_yaml::from_str(&list(item)).expect("the input is YAML");
    assert_eq!(output["items"][0]["data"]["text"], serde_yaml::Value::from("last line"));
    assert_eq!(output["items"][0], input["items"][0]);
    for chomp in ["|+", ">", "|2"] {
        let item = item.replace("|", chomp).replace("      last", "       last");
        let input: serde_yaml::Value = serde_yaml::from_str(&list(&item)).expect("the input is YAML");
        let answer = run(list(&item).as_bytes());
        let output: serde_yaml::Value = serde_yaml::from_str(&answer.stdout).expect("the output is YAML");
        assert_eq!(output["items"][0], input["items"][0], "{chomp}\n{}", answer.stdout);
    }
}

#[test]
fn multiple_documents() {
    let input = format!("{}---\n{}", list("[]\n"), list("[]\n"));
    let input = input.replace("items:\n[]", "items: []");
    assert_rejected(&run(input.as_bytes()), &["more than one YAML document", "send one ResourceList"]);
}

#[test]
fn an_empty_document_after_the_resource_list_is_none() {
    // `---` at the end, as some tools write after every document: kubectl and kyaml skip it.
    let item = "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n";
    // The second form's alias across items makes the function read the whole document as a value.
    let aliased = "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: &n a\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n  data:\n    k: *n\n";
    for input in [
        format!("{}---\n", list(item)),
        format!("{}---\n# nothing more\n...\n", list(item)),
        format!("---\n{}---\n", list(aliased)),
    ] {
        let answer = run(input.as_bytes());
        assert_eq!(answer.code, 0, "{input}\n{}", answer.stderr);
        let output: serde_yaml::Value = serde_yaml::from_str(&answer.stdout).expect("the output is YAML");
        assert_eq!(output["items"][0]["metadata"]["name"], serde_yaml::Value::from("a"), "{}", answer.stdout);
    }
    // A second document that holds something is still one too many.
    let input = format!("{}---\nnull\n", list(item));
    assert_rejected(&run(input.as_bytes()), &["more than one YAML document"]);
}

#[test]
fn deep_flow_nesting() {
    let depth = 100_000;
    let input = list(&format!("- apiVersion: v1\n  kind: ConfigMap\n  metadata: {{name: deep}}\n  data: {}{}\n", "[".repeat(depth), "]".repeat(depth)));
    assert_rejected(&run(input.as_bytes()), &["line 7", "nested too deeply"]);
}

// --- items that are not Kubernetes resources (exit 1, the items pass through) ---------------

#[test]
fn item_without_api_version() {
    let answer = run(list("- kind: ConfigMap\n  metadata:\n    name: a\n").as_bytes());
    assert_error_result(&answer, Some("apiVersion"), &["the ConfigMap item has no apiVersion", "apiVersion, kind and metadata.name"]);
    assert_eq!(answer.items().len(), 1, "the item passes through");
}

#[test]
fn item_without_kind() {
    let answer = run(list("- apiVersion: v1\n  kind: ~\n  metadata:\n    name: a\n").as_bytes());
    assert_error_result(&answer, Some("kind"), &["an item has no kind"]);
}

#[test]
fn item_without_name() {
    let answer = run(list("- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    namespace: x\n").as_bytes());
    assert_error_result(&answer, Some("metadata.name"), &["the ConfigMap item has no metadata.name"]);
}

#[test]
fn item_without_anything() {
    let answer = run(list("- {}\n").as_bytes());
    assert_error_result(&answer, Some("apiVersion"), &["an item has no apiVersion, kind, metadata.name"]);
}

#[test]
fn duplicate_items() {
    let cm = "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n    namespace: ns\n";
    let other_ns = "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n    namespace: other\n";
    let answer = run(list(&format!("{cm}{other_ns}{cm}")).as_bytes());
    assert_error_result(&answer, None, &["ConfigMap \"a\" in namespace \"ns\" appears twice", "remove one of them"]);
    assert_eq!(answer.results().len(), 1, "the same name in another namespace is no duplicate");
}

#[test]
fn duplicate_dittoservers_expand_to_nothing() {
    let spec = "    storage:\n      metadataSize: 1Gi\n";
    let twin = format!("- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: twin\n  spec:\n{spec}");
    let answer = run(server_list("twin", spec, &twin).as_bytes());
    assert_error_result(&answer, None, &["DittoServer \"twin\" appears twice", "remove one"]);
    assert!(answer.items().iter().all(|i| i["kind"] == "DittoServer"), "no object is generated for a duplicated name");
}

#[test]
fn generated_name_taken_by_another_item() {
    let taken = "- apiVersion: v1\n  kind: Service\n  metadata:\n    name: web-api\n";
    let answer = run(server_list("web", "    storage:\n      metadataSize: 1Gi\n", taken).as_bytes());
    assert_error_result(
        &answer,
        Some("metadata.name"),
        &["generates Service \"web-api\"", "the input already has a Service of that name", "rename the DittoServer or remove that item"],
    );
    assert_eq!(answer.items().len(), 2, "nothing is generated");
}

// --- DittoServer specs ---------------------------------------------------------------------

#[test]
fn spec_a_string() {
    let input = list("- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: s\n  spec: big and fast\n");
    assert_error_result(&run(input.as_bytes()), Some("spec"), &["spec must be an object", "not a scalar or list"]);
}

#[test]
fn spec_missing() {
    let input = list("- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: s\n");
    assert_error_result(&run(input.as_bytes()), Some("spec"), &["storage.metadataSize is required", "has no spec"]);
}

/// A spec, written as JSON (which is YAML) on the line below `spec:`, with `value` put at the
/// dotted `path` on top of the one required field.
fn spec_with(path: &str, value: Value) -> String {
    let mut spec = json!({"storage": {"metadataSize": "1Gi"}});
    let mut at = &mut spec;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !at.is_object() {
            *at = json!({});
        }
        let map = at.as_object_mut().expect("object");
        if i + 1 == parts.len() {
            map.insert(part.to_string(), value.clone());
            break;
        }
        at = map.entry(part.to_string()).or_insert_with(|| json!({}));
    }
    format!("    {spec}\n")
}

#[test]
fn wrong_type_in_every_spec_field() {
    let table: &[(&str, Value, &str)] = &[
        ("image", json!(5), "expected a string"),
        ("image", json!(["a"]), "expected a string"),
        ("replicas", json!("one"), "expected a whole number"),
        ("replicas", json!(1.5), "expected a whole number"),
        ("storage", json!("big"), "invalid type"),
        ("storage.metadataSize", json!(10), "expected a string"),
        ("storage.contentSize", json!(true), "expected a string"),
        ("storage.cacheSize", json!({}), "expected a string"),
        ("storage.storageClassName", json!(7), "expected a string"),
        ("database", json!("sqlite"), "invalid type"),
        ("database.type", json!("mysql"), "unknown variant `mysql`, expected `sqlite` or `postgres`"),
        ("database.type", json!(3), "invalid type"),
        ("database.sqlite", json!("x"), "invalid type"),
        ("database.sqlite.path", json!(1), "expected a string"),
        ("database.postgresSecretRef", json!("pg"), "invalid type"),
        ("database.postgresSecretRef.name", json!(1), "invalid type"),
        ("cache", json!(1), "invalid type"),
        ("cache.path", json!([]), "expected a string"),
        ("cache.size", json!({}), "expected a string"),
        ("metrics", json!(true), "invalid type"),
        ("metrics.enabled", json!("yes"), "expected true or false"),
        ("metrics.port", json!("9090x"), "expected a whole number"),
        ("controlPlane", json!([]), "invalid type"),
        ("controlPlane.port", json!("http"), "expected a whole number"),
        ("identity", json!("x"), "invalid type"),
        ("identity.type", json!("ldap"), "unknown variant `ldap`, expected `memory`"),
        ("identity.jwt", json!(1), "invalid type"),
        ("identity.jwt.secretRef", json!("s"), "invalid type"),
        ("identity.jwt.accessTokenDuration", json!(15), "expected a string"),
        ("identity.jwt.refreshTokenDuration", json!([]), "expected a string"),
        ("identity.jwt.issuer", json!({}), "expected a string"),
        ("identity.admin", json!(1), "invalid type"),
        ("identity.admin.username", json!([]), "expected a string"),
        ("identity.admin.passwordSecretRef", json!("x"), "invalid type"),
        ("service", json!("x"), "invalid type"),
        ("service.type", json!("Ingress"), "unknown variant `Ingress`"),
        ("service.annotations", json!(["a"]), "invalid type"),
        ("service.annotations.team", json!(true), "expected a string"),
        ("nfsPort", json!("2049"), "expected a whole number"),
        ("smb", json!(1), "invalid type"),
        ("smb.enabled", json!("on"), "expected true or false"),
        ("smb.port", json!(false), "expected a whole number"),
        ("smb.maxConnections", json!("many"), "expected a whole number"),
        ("smb.maxRequestsPerConnection", json!([]), "expected a whole number"),
        ("smb.timeouts", json!("5m"), "invalid type"),
        ("smb.timeouts.read", json!(5), "expected a string"),
        ("smb.timeouts.write", json!([]), "expected a string"),
        ("smb.timeouts.idle", json!({}), "expected a string"),
        ("smb.timeouts.shutdown", json!(true), "expected a string"),
        ("smb.credits", json!([]), "invalid type"),
        ("smb.credits.strategy", json!("random"), "unknown variant `random`"),
        ("smb.credits.minGrant", json!("16"), "expected a whole number"),
        ("smb.credits.maxGrant", json!(1.5), "expected a whole number"),
        ("smb.credits.initialGrant", json!([]), "expected a whole number"),
        ("smb.credits.maxSessionCredits", json!({}), "expected a whole number"),
        ("smb.metricsLogInterval", json!(5), "expected a string"),
        ("s3", json!("bucket"), "invalid type"),
        ("s3.credentialsSecretRef", json!("x"), "invalid type"),
        ("s3.credentialsSecretRef.secretName", json!(1), "expected a string"),
        ("s3.credentialsSecretRef.accessKeyIdKey", json!([]), "expected a string"),
        ("s3.credentialsSecretRef.secretAccessKeyKey", json!({}), "expected a string"),
        ("s3.credentialsSecretRef.endpointKey", json!(true), "expected a string"),
        ("s3.region", json!(1), "expected a string"),
        ("s3.bucket", json!([]), "expected a string"),
        ("resources", json!("lots"), "invalid type"),
        ("resources.limits", json!("x"), "invalid type"),
        ("securityContext", json!("x"), "invalid type"),
        ("securityContext.runAsUser", json!("root"), "invalid type"),
        ("podSecurityContext", json!(1), "invalid type"),
        ("podSecurityContext.fsGroup", json!("x"), "invalid type"),
    ];
    let mut wrong = Vec::new();
    for (path, value, words) in table {
        let input = server_list("typed", &spec_with(path, value.clone()), "");
        let answer = run(input.as_bytes());
        answer.assert_no_panic();
        let full = format!("spec.{path}");
        let reported = answer.code == 1
            && answer.results().iter().any(|(severity, message, p)| {
                severity == "error" && p.as_deref() == Some(full.as_str()) && message.starts_with(&format!("{full}: ")) && message.contains(words)
            });
        if !reported || answer.items().len() != 1 {
            wrong.push(format!("{path} = {value}: exit {}, results {:?}", answer.code, answer.results()));
        }
    }
    assert!(wrong.is_empty(), "not reported as a type error at the field:\n{}", wrong.join("\n"));
}

#[test]
fn huge_integer() {
    let answer = run(server_list("huge", "    replicas: 99999999999999999999999\n    storage:\n      metadataSize: 1Gi\n", "").as_bytes());
    // The DittoServer starts on line 4 of the input, `replicas` is on line 9, column 15: line
    // 6, column 13 of the item's own text (whose indentation is its column 1).
    assert_error_result(&answer, None, &["line 6, column 13 of its text", "spec.replicas: an integer that does not fit in 64 bits"]);
}

#[test]
fn integer_beyond_32_bits() {
    let answer = run(server_list("big", "    nfsPort: 4294967296\n    storage:\n      metadataSize: 1Gi\n", "").as_bytes());
    assert_error_result(&answer, Some("spec.nfsPort"), &["spec.nfsPort", "4294967296", "expected a whole number"]);
}

#[test]
fn a_flow_item_the_function_does_not_read_passes_through_whatever_it_holds() {
    let item = "- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: {n: 123456789012345678901234567890, n: .inf}}\n";
    let input = list(&format!("- apiVersion: v1\n  kind: ConfigMap\n  metadata: {{name: a}}\n{item}"));
    let answer = run(input.as_bytes());
    answer.assert_no_panic();
    assert_eq!(answer.code, 0, "{}", answer.stderr);
    assert!(answer.stdout.contains(item), "the item is copied as its text: {}", answer.stdout);
}

/// A flow item the function reads: its value's error is an error result, placed in its text.
#[test]
fn error_in_a_flow_dittoserver_is_an_error_result_placed_in_its_text() {
    let input = list("- {apiVersion: dittofs.dittofs.com/v1alpha1, kind: DittoServer, metadata: {name: a}, spec: {replicas: 123456789012345678901234567890}}\n");
    let answer = run(input.as_bytes());
    assert_error_result(&answer, None, &["not valid YAML", "does not fit in 64 bits", "of its text"]);
}

#[test]
fn huge_float() {
    let answer = run(server_list("inf", "    replicas: 1e999\n    storage:\n      metadataSize: 1Gi\n", "").as_bytes());
    assert_error_result(&answer, Some("spec.replicas"), &["spec.replicas", "expected a whole number"]);
}

#[test]
fn huge_size() {
    let answer = run(server_list("huge", "    storage:\n      metadataSize: 99999999999999999999Gi\n", "").as_bytes());
    assert_error_result(&answer, Some("spec.storage.metadataSize"), &["invalid metadata size \"99999999999999999999Gi\"", "too large"]);
}

#[test]
fn size_just_beyond_a_quantity() {
    // 2^33 Gi = 2^63 bytes: one more than a Kubernetes quantity holds.
    let answer = run(server_list("big", "    storage:\n      metadataSize: 8589934592Gi\n", "").as_bytes());
    assert_error_result(&answer, Some("spec.storage.metadataSize"), &["too large for a Kubernetes quantity"]);
}

#[test]
fn negative_sizes() {
    for field in ["metadataSize", "contentSize", "cacheSize"] {
        let storage = if field == "metadataSize" { String::new() } else { "      metadataSize: 1Gi\n".to_string() };
        let spec = format!("    storage:\n{storage}      {field}: -5Gi\n");
        let answer = run(server_list("neg", &spec, "").as_bytes());
        let path = format!("spec.storage.{field}");
        assert_error_result(&answer, Some(&path), &["size \"-5Gi\"", "whole number followed by Mi, Gi or Ti", "e.g. \"10Gi\""]);
    }
}

#[test]
fn zero_size() {
    let answer = run(server_list("zero", "    storage:\n      metadataSize: 0Gi\n", "").as_bytes());
    assert_error_result(&answer, Some("spec.storage.metadataSize"), &["larger than zero"]);
}

#[test]
fn negative_numbers() {
    let answer = run(server_list("neg", "    replicas: -1\n    nfsPort: -2049\n    storage:\n      metadataSize: 1Gi\n", "").as_bytes());
    assert_error_result(&answer, Some("spec.replicas"), &["replicas must be 0 or 1, not -1"]);
    assert_error_result(&answer, Some("spec.nfsPort"), &["nfsPort must be between 1 and 65535"]);
}

// --- names -----------------------------------------------------------------------------------

#[test]
fn longest_name_fits() {
    // `<name>-headless` must be a DNS label (63), and the StatefulSet's pods need `<name>-` plus
    // a 10-character revision hash: 52 is the longest name both allow.
    let name = "a".repeat(52);
    let answer = run(server_list(&name, "    storage:\n      metadataSize: 1Gi\n", "").as_bytes());
    answer.assert_no_panic();
    assert_eq!(answer.code, 0, "{}", answer.stdout);
    let headless = format!("{name}-headless");
    assert!(headless.len() <= 63);
    assert!(answer.items().iter().any(|i| i["metadata"]["name"] == headless.as_str()));
}

#[test]
fn name_one_too_long() {
    let name = "a".repeat(53);
    let answer = run(server_list(&name, "    storage:\n      metadataSize: 1Gi\n", "").as_bytes());
    assert_error_result(&answer, Some("metadata.name"), &["is 53 characters long", "use at most 52", "<name>-headless"]);
    assert_eq!(answer.items().len(), 1);
}

#[test]
fn very_long_name() {
    let name = "n".repeat(100_000);
    let answer = run(server_list(&name, "    storage:\n      metadataSize: 1Gi\n", "").as_bytes());
    assert_error_result(&answer, Some("metadata.name"), &["is 100000 characters long", "use at most 52"]);
}

#[test]
fn unicode_name() {
    let answer = run(server_list("dïttö-ñfs", "    storage:\n      metadataSize: 1Gi\n", "").as_bytes());
    assert_error_result(&answer, Some("metadata.name"), &["\"dïttö-ñfs\" cannot name the generated Services", "lowercase letters, digits and '-'"]);
}

#[test]
fn unicode_name_longer_in_bytes_than_in_characters() {
    // 30 characters, 60 bytes: the limit counts what Kubernetes counts, and either way it is no
    // DNS label.
    let name = "é".repeat(30);
    let answer = run(server_list(&name, "    storage:\n      metadataSize: 1Gi\n", "").as_bytes());
    assert_error_result(&answer, Some("metadata.name"), &["cannot name the generated Services"]);
}

#[test]
fn unicode_elsewhere_passes_through() {
    let cm = "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: ünï\n  data:\n    greeting: \"こんにちは 👋\"\n";
    let spec = "    storage:\n      metadataSize: 1Gi\n    service:\n      annotations:\n        note: \"日本語 ✓\"\n";
    let answer = run(server_list("uni", spec, cm).as_bytes());
    answer.assert_no_panic();
    assert_eq!(answer.code, 0, "{}", answer.stdout);
    assert!(answer.stdout.contains("    name: ünï\n  data:\n    greeting: \"こんにちは 👋\"\n"), "copied as written");
    let file = answer.items().into_iter().find(|i| i["metadata"]["name"] == "uni-file").expect("the -file Service");
    assert_eq!(file["metadata"]["annotations"]["note"], "日本語 ✓");
}

// --- anchors, aliases, merge keys -------------------------------------------------------------

#[test]
fn anchors_aliases_and_merge_keys_inside_one_item() {
    let spec = "    storage: &sizes\n      metadataSize: 2Gi\n      cacheSize: 2Gi\n    x-ports: &ports {port: 9100}\n    metrics:\n      <<: *ports\n      enabled: true\n";
    let answer = run(server_list("anchored", spec, "").as_bytes());
    answer.assert_no_panic();
    let sts = answer.items().into_iter().find(|i| i["kind"] == "StatefulSet").expect("expanded");
    let ports = sts.pointer("/spec/template/spec/containers/0/ports").expect("ports").to_string();
    assert!(ports.contains("9100"), "the merged metrics port is used: {ports}");
    let warnings = answer.results();
    assert!(warnings.iter().any(|(_, m, _)| m.contains("unknown field spec.x-ports")), "{warnings:?}");
}

#[test]
fn name_from_an_alias_inside_one_item() {
    let cm = "- apiVersion: v1\n  kind: ConfigMap\n  data:\n    who: &n shared-name\n  metadata:\n    name: *n\n";
    let answer = run(list(cm).as_bytes());
    answer.assert_no_panic();
    assert_eq!(answer.code, 0, "the aliased name is a name: {}", answer.stdout);
}

/// The `file.path` of every result.
fn result_files(answer: &Answer) -> Vec<String> {
    let output = dittofs_krm::yaml::parse_value(&answer.stdout, dittofs_krm::yaml::Schema::Yaml12).expect("the output is YAML");
    let results = output.get("results").and_then(Value::as_array).cloned().unwrap_or_default();
    results.iter().filter_map(|r| r.pointer("/file/path").and_then(Value::as_str).map(str::to_string)).collect()
}

#[test]
fn an_empty_path_reads_as_empty_with_an_alias_in_the_item() {
    // An item holding an alias once had its header read from its value, where `path:` became
    // "null": its results named a file `null`, and the next run, on the output (the alias
    // resolved), named "".
    let items = "- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: nas\n    annotations:\n      config.kubernetes.io/path:\n      config.kubernetes.io/index: '0'\n  spec:\n    storage:\n      metadataSize: &size 1Gi\n      cacheSize: *size\n";
    let first = run(list(items).as_bytes());
    first.assert_no_panic();
    assert_eq!(first.code, 0, "{}", first.stderr);
    let files = result_files(&first);
    assert!(!files.is_empty() && files.iter().all(String::is_empty), "{files:?}");
    let second = run(first.stdout.as_bytes());
    assert_eq!(result_files(&second), files, "the same file on the next run");
}

#[test]
fn a_number_like_name_reads_as_written_with_an_alias_in_the_item() {
    // `0x1F` once read as 31 in an item holding an alias, a duplicate of the ConfigMap "31".
    let items = "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: 0x1F\n  data:\n    a: &x y\n    b: *x\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: \"31\"\n";
    let answer = run(list(items).as_bytes());
    answer.assert_no_panic();
    assert_eq!(answer.code, 0, "{}", answer.stdout);
    // The name is `0x1F`, quoted or not.
    let twice = format!("{items}- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: '0x1F'\n");
    assert_error_result(&run(list(&twice).as_bytes()), None, &["ConfigMap \"0x1F\" appears twice"]);
}

#[test]
fn metadata_aliased_across_items() {
    let items = "- apiVersion: v1\n  kind: ConfigMap\n  metadata: &meta\n    name: same\n    namespace: ns\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: *meta\n";
    let answer = run(list(items).as_bytes());
    assert_error_result(&answer, None, &["ConfigMap \"same\" in namespace \"ns\" appears twice"]);
}

#[test]
fn merge_key_across_items() {
    let items = "- apiVersion: v1\n  kind: ConfigMap\n  metadata: &meta\n    name: base\n    labels: {team: a}\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    <<: *meta\n    name: derived\n";
    let answer = run(list(items).as_bytes());
    answer.assert_no_panic();
    assert_eq!(answer.code, 0, "{}", answer.stdout);
    let items = answer.items();
    assert_eq!(items[1]["metadata"], json!({"name": "derived", "labels": {"team": "a"}}), "merged, own keys win");
}

#[test]
fn dittoserver_spec_from_another_item() {
    let items = "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: defaults\n  data: &spec\n    storage:\n      metadataSize: 3Gi\n- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: shared\n  spec: *spec\n";
    let answer = run(list(items).as_bytes());
    answer.assert_no_panic();
    assert_eq!(answer.code, 0, "{}", answer.stdout);
    assert!(answer.stdout.contains("storage: 3Gi"), "the aliased spec is expanded");
}

// --- functionConfig ---------------------------------------------------------------------------

#[test]
fn function_config_of_the_wrong_kind() {
    let input = format!("{}functionConfig:\n  apiVersion: v1\n  kind: Secret\n  metadata:\n    name: cfg\n", list("[]\n").replace("items:\n[]", "items: []"));
    let answer = run(input.as_bytes());
    assert_error_result(
        &answer,
        Some("functionConfig"),
        &["functionConfig has apiVersion \"v1\" and kind \"Secret\"", "use a ConfigMap", "fn.dittofs.com/v1alpha1", "DittoServerExpansion"],
    );
}

#[test]
fn function_config_with_an_unknown_key() {
    let cm = "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: keep\n";
    let input = format!("{}functionConfig:\n  apiVersion: fn.dittofs.com/v1alpha1\n  kind: DittoServerExpansion\n  metadata:\n    name: cfg\n  storageClassChek: strict\n", list(cm));
    let answer = run(input.as_bytes());
    assert_error_result(&answer, Some("functionConfig.storageClassChek"), &["unknown functionConfig key \"storageClassChek\"", "known keys: storageClassCheck"]);
    assert!(answer.stdout.contains(cm), "the items pass through untouched");
}

#[test]
fn function_config_map_with_an_unknown_key() {
    let input = format!("{}functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cfg\n  data:\n    strict: \"true\"\n", list("[]\n").replace("items:\n[]", "items: []"));
    assert_error_result(&run(input.as_bytes()), Some("functionConfig.data.strict"), &["unknown functionConfig key \"strict\"", "known keys: storageClassCheck"]);
}

#[test]
fn function_config_with_a_bad_value() {
    let input = format!("{}functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cfg\n  data:\n    storageClassCheck: loud\n", list("[]\n").replace("items:\n[]", "items: []"));
    assert_error_result(&run(input.as_bytes()), Some("functionConfig.data.storageClassCheck"), &["storageClassCheck is \"loud\"", "strict, warn, off"]);
}

// --- size --------------------------------------------------------------------------------------

/// A ResourceList of about `megabytes` MB: ConfigMaps, one DittoServer in a thousand items and
/// a Secret it references, all block style as kpt and kustomize write them.
fn large_list(megabytes: usize) -> String {
    let target = megabytes * 1_000_000;
    let mut out = String::with_capacity(target + 4096);
    out.push_str(HEADER);
    let filler = "x".repeat(200);
    let mut i = 0usize;
    while out.len() < target {
        if i % 1000 == 0 {
            out.push_str(&format!(
                "- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: server-{i}\n    namespace: ns\n  spec:\n    storage:\n      metadataSize: 10Gi\n    identity:\n      jwt:\n        secretRef:\n          name: jwt-{i}\n          key: token\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: jwt-{i}\n    namespace: ns\n  stringData:\n    token: a-jwt-signing-secret-of-32-characters-{i}\n"
            ));
        } else {
            out.push_str(&format!("- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-{i}\n    namespace: ns\n  data:\n    key: value-{i}-{filler}\n"));
        }
        i += 1;
    }
    // Flow style is parsed item by item, not as a whole document: it must not cost more.
    out.push_str("- {apiVersion: v1, kind: ConfigMap, metadata: {name: flow, namespace: ns}, data: {k: v}}\n");
    out.push_str("- {apiVersion: dittofs.dittofs.com/v1alpha1, kind: DittoServer, metadata: {name: flow, namespace: ns}, spec: {storage: {metadataSize: 1Gi}}}\n");
    out
}

/// Runs the binary and measures it: exit code, output length, peak resident memory (bytes, from
/// the kernel's accounting of that one child) and elapsed time.
// The child is reaped by wait4 (which also returns its rusage), not by std's Child::wait.
#[allow(clippy::zombie_processes)]
fn measure(input: &str) -> (i32, usize, u64, std::time::Duration) {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let started = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dittofs-krm"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dittofs-krm starts");
    let pid = child.id() as libc::pid_t;
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = child.stdout.take().expect("stdout");
    let written = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(written.as_bytes()));
    let reader = std::thread::spawn(move || {
        let mut sink = Vec::new();
        stdout.read_to_end(&mut sink).map(|_| sink.len())
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 writes into both out-parameters
    // for this child only (std's Child is never waited on, so the pid is not reaped twice).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    let elapsed = started.elapsed();
    writer.join().expect("writer").expect("stdin written");
    let out_len = reader.join().expect("reader").expect("stdout read");
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    // Linux reports ru_maxrss in kilobytes.
    (code, out_len, usage.ru_maxrss as u64 * 1024, elapsed)
}

#[test]
fn large_input_in_bounded_memory() {
    // 100 MB in the release build (`make test`); a debug build runs 20 MB, same bound.
    let (small_mb, large_mb) = if cfg!(debug_assertions) { (2, 20) } else { (10, 100) };
    let mut figures = Vec::new();
    for mb in [small_mb, large_mb] {
        let input = large_list(mb);
        let (code, out_len, peak, elapsed) = measure(&input);
        assert_eq!(code, 0, "{mb} MB: exit code");
        assert!(out_len > input.len(), "{mb} MB: the output holds every item and the generated objects");
        // The bound is for the large input; in the small one the program's own few MB count.
        let ratio = peak as f64 / input.len() as f64;
        assert!(mb == small_mb || ratio < 6.0, "{mb} MB input: peak RSS {} MB is {ratio:.1} times the input", peak / 1_000_000);
        figures.push((mb, peak, elapsed));
    }
    // Time is reported, not asserted (the machine is shared); run with --nocapture to see it.
    let [(s_mb, s_peak, s_time), (l_mb, l_peak, l_time)] = figures[..] else { unreachable!() };
    eprintln!(
        "{s_mb} MB: {:.2} s, peak {} MB; {l_mb} MB: {:.2} s, peak {} MB; time ratio {:.1} for {}x the input",
        s_time.as_secs_f64(),
        s_peak / 1_000_000,
        l_time.as_secs_f64(),
        l_peak / 1_000_000,
        l_time.as_secs_f64() / s_time.as_secs_f64(),
        l_mb / s_mb
    );
}

// --- results a user sees in every client ---------------------------------------------------

#[test]
fn error_results_go_to_stderr_in_kpts_form_and_only_on_an_error_exit() {
    let bad = server_list("nas", "    replicas: 3\n    storage:\n      metadataSize: 1Gi\n", "");
    let answer = run(bad.as_bytes());
    assert_error_result(&answer, Some("spec.replicas"), &["replicas must be 0 or 1, not 3"]);
    let lines: Vec<&str> = answer.stderr.lines().collect();
    assert_eq!(lines, ["[error] dittofs.dittofs.com/v1alpha1/DittoServer/nas spec.replicas: replicas must be 0 or 1, not 3"], "errors only");
    // Warnings alone: exit 0, and stderr stays empty (kpt shows the results itself).
    let warned = server_list("nas", "    storage:\n      metadataSize: 1Gi\n", "");
    let answer = run(warned.as_bytes());
    assert_eq!(answer.code, 0, "{}", answer.stderr);
    assert!(answer.results().iter().any(|(s, _, _)| s == "warning"));
    assert_eq!(answer.stderr, "");
}

// --- nothing passed through in silence ------------------------------------------------------

#[test]
fn a_ditto_server_of_another_version_is_an_error_and_passes_through() {
    for api_version in ["dittofs.dittofs.com/v1beta1", "dittofs.dittofs.com/v1", "dittofs.dittofs.com"] {
        let input = list(&format!(
            "- apiVersion: {api_version}\n  kind: DittoServer\n  metadata:\n    name: nas\n    namespace: ns\n  spec:\n    storage:\n      metadataSize: 1Gi\n"
        ));
        let answer = run(input.as_bytes());
        assert_error_result(&answer, Some("apiVersion"), &[api_version, "not supported", "dittofs.dittofs.com/v1alpha1"]);
        let items = answer.items();
        assert_eq!(items.len(), 1, "nothing is generated, and the item stays: {}", answer.stdout);
        assert_eq!(items[0]["apiVersion"], api_version);
        assert!(
            answer.stderr.contains(&format!("[error] {api_version}/DittoServer/ns/nas apiVersion: apiVersion {api_version} is not supported")),
            "the error also goes to stderr: {}",
            answer.stderr
        );
    }
    // A DittoServer kind of another group is someone else's: it passes through without a result.
    let other = list("- apiVersion: example.com/v1\n  kind: DittoServer\n  metadata:\n    name: nas\n");
    let answer = run(other.as_bytes());
    assert_eq!((answer.code, answer.results(), answer.stderr.as_str()), (0, vec![], ""));
}
