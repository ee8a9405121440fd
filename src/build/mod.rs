//! `dittofs-krm build`: plain manifests in, a plain manifest stream ready to apply out.
//!
//! This is the form Argo CD's config management plugins need: they run one command in the
//! application's directory and apply whatever it prints. The documents of the manifests
//! ([`read`]) go through the same [`crate::pipeline::transform`] as a ResourceList's items, and
//! its output becomes the stream ([`stream`]): without the DittoServers (no CRD in the cluster),
//! without objects marked local-config and without the annotations the KRM clients use for
//! bookkeeping.
//!
//! Pure: the caller reads the files and prints the answer.

mod order;
mod read;
mod stream;

use std::fmt;

use serde_json::{Map, Value};

pub use order::{apply_order, SortKey};

use crate::model::{function_config, Mode};
use crate::krm::gvk;
use crate::pipeline;
use crate::krm::{Severity, ValidationResult};
use crate::yaml::YamlError;

/// What `build` prints: the stream for stdout and the results (warnings, infos) for stderr.
#[derive(Debug)]
pub struct Built {
    pub stream: String,
    pub results: Vec<ValidationResult>,
}

/// Why `build` prints nothing on stdout.
#[derive(Debug)]
pub enum BuildError {
    /// A source is not valid YAML.
    Yaml { source: String, error: YamlError },
    /// A document of a source is not a mapping (an object).
    NotAnObject { source: String, document: usize },
    /// The function's configuration is given in two places, or twice.
    Config(String),
    /// The function reported at least one error; all its results are here.
    Results(Vec<ValidationResult>),
    /// Nothing would be left to apply.
    Empty,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Yaml { source, error } => write!(f, "{source}: not valid YAML: {error}"),
            BuildError::NotAnObject { source, document } => write!(
                f,
                "{source}: document {document} is not a Kubernetes object (a mapping with apiVersion, kind and metadata)"
            ),
            BuildError::Config(message) => f.write_str(message),
            BuildError::Results(results) => {
                let errors = results.iter().filter(|r| r.severity == Severity::Error).count();
                write!(f, "{errors} error(s); nothing is printed, so that no partial set of objects is applied")
            }
            BuildError::Empty => f.write_str(
                "the manifests hold no object to apply (DittoServers and local-config objects are left out); \
                 refusing to print an empty stream, which would make a pruning sync delete every object of the application",
            ),
        }
    }
}

impl std::error::Error for BuildError {}

/// Builds the stream from `sources` (a name, used in results, and the text of a multi-document
/// YAML stream). `config` holds `key=value` settings of the functionConfig (command line or
/// Argo CD parameters); a `DittoServerExpansion` object among the sources is the alternative.
pub fn build(sources: &[(String, String)], config: &[(String, String)]) -> Result<Built, BuildError> {
    build_against(sources, None, config)
}

/// [`build`], judged against `previous`: the stream a previous build printed (for instance from
/// the target branch of a pull request). The results then say what applying the new stream over
/// it does, as the function says it of the previous render in a kpt package; nothing of
/// `previous` is printed.
pub fn build_against(
    sources: &[(String, String)],
    previous: Option<&[(String, String)]>,
    config: &[(String, String)],
) -> Result<Built, BuildError> {
    let manifests = read::read(sources)?;
    let previous = previous.map(read::read).transpose()?;
    let function_config = match (manifests.typed_config, config.is_empty()) {
        (Some((file, _)), false) => {
            return Err(BuildError::Config(format!(
                "the configuration is given twice: as a {} in {file} and as key=value settings; keep one",
                function_config::KIND
            )))
        }
        (Some((_, value)), true) => Some(value),
        (None, false) => Some(config_map(config)),
        (None, true) => None,
    };
    // An invalid configuration is reported by the pipeline, with the other results.
    let config = function_config::read(function_config.as_ref()).map_err(|e| ValidationResult::error(e.message).at(e.path));
    if matches!(&config, Ok(c) if c.mode == Mode::Validate) {
        return Err(BuildError::Config(
            "mode: validate returns the manifests unexpanded, DittoServers included; build expands them, so leave mode out".into(),
        ));
    }

    let mut output = stream::Collected::default();
    let previous = previous.as_ref().map(|p| &p.items[..]);
    let Ok(results) = pipeline::transform(&manifests.items, previous, config, &mut output);
    if results.iter().any(|r| r.severity == Severity::Error) {
        return Err(BuildError::Results(results));
    }
    let stream = stream::write(&manifests.items, output)?;
    if stream.is_empty() {
        return Err(BuildError::Empty);
    }
    Ok(Built { stream, results })
}

