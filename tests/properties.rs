//! Properties over generated ResourceLists: random mixes of DittoServers (valid and invalid
//! specs), Secrets, StorageClasses and unrelated items, in block and flow style, with comments
//! and strings that YAML 1.1 would read as something else.
//!
//! For every input:
//! - every item the function did not generate is in the output with the same value (the
//!   DittoServers with the local-config annotation added), and block-style items as the same text;
//! - the output is the same on every run (determinism);
//! - f(f(x)) = f(x): the items (and functionConfig) are unchanged, no new result appears;
//! - no Secret value of the input (as written, base64 or decoded) is in the output outside its
//!   own Secret item, results included;
//! - in a pipeline (the function, another mutator changing namespaces, labels and paths, the
//!   function again), no item is lost or duplicated and a third run changes nothing.

use crate::support::oracle;

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use dittofs_krm::yaml::Schema;

/// Strings that YAML 1.1 (kubectl, PyYAML) or YAML 1.2 resolve to something other than a string
/// when written plain.
const LOOKALIKES: &[&str] = &[
    "on", "off", "On", "OFF", "yes", "no", "Yes", "NO", "y", "n", "Y", "N", "~", "null", "Null", "true", "False",
    "0123", "1e3", "0x1F", "0o17", "0b101", ".inf", "-.inf", ".NaN", "2024-01-01", "2001-12-14t21:59:43.10-05:00",
    "12:30:00", "190:20:30", "1_000", "+1", "-1", "3.14", "=", "<<", "", " ", "a: b", "- x", "#c", "x #c", "@x",
    "`x", "!tag", "&a", "*a", "%x", "|", ">", "'", "\"", "multi\nline", "trailing\n", "tab\there", "\u{85}", "\u{feff}x",
];

/// Words written plain by the generator need no quoting in any YAML version.
fn plain_ok(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3
        && b[0].is_ascii_lowercase()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && !["yes", "off", "null", "true", "false", "nan", "inf"].contains(&s)
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) if plain_ok(s) => s.clone(),
        other => json_text(other),
    }
}

/// JSON, which is YAML flow style (a JSON string is a YAML double-quoted scalar), with the
/// characters some YAML readers take for line breaks or a byte-order mark escaped as well.
fn json_text(v: &Value) -> String {
    let mut out = String::new();
    for c in v.to_string().chars() {
        match c {
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Block-style YAML for a mapping at `indent`, with `comments` written after the keys they name.
fn block(map: &Map<String, Value>, indent: usize, comments: &BTreeMap<String, String>, out: &mut String) {
    let pad = " ".repeat(indent);
    for (k, v) in map {
        let key = scalar(&Value::String(k.clone()));
        match v {
            Value::Object(m) if !m.is_empty() => {
                out.push_str(&format!("{pad}{key}:\n"));
                block(m, indent + 2, &BTreeMap::new(), out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push_str(&format!("{pad}{key}:\n"));
                for item in a {
                    out.push_str(&format!("{pad}- {}\n", scalar(item)));
                }
            }
            other => out.push_str(&format!("{pad}{key}: {}\n", scalar(other))),
        }
        if let Some(c) = comments.get(k) {
            out.push_str(&format!("{pad}# {c}\n"));
        }
    }
}

#[derive(Debug, Clone)]
struct Item {
    value: Value,
    flow: bool,
    comments: BTreeMap<String, String>,
}

impl Item {
    /// The item as it stands in `items:` (column 0, `- ` first).
    fn text(&self) -> String {
        if self.flow {
            return format!("- {}\n", json_text(&self.value));
        }
        let mut out = String::new();
        block(self.value.as_object().expect("items are mappings"), 2, &self.comments, &mut out);
        format!("- {}", &out[2..])
    }

    fn secret_values(&self) -> Vec<String> {
        if self.value["kind"] != "Secret" {
            return Vec::new();
        }
        let mut out = Vec::new();
        for field in ["data", "stringData"] {
            for v in self.value[field].as_object().into_iter().flat_map(|m| m.values()) {
                let s = v.as_str().unwrap_or_default().to_string();
                if field == "data" {
                    out.push(String::from_utf8(base64_decode(&s)).expect("generated secrets are text"));
                }
                out.push(base64_encode(s.as_bytes()));
                out.push(s);
            }
        }
        out
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digits: Vec<u32> = s.bytes().filter(|b| *b != b'=').map(|b| A.find(b as char).expect("base64") as u32).collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, d)| n | (d << (18 - 6 * i)));
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

// --- strategies ----------------------------------------------------------------------------

const SERVER_NAMES: &[&str] = &["alpha", "beta", "gamma", "Bad_Name", "a-very-long-server-name-that-is-too-long-for-a-headless-service"];
const SECRET_NAMES: &[&str] = &["s3-creds", "jwt", "admin", "pg"];
const CLASSES: &[&str] = &["fast", "standard"];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(LOOKALIKES).prop_map(str::to_string),
        2 => "[a-z][a-z0-9-]{2,12}",
        1 => "\\PC{0,20}",
        1 => "[a-z ]{1,10}\n[a-z ]{0,10}\n?",
    ]
}

fn namespace() -> impl Strategy<Value = Option<String>> {
    prop_oneof![Just(None), Just(Some("apps".to_string()))]
}

fn metadata(name: String, namespace: Option<String>, annotations: Map<String, Value>) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), Value::String(name));
    if let Some(ns) = namespace {
        m.insert("namespace".into(), Value::String(ns));
    }
    if !annotations.is_empty() {
        m.insert("annotations".into(), Value::Object(annotations));
    }
    Value::Object(m)
}

