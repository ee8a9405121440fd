//! What the transform will write, decided before anything is written: for each DittoServer its
//! verdict (a plan for its objects, or keeping its previous objects) with its results, and for
//! each object where it goes (in place of a previously generated item, or after its DittoServer).
//! A verdict can hang on another server's (see [`Decider::names_taken`]); nothing here writes.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};
use serde_json::Value;

use super::checks::in_file;
use super::server::{decide_server, Verdict};
use crate::expand;
use crate::inventory::Inventory;
use crate::krm::object::Identity;
use crate::krm::{ServerKey, Severity, ValidationResult};
use crate::model;
use crate::parallel;
use crate::parse::Item;
use crate::server::Plan;

/// How deep one server's verdict may wait on others' (a chain of servers each holding names the
/// previous one needs): bounded, so that no input can exhaust the stack.
const MAX_NESTED_VERDICTS: usize = 32;

/// Everything decided about one input.
pub struct Decisions<O> {
    /// The plans of the DittoServers whose objects are written anew.
    pub plans: HashMap<ServerKey, Box<Plan>>,
    /// What becomes of each previously generated item, by index.
    pub fates: HashMap<usize, Fate>,
    /// The objects that follow each DittoServer, by its index: (server, object numbers).
    pub follow: HashMap<usize, (ServerKey, Vec<usize>)>,
    /// DittoServers rewritten with the local-config mark, by index, as the sink keeps them.
    pub marked: HashMap<usize, O>,
    /// Results by the index of the item they are about.
    pub results: BTreeMap<usize, Vec<ValidationResult>>,
    /// What removing the DittoServers of the previous render that the input no longer has does.
    pub removed: Vec<ValidationResult>,
}

/// What becomes of a previously generated item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Kept as it is: its DittoServer is invalid, or outside a kpt selection.
    Keep,
    /// Replaced by object `n` of its DittoServer's plan.
    Replace(ServerKey, usize),
    /// Removed: its DittoServer is gone, or no longer generates it.
    Drop,
}

/// Decides everything for `items`; `write`: whether the output is written (not a validator);
/// `keep`: how the sink keeps a rewritten DittoServer until its place comes.
pub fn decide<O: Send>(
    items: &[Item<'_>],
    inventory: &Inventory<'_>,
    config: &model::FunctionConfig,
    write: bool,
    keep: fn(Value) -> O,
) -> Decisions<O> {
    // Each DittoServer is read and validated on its own, side by side; the verdicts that hang
    // on others' are decided below, in order.
    let servers: Vec<usize> = (0..items.len()).filter(|&i| crate::krm::server_key(&items[i]).is_some()).collect();
    let check = config.storage_class_check;
    let read = parallel::map(servers.len(), |n| {
        let (verdict, mut found, value) = decide_server(&items[servers[n]], inventory, check);
        // Held until the verdicts are taken, beside every other server's: without spare room.
        found.shrink_to_fit();
        Some((verdict, found, value.map(keep)))
    });
    let read = ServersRead { servers, read };
    let mut decider = Decider::new(items, inventory, read);
    for item in items {
        if let Some(key) = crate::krm::server_key(item) {
            decider.verdict(&key);
        }
    }
    let Decider { plans, results, marked, .. } = decider;
    let plans: HashMap<ServerKey, Box<Plan>> = plans.into_iter().filter_map(|(k, p)| Some((k, p?))).collect();
    let removed = removed_servers(inventory);
    let mut decisions = Decisions { plans, fates: HashMap::new(), follow: HashMap::new(), marked, results, removed };
    if write {
        place(items, inventory, &mut decisions);
    }
    decisions
}

/// The previous render's servers the input no longer has: their objects are pruned, their PVCs
/// stay.
fn removed_servers(inventory: &Inventory<'_>) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    for (key, stateful_set) in inventory.removed_servers() {
        let Ok(value) = stateful_set.value() else { continue };
        let server = crate::expand::names::generated_from(key.0.as_deref(), &key.1);
        let finding = crate::impact::server_removed(key.0.as_deref(), &server, &value);
        let (results, _) = crate::impact::acknowledge::results(vec![finding], None);
        out.extend(results.into_iter().map(|r| r.on_item(stateful_set)));
    }
    out
}

