//! read → index → (parse, validate, expand) each DittoServer → write.

use std::collections::BTreeMap;
use std::fmt;
use std::io;

use foldhash::{HashMap, HashMapExt};
use serde_json::Value;

use crate::api::{self, function_config, DittoServerSpec};
use crate::expand::{self, names, Generated, Server};
use crate::inventory::Inventory;
use crate::krm::{self, ServerKey};
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

/// Why [`run_to`] wrote no (complete) ResourceList.
#[derive(Debug)]
pub enum RunError {
    /// The input is not a ResourceList: nothing was written.
    Input(InputError),
    /// Writing the output failed part-way.
    Write(io::Error),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Input(e) => e.fmt(f),
            RunError::Write(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl std::error::Error for RunError {}

/// What became of one DittoServer.
enum Expansion {
    /// Valid: these objects replace the previously generated ones.
    Valid(Vec<Generated>),
    /// Invalid: its previously generated objects are kept as they were.
    Invalid,
}

type Identity<'s> = (&'s str, &'s str, Option<&'s str>, &'s str);

/// A valid DittoServer's objects as output text, rendered as soon as they are expanded so that a
/// large input never holds every generated object as a value at once.
enum Rendered {
    /// The objects replacing previously generated items, by the replaced item's index.
    Valid(HashMap<usize, String>),
    /// Its previously generated objects are kept as they were.
    Invalid,
}

pub fn run(input: &str) -> Result<Output, InputError> {
    // Room for the items passed through and some generated ones; the Vec grows past that.
    let mut out = Vec::with_capacity(input.len() + input.len() / 2 + 1024);
    let results = match run_to(input, &mut out) {
        Ok(results) => results,
        Err(RunError::Input(e)) => return Err(e),
        Err(RunError::Write(e)) => unreachable!("writing to a Vec cannot fail: {e}"),
    };
    let resource_list = String::from_utf8(out).expect("the writer writes UTF-8 only");
    Ok(Output { resource_list, results })
}

/// [`run`] writing the ResourceList to `out` as it goes, without holding the output in memory.
/// Nothing is written when the input is not a ResourceList.
pub fn run_to(input: &str, out: &mut dyn io::Write) -> Result<Vec<ValidationResult>, RunError> {
    let input = wire::normalize_line_breaks(input);
    let list = wire::read(&input).map_err(RunError::Input)?;
    let mut results = Vec::new();

    let config = match list.function_config.as_ref().map(|fc| fc.value()).transpose() {
        Ok(value) => function_config::read(value.as_ref()).map_err(|e| ValidationResult::error(e.message).at(e.path)),
        Err(e) => Err(ValidationResult::error(format!("functionConfig is not valid YAML: {e}")).at("functionConfig")),
    };
    let config = match config {
        Ok(c) => c,
        Err(result) => {
            // Without a usable configuration nothing is expanded; every item passes through.
            results.push(result);
            let mut writer = wire::Writer::new(out);
            for item in &list.items {
                writer.item(OutItem::Original(item)).map_err(RunError::Write)?;
            }
            writer.finish(list.function_config.as_ref(), &results).map_err(RunError::Write)?;
            return Ok(results);
        }
    };

    results.extend(check_items(&list.items));
    results.extend(list.items.iter().filter_map(krm::unsupported_version));
    let inventory = Inventory::new(&list.items);

    // Output order: input order, each DittoServer followed by its newly generated objects;
    // previously generated objects replaced in place (keeping the clients' annotations), kept
    // when their DittoServer is invalid, dropped when it is gone or no longer generates them.
    // A DittoServer is expanded when the output first needs it, and its objects are written as
    // soon as their place comes: memory does not grow with the number of generated objects.
    let identities = &inventory.identities;
    let mut expander = Expander::new(&list.items, &inventory, config.storage_class_check);
    let mut writer = wire::Writer::new(out);
    for (i, item) in list.items.iter().enumerate() {
        if let Some(key) = krm::server_key(item) {
            expander.expand(&key);
        }
        // A validator reports what it found and must hand every item back untouched.
        if config.mode == api::Mode::Validate {
            writer.item(OutItem::Original(item)).map_err(RunError::Write)?;
            continue;
        }
        if let Some(owner) = identities.owner(i) {
            match expander.expand(owner) {
                Some(Rendered::Valid(replacements)) => {
                    if let Some(text) = replacements.remove(&i) {
                        writer.item(OutItem::Text(&text)).map_err(RunError::Write)?;
                    }
                }
                Some(Rendered::Invalid) => writer.item(OutItem::Original(item)).map_err(RunError::Write)?,
                // Its DittoServer is gone, or outside the selection kpt sent: kept then.
                None if identities.selection => {
                    expander.results.entry(i).or_default().push(kept_outside_selection(item, owner));
                    writer.item(OutItem::Original(item)).map_err(RunError::Write)?;
                }
                None => {}
            }
            continue;
        }
        match expander.rewritten.remove(&i) {
            Some(text) => writer.item(OutItem::Text(&text)),
            None => writer.item(OutItem::Original(item)),
        }
        .map_err(RunError::Write)?;
        for text in expander.new_objects.remove(&i).unwrap_or_default() {
            writer.item(OutItem::Text(&text)).map_err(RunError::Write)?;
        }
    }
    results.extend(expander.results.into_values().flatten());
    writer.finish(list.function_config.as_ref(), &results).map_err(RunError::Write)?;
    Ok(results)
}

/// A generated object kept under a kpt selector that left its DittoServer out.
fn kept_outside_selection(item: &Item<'_>, owner: &ServerKey) -> ValidationResult {
    let server = names::generated_from(owner.0.as_deref(), &owner.1);
    ValidationResult::new(
        Severity::Info,
        format!(
            "kept as it is: kpt sent part of the package (a selector), without the DittoServer {server:?} this {} was generated from; run the function without a selector to update or remove it",
            item.kind()
        ),
    )
    .on(Some(item.resource_ref()), item.file())
}

/// Expands DittoServers on demand and keeps their rendered objects until they are written.
struct Expander<'x, 'i> {
    items: &'i [Item<'i>],
    inventory: &'x Inventory<'i>,
    storage_class_check: api::StorageClassCheck,
    /// Every input item by identity (apiVersion, kind, namespace, name), to find the generated
    /// names that other items already have.
    by_identity: HashMap<Identity<'i>, Vec<usize>>,
    expansions: HashMap<ServerKey, Rendered>,
    /// The DittoServers being expanded, innermost last (see `names_taken`).
    in_progress: Vec<ServerKey>,
    /// New objects by the index of the DittoServer they follow.
    new_objects: HashMap<usize, Vec<String>>,
    /// DittoServers rewritten with the local-config annotation, by index.
    rewritten: HashMap<usize, String>,
    /// Results by the index of their DittoServer, reported in input order.
    results: BTreeMap<usize, Vec<ValidationResult>>,
}

impl<'x, 'i> Expander<'x, 'i> {
    fn new(items: &'i [Item<'i>], inventory: &'x Inventory<'i>, storage_class_check: api::StorageClassCheck) -> Self {
        let mut by_identity: HashMap<Identity<'i>, Vec<usize>> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            by_identity.entry((item.api_version(), item.kind(), item.namespace(), item.name())).or_default().push(i);
        }
        Expander {
            items,
            inventory,
            storage_class_check,
            by_identity,
            expansions: HashMap::new(),
            in_progress: Vec::new(),
            new_objects: HashMap::new(),
            rewritten: HashMap::new(),
            results: BTreeMap::new(),
        }
    }

    /// The rendered expansion of the DittoServer `key`, expanding it on first use; `None` when
    /// the input has no such DittoServer.
    /// With duplicates (an error result), each is validated and none expands.
    fn expand(&mut self, key: &ServerKey) -> Option<&mut Rendered> {
        if !self.expansions.contains_key(key) {
            let inventory = self.inventory;
            let identities = &inventory.identities;
            let positions = identities.servers.get(key)?.clone();
            // A server being expanded (checking whether another one moves its objects away)
            // cannot tell yet: see `names_taken`.
            if self.in_progress.contains(key) || self.in_progress.len() >= MAX_NESTED_EXPANSIONS {
                return None;
            }
            self.in_progress.push(key.clone());
            let mut last = Expansion::Invalid;
            for &p in &positions {
                let item = &self.items[p];
                let (expansion, found, value) = expand_one(item, self.inventory, self.items, self.storage_class_check);
                let at = |r: ValidationResult| r.on(Some(item.resource_ref()), item.file());
                self.results.insert(p, found.into_iter().map(at).collect());
                if let Some(v) = value {
                    self.rewritten.insert(p, wire::render(&v));
                }
                last = expansion;
            }
            if let Expansion::Valid(objects) = &last {
                let taken = self.names_taken(objects, key);
                if !taken.is_empty() {
                    let p = positions[positions.len() - 1];
                    let item = &self.items[p];
                    let at = |r: ValidationResult| r.on(Some(item.resource_ref()), item.file());
                    self.results.entry(p).or_default().extend(taken.into_iter().map(at));
                    last = Expansion::Invalid;
                }
            }
            // A duplicated DittoServer (reported by check_items) expands to nothing: which of
            // its specs should win is the user's call.
            if positions.len() > 1 {
                last = Expansion::Invalid;
            }
            self.in_progress.pop();
            // Under a kpt selector the function sees part of the package: objects outside the
            // selection may exist (adding them would duplicate them), and Secrets outside it
            // would change the objects (the pod's config hash). It validates, and changes
            // nothing it generated.
            if identities.selection && matches!(last, Expansion::Valid(_)) {
                let p = positions[0];
                let item = &self.items[p];
                let result = ValidationResult::warning(
                    "kpt sent part of the package (a selector): the objects generated from this DittoServer are neither added, updated nor removed, as objects and Secrets outside the selection would change them; run the function without a selector to update them",
                );
                self.results.entry(p).or_default().push(result.on(Some(item.resource_ref()), item.file()));
                last = Expansion::Invalid;
            }
            let rendered = match last {
                Expansion::Valid(mut objects) => {
                    let previous = identities.generated_by(key);
                    let replaced = replaced_items(&objects, key, previous, self.items);
                    let replacements = replaced
                        .iter()
                        .zip(&objects)
                        .filter_map(|(r, g)| r.map(|i| (i, wire::render(&keep_client_annotations(g, &self.items[i])))))
                        .collect();
                    let p = positions[0];
                    let new = objects.iter_mut().zip(&replaced).filter(|(_, r)| r.is_none()).map(|(g, _)| g);
                    self.new_objects.insert(p, new.map(|g| render_new(g, &self.items[p])).collect());
                    Rendered::Valid(replacements)
                }
                Expansion::Invalid => Rendered::Invalid,
            };
            self.expansions.insert(key.clone(), rendered);
        }
        self.expansions.get_mut(key)
    }
}

