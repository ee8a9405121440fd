//! How a tree is changed on its way out (keys put first, keys left out, entries added), as
//! data: [`super::serialize`] applies it while it writes, [`Shape::apply`] to a value, for the
//! callers that keep values.

use serde_json::{Map, Value};

/// How a tree is changed on its way out, mapping by mapping: each rule applies to the node at
/// the path of keys (and sequence items) it is nested under.
pub struct Shape {
    /// Keys put first, in this order; the others keep their order after them.
    pub first: &'static [&'static str],
    /// Keys left out, with their values.
    pub drop: &'static [&'static str],
    /// The [`Extra`] entries go in this mapping.
    pub extra: bool,
    /// The shapes of the values under these keys.
    pub fields: &'static [(&'static str, Shape)],
    /// The shape of each item of this sequence.
    pub items: Option<&'static Shape>,
}

/// Entries added, as strings, to the mapping whose shape says `extra`, after its own. One
/// whose key the mapping has replaces that entry's value in place when `replace`, and is left
/// out otherwise. Nothing is added where that mapping is absent.
pub struct Extra<'e> {
    pub entries: &'e [(String, String)],
    pub replace: bool,
}

impl Shape {
    /// No change.
    pub const NONE: Shape = Shape { first: &[], drop: &[], extra: false, fields: &[], items: None };

    /// This shape applied to a value.
    pub fn apply(&self, value: &mut Value, extra: &Extra<'_>) {
        match value {
            Value::Object(map) => {
                for key in self.drop {
                    map.shift_remove(*key);
                }
                if self.extra {
                    for (key, v) in extra.entries {
                        if extra.replace {
                            map.insert(key.clone(), Value::String(v.clone()));
                        } else {
                            map.entry(key.clone()).or_insert_with(|| Value::String(v.clone()));
                        }
                    }
                }
                put_first(map, self.first);
                for (key, shape) in self.fields {
                    if let Some(v) = map.get_mut(*key) {
                        shape.apply(v, extra);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(shape) = self.items {
                    items.iter_mut().for_each(|v| shape.apply(v, extra));
                }
            }
            _ => {}
        }
    }

    /// Where `key` goes in a mapping of this shape: its place among [`Shape::first`], after
    /// them when it is not one of them.
    pub(super) fn rank(&self, key: &str) -> usize {
        self.first.iter().position(|k| *k == key).unwrap_or(self.first.len())
    }
}

impl Extra<'static> {
    pub const NONE: Extra<'static> = Extra { entries: &[], replace: false };
}

impl Extra<'_> {
    /// The value an entry of `key` gets: the last one's when entries replace, else the first's.
    pub(super) fn value_of(&self, key: &str) -> Option<&str> {
        let mut matching = self.entries.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str());
        if self.replace {
            matching.last()
        } else {
            matching.next()
        }
    }
}

/// Moves the `keys` that `map` holds to its front, in that order; the other keys keep theirs.
/// In place: rebuilding the map would hash every key again.
fn put_first(map: &mut Map<String, Value>, keys: &[&str]) {
    let mut at = 0;
    for &key in keys {
        if map.keys().nth(at).is_some_and(|k| k == key) {
            at += 1;
        } else if let Some(v) = map.shift_remove(key) {
            map.shift_insert(at, key.to_string(), v);
            at += 1;
        }
    }
}
