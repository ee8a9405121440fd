//! `dittofs-krm build` through the real binary: files, directories, stdin, exit codes.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::support::krm::build;

const SERVER: &str = "apiVersion: dittofs.dittofs.com/v1alpha1\nkind: DittoServer\nmetadata:\n  name: nas\nspec:\n  storage:\n    metadataSize: 1Gi\n";

fn config_map(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n")
}

fn names(stream: &str) -> Vec<String> {
    stream
        .split("---\n")
        .map(|doc| {
            let v: serde_yaml::Value = serde_yaml::from_str(doc).expect("each document is YAML");
            format!("{}/{}", v["kind"].as_str().unwrap(), v["metadata"]["name"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn directories_are_read_recursively_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("b/c")).unwrap();
    fs::create_dir_all(root.join(".hidden")).unwrap();
    fs::write(root.join("b/c/z.yml"), config_map("z")).unwrap();
    fs::write(root.join("b/a.yaml"), config_map("a")).unwrap();
    fs::write(root.join("0.yaml"), format!("{}---\n{}", config_map("first"), config_map("second"))).unwrap();
    fs::write(root.join("notes.txt"), "not: a manifest\n").unwrap();
    fs::write(root.join(".hidden/x.yaml"), "not: a manifest\n").unwrap();
    fs::write(root.join("server.yaml"), SERVER.replace("1Gi", "1Gi\n    storageClassName: fast")).unwrap();

    let (code, stdout, stderr) = build(root, &["."], "");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        names(&stdout),
        [
            "ConfigMap/a",
            "ConfigMap/first",
            "ConfigMap/nas-config",
            "ConfigMap/second",
            "ConfigMap/z",
            "Service/nas-api",
            "Service/nas-file",
            "Service/nas-headless",
            "StatefulSet/nas"
        ],
        "every manifest below the directory, hidden entries and other files skipped, in kustomize's order"
    );
    assert!(!stdout.contains("config.kubernetes.io/"), "client annotations are removed");
    assert!(stderr.contains("[warning] dittofs.dittofs.com/v1alpha1/DittoServer/nas spec.storage.storageClassName:"), "results go to stderr: {stderr}");
}

#[test]
fn stdin_and_files_mix() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("one.yaml"), config_map("one")).unwrap();
    let (code, stdout, stderr) = build(dir.path(), &["one.yaml", "-"], &config_map("two"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(names(&stdout), ["ConfigMap/one", "ConfigMap/two"]);
}

#[test]
fn an_error_result_prints_nothing_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("server.yaml"), SERVER.replace("1Gi", "1GB")).unwrap();
    fs::write(dir.path().join("other.yaml"), config_map("other")).unwrap();
    let (code, stdout, stderr) = build(dir.path(), &["."], "");
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(stderr.contains("[error] dittofs.dittofs.com/v1alpha1/DittoServer/nas spec.storage.metadataSize:"), "{stderr}");
}

#[test]
fn an_empty_stream_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = build(dir.path(), &["."], "");
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(stderr.contains("no object to apply"), "{stderr}");
}

#[test]
fn usage_and_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = build(dir.path(), &[], "");
    assert_eq!((code, stdout.as_str()), (3, ""));
    let (code, _, stderr) = build(dir.path(), &["missing.yaml"], "");
    assert_eq!(code, 3, "{stderr}");
    let (code, stdout, stderr) = build(dir.path(), &["-"], "a: [\n");
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.contains("stdin: not valid YAML"), "{stderr}");
    let (code, _, stderr) = build(dir.path(), &["-", "--", "storageClassCheck"], &config_map("x"));
    assert_eq!(code, 3, "{stderr}");
}

#[test]
fn settings_after_double_dash_configure_the_function() {
    let dir = tempfile::tempdir().unwrap();
    let server = SERVER.replace("metadataSize: 1Gi", "metadataSize: 1Gi\n    storageClassName: fast");
    fs::write(dir.path().join("server.yaml"), server).unwrap();
    let jwt = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: nas-jwt-secret\nstringData:\n  jwt-secret: a-signing-secret-of-32-characters-or-more\n";
    fs::write(dir.path().join("jwt.yaml"), jwt).unwrap();
    let (code, _, stderr) = build(dir.path(), &[".", "--", "storageClassCheck=strict"], "");
    assert_eq!(code, 1, "{stderr}");
    let (code, _, stderr) = build(dir.path(), &[".", "--", "storageClassCheck=off"], "");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.lines().all(|l| l.starts_with("[info] ")), "{stderr}");
    // The typed configuration reads as kpt sends it (YAML 1.2): `off` is the word, not YAML
    // 1.1's `false`, exactly as the README writes it.
    let typed = "apiVersion: fn.dittofs.com/v1alpha1\nkind: DittoServerExpansion\nmetadata:\n  name: dittofs-krm\nstorageClassCheck: off\n";
    fs::write(dir.path().join("fn.yaml"), typed).unwrap();
    let (code, _, typed_stderr) = build(dir.path(), &["."], "");
    assert_eq!((code, typed_stderr.as_str()), (0, stderr.as_str()));
}

