//! Anything serde can serialise, written as block-style YAML: exactly the text
//! [`super::emit::write_node`] writes for the `serde_json::Value` that `serde_json::to_value`
//! makes of it, without making that value (a map of hashed keys for every object, then a walk
//! over it). Generated objects are written straight from their k8s-openapi types this way;
//! values take the same path, so everything the function writes has one layout ([`Block`]).
//!
//! A [`Shape`] changes the tree on its way out: keys put first, keys left out, entries added.

use std::fmt;

use serde::ser::{self, Serialize};
use serde_json::{Number, Value};

pub use super::shape::{Extra, Shape};

use super::block::{Block, Key};
use super::emit::Scalar;

/// What `serde_json::to_value` refuses too (a map key that is not a string or a number, an
/// integer beyond 64 bits): nothing is written.
#[derive(Debug)]
pub struct Unsupported(String);

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unsupported(msg.to_string())
    }
}

/// Writes `value` as a block node indented by `indent` (the first line carries no
/// indentation), shaped by `shape` and `extra`. On error `out` is as it was.
pub fn write<T: Serialize + ?Sized>(value: &T, indent: usize, shape: &Shape, extra: &Extra<'_>, out: &mut String) -> Result<(), Unsupported> {
    let start = out.len();
    let mut writer = Writer { block: Block::new(out, indent), levels: Vec::new(), next: Some(shape), extra };
    let written = value.serialize(&mut writer);
    drop(writer);
    if written.is_err() {
        out.truncate(start);
    }
    written
}

struct Writer<'o, 's> {
    block: Block<'o>,
    /// Each open collection's shape and state.
    levels: Vec<Level<'s>>,
    /// The shape of the next value.
    next: Option<&'s Shape>,
    extra: &'s Extra<'s>,
}

struct Level<'s> {
    shape: Option<&'s Shape>,
    /// What becomes of the value of the key just written.
    pending: Pending<'s>,
    /// In the mapping that takes the extra entries: which of them it had.
    met: Vec<bool>,
}

enum Pending<'s> {
    Write,
    /// Its key is dropped: nothing is written.
    Skip,
    /// An extra entry's value is written instead.
    Replace(&'s str),
}

impl<'s> Writer<'_, 's> {
    fn open(&mut self, is_map: bool) {
        let shape = self.next.take();
        let ranked = is_map && shape.is_some_and(|s| !s.first.is_empty());
        let met = match shape {
            Some(s) if is_map && s.extra => vec![false; self.extra.entries.len()],
            _ => Vec::new(),
        };
        self.block.begin(is_map, ranked);
        self.levels.push(Level { shape, pending: Pending::Write, met });
    }

    fn close(&mut self) {
        if let Some(level) = self.levels.pop() {
            if let Some(shape) = level.shape.filter(|s| s.extra && !level.met.is_empty()) {
                self.add_extra(shape, &level.met);
            }
        }
        self.block.end();
    }

    /// The extra entries the mapping did not have, after its own, each key once.
    fn add_extra(&mut self, shape: &Shape, met: &[bool]) {
        let extra = self.extra;
        for (i, (key, _)) in extra.entries.iter().enumerate() {
            if met[i] || extra.entries[..i].iter().any(|(k, _)| k == key) {
                continue;
            }
            self.block.key(Key::Text(key), shape.rank(key));
            self.block.scalar(Scalar::Str(extra.value_of(key).unwrap_or_default()));
        }
    }

    /// Writes a key of the open mapping, unless its shape drops it.
    fn key(&mut self, written: Key<'_>) {
        let (key, extra) = (written.text(), self.extra);
        let Some(level) = self.levels.last_mut() else { return };
        let Some(shape) = level.shape else {
            level.pending = Pending::Write;
            self.block.key(written, 0);
            return;
        };
        if shape.drop.contains(&key) {
            level.pending = Pending::Skip;
            return;
        }
        level.pending = Pending::Write;
        if shape.extra {
            for (i, (k, _)) in extra.entries.iter().enumerate() {
                if k == key {
                    level.met[i] = true;
                }
            }
            if extra.replace {
                if let Some(v) = extra.value_of(key) {
                    level.pending = Pending::Replace(v);
                }
            }
        }
        self.next = shape.fields.iter().find(|(k, _)| *k == key).map(|(_, s)| s);
        self.block.key(written, shape.rank(key));
    }

    /// Writes the value of the key just written, as its shape says.
    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        let pending = self.levels.last_mut().map_or(Pending::Write, |l| std::mem::replace(&mut l.pending, Pending::Write));
        match pending {
            Pending::Write => value.serialize(&mut *self),
            Pending::Skip => {
                self.next = None;
                Ok(())
            }
            Pending::Replace(v) => {
                self.next = None;
                self.block.scalar(Scalar::Str(v));
                Ok(())
            }
        }
    }

    /// Opens the mapping of one key that holds an enum variant's content (`{variant: ...}`).
    fn variant(&mut self, variant: &'static str) {
        self.open(true);
        self.key(Key::Name(variant));
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.next = self.levels.last().and_then(|l| l.shape).and_then(|s| s.items);
        self.block.item();
        value.serialize(&mut *self)
    }

    fn scalar(&mut self, scalar: Scalar<'_>) -> Result<(), Unsupported> {
        self.next = None;
        self.block.scalar(scalar);
        Ok(())
    }

    fn number(&mut self, n: Number) -> Result<(), Unsupported> {
        self.scalar(Scalar::Number(&n))
    }

    /// A float as `serde_json::to_value` makes it: not finite, it is `null`.
    fn float(&mut self, value: Value) -> Result<(), Unsupported> {
        match &value {
            Value::Number(n) => self.scalar(Scalar::Number(n)),
            _ => self.scalar(Scalar::Null),
        }
    }
}

