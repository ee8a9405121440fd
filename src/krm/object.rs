//! The object every stage works on: its header, read before any value by the one rule of
//! [`crate::yaml::header`], and its body, the input's text when it can be copied through, else a
//! value. A ResourceList's items, its functionConfig, `build`'s documents and the objects the
//! function generates are all objects.

use serde_json::Value;

use super::gvk::Gvk;
use super::ResourceRef;
use crate::yaml::scan::BlockSpan;
use crate::yaml::{self, reindent, YamlError};

pub use crate::yaml::header::{Annotations, Header};

/// The schema items are read with: KRM clients (kyaml's go-yaml v3) read YAML 1.2.
pub const ITEMS: yaml::Schema = yaml::Schema::Yaml12;

/// An object's body: its text when it can be cut out of the input, else its value.
#[derive(Debug, Clone)]
pub enum Body<'a> {
    /// A block node: whole lines of the input.
    Text { source: &'a str, span: BlockSpan },
    /// A flow mapping (`{...}`, JSON): the output copies the text, so that its scalars keep
    /// the meaning their reader gave them (`0644`, `on`, `1e3` read differently under YAML 1.1
    /// and 1.2, and a value written back would fix one reading). Its value is read on demand,
    /// like a block node's: an item the function does not read costs no more than its text,
    /// and nothing in it can refuse the input.
    Flow { text: &'a str },
    /// A node rebuilt from a full parse (aliases across items), a document of a manifest, or a
    /// generated object: written from its value.
    Value(Value),
}

/// (apiVersion, kind, namespace, name).
pub type Identity<'s> = (&'s str, &'s str, Option<&'s str>, &'s str);

#[derive(Debug, Clone)]
pub struct Object<'a> {
    pub header: Header,
    pub body: Body<'a>,
}

impl Object<'static> {
    /// An object that was never text of the input (a generated one): written from its value,
    /// its header read from it.
    pub fn from_value(value: Value) -> Self {
        Object { header: Header::of_value(&value), body: Body::Value(value) }
    }
}

impl Object<'_> {
    /// The object's value; a block node's is read from its text, on demand. An error's position
    /// is counted in the object's own text (its first line is line 1, its indentation column
    /// 1), not in the input: the objects a run adds before an item move it down the
    /// ResourceList, and a result quoting the input's line would differ on the next run.
    pub fn value(&self) -> Result<Value, YamlError> {
        match &self.body {
            Body::Value(v) => Ok(v.clone()),
            Body::Flow { text } => yaml::parse_value(text, ITEMS),
            Body::Text { source, span } => yaml::parse_value(&reindent::cut(source, span), ITEMS),
        }
    }

    /// Sets `metadata.name` and `metadata.namespace` of `value` (this object's value, about to
    /// be written back in place of its text) to the text its header read, where the value holds
    /// something else: under YAML 1.2 a plain `0x1f` is the integer 31, and written back so the
    /// object would stand in namespace `31` on the next run, while every reader of the header
    /// (the generated objects' namespace, their marker) took `0x1f`.
    pub fn keep_names_as_written(&self, value: &mut Value) {
        let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) else { return };
        for (key, written) in [("name", &self.header.name), ("namespace", &self.header.namespace)] {
            if let (Some(written), Some(field)) = (written, metadata.get_mut(key)) {
                if !field.is_string() {
                    *field = Value::String(written.to_string());
                }
            }
        }
    }

    pub fn kind(&self) -> &str {
        self.header.kind.as_deref().unwrap_or("")
    }

    pub fn api_version(&self) -> &str {
        self.header.api_version.as_deref().unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.header.name.as_deref().unwrap_or("")
    }

    /// apiVersion, kind, namespace and name: what one object of the input or output may be,
    /// and no other.
    pub fn identity(&self) -> Identity<'_> {
        (self.api_version(), self.kind(), self.namespace(), self.name())
    }

    pub fn namespace(&self) -> Option<&str> {
        self.header.namespace.as_deref()
    }

    pub fn is(&self, gvk: Gvk) -> bool {
        gvk.matches(self.api_version(), self.kind())
    }

    pub fn resource_ref(&self) -> ResourceRef {
        ResourceRef {
            api_version: self.api_version().to_string(),
            kind: self.kind().to_string(),
            name: self.name().to_string(),
            namespace: self.namespace().map(str::to_string),
        }
    }
}
