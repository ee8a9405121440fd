//! `dittofs-krm build`: plain manifests in, a plain manifest stream ready to apply out.
//!
//! This is the form Argo CD's config management plugins need: they run one command in the
//! application's directory and apply whatever it prints. The manifests are wrapped into a
//! ResourceList, expanded by the same [`crate::run`] as every other client, and unwrapped again:
//! without the DittoServers (no CRD in the cluster), without objects marked local-config and
//! without the annotations the KRM clients use for bookkeeping.
//!
//! Pure: the caller reads the files and prints the answer.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::api::{function_config, Mode};
use crate::expand::names::GENERATED_FROM;
use crate::krm;
use crate::wire::{self, Severity, ValidationResult, CLIENT_ANNOTATION_PREFIXES};
use crate::yaml::{self, emit, YamlError};

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
    /// The function could not read the ResourceList the manifests were wrapped into.
    Unreadable(wire::InputError),
    /// Nothing would be left to apply.
    Empty,
}

impl BuildError {
    /// The process exit code: 1 for what the function found, 2 for unreadable input.
    pub fn exit_code(&self) -> u8 {
        match self {
            BuildError::Results(_) | BuildError::Empty => 1,
            BuildError::Yaml { .. } | BuildError::NotAnObject { .. } | BuildError::Config(_) | BuildError::Unreadable(_) => 2,
        }
    }
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
            BuildError::Unreadable(error) => write!(f, "the manifests cannot be read as one ResourceList: {error}"),
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
    let mut items: Vec<Value> = Vec::new();
    // Each item by its (path, index) annotations, which it keeps through the function.
    let mut sources_at: HashMap<(String, String), usize> = HashMap::new();
    let mut typed_config: Option<(String, Value)> = None;
    for (name, text) in sources {
        let documents = yaml::parse_stream(text, yaml::Schema::Yaml11).map_err(|error| BuildError::Yaml { source: name.clone(), error })?;
        for (index, document) in documents.into_iter().enumerate() {
            let Value::Object(mut object) = document else {
                return Err(BuildError::NotAnObject { source: name.clone(), document: index });
            };
            if is_kind(&object, function_config::API_VERSION, function_config::KIND) {
                if let Some((first, _)) = &typed_config {
                    return Err(BuildError::Config(format!(
                        "{name}: a second {} (the first is in {first}); keep one",
                        function_config::KIND
                    )));
                }
                typed_config = Some((name.clone(), Value::Object(object)));
                continue;
            }
            annotate(&mut object, name, index);
            sources_at.insert((name.clone(), index.to_string()), items.len());
            items.push(Value::Object(object));
        }
    }
    let function_config = match (typed_config, config.is_empty()) {
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

    // An invalid configuration is reported by the function itself, with the other results.
    if let Ok(config) = function_config::read(function_config.as_ref()) {
        if config.mode == Mode::Validate {
            return Err(BuildError::Config(
                "mode: validate returns the manifests unexpanded, DittoServers included; build expands them, so leave mode out".into(),
            ));
        }
    }

    let input = resource_list(&items, function_config.as_ref());
    let output = crate::run(&input).map_err(BuildError::Unreadable)?;
    if output.has_errors() {
        return Err(BuildError::Results(output.results));
    }
    let stream = unwrap(&output.resource_list, &items, &sources_at)?;
    if stream.is_empty() {
        return Err(BuildError::Empty);
    }
    Ok(Built { stream, results: output.results })
}

fn is_kind(object: &Map<String, Value>, api_version: &str, kind: &str) -> bool {
    object.get("apiVersion").and_then(Value::as_str) == Some(api_version) && object.get("kind").and_then(Value::as_str) == Some(kind)
}

/// Records where the object came from, so that results name the file.
fn annotate(object: &mut Map<String, Value>, source: &str, index: usize) {
    let metadata = object.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(metadata) = metadata else { return };
    let annotations = metadata.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
    if !annotations.is_object() {
        // Left as it is, the pipeline reports the malformed annotations on the object.
        return;
    }
    if let Value::Object(annotations) = annotations {
        annotations.insert(wire::PATH_ANNOTATION.into(), Value::String(source.to_string()));
        annotations.insert(wire::INDEX_ANNOTATION.into(), Value::String(index.to_string()));
    }
}

/// `key=value` settings as the ConfigMap kpt would send for `-- key=value`.
fn config_map(config: &[(String, String)]) -> Value {
    let data: Map<String, Value> = config.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "function-input"},
        "data": data,
    })
}

fn resource_list(items: &[Value], function_config: Option<&Value>) -> String {
    let mut out = String::from("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n");
    if items.is_empty() {
        out.push_str("items: []\n");
    } else {
        out.push_str("items:\n");
        for item in items {
            out.push_str("- ");
            emit::write_node(item, 2, &mut out);
        }
    }
    if let Some(fc) = function_config {
        out.push_str("functionConfig:\n  ");
        emit::write_node(fc, 2, &mut out);
    }
    out
}

