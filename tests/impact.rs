//! What a render does to the running server (`impact` results), through the real binary: each
//! kind of edit in the function's table has a golden case (`tests/cases/impact-*`) whose results
//! carry its tag; the render of a render says nothing more; an acknowledged edit goes through
//! once; `build --previous` says the same as function mode. Outputs are read with serde_yaml,
//! not with the function's reader. (The README's table of edits is checked in `impact::edits`.)

use std::fs;
use std::path::{Path, PathBuf};

use dittofs_krm::impact::acknowledge::{ACKNOWLEDGE_TAG, IMPACT_TAG};
use dittofs_krm::impact::EDITS;
use serde_json::Value;

use super::support::krm::{build, run, Answer};

fn cases() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases"))
        .expect("tests/cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("impact-")))
        .collect();
    found.sort();
    found
}

/// Every result of the output, as JSON.
fn results(answer: &Answer) -> Vec<Value> {
    let Some(at) = answer.stdout.find("\nresults:\n") else { return Vec::new() };
    let list: serde_yaml::Value = serde_yaml::from_str(&answer.stdout[at..]).expect("results are YAML");
    let list: Value = serde_json::to_value(list).expect("JSON");
    list["results"].as_array().cloned().unwrap_or_default()
}

fn impacts(answer: &Answer) -> Vec<Value> {
    results(answer).into_iter().filter(|r| r["tags"][IMPACT_TAG].is_string()).collect()
}

fn tag<'r>(result: &'r Value, key: &str) -> &'r str {
    result["tags"][key].as_str().unwrap_or_default()
}

/// The output ResourceList as the next run's input.
fn rerun(answer: &Answer) -> Answer {
    run(answer.stdout.as_bytes())
}

fn stateful_set(answer: &Answer) -> Value {
    answer.items().into_iter().find(|i| i["kind"] == "StatefulSet").expect("a StatefulSet")
}

#[test]
fn each_edit_of_the_table_has_a_case_whose_results_carry_its_tag_and_severity() {
    let mut seen = Vec::new();
    for case in cases() {
        let answer = run(&fs::read(case.join("input.yaml")).expect("input"));
        answer.assert_no_panic();
        for r in impacts(&answer) {
            let id = tag(&r, IMPACT_TAG);
            let edit = EDITS.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{}: unknown tag {id}", case.display()));
            let acknowledged = r["message"].as_str().unwrap_or_default().starts_with("acknowledged by ");
            let expected = match edit.severity {
                dittofs_krm::krm::Severity::Error if acknowledged => "warning",
                dittofs_krm::krm::Severity::Error => "error",
                dittofs_krm::krm::Severity::Warning => "warning",
                dittofs_krm::krm::Severity::Info => "info",
            };
            assert_eq!(r["severity"], expected, "{}: {r}", case.display());
            // Every impact result names the DittoServer's field (or the removed server's
            // StatefulSet) and the file it is in.
            assert!(r["field"]["path"].is_string() && r["resourceRef"]["name"].is_string(), "{}: {r}", case.display());
            if expected == "error" {
                assert_eq!(answer.code, 1, "{}", case.display());
                assert!(!tag(&r, ACKNOWLEDGE_TAG).is_empty(), "an error says how to acknowledge it: {r}");
            }
            seen.push(id.to_string());
        }
    }
    for e in EDITS {
        assert!(seen.iter().any(|s| s == e.id), "no case reports {}", e.id);
    }
}

#[test]
fn the_render_of_a_render_reports_no_impact() {
    for case in cases() {
        let first = run(&fs::read(case.join("input.yaml")).expect("input"));
        let second = rerun(&first);
        if first.code == 1 {
            // Blocked: the previous objects were kept, so the second run finds the same edit.
            assert_eq!(impacts(&second), impacts(&first), "{}", case.display());
            assert_eq!(second.stdout, first.stdout, "{}", case.display());
        } else {
            assert_eq!(impacts(&second), Vec::<Value>::new(), "{}", case.display());
        }
    }
}

#[test]
fn the_unchanged_server_labels_added_later_and_a_server_starting_say_nothing() {
    for case in ["impact-unchanged", "impact-pipeline-labels", "impact-replicas-from-zero"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases").join(case).join("input.yaml");
        let answer = run(&fs::read(path).expect("input"));
        assert_eq!(impacts(&answer), Vec::<Value>::new(), "{case}");
        assert_eq!(answer.code, 0, "{case}");
    }
}

