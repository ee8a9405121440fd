//! The transform both modes share: the items of one input in, in order, each DittoServer
//! followed by its new objects, previously generated objects replaced in place, kept or
//! removed; the results out. The items come from a ResourceList (function mode) or from
//! manifest files (`build`); where the output goes is the [`Sink`]'s business.

use serde_json::Value;

use foldhash::{HashMap, HashMapExt};

use super::checks::check_items;
use super::decisions::{decide, Decisions, Fate};
use crate::expand;
use crate::inventory::Inventory;
use crate::krm::{self, annotations, ServerKey, ValidationResult};
use crate::model::{FunctionConfig, Mode};
use crate::parse::Item;
use crate::server::Plan;

/// Where the output items go, in order.
pub trait Sink {
    /// A generated or rewritten object as the sink keeps it until its place in the output
    /// comes (function mode: its text, which takes less memory than the value).
    type Object;
    /// Why the sink took no more (function mode: the output cannot be written).
    type Error;
    fn keep(value: Value) -> Self::Object;
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
    let mut results = check_items(items);
    results.extend(items.iter().filter_map(krm::unsupported_version));
    let inventory = match previous {
        Some(previous) => Inventory::with_previous(items, previous),
        None => Inventory::new(items),
    };
    // A validator reports what it found and must hand every item back untouched.
    let write = config.mode != Mode::Validate;
    let Decisions { plans, fates, mut follow, mut marked, results: found, removed } = decide(items, &inventory, &config, write, S::keep);
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
    // DittoServer is invalid, dropped when it is gone or no longer generates them. A server's
    // objects are made when the output first needs one of them, and each is written as soon as
    // its place comes: memory does not grow with the number of generated objects.
    let mut objects = Objects::<S> { items, inventory: &inventory, fates: &fates, plans, made: HashMap::new() };
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
}

/// The planned objects, made from a server's plan when the first of them is needed.
struct Objects<'o, 'i, S: Sink> {
    items: &'o [Item<'i>],
    inventory: &'o Inventory<'i>,
    fates: &'o HashMap<usize, Fate>,
    /// The plans of the servers whose objects are not made yet.
    plans: HashMap<ServerKey, Box<Plan>>,
    /// Each made server's objects not yet written, by number.
    made: HashMap<ServerKey, Vec<Option<S::Object>>>,
}

impl<S: Sink> Objects<'_, '_, S> {
    fn take(&mut self, key: &ServerKey, n: usize) -> Option<S::Object> {
        if !self.made.contains_key(key) {
            let plan = self.plans.remove(key)?;
            let made = self.make(key, *plan);
            self.made.insert(key.clone(), made);
        }
        self.made.get_mut(key)?.get_mut(n)?.take()
    }

    /// Expands the plan; an object replacing a previous one keeps its tracking annotations (its
    /// file), a new one is written next to its DittoServer.
    fn make(&self, key: &ServerKey, plan: Plan) -> Vec<Option<S::Object>> {
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
            .map(|(n, mut g)| {
                match replaced.get(&n) {
                    Some(&i) => annotations::keep_tracking_annotations(&items[i].header, &mut g.value),
                    None => {
                        if let Some(file) = server.file() {
                            let path = krm::generated_path(&file.path, server.namespace(), server.name(), g.kind, &g.name);
                            annotations::set_file(&mut g.value, path);
                        }
                    }
                }
                Some(S::keep(g.value))
            })
            .collect()
    }
}
