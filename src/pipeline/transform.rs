//! The transform both modes share: the items of one input in, in order, each DittoServer
//! followed by its new objects, previously generated objects replaced in place, kept or
//! removed; the results out. The items come from a ResourceList (function mode) or from
//! manifest files (`build`); where the output goes is the [`Sink`]'s business.

use serde_json::Value;

use std::sync::Mutex;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::checks::check_items;
use super::decisions::{decide, Decisions, Fate};
use crate::expand::{self, Generated};
use crate::inventory::Inventory;
use crate::krm::annotations::Tracking;
use crate::krm::{self, ServerKey, ValidationResult};
use crate::model::{FunctionConfig, Mode};
use crate::parallel;
use crate::parse::Item;
use crate::server::Plan;

/// Where the output items go, in order.
pub trait Sink {
    /// A generated or rewritten object as the sink keeps it until its place in the output
    /// comes (function mode: its text, which takes less memory than the value).
    type Object: Send;
    /// Why the sink took no more (function mode: the output cannot be written).
    type Error;
    fn keep(value: Value) -> Self::Object;
    /// A generated object, with the annotations the clients track it by.
    fn generated(object: Generated, tracking: &Tracking) -> Self::Object;
    /// The input item `index`, unchanged.
    fn original(&mut self, index: usize, item: &Item<'_>) -> Result<(), Self::Error>;
    /// A generated object, or a DittoServer rewritten with the local-config mark.
    fn object(&mut self, object: Self::Object) -> Result<(), Self::Error>;
}

/// Transforms `items` under `config` (or, when the functionConfig is unusable, the result that
/// says why: every item then passes through). Returns the results in input order; fails only
/// when the sink does.
pub fn transform<'i, S: Sink>(
    items: &'i [Item<'i>],
    previous: Option<&'i [Item<'i>]>,
    config: Result<FunctionConfig, ValidationResult>,
    sink: &mut S,
) -> Result<Vec<ValidationResult>, S::Error> {
    let config = match config {
        Ok(c) => c,
        Err(result) => {
            // Without a usable configuration nothing is expanded.
            for (i, item) in items.iter().enumerate() {
                sink.original(i, item)?;
            }
            return Ok(vec![result]);
        }
    };
    let inventory = match previous {
        Some(previous) => Inventory::with_previous(items, previous),
        None => Inventory::new(items),
    };
    // A validator reports what it found and must hand every item back untouched.
    let write = config.mode != Mode::Validate;
    let Decisions { mut plans, fates, mut follow, mut marked, results: found, removed } = decide(items, &inventory, &config, write, S::keep);
    let mut results = check_items(items, |i| fates.get(&i) != Some(&Fate::Drop));
    results.extend(items.iter().filter_map(krm::unsupported_version));
    results.extend(found.into_values().flatten());
    results.extend(removed);
    if !write {
        for (i, item) in items.iter().enumerate() {
            sink.original(i, item)?;
        }
        return Ok(results);
    }

    // Output order: input order, each DittoServer followed by its new objects; previously
    // generated objects replaced in place (keeping the clients' annotations), kept when their
    // DittoServer is invalid, dropped when it is gone or no longer generates them. The servers'
    // objects are made side by side, a few servers ahead of the output, in the order the output
    // needs them, and each is written as soon as its place comes: memory does not grow with the
    // number of generated objects.
    let order = need_order(items.len(), &fates, &follow);
    let plans: Vec<Mutex<Option<Box<Plan>>>> = order.iter().map(|key| Mutex::new(plans.remove(key))).collect();
    let maker = Maker { items, inventory: &inventory, fates: &fates };
    let make = |n: usize| {
        let plan = plans[n].lock().unwrap_or_else(|e| e.into_inner()).take();
        plan.map(|plan| maker.make::<S>(&order[n], *plan)).unwrap_or_default()
    };
    parallel::in_order(order.len(), MADE_AHEAD, make, |made| {
        let mut objects = Objects { order: &order, made, taken: 0, ready: HashMap::new() };
        for (i, item) in items.iter().enumerate() {
            if let Some(fate) = fates.get(&i) {
                match fate {
                    Fate::Keep => sink.original(i, item)?,
                    Fate::Drop => {}
                    Fate::Replace(key, n) => {
                        if let Some(object) = objects.take(key, *n) {
                            sink.object(object)?;
                        }
                    }
                }
                continue;
            }
            match marked.remove(&i) {
                Some(object) => sink.object(object)?,
                None => sink.original(i, item)?,
            }
            if let Some((key, numbers)) = follow.remove(&i) {
                for n in numbers {
                    if let Some(object) = objects.take(&key, n) {
                        sink.object(object)?;
                    }
                }
            }
        }
        Ok(results)
    })
}

