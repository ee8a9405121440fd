//! The DittoServer CustomResourceDefinition and the functionConfig schema, derived from the Rust
//! types with schemars, so the function and the CRD cannot disagree on a default or a pattern.
//!
//! Kubernetes accepts only *structural* schemas: every node typed, no `$ref`, no `anyOf`/`oneOf`
//! alternatives of types, no `nullable` tricks for optional fields, no `const`, `examples` or
//! `uniqueItems`. schemars writes JSON Schema 2020-12; [`structural`] rewrites its output (the
//! same idea as kube-core's `StructuralSchemaRewriter`, which this crate does not depend on: kube
//! would bring a client stack for one transform).

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceColumnDefinition, CustomResourceDefinition, CustomResourceDefinitionNames, CustomResourceDefinitionSpec,
    CustomResourceDefinitionVersion, CustomResourceSubresourceStatus, CustomResourceSubresources, CustomResourceValidation, JSONSchemaProps,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, ObjectMeta};
use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::model::FunctionConfig;
use crate::server as ditto_server;

mod union;

pub const PLURAL: &str = "dittoservers";
pub const VERSION: &str = "v1alpha1";

/// Observed state, as the DittoFS operator reports it. The function never writes a status; the
/// CRD carries it so that the same CRD serves a cluster that runs the operator.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct DittoServerStatus {
    /// Number of ready server pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    available_replicas: Option<i32>,
    /// `<name>-file.<namespace>.svc.cluster.local:<nfsPort>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    nfs_endpoint: Option<String>,
    /// Pending, Running, Failed or Stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    phase: Option<Phase>,
    /// Latest observations; `Ready` tells whether the StatefulSet's pods are ready.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    conditions: Vec<Condition>,
}

#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[allow(dead_code)]
enum Phase {
    Pending,
    Running,
    Failed,
    Stopped,
}

/// The schema of `T` as Kubernetes accepts it in a CRD.
pub fn schema_for<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Value::Object(root) = &mut schema {
        root.remove("title");
        root.remove("$defs");
    }
    structural(&mut schema);
    schema
}

/// The functionConfig's JSON schema (`dittofs-krm schema`), with apiVersion and kind.
pub fn function_config_schema() -> Value {
    let mut schema = schema_for::<FunctionConfig>();
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        let fields = std::mem::take(properties);
        properties.insert(
            "apiVersion".into(),
            json!({"type": "string", "enum": [crate::model::function_config::API_VERSION]}),
        );
        properties.insert("kind".into(), json!({"type": "string", "enum": [crate::model::function_config::KIND]}));
        properties.insert("metadata".into(), json!({"type": "object"}));
        properties.extend(fields);
    }
    let mut root = Map::new();
    root.insert("$schema".into(), Value::String("http://json-schema.org/draft-07/schema#".into()));
    root.insert("title".into(), Value::String(crate::model::function_config::KIND.into()));
    if let Value::Object(generated) = schema {
        root.extend(generated);
    }
    root.insert("required".into(), json!(["apiVersion", "kind"]));
    Value::Object(root)
}

/// The DittoServer CRD (apiextensions.k8s.io/v1).
pub fn crd() -> CustomResourceDefinition {
    let spec = union::spec_schema();
    let status = schema_for::<DittoServerStatus>();
    let root = json!({
        "description": "DittoServer runs a DittoFS NFS/SMB server: a StatefulSet with its ConfigMap and Services.",
        "type": "object",
        "required": ["spec"],
        "properties": {
            "apiVersion": {
                "description": "APIVersion defines the versioned schema of this representation of an object.",
                "type": "string"
            },
            "kind": {
                "description": "Kind is a string value representing the REST resource this object represents.",
                "type": "string"
            },
            "metadata": {"type": "object"},
            "spec": spec,
            "status": status,
        }
    });
    // Every schema above is structural; a failure here is a bug in `structural`.
    let schema: JSONSchemaProps = serde_json::from_value(root).expect("the generated schema fits JSONSchemaProps");
    let column = |name: &str, type_: &str, path: &str| CustomResourceColumnDefinition {
        name: name.into(),
        type_: type_.into(),
        json_path: path.into(),
        ..Default::default()
    };
    CustomResourceDefinition {
        metadata: ObjectMeta { name: Some(format!("{PLURAL}.{}", ditto_server::GROUP)), ..Default::default() },
        spec: CustomResourceDefinitionSpec {
            group: ditto_server::GROUP.into(),
            names: CustomResourceDefinitionNames {
                kind: ditto_server::KIND.into(),
                list_kind: Some(format!("{}List", ditto_server::KIND)),
                plural: PLURAL.into(),
                singular: Some(ditto_server::KIND.to_ascii_lowercase()),
                short_names: Some(vec!["ditto".into(), "dittofs".into()]),
                ..Default::default()
            },
            scope: "Namespaced".into(),
            versions: vec![CustomResourceDefinitionVersion {
                name: VERSION.into(),
                served: true,
                storage: true,
                schema: Some(CustomResourceValidation { open_api_v3_schema: Some(schema) }),
                // `status: {}` enables the subresource; the type's default would write `status: null`,
                // which the API server reads as "no status subresource".
                subresources: Some(CustomResourceSubresources {
                    status: Some(CustomResourceSubresourceStatus(json!({}))),
                    ..Default::default()
                }),
                additional_printer_columns: Some(vec![
                    column("Replicas", "integer", ".spec.replicas"),
                    column("Ready", "integer", ".status.availableReplicas"),
                    column("NFS Endpoint", "string", ".status.nfsEndpoint"),
                    column("Phase", "string", ".status.phase"),
                    column("Age", "date", ".metadata.creationTimestamp"),
                ]),
                ..Default::default()
            }],
            ..Default::default()
        },
        status: None,
    }
}

