//! The pipeline's output as the manifest stream `build` prints: in kustomize's order, without
//! DittoServers, local-config objects and the clients' annotations, and with nothing left out in
//! silence.

use std::convert::Infallible;

use serde_json::Value;

use super::order::SortKey;
use super::BuildError;
use crate::expand::Generated;
use crate::krm::annotations::{self, Tracking};
use crate::krm::gvk;
use crate::pipeline::Sink;
use crate::krm::{Object, ValidationResult};
use crate::yaml;

/// One entry of the pipeline's output.
enum Emitted {
    /// The input item of this index, unchanged.
    Original(usize),
    /// A generated object (or a DittoServer marked local-config, left out again).
    Object(Value),
}

/// The pipeline's output, in order; the objects as values (the stream is written from values).
#[derive(Default)]
pub struct Collected(Vec<Emitted>);

impl Sink for Collected {
    type Object = Value;
    type Error = Infallible;

    fn keep(value: Value) -> Value {
        value
    }

    fn generated(object: Generated, tracking: &Tracking) -> Value {
        object.value(&tracking.as_extra())
    }

    fn original(&mut self, index: usize, _: &Object<'_>) -> Result<(), Infallible> {
        self.0.push(Emitted::Original(index));
        Ok(())
    }

    fn object(&mut self, value: Value) -> Result<(), Infallible> {
        self.0.push(Emitted::Object(value));
        Ok(())
    }
}

/// The output as a `---` separated stream in the order [`SortKey`] gives, minus what must not
/// reach a cluster. An object that cannot be read, or not written as YAML that reads back the
/// same, is an error, never left out.
pub fn write(items: &[Object<'_>], output: Collected) -> Result<String, BuildError> {
    let mut documents = Vec::new();
    let mut unwritable = Vec::new();
    for emitted in output.0 {
        let generated;
        let item = match emitted {
            Emitted::Original(i) => &items[i],
            Emitted::Object(value) => {
                generated = Object::from_value(value);
                &generated
            }
        };
        if item.is_local_config() || gvk::is_ditto_server(item.api_version(), item.kind()) {
            continue;
        }
        let mut value = match item.value() {
            Ok(value) => value,
            Err(e) => {
                unwritable.push(
                    ValidationResult::error(format!(
                        "the function's output holds this object, and it cannot be read back: {e}; nothing is printed, so that the object is not left out of the stream"
                    ))
                    .on_item(item),
                );
                continue;
            }
        };
        annotations::strip_client_annotations(&mut value);
        let text = yaml::to_string(&value);
        // What kubectl and Argo CD will read: a YAML 1.1 reader must get the same object back.
        match yaml::parse_stream(&text, yaml::Schema::Yaml11) {
            Ok(read) if read.len() == 1 && read[0] == value => documents.push((SortKey::of(item), text)),
            outcome => unwritable.push(
                ValidationResult::error(format!(
                    "this object cannot be written as YAML that reads back the same ({}); nothing is printed, so that the object is not left out of the stream or changed",
                    match outcome {
                        Err(e) => e.to_string(),
                        Ok(_) => "it reads back as another value".to_string(),
                    }
                ))
                .on_item(item),
            ),
        }
    }
    if !unwritable.is_empty() {
        return Err(BuildError::Results(unwritable));
    }
    documents.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(documents.into_iter().map(|(_, text)| text).collect::<Vec<_>>().join("---\n"))
}
