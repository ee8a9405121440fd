//! The KRM object model the pipeline, the inventory and `build` share: what a kind is
//! ([`gvk`]), what the annotations on an object say ([`annotations`]), and who is who in one
//! input ([`identity`]).

pub mod annotations;
pub mod gvk;
pub mod identity;

pub use gvk::{is_ditto_server, Gvk};
pub use identity::{check_namespace, generated_path, marker, parse_marker, server_key, unsupported_version, Identities, ServerKey};
