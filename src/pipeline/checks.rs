//! What every item must satisfy, whatever its kind: apiVersion, kind and name, and one item per
//! identity.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;

use crate::krm::ValidationResult;

use crate::parse::Item;

/// Items every KRM resource must satisfy: apiVersion, kind, name, and no duplicates among the
/// items that `stays` (those the output keeps: an item the function drops, a stale copy of one
/// of its objects say, is no duplicate of the one it keeps; and were it counted, the next run,
/// without it, would pair the copies left otherwise and report what this run did not).
pub fn check_items(items: &[Item<'_>], stays: impl Fn(usize) -> bool) -> Vec<ValidationResult> {
    let mut out = Vec::new();
    let named = |item: &Item<'_>| item.header.api_version.is_some() && item.header.kind.is_some() && item.header.name.is_some();
    let copies = earlier_copies(items, |i| named(&items[i]) && stays(i));
    let mut copies = copies.iter().peekable();
    for (i, item) in items.iter().enumerate() {
        // Items are named by kind, name and file, never by index: an index shifts when an
        // earlier run added objects, and the results of f(f(x)) must be those of f(x).
        if !named(item) {
            out.push(missing_fields(item));
            continue;
        }
        let Some(&(_, earlier)) = copies.next_if(|(copy, _)| *copy == i) else { continue };
        out.push(
            ValidationResult::error(format!(
                "{} {:?}{} appears twice{}: remove one of them",
                item.kind(),
                item.name(),
                item.namespace().map(|n| format!(" in namespace {n:?}")).unwrap_or_default(),
                match (items[earlier].file(), item.file()) {
                    (Some(a), Some(b)) if a.path == b.path => format!(" (in {:?})", a.path),
                    (Some(a), Some(b)) => format!(" (in {:?} and {:?})", a.path, b.path),
                    _ => String::new(),
                },
            ))
            .on_item(item),
        );
    }
    out
}

fn missing_fields(item: &Item<'_>) -> ValidationResult {
    let missing: Vec<&str> = [
        ("apiVersion", item.header.api_version.is_none()),
        ("kind", item.header.kind.is_none()),
        ("metadata.name", item.header.name.is_none()),
    ]
    .into_iter()
    .filter_map(|(f, m)| m.then_some(f))
    .collect();
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
    .on(None, item.file())
}

/// (item, the copy before it) for each `counted` item whose identity (apiVersion, kind,
/// namespace, name) an earlier counted item has, by item. From sorted hashes rather than a map
/// of identities: this runs beside the inventory and the decisions, and a map of 10,000
/// four-string keys takes a megabyte.
fn earlier_copies(items: &[Item<'_>], counted: impl Fn(usize) -> bool) -> Vec<(usize, usize)> {
    let identity = |i: usize| items[i].identity();
    let hasher = FixedState::with_seed(0);
    let mut by_hash: Vec<(u64, usize)> = (0..items.len()).filter(|&i| counted(i)).map(|i| (hasher.hash_one(identity(i)), i)).collect();
    by_hash.sort_unstable();
    let mut out = Vec::new();
    for run in by_hash.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        // In input order; a hash collision may hold other identities.
        for (k, &(_, i)) in run.iter().enumerate() {
            if let Some(&(_, earlier)) = run[..k].iter().rev().find(|&&(_, j)| identity(j) == identity(i)) {
                out.push((i, earlier));
            }
        }
    }
    out.sort_unstable();
    out
}

/// ` in <file>` for an item that came from a file, else nothing.
pub fn in_file(item: &Item<'_>) -> String {
    item.file().map(|f| format!(" in {:?}", f.path)).unwrap_or_default()
}