// --- nothing dropped in silence --------------------------------------------------------------

#[test]
fn a_ditto_server_of_another_version_fails_the_build() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("server.yaml"), SERVER.replace("v1alpha1", "v1beta1")).unwrap();
    fs::write(dir.path().join("other.yaml"), config_map("other")).unwrap();
    let (code, stdout, stderr) = build(dir.path(), &["."], "");
    assert_eq!((code, stdout.as_str()), (1, ""), "{stderr}");
    assert!(
        stderr.contains("[error] dittofs.dittofs.com/v1beta1/DittoServer/nas apiVersion: apiVersion dittofs.dittofs.com/v1beta1 is not supported"),
        "{stderr}"
    );
}

/// The function under kpt: a ResourceList holding `items` (each a document's text) on stdin.
fn function(items: &[&str]) -> (i32, String, String) {
    let mut list = String::from("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n");
    for item in items {
        for (i, line) in item.lines().enumerate() {
            list.push_str(if i == 0 { "- " } else { "  " });
            list.push_str(line);
            list.push('\n');
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dittofs-krm"))
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dittofs-krm starts");
    child.stdin.take().expect("stdin").write_all(list.as_bytes()).unwrap();
    let out = child.wait_with_output().expect("dittofs-krm finishes");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn error_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("[error]")).collect()
}

/// The objects of a stream or of a ResourceList's items, DittoServers and the clients'
/// annotations left out, by kind and name.
fn objects(documents: Vec<serde_json::Value>) -> Vec<serde_json::Value> {
    let mut out: Vec<serde_json::Value> = documents
        .into_iter()
        .filter(|d| d["kind"] != "DittoServer")
        .map(|mut d| {
            let annotations = d["metadata"]["annotations"].as_object_mut().unwrap();
            annotations.retain(|k, _| !k.starts_with("config.kubernetes.io/") && !k.starts_with("internal.config.kubernetes.io/"));
            d
        })
        .collect();
    out.sort_by_key(|d| format!("{}/{}", d["kind"], d["metadata"]["name"]));
    out
}

#[test]
fn a_ditto_server_means_in_build_what_it_means_under_kpt() {
    let dir = tempfile::tempdir().unwrap();
    // `yes` is true under YAML 1.1 (kubectl's reading, which build keeps for what it applies) and
    // the string "yes" under YAML 1.2 (the function's reading under kpt and kustomize): both
    // modes read a DittoServer as the function does, so both reject it the same way.
    let server = SERVER.replace("spec:\n", "spec:\n  metrics:\n    enabled: yes\n");
    let (code, stdout, stderr) = build(dir.path(), &["-"], &server);
    let (fn_code, _, fn_stderr) = function(&[&server]);
    assert_eq!((code, fn_code), (1, 1), "build: {stderr}\nfunction: {fn_stderr}");
    assert!(stdout.is_empty());
    assert_eq!(error_lines(&stderr), error_lines(&fn_stderr));
    assert!(error_lines(&stderr).iter().any(|l| l.contains("spec.metrics.enabled")), "{stderr}");

    // A value YAML 1.1 would turn into a boolean stays the string the function reads, so both
    // modes give the same objects.
    let server = SERVER.replace("spec:\n", "spec:\n  service:\n    annotations:\n      example.com/public: yes\n");
    let (code, stdout, stderr) = build(dir.path(), &["-"], &server);
    assert_eq!(code, 0, "{stderr}");
    let (fn_code, fn_stdout, fn_stderr) = function(&[&server]);
    assert_eq!(fn_code, 0, "{fn_stderr}");
    let built: Vec<serde_json::Value> = stdout.split("---\n").map(|d| serde_yaml::from_str(d).unwrap()).collect();
    let list: serde_json::Value = serde_yaml::from_str(&fn_stdout).unwrap();
    let expanded = objects(list["items"].as_array().unwrap().clone());
    assert_eq!(objects(built), expanded);
    let file = expanded.iter().find(|d| d["metadata"]["name"] == "nas-file").unwrap();
    assert_eq!(file["metadata"]["annotations"]["example.com/public"], "yes");
}

#[test]
fn an_object_with_a_quoted_merge_key_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let odd = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\ndata:\n  \"<<\": x\n";
    fs::write(dir.path().join("odd.yaml"), format!("{odd}---\n{}", config_map("plain"))).unwrap();
    let (code, stdout, stderr) = build(dir.path(), &["."], "");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(names(&stdout), ["ConfigMap/odd", "ConfigMap/plain"]);
    // serde_yaml without merging: the key is the string `<<`.
    let odd: serde_yaml::Value = serde_yaml::from_str(stdout.split("---\n").next().unwrap()).unwrap();
    assert_eq!(odd["data"]["<<"], serde_yaml::Value::from("x"), "{stdout}");
}