impl Expander<'_, '_> {
    /// Generated objects whose identity an input item not generated from this DittoServer
    /// already has: emitting both would leave two objects of one identity in the output. An
    /// item that leaves the namespace in this same run is no obstacle: an orphan (dropped), or
    /// an object of another valid DittoServer in another namespace (regenerated there, as when
    /// a mutator moved it). Whether that other server is valid takes its expansion, so this
    /// nests; a server already being expanded, or nesting deeper than
    /// [`MAX_NESTED_EXPANSIONS`], counts as not moving its objects.
    fn names_taken(&mut self, objects: &[Generated], server: &ServerKey) -> Vec<ValidationResult> {
        let inventory = self.inventory;
        let identities = &inventory.identities;
        let items = self.items;
        let mut out = Vec::new();
        for g in objects {
            let identity = (g.api_version, g.kind, server.0.as_deref(), g.name.as_str());
            let holders = self.by_identity.get(&identity).cloned().unwrap_or_default();
            for i in holders {
                let stays = match identities.owner(i) {
                    Some(owner) if owner == server => false,
                    None => true,
                    Some(owner) if !identities.servers.contains_key(owner) => identities.selection,
                    Some(owner) if owner.0.as_deref() == items[i].namespace() => true,
                    Some(owner) => !matches!(self.expand(owner), Some(Rendered::Valid(_))),
                };
                if stays {
                    out.push(
                        ValidationResult::error(format!(
                            "the DittoServer generates {} {:?}, and the input already has a {} of that name{} that it did not generate: rename the DittoServer or remove that item",
                            g.kind,
                            g.name,
                            g.kind,
                            in_file(&items[i])
                        ))
                        .at("metadata.name"),
                    );
                    break;
                }
            }
        }
        out
    }
}

