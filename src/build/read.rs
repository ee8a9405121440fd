//! The manifests read into the pipeline's items, with the file and document each came from.
//!
//! Every object goes to the cluster through kubectl or Argo CD, which read YAML 1.1
//! (sigs.k8s.io/yaml over go-yaml v2), so `build` reads them so: what it prints is what they
//! would have applied. A DittoServer is the exception: it never reaches a cluster, the function
//! reads it, and under kpt or kustomize the function reads it with YAML 1.2. So its document is
//! read with the function's reading ([`yaml::documents`] picks the schema by each document's
//! header), and a DittoServer means the same in both modes: `enabled: yes` is the string "yes"
//! (a type error), not `true`. The function's typed configuration (`DittoServerExpansion`)
//! never reaches a cluster either, and kpt sends it to the function as YAML 1.2: so
//! `storageClassCheck: off` is the word `off`, as the README writes it, not YAML 1.1's `false`.

use serde_json::Value;

use super::BuildError;
use crate::krm::{annotations, gvk, Body, Header, Object};
use crate::model::function_config;
use crate::yaml::{self, scan::BlockSpan, Schema};

/// The items of every source, and the typed functionConfig (`DittoServerExpansion`) with the
/// source it came from, if one was among them.
pub struct Manifests<'s> {
    pub items: Vec<Object<'s>>,
    pub typed_config: Option<(String, Value)>,
}

/// The reading of a document: the function's for a DittoServer and for its configuration,
/// kubectl's for the rest.
fn schema_of(header: &Header) -> Schema {
    let (api_version, kind) = (header.api_version.as_deref().unwrap_or(""), header.kind.as_deref().unwrap_or(""));
    let function_config = api_version == function_config::API_VERSION && kind == function_config::KIND;
    if gvk::is_ditto_server(api_version, kind) || function_config {
        Schema::Yaml12
    } else {
        Schema::Yaml11
    }
}

pub fn read(sources: &[(String, String)]) -> Result<Manifests<'_>, BuildError> {
    let mut manifests = Manifests { items: Vec::new(), typed_config: None };
    for (name, text) in sources {
        let not_yaml = |error| BuildError::Yaml { source: name.clone(), error };
        let documents = yaml::documents(text, schema_of).map_err(not_yaml)?;
        // A document kubectl cannot read fails the whole source; a DittoServer that YAML 1.2
        // rejects is the pipeline's to report (below).
        if let Some(error) = documents.iter().find_map(|d| d.value.as_ref().err().filter(|_| d.schema == Schema::Yaml11)) {
            return Err(not_yaml(error.clone()));
        }
        // Numbered as kubectl counts them: without empty and `null` documents, which it skips.
        let mut index = 0;
        for document in documents {
            let object = match document.value {
                Ok(Value::Null) => continue,
                Ok(Value::Object(object)) => Body::Value(Value::Object(object)),
                Ok(_) => return Err(BuildError::NotAnObject { source: name.clone(), document: index }),
                // A DittoServer YAML 1.2 rejects: its text, so that the pipeline reports it as it
                // would under kpt (with the line in the file).
                Err(_) => Body::Text { source: text, span: BlockSpan { start: document.range.start, end: document.range.end, indent: 0 } },
            };
            let mut object = Object { header: document.header, body: object };
            if object.api_version() == function_config::API_VERSION && object.kind() == function_config::KIND {
                if let Some((first, _)) = &manifests.typed_config {
                    return Err(BuildError::Config(format!(
                        "{name}: a second {} (the first is in {first}); keep one",
                        function_config::KIND
                    )));
                }
                if let Body::Value(value) = object.body {
                    manifests.typed_config = Some((name.clone(), value));
                }
            } else {
                annotations::record_source(&mut object, name, index);
                manifests.items.push(object);
            }
            index += 1;
        }
    }
    Ok(manifests)
}
