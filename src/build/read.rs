//! The manifests read into the pipeline's items, with the file and document each came from.
//!
//! Every object goes to the cluster through kubectl or Argo CD, which read YAML 1.1
//! (sigs.k8s.io/yaml over go-yaml v2), so `build` reads them so: what it prints is what they
//! would have applied. A DittoServer is the exception: it never reaches a cluster, the function
//! reads it, and under kpt or kustomize the function reads it with YAML 1.2. So its document is
//! read again with the function's reading ([`yaml::parse_value`]), and a DittoServer means the
//! same in both modes: `enabled: yes` is the string "yes" (a type error), not `true`.

use serde_json::Value;

use super::documents::mapping_documents;
use super::BuildError;
use crate::krm::{annotations, gvk, Body, Object};
use crate::model::function_config;
use crate::yaml::{self, scan::BlockSpan};

/// The items of every source, and the typed functionConfig (`DittoServerExpansion`) with the
/// source it came from, if one was among them.
pub struct Manifests<'s> {
    pub items: Vec<Object<'s>>,
    pub typed_config: Option<(String, Value)>,
}

pub fn read(sources: &[(String, String)]) -> Result<Manifests<'_>, BuildError> {
    let mut manifests = Manifests { items: Vec::new(), typed_config: None };
    for (name, text) in sources {
        let documents = yaml::parse_stream(text, yaml::Schema::Yaml11).map_err(|error| BuildError::Yaml { source: name.clone(), error })?;
        let mut ranges = None;
        for (index, document) in documents.into_iter().enumerate() {
            let Value::Object(mut object) = document else {
                return Err(BuildError::NotAnObject { source: name.clone(), document: index });
            };
            let text_of = |key: &str| object.get(key).and_then(Value::as_str).unwrap_or_default();
            if text_of("apiVersion") == function_config::API_VERSION && text_of("kind") == function_config::KIND {
                if let Some((first, _)) = &manifests.typed_config {
                    return Err(BuildError::Config(format!(
                        "{name}: a second {} (the first is in {first}); keep one",
                        function_config::KIND
                    )));
                }
                manifests.typed_config = Some((name.clone(), Value::Object(object)));
                continue;
            }
            let is_ditto_server = gvk::is_ditto_server(text_of("apiVersion"), text_of("kind"));
            annotations::record_source(&mut object, name, index);
            let item = Object::from_value(Value::Object(object));
            let item = if is_ditto_server {
                // The documents before this one are all mappings (anything else is an error),
                // so this is the `index`th mapping document.
                let range = ranges.get_or_insert_with(|| mapping_documents(text).unwrap_or_default()).get(index).cloned();
                match range {
                    Some(range) => as_the_function_reads(item, text, range, name, index),
                    None => item,
                }
            } else {
                item
            };
            manifests.items.push(item);
        }
    }
    Ok(manifests)
}

/// A DittoServer as the function reads it: its document's text with YAML 1.2, its source
/// recorded. Text that YAML 1.2 rejects stays text, so that the pipeline reports it as it would
/// under kpt (with the line in the file).
fn as_the_function_reads<'s>(item: Object<'static>, text: &'s str, range: std::ops::Range<usize>, name: &str, index: usize) -> Object<'s> {
    match yaml::parse_value(&text[range.clone()], yaml::Schema::Yaml12) {
        Ok(Value::Object(mut object)) => {
            annotations::record_source(&mut object, name, index);
            Object::from_value(Value::Object(object))
        }
        Ok(_) => item,
        Err(_) => Object { header: item.header, body: Body::Text { source: text, span: BlockSpan { start: range.start, end: range.end, indent: 0 } } },
    }
}
