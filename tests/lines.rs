//! Which release line renders a DittoServer, and the info that says why, through the binary.

use crate::support::krm;
use serde_json::Value;

fn case(name: &str) -> krm::Answer {
    let path = format!("{}/tests/cases/{name}/input.yaml", env!("CARGO_MANIFEST_DIR"));
    krm::run(&std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

/// (severity, field path, message) of the results about `server`.
fn results(answer: &krm::Answer, server: &str) -> Vec<(String, String, String)> {
    let list: Value = serde_yaml::from_str(&answer.stdout).expect("a ResourceList");
    list["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["resourceRef"]["name"] == server)
        .map(|r| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (s(&r["severity"]), s(&r["field"]["path"]), s(&r["message"]))
        })
        .collect()
}

/// The binary of the StatefulSet named `server` in the output.
fn binary(answer: &krm::Answer, server: &str) -> Option<String> {
    let list: Value = serde_yaml::from_str(&answer.stdout).expect("a ResourceList");
    list["items"].as_array()?.iter().find(|i| i["kind"] == "StatefulSet" && i["metadata"]["name"] == server).and_then(|s| {
        s.pointer("/spec/template/spec/containers/0/command/0").and_then(Value::as_str).map(str::to_string)
    })
}

fn has(results: &[(String, String, String)], severity: &str, path: &str, fragment: &str) -> bool {
    results.iter().any(|(s, p, m)| s == severity && p == path && m.contains(fragment))
}

#[test]
fn a_release_in_the_image_chooses_its_line() {
    let answer = case("v029-sample");
    assert_eq!(answer.code, 0, "{}", answer.stderr);
    assert_eq!(binary(&answer, "team-files").as_deref(), Some("/app/dfs"));
    let r = results(&answer, "team-files");
    assert!(has(&r, "info", "spec.image", "rendered for the DittoFS v0.29 line (v0.29.0): spec.image \"marmos91c/dittofs:v0.29.0\""), "{r:#?}");

    let answer = case("sample-postgres");
    assert_eq!(binary(&answer, "pg-backed").as_deref(), Some("/app/dittofs"));
    assert!(has(&results(&answer, "pg-backed"), "info", "spec", "keeps the default line"));
}

#[test]
fn a_later_release_renders_for_the_newest_line_with_a_warning_and_an_unknown_one_is_an_error() {
    let answer = case("rule-line-release");
    assert_eq!(answer.code, 1);
    let later = results(&answer, "later");
    assert_eq!(binary(&answer, "later").as_deref(), Some("/app/dfs"));
    assert!(has(&later, "warning", "spec.image", "checked against v0.29.0"), "{later:#?}");
    let between = results(&answer, "between");
    assert_eq!(binary(&answer, "between"), None);
    assert!(has(&between, "error", "spec.image", "v0.4.x (checked against v0.4.2) and v0.29.x (checked against v0.29.0)"), "{between:#?}");
}

#[test]
fn without_a_release_the_fields_choose_and_fields_of_both_lines_are_an_error() {
    let answer = case("rule-line-by-fields");
    assert_eq!(binary(&answer, "by-fields").as_deref(), Some("/app/dfs"));
    let r = results(&answer, "by-fields");
    assert!(has(&r, "info", "spec.storage.controlPlaneSize", "spec.storage.controlPlaneSize, spec.logging only the v0.29 API has"), "{r:#?}");

    let answer = case("rule-line-mixed-fields");
    assert_eq!(answer.code, 1);
    assert_eq!(binary(&answer, "mixed"), None);
    let r = results(&answer, "mixed");
    assert!(has(&r, "error", "spec", "spec.storage.cacheSize of the v0.4 API; spec.storage.controlPlaneSize of the v0.29 API"), "{r:#?}");
}

#[test]
fn without_a_release_the_previous_render_keeps_its_line() {
    let answer = case("rule-line-previous");
    assert_eq!(answer.code, 0, "{}", answer.stdout);
    assert_eq!(binary(&answer, "rule-line-previous").as_deref(), Some("/app/dfs"));
    assert!(has(&results(&answer, "rule-line-previous"), "info", "spec", "previous StatefulSet was rendered for v0.29"));
}

#[test]
fn a_release_of_another_line_than_the_previous_render_is_an_error_that_keeps_the_objects_until_acknowledged() {
    let path = format!("{}/tests/cases/rule-line-switch/input.yaml", env!("CARGO_MANIFEST_DIR"));
    let input = std::fs::read_to_string(&path).unwrap();
    let answer = krm::run(input.as_bytes());
    assert_eq!(answer.code, 1);
    let r = results(&answer, "rule-line-switch");
    assert!(has(&r, "error", "spec.image", "moves the server from the v0.4 line to the v0.29 line"), "{r:#?}");
    assert!(r.iter().any(|(_, _, m)| m.contains("The previous objects are kept")));
    assert!(r.iter().any(|(_, _, m)| m.contains("volumeClaimTemplates cannot change")));
    assert_eq!(binary(&answer, "rule-line-switch").as_deref(), Some("/app/dittofs"));
    let given: Value = serde_yaml::from_str(&input).unwrap();
    let out: Value = serde_yaml::from_str(&answer.stdout).unwrap();
    let sts = |list: &Value| list["items"].as_array().unwrap().iter().find(|i| i["kind"] == "StatefulSet").cloned();
    assert_eq!(sts(&given), sts(&out), "the previous StatefulSet is kept as it was");
}

#[test]
fn the_other_lines_fields_are_errors_that_name_what_replaced_them() {
    let answer = case("rule-v029-v04-fields");
    assert_eq!(answer.code, 1);
    let r = results(&answer, "moved");
    for (path, fragment) in [
        ("spec.storage.cacheSize", "the cache is RAM-only"),
        ("spec.cache", "the cache is RAM-only"),
        ("spec.nfsPort", "declare it in spec.adapters"),
        ("spec.smb", "declare it in spec.adapters (type smb"),
        ("spec.s3", "S3 credentials belong to each block store"),
        ("spec.identity.jwt.issuer", "always \"dittofs\""),
    ] {
        assert!(has(&r, "error", path, fragment), "{path}: {r:#?}");
    }
    let answer = case("rule-v04-v029-fields");
    let r = results(&answer, "pinned");
    for path in ["spec.storage.controlPlaneSize", "spec.logging", "spec.metrics.path"] {
        assert!(has(&r, "error", path, "is not a field of the DittoFS v0.4 API"), "{path}: {r:#?}");
    }
}

/// The ServiceMonitor selects the metrics Service by its labels and scrapes a port the Service
/// names, with the token the server requires (monitoring.coreos.com/v1 `Endpoint`).
#[test]
fn the_service_monitor_scrapes_the_metrics_service() {
    let answer = case("v029-postgres-metrics");
    assert_eq!(answer.code, 0, "{}", answer.stderr);
    let list: Value = serde_yaml::from_str(&answer.stdout).unwrap();
    let items = list["items"].as_array().unwrap();
    let find = |kind: &str, name: &str| items.iter().find(|i| i["kind"] == kind && i["metadata"]["name"] == name).cloned().unwrap();
    let monitor = find("ServiceMonitor", "pg-files-metrics");
    let service = find("Service", "pg-files-metrics");
    assert_eq!(monitor["apiVersion"], "monitoring.coreos.com/v1");
    let selector = monitor["spec"]["selector"]["matchLabels"].as_object().unwrap();
    assert!(selector.iter().all(|(k, v)| &service["metadata"]["labels"][k] == v), "{selector:?}");
    assert_eq!(monitor["metadata"]["labels"]["release"], "kube-prometheus-stack");
    assert_eq!(monitor["spec"]["namespaceSelector"]["matchNames"][0], "files");
    let endpoint = &monitor["spec"]["endpoints"][0];
    assert!(service["spec"]["ports"].as_array().unwrap().iter().any(|p| p["name"] == endpoint["port"]), "{endpoint}");
    assert_eq!((endpoint["path"].as_str(), endpoint["interval"].as_str()), (Some("/metrics"), Some("30s")));
    assert_eq!(endpoint["bearerTokenSecret"]["name"], "pg-files-scrape");
    assert_eq!(endpoint["bearerTokenSecret"]["key"], "token");
    // The server reads the same token from the file its config names, mounted from that Secret.
    let sts = find("StatefulSet", "pg-files");
    let volume = sts["spec"]["template"]["spec"]["volumes"].as_array().unwrap().iter().find(|v| v["name"] == "metrics-token").cloned().unwrap();
    assert_eq!(volume["secret"]["secretName"], "pg-files-scrape");
    assert_eq!(volume["secret"]["items"][0]["key"], "token");
}
