//! The transform both modes share: the items of one input in, in order, each DittoServer
//! followed by its new objects, previously generated objects replaced in place, kept or
//! removed; the results out. The items come from a ResourceList (function mode) or from
//! manifest files (`build`); where the output goes is the [`Sink`]'s business.

use serde_json::Value;

use super::checks::check_items;
use super::expansions::{Expander, Rendered};
use crate::model::{FunctionConfig, Mode};
use crate::expand::names;
use crate::inventory::Inventory;
use crate::krm::{self, ServerKey};
use crate::krm::{Severity, ValidationResult};
use crate::parse::Item;

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
pub fn transform<S: Sink>(
    items: &[Item<'_>],
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
    let inventory = Inventory::new(items);

    // Output order: input order, each DittoServer followed by its newly generated objects;
    // previously generated objects replaced in place (keeping the clients' annotations), kept
    // when their DittoServer is invalid, dropped when it is gone or no longer generates them.
    // A DittoServer is expanded when the output first needs it, and its objects are written as
    // soon as their place comes: memory does not grow with the number of generated objects.
    let identities = &inventory.identities;
    let mut expander = Expander::<S>::new(items, &inventory, config.storage_class_check);
    for (i, item) in items.iter().enumerate() {
        if let Some(key) = krm::server_key(item) {
            expander.expand(&key);
        }
        // A validator reports what it found and must hand every item back untouched.
        if config.mode == Mode::Validate {
            sink.original(i, item)?;
            continue;
        }
        if let Some(owner) = identities.owner(i) {
            match expander.expand(owner) {
                Some(Rendered::Valid(replacements)) => {
                    if let Some(object) = replacements.remove(&i) {
                        sink.object(object)?;
                    }
                }
                Some(Rendered::Invalid) => sink.original(i, item)?,
                // Its DittoServer is gone, or outside the selection kpt sent: kept then.
                None if identities.selection => {
                    expander.results.entry(i).or_default().push(kept_outside_selection(item, owner));
                    sink.original(i, item)?;
                }
                None => {}
            }
            continue;
        }
        match expander.rewritten.remove(&i) {
            Some(object) => sink.object(object)?,
            None => sink.original(i, item)?,
        }
        for object in expander.new_objects.remove(&i).unwrap_or_default() {
            sink.object(object)?;
        }
    }
    results.extend(expander.results.into_values().flatten());
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
    .on_item(item)
}
