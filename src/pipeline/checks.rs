//! What every item must satisfy, whatever its kind: apiVersion, kind and name, and one item per
//! identity.

use foldhash::{HashMap, HashMapExt};

use crate::krm::ValidationResult;

use crate::parse::Item;

/// Items every KRM resource must satisfy: apiVersion, kind, name, and no duplicates among the
/// items that `stays` (those the output keeps: an item the function drops, a stale copy of one
/// of its objects say, is no duplicate of the one it keeps; and were it counted, the next run,
/// without it, would pair the copies left otherwise and report what this run did not).
pub fn check_items(items: &[Item<'_>], stays: impl Fn(usize) -> bool) -> Vec<ValidationResult> {
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
        if !stays(i) {
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
                .on_item(item),
            );
        }
    }
    out
}

/// ` in <file>` for an item that came from a file, else nothing.
pub fn in_file(item: &Item<'_>) -> String {
    item.file().map(|f| format!(" in {:?}", f.path)).unwrap_or_default()
}
