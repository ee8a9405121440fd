//! The writer against `serde_json::to_value` and the value path: what it writes is what
//! the value it stands in for writes.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{json, Value};

use serde::Serialize;

use super::*;
use crate::yaml::emit::write_node;

fn written<T: Serialize>(value: &T, shape: &Shape, extra: &Extra<'_>) -> Result<String, Unsupported> {
    let mut out = String::new();
    write(value, 0, shape, extra, &mut out).map(|()| out)
}

/// The value path: `serde_json::to_value`, the shape applied to the value, the value written.
fn through_value<T: Serialize>(value: &T, shape: &Shape, extra: &Extra<'_>) -> String {
    let mut value = serde_json::to_value(value).expect("a JSON value");
    shape.apply(&mut value, extra);
    let mut out = String::new();
    write_node(&value, 0, &mut out);
    out
}

const NESTED: Shape = Shape { first: &["b", "a"], drop: &["x"], extra: true, fields: &[], items: None };
static SHAPE: Shape = Shape {
    first: &["kind", "a"],
    drop: &["drop"],
    extra: false,
    fields: &[("a", NESTED), ("list", Shape { items: Some(&NESTED), ..Shape::NONE })],
    items: None,
};

#[test]
fn a_shape_puts_keys_first_drops_keys_and_adds_entries() {
    let value = json!({"z": 1, "a": {"x": 1, "c": [], "a": {}, "b": "on"}, "drop": {"deep": 1}, "kind": "K", "list": [{"x": 2, "a": 1}, 3]});
    let entries = [("b".to_string(), "new".to_string()), ("n".to_string(), "1".to_string())];
    let extra = Extra { entries: &entries, replace: false };
    let text = written(&value, &SHAPE, &extra).unwrap();
    assert_eq!(
        text,
        "kind: K\na:\n  b: \"on\"\n  a: {}\n  c: []\n  \"n\": \"1\"\nz: 1\nlist:\n- b: new\n  a: 1\n  \"n\": \"1\"\n- 3\n"
    );
    assert_eq!(text, through_value(&value, &SHAPE, &extra));
    let extra = Extra { entries: &entries, replace: true };
    assert!(written(&value, &SHAPE, &extra).unwrap().starts_with("kind: K\na:\n  b: new\n"));
    assert_eq!(written(&value, &SHAPE, &extra).unwrap(), through_value(&value, &SHAPE, &extra));
}

#[test]
fn typed_values_are_written_as_their_json_values() {
    #[derive(Serialize)]
    enum E {
        Unit,
        New(u8),
        Tuple(i32, f32),
        Struct { a: Option<char>, b: Vec<u8> },
    }
    #[derive(Serialize)]
    struct S {
        e: Vec<E>,
        keys: BTreeMap<i64, bool>,
        bytes: serde_bytes_like::Bytes,
        nan: f64,
        big: u128,
        unit: (),
    }
    mod serde_bytes_like {
        pub struct Bytes(pub &'static [u8]);
        impl serde::Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(self.0)
            }
        }
    }
    let value = S {
        e: vec![E::Unit, E::New(7), E::Tuple(-1, 0.1), E::Struct { a: Some('é'), b: vec![] }, E::Struct { a: None, b: vec![1] }],
        keys: BTreeMap::from([(-3, true), (12, false)]),
        bytes: serde_bytes_like::Bytes(&[0, 255]),
        nan: f64::NAN,
        big: u128::from(u64::MAX),
        unit: (),
    };
    assert_eq!(written(&value, &Shape::NONE, &Extra::NONE).unwrap(), through_value(&value, &Shape::NONE, &Extra::NONE));
}

#[test]
fn what_json_refuses_writes_nothing() {
    let mut out = "kept\n".to_string();
    let refused = BTreeMap::from([(vec![1u8], 1)]);
    assert!(serde_json::to_value(&refused).is_err());
    assert!(write(&refused, 0, &Shape::NONE, &Extra::NONE, &mut out).is_err());
    assert!(write(&json!({"a": [1, 2]}), 0, &Shape::NONE, &Extra::NONE, &mut out).is_ok());
    out.truncate(5);
    assert!(write(&[Some(u128::MAX)], 0, &Shape::NONE, &Extra::NONE, &mut out).is_err());
    assert_eq!(out, "kept\n");
}