/// How deep `names_taken` may nest expansions (a chain of servers each holding names the
/// previous one needs): bounded, so that no input can exhaust the stack.
const MAX_NESTED_EXPANSIONS: usize = 32;

/// Items every KRM resource must satisfy: apiVersion, kind, name, and no duplicates.
fn check_items(items: &[Item<'_>]) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    let mut seen: HashMap<(&str, &str, Option<&str>, &str), usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        // Items are named by kind, name and file, never by index: an index shifts when an
        // earlier run added objects, and the results of f(f(x)) must be those of f(x).
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
                    "{}{} has no {}: every item must be a Kubernetes resource with apiVersion, kind and metadata.name",
                    match item.header.kind.as_deref() {
                        Some(kind) => format!("the {kind} item"),
                        None => "an item".to_string(),
                    },
                    in_file(item),
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
                    "{} {:?}{} appears twice{}: remove one of them",
                    item.kind(),
                    item.name(),
                    item.namespace().map(|n| format!(" in namespace {n:?}")).unwrap_or_default(),
                    match (items[first].file(), item.file()) {
                        (Some(a), Some(b)) if a.path == b.path => format!(" (in {:?})", a.path),
                        (Some(a), Some(b)) => format!(" (in {:?} and {:?})", a.path, b.path),
                        _ => String::new(),
                    },
                ))
                .on(Some(item.resource_ref()), item.file()),
            );
        }
    }
    out
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
    let spec_value = value.get("spec").cloned().unwrap_or(Value::Null);
    let rewritten = with_local_config(item, value);
    found.extend(validate::name(item.name()));
    found.extend(krm::check_namespace(item.namespace()));
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
    found.extend(validate::image(&spec));
    found.extend(validate::ignored_fields(&spec));
    found.extend(validate::storage_class(&spec, inventory, storage_class_check));
    found.extend(validate::s3_secret(&spec, namespace, inventory));
    found.extend(validate::secret_refs(item.name(), &spec, namespace, inventory));
    if found.iter().any(|r| r.severity == Severity::Error) {
        return (Expansion::Invalid, found, rewritten);
    }

    let key = (item.header.namespace.clone(), item.name().to_string());
    let previous_stateful_set = inventory.identities.generated_by(&key).iter().map(|&i| &items[i]).find(|g| {
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
fn with_local_config(item: &Item<'_>, mut value: Value) -> Option<Value> {
    if item.header.annotation(wire::LOCAL_CONFIG_ANNOTATION) == Some("true") {
        return None;
    }
    let metadata = value.as_object_mut()?.entry("metadata").or_insert_with(|| Value::Object(Default::default()));
    let metadata = metadata.as_object_mut()?;
    let annotations = metadata.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
    if !annotations.is_object() {
        *annotations = Value::Object(Default::default());
    }
    annotations.as_object_mut()?.insert(wire::LOCAL_CONFIG_ANNOTATION.into(), Value::String("true".into()));
    Some(value)
}

/// For each generated object, the previously generated item (of `previous`, indexes into
/// `items`) it replaces: the one of its apiVersion, kind and name, whatever namespace another
/// mutator gave it — in the server's namespace first, so that one item is replaced per object
/// and any copy is dropped.
fn replaced_items(objects: &[Generated], owner: &ServerKey, previous: &[usize], items: &[Item<'_>]) -> Vec<Option<usize>> {
    let stands_for = |g: &Generated, i: usize| {
        let item = &items[i];
        g.api_version == item.api_version() && g.kind == item.kind() && g.name == item.name()
    };
    objects
        .iter()
        .map(|g| {
            let mut candidates = previous.iter().copied().filter(|&i| stands_for(g, i));
            let first = candidates.next()?;
            Some(std::iter::once(first).chain(candidates).find(|&i| items[i].namespace() == owner.0.as_deref()).unwrap_or(first))
        })
        .collect()
}

/// A new object, written next to its DittoServer (its path annotations set in place: the
/// object is rendered once and then dropped).
fn render_new(g: &mut Generated, server: &Item<'_>) -> String {
    if let Some(file) = server.file() {
        let path = krm::generated_path(&file.path, server.namespace(), server.name(), g.kind, &g.name);
        set_annotations(
            &mut g.value,
            [
                (wire::PATH_ANNOTATION.to_string(), path.clone()),
                (wire::INDEX_ANNOTATION.to_string(), "0".to_string()),
                (wire::INTERNAL_PATH_ANNOTATION.to_string(), path),
                (wire::INTERNAL_INDEX_ANNOTATION.to_string(), "0".to_string()),
            ]
            .into_iter(),
        );
    }
    wire::render(&g.value)
}

/// ` in <file>` for an item that came from a file, else nothing.
fn in_file(item: &Item<'_>) -> String {
    item.file().map(|f| format!(" in {:?}", f.path)).unwrap_or_default()
}

/// A replaced object keeps the annotations the clients use to track it (path, index, ids).
fn keep_client_annotations(g: &Generated, previous: &Item<'_>) -> Value {
    let mut value = g.value.clone();
    let kept = previous
        .header
        .annotations
        .iter()
        .filter(|(k, _)| CLIENT_ANNOTATION_PREFIXES.iter().any(|p| k.starts_with(p)));
    set_annotations(&mut value, kept.map(|(k, v)| (k.to_string(), v.to_string())));
    value
}

fn set_annotations(value: &mut Value, entries: impl Iterator<Item = (String, String)>) {
    let Some(annotations) = value.pointer_mut("/metadata/annotations").and_then(Value::as_object_mut) else { return };
    for (k, v) in entries {
        annotations.insert(k, Value::String(v));
    }
}
