//! Identity through the binary: where new objects are written, which DittoServer owns a
//! generated object after another mutator moved it, what a kpt selection (items carrying
//! `internal.config.k8s.io/kpt-resource-id`) may change, and results that are the same on f(x)
//! and f(f(x)).

use crate::support::krm;

use krm::{run, Answer, HEADER};
use serde_json::Value;

const SPEC: &str = "  spec:\n    storage:\n      metadataSize: 1Gi\n      storageClassName: fast\n";
const CLASS: &str = "- apiVersion: storage.k8s.io/v1\n  kind: StorageClass\n  metadata:\n    name: fast\n  provisioner: x\n";
const MARKER: &str = "fn.dittofs.com/generated-from";

fn server(name: &str, namespace: Option<&str>, path: &str) -> String {
    let ns = namespace.map(|n| format!("    namespace: {n}\n")).unwrap_or_default();
    format!(
        "- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: {name}\n{ns}    annotations:\n      config.kubernetes.io/path: '{path}'\n      internal.config.kubernetes.io/path: '{path}'\n{SPEC}"
    )
}

fn ok(input: &str) -> Answer {
    let answer = run(input.as_bytes());
    answer.assert_no_panic();
    assert_eq!(answer.code, 0, "exit code; results: {:#?}\n{}", answer.results(), answer.stdout);
    answer
}

fn generated(items: &[Value]) -> Vec<&Value> {
    items.iter().filter(|i| i["metadata"]["annotations"][MARKER].is_string()).collect()
}

fn path(item: &Value) -> &str {
    item["metadata"]["annotations"]["config.kubernetes.io/path"].as_str().unwrap_or_default()
}

fn id(item: &Value) -> (String, String, String) {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (s(&item["kind"]), s(&item["metadata"]["namespace"]), s(&item["metadata"]["name"]))
}

#[test]
fn new_objects_go_to_a_folder_per_namespace_and_server() {
    let input = format!("{HEADER}{}{}{}{CLASS}", server("nfs", Some("one"), "nfs.yaml"), server("nfs", Some("two"), "nfs.yaml"), server("nfs", None, "nfs.yaml"));
    let items = ok(&input).items();
    let objects = generated(&items);
    assert_eq!(objects.len(), 15);
    let mut paths: Vec<&str> = objects.iter().map(|o| path(o)).collect();
    assert!(paths.contains(&"one/nfs/configmap_nfs-config.yaml"), "{paths:?}");
    assert!(paths.contains(&"two/nfs/configmap_nfs-config.yaml"), "{paths:?}");
    assert!(paths.contains(&"nfs/configmap_nfs-config.yaml"), "a server without namespace keeps <name>/: {paths:?}");
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), 15, "two objects share a file: {paths:?}");
}

#[test]
fn windows_paths_keep_their_separator_and_directory() {
    let input = format!("{HEADER}{}{CLASS}", server("nfs", Some("apps"), "servers\\nfs.yaml"));
    let items = ok(&input).items();
    let paths: Vec<&str> = generated(&items).iter().map(|o| path(o)).collect();
    assert!(paths.contains(&"servers\\apps\\nfs\\statefulset_nfs.yaml"), "{paths:?}");
    assert!(paths.iter().all(|p| p.starts_with("servers\\apps\\nfs\\") && !p.contains('/')), "{paths:?}");
}

#[test]
fn a_namespace_that_is_no_directory_name_is_an_error() {
    let input = format!("{HEADER}{}{CLASS}", server("nfs", Some("../up"), "nfs.yaml"));
    let answer = run(input.as_bytes());
    assert_eq!(answer.code, 1);
    let results = answer.results();
    assert!(results.iter().any(|(s, m, p)| s == "error" && m.contains("\"../up\" is not a namespace name") && p.as_deref() == Some("metadata.namespace")), "{results:#?}");
    assert!(generated(&answer.items()).is_empty());
}

/// Sets metadata.namespace of every item (but the StorageClass), as kpt's set-namespace does,
/// or only of the generated objects.
fn move_items(output: &str, namespace: &str, only_generated: bool) -> String {
    let mut list: Value = dittofs_krm::yaml::parse_value(output, dittofs_krm::yaml::Schema::Yaml12).unwrap();
    list.as_object_mut().unwrap().remove("results");
    for item in list["items"].as_array_mut().unwrap() {
        let is_generated = item["metadata"]["annotations"][MARKER].is_string();
        if item["kind"] != "StorageClass" && (is_generated || !only_generated) {
            item["metadata"]["namespace"] = Value::String(namespace.into());
        }
    }
    serde_yaml::to_string(&list).unwrap()
}

