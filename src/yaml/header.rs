//! An object's header: the fields the function reads before any value (apiVersion, kind,
//! metadata.name, metadata.namespace, the annotations), and the one rule that reads them,
//! whether from the outline's scalar events or from a value.
//!
//! The rule: a field is its scalar's text as written, quoted or plain (`0x1F`, `010`, `1e3` and
//! `true` stay as written). A null (a plain, untagged `~`, `null` or nothing) leaves apiVersion,
//! kind, name and namespace unset and makes an annotation the empty string, as Kubernetes decodes
//! it (a Go string from JSON null): `path:` and `path: null` say the same. A collection is no
//! field. A value read as written ([`super::parse_as_written`]) gives every scalar back as its
//! text; a number or boolean of a generated object is the text the emitter writes for it.

use std::borrow::Cow;

use serde_json::Value;

/// The header of an item, a functionConfig or a manifest document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub api_version: Option<Box<str>>,
    pub kind: Option<Box<str>>,
    pub name: Option<Box<str>>,
    pub namespace: Option<Box<str>>,
    /// Annotations in document order; only scalar values are kept.
    pub annotations: Annotations,
}

/// A scalar as the header reads it.
pub enum Scalar<'s> {
    Null,
    Text(Cow<'s, str>),
}

impl<'s> Scalar<'s> {
    /// An event's scalar: only a plain, untagged null is null (`"null"` is a name).
    #[inline]
    pub fn of_event(text: Cow<'s, str>, plain_untagged: bool) -> Self {
        if plain_untagged && is_null(&text) {
            Scalar::Null
        } else {
            Scalar::Text(text)
        }
    }

    /// A value's scalar; `None` for a collection.
    pub fn of_value(value: &'s Value) -> Option<Self> {
        Some(match value {
            Value::Null => Scalar::Null,
            Value::String(s) => Scalar::Text(Cow::Borrowed(s)),
            Value::Number(n) => Scalar::Text(Cow::Owned(n.to_string())),
            Value::Bool(b) => Scalar::Text(Cow::Borrowed(if *b { "true" } else { "false" })),
            Value::Array(_) | Value::Object(_) => return None,
        })
    }
}

/// The plain scalars that are null under both schemas.
pub fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// The header field a scalar is, by where it stands in the object.
pub enum Field<'k> {
    ApiVersion,
    Kind,
    Name,
    Namespace,
    Annotation(&'k str),
}

impl<'k> Field<'k> {
    /// The field of the value of `key` in the mapping at `path` below the object (`[]`: the
    /// object's own keys). `path` holds the keys of the mappings between, `None` for a key that
    /// is not a scalar.
    #[inline]
    pub fn at(path: &[Option<Cow<'_, str>>], key: &'k str) -> Option<Self> {
        match path {
            [] => match key {
                "apiVersion" => Some(Field::ApiVersion),
                "kind" => Some(Field::Kind),
                _ => None,
            },
            [Some(m)] if m == "metadata" => match key {
                "name" => Some(Field::Name),
                "namespace" => Some(Field::Namespace),
                _ => None,
            },
            [Some(m), Some(a)] if m == "metadata" && a == "annotations" => Some(Field::Annotation(key)),
            _ => None,
        }
    }
}

impl Header {
    /// The rule, the one place a field is set.
    #[inline]
    pub fn set(&mut self, field: Field<'_>, scalar: Scalar<'_>) {
        let slot = match field {
            Field::Annotation(key) => {
                let text = match &scalar {
                    Scalar::Null => "",
                    Scalar::Text(t) => t,
                };
                self.annotations.push(key, text);
                return;
            }
            Field::ApiVersion => &mut self.api_version,
            Field::Kind => &mut self.kind,
            Field::Name => &mut self.name,
            Field::Namespace => &mut self.namespace,
        };
        if let Scalar::Text(text) = scalar {
            *slot = Some(kept(text));
        }
    }

    /// The header of a value, by the same rule.
    pub fn of_value(value: &Value) -> Header {
        let mut header = Header::default();
        let mut set = |field: Field<'_>, v: Option<&Value>| {
            if let Some(scalar) = v.and_then(Scalar::of_value) {
                header.set(field, scalar);
            }
        };
        set(Field::ApiVersion, value.get("apiVersion"));
        set(Field::Kind, value.get("kind"));
        let metadata = value.get("metadata");
        set(Field::Name, metadata.and_then(|m| m.get("name")));
        set(Field::Namespace, metadata.and_then(|m| m.get("namespace")));
        if let Some(Value::Object(annotations)) = metadata.and_then(|m| m.get("annotations")) {
            for (key, v) in annotations {
                set(Field::Annotation(key), Some(v));
            }
        }
        header.annotations.shrink_to_fit();
        header
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.iter().find(|&(k, _)| k == key).map(|(_, v)| v)
    }
}