/// The output items as a `---` separated stream in the order [`apply_order`] gives, minus what
/// must not reach a cluster. An item the function passed through is printed from the value read
/// from its source (`sources`, found by its path and index annotations), so that nothing is read
/// back twice; every other item is read from the output, and one that cannot be read is an
/// error, never left out.
fn unwrap(resource_list: &str, sources: &[Value], sources_at: &HashMap<(String, String), usize>) -> Result<String, BuildError> {
    let list = wire::read(resource_list).map_err(BuildError::Unreadable)?;
    let mut documents = Vec::new();
    let mut unreadable = Vec::new();
    for item in &list.items {
        if item.header.annotation(wire::LOCAL_CONFIG_ANNOTATION) == Some("true") || krm::is_ditto_server(item.api_version(), item.kind()) {
            continue;
        }
        let h = &item.header;
        let passed_through = match (h.annotation(GENERATED_FROM), h.annotation(wire::PATH_ANNOTATION), h.annotation(wire::INDEX_ANNOTATION)) {
            (None, Some(path), Some(index)) => sources_at.get(&(path.to_string(), index.to_string())).map(|&i| &sources[i]),
            _ => None,
        };
        let mut value = match passed_through {
            Some(value) => value.clone(),
            None => match item.value() {
                Ok(value) => value,
                Err(e) => {
                    unreadable.push(
                        ValidationResult::error(format!(
                            "the function's output holds this object, and it cannot be read back: {e}; nothing is printed, so that the object is not left out of the stream"
                        ))
                        .on(Some(item.resource_ref()), item.file()),
                    );
                    continue;
                }
            },
        };
        strip_client_annotations(&mut value);
        let text = yaml::to_string(&value);
        // What kubectl and Argo CD will read: a YAML 1.1 reader must get the same object back.
        match yaml::parse_stream(&text, yaml::Schema::Yaml11) {
            Ok(read) if read.len() == 1 && read[0] == value => documents.push((SortKey::of(item), text)),
            outcome => unreadable.push(
                ValidationResult::error(format!(
                    "this object cannot be written as YAML that reads back the same ({}); nothing is printed, so that the object is not left out of the stream or changed",
                    match outcome {
                        Err(e) => e.to_string(),
                        Ok(_) => "it reads back as another value".to_string(),
                    }
                ))
                .on(Some(item.resource_ref()), item.file()),
            ),
        }
    }
    if !unreadable.is_empty() {
        return Err(BuildError::Results(unreadable));
    }
    documents.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(documents.into_iter().map(|(_, text)| text).collect::<Vec<_>>().join("---\n"))
}

/// Kinds that go first, in this order, and last: kustomize's legacy resource order (the
/// `orderFirst` and `orderLast` lists of kustomize `api/resid/gvk.go`,
/// https://github.com/kubernetes-sigs/kustomize/blob/master/api/resid/gvk.go, as its
/// SortOrderTransformer applies them). Namespaces, and the CustomResourceDefinitions before any
/// custom resource (other kinds rank between the two lists), so that one `kubectl apply` of the
/// stream works on a fresh cluster.
const ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const ORDER_LAST: &[&str] = &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

/// Where an object goes in the stream, compared as kustomize's legacy order compares: the kind's
/// rank, then `group_version_kind` (`~G` for the core group; of two Namespace kinds the core one
/// first), then namespace (`~X` for none) and name.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SortKey {
    rank: isize,
    /// False for the core group's Namespace, which kustomize puts before other Namespace kinds.
    not_core_namespace: bool,
    gvk: String,
    namespace: String,
    name: String,
}

impl SortKey {
    fn of(item: &wire::Item<'_>) -> Self {
        Self::new(item.api_version(), item.kind(), item.namespace(), item.name())
    }

    pub fn new(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> Self {
        let rank = apply_order(kind);
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let or = |s: &str, placeholder: &str| if s.is_empty() { placeholder.to_string() } else { s.to_string() };
        SortKey {
            rank,
            not_core_namespace: !(kind == "Namespace" && group.is_empty()),
            gvk: format!("{}_{}_{}", or(group, "~G"), or(version, "~V"), or(kind, "~K")),
            namespace: or(namespace.unwrap_or(""), "~X"),
            name: or(name, "~N"),
        }
    }
}

/// The rank of a kind: negative for the kinds that go first, 0 for every other kind, positive for
/// those that go last.
pub fn apply_order(kind: &str) -> isize {
    if let Some(i) = ORDER_FIRST.iter().position(|k| *k == kind) {
        return i as isize - ORDER_FIRST.len() as isize;
    }
    ORDER_LAST.iter().position(|k| *k == kind).map_or(0, |i| i as isize + 1)
}

fn strip_client_annotations(value: &mut Value) {
    let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) else { return };
    let Some(annotations) = metadata.get_mut("annotations").and_then(Value::as_object_mut) else { return };
    annotations.retain(|k, _| !CLIENT_ANNOTATION_PREFIXES.iter().any(|p| k.starts_with(p)));
    if annotations.is_empty() {
        metadata.remove("annotations");
    }
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
                let line = results[0].one_line();
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
