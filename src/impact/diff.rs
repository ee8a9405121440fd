//! The differences between a previous render's object and the new one, as field paths.
//!
//! Other functions of a pipeline may add labels and annotations to the objects after this one
//! (kpt's `set-labels`, kustomize's `commonLabels`): the previous render in the input carries
//! them, the new one does not yet, and the next function adds them again. So in a map of labels
//! or annotations only the keys the new render sets are compared ([`projected`]).

use serde_json::Value;

/// Maps whose keys other functions add to.
const ADDED_TO: &[&str] = &["labels", "annotations", "matchLabels"];

/// One field that differs: its path (`spec.template.spec.containers[dittofs].image`; list items
/// with a `name` are named), and its value before and after (`None`: absent).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// `before` without the label and annotation keys `after` does not set (see the module).
pub fn projected(before: &Value, after: &Value) -> Value {
    project(before, Some(after), false)
}

fn project(before: &Value, after: Option<&Value>, added_to: bool) -> Value {
    match (before, after) {
        (Value::Object(b), Some(Value::Object(a))) => Value::Object(
            b.iter()
                // A key of a label map, or a whole label map, the new render does not have.
                .filter(|(k, _)| a.contains_key(*k) || !(added_to || ADDED_TO.contains(&k.as_str())))
                .map(|(k, v)| (k.clone(), project(v, a.get(k), ADDED_TO.contains(&k.as_str()))))
                .collect(),
        ),
        (Value::Array(b), Some(Value::Array(a))) => {
            Value::Array(b.iter().enumerate().map(|(i, v)| project(v, partner(v, i, a), false)).collect())
        }
        _ => before.clone(),
    }
}

/// The item of `after` that item `i` of `before` is compared with: the one of the same name, or
/// of the same position in a list of unnamed items.
fn partner<'a>(item: &Value, i: usize, after: &'a [Value]) -> Option<&'a Value> {
    match name(item) {
        Some(n) => after.iter().find(|a| name(a) == Some(n)),
        None => after.get(i),
    }
}

fn name(item: &Value) -> Option<&str> {
    item.get("name").and_then(Value::as_str)
}

/// Every field that differs between `before` projected on `after` (see [`projected`]) and
/// `after`, under `path`.
pub fn changes(before: &Value, after: &Value, path: &str) -> Vec<Change> {
    let mut out = Vec::new();
    walk(Some(before), Some(after), path, false, &mut out);
    out
}

/// Compares as [`projected`] would have projected `before`: in a label map (`added_to`), keys
/// only `before` has are not changes, nor is a label map only `before` has.
fn walk(before: Option<&Value>, after: Option<&Value>, path: &str, added_to: bool, out: &mut Vec<Change>) {
    if before == after {
        return;
    }
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            for (k, v) in b {
                let labels = ADDED_TO.contains(&k.as_str());
                if !a.contains_key(k) && (added_to || labels) {
                    continue;
                }
                walk(Some(v), a.get(k), &join(path, k), labels, out);
            }
            for (k, v) in a.iter().filter(|(k, _)| !b.contains_key(*k)) {
                walk(None, Some(v), &join(path, k), false, out);
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) if named(b) && named(a) => {
            for item in b {
                let n = name(item).unwrap_or_default();
                walk(Some(item), a.iter().find(|x| name(x) == Some(n)), &format!("{path}[{n}]"), false, out);
            }
            for item in a.iter().filter(|x| !b.iter().any(|y| name(y) == name(x))) {
                walk(None, Some(item), &format!("{path}[{}]", name(item).unwrap_or_default()), false, out);
            }
        }
        _ => out.push(Change { path: path.to_string(), before: before.cloned(), after: after.cloned() }),
    }
}

/// A list whose items all have a name (containers, env, volumes, ports, claim templates).
fn named(list: &[Value]) -> bool {
    !list.is_empty() && list.iter().all(|i| name(i).is_some())
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn labels_other_functions_added_are_not_changes() {
        let before = json!({"metadata": {"labels": {"app": "x", "team": "a"}}, "spec": {"selector": {"matchLabels": {"app": "x", "team": "a"}}}});
        let after = json!({"metadata": {"labels": {"app": "x"}}, "spec": {"selector": {"matchLabels": {"app": "x"}}}});
        assert_eq!(changes(&projected(&before, &after), &after, ""), vec![]);
        assert_eq!(changes(&before, &after, ""), vec![], "changes projects as it compares");
    }

    #[test]
    fn a_label_the_render_changes_is_a_change() {
        let before = json!({"labels": {"app": "x"}});
        let after = json!({"labels": {"app": "y"}});
        let found = changes(&projected(&before, &after), &after, "metadata");
        assert_eq!(found[0].path, "metadata.labels.app");
    }

    #[test]
    fn named_items_are_matched_by_name() {
        let before = json!({"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]});
        let after = json!({"env": [{"name": "B", "value": "2"}, {"name": "C", "value": "3"}]});
        let paths: Vec<String> = changes(&before, &after, "c").into_iter().map(|c| c.path).collect();
        assert_eq!(paths, ["c.env[A]", "c.env[C]"]);
    }
}