fn size() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (1u32..500, proptest::sample::select(&["Mi", "Gi", "Ti"][..])).prop_map(|(n, u)| json!(format!("{n}{u}"))),
        1 => proptest::sample::select(&["0Gi", "-1Gi", "10GB", "99999999999Ti", "ten"][..]).prop_map(|s| json!(s)),
    ]
}

fn secret_ref() -> impl Strategy<Value = Value> {
    (proptest::sample::select(SECRET_NAMES), proptest::sample::select(&["token", "hash", "url", "missing"][..]))
        .prop_map(|(n, k)| json!({"name": n, "key": k}))
}

fn spec() -> impl Strategy<Value = Value> {
    let storage = (size(), proptest::option::of(size()), proptest::option::of(size()), proptest::option::of(proptest::sample::select(&["fast", "standard", "nowhere"][..])))
        .prop_map(|(meta, content, cache, class)| {
            let mut s = json!({"metadataSize": meta});
            if let Some(c) = content {
                s["contentSize"] = c;
            }
            if let Some(c) = cache {
                s["cacheSize"] = c;
            }
            if let Some(c) = class {
                s["storageClassName"] = json!(c);
            }
            s
        });
    let annotations = proptest::collection::btree_map("[a-z]{1,6}(\\.io/[a-z]{1,6})?", text(), 0..4);
    (
        storage,
        proptest::option::of(0i64..3),
        proptest::option::of(text()),
        annotations,
        proptest::option::of((proptest::sample::select(SECRET_NAMES), text())),
        proptest::option::of(secret_ref()),
        proptest::option::of(secret_ref()),
        proptest::option::of(secret_ref()),
        any::<bool>(),
        proptest::option::of(text()),
    )
        .prop_map(|(storage, replicas, image, annotations, s3, jwt, admin, pg, metrics, unknown)| {
            let mut spec = json!({"storage": storage});
            if let Some(r) = replicas {
                spec["replicas"] = json!(r);
            }
            if let Some(i) = image {
                spec["image"] = json!(i);
            }
            if !annotations.is_empty() {
                spec["service"] = json!({"annotations": annotations});
            }
            if let Some((secret, region)) = s3 {
                spec["s3"] = json!({"credentialsSecretRef": {"secretName": secret}, "region": region});
            }
            if let Some(j) = jwt {
                spec["identity"] = json!({"jwt": {"secretRef": j}});
            }
            if let Some(a) = admin {
                spec["identity"]["admin"] = json!({"passwordSecretRef": a});
            }
            if let Some(p) = pg {
                spec["database"] = json!({"postgresSecretRef": p});
            }
            if metrics {
                spec["metrics"] = json!({"enabled": true});
            }
            if let Some(u) = unknown {
                spec["unknownField"] = json!(u);
            }
            spec
        })
}

fn comments() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map(
        proptest::sample::select(&["apiVersion", "kind", "metadata", "spec", "data"][..]).prop_map(str::to_string),
        "[ -~]{0,20}",
        0..3,
    )
}

fn server() -> impl Strategy<Value = Item> {
    let spec = prop_oneof![8 => spec(), 1 => text().prop_map(Value::String)];
    (proptest::sample::select(SERVER_NAMES), namespace(), spec, any::<bool>(), any::<bool>(), comments()).prop_map(
        |(name, ns, spec, local, flow, comments)| {
            let mut annotations = Map::new();
            if local {
                annotations.insert("config.kubernetes.io/local-config".into(), json!("true"));
            }
            let value = json!({
                "apiVersion": "dittofs.dittofs.com/v1alpha1",
                "kind": "DittoServer",
                "metadata": metadata(name.to_string(), ns, annotations),
                "spec": spec,
            });
            Item { value, flow, comments }
        },
    )
}

