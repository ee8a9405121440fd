//! The KRM object model the pipeline, the inventory and `build` share: the object itself, its
//! header and body ([`object`]), what a kind is ([`gvk`]), what the annotations on an object
//! say ([`annotations`]), who is who in one input ([`identity`]), and what the function reports
//! ([`results`]).

pub mod annotations;
pub mod gvk;
pub mod identity;
pub mod object;
pub mod results;

pub use gvk::{is_ditto_server, Gvk};
pub use object::{Body, Header, Object};
pub use identity::{check_namespace, generated_path, marker, parse_marker, server_key, unsupported_version, Identities, ServerKey};
pub use results::{Field, FileRef, ResourceRef, Severity, ValidationResult};
