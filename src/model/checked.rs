//! Field types that carry their own rule: each publishes it in its JSON schema (so in the CRD)
//! and checks it ([`Check`]), so that the published CRD and the function cannot disagree.
//!
//! They read any value of their base type (an `i32`, a string): a value outside the rule is not a
//! type error that stops the reading at the first field, but a problem that the walk of
//! [`super::walk`] reports with every other one.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// What is wrong with a value: the message and the value to show as the field's current one.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub message: String,
    pub current: Option<Value>,
}

/// A value with a rule of its own.
pub trait Check {
    /// Whether the value keeps its rule (the cross-field rules look only at the values that do).
    fn is_valid(&self) -> bool;
    /// What is wrong, worded for `field`: the field's path below `spec` (`controlPlane.port`).
    fn problem(&self, field: &str) -> Option<Problem>;
}

/// A whole number within `MIN..=MAX` (the CRD's `minimum` and `maximum`; `i32::MAX` publishes no
/// maximum, the int32 format says it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Int<const MIN: i32, const MAX: i32>(i32);

/// A TCP port.
pub type Port = Int<1, 65535>;
/// A count with a lower bound only.
pub type AtLeast<const MIN: i32> = Int<MIN, { i32::MAX }>;

impl<const MIN: i32, const MAX: i32> Int<MIN, MAX> {
    pub const fn new(value: i32) -> Self {
        Int(value)
    }

    pub const fn get(self) -> i32 {
        self.0
    }

    /// The value when it keeps the range.
    pub fn valid(self) -> Option<i32> {
        self.is_valid().then_some(self.0)
    }
}

impl<const MIN: i32, const MAX: i32> Check for Int<MIN, MAX> {
    fn is_valid(&self) -> bool {
        (MIN..=MAX).contains(&self.0)
    }

    fn problem(&self, field: &str) -> Option<Problem> {
        if self.is_valid() {
            return None;
        }
        let message = match MAX {
            i32::MAX => format!("{field} must be at least {MIN}, not {}", self.0),
            _ if MAX.checked_sub(MIN) == Some(1) => format!("{field} must be {MIN} or {MAX}, not {}", self.0),
            _ => format!("{field} must be between {MIN} and {MAX}"),
        };
        Some(Problem { message, current: Some(self.0.into()) })
    }
}

impl<const MIN: i32, const MAX: i32> Serialize for Int<MIN, MAX> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        super::walk::visit(self);
        self.0.serialize(serializer)
    }
}

impl<'de, const MIN: i32, const MAX: i32> Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i32::deserialize(deserializer).map(Int)
    }
}

impl<const MIN: i32, const MAX: i32> JsonSchema for Int<MIN, MAX> {
    fn schema_name() -> Cow<'static, str> {
        format!("Int_{MIN}_{MAX}").into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut schema = json_schema!({"type": "integer", "format": "int32", "minimum": MIN});
        if MAX != i32::MAX {
            schema.insert("maximum".into(), MAX.into());
        }
        schema
    }
}

/// Pattern of every size field (the operator's kubebuilder marker).
pub const SIZE_PATTERN: &str = "^[0-9]+(Gi|Mi|Ti)$";

/// The size of a volume: `SIZE_PATTERN`, and a quantity Kubernetes takes for a claim (larger than
/// zero, at most 2^63-1 bytes). The pattern is published; the two bounds of the number are not (a
/// pattern cannot bound a number), and Kubernetes refuses a zero claim itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Size(String);

impl Size {
    pub fn new(value: impl Into<String>) -> Self {
        Size(value.into())
    }

    /// The size in bytes; `Err` says why there is none.
    fn bytes(&self) -> Result<u64, &'static str> {
        let value = self.0.as_str();
        let parsed = [("Gi", 30), ("Mi", 20), ("Ti", 40)]
            .iter()
            .find_map(|(unit, shift)| value.strip_suffix(unit).map(|d| (d, *shift)))
            .filter(|(d, _)| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        let Some((digits, shift)) = parsed else { return Err("pattern") };
        match digits.parse::<u64>().ok().and_then(|n| n.checked_mul(1u64 << shift)).filter(|b| *b <= i64::MAX as u64) {
            Some(0) => Err("zero"),
            Some(bytes) => Ok(bytes),
            None => Err("too large"),
        }
    }
}