/// Secret values are distinctive tokens, so finding one in the output is never a coincidence.
fn secret_value() -> impl Strategy<Value = String> {
    "[A-Z0-9]{12,20}".prop_map(|s| format!("sekret-{s}"))
}

fn secret() -> impl Strategy<Value = Item> {
    let entries = || {
        let keys = proptest::sample::select(&["token", "hash", "url", "accessKeyId", "secretAccessKey", "endpoint"][..]);
        proptest::collection::btree_map(keys, secret_value(), 0..4)
    };
    (proptest::sample::select(SECRET_NAMES), namespace(), entries(), entries(), any::<bool>(), comments()).prop_map(
        |(name, ns, data, string_data, flow, comments)| {
            let mut value = json!({"apiVersion": "v1", "kind": "Secret", "metadata": metadata(name.to_string(), ns, Map::new()), "type": "Opaque"});
            if !data.is_empty() {
                value["data"] = data.iter().map(|(k, v)| (k.to_string(), json!(base64_encode(v.as_bytes())))).collect::<Map<_, _>>().into();
            }
            if !string_data.is_empty() {
                value["stringData"] = string_data.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<Map<_, _>>().into();
            }
            Item { value, flow, comments }
        },
    )
}

fn storage_class() -> impl Strategy<Value = Item> {
    (proptest::sample::select(CLASSES), any::<bool>()).prop_map(|(name, default)| {
        let mut annotations = Map::new();
        if default {
            annotations.insert("storageclass.kubernetes.io/is-default-class".into(), json!("true"));
        }
        let value = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": metadata(name.to_string(), None, annotations), "provisioner": "example.com/disk"});
        Item { value, flow: false, comments: BTreeMap::new() }
    })
}

/// ConfigMaps and other kinds the function does not read; some take the names of generated
/// objects (`alpha-config`), which the function must refuse to duplicate.
fn unrelated() -> impl Strategy<Value = Item> {
    let names = prop_oneof![3 => "[a-z][a-z0-9-]{2,10}", 1 => Just("alpha-config".to_string()), 1 => Just("beta-api".to_string())];
    (
        proptest::sample::select(&[("v1", "ConfigMap"), ("v1", "Service"), ("example.com/v1", "Widget")][..]),
        names,
        namespace(),
        // Keys may be any text but `<<`: the pipeline's mutator writes with serde_yaml, which
        // writes a `<<` key plain, where every reader takes it for a merge key.
        proptest::collection::btree_map(prop_oneof!["[a-z]{1,8}", text().prop_filter("merge key", |k| k != "<<")], text(), 0..6),
        any::<bool>(),
        comments(),
    )
        .prop_map(|((api, kind), name, ns, data, flow, comments)| {
            let value = json!({"apiVersion": api, "kind": kind, "metadata": metadata(name, ns, Map::new()), "data": data});
            Item { value, flow, comments }
        })
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![3 => server(), 2 => secret(), 1 => storage_class(), 3 => unrelated()]
}

fn resource_list() -> impl Strategy<Value = (Vec<Item>, Vec<Option<String>>)> {
    proptest::collection::vec((item(), proptest::option::weighted(0.2, "[ -~]{0,30}")), 0..8).prop_map(|v| v.into_iter().unzip())
}

fn render(items: &[Item], between: &[Option<String>]) -> String {
    let mut out = String::from("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n# the items\nitems:\n");
    if items.is_empty() {
        out = out.replace("items:\n", "items: []\n");
    }
    for (item, comment) in items.iter().zip(between) {
        out.push_str(&item.text());
        if let Some(c) = comment {
            out.push_str(&format!("# {c}\n"));
        }
    }
    out
}

/// The output cut into its parts: the header, each item (a one-item YAML sequence) and what
/// follows the items (functionConfig, results). Only the top-level keys and the items' `- `
/// start at column 0 in the function's output.
fn item_texts(out: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, _) in out.match_indices('\n') {
        let next = &out[i + 1..];
        if next.starts_with("- ") || next.starts_with("functionConfig:") || next.starts_with("results:") {
            parts.push(&out[start..=i]);
            start = i + 1;
        }
    }
    parts.push(&out[start..]);
    parts
}