#[test]
fn objects_moved_with_their_server_follow_it() {
    let first = ok(&format!("{HEADER}{}{CLASS}", server("nfs", Some("apps"), "nfs.yaml")));
    let moved = move_items(&first.stdout, "prod", false);
    let second = ok(&moved);
    let items = second.items();
    let objects = generated(&items);
    assert_eq!(objects.len(), 5, "{}", second.stdout);
    for o in &objects {
        assert_eq!(o["metadata"]["namespace"], "prod");
        assert_eq!(o["metadata"]["annotations"][MARKER], "prod/nfs");
        assert!(path(o).starts_with("apps/nfs/"), "a replaced object keeps its file: {}", path(o));
    }
    let third = ok(&second.stdout);
    assert_eq!(third.stdout, second.stdout, "the third run changed the output");
}

#[test]
fn objects_moved_without_their_server_go_back_to_its_namespace() {
    let first = ok(&format!("{HEADER}{}{CLASS}", server("nfs", Some("apps"), "nfs.yaml")));
    let second = ok(&move_items(&first.stdout, "prod", true));
    let items = second.items();
    let objects = generated(&items);
    assert_eq!(objects.len(), 5, "{}", second.stdout);
    assert!(objects.iter().all(|o| o["metadata"]["namespace"] == "apps" && o["metadata"]["annotations"][MARKER] == "apps/nfs"));
    let ids = |items: &[Value]| generated(items).into_iter().map(id).collect::<Vec<_>>();
    assert_eq!(ids(&items), ids(&first.items()));
}

#[test]
fn one_object_per_identity_when_a_copy_was_moved() {
    // A copy of a generated object in another namespace: one is replaced, the copy dropped.
    let first = ok(&format!("{HEADER}{}{CLASS}", server("nfs", Some("apps"), "nfs.yaml")));
    let mut list: Value = dittofs_krm::yaml::parse_value(&first.stdout, dittofs_krm::yaml::Schema::Yaml12).unwrap();
    let items = list["items"].as_array_mut().unwrap();
    let mut copy = items.iter().find(|i| i["kind"] == "ConfigMap").unwrap().clone();
    copy["metadata"]["namespace"] = "elsewhere".into();
    items.push(copy);
    let second = ok(&serde_yaml::to_string(&list).unwrap());
    let out = second.items();
    let config_maps: Vec<&Value> = out.iter().filter(|i| i["kind"] == "ConfigMap").collect();
    assert_eq!(config_maps.len(), 1, "{}", second.stdout);
    assert_eq!(config_maps[0]["metadata"]["namespace"], "apps");
}

/// The items as kpt sends them under a selector: each with its kpt resource id.
fn selected(items: &[Value]) -> String {
    let mut items = items.to_vec();
    for (n, item) in items.iter_mut().enumerate() {
        item["metadata"]["annotations"]["internal.config.k8s.io/kpt-resource-id"] = Value::String(n.to_string());
    }
    serde_yaml::to_string(&serde_json::json!({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items})).unwrap()
}