/// Where each planned object goes, and what becomes of each previously generated item.
fn place<O>(items: &[Item<'_>], inventory: &Inventory<'_>, decisions: &mut Decisions<O>) {
    let identities = &inventory.identities;
    for (key, plan) in &decisions.plans {
        let objects = expand::identities(plan);
        let previous = identities.generated_by(key);
        let replaced = replaced_items(&objects, key, previous, items);
        let mut new = Vec::new();
        for (n, r) in replaced.into_iter().enumerate() {
            match r {
                Some(i) => {
                    decisions.fates.insert(i, Fate::Replace(key.clone(), n));
                }
                None => new.push(n),
            }
        }
        let server = identities.servers[key][0];
        decisions.follow.insert(server, (key.clone(), new));
    }
    for (i, item) in items.iter().enumerate() {
        let Some(owner) = identities.owner(i) else { continue };
        if decisions.fates.contains_key(&i) {
            continue;
        }
        let fate = if decisions.plans.contains_key(owner) {
            Fate::Drop
        } else if identities.servers.contains_key(owner) {
            Fate::Keep
        } else if identities.selection {
            // Its DittoServer is outside the selection kpt sent: kept then.
            decisions.results.entry(i).or_default().push(kept_outside_selection(item, owner));
            Fate::Keep
        } else {
            Fate::Drop
        };
        decisions.fates.insert(i, fate);
    }
}

/// One DittoServer read and validated: its verdict, its results (without resourceRef/file)
/// and, when it needs the local-config mark, its rewritten object as the sink keeps it.
type ServerRead<O> = (Verdict, Vec<ValidationResult>, Option<O>);

/// Each DittoServer read and validated, until its verdict takes it.
struct ServersRead<O> {
    /// The indexes of the DittoServers, in order.
    servers: Vec<usize>,
    read: Vec<Option<ServerRead<O>>>,
}

impl<O> ServersRead<O> {
    fn take(&mut self, item: usize) -> Option<ServerRead<O>> {
        let n = self.servers.binary_search(&item).ok()?;
        self.read[n].take()
    }
}

/// The verdicts, each decided once, on first need.
struct Decider<'x, 'i, O> {
    items: &'i [Item<'i>],
    inventory: &'x Inventory<'i>,
    read: ServersRead<O>,
    /// Every input item by identity, to find the generated names that other items already have.
    by_identity: HashMap<Identity<'i>, Vec<usize>>,
    /// The verdict of each server decided so far: its plan, or `None` (its objects are kept).
    plans: HashMap<ServerKey, Option<Box<Plan>>>,
    /// The servers whose verdict is being decided, innermost last.
    deciding: Vec<ServerKey>,
    marked: HashMap<usize, O>,
    results: BTreeMap<usize, Vec<ValidationResult>>,
}