fn without_results(s: &str) -> &str {
    s.find("\nresults:\n").map_or(s, |i| &s[..=i])
}

/// Checks one generated input; returns whether it generated objects (a valid DittoServer).
fn check((items, between): (Vec<Item>, Vec<Option<String>>)) -> Result<bool, TestCaseError> {
    let input = render(&items, &between);
    let first = dittofs_krm::run(&input).expect("a ResourceList is accepted");
    let out = &first.resource_list;

    // Determinism.
    let again = dittofs_krm::run(&input).expect("accepted");
    prop_assert_eq!(&again.resource_list, out);

    // Output accepted again, idempotent without errors, every item kept by value.
    oracle::check(&input);

    // Block-style items come out as the very text that went in (DittoServers excepted:
    // they gain the local-config annotation unless they have it).
    for item in &items {
        let rewritten = item.value["kind"] == "DittoServer" && item.value.pointer("/metadata/annotations/config.kubernetes.io~1local-config").is_none();
        if !item.flow && !rewritten {
            prop_assert!(out.contains(&item.text()), "item text not kept:\n{}\n--- output\n{}", item.text(), out);
        }
    }

    // f(f(x)) = f(x) for the items, errors or not. Without errors no new result appears
    // (error messages name items by their index, which generated items shift).
    let second = dittofs_krm::run(out).expect("the output is accepted");
    prop_assert_eq!(without_results(&second.resource_list), without_results(out));
    if !first.has_errors() {
        for r in &second.results {
            prop_assert!(first.results.contains(r), "new result on the second run: {:?}", r);
        }
    }

    // No Secret value outside its own Secret item: the output's text without its Secrets,
    // then every other item's value.
    let rest: String = item_texts(out)
        .into_iter()
        .filter(|t| dittofs_krm::yaml::parse_value(t, Schema::Yaml12).ok().and_then(|v| v.get(0).cloned()).is_none_or(|v| v["kind"] != "Secret"))
        .collect();
    let output_value: Value = serde_yaml::from_str(out).expect("the output parses");
    let others: Vec<String> = output_value["items"].as_array().into_iter().flatten()
        .filter(|i| i["kind"] != "Secret")
        .map(Value::to_string)
        .collect();
    let results = output_value.get("results").map(Value::to_string).unwrap_or_default();
    for item in &items {
        for secret in item.secret_values() {
            prop_assert!(!rest.contains(&secret), "secret value {} in the output outside its Secret:\n{}", secret, out);
            prop_assert!(!results.contains(&secret), "secret value {} in the results", secret);
            for other in &others {
                prop_assert!(!other.contains(&secret), "secret value {} in {}", secret, other);
            }
        }
    }
    Ok(first.resource_list.contains("fn.dittofs.com/generated-from"))
}

