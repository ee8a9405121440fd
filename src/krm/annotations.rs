//! The annotations the function reads and writes: the KRM clients' bookkeeping (file, index,
//! ids), local-config, and the marker naming the DittoServer an object was generated from.
//! Every annotation name lives here; the other modules ask the object.

use serde_json::{Map, Value};

use crate::krm::FileRef;
use crate::yaml::serialize::Extra;

use super::object::{Body, Header, Object};

/// Annotations the KRM clients use to track items (file, index, ids); kept on every item the
/// function rewrites, and removed from the stream `build` prints.
pub const CLIENT_PREFIXES: &[&str] = &["config.kubernetes.io/", "internal.config.kubernetes.io/", "config.k8s.io/"];
pub const PATH: &str = "config.kubernetes.io/path";
pub const INTERNAL_PATH: &str = "internal.config.kubernetes.io/path";
pub const INDEX: &str = "config.kubernetes.io/index";
pub const INTERNAL_INDEX: &str = "internal.config.kubernetes.io/index";
pub const LOCAL_CONFIG: &str = "config.kubernetes.io/local-config";
/// kpt annotates every item it sends with this id when a selector or exclusion (`--match-*`,
/// `--exclude-*`, a Kptfile `selectors:`) sends a function only part of the package, and merges
/// the function's output back by it: an item missing from the output is deleted, an item without
/// the id is added. Without selectors kpt does not set it (kpt 1.0.0-beta.56).
pub const KPT_RESOURCE_ID: &str = "internal.config.k8s.io/kpt-resource-id";
/// On every generated object: the DittoServer it came from (see [`super::identity`]).
pub const GENERATED_FROM: &str = "fn.dittofs.com/generated-from";
/// On a DittoServer: the fingerprint of an edit Kubernetes rejects as rendered, whose steps the
/// user has done or planned (see `impact::acknowledge`).
pub const ACKNOWLEDGE_IMPACT: &str = "fn.dittofs.com/acknowledge-impact";
/// The StorageClass the cluster gives a claim without `storageClassName`, and its beta name.
pub const DEFAULT_STORAGE_CLASS: &str = "storageclass.kubernetes.io/is-default-class";
pub const BETA_DEFAULT_STORAGE_CLASS: &str = "storageclass.beta.kubernetes.io/is-default-class";

/// kyaml's legacy id annotation (`kioutil.LegacyIdAnnotation`), set by kpt on every item.
pub const LEGACY_ID: &str = "config.k8s.io/id";

pub fn is_client_annotation(key: &str) -> bool {
    CLIENT_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// An annotation the clients track an item by: kyaml's (`kioutil`) legacy path, index and id,
/// and every `internal.` one (kpt's path, index, id, seqindent and resource id, kustomize's build
/// annotations). The other `config.kubernetes.io/` annotations are set by people, not by the
/// clients (kpt's `depends-on`, `apply-time-mutation`, `local-config`).
pub fn is_tracking_annotation(key: &str) -> bool {
    matches!(key, PATH | INDEX | LEGACY_ID)
        || key.starts_with("internal.config.kubernetes.io/")
        || key.starts_with("internal.config.k8s.io/")
}

/// kpt's `IsLocalConfig()`: the annotation is exactly `"true"`.
pub fn is_local_config(header: &Header) -> bool {
    header.annotation(LOCAL_CONFIG) == Some("true")
}

/// The file the item came from, as the clients annotate it (the internal names first).
pub fn file(header: &Header) -> Option<FileRef> {
    let path = header.annotation(INTERNAL_PATH).or_else(|| header.annotation(PATH))?;
    let index = header.annotation(INTERNAL_INDEX).or_else(|| header.annotation(INDEX)).and_then(|i| i.parse().ok());
    Some(FileRef { path: path.to_string(), index })
}

impl Object<'_> {
    /// Marked as configuration, not a cluster object (see [`is_local_config`]).
    pub fn is_local_config(&self) -> bool {
        is_local_config(&self.header)
    }

    /// The file the item came from, as the clients annotate it.
    pub fn file(&self) -> Option<FileRef> {
        file(&self.header)
    }

    /// kpt sent this item as part of a selection (see [`KPT_RESOURCE_ID`]).
    pub fn is_selected(&self) -> bool {
        self.header.annotation(KPT_RESOURCE_ID).is_some()
    }

    /// Marked as the default StorageClass.
    pub fn is_default_storage_class(&self) -> bool {
        [DEFAULT_STORAGE_CLASS, BETA_DEFAULT_STORAGE_CLASS].iter().any(|a| self.header.annotation(a) == Some("true"))
    }
}