/// The CRD as a JSON value, numbers written as Kubernetes writes them (`minimum: 0`, not `0.0`:
/// JSONSchemaProps holds bounds as floats).
pub fn crd_value() -> Value {
    let mut value = serde_json::to_value(crd()).unwrap_or_default();
    // k8s-openapi writes the absent status as `status: null`; a manifest leaves it out.
    if let Value::Object(map) = &mut value {
        map.retain(|_, v| !v.is_null());
    }
    whole_numbers(&mut value);
    value
}

fn whole_numbers(value: &mut Value) {
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15) {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// Rewrites a schemars schema, in place, into a Kubernetes structural schema.
pub fn structural(schema: &mut Value) {
    let Value::Object(node) = schema else { return };

    // Option<T>: `anyOf: [T, {type: null}]` or `type: [t, "null"]` becomes plain T. The field is
    // simply optional (absent from `required`); Kubernetes has no use for an explicit null.
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(variants)) = node.get(key) {
            let non_null: Vec<&Value> = variants.iter().filter(|v| !is_null_schema(v)).collect();
            if non_null.len() == 1 && non_null.len() < variants.len() {
                let inner = non_null[0].clone();
                node.remove(key);
                merge_under(node, inner);
            }
        }
    }
    if let Some(Value::Array(types)) = node.get("type") {
        let non_null: Vec<Value> = types.iter().filter(|t| t.as_str() != Some("null")).cloned().collect();
        if non_null.len() == 1 {
            node.insert("type".into(), non_null.into_iter().next().unwrap_or(Value::Null));
        }
    }
    // Option<enum>: schemars adds `null` to the enum values.
    if let Some(Value::Array(values)) = node.get_mut("enum") {
        if values.len() > 1 {
            values.retain(|v| !v.is_null());
        }
    }
    // A single `allOf` entry is the referenced type with sibling keywords; merge it.
    if let Some(Value::Array(parts)) = node.get("allOf") {
        if parts.len() == 1 {
            let inner = parts[0].clone();
            node.remove("allOf");
            merge_under(node, inner);
        }
    }
    // Documented unit enums: `oneOf: [{const: a, description}, ...]` becomes `enum: [a, ...]`,
    // the variants' descriptions appended to the field's.
    if let Some(Value::Array(variants)) = node.get("oneOf") {
        let values: Option<Vec<(Value, Option<String>)>> = variants
            .iter()
            .map(|v| {
                let value = v.get("const").cloned().or_else(|| match v.get("enum") {
                    Some(Value::Array(e)) if e.len() == 1 => Some(e[0].clone()),
                    _ => None,
                })?;
                Some((value, v.get("description").and_then(Value::as_str).map(str::to_string)))
            })
            .collect();
        if let Some(values) = values {
            let notes: Vec<String> =
                values
                    .iter()
                    .filter_map(|(v, d)| d.as_ref().map(|d| format!("{}: {}", v.as_str().unwrap_or_default(), d.trim_end_matches('.'))))
                    .collect();
            node.remove("oneOf");
            node.insert("type".into(), Value::String("string".into()));
            node.insert("enum".into(), Value::Array(values.into_iter().map(|(v, _)| v).collect()));
            if !notes.is_empty() {
                let base = node.get("description").and_then(Value::as_str).unwrap_or_default().to_string();
                let joined = notes.join("; ");
                let text = if base.is_empty() { joined } else { format!("{base} ({joined})") };
                node.insert("description".into(), Value::String(text));
            }
        }
    }
    if let Some(value) = node.remove("const") {
        node.insert("enum".into(), Value::Array(vec![value]));
    }
    if let Some(Value::Array(examples)) = node.remove("examples") {
        if let Some(first) = examples.into_iter().next() {
            node.insert("example".into(), first);
        }
    }
    if node.get("default").is_some_and(Value::is_null) {
        node.remove("default");
    }
    // Kubernetes rejects `uniqueItems: true`, and `additionalProperties: false` (it prunes
    // unknown fields anyway).
    node.remove("uniqueItems");
    if node.get("additionalProperties") == Some(&Value::Bool(false)) {
        node.remove("additionalProperties");
    }
    if node.get("additionalProperties") == Some(&Value::Bool(true)) {
        node.remove("additionalProperties");
        node.insert("x-kubernetes-preserve-unknown-fields".into(), Value::Bool(true));
    }

    for key in ["properties", "patternProperties"] {
        if let Some(Value::Object(properties)) = node.get_mut(key) {
            properties.values_mut().for_each(structural);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = node.get_mut(key) {
            structural(child);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(children)) = node.get_mut(key) {
            children.iter_mut().for_each(structural);
        }
    }
}