#[test]
fn items_are_kept_and_runs_agree() {
    let config = ProptestConfig { cases: 512, max_shrink_iters: 2000, ..ProptestConfig::default() };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let expanded = std::cell::Cell::new(0);
    let result = runner.run(&resource_list(), |input| {
        expanded.set(expanded.get() + usize::from(check(input)?));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    eprintln!("{} of 512 generated inputs expanded a DittoServer", expanded.get());
    // The generator must reach the interesting part: inputs whose DittoServers expand.
    assert!(expanded.get() >= 512 / 10, "only {} of 512 inputs generated objects", expanded.get());
}

#[test]
fn base64_helpers_agree() {
    for s in ["", "a", "ab", "abc", "abcd", "sekret-ABC123"] {
        assert_eq!(base64_decode(&base64_encode(s.as_bytes())), s.as_bytes());
    }
    assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
}

// --- pipelines: the function, another mutator, the function again ----------------------------

/// What another mutator does to one item between two runs of the function.
#[derive(Debug, Clone)]
struct Mutation {
    /// `Some(None)` removes the namespace.
    namespace: Option<Option<&'static str>>,
    label: bool,
    path: Option<&'static str>,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let namespace = prop_oneof![2 => Just(None), 1 => Just(Some(None)), 1 => Just(Some(Some("apps"))), 2 => Just(Some(Some("prod")))];
    let path = proptest::option::of(proptest::sample::select(&["moved/x.yaml", "win\\dir\\x.yaml", "apps/alpha/configmap_alpha-config.yaml"][..]));
    (namespace, any::<bool>(), path).prop_map(|(namespace, label, path)| Mutation { namespace, label, path })
}

/// The output's items with the mutations applied (the `i`th item gets `mutations[i % len]`),
/// as a ResourceList written by serde_yaml, the way another function would write it.
fn mutate(output: &str, mutations: &[Mutation]) -> String {
    let mut list: Value = dittofs_krm::yaml::parse_value(output, Schema::Yaml12).expect("the output parses");
    list.as_object_mut().expect("a mapping").remove("results");
    if let (Some(items), false) = (list["items"].as_array_mut(), mutations.is_empty()) {
        for (i, item) in items.iter_mut().enumerate() {
            let m = &mutations[i % mutations.len()];
            let Some(metadata) = item.get_mut("metadata").and_then(Value::as_object_mut) else { continue };
            match m.namespace {
                Some(Some(ns)) => {
                    metadata.insert("namespace".into(), json!(ns));
                }
                Some(None) => {
                    metadata.remove("namespace");
                }
                None => {}
            }
            if m.label {
                let labels = metadata.entry("labels").or_insert_with(|| json!({}));
                if let Some(labels) = labels.as_object_mut() {
                    labels.insert("team".into(), json!("storage"));
                }
            }
            if let Some(path) = m.path {
                let annotations = metadata.entry("annotations").or_insert_with(|| json!({}));
                if let Some(annotations) = annotations.as_object_mut() {
                    annotations.insert("config.kubernetes.io/path".into(), json!(path));
                    annotations.insert("internal.config.kubernetes.io/path".into(), json!(path));
                }
            }
        }
    }
    serde_yaml::to_string(&list).expect("serializes")
}

type Id = (String, String, String, String);

fn items_of(text: &str) -> Vec<Value> {
    let list: Value = dittofs_krm::yaml::parse_value(text, Schema::Yaml12).expect("parses");
    list["items"].as_array().cloned().unwrap_or_default()
}

fn identity(item: &Value) -> Id {
    let s = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    (s(&item["apiVersion"]), s(&item["kind"]), s(&item["metadata"]["namespace"]), s(&item["metadata"]["name"]))
}

fn marker(item: &Value) -> Option<&str> {
    item["metadata"]["annotations"]["fn.dittofs.com/generated-from"].as_str()
}

fn counts<'a>(ids: impl Iterator<Item = &'a Value>) -> BTreeMap<Id, usize> {
    let mut out = BTreeMap::new();
    for item in ids {
        *out.entry(identity(item)).or_default() += 1;
    }
    out
}

/// Checks one pipeline; returns whether the mutator moved a generated object out of the
/// namespace its marker names (the case the pipeline exists for).
fn check_pipeline((items, between): (Vec<Item>, Vec<Option<String>>), mutations: Vec<Mutation>) -> Result<bool, TestCaseError> {
    let first = dittofs_krm::run(&render(&items, &between)).expect("a ResourceList is accepted");
    let mutated = mutate(&first.resource_list, &mutations);
    let second = dittofs_krm::run(&mutated).expect("the mutated output is accepted");
    let third = dittofs_krm::run(&second.resource_list).expect("the output is accepted");
    prop_assert_eq!(
        without_results(&third.resource_list),
        without_results(&second.resource_list),
        "the third run changed the items of\n{}",
        mutated
    );
    let before = items_of(&mutated);
    let after = items_of(&second.resource_list);
    // The results describe the input: the same, unless the mutator made two items one
    // identity (reported by the second run, which kept one of two copies of a generated object).
    let input_counts = counts(before.iter());
    // What applying a render does (`impact` results) is said once: the third run's previous
    // render is the second's output, so it says at most what the second said (an edit that
    // keeps the previous objects is found again).
    let is_impact = |r: &&dittofs_krm::krm::ValidationResult| r.tags.as_ref().is_some_and(|t| t.contains_key("impact"));
    if input_counts.values().all(|&n| n == 1) {
        let other = |rs: &[dittofs_krm::krm::ValidationResult]| rs.iter().filter(|r| !is_impact(r)).cloned().collect::<Vec<_>>();
        prop_assert_eq!(other(&third.results), other(&second.results), "the third run has other results, on\n{}", mutated);
        for r in third.results.iter().filter(is_impact) {
            prop_assert!(second.results.contains(r), "the third run says more about applying it: {:?}, on\n{}", r, mutated);
        }
    }
    // Every item the function did not generate is kept, once.
    prop_assert_eq!(
        counts(before.iter().filter(|i| marker(i).is_none())),
        counts(after.iter().filter(|i| marker(i).is_none())),
        "items not generated were lost or duplicated:\n{}\n--- output\n{}",
        mutated,
        second.resource_list
    );
    // No identity more often than in the input.
    for (id, n) in counts(after.iter()) {
        prop_assert!(n <= input_counts.get(&id).copied().unwrap_or(0).max(1), "{:?} {} times in\n{}", id, n, second.resource_list);
    }
    // Every generated object is still there (its server now perhaps in another namespace),
    // unless an error result stops that server from expanding.
    let server_name = |m: &str| m.rsplit('/').next().unwrap_or_default().to_string();
    let blocked: Vec<String> = second
        .results
        .iter()
        .filter(|r| r.severity == dittofs_krm::krm::Severity::Error)
        .filter_map(|r| r.resource_ref.as_ref().filter(|r| r.kind == "DittoServer").map(|r| r.name.clone()))
        .collect();
    let kept: Vec<(String, String, String)> =
        after.iter().filter_map(|i| Some((identity(i).1, identity(i).3, server_name(marker(i)?)))).collect();
    for item in before.iter().filter(|i| marker(i).is_some()) {
        let key = (identity(item).1, identity(item).3, server_name(marker(item).unwrap_or_default()));
        prop_assert!(blocked.contains(&key.2) || kept.contains(&key), "{:?} lost:\n{}\n--- output\n{}", key, mutated, second.resource_list);
    }
    Ok(before.iter().any(|i| marker(i).is_some_and(|m| m.rsplit_once('/').map(|(ns, _)| ns) != i["metadata"]["namespace"].as_str())))
}

#[test]
fn pipelines_with_a_mutator_between_runs_lose_nothing_and_converge() {
    let config = ProptestConfig { cases: 256, max_shrink_iters: 2000, ..ProptestConfig::default() };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let strategy = (resource_list(), proptest::collection::vec(mutation(), 0..6));
    let moved = std::cell::Cell::new(0);
    let result = runner.run(&strategy, |(input, mutations)| {
        moved.set(moved.get() + usize::from(check_pipeline(input, mutations)?));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    eprintln!("{} of 256 pipelines moved a generated object to another namespace", moved.get());
    assert!(moved.get() >= 256 / 10, "only {} of 256 pipelines moved a generated object", moved.get());
}

// --- the value builder against serde_yaml, and the emitter against the schemas ----------------

/// serde_yaml 0.9 with its merge keys applied, turned into JSON as the function did before the
/// value builder (booleans and numbers as keys become text): the builder's YAML 1.2 oracle.
fn serde_yaml_value(text: &str) -> Result<Value, String> {
    fn to_json(v: serde_yaml::Value) -> Result<Value, String> {
        use serde_yaml::Value as Y;
        Ok(match v {
            Y::Null => Value::Null,
            Y::Bool(b) => Value::Bool(b),
            Y::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Value::from(i),
                (_, Some(u), _) => Value::from(u),
                (_, _, f) => Value::Number(f.and_then(serde_json::Number::from_f64).ok_or("no JSON form")?),
            },
            Y::String(s) => Value::String(s),
            Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?),
            Y::Mapping(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    let key = match k {
                        Y::String(s) => s,
                        Y::Bool(b) => b.to_string(),
                        Y::Number(n) => n.to_string(),
                        _ => return Err("a key that is no scalar".into()),
                    };
                    out.insert(key, to_json(v)?);
                }
                Value::Object(out)
            }
            Y::Tagged(_) => return Err("tagged".into()),
        })
    }
    let mut v: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    v.apply_merge().map_err(|e| e.to_string())?;
    to_json(v)
}

