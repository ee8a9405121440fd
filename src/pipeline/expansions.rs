//! DittoServers expanded on demand, and what their expansion does to the generated objects of
//! an earlier run: which it replaces (keeping their files), which it adds, and when it must
//! change nothing (a name another item holds, a duplicated server, a kpt selection).

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use super::checks::in_file;
use super::server::{expand_server, Expansion};
use super::Sink;
use crate::model;
use crate::expand::Generated;
use crate::inventory::Inventory;
use crate::krm::{self, annotations, ServerKey};
use crate::krm::ValidationResult;
use crate::parse::Item;

/// (apiVersion, kind, namespace, name).
type Identity<'s> = (&'s str, &'s str, Option<&'s str>, &'s str);

/// A valid DittoServer's objects in the form the sink keeps them ([`Sink::keep`]), made as soon
/// as they are expanded so that a large input never holds every generated object as a value at
/// once.
pub enum Rendered<O> {
    /// The objects replacing previously generated items, by the replaced item's index.
    Valid(HashMap<usize, O>),
    /// Its previously generated objects are kept as they were.
    Invalid,
}

/// How deep `names_taken` may nest expansions (a chain of servers each holding names the
/// previous one needs): bounded, so that no input can exhaust the stack.
const MAX_NESTED_EXPANSIONS: usize = 32;

/// Expands DittoServers on demand and keeps their objects until they are written.
pub struct Expander<'x, 'i, S: Sink> {
    items: &'i [Item<'i>],
    inventory: &'x Inventory<'i>,
    storage_class_check: model::StorageClassCheck,
    /// Every input item by identity, to find the generated names that other items already have.
    by_identity: HashMap<Identity<'i>, Vec<usize>>,
    expansions: HashMap<ServerKey, Rendered<S::Object>>,
    /// The DittoServers being expanded, innermost last (see `names_taken`).
    in_progress: Vec<ServerKey>,
    /// New objects by the index of the DittoServer they follow.
    pub new_objects: HashMap<usize, Vec<S::Object>>,
    /// DittoServers rewritten with the local-config annotation, by index.
    pub rewritten: HashMap<usize, S::Object>,
    /// Results by the index of their DittoServer, reported in input order.
    pub results: BTreeMap<usize, Vec<ValidationResult>>,
}

impl<'x, 'i, S: Sink> Expander<'x, 'i, S> {
    pub fn new(items: &'i [Item<'i>], inventory: &'x Inventory<'i>, storage_class_check: model::StorageClassCheck) -> Self {
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

    /// The expansion of the DittoServer `key`, expanding it on first use; `None` when the input
    /// has no such DittoServer. With duplicates (an error result), each is validated and none
    /// expands.
    pub fn expand(&mut self, key: &ServerKey) -> Option<&mut Rendered<S::Object>> {
        if !self.expansions.contains_key(key) {
            let positions = self.inventory.identities.servers.get(key)?.clone();
            // A server being expanded (checking whether another one moves its objects away)
            // cannot tell yet: see `names_taken`.
            if self.in_progress.contains(key) || self.in_progress.len() >= MAX_NESTED_EXPANSIONS {
                return None;
            }
            self.in_progress.push(key.clone());
            let last = self.validate(key, &positions);
            self.in_progress.pop();
            let rendered = match last {
                Expansion::Valid(objects) => self.render(key, positions[0], objects),
                Expansion::Invalid => Rendered::Invalid,
            };
            self.expansions.insert(key.clone(), rendered);
        }
        self.expansions.get_mut(key)
    }

    /// Expands each DittoServer standing at `positions` (one, unless duplicated) and decides
    /// whether its objects may be written.
    fn validate(&mut self, key: &ServerKey, positions: &[usize]) -> Expansion {
        let items = self.items;
        let mut last = Expansion::Invalid;
        for &p in positions {
            let item = &items[p];
            let (expansion, found, value) = expand_server(item, self.inventory, items, self.storage_class_check);
            self.results.insert(p, found.into_iter().map(|r| r.on_item(item)).collect());
            if let Some(v) = value {
                self.rewritten.insert(p, S::keep(v));
            }
            last = expansion;
        }
        if let Expansion::Valid(objects) = &last {
            let taken = self.names_taken(objects, key);
            if !taken.is_empty() {
                let p = positions[positions.len() - 1];
                self.results.entry(p).or_default().extend(taken.into_iter().map(|r| r.on_item(&items[p])));
                last = Expansion::Invalid;
            }
        }
        // A duplicated DittoServer (reported by check_items) expands to nothing: which of its
        // specs should win is the user's call.
        if positions.len() > 1 {
            last = Expansion::Invalid;
        }
        // Under a kpt selector the function sees part of the package: objects outside the
        // selection may exist (adding them would duplicate them), and Secrets outside it would
        // change the objects (the pod's config hash). It validates, and changes nothing it
        // generated.
        if self.inventory.identities.selection && matches!(last, Expansion::Valid(_)) {
            let p = positions[0];
            let result = ValidationResult::warning(
                "kpt sent part of the package (a selector): the objects generated from this DittoServer are neither added, updated nor removed, as objects and Secrets outside the selection would change them; run the function without a selector to update them",
            );
            self.results.entry(p).or_default().push(result.on_item(&items[p]));
            last = Expansion::Invalid;
        }
        last
    }

    /// A valid server's objects: those replacing a previously generated item keep its client
    /// annotations (its file), the others are new and follow the DittoServer at `server`.
    fn render(&mut self, key: &ServerKey, server: usize, mut objects: Vec<Generated>) -> Rendered<S::Object> {
        let items = self.items;
        let previous = self.inventory.identities.generated_by(key);
        let replaced = replaced_items(&objects, key, previous, items);
        let replacements = replaced
            .iter()
            .zip(&objects)
            .filter_map(|(r, g)| {
                r.map(|i| {
                    let mut value = g.value.clone();
                    annotations::keep_client_annotations(&items[i].header, &mut value);
                    (i, S::keep(value))
                })
            })
            .collect();
        let new = objects.iter_mut().zip(&replaced).filter(|(_, r)| r.is_none()).map(|(g, _)| g);
        let new = new.map(|g| S::keep(new_object(g, &items[server]))).collect();
        self.new_objects.insert(server, new);
        Rendered::Valid(replacements)
    }

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
/// object is handed to the sink once and then dropped).
fn new_object(g: &mut Generated, server: &Item<'_>) -> serde_json::Value {
    if let Some(file) = server.file() {
        let path = krm::generated_path(&file.path, server.namespace(), server.name(), g.kind, &g.name);
        annotations::set_file(&mut g.value, path);
    }
    std::mem::take(&mut g.value)
}