/// Leaves that are numbers, as `serde_json::to_value` makes them.
macro_rules! numbers {
    ($($method:ident($type:ty)),* $(,)?) => {
        $(fn $method(self, v: $type) -> Result<(), Unsupported> {
            self.number(v.into())
        })*
    };
}

impl ser::Serializer for &mut Writer<'_, '_> {
    serializer_types!(Unsupported, Self);

    numbers!(
        serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64),
        serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64),
    );

    fn serialize_bool(self, v: bool) -> Result<(), Unsupported> {
        self.scalar(Scalar::Bool(v))
    }
    fn serialize_i128(self, v: i128) -> Result<(), Unsupported> {
        match (u64::try_from(v), i64::try_from(v)) {
            (Ok(u), _) => self.number(u.into()),
            (_, Ok(i)) => self.number(i.into()),
            _ => Err(Unsupported("number out of range".into())),
        }
    }
    fn serialize_u128(self, v: u128) -> Result<(), Unsupported> {
        match u64::try_from(v) {
            Ok(u) => self.number(u.into()),
            Err(_) => Err(Unsupported("number out of range".into())),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<(), Unsupported> {
        self.float(Value::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unsupported> {
        self.float(Value::from(v))
    }
    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        self.scalar(Scalar::Str(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        self.scalar(Scalar::Str(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unsupported> {
        self.open(false);
        for b in v {
            self.block.item();
            self.number((*b).into())?;
        }
        self.close();
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Unsupported> {
        self.scalar(Scalar::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unsupported> {
        self.scalar(Scalar::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unsupported> {
        self.scalar(Scalar::Null)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Unsupported> {
        self.scalar(Scalar::Str(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, variant: &'static str, value: &T) -> Result<(), Unsupported> {
        self.variant(variant);
        self.value(value)?;
        self.close();
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Unsupported> {
        self.open(false);
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Unsupported> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Unsupported> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Self, Unsupported> {
        self.variant(variant);
        self.serialize_seq(None)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Unsupported> {
        self.open(true);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Unsupported> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Self, Unsupported> {
        self.variant(variant);
        self.serialize_map(None)
    }
}

/// The compounds whose entries are items; `$closes` collections end with them (a variant's
/// sequence sits in a mapping of one key).
macro_rules! items {
    ($($trait:ident :: $method:ident, $closes:literal);* $(;)?) => {
        $(impl ser::$trait for &mut Writer<'_, '_> {
            type Ok = ();
            type Error = Unsupported;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
                self.item(value)
            }
            fn end(self) -> Result<(), Unsupported> {
                (0..$closes).for_each(|_| self.close());
                Ok(())
            }
        })*
    };
}

items!(
    SerializeSeq::serialize_element, 1;
    SerializeTuple::serialize_element, 1;
    SerializeTupleStruct::serialize_field, 1;
    SerializeTupleVariant::serialize_field, 2;
);

/// The compounds whose entries are named fields.
macro_rules! fields {
    ($($trait:ident, $closes:literal);* $(;)?) => {
        $(impl ser::$trait for &mut Writer<'_, '_> {
            type Ok = ();
            type Error = Unsupported;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Unsupported> {
                self.key(Key::Name(key));
                self.value(value)
            }
            fn end(self) -> Result<(), Unsupported> {
                (0..$closes).for_each(|_| self.close());
                Ok(())
            }
        })*
    };
}

fields!(SerializeStruct, 1; SerializeStructVariant, 2);

impl ser::SerializeMap for &mut Writer<'_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        key.serialize(KeyWriter(self))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.value(value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close();
        Ok(())
    }
}

/// A map key, written as the key `serde_json::to_value` makes of it: a string, a character,
/// an integer or a boolean as text; anything else is refused, as there.
struct KeyWriter<'w, 'o, 's>(&'w mut Writer<'o, 's>);

impl KeyWriter<'_, '_, '_> {
    fn text(self, key: &str) -> Result<(), Unsupported> {
        self.0.key(Key::Text(key));
        Ok(())
    }
}

/// Keys that are numbers: their decimal text.
macro_rules! number_keys {
    ($($method:ident($type:ty)),* $(,)?) => {
        $(fn $method(self, v: $type) -> Result<(), Unsupported> {
            self.text(&v.to_string())
        })*
    };
}

/// Keys `serde_json::to_value` refuses.
macro_rules! refused_keys {
    ($($method:ident($($arg:ty),*) -> $ok:ty),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, Unsupported> {
            Err(Unsupported("a map key must be a string".into()))
        })*
    };
}

impl ser::Serializer for KeyWriter<'_, '_, '_> {
    serializer_types!(Unsupported, ser::Impossible<(), Unsupported>);

    number_keys!(
        serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64), serialize_i128(i128),
        serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64), serialize_u128(u128),
    );

    refused_keys!(
        serialize_f32(f32) -> (), serialize_f64(f64) -> (), serialize_bytes(&[u8]) -> (), serialize_none() -> (),
        serialize_unit() -> (), serialize_unit_struct(&'static str) -> (),
        serialize_seq(Option<usize>) -> Self::SerializeSeq,
        serialize_tuple(usize) -> Self::SerializeTuple,
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct,
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant,
        serialize_map(Option<usize>) -> Self::SerializeMap,
        serialize_struct(&'static str, usize) -> Self::SerializeStruct,
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant,
    );

    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        self.text(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_bool(self, v: bool) -> Result<(), Unsupported> {
        self.text(if v { "true" } else { "false" })
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Unsupported> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Unsupported> {
        Err(Unsupported("a map key must be a string".into()))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result<(), Unsupported> {
        Err(Unsupported("a map key must be a string".into()))
    }
}

#[cfg(test)]
#[path = "serialize_tests.rs"]
mod tests;