/// Scalars that the two schemas, and the emitter's quoting, must tell apart.
fn tricky_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => proptest::sample::select(LOOKALIKES).prop_map(str::to_string),
        3 => "[-+.0-9_xobeEfF:~<=yYnNsSoO ]{1,8}",
        1 => "[-+]?[0-9]{15,45}",
        1 => "[-+]?(0x|0o|0b)?[0-9a-fA-F_]{0,20}",
        1 => "[-+]?[.]?(inf|Inf|INF|nan|NaN|NAN|infinity)",
        1 => text(),
    ]
}

/// JSON values with tricky keys and strings; no `<<` key, which serde_yaml merges even quoted.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        tricky_scalar().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(tricky_scalar().prop_filter("merge key", |k| k != "<<"), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Documents as written by hand: a tricky scalar raw (unquoted) as a value, a key and an item,
/// with anchors, aliases and merge keys around it. Only scalars made of characters that are no
/// YAML indicators: the point is how plain scalars resolve, and where saphyr-parser and libyaml
/// disagree on syntax (U+0085 as a line break, the characters of anchor names) the function
/// follows saphyr-parser, which its outline has always used.
fn raw_document() -> impl Strategy<Value = String> {
    let raw = || tricky_scalar().prop_filter("plain characters", |s| {
        !s.starts_with([' ', ':', '-']) && !s.ends_with([' ', ':']) && !s.contains(": ") && !s.contains(" -")
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "-+._:~<= ".contains(c))
    });
    (raw(), raw(), 0..6usize).prop_map(|(a, b, shape)| match shape {
        0 => format!("k: {a}\n"),
        1 => format!("{a}: {b}\n"),
        2 => format!("- {a}\n- [{b}]\n"),
        3 => format!("base: &b {{x: {a}, y: {b}}}\nuse:\n  <<: *b\n  y: 1\nalias: *b\n"),
        4 => format!("k: !!str {a}\nl: [{a}, {{{b}: {a}}}]\n"),
        _ => format!("{a}\n"),
    })
}