#[test]
fn a_local_tag_in_an_object_kubectl_applies_is_read_as_kubectl_reads_it() {
    // kubectl's go-yaml v2 resolves only the core tags: `!Ref x` is the string "x", and a tagged
    // mapping is a mapping. `build` prints what kubectl would apply.
    let dir = tempfile::tempdir().unwrap();
    let tagged = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tagged\ndata:\n  ref: !Ref x\n  sub: !Sub '${A}'\nextra: !Custom {a: b}\n";
    fs::write(dir.path().join("a.yaml"), tagged).unwrap();
    let (code, stdout, stderr) = build(dir.path(), &["."], "");
    assert_eq!(code, 0, "{stderr}");
    let printed: serde_yaml::Value = serde_yaml::from_str(&stdout).unwrap();
    assert_eq!(printed["data"]["ref"], serde_yaml::Value::from("x"), "{stdout}");
    assert_eq!(printed["data"]["sub"], serde_yaml::Value::from("${A}"), "{stdout}");
    assert_eq!(printed["extra"]["a"], serde_yaml::Value::from("b"), "{stdout}");
}

#[test]
fn a_number_like_name_is_the_name_as_written() {
    // Once read from the YAML 1.1 value, where `0x1F` is 31: a duplicate of the ConfigMap "31".
    let dir = tempfile::tempdir().unwrap();
    let hex = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 0x1F\n";
    fs::write(dir.path().join("a.yaml"), format!("{hex}---\n{}", config_map("\"31\""))).unwrap();
    let (code, stdout, stderr) = build(dir.path(), &["."], "");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.matches("kind: ConfigMap").count(), 2, "{stdout}");
}

#[test]
fn an_object_nested_deeper_than_the_yaml_readers_limit_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 140;
    let mut nested = serde_json::json!("leaf");
    for _ in 0..depth {
        nested = serde_json::json!({ "k": nested });
    }
    let deep = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deep"}, "x": nested});
    fs::write(dir.path().join("deep.yaml"), serde_json::to_string(&deep).unwrap()).unwrap();
    fs::write(dir.path().join("plain.yaml"), config_map("plain")).unwrap();
    let (code, stdout, stderr) = build(dir.path(), &["."], "");
    assert_eq!(code, 0, "{stderr}");
    let docs = dittofs_krm::yaml::parse_stream(&stdout, dittofs_krm::yaml::Schema::Yaml11).expect("the stream is YAML");
    assert_eq!(docs.len(), 2, "{stdout}");
    assert_eq!(docs[0], deep, "the deep object, unchanged");
}

#[test]
fn a_key_longer_than_1024_characters_is_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let key = "k".repeat(1100);
    let long = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "long"}, "data": {key.clone(): "v"}});
    fs::write(dir.path().join("long.yaml"), serde_json::to_string(&long).unwrap()).unwrap();
    let (code, stdout, stderr) = build(dir.path(), &["."], "");
    assert!(!stderr.contains("panicked") && code != 101, "{stderr}");
    // YAML allows an implicit key of at most 1,024 characters. Either the stream reads back with
    // the key, or the build fails naming the object: never a stream kubectl cannot read.
    if code == 0 {
        let docs = dittofs_krm::yaml::parse_stream(&stdout, dittofs_krm::yaml::Schema::Yaml11).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        assert_eq!(docs, [long]);
    } else {
        assert_eq!((code, stdout.as_str()), (1, ""), "{stderr}");
        assert!(stderr.contains("[error] v1/ConfigMap/long: this object cannot be written as YAML that reads back"), "{stderr}");
    }
}

// --- a stream that applies -------------------------------------------------------------------