/// How many servers' objects may be made ahead of the output.
const MADE_AHEAD: usize = 16;

/// The servers whose objects the output takes, in the order it first needs one of them (the
/// order of the loop in [`transform`]).
fn need_order(count: usize, fates: &HashMap<usize, Fate>, follow: &HashMap<usize, (ServerKey, Vec<usize>)>) -> Vec<ServerKey> {
    let mut seen = HashSet::new();
    let mut order = Vec::new();
    for i in 0..count {
        let key = match (fates.get(&i), follow.get(&i)) {
            (Some(Fate::Replace(key, _)), _) => key,
            (None, Some((key, numbers))) if !numbers.is_empty() => key,
            _ => continue,
        };
        if seen.insert(key) {
            order.push(key.clone());
        }
    }
    order
}

/// The servers' objects as the output takes them: made in [`need_order`], each server's kept
/// until the last of them is written.
struct Objects<'o, 'r, O> {
    order: &'o [ServerKey],
    made: &'o mut parallel::Results<'r, Vec<Option<O>>>,
    /// How many servers' objects came from `made`.
    taken: usize,
    /// Each made server's objects not yet written, by number; empty once all are.
    ready: HashMap<&'o ServerKey, Vec<Option<O>>>,
}

impl<'o, O> Objects<'o, '_, O> {
    fn take(&mut self, key: &ServerKey, n: usize) -> Option<O> {
        while !self.ready.contains_key(key) {
            let objects = self.made.next()?;
            self.ready.insert(&self.order[self.taken], objects);
            self.taken += 1;
        }
        let objects = self.ready.get_mut(key)?;
        let object = objects.get_mut(n)?.take();
        if objects.iter().all(Option::is_none) {
            // Its last object is written: its list goes too (made in place of the expansion,
            // it has that list's size).
            *objects = Vec::new();
        }
        object
    }
}

/// What making a server's objects reads.
struct Maker<'o, 'i> {
    items: &'o [Item<'i>],
    inventory: &'o Inventory<'i>,
    fates: &'o HashMap<usize, Fate>,
}

impl Maker<'_, '_> {
    /// Expands the plan; an object replacing a previous one keeps its tracking annotations (its
    /// file), a new one is written next to its DittoServer.
    fn make<S: Sink>(&self, key: &ServerKey, plan: Plan) -> Vec<Option<S::Object>> {
        let (items, inventory) = (self.items, self.inventory);
        let namespace = key.0.as_deref();
        let secret = |name: &str| inventory.secret(namespace, name).flatten().cloned();
        let server = &items[inventory.identities.servers[key][0]];
        let replaced: HashMap<usize, usize> = inventory
            .identities
            .generated_by(key)
            .iter()
            .filter_map(|&i| match self.fates.get(&i) {
                Some(Fate::Replace(k, n)) if k == key => Some((*n, i)),
                _ => None,
            })
            .collect();
        expand::expand(plan, &secret)
            .into_iter()
            .enumerate()
            .map(|(n, g)| {
                let tracking = match (replaced.get(&n), server.file()) {
                    (Some(&i), _) => Tracking::kept_from(&items[i].header),
                    (None, Some(file)) => Tracking::new_file(krm::generated_path(&file.path, server.namespace(), server.name(), g.kind, &g.name)),
                    (None, None) => Tracking::default(),
                };
                Some(S::generated(g, &tracking))
            })
            .collect()
    }
}