fn builder_agrees_with_serde_yaml(text: &str) -> Result<(), TestCaseError> {
    let ours = dittofs_krm::yaml::parse_value(text, Schema::Yaml12);
    match (ours, serde_yaml_value(text)) {
        (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "{}", text),
        (Err(_), Err(_)) => {}
        // Both readers must refuse the same texts; their messages may differ (saphyr-parser's
        // syntax errors are not libyaml's).
        (a, b) => prop_assert!(false, "the value builder gives {:?}, serde_yaml {:?}\n--- text\n{}", a, b, text),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// The YAML 1.2 value builder reads what serde_yaml reads, as serde_yaml did: documents
    /// written by the function's emitter, by serde_yaml, as JSON and by hand.
    #[test]
    fn the_value_builder_reads_as_serde_yaml(value in json_value(), raw in raw_document()) {
        let root = json!({"root": value});
        let by_serde_yaml = serde_yaml::to_string(&root).expect("serializes");
        // libyaml writes U+0085, U+2028 and U+2029 raw and breaks a quoted scalar's line after
        // them, as YAML 1.1 line breaks; to YAML 1.2 (saphyr-parser) they are characters, and the
        // indentation after them is part of the scalar. The syntax difference the raw documents
        // avoid too: such a text is not the builder's to agree on.
        let by_serde_yaml = (!by_serde_yaml.contains(['\u{85}', '\u{2028}', '\u{2029}'])).then_some(by_serde_yaml);
        for text in [Some(dittofs_krm::yaml::to_string(&root)), by_serde_yaml, Some(json_text(&root)), Some(raw)].into_iter().flatten() {
            builder_agrees_with_serde_yaml(&text)?;
        }
    }

    /// What the emitter writes reads back as the same strings, keys and values, with a reader
    /// that is not the function's: serde_yaml (libyaml, YAML 1.2). The emitter's rule for what
    /// may be written plain is the function's own schema module; a rule that let a number,
    /// boolean or null through plain fails here. YAML 1.1 (kubectl's reading) is held to the
    /// same by PyYAML in `emitted_strings_read_back_under_pyyaml`.
    #[test]
    fn emitted_strings_read_back_with_serde_yaml(s in tricky_scalar()) {
        let value = emitted_value(&s);
        let text = dittofs_krm::yaml::to_string(&value);
        let read: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let expected = serde_yaml::to_value(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(read, expected, "{}", text);
    }
}

/// A string as a key, a value and an entry: every place the emitter writes a scalar.
fn emitted_value(s: &str) -> Value {
    json!({ s: s, "list": [s], "nested": { s: [{ s: s }] } })
}

/// The emitter's strings read with PyYAML, a YAML 1.1 reader as kubectl's is: every key and every
/// scalar must come back as the string that was written, of type `str` (a `yes`, `0123` or
/// `12:30:00` written plain comes back as another type). One document holds them all, so that
/// Python runs once.
#[test]
#[ignore = "needs python3 with PyYAML (`make deps`)"]
fn emitted_strings_read_back_under_pyyaml() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut strings: Vec<String> = LOOKALIKES.iter().map(|s| s.to_string()).collect();
    let strategy = tricky_scalar();
    while strings.len() < 3000 {
        strings.push(strategy.new_tree(&mut runner).expect("a string").current());
    }
    let document = Value::Array(strings.iter().map(|s| emitted_value(s)).collect());
    let text = dittofs_krm::yaml::to_string(&json!({ "cases": document }));
    // Every key and scalar a `str`, else a line naming it; then the document as JSON.
    let program = r#"
import json, sys, yaml
data = yaml.safe_load(sys.stdin.buffer)
def walk(x, at):
    if isinstance(x, dict):
        for k, v in x.items():
            if not isinstance(k, str):
                print("key", repr(k), type(k).__name__, "at", at)
            walk(v, at + [str(k)])
    elif isinstance(x, list):
        for i, v in enumerate(x):
            walk(v, at + [i])
    elif not isinstance(x, str):
        print("value", repr(x), type(x).__name__, "at", at)
walk(data, [])
print(json.dumps(data, ensure_ascii=True))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", program])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = text.clone();
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, input.as_bytes()));
    let out = child.wait_with_output().expect("python3 finishes");
    writer.join().expect("writer").expect("write to python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "PyYAML cannot read the emitter's text: {}", String::from_utf8_lossy(&out.stderr));
    let (problems, json_line) = stdout.trim_end().rsplit_once('\n').unwrap_or(("", stdout.trim_end()));
    assert!(problems.is_empty(), "PyYAML reads other types than were written:\n{problems}");
    let read: Value = serde_json::from_str(json_line).expect("PyYAML's reading as JSON");
    assert_eq!(read["cases"], document, "PyYAML reads other strings than were written");
}

