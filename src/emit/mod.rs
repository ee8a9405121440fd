//! Text out: the ResourceList written back, untouched items as their own text, generated ones
//! written from their types and rewritten ones from their values ([`crate::yaml::serialize`]),
//! the results last.

mod resource_list;

pub use resource_list::{render, render_generated, OutItem, Writer};