/// A string the header keeps, without the spare capacity the parser's buffers carry (several
/// times the text for short scalars; headers of every item stay until the output is written).
fn kept(s: Cow<'_, str>) -> Box<str> {
    s.into_owned().into_boxed_str()
}

/// An item's annotations, in document order, in one string: every item of a large input carries
/// half a dozen client annotations and stays in memory until the output is written; one
/// allocation per item instead of two per annotation keeps that small, and the keys the clients
/// put on every item ([`COMMON_KEYS`]) are kept as their number in that table, not as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations {
    /// The keys not in the table, and the values, one after the other.
    text: String,
    /// For each annotation, its key (where it ends in `text`, or [`COMMON`] with its number
    /// in the table) and where its value ends in `text`.
    ends: Vec<u32>,
}

/// The annotation keys kpt and kustomize put on the items they send (kpt's seven on every one):
/// a header keeps them as a number. Only a storage form: any key is kept, in any order.
const COMMON_KEYS: [&str; 9] = [
    "config.kubernetes.io/index",
    "config.kubernetes.io/path",
    "internal.config.kubernetes.io/index",
    "internal.config.kubernetes.io/path",
    "internal.config.kubernetes.io/id",
    "internal.config.kubernetes.io/seqindent",
    "internal.config.kubernetes.io/annotations-migration-resource-id",
    "config.k8s.io/id",
    "kustomize.config.k8s.io/id",
];

/// Marks a key word of [`Annotations::ends`] as a number in [`COMMON_KEYS`].
const COMMON: u32 = 1 << 31;

impl Annotations {
    pub fn push(&mut self, key: &str, value: &str) {
        if self.ends.is_empty() {
            // Room for kpt's seven client annotations at once; trimmed when the item closes.
            self.text.reserve(128);
            self.ends.reserve(16);
        }
        match COMMON_KEYS.iter().position(|&k| k == key) {
            Some(n) => self.ends.push(COMMON | n as u32),
            None => {
                self.text.push_str(key);
                self.ends.push(self.end());
            }
        }
        self.text.push_str(value);
        self.ends.push(self.end());
    }

    /// Where the text ends, as a word of `ends`. An item's annotations are far below 2 GiB: the
    /// input is read whole, and its size is what a ResourceList from a client holds.
    fn end(&self) -> u32 {
        u32::try_from(self.text.len()).ok().filter(|&e| e < COMMON).expect("an item's annotations hold less than 2 GiB")
    }

    /// Sets `key` to `value` where it stands, or adds it at the end: as a value's annotations
    /// change when one is inserted.
    pub fn set(&mut self, key: &str, value: &str) {
        if self.iter().any(|(k, _)| k == key) {
            *self = self.iter().map(|(k, v)| (k, if k == key { value } else { v })).collect();
        } else {
            self.push(key, value);
        }
    }

    /// (key, value) pairs in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.ends.chunks_exact(2).scan(0usize, |start, ends| {
            let key = match ends[0] {
                word if word & COMMON != 0 => COMMON_KEYS[(word & !COMMON) as usize],
                end => {
                    let key = &self.text[*start..end as usize];
                    *start = end as usize;
                    key
                }
            };
            let value = &self.text[*start..ends[1] as usize];
            *start = ends[1] as usize;
            Some((key, value))
        })
    }

    pub fn len(&self) -> usize {
        self.ends.len() / 2
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Annotations {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut out = Annotations::default();
        for (k, v) in iter {
            out.push(k.as_ref(), v.as_ref());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_follow_the_rule_of_events() {
        let value = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": 31, "namespace": null, "annotations": {"a": null, "b": true, "c": [1], "d": "x"}},
        });
        let header = Header::of_value(&value);
        assert_eq!(header.name.as_deref(), Some("31"));
        assert_eq!(header.namespace, None);
        let pairs: Vec<(&str, &str)> = header.annotations.iter().collect();
        assert_eq!(pairs, [("a", ""), ("b", "true"), ("d", "x")]);
    }

    #[test]
    fn common_keys_and_others_keep_their_order() {
        let pairs = [("b", "1"), ("config.kubernetes.io/path", "a/b.yaml"), ("", ""), ("config.k8s.io/id", "7"), ("c", "")];
        let a: Annotations = pairs.into_iter().collect();
        assert_eq!(a.iter().collect::<Vec<_>>(), pairs);
        assert_eq!(a.len(), 5);
    }

    #[test]
    fn set_replaces_in_place_or_adds() {
        let mut a: Annotations = [("x", "1"), ("y", "2")].into_iter().collect();
        a.set("x", "3");
        a.set("z", "4");
        assert_eq!(a.iter().collect::<Vec<_>>(), [("x", "3"), ("y", "2"), ("z", "4")]);
    }
}
