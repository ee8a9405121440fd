//! read → index → (parse, validate, expand) each DittoServer → write.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::api::{self, ditto_server, function_config, DittoServerSpec};
use crate::expand::{self, names, Generated, Server};
use crate::inventory::Inventory;
use crate::validate;
use crate::wire::{self, InputError, Item, OutItem, Severity, ValidationResult, CLIENT_ANNOTATION_PREFIXES};

/// The function's answer: the ResourceList text and its results.
#[derive(Debug)]
pub struct Output {
    pub resource_list: String,
    pub results: Vec<ValidationResult>,
}

impl Output {
    pub fn has_errors(&self) -> bool {
        self.results.iter().any(|r| r.severity == Severity::Error)
    }
}

/// What became of one DittoServer.
enum Expansion {
    /// Valid: these objects replace the previously generated ones.
    Valid(Vec<Generated>),
    /// Invalid: its previously generated objects are kept as they were.
    Invalid,
}

pub fn run(input: &str) -> Result<Output, InputError> {
    let input = wire::normalize_line_breaks(input);
    let list = wire::read(&input)?;
    let mut results = Vec::new();

    let config = match list.function_config.as_ref().map(|fc| fc.value()).transpose() {
        Ok(value) => function_config::read(value.as_ref()).map_err(|e| ValidationResult::error(e.message).at(e.path)),
        Err(e) => Err(ValidationResult::error(format!("functionConfig is not valid YAML: {e}")).at("functionConfig")),
    };
    let config = match config {
        Ok(c) => c,
        Err(result) => {
            // Without a usable configuration nothing is expanded; every item passes through.
            let items: Vec<OutItem> = list.items.iter().map(OutItem::Original).collect();
            results.push(result);
            let resource_list = wire::write(&items, list.function_config.as_ref(), &results);
            return Ok(Output { resource_list, results });
        }
    };

    results.extend(check_items(&list.items));
    let inventory = Inventory::new(&list.items);

    // Expand every DittoServer; remember its rewritten text (local-config) where needed.
    // Every input item by identity, to find the generated names already taken.
    let mut by_name: HashMap<(&str, &str, Option<&str>, &str), Vec<usize>> = HashMap::new();
    for (i, item) in list.items.iter().enumerate() {
        by_name.entry((item.api_version(), item.kind(), item.namespace(), item.name())).or_default().push(i);
    }
    let mut expansions: HashMap<(Option<String>, String), Expansion> = HashMap::new();
    let mut rewritten: HashMap<usize, Value> = HashMap::new();
    for (i, item) in list.items.iter().enumerate() {
        if !item.is(ditto_server::API_VERSION, ditto_server::KIND) || item.header.name.is_none() {
            continue;
        }
        let key = (item.header.namespace.clone(), item.name().to_string());
        let (mut expansion, mut found, value) = expand_one(item, &inventory, &list.items, config.storage_class_check);
        if let Expansion::Valid(objects) = &expansion {
            let taken = names_taken(objects, &key, &by_name, &list.items);
            if !taken.is_empty() {
                found.extend(taken);
                expansion = Expansion::Invalid;
            }
        }
        let at = |r: ValidationResult| r.on(Some(item.resource_ref()), item.file());
        results.extend(found.into_iter().map(at));
        if let Some(v) = value {
            rewritten.insert(i, v);
        }
        // A duplicated DittoServer (reported by check_items) expands to nothing: which of its
        // specs should win is the user's call.
        expansions.entry(key).and_modify(|e| *e = Expansion::Invalid).or_insert(expansion);
    }

    let items = assemble(&list.items, &expansions, &mut rewritten);
    let resource_list = wire::write(&items, list.function_config.as_ref(), &results);
    Ok(Output { resource_list, results })
}

/// Items every KRM resource must satisfy: apiVersion, kind, name, and no duplicates.
fn check_items(items: &[Item<'_>]) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    let mut seen: HashMap<(&str, &str, Option<&str>, &str), usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let missing: Vec<&str> = [
            ("apiVersion", item.header.api_version.is_none()),
            ("kind", item.header.kind.is_none()),
            ("metadata.name", item.header.name.is_none()),
        ]
        .into_iter()
        .filter_map(|(f, m)| m.then_some(f))
        .collect();
        if !missing.is_empty() {
            out.push(
                ValidationResult::error(format!(
                    "item {i} has no {}: every item must be a Kubernetes resource with apiVersion, kind and metadata.name",
                    missing.join(", ")
                ))
                .at(missing[0])
                .on(None, item.file()),
            );
            continue;
        }
        let key = (item.api_version(), item.kind(), item.namespace(), item.name());
        if let Some(first) = seen.insert(key, i) {
            out.push(
                ValidationResult::error(format!(
                    "items {first} and {i} are both {} {:?}{}: remove one of them",
                    item.kind(),
                    item.name(),
                    item.namespace().map(|n| format!(" in namespace {n:?}")).unwrap_or_default()
                ))
                .on(Some(item.resource_ref()), item.file()),
            );
        }
    }
    out
}