fn is_null_schema(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
        || matches!(v.get("enum"), Some(Value::Array(e)) if e.len() == 1 && e[0].is_null())
        || v.get("const").is_some_and(Value::is_null)
}

/// Adds the keywords of `inner` to `node`; the keywords already on `node` (the field's own
/// description, default) win.
fn merge_under(node: &mut Map<String, Value>, inner: Value) {
    if let Value::Object(inner) = inner {
        for (k, v) in inner {
            node.entry(k).or_insert(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Walks a schema and lists what Kubernetes would reject as non-structural.
    fn violations(schema: &Value, path: &str, out: &mut Vec<String>) {
        let Value::Object(node) = schema else {
            out.push(format!("{path}: not an object schema"));
            return;
        };
        for banned in ["$ref", "anyOf", "oneOf", "allOf", "not", "const", "examples", "nullable", "uniqueItems", "$schema", "$defs"] {
            if node.contains_key(banned) {
                out.push(format!("{path}: has {banned}"));
            }
        }
        let typed = node.get("type").is_some_and(Value::is_string)
            || node.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true))
            || node.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
        if !typed {
            out.push(format!("{path}: no single type"));
        }
        if let Some(Value::Object(properties)) = node.get("properties") {
            for (k, v) in properties {
                violations(v, &format!("{path}.{k}"), out);
            }
        }
        if let Some(items) = node.get("items") {
            violations(items, &format!("{path}[]"), out);
        }
        if let Some(additional) = node.get("additionalProperties") {
            violations(additional, &format!("{path}{{}}"), out);
        }
    }

    fn spec_schema() -> Value {
        let crd = crd_value();
        crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone()
    }

    #[test]
    fn the_crd_schema_is_structural() {
        let mut found = Vec::new();
        violations(&spec_schema(), "", &mut found);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn defaults_patterns_ranges_and_enums_come_from_the_types() {
        let schema = spec_schema();
        let spec = &schema["properties"]["spec"];
        assert_eq!(spec["required"], json!(["storage"]));
        // Each line defaults the image to its own release, so the CRD publishes none.
        assert_eq!(spec["properties"]["image"].get("default"), None);
        assert_eq!(spec["properties"]["replicas"]["default"], 1);
        assert_eq!(spec["properties"]["replicas"]["minimum"], 0);
        assert_eq!(spec["properties"]["replicas"]["maximum"], 1);
        assert_eq!(spec["properties"]["nfsPort"]["maximum"], 65535);
        let storage = &spec["properties"]["storage"]["properties"];
        for size in ["metadataSize", "contentSize", "cacheSize"] {
            assert_eq!(storage[size]["pattern"], crate::model::checked::SIZE_PATTERN, "{size}");
            assert_eq!(storage[size]["type"], "string", "{size}");
        }
        assert_eq!(storage["cacheSize"]["default"], "5Gi");
        assert!(storage["contentSize"].get("default").is_none());
        assert_eq!(spec["properties"]["database"]["properties"]["type"]["enum"], json!(["sqlite", "postgres"]));
        assert_eq!(spec["properties"]["service"]["properties"]["type"]["enum"], json!(["ClusterIP", "NodePort", "LoadBalancer"]));
        assert_eq!(spec["properties"]["smb"]["properties"]["credits"]["properties"]["strategy"]["enum"], json!(["fixed", "echo", "adaptive"]));
        // Option<T> is a plain, optional property.
        let s3 = &spec["properties"]["s3"];
        assert_eq!(s3["type"], "object");
        assert!(s3.get("nullable").is_none());
        // The server ignores the region: no default to suggest otherwise.
        assert!(s3["properties"]["region"].get("default").is_none());
        assert_eq!(schema["properties"]["status"]["properties"]["phase"]["enum"], json!(["Pending", "Running", "Failed", "Stopped"]));
        assert!(schema["properties"]["status"].get("required").is_none());
        let crd = crd_value();
        assert_eq!(crd["spec"]["versions"][0]["subresources"], json!({"status": {}}), "status: {{}} enables the subresource");
    }

    #[test]
    fn the_function_config_schema_lists_every_field() {
        let schema = function_config_schema();
        // FIELDS (used in messages) and the typed struct (the schema, the help) name the same keys.
        let mut in_schema: Vec<&str> = schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        in_schema.retain(|k| !matches!(*k, "apiVersion" | "kind" | "metadata"));
        let mut fields = crate::model::function_config::FIELDS.to_vec();
        in_schema.sort_unstable();
        fields.sort_unstable();
        assert_eq!(in_schema, fields);
        assert_eq!(schema["properties"]["storageClassCheck"]["enum"], json!(["strict", "warn", "off"]));
        assert_eq!(schema["properties"]["storageClassCheck"]["default"], "warn");
    }
}