/// The growing claim's case: kept until acknowledged, then written, then quiet.
#[test]
fn an_acknowledged_edit_goes_through_once_and_then_says_nothing() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/impact-claim-grows/input.yaml");
    let input = fs::read_to_string(path).expect("input");
    let blocked = run(input.as_bytes());
    assert_eq!(blocked.code, 1);
    let before: Value = {
        let list: serde_yaml::Value = serde_yaml::from_str(&input).expect("input is YAML");
        let list: Value = serde_json::to_value(list).expect("JSON");
        list["items"].as_array().expect("items").iter().find(|i| i["kind"] == "StatefulSet").cloned().expect("StatefulSet")
    };
    assert_eq!(stateful_set(&blocked), before, "an edit Kubernetes rejects keeps the previous StatefulSet");
    let error = impacts(&blocked).into_iter().find(|r| r["severity"] == "error").expect("an error");
    let fingerprint = tag(&error, ACKNOWLEDGE_TAG).to_string();
    assert!(error["message"].as_str().unwrap().contains("cache-nas-0"), "names the PVC to patch: {error}");

    let acknowledged = input.replacen(
        "config.kubernetes.io/local-config: 'true'\n  spec:",
        &format!("config.kubernetes.io/local-config: 'true'\n      fn.dittofs.com/acknowledge-impact: '{fingerprint}'\n  spec:"),
        1,
    );
    assert_ne!(acknowledged, input, "the DittoServer's annotations were found");
    let written = run(acknowledged.as_bytes());
    assert_eq!(written.code, 0, "{}", written.stdout);
    let templates = stateful_set(&written)["spec"]["volumeClaimTemplates"].clone();
    let cache = templates.as_array().unwrap().iter().find(|t| t["metadata"]["name"] == "cache").expect("cache claim").clone();
    assert_eq!(cache["spec"]["resources"]["requests"]["storage"], "8Gi");
    let reported = impacts(&written);
    assert!(reported.iter().any(|r| r["severity"] == "warning" && tag(r, IMPACT_TAG) == "claim-grows"), "{reported:?}");

    assert_eq!(impacts(&rerun(&written)), Vec::<Value>::new());

    let stale = acknowledged.replace(&fingerprint, "0123456789");
    let refused = run(stale.as_bytes());
    assert_eq!(refused.code, 1, "an acknowledgement of another edit lets nothing through");
    assert!(impacts(&refused).iter().any(|r| r["message"].as_str().unwrap().contains("another edit")));
}

fn server(name: &str, cache: &str, extra_annotations: &str) -> String {
    format!(
        "apiVersion: dittofs.dittofs.com/v1alpha1\nkind: DittoServer\nmetadata:\n  name: {name}\n  annotations:\n    note: x\n{extra_annotations}spec:\n  image: marmos91c/dittofs:v0.4.2\n  storage:\n    metadataSize: 1Gi\n    cacheSize: {cache}\n    storageClassName: fast\n"
    )
}

const CLASS: &str = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: fast\nprovisioner: ebs.csi.aws.com\nallowVolumeExpansion: true\n";

/// An application directory holding `manifests`, and the stream a build of `previous` printed.
fn app(manifests: &[(&str, String)], previous: &[(&str, String)]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in previous {
        fs::write(dir.path().join(name), text).expect("write");
    }
    let (code, stream, stderr) = build(dir.path(), &["."], "");
    assert_eq!(code, 0, "{stderr}");
    for (name, _) in previous {
        fs::remove_file(dir.path().join(name)).expect("remove");
    }
    for (name, text) in manifests {
        fs::write(dir.path().join(name), text).expect("write");
    }
    (dir, stream)
}

