//! Text out: the ResourceList written back, untouched items as their own text, generated ones
//! through the YAML emitter ([`crate::yaml::emit`]), the results last.

mod resource_list;

pub use resource_list::{render, render_generated, OutItem, Writer};