/// The builder agrees with serde_yaml on every YAML file of the repository.
#[test]
fn the_value_builder_reads_the_repository_as_serde_yaml() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    // Not tests/fuzz-regressions: odd syntax, where the parsers (not the builders) differ.
    for dir in ["tests/cases", "examples", "fnconfig"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    files.push(p);
                }
            }
        }
    }
    assert!(files.len() >= 30, "{} files", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        // Multi-document streams are `build`'s, read under YAML 1.1.
        if text.matches("\n---").count() > 0 {
            continue;
        }
        if let Err(e) = builder_agrees_with_serde_yaml(&text) {
            panic!("{}: {e}", file.display());
        }
    }
}

/// Plain scalars that YAML 1.2 (serde_yaml) reads as numbers, booleans or null, and look-alikes
/// that stay strings, as values, keys and entries: the value builder reads them as serde_yaml
/// does, through the line source (block style) and saphyr-parser (flow style) alike.
#[test]
fn plain_scalars_resolve_as_serde_yaml_resolves_them() {
    const PLAIN: &[&str] = &[
        "0", "7", "0123", "-0", "-1", "+1", "123456789012345678", "-123456789012345678", "1234567890123456789",
        "99999999999999999999", "1e3", "1E3", "1.5", ".5", "5.", "-.5", "1_000", "0x1F", "0o17", "0b101", "0xZZ",
        ".inf", "-.inf", "+.inf", ".Inf", ".NAN", ".nan", "inf", "-inf", "infinity", "Infinity", "nan", "NaN",
        "true", "True", "TRUE", "tRue", "false", "False", "yes", "no", "on", "off", "y", "n", "~", "null", "Null",
        "NULL", "nULL", "2024-01-01", "12:30:00", "1:2", "e3", "E", "i", "n1", "Nope", "10Gi", "5GB", "0.5Gi",
        "-flag", "--flag", "-1a", "1-1", "/data", "$X", "a b", "1 2",
    ];
    for s in PLAIN {
        for text in [format!("key: {s}\n"), format!("{s}: value\n"), format!("list:\n- {s}\n"), format!("{{key: [{s}]}}\n")] {
            builder_agrees_with_serde_yaml(&text).unwrap();
        }
    }
}

#[test]
fn literal_block_scalars_and_their_chomping_read_as_serde_yaml_reads_them() {
    let bodies = ["  x\n", "  x\n\n", "  x\n  \n", "  x\n     \n", "\n  x\n", "  \n  x\n", "    \n  x\n", "  x\n   y\n  z\n\n\n", ""];
    for header in ["|", "|-", "|+", "| # c", ">", ">-"] {
        for body in bodies {
            for after in ["", "next: 1\n", "# c\nnext: 1\n", "  # c\nnext: 1\n"] {
                builder_agrees_with_serde_yaml(&format!("key: {header}\n{body}{after}")).unwrap();
            }
        }
    }
}

#[test]
fn repeated_keys_are_refused_as_serde_yaml_refuses_them() {
    let text = "a: 1\nb:\n  c: 2\n  c: 3\n";
    assert!(dittofs_krm::yaml::parse_value(text, Schema::Yaml12).is_err());
    builder_agrees_with_serde_yaml(text).unwrap();
}