/// Generated objects whose name an input item not generated from this DittoServer already has:
/// emitting both would leave two objects of one name in the output.
fn names_taken(
    objects: &[Generated],
    server: &(Option<String>, String),
    by_name: &HashMap<(&str, &str, Option<&str>, &str), Vec<usize>>,
    items: &[Item<'_>],
) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    for g in objects {
        let key = (g.api_version, g.kind, server.0.as_deref(), g.name.as_str());
        let same_name = by_name.get(&key).map(Vec::as_slice).unwrap_or_default();
        if let Some(&index) = same_name.iter().find(|&&i| owner_of(&items[i]).as_ref() != Some(server)) {
            out.push(ValidationResult::error(format!(
                "the DittoServer generates {} {:?}, and item {index} of the input is a {} of that name that it did not generate: rename the DittoServer or remove that item",
                g.kind, g.name, g.kind
            ))
            .at("metadata.name"));
        }
    }
    out
}

/// The DittoServer an item was generated from, from its marker annotation. Split at the last
/// `/`: a server that expands has a DNS-label name, while the namespace is not checked.
fn owner_of(item: &Item<'_>) -> Option<(Option<String>, String)> {
    item.header.annotation(names::GENERATED_FROM).map(|o| match o.rsplit_once('/') {
        Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
        None => (None, o.to_string()),
    })
}

/// Parses, validates and expands one DittoServer. Returns the expansion, its results (without
/// resourceRef/file) and, when the item needs the local-config annotation, its rewritten value.
fn expand_one(
    item: &Item<'_>,
    inventory: &Inventory,
    items: &[Item<'_>],
    storage_class_check: api::StorageClassCheck,
) -> (Expansion, Vec<ValidationResult>, Option<Value>) {
    let mut found = Vec::new();
    let value = match item.value() {
        Ok(v) => v,
        Err(e) => {
            found.push(ValidationResult::error(format!("the DittoServer is not valid YAML: {e}")));
            return (Expansion::Invalid, found, None);
        }
    };
    let rewritten = with_local_config(item, &value);
    found.extend(validate::name(item.name()));
    let spec_value = value.get("spec").cloned().unwrap_or(Value::Null);
    let spec = match spec_value {
        Value::Object(_) => match api::read_typed::<DittoServerSpec>(spec_value, "spec") {
            Ok((spec, unknown)) => {
                found.extend(unknown.into_iter().map(|path| {
                    ValidationResult::warning(format!("unknown field {path} is ignored; check its spelling against `dittofs-krm crd`"))
                        .at(path)
                }));
                Some(spec)
            }
            Err(p) => {
                found.push(ValidationResult::error(p.message).at(p.path));
                None
            }
        },
        Value::Null => {
            found.push(ValidationResult::error("storage.metadataSize is required: the DittoServer has no spec").at("spec"));
            None
        }
        _ => {
            found.push(ValidationResult::error("spec must be an object (a mapping of fields), not a scalar or list").at("spec"));
            None
        }
    };
    let Some(spec) = spec else { return (Expansion::Invalid, found, rewritten) };

    let namespace = item.namespace();
    found.extend(validate::spec(&spec));
    found.extend(validate::storage_class(&spec, inventory, storage_class_check));
    found.extend(validate::s3_secret(&spec, namespace, inventory));
    found.extend(validate::secret_refs(&spec, namespace, inventory));
    if found.iter().any(|r| r.severity == Severity::Error) {
        return (Expansion::Invalid, found, rewritten);
    }

    let key = (item.header.namespace.clone(), item.name().to_string());
    let previous_stateful_set = inventory.generated.get(&key).into_iter().flatten().map(|&i| &items[i]).find(|g| {
        g.is("apps/v1", "StatefulSet") && g.name() == names::stateful_set(item.name())
    });
    if let Some(Ok(previous)) = previous_stateful_set.map(Item::value) {
        found.extend(validate::immutable_templates(&previous, &expand::volume_claim_templates(&spec)));
    }

    let server = Server { name: item.name(), namespace, spec: &spec };
    let secret = |name: &str| inventory.secret(namespace, name).flatten().cloned();
    (Expansion::Valid(expand::expand(&server, &secret)), found, rewritten)
}

/// The DittoServer must not reach a cluster (no CRD there): it is marked local-config, which kpt
/// live apply and kustomize build leave out. `None` when it already carries the mark.
fn with_local_config(item: &Item<'_>, value: &Value) -> Option<Value> {
    if item.header.annotation(wire::LOCAL_CONFIG_ANNOTATION) == Some("true") {
        return None;
    }
    let mut value = value.clone();
    let metadata = value.as_object_mut()?.entry("metadata").or_insert_with(|| Value::Object(Default::default()));
    let metadata = metadata.as_object_mut()?;
    let annotations = metadata.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
    if !annotations.is_object() {
        *annotations = Value::Object(Default::default());
    }
    annotations.as_object_mut()?.insert(wire::LOCAL_CONFIG_ANNOTATION.into(), Value::String("true".into()));
    Some(value)
}

/// Builds the output items: input order, each DittoServer followed by its newly generated
/// objects; previously generated objects replaced in place (keeping the clients' annotations),
/// kept when their DittoServer is invalid, dropped when it is gone or no longer generates them.
fn assemble<'i, 'a>(
    items: &'i [Item<'a>],
    expansions: &HashMap<(Option<String>, String), Expansion>,
    rewritten: &mut HashMap<usize, Value>,
) -> Vec<OutItem<'i, 'a>> {
    // Objects that already exist in the input, per owner: (apiVersion, kind, namespace, name).
    // The whole identity counts: an owned item that differs in any part is no longer generated
    // (it is dropped), and the new object is added.
    type Existing<'s> = (Option<String>, String, &'s str, &'s str, Option<&'s str>, &'s str);
    let mut existing: HashSet<Existing<'_>> = HashSet::new();
    for item in items {
        if let Some((ns, n)) = owner_of(item) {
            existing.insert((ns, n, item.api_version(), item.kind(), item.namespace(), item.name()));
        }
    }
    let same = |g: &Generated, owner: &(Option<String>, String), item: &Item<'_>| {
        g.api_version == item.api_version() && g.kind == item.kind() && g.name == item.name() && item.namespace() == owner.0.as_deref()
    };

    let mut out = Vec::with_capacity(items.len() + expansions.len() * 6);
    for (i, item) in items.iter().enumerate() {
        if let Some(owner) = owner_of(item) {
            match expansions.get(&owner) {
                Some(Expansion::Valid(objects)) => {
                    if let Some(g) = objects.iter().find(|g| same(g, &owner, item)) {
                        out.push(OutItem::Value(keep_client_annotations(g, item)));
                    }
                }
                Some(Expansion::Invalid) => out.push(OutItem::Original(item)),
                None => {}
            }
            continue;
        }
        match rewritten.remove(&i) {
            Some(v) => out.push(OutItem::Value(v)),
            None => out.push(OutItem::Original(item)),
        }
        if !item.is(ditto_server::API_VERSION, ditto_server::KIND) {
            continue;
        }
        let key = (item.header.namespace.clone(), item.name().to_string());
        if let Some(Expansion::Valid(objects)) = expansions.get(&key) {
            for g in objects {
                let identity = (key.0.clone(), key.1.clone(), g.api_version, g.kind, key.0.as_deref(), g.name.as_str());
                if !existing.contains(&identity) {
                    out.push(OutItem::Value(with_path(g, item)));
                }
            }
        }
    }
    out
}