#[test]
fn a_selection_without_the_server_keeps_its_objects() {
    let first = ok(&format!("{HEADER}{}{CLASS}", server("nfs", Some("apps"), "nfs.yaml")));
    let items = first.items();
    let stateful_set: Vec<Value> = items.iter().filter(|i| i["kind"] == "StatefulSet").cloned().collect();
    let answer = ok(&selected(&stateful_set));
    assert_eq!(answer.items(), dittofs_krm::yaml::parse_value(&selected(&stateful_set), dittofs_krm::yaml::Schema::Yaml12).unwrap()["items"].as_array().unwrap().clone());
    let results = answer.results();
    assert!(results.iter().any(|(s, m, _)| s == "info" && m.contains("kept as it is") && m.contains("\"apps/nfs\"")), "{results:#?}");
    // Without a selection, the same object is an orphan and goes.
    let whole = ok(&serde_yaml::to_string(&serde_json::json!({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": stateful_set})).unwrap());
    assert!(whole.items().is_empty(), "{}", whole.stdout);
}

#[test]
fn a_selection_with_the_server_adds_and_changes_nothing_generated() {
    let first = ok(&format!("{HEADER}{}{CLASS}", server("nfs", Some("apps"), "nfs.yaml")));
    let items = first.items();
    // The server and its StatefulSet, without the StorageClass; the spec changed meanwhile.
    let mut part: Vec<Value> = items.iter().filter(|i| i["kind"] == "DittoServer" || i["kind"] == "StatefulSet").cloned().collect();
    part[0]["spec"]["replicas"] = 0.into();
    let answer = ok(&selected(&part));
    let out = answer.items();
    assert_eq!(out.len(), 2, "{}", answer.stdout);
    assert_eq!(out[1], dittofs_krm::yaml::parse_value(&selected(&part), dittofs_krm::yaml::Schema::Yaml12).unwrap()["items"][1], "the StatefulSet changed");
    let results = answer.results();
    assert!(results.iter().any(|(s, m, _)| s == "warning" && m.contains("neither added, updated nor removed")), "{results:#?}");
}

#[test]
fn results_name_items_by_kind_name_and_file_and_converge() {
    let item = |kind: &str, name: &str, file: &str| {
        let name = if name.is_empty() { String::new() } else { format!("    name: {name}\n") };
        format!("- apiVersion: v1\n  kind: {kind}\n  metadata:\n{name}    namespace: apps\n    annotations:\n      config.kubernetes.io/path: '{file}'\n")
    };
    let input = format!(
        "{HEADER}{}{CLASS}{}{}{}{}",
        server("nfs", Some("apps"), "nfs.yaml"),
        item("ConfigMap", "twice", "a.yaml"),
        item("ConfigMap", "twice", "b.yaml"),
        item("ConfigMap", "", "nameless.yaml"),
        item("Service", "web-api", "web.yaml"),
    )
    .replace("name: web-api", "name: nfs-api");
    let first = run(input.as_bytes());
    let second = run(first.stdout.as_bytes());
    assert_eq!(first.code, 1);
    let messages: Vec<String> = first.results().into_iter().map(|(_, m, _)| m).collect();
    for expected in [
        "ConfigMap \"twice\" in namespace \"apps\" appears twice (in \"a.yaml\" and \"b.yaml\")",
        "the ConfigMap item in \"nameless.yaml\" has no metadata.name",
        "the input already has a Service of that name in \"web.yaml\"",
    ] {
        assert!(messages.iter().any(|m| m.contains(expected)), "no result with {expected:?}: {messages:#?}");
    }
    assert!(messages.iter().all(|m| !m.contains("item ") || m.contains("the ConfigMap item")), "{messages:#?}");
    assert_eq!(second.results(), first.results(), "f(f(x)) has other results than f(x)");
    assert_eq!(second.stdout, first.stdout);
}

#[test]
fn a_copy_the_function_drops_is_no_duplicate() {
    // Three ConfigMaps of one identity: the first generated from a DittoServer that is gone (an
    // orphan, pruned), the other two the user's. Only those two are a duplicate, in this run and
    // in the next, which no longer has the orphan.
    let config_map = |file: &str, marker: &str| {
        format!(
            "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: twice\n    namespace: apps\n    annotations:\n      config.kubernetes.io/path: '{file}'\n{marker}"
        )
    };
    let orphan = config_map("gone/configmap_twice.yaml", "      fn.dittofs.com/generated-from: apps/gone\n");
    let input = format!("{HEADER}{orphan}{}{}", config_map("b.yaml", ""), config_map("c.yaml", ""));
    let first = run(input.as_bytes());
    let second = run(first.stdout.as_bytes());
    let messages: Vec<String> = first.results().into_iter().map(|(_, m, _)| m).collect();
    assert!(messages.iter().any(|m| m.contains("appears twice (in \"b.yaml\" and \"c.yaml\")")), "{messages:#?}");
    assert!(messages.iter().all(|m| !m.contains("gone/configmap_twice.yaml")), "{messages:#?}");
    assert!(!first.stdout.contains("gone/configmap_twice.yaml"), "the orphan is pruned");
    assert_eq!(second.results(), first.results(), "f(f(x)) has other results than f(x)");
}

#[test]
fn objects_moved_into_the_namespace_of_a_namesake_go_back_without_an_error() {
    // `nfs` (no namespace) and `prod/nfs`: a mutator moves only the first one's objects to
    // `prod`. They still belong to `nfs` (their marker), go back, and `prod/nfs` expands: no
    // "did not generate" error for names that leave in the same run.
    let input = format!("{HEADER}{}{CLASS}", server("nfs", None, "nfs.yaml"));
    let first = ok(&input);
    let mut moved: Value = dittofs_krm::yaml::parse_value(&move_items(&first.stdout, "prod", true), dittofs_krm::yaml::Schema::Yaml12).unwrap();
    let namesake: Value = dittofs_krm::yaml::parse_value(&format!("{HEADER}{}", server("nfs", Some("prod"), "prod-nfs.yaml")), dittofs_krm::yaml::Schema::Yaml12).unwrap();
    moved["items"].as_array_mut().unwrap().push(namesake["items"][0].clone());
    let second = ok(&serde_yaml::to_string(&moved).unwrap());
    let items = second.items();
    let objects = generated(&items);
    assert_eq!(objects.len(), 10, "{}", second.stdout);
    assert_eq!(objects.iter().filter(|o| o["metadata"]["namespace"] == "prod" && o["metadata"]["annotations"][MARKER] == "prod/nfs").count(), 5);
    assert_eq!(objects.iter().filter(|o| o["metadata"]["namespace"].is_null() && o["metadata"]["annotations"][MARKER] == "nfs").count(), 5);
    let third = ok(&second.stdout);
    assert_eq!(third.stdout, second.stdout, "the third run changed the output");
}

#[test]
fn objects_whose_marker_names_a_missing_server_belong_to_the_namesake_where_they_stand() {
    // A mutator moved the DittoServer and its objects from `old` to `new`, and the markers name
    // a namespace that holds no DittoServer: the server of that name where the objects stand
    // owns them, and they are replaced in place (their files kept).
    let first = ok(&format!("{HEADER}{}{CLASS}", server("nfs", Some("old"), "nfs.yaml")));
    let mut list: Value = dittofs_krm::yaml::parse_value(&first.stdout, dittofs_krm::yaml::Schema::Yaml12).unwrap();
    list.as_object_mut().unwrap().remove("results");
    for item in list["items"].as_array_mut().unwrap() {
        if item["kind"] == "DittoServer" {
            item["metadata"]["namespace"] = "new".into();
        } else if item["kind"] != "StorageClass" {
            item["metadata"]["namespace"] = "new".into();
            item["metadata"]["annotations"][MARKER] = "gone/nfs".into();
        }
    }
    let second = ok(&serde_yaml::to_string(&list).unwrap());
    let items = second.items();
    let objects = generated(&items);
    assert_eq!(objects.len(), 5, "{}", second.stdout);
    assert!(objects.iter().all(|o| o["metadata"]["annotations"][MARKER] == "new/nfs" && path(o).starts_with("old/nfs/")));
}

/// The DittoServer's spec in `output` (the previous output, the spec written there as `spec`)
/// with `annotations` (lines indented by eight spaces) as its `service.annotations`: the new
/// spec and the answer.
fn with_service_annotations(output: &str, spec: &str, annotations: &str) -> (String, Answer) {
    let new_spec = if annotations.is_empty() { SPEC.to_string() } else { format!("{SPEC}    service:\n      annotations:\n{annotations}") };
    assert!(output.contains(spec), "the spec as written: {output}");
    (new_spec.clone(), run(output.replacen(spec, &new_spec, 1).as_bytes()))
}

fn annotation<'v>(items: &'v [Value], service: &str, key: &str) -> Option<&'v str> {
    let service = items.iter().find(|i| i["kind"] == "Service" && i["metadata"]["name"] == service)?;
    service["metadata"]["annotations"][key].as_str()
}

#[test]
fn spec_annotations_follow_the_spec_on_every_run_whatever_their_prefix() {
    let keys = ["config.kubernetes.io/depends-on", "config.kubernetes.io/custom", "example.com/plain"];
    let mut output = ok(&format!("{HEADER}{}{CLASS}", server("nfs", None, "nfs.yaml"))).stdout;
    let mut spec = SPEC.to_string();
    // Set, changed, then taken out of the spec: the clients' own annotations stay throughout.
    for value in [Some("one"), Some("two"), None] {
        let lines: String = value.map(|v| keys.iter().map(|k| format!("        {k}: {v}\n")).collect()).unwrap_or_default();
        let answer;
        (spec, answer) = with_service_annotations(&output, &spec, &lines);
        assert_eq!(answer.code, 0, "{:#?}", answer.results());
        let items = answer.items();
        for service in ["nfs-file", "nfs-api"] {
            for key in keys {
                assert_eq!(annotation(&items, service, key), value, "{service} {key}\n{}", answer.stdout);
            }
            assert_eq!(annotation(&items, service, MARKER), Some("nfs"));
            assert_eq!(annotation(&items, service, "config.kubernetes.io/path"), Some(format!("nfs/service_{service}.yaml").as_str()));
        }
        output = answer.stdout;
    }
}

#[test]
fn the_spec_cannot_set_the_functions_marker() {
    let first = ok(&format!("{HEADER}{}{CLASS}", server("nfs", None, "nfs.yaml")));
    let (_, answer) = with_service_annotations(&first.stdout, SPEC, &format!("        {MARKER}: elsewhere/other\n"));
    assert_eq!(answer.code, 1, "{}", answer.stdout);
    let results = answer.results();
    let path = format!("spec.service.annotations[{MARKER}]");
    assert!(
        results.iter().any(|(s, m, p)| s == "error" && m.contains("the function's own annotation") && p.as_deref() == Some(path.as_str())),
        "{results:#?}"
    );
    // The previous objects stay as they were, still the server's: no orphan, nothing pruned.
    let before = first.items();
    let after = answer.items();
    assert_eq!(generated(&after), generated(&before));
    let again = run(answer.stdout.as_bytes());
    assert_eq!(generated(&again.items()), generated(&before), "the run after keeps them too");
}

#[test]
fn a_number_like_namespace_is_the_text_as_written_on_every_run() {
    // `0x1f` is a DNS label, and the integer 31 under YAML 1.2: the DittoServer, rewritten with
    // its local-config mark, must keep the namespace its objects were generated in.
    let input = format!("{HEADER}{}{CLASS}", server("nfs", Some("0x1f"), "nfs.yaml"));
    let first = ok(&input);
    let output: serde_yaml::Value = serde_yaml::from_str(&first.stdout).expect("the output is YAML");
    let items = output["items"].as_sequence().expect("items");
    assert_eq!(items.len(), 7, "{}", first.stdout);
    for item in items.iter().filter(|i| i["kind"] != "StorageClass") {
        assert_eq!(item["metadata"]["namespace"], serde_yaml::Value::from("0x1f"), "{:?}\n{}", item["kind"], first.stdout);
    }
    let second = ok(&first.stdout);
    assert_eq!(second.stdout, first.stdout, "f(f(x)) = f(x)");
}

#[test]
fn an_error_quotes_no_position_that_the_objects_of_an_earlier_run_shift() {
    // `a` expands, and its objects come after it: on the second run they stand between the
    // ResourceList's start and `b`, whose error must still read the same. The functionConfig's
    // error (which stops every expansion, so nothing moves it here) is counted in its own text
    // too.
    let broken = server("b", None, "b.yaml").replace("    name: b\n", "    name: b\n    name: b\n");
    let config = "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n    name: c\n";
    for (input, expected) in [
        (format!("{HEADER}{}{broken}{CLASS}", server("a", None, "a.yaml")), "the DittoServer is not valid YAML: line 5, column 9 of its text"),
        (format!("{HEADER}{}{CLASS}{config}", server("a", None, "a.yaml")), "functionConfig is not valid YAML: line 5, column 9 of its text"),
    ] {
        let first = run(input.as_bytes());
        assert_eq!(first.code, 1, "{}", first.stdout);
        let second = run(first.stdout.as_bytes());
        assert!(first.results().iter().any(|(_, m, _)| m.starts_with(expected)), "{:#?}", first.results());
        assert_eq!(second.results(), first.results(), "f(f(x)) reports other results than f(x)");
    }
}

#[test]
fn a_ditto_server_or_another_kind_carrying_the_marker_stays_the_users() {
    // The function generates neither a DittoServer nor a Deployment: an item of such a kind with
    // the marker (copied by hand, or by a fuzzer) is the user's. Once, the DittoServer was taken
    // for one of its own objects and dropped, its objects then pruned on the next run.
    let server = "- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: marked\n    annotations:\n      fn.dittofs.com/generated-from: marked\n  spec:\n    storage:\n      metadataSize: 1Gi\n      contentSize: 1Gi\n      cacheSize: 1Gi\n";
    let deployment = "- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: web\n    annotations:\n      fn.dittofs.com/generated-from: gone\n";
    let first = run(format!("{HEADER}{server}{deployment}").as_bytes());
    assert_eq!(first.code, 0, "{}", first.stderr);
    let kinds: Vec<String> = first.items().iter().map(|i| i["kind"].as_str().unwrap_or_default().to_string()).collect();
    assert!(kinds.contains(&"DittoServer".to_string()) && kinds.contains(&"Deployment".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"StatefulSet".to_string()), "{kinds:?}");
    let second = run(first.stdout.as_bytes());
    assert_eq!(second.stdout, first.stdout, "f(f(x)) = f(x)");
}