#[test]
fn build_against_the_previous_stream_says_what_function_mode_says() {
    let old = [("nas.yaml", server("nas", "1Gi", "")), ("class.yaml", CLASS.to_string())];
    let grown = [("nas.yaml", server("nas", "2Gi", "")), ("class.yaml", CLASS.to_string())];
    let (dir, previous) = app(&grown, &old);
    let outside = tempfile::tempdir().expect("tempdir");
    let previous_file = outside.path().join("previous.yaml");
    fs::write(&previous_file, &previous).expect("write");
    let previous_path = previous_file.to_string_lossy().to_string();

    // A file, a directory, and stdin name the same previous stream.
    let (code, stdout, stderr) = build(dir.path(), &[".", "--previous", &previous_path], "");
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout, "", "nothing is printed on an error");
    assert!(stderr.contains("claim \"cache\" grows from 1Gi to 2Gi") && stderr.contains("cache-nas-0"), "{stderr}");
    assert!(stderr.contains("StorageClass \"fast\" allows volume expansion"), "{stderr}");
    let (code_dir, _, stderr_dir) = build(dir.path(), &[".", "--previous", &outside.path().to_string_lossy()], "");
    let (code_stdin, _, stderr_stdin) = build(dir.path(), &[".", "--previous", "-"], &previous);
    assert_eq!((code_dir, &stderr_dir), (1, &stderr));
    assert_eq!((code_stdin, &stderr_stdin), (1, &stderr.replace(&previous_path, "stdin")));

    let fingerprint = stderr.split("acknowledge-impact: \"").nth(1).and_then(|r| r.split('"').next()).expect("a fingerprint").to_string();
    let acknowledged = server("nas", "2Gi", &format!("    fn.dittofs.com/acknowledge-impact: \"{fingerprint}\"\n"));
    fs::write(dir.path().join("nas.yaml"), &acknowledged).expect("write");
    let (code, stdout, stderr) = build(dir.path(), &[".", "--previous", &previous_path], "");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("[warning]") && stderr.contains("acknowledged by fn.dittofs.com/acknowledge-impact"), "{stderr}");
    assert!(stdout.contains("storage: 2Gi"), "{stdout}");

    // Against its own stream, a build reports what it reports without one: no impact.
    fs::write(&previous_file, &stdout).expect("write");
    let (code, again, stderr_again) = build(dir.path(), &[".", "--previous", &previous_path], "");
    let (_, _, stderr_alone) = build(dir.path(), &["."], "");
    assert_eq!((code, &again, &stderr_again), (0, &stdout, &stderr_alone));
}

#[test]
fn build_names_the_pvcs_of_a_removed_server() {
    let both = [("nas.yaml", server("nas", "1Gi", "")), ("web.yaml", server("web", "1Gi", "")), ("class.yaml", CLASS.to_string())];
    let one = [("web.yaml", server("web", "1Gi", "")), ("class.yaml", CLASS.to_string())];
    let (dir, previous) = app(&one, &both);
    let (code, stdout, stderr) = build(dir.path(), &[".", "--previous", "-"], &previous);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("name: nas"), "the removed server's objects are gone");
    assert!(
        stderr.contains("[warning]") && stderr.contains("\"nas\" is gone") && stderr.contains("metadata-nas-0") && stderr.contains("cache-nas-0"),
        "{stderr}"
    );
}

/// Every case through `build --previous`: its DittoServers, Secrets and StorageClasses as the
/// application's manifests, its previously generated objects as the previous stream. `build`
/// says what function mode says about applying it, severity for severity, and fails alike.
#[test]
fn every_case_says_the_same_in_build_against_its_previous_stream() {
    for case in cases() {
        let input = fs::read_to_string(case.join("input.yaml")).expect("input");
        let answer = run(input.as_bytes());
        let list: serde_yaml::Value = serde_yaml::from_str(&input).expect("input is YAML");
        let items = list["items"].as_sequence().expect("items").clone();
        let generated = |i: &serde_yaml::Value| i["metadata"]["annotations"]["fn.dittofs.com/generated-from"].is_string();
        let stream = |keep: &dyn Fn(&serde_yaml::Value) -> bool| {
            items.iter().filter(|i| keep(i)).map(|i| serde_yaml::to_string(i).expect("YAML")).collect::<Vec<_>>().join("---\n")
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let app = dir.path().join("app");
        fs::create_dir(&app).expect("app");
        fs::write(app.join("manifests.yaml"), stream(&|i| !generated(i))).expect("write");
        let previous = dir.path().join("previous.yaml");
        fs::write(&previous, stream(&generated)).expect("write");

        let (code, _, stderr) = build(&app, &[".", "--previous", &previous.to_string_lossy()], "");
        assert_eq!(code, answer.code, "{}: {stderr}", case.display());
        let expected = impacts(&answer);
        for r in &expected {
            let line_end = format!(": {}", r["message"].as_str().unwrap_or_default().replace('\n', " "));
            let severity = format!("[{}]", r["severity"].as_str().unwrap_or_default());
            assert!(
                stderr.lines().any(|l| l.starts_with(&severity) && l.ends_with(&line_end)),
                "{}: build does not say {severity}{line_end}\n{stderr}",
                case.display()
            );
        }
        let said = stderr.lines().filter(|l| expected.iter().any(|r| l.contains(r["message"].as_str().unwrap_or_default()))).count();
        assert_eq!(said, expected.len(), "{}: {stderr}", case.display());
    }
}