/// A replaced object keeps the annotations the clients use to track it (path, index, ids).
fn keep_client_annotations(g: &Generated, previous: &Item<'_>) -> Value {
    let mut value = g.value.clone();
    let kept = previous
        .header
        .annotations
        .iter()
        .filter(|(k, _)| CLIENT_ANNOTATION_PREFIXES.iter().any(|p| k.starts_with(p)));
    set_annotations(&mut value, kept.map(|(k, v)| (k.clone(), v.clone())));
    value
}

/// A new object is written next to its DittoServer: `<dir>/<server>/<kind>_<name>.yaml`.
fn with_path(g: &Generated, server: &Item<'_>) -> Value {
    let mut value = g.value.clone();
    if let Some(file) = server.file() {
        let dir = match file.path.rfind('/') {
            Some(i) => &file.path[..=i],
            None => "",
        };
        let path = format!("{dir}{}/{}_{}.yaml", server.name(), g.kind.to_ascii_lowercase(), g.name);
        set_annotations(
            &mut value,
            [
                (wire::PATH_ANNOTATION.to_string(), path.clone()),
                (wire::INDEX_ANNOTATION.to_string(), "0".to_string()),
                (wire::INTERNAL_PATH_ANNOTATION.to_string(), path),
                (wire::INTERNAL_INDEX_ANNOTATION.to_string(), "0".to_string()),
            ]
            .into_iter(),
        );
    }
    value
}

fn set_annotations(value: &mut Value, entries: impl Iterator<Item = (String, String)>) {
    let Some(annotations) = value.pointer_mut("/metadata/annotations").and_then(Value::as_object_mut) else { return };
    for (k, v) in entries {
        annotations.insert(k, Value::String(v));
    }
}
