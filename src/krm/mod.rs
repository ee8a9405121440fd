//! The KRM object model the pipeline, the inventory and `build` share: what a kind is
//! ([`gvk`]), what the annotations on an object say ([`annotations`]), who is who in one
//! input ([`identity`]), and what the function reports ([`results`]).

pub mod annotations;
pub mod gvk;
pub mod identity;
pub mod results;

pub use gvk::{is_ditto_server, Gvk};
pub use identity::{check_namespace, generated_path, marker, parse_marker, server_key, unsupported_version, Identities, ServerKey};
pub use results::{Field, FileRef, ResourceRef, Severity, ValidationResult};
