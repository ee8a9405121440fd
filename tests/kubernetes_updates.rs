//! The model of what a Kubernetes API server does with an update (`impact::kubernetes`) against
//! what a real one did: each file of `tests/kubernetes-updates/` is one update, a stored object
//! (`before`) and the manifest applied over it (`after`), with the verdict Kubernetes gave and the
//! code behind it. The verdicts come from a v1.36.2 kube-apiserver (`basis: measured`) or, where
//! that measurement is silent, from Kubernetes' source (`basis: source`, the file says which
//! copy); never from the model.

use std::path::{Path, PathBuf};

use dittofs_krm::impact::kubernetes::{self, Apply, ClaimStatus, Verdict};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Case {
    /// What the update changes.
    case: String,
    verdict: Expected,
    /// How the update was sent; `kubectl apply` unless said.
    #[serde(default)]
    apply: ApplyKind,
    /// `measured` or `source`.
    basis: String,
    /// The Kubernetes code that decides, `path:line` or `path:first-last`.
    source: String,
    /// A PersistentVolumeClaim's phase and `status.capacity`.
    status: Option<Status>,
    /// A PersistentVolumeClaim's StorageClass; absent: the class does not exist.
    storage_class: Option<Value>,
    before: Value,
    after: Value,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Expected {
    Accepted,
    Rejected,
}

impl Expected {
    fn as_str(self) -> &'static str {
        match self {
            Expected::Accepted => "accepted",
            Expected::Rejected => "rejected",
        }
    }
}

#[derive(Deserialize, Default, Debug, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum ApplyKind {
    #[default]
    ClientSide,
    ServerSide,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Status {
    phase: String,
    capacity: Option<String>,
}

fn case_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kubernetes-updates");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    for file in &files {
        assert_eq!(file.extension().and_then(|e| e.to_str()), Some("yaml"), "{}: not a case file", file.display());
    }
    files
}

fn cases() -> Vec<(String, Case)> {
    case_files()
        .into_iter()
        .map(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).expect("a file name").to_string();
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            let case: Case = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, case)
        })
        .collect()
}

fn kind(object: &Value) -> &str {
    object.get("kind").and_then(Value::as_str).unwrap_or("")
}

/// What the model says of the case.
fn model(name: &str, case: &Case) -> Verdict {
    assert_eq!(kind(&case.before), kind(&case.after), "{name}: before and after are different kinds");
    let claim = kind(&case.after) == "PersistentVolumeClaim";
    assert_eq!(case.status.is_some(), claim, "{name}: `status` is for (and required by) a PersistentVolumeClaim");
    assert!(claim || case.storage_class.is_none(), "{name}: `storageClass` is for a PersistentVolumeClaim");
    match kind(&case.after) {
        "StatefulSet" => {
            let apply = match case.apply {
                ApplyKind::ClientSide => Apply::ClientSide,
                ApplyKind::ServerSide => Apply::ServerSide,
            };
            kubernetes::stateful_set_update(&case.before, &case.after, apply)
        }
        "Service" => kubernetes::service_update(&case.before, &case.after),
        "PersistentVolumeClaim" => {
            let status = case.status.as_ref().expect("a status");
            let status = ClaimStatus { bound: status.phase == "Bound", capacity: status.capacity.as_deref() };
            kubernetes::claim_update(&case.before, &case.after, status, case.storage_class.as_ref())
        }
        other => panic!("{name}: no model for kind {other:?}"),
    }
}

#[test]
fn the_model_gives_the_verdict_kubernetes_gave() {
    let mut wrong = Vec::new();
    for (name, case) in cases() {
        let verdict = model(&name, &case);
        let said = if verdict.is_rejected() { Expected::Rejected } else { Expected::Accepted };
        if said != case.verdict {
            wrong.push(format!(
                "{name} ({}): Kubernetes {} this update ({}, {}), the model says {verdict:?}",
                case.case,
                case.verdict.as_str(),
                case.basis,
                case.source
            ));
        }
    }
    assert!(wrong.is_empty(), "the model disagrees with Kubernetes:\n{}", wrong.join("\n"));
}

/// Enough cases, each citing the code that decides, and both verdicts for every kind: a model
/// that always says one thing fails.
#[test]
fn the_cases_cover_each_kind_and_cite_their_source() {
    let cases = cases();
    assert!(cases.len() >= 25, "only {} cases in tests/kubernetes-updates/", cases.len());
    for (name, case) in &cases {
        assert!(!case.case.trim().is_empty(), "{name}: no `case`");
        assert!(matches!(case.basis.as_str(), "measured" | "source"), "{name}: basis {:?} is neither measured nor source", case.basis);
        let cited = case.source.split_whitespace().next().unwrap_or("");
        let (file, lines) = cited.rsplit_once(':').unwrap_or_else(|| panic!("{name}: source {:?} names no line", case.source));
        assert!(file.ends_with(".go"), "{name}: source {:?} is not a Go file", case.source);
        let numbers: Vec<&str> = lines.split('-').collect();
        assert!(
            numbers.len() <= 2 && numbers.iter().all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
            "{name}: source {:?} is not path:line or path:first-last",
            case.source
        );
    }
    for object_kind in ["StatefulSet", "Service", "PersistentVolumeClaim"] {
        for verdict in [Expected::Accepted, Expected::Rejected] {
            assert!(
                cases.iter().any(|(_, c)| kind(&c.after) == object_kind && c.verdict == verdict),
                "no {object_kind} case is {}", verdict.as_str()
            );
        }
    }
    let server_side = cases.iter().filter(|(_, c)| matches!(c.apply, ApplyKind::ServerSide)).count();
    assert!(server_side > 0, "no case is applied server-side");
}