#[test]
fn a_key_put_first_may_be_too_long_for_an_implicit_key() {
    static LONG_FIRST: Shape = Shape { first: &["b"], ..Shape::NONE };
    let long = "k".repeat(1100);
    let value = json!({"a": {"x": [1]}, long.clone(): {"n": 1}, "b": "text\nlines\n"});
    let text = written(&value, &LONG_FIRST, &Extra::NONE).unwrap();
    assert!(text.starts_with("b: |\n  text\n  lines\na:\n  x:\n  - 1\n? \"kkk"), "{text}");
    assert_eq!(text, through_value(&value, &LONG_FIRST, &Extra::NONE));
}

fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![proptest::sample::select(&["a", "b", "kind", "x", "drop", "list", "n", "on"][..]).prop_map(str::to_string), "[a-z ]{0,4}"];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-z:#\n ]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 40, 5, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            proptest::collection::vec((key.clone(), inner), 0..5).prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

proptest! {
    /// The shape applied on the way out and applied to the value agree, whatever the tree.
    #[test]
    fn shaping_on_the_way_out_is_shaping_the_value(value in json_value(), replace in any::<bool>(), keys in proptest::collection::vec("[abn]", 0..4)) {
        let entries: Vec<(String, String)> = keys.into_iter().enumerate().map(|(i, k)| (k, i.to_string())).collect();
        let extra = Extra { entries: &entries, replace };
        for shape in [&SHAPE, &NESTED, &Shape::NONE] {
            prop_assert_eq!(written(&value, shape, &extra).unwrap(), through_value(&value, shape, &extra));
        }
    }
}

#[test]
fn field_and_variant_names_are_quoted_as_any_key_is_and_stay_so_when_remembered() {
    #[derive(Serialize)]
    enum V {
        #[serde(rename = "on")]
        On { plain: u8 },
        #[serde(rename = "null")]
        Null(u8),
    }
    #[derive(Serialize)]
    struct S {
        #[serde(rename = "on")]
        on: u8,
        #[serde(rename = "y")]
        y: u8,
        #[serde(rename = "1")]
        one: u8,
        #[serde(rename = "a: b")]
        colon: u8,
        #[serde(rename = "name")]
        name: u8,
        variants: Vec<V>,
    }
    let value = S { on: 1, y: 2, one: 3, colon: 4, name: 5, variants: vec![V::On { plain: 6 }, V::Null(7)] };
    // Twice: the second writing takes the names' remembered answers.
    for _ in 0..2 {
        let text = written(&value, &Shape::NONE, &Extra::NONE).unwrap();
        assert!(text.starts_with("\"on\": 1\n\"y\": 2\n\"1\": 3\n\"a: b\": 4\nname: 5\n"), "{text}");
        assert_eq!(text, through_value(&value, &Shape::NONE, &Extra::NONE));
    }
}

#[test]
fn a_name_is_remembered_by_its_address_and_its_length() {
    use crate::yaml::emit::{is_plain_safe, name_is_plain_safe};
    // Names that start at one address: a shorter one is another name.
    static NAMES: &str = "nullable";
    let (short, long) = (&NAMES[..4], NAMES);
    for _ in 0..2 {
        assert!(!name_is_plain_safe(short));
        assert!(name_is_plain_safe(long));
    }
    for name in ["on", "Yes", "~", "", "-", "a#b", "é", "apiVersion", "x: y", "1e3", "0x1F"] {
        assert_eq!(name_is_plain_safe(name), is_plain_safe(name), "{name:?}");
        assert_eq!(name_is_plain_safe(name), is_plain_safe(name), "{name:?} remembered");
    }
}
