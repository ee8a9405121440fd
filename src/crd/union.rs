//! The DittoServer's spec schema in the CRD: the union of its lines' spec schemas, since one
//! apiVersion serves every line. A field that only one line has is in the CRD; that another line
//! refuses it is that line's rule, reported by the function as a result.
//!
//! Hand-written: kube-core's `merge_crds` merges CRDs of *different* versions into one CRD, each
//! version keeping its own schema; here the lines share a version, so their schemas are merged
//! property by property instead.

use serde_json::Value;

use super::schema_for;
use crate::server::{Line, Visit, Which};

/// The union of every line's spec schema.
pub fn spec_schema() -> Value {
    Which::ALL.iter().map(|w| w.visit(SpecSchema)).reduce(union).unwrap_or(Value::Null)
}

struct SpecSchema;

impl Visit for SpecSchema {
    type Out = Value;
    fn visit<L: Line>(self) -> Value {
        schema_for::<L::Spec>()
    }
}

/// `a` with the properties of `b` it lacks, recursively. Where both have a property, `a`'s
/// description and type stand; a field is required only when both require it, and has a
/// default only when both give the same one (otherwise each line applies its own).
pub fn union(a: Value, b: Value) -> Value {
    let (Value::Object(mut a), Value::Object(mut b)) = (a, b) else { return Value::Null };
    if let (Some(Value::Object(pa)), Some(Value::Object(pb))) = (a.get_mut("properties"), b.remove("properties")) {
        for (key, vb) in pb {
            match pa.get_mut(&key) {
                Some(va) => *va = union(va.take(), vb),
                None => {
                    pa.insert(key, vb);
                }
            }
        }
    }
    let required = b.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
    if let Some(Value::Array(ra)) = a.get_mut("required") {
        ra.retain(|r| required.contains(r));
        if ra.is_empty() {
            a.shift_remove("required");
        }
    }
    if a.get("default") != b.get("default") {
        a.shift_remove("default");
    }
    Value::Object(a)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::union;

    #[test]
    fn the_union_keeps_every_field_and_only_what_both_lines_agree_on() {
        let v0_4 = json!({"type": "object", "required": ["storage", "cacheSize"], "properties": {
            "image": {"type": "string", "default": "old"},
            "storage": {"type": "object", "properties": {"metadataSize": {"type": "string"}}},
            "cacheSize": {"type": "string"},
        }});
        let v0_29 = json!({"type": "object", "required": ["storage"], "properties": {
            "image": {"type": "string", "default": "new"},
            "storage": {"type": "object", "properties": {"controlPlaneSize": {"type": "string"}}},
            "logging": {"type": "object"},
        }});
        let merged = union(v0_4.clone(), v0_29);
        assert_eq!(merged["required"], json!(["storage"]));
        assert!(merged["properties"]["image"].get("default").is_none());
        let storage = merged["properties"]["storage"]["properties"].as_object().unwrap();
        assert_eq!(storage.keys().collect::<Vec<_>>(), ["metadataSize", "controlPlaneSize"]);
        assert!(merged["properties"]["logging"].is_object());
        assert!(merged["properties"]["cacheSize"].is_object());
        let same = union(v0_4.clone(), v0_4.clone());
        assert_eq!(serde_json::to_string(&same).unwrap(), serde_json::to_string(&v0_4).unwrap());
    }
}
