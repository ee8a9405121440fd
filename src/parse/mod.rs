//! Text in: a ResourceList read into its items (each its own text, header and, when the
//! function needs it, value), with the YAML layer ([`crate::yaml`]) under it. The items are the
//! object model's [`Object`](crate::krm::Object)s.

mod resource_list;

pub use resource_list::{normalize_line_breaks, read, InputError, Item, ResourceList};