/// Marks a DittoServer's value local-config (creating `metadata.annotations` when missing or
/// not a mapping). `None`: the value is not a mapping.
pub fn mark_local_config(value: &mut Value) -> Option<()> {
    let metadata = value.as_object_mut()?.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    let annotations = metadata.as_object_mut()?.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
    if !annotations.is_object() {
        *annotations = Value::Object(Map::new());
    }
    annotations.as_object_mut()?.insert(LOCAL_CONFIG.into(), Value::String("true".into()));
    Some(())
}

/// The annotations the clients track a generated object by, added to those it sets.
#[derive(Debug, Default)]
pub struct Tracking {
    entries: Vec<(String, String)>,
    /// A new object's file is the function's to say: it replaces one the spec sets.
    replace: bool,
}

impl Tracking {
    /// A new object's file (`path`, index 0), under both the current and the internal names.
    pub fn new_file(path: String) -> Tracking {
        let entries = [(PATH, path.clone()), (INDEX, "0".to_string()), (INTERNAL_PATH, path), (INTERNAL_INDEX, "0".to_string())];
        Tracking { entries: entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect(), replace: true }
    }

    /// A replaced object keeps the annotations the clients track the item it replaces by (its
    /// file, its id). Nothing else of the previous object survives: an annotation the
    /// generated object sets (from the spec, whatever its prefix) has the spec's value, and one
    /// the spec no longer sets is gone, on every run.
    pub fn kept_from(previous: &Header) -> Tracking {
        let entries = previous.annotations.iter().filter(|(k, _)| is_tracking_annotation(k)).map(|(k, v)| (k.to_string(), v.to_string()));
        Tracking { entries: entries.collect(), replace: false }
    }

    /// The entries as the generated objects' shape adds them to `metadata.annotations`.
    pub fn as_extra(&self) -> Extra<'_> {
        Extra { entries: &self.entries, replace: self.replace }
    }
}

/// Records where an object of a manifest file came from, in its value and its header, so that
/// results name the file; an object whose annotations are not a mapping keeps them as they are
/// (and the pipeline reports them). An object kept as text (one the function cannot read) has
/// it in its header only.
pub fn record_source(object: &mut Object<'_>, path: &str, index: usize) {
    let recorded = match &mut object.body {
        Body::Value(Value::Object(map)) => record_source_in(map, path, index),
        Body::Value(_) | Body::Flow { .. } => false,
        Body::Text { .. } => true,
    };
    if recorded {
        object.header.annotations.set(PATH, path);
        object.header.annotations.set(INDEX, &index.to_string());
        object.header.annotations.shrink_to_fit();
    }
}

fn record_source_in(object: &mut Map<String, Value>, path: &str, index: usize) -> bool {
    let metadata = object.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(metadata) = metadata else { return false };
    let annotations = metadata.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(annotations) = annotations else { return false };
    annotations.insert(PATH.into(), Value::String(path.to_string()));
    annotations.insert(INDEX.into(), Value::String(index.to_string()));
    true
}

/// Removes the clients' annotations, and `metadata.annotations` when nothing else is left.
pub fn strip_client_annotations(value: &mut Value) {
    let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) else { return };
    let Some(annotations) = metadata.get_mut("annotations").and_then(Value::as_object_mut) else { return };
    annotations.retain(|k, _| !is_client_annotation(k));
    if annotations.is_empty() {
        metadata.remove("annotations");
    }
}