impl<'x, 'i, O> Decider<'x, 'i, O> {
    fn new(items: &'i [Item<'i>], inventory: &'x Inventory<'i>, read: ServersRead<O>) -> Self {
        // Only items of a kind the function generates can hold one of its names.
        let mut by_identity: HashMap<Identity<'i>, Vec<usize>> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            if crate::krm::gvk::is_generated_kind(item.api_version(), item.kind()) {
                by_identity.entry(item.identity()).or_default().push(i);
            }
        }
        Decider {
            items,
            inventory,
            read,
            by_identity,
            plans: HashMap::new(),
            deciding: Vec::new(),
            marked: HashMap::new(),
            results: BTreeMap::new(),
        }
    }

    /// Whether the DittoServer `key` writes its objects anew, deciding it on first need; `None`
    /// when the input has no such DittoServer, or when it is being decided (it cannot tell yet).
    fn verdict(&mut self, key: &ServerKey) -> Option<bool> {
        if let Some(plan) = self.plans.get(key) {
            return Some(plan.is_some());
        }
        let positions = self.inventory.identities.servers.get(key)?.clone();
        if self.deciding.contains(key) || self.deciding.len() >= MAX_NESTED_VERDICTS {
            return None;
        }
        self.deciding.push(key.clone());
        let plan = self.decide(key, &positions);
        self.deciding.pop();
        let valid = plan.is_some();
        self.plans.insert(key.clone(), plan);
        Some(valid)
    }

    /// Validates each DittoServer standing at `positions` (one, unless duplicated) and decides
    /// whether its objects may be written.
    fn decide(&mut self, key: &ServerKey, positions: &[usize]) -> Option<Box<Plan>> {
        let items = self.items;
        let mut last = Verdict::Invalid;
        for &p in positions {
            let item = &items[p];
            // Every DittoServer was read (`decide`): a position without one has no verdict.
            let Some((verdict, found, marked)) = self.read.take(p) else { continue };
            self.results.insert(p, found.into_iter().map(|r| r.on_item(item)).collect());
            if let Some(object) = marked {
                self.marked.insert(p, object);
            }
            last = verdict;
        }
        let Verdict::Valid(plan) = last else { return None };
        let taken = self.names_taken(&plan, key);
        let p = positions[positions.len() - 1];
        if !taken.is_empty() {
            self.results.entry(p).or_default().extend(taken.into_iter().map(|r| r.on_item(&items[p])));
            return None;
        }
        // A duplicated DittoServer (reported by check_items) writes nothing: which of its specs
        // should win is the user's call.
        if positions.len() > 1 {
            return None;
        }
        // Under a kpt selector the function sees part of the package: objects outside the
        // selection may exist (adding them would duplicate them), and Secrets outside it would
        // change the objects (the pod's config hash). It validates, and changes nothing it
        // generated.
        if self.inventory.identities.selection {
            let result = ValidationResult::warning(
                "kpt sent part of the package (a selector): the objects generated from this DittoServer are neither added, updated nor removed, as objects and Secrets outside the selection would change them; run the function without a selector to update them",
            );
            self.results.entry(positions[0]).or_default().push(result.on_item(&items[positions[0]]));
            return None;
        }
        Some(plan)
    }

    /// Planned objects whose identity an input item not generated from this DittoServer already
    /// has: emitting both would leave two objects of one identity in the output. An item that
    /// leaves the namespace in this same run is no obstacle: an orphan (dropped), or an object of
    /// another valid DittoServer in another namespace (regenerated there, as when a mutator moved
    /// it). Whether that other server is valid takes its verdict, so this nests; a server being
    /// decided, or nesting deeper than [`MAX_NESTED_VERDICTS`], counts as not moving its objects.
    fn names_taken(&mut self, plan: &Plan, server: &ServerKey) -> Vec<ValidationResult> {
        let identities = &self.inventory.identities;
        let items = self.items;
        let mut out = Vec::new();
        for (gvk, name) in expand::identities(plan) {
            let identity = (gvk.api_version, gvk.kind, server.0.as_deref(), name.as_str());
            let holders = self.by_identity.get(&identity).cloned().unwrap_or_default();
            for i in holders {
                let stays = match identities.owner(i) {
                    Some(owner) if owner == server => false,
                    None => true,
                    Some(owner) if !identities.servers.contains_key(owner) => identities.selection,
                    Some(owner) if owner.0.as_deref() == items[i].namespace() => true,
                    Some(owner) => self.verdict(&owner.clone()) != Some(true),
                };
                if stays {
                    out.push(
                        ValidationResult::error(format!(
                            "the DittoServer generates {} {name:?}, and the input already has a {} of that name{} that it did not generate: rename the DittoServer or remove that item",
                            gvk.kind,
                            gvk.kind,
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

/// For each planned object, the previously generated item (of `previous`, indexes into `items`)
/// it replaces: the one of its apiVersion, kind and name, whatever namespace another mutator gave
/// it — in the server's namespace first, so that one item is replaced per object and any copy
/// is dropped.
fn replaced_items(objects: &[(crate::krm::Gvk, String)], owner: &ServerKey, previous: &[usize], items: &[Item<'_>]) -> Vec<Option<usize>> {
    let stands_for = |(gvk, name): &(crate::krm::Gvk, String), i: usize| {
        let item = &items[i];
        gvk.api_version == item.api_version() && gvk.kind == item.kind() && name == item.name()
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

/// A generated object kept under a kpt selector that left its DittoServer out.
fn kept_outside_selection(item: &Item<'_>, owner: &ServerKey) -> ValidationResult {
    let server = crate::expand::names::generated_from(owner.0.as_deref(), &owner.1);
    ValidationResult::new(
        Severity::Info,
        format!(
            "kept as it is: kpt sent part of the package (a selector), without the DittoServer {server:?} this {} was generated from; run the function without a selector to update or remove it",
            item.kind()
        ),
    )
    .on_item(item)
}