#[test]
fn the_argocd_example_puts_the_namespace_first() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/argocd/app");
    let (code, stdout, stderr) = build(&app, &["."], "");
    assert_eq!(code, 0, "{stderr}");
    let kinds: Vec<String> = names(&stdout).into_iter().map(|n| n.split('/').next().unwrap().to_string()).collect();
    let count = |kind: &str, n: usize| std::iter::repeat_n(kind.to_string(), n);
    let expected: Vec<String> = count("Namespace", 1)
        .chain(count("ConfigMap", 2))
        .chain(count("Secret", 3))
        .chain(count("Service", 8))
        .chain(count("StatefulSet", 2))
        .chain(count("NetworkPolicy", 3))
        .collect();
    assert_eq!(kinds, expected, "{stdout}");
}

/// kustomize's legacy order (kustomize `api/resid/gvk.go`), as the test's own copy.
const KUSTOMIZE_FIRST: &[&str] = &[
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy", "Role",
    "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
    "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
];
const KUSTOMIZE_LAST: &[&str] = &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

fn rank(kind: &str) -> i64 {
    match (KUSTOMIZE_FIRST.iter().position(|k| *k == kind), KUSTOMIZE_LAST.iter().position(|k| *k == kind)) {
        (Some(i), _) => i as i64 - 100,
        (None, Some(i)) => 100 + i as i64,
        (None, None) => 0,
    }
}

/// (apiVersion, kind, namespaced) of the objects the property draws from: every ranked kind
/// and custom resources of a CRD.
fn kinds() -> Vec<(&'static str, &'static str, bool)> {
    let api = |k: &str| match k {
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => "rbac.authorization.k8s.io/v1",
        "StorageClass" => "storage.k8s.io/v1",
        "CustomResourceDefinition" => "apiextensions.k8s.io/v1",
        "PodSecurityPolicy" => "policy/v1beta1",
        "PodDisruptionBudget" => "policy/v1",
        "PriorityClass" => "scheduling.k8s.io/v1",
        "Deployment" | "StatefulSet" => "apps/v1",
        "CronJob" => "batch/v1",
        "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => "admissionregistration.k8s.io/v1",
        _ => "v1",
    };
    let cluster = ["Namespace", "StorageClass", "CustomResourceDefinition", "PodSecurityPolicy", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "PersistentVolume", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];
    let mut out: Vec<_> = KUSTOMIZE_FIRST.iter().chain(KUSTOMIZE_LAST).map(|k| (api(k), *k, !cluster.contains(k))).collect();
    out.extend([("example.com/v1", "Widget", true), ("apps.example.org/v2", "Gadget", true), ("v1", "Pod", true)]);
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// Whatever order the manifests come in, the stream holds every object once, in kustomize's
    /// order: every Namespace and CRD before any object that needs them, kinds by rank.
    #[test]
    fn any_input_order_gives_kustomizes_order(picks in proptest::collection::vec((0usize..100, 0usize..3), 1..30)) {
        let kinds = kinds();
        let dir = tempfile::tempdir().unwrap();
        let mut expected = Vec::new();
        let mut text = String::new();
        for (n, (k, name)) in picks.iter().enumerate() {
            let (api_version, kind, namespaced) = kinds[k % kinds.len()];
            let name = format!("o{name}-{n}");
            let namespace = if namespaced { "  namespace: app\n" } else { "" };
            text.push_str(&format!("---\napiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {name}\n{namespace}"));
            expected.push(format!("{kind}/{name}"));
        }
        fs::write(dir.path().join("all.yaml"), text).unwrap();
        let (code, stdout, stderr) = build(dir.path(), &["."], "");
        proptest::prop_assert_eq!(code, 0, "{}", stderr);
        let got = names(&stdout);
        let mut sorted_got = got.clone();
        sorted_got.sort();
        expected.sort();
        proptest::prop_assert_eq!(&sorted_got, &expected, "every object once");
        let ranks: Vec<i64> = got.iter().map(|n| rank(n.split('/').next().unwrap())).collect();
        proptest::prop_assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "kinds out of order: {:?}", got);
        let first_other = got.iter().position(|n| !n.starts_with("Namespace/")).unwrap_or(got.len());
        proptest::prop_assert!(got[first_other..].iter().all(|n| !n.starts_with("Namespace/")), "Namespaces first: {:?}", got);
        let last_crd = got.iter().rposition(|n| n.starts_with("CustomResourceDefinition/"));
        let first_custom = got.iter().position(|n| ["Widget/", "Gadget/"].iter().any(|k| n.starts_with(k)));
        if let (Some(crd), Some(custom)) = (last_crd, first_custom) {
            proptest::prop_assert!(crd < custom, "CRDs before custom resources: {:?}", got);
        }
    }
}
