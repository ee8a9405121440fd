//! The one walk over a typed value that finds what its [`Check`] fields say is wrong, each with its
//! path as serde names it (`spec.smb.credits.minGrant`): no list of fields to keep in step with
//! the types.
//!
//! The walk serialises the value into [`Walker`], which writes nothing and only keeps the path.
//! serde gives a `Serialize` impl no way to tell one serializer from another, so the checked
//! types report to the walk through a thread-local ([`visit`]); outside a walk, [`visit`] is one
//! look at an empty slot.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::ser::{self, Serialize, Serializer};

use super::checked::Check;

/// A field whose value breaks its rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    /// From the root, e.g. `spec.controlPlane.port`.
    pub path: String,
    pub message: String,
    pub current: Option<serde_json::Value>,
}

struct Walk {
    path: Vec<Cow<'static, str>>,
    found: Vec<Invalid>,
}

thread_local! {
    static WALK: RefCell<Option<Walk>> = const { RefCell::new(None) };
}

/// Every problem of `value`'s checked fields, in the order serde writes the fields; `root` is the
/// value's own path (`spec`).
pub fn problems<T: Serialize>(value: &T, root: &str) -> Vec<Invalid> {
    WALK.with(|w| *w.borrow_mut() = Some(Walk { path: vec![Cow::Owned(root.to_string())], found: Vec::new() }));
    // The walker never fails; a failure of a value's own Serialize impl ends the walk early.
    let _ = value.serialize(Walker);
    WALK.with(|w| w.borrow_mut().take()).map(|w| w.found).unwrap_or_default()
}

/// Called by a checked type as it is serialised: during a walk, records its problem.
pub(crate) fn visit(value: &dyn Check) {
    if value.is_valid() {
        return;
    }
    WALK.with(|w| {
        let mut walk = w.borrow_mut();
        let Some(walk) = walk.as_mut() else { return };
        let path = joined(&walk.path);
        let field = path.split_once('.').map_or(path.as_str(), |(_, below)| below);
        if let Some(p) = value.problem(field) {
            walk.found.push(Invalid { message: p.message, current: p.current, path: path.clone() });
        }
    });
}

fn joined(path: &[Cow<'static, str>]) -> String {
    let mut out = String::new();
    for step in path {
        if !out.is_empty() && !step.starts_with('[') {
            out.push('.');
        }
        out.push_str(step);
    }
    out
}

/// Serialises `value` one step below the current path.
fn below<T: ?Sized + Serialize>(step: Cow<'static, str>, value: &T) -> Result<(), Never> {
    WALK.with(|w| w.borrow_mut().as_mut().map(|walk| walk.path.push(step)));
    let result = value.serialize(Walker);
    WALK.with(|w| w.borrow_mut().as_mut().map(|walk| walk.path.pop()));
    result
}

#[derive(Debug)]
pub struct Never;

impl fmt::Display for Never {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the value cannot be serialised")
    }
}

impl std::error::Error for Never {}

impl ser::Error for Never {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Never
    }
}

/// Writes nothing; follows the fields, list items and map entries down to the checked values.
#[derive(Clone, Copy)]
struct Walker;

/// The walker's state inside a list, map or struct: the next item's index, the pending map key.
struct Inner {
    index: usize,
    key: String,
}

macro_rules! leaves {
    ($($method:ident($type:ty)),* $(,)?) => {
        $(fn $method(self, _: $type) -> Result<(), Never> {
            Ok(())
        })*
    };
}

impl Serializer for Walker {
    serializer_types!(Never, Inner);

    leaves!(
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64),
        serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64), serialize_f32(f32),
        serialize_f64(f64), serialize_char(char), serialize_str(&str), serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_none(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Never> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Result<(), Never> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(self, _: &'static str, _: u32, variant: &'static str, value: &T) -> Result<(), Never> {
        below(Cow::Borrowed(variant), value)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Inner, Never> {
        Ok(Inner { index: 0, key: String::new() })
    }
    fn serialize_tuple(self, len: usize) -> Result<Inner, Never> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Inner, Never> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, len: usize) -> Result<Inner, Never> {
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Inner, Never> {
        self.serialize_seq(len)
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Inner, Never> {
        self.serialize_seq(Some(len))
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, len: usize) -> Result<Inner, Never> {
        self.serialize_seq(Some(len))
    }
}

impl Inner {
    fn item<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Never> {
        self.index += 1;
        below(Cow::Owned(format!("[{}]", self.index - 1)), value)
    }
}

macro_rules! items {
    ($($trait:ident :: $method:ident),*) => {
        $(impl ser::$trait for Inner {
            type Ok = ();
            type Error = Never;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Never> {
                self.item(value)
            }
            fn end(self) -> Result<(), Never> {
                Ok(())
            }
        })*
    };
}

items!(SerializeSeq::serialize_element, SerializeTuple::serialize_element, SerializeTupleStruct::serialize_field, SerializeTupleVariant::serialize_field);

macro_rules! fields {
    ($($trait:ident),*) => {
        $(impl ser::$trait for Inner {
            type Ok = ();
            type Error = Never;
            fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Never> {
                below(Cow::Borrowed(key), value)
            }
            fn end(self) -> Result<(), Never> {
                Ok(())
            }
        })*
    };
}

fields!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Inner {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Never> {
        // Map keys are strings in a Kubernetes object; serde_json writes any other key as text.
        self.key = serde_json::to_value(key).ok().and_then(|k| k.as_str().map(str::to_string)).unwrap_or_default();
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Never> {
        below(Cow::Owned(std::mem::take(&mut self.key)), value)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}