impl Check for Size {
    fn is_valid(&self) -> bool {
        self.bytes().is_ok()
    }

    fn problem(&self, field: &str) -> Option<Problem> {
        // `storage.metadataSize` is the metadata size.
        let last = field.rsplit('.').next().unwrap_or(field);
        let what = last.strip_suffix("Size").unwrap_or(last);
        let value = &self.0;
        let message = match self.bytes() {
            Ok(_) => return None,
            Err("zero") => format!("invalid {what} size {value:?}: a volume must be larger than zero"),
            Err("too large") => format!("invalid {what} size {value:?}: too large for a Kubernetes quantity"),
            Err(_) => format!(
                "invalid {what} size {value:?}: write a whole number followed by Mi, Gi or Ti (pattern {SIZE_PATTERN}), e.g. \"10Gi\""
            ),
        };
        Some(Problem { message, current: Some(value.as_str().into()) })
    }
}

/// The name of a StorageClass: not empty (an empty name is no class at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageClassName(String);

impl StorageClassName {
    pub fn new(value: impl Into<String>) -> Self {
        StorageClassName(value.into())
    }
}

impl Check for StorageClassName {
    fn is_valid(&self) -> bool {
        !self.0.is_empty()
    }

    fn problem(&self, field: &str) -> Option<Problem> {
        (!self.is_valid()).then(|| Problem {
            message: format!("{field} is empty; name a StorageClass or leave the field out to use the cluster's default"),
            current: None,
        })
    }
}

/// An HTTP path: starts with `/`, as the v0.29 server checks its metrics path (pkg/config/metrics.go:70-76).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpPath(String);

impl HttpPath {
    pub fn new(value: impl Into<String>) -> Self {
        HttpPath(value.into())
    }
}

impl Check for HttpPath {
    fn is_valid(&self) -> bool {
        self.0.starts_with('/')
    }

    fn problem(&self, field: &str) -> Option<Problem> {
        (!self.is_valid()).then(|| Problem {
            message: format!("{field} must start with \"/\": the server refuses to start with {:?}", self.0),
            current: Some(Value::String(self.0.clone())),
        })
    }
}

/// The string types: read and written as the plain string, published as a string with their rule.
macro_rules! checked_string {
    ($type:ident, $name:literal, $schema:tt) => {
        impl Deref for $type {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                super::walk::visit(self);
                self.0.serialize(serializer)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map($type)
            }
        }

        impl JsonSchema for $type {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

checked_string!(Size, "Size", {"type": "string", "pattern": SIZE_PATTERN});
checked_string!(StorageClassName, "StorageClassName", {"type": "string", "minLength": 1});
checked_string!(HttpPath, "HttpPath", {"type": "string", "pattern": "^/"});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_word_their_range() {
        let problem = |v: Option<Problem>| v.map(|p| p.message);
        assert_eq!(problem(Port::new(0).problem("nfsPort")).as_deref(), Some("nfsPort must be between 1 and 65535"));
        assert_eq!(problem(Int::<0, 1>::new(3).problem("replicas")).as_deref(), Some("replicas must be 0 or 1, not 3"));
        assert_eq!(problem(AtLeast::<1>::new(0).problem("smb.credits.minGrant")).as_deref(), Some("smb.credits.minGrant must be at least 1, not 0"));
        assert_eq!(Port::new(65535).problem("nfsPort"), None);
        assert_eq!(AtLeast::<0>::new(i32::MAX).valid(), Some(i32::MAX));
        assert_eq!(Port::new(-1).valid(), None);
    }

    #[test]
    fn sizes_are_quantities() {
        for good in ["1Mi", "10Gi", "8388607Ti", "0001Gi"] {
            assert!(Size::new(good).is_valid(), "{good}");
        }
        for (bad, words) in [("10GB", "pattern"), ("Gi", "pattern"), ("-5Gi", "pattern"), ("0Gi", "larger than zero"), ("8388608Ti", "too large")] {
            let message = Size::new(bad).problem("storage.cacheSize").map(|p| p.message).unwrap_or_default();
            assert!(message.starts_with("invalid cache size") && message.contains(words), "{bad}: {message}");
        }
    }
}
