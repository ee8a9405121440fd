//! The container's hardened securityContext: the defaults fill every field the user leaves out,
//! and every field the user sets (top-level field of `spec.securityContext`) wins.

use serde_json::{json, Value};

fn container_and_pod(spec_extra: &str) -> (Value, Value) {
    let input = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: dittofs.dittofs.com/v1alpha1\n  kind: DittoServer\n  metadata:\n    name: sc\n  spec:\n    storage:\n      metadataSize: 1Gi\n{spec_extra}"
    );
    let output = dittofs_krm::run(&input).expect("accepted");
    assert!(!output.has_errors(), "{:?}", output.results);
    let list = dittofs_krm::yaml::parse_value(&output.resource_list, dittofs_krm::yaml::Schema::Yaml12).expect("output parses");
    let sts = list["items"].as_array().expect("items").iter().find(|i| i["kind"] == "StatefulSet").expect("StatefulSet").clone();
    let pod = sts.pointer("/spec/template/spec").expect("pod spec").clone();
    (pod["containers"][0]["securityContext"].clone(), pod["securityContext"].clone())
}

const HARDENED: &str = r#"{"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true, "runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}}"#;

#[test]
fn defaults_without_a_user_security_context() {
    let (container, pod) = container_and_pod("");
    assert_eq!(container, serde_json::from_str::<Value>(HARDENED).unwrap());
    assert_eq!(pod, json!({"fsGroup": 65532}));
}

#[test]
fn user_fields_win_and_defaults_fill_the_rest() {
    let (container, _) = container_and_pod("    securityContext:\n      runAsNonRoot: false\n      runAsUser: 1000\n      readOnlyRootFilesystem: false\n");
    assert_eq!(
        container,
        json!({
            "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": false,
            "runAsNonRoot": false,
            "runAsUser": 1000,
            "seccompProfile": {"type": "RuntimeDefault"},
        })
    );
}

#[test]
fn every_default_can_be_overridden() {
    let (container, _) = container_and_pod(
        "    securityContext:\n      allowPrivilegeEscalation: true\n      readOnlyRootFilesystem: false\n      runAsNonRoot: false\n      capabilities:\n        add: [NET_BIND_SERVICE]\n      seccompProfile:\n        type: Localhost\n        localhostProfile: dittofs.json\n",
    );
    // Merged field by field, nested objects too: the user's `capabilities.add` keeps the default
    // `drop: [ALL]`.
    assert_eq!(
        container,
        json!({
            "allowPrivilegeEscalation": true,
            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
            "readOnlyRootFilesystem": false,
            "runAsNonRoot": false,
            "seccompProfile": {"localhostProfile": "dittofs.json", "type": "Localhost"},
        })
    );
}

#[test]
fn a_list_the_user_sets_replaces_the_default_list() {
    let (container, _) = container_and_pod("    securityContext:\n      capabilities:\n        drop: [NET_RAW]\n");
    assert_eq!(container["capabilities"], json!({"drop": ["NET_RAW"]}));
}

#[test]
fn a_null_field_counts_as_unset() {
    let (container, _) = container_and_pod("    securityContext:\n      allowPrivilegeEscalation: null\n      privileged: false\n");
    assert_eq!(container["allowPrivilegeEscalation"], json!(false), "the default fills a null");
    assert_eq!(container["privileged"], json!(false));
    assert_eq!(container["runAsNonRoot"], json!(true));
}

#[test]
fn an_empty_security_context_gets_every_default() {
    let (container, _) = container_and_pod("    securityContext: {}\n");
    assert_eq!(container, serde_json::from_str::<Value>(HARDENED).unwrap());
}

#[test]
fn pod_security_context_replaces_the_default_fs_group() {
    let (_, pod) = container_and_pod("    podSecurityContext:\n      runAsUser: 1001\n");
    assert_eq!(pod, json!({"runAsUser": 1001}));
}