/// `key=value` settings as the ConfigMap kpt would send for `-- key=value`.
fn config_map(config: &[(String, String)]) -> Value {
    let data: Map<String, Value> = config.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    serde_json::json!({
        "apiVersion": gvk::CONFIG_MAP.api_version,
        "kind": gvk::CONFIG_MAP.kind,
        "metadata": {"name": "function-input"},
        "data": data,
    })
}

/// The Application's plugin parameters (`ARGOCD_APP_PARAMETERS`, a JSON list of
/// `{"name": ..., "string": ...}`) as `key=value` settings. Argo CD sends only the parameters the
/// Application sets, so the function's defaults stay the defaults.
pub fn argocd_parameters(json: &str) -> Result<Vec<(String, String)>, String> {
    if json.trim().is_empty() {
        return Ok(Vec::new());
    }
    let parameters: Vec<Value> = serde_json::from_str(json).map_err(|e| format!("not a JSON list of parameters: {e}"))?;
    parameters
        .iter()
        .map(|p| {
            let name = p.get("name").and_then(Value::as_str).ok_or("a parameter has no name")?;
            let value = p
                .get("string")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("parameter {name:?} must be a string parameter"))?;
            Ok((name.to_string(), value.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn source(name: &str, text: &str) -> (String, String) {
        (name.to_string(), text.to_string())
    }

    const SERVER: &str = "apiVersion: dittofs.dittofs.com/v1alpha1\nkind: DittoServer\nmetadata:\n  name: nas\n  namespace: storage\nspec:\n  storage:\n    metadataSize: 1Gi\n";

    #[test]
    fn expands_and_unwraps() {
        let built = build(&[source("nas.yaml", SERVER)], &[]).unwrap();
        let docs = yaml::parse_stream(&built.stream, yaml::Schema::Yaml11).unwrap();
        let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["ConfigMap", "Service", "Service", "Service", "StatefulSet"]);
        let names: Vec<&str> = docs.iter().map(|d| d["metadata"]["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["nas-config", "nas-api", "nas-file", "nas-headless", "nas"], "kustomize's order: kind, then name");
        assert!(!built.stream.contains("config.kubernetes.io/"), "{}", built.stream);
        assert!(!built.stream.contains("DittoServer\n"));
    }

    #[test]
    fn plain_objects_keep_yaml_11_values() {
        let other = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  mode: \"0644\"\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  annotations:\n    config.kubernetes.io/local-config: \"false\"\ntype: Opaque\n";
        let built = build(&[source("nas.yaml", SERVER), source("other.yaml", other)], &[]).unwrap();
        let docs = yaml::parse_stream(&built.stream, yaml::Schema::Yaml11).unwrap();
        let cm = docs.iter().find(|d| d["kind"] == "ConfigMap" && d["metadata"]["name"] == "c").unwrap();
        assert_eq!(cm["data"]["mode"], "0644");
        let secret = docs.iter().find(|d| d["kind"] == "Secret").unwrap();
        assert!(secret["metadata"].get("annotations").is_none(), "an emptied annotations map is dropped");
    }

    #[test]
    fn error_results_print_nothing() {
        let bad = SERVER.replace("1Gi", "1GB");
        match build(&[source("nas.yaml", &bad)], &[]) {
            Err(BuildError::Results(results)) => {
                let error = results.iter().find(|r| r.severity == Severity::Error).expect("an error");
                let line = error.one_line();
                assert!(line.starts_with("[error] dittofs.dittofs.com/v1alpha1/DittoServer/storage/nas spec.storage.metadataSize:"), "{line}");
            }
            other => panic!("expected error results, got {other:?}"),
        }
    }

    #[test]
    fn empty_output_is_an_error() {
        let local = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    config.kubernetes.io/local-config: \"true\"\n";
        assert!(matches!(build(&[source("a.yaml", local)], &[]), Err(BuildError::Empty)));
        assert!(matches!(build(&[], &[]), Err(BuildError::Empty)));
    }

    #[test]
    fn configuration_from_settings_or_a_typed_object() {
        let with_class = SERVER.replace("metadataSize: 1Gi", "metadataSize: 1Gi\n    storageClassName: fast");
        let strict = [("storageClassCheck".to_string(), "strict".to_string())];
        assert!(matches!(build(&[source("a.yaml", &with_class)], &strict), Err(BuildError::Results(_))));
        let typed = "apiVersion: fn.dittofs.com/v1alpha1\nkind: DittoServerExpansion\nmetadata:\n  name: x\nstorageClassCheck: strict\n";
        assert!(matches!(build(&[source("a.yaml", &with_class), source("fn.yaml", typed)], &[]), Err(BuildError::Results(_))));
        assert!(matches!(build(&[source("a.yaml", &with_class), source("fn.yaml", typed)], &strict), Err(BuildError::Config(_))));
        let built = build(&[source("a.yaml", &with_class)], &[]).unwrap();
        assert!(built.results.iter().all(|r| r.severity != Severity::Error));
        let validate = [("mode".to_string(), "validate".to_string())];
        assert!(matches!(build(&[source("a.yaml", SERVER)], &validate), Err(BuildError::Config(_))));
    }

    #[test]
    fn a_ditto_server_yaml_12_rejects_is_reported_with_its_line_in_its_document() {
        // YAML 1.1 (kubectl) takes the last of two equal keys; YAML 1.2, as the function reads
        // the DittoServer, rejects them. Lines are counted from the document's `---`, line 5
        // of the file: the duplicate is on line 10.
        let twice = format!("{}---\n{}", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n", SERVER.replace("  name: nas\n", "  name: nas\n  name: nas\n"));
        match build(&[source("nas.yaml", &twice)], &[]) {
            Err(BuildError::Results(results)) => {
                let error = results.iter().find(|r| r.severity == Severity::Error).expect("an error");
                let line = error.one_line();
                assert!(line.starts_with("[error] dittofs.dittofs.com/v1alpha1/DittoServer/storage/nas: the DittoServer is not valid YAML: line 6, column 9 of its text: duplicate entry with key \"name\""), "{line}");
                assert_eq!(results[0].file.as_ref().map(|f| (f.path.as_str(), f.index)), Some(("nas.yaml", Some(1))));
            }
            other => panic!("expected error results, got {other:?}"),
        }
    }

    #[test]
    fn argocd_parameters_become_settings() {
        let json = r#"[{"name": "storageClassCheck", "string": "off"}]"#;
        assert_eq!(argocd_parameters(json).unwrap(), [("storageClassCheck".to_string(), "off".to_string())]);
        assert!(argocd_parameters("").unwrap().is_empty());
        assert!(argocd_parameters(r#"[{"name": "x", "array": ["a"]}]"#).is_err());
    }

    #[test]
    fn unreadable_sources_name_the_file() {
        let err = build(&[source("bad.yaml", "a: [\n")], &[]).unwrap_err();
        assert!(err.to_string().starts_with("bad.yaml: not valid YAML"), "{err}");
        let err = build(&[source("list.yaml", "- a\n- b\n")], &[]).unwrap_err();
        assert!(err.to_string().starts_with("list.yaml: document 0 is not"), "{err}");
    }
}
