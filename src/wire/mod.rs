//! The KRM wire format: reading a ResourceList into items, writing one back with results.

mod read;
mod results;
mod write;

pub use read::{normalize_line_breaks, read, Body, InputError, Item, Node, ResourceList};
pub use results::{Field, FileRef, ResourceRef, Severity, ValidationResult};
pub use write::{render, OutItem, Writer};

pub use crate::yaml::scan::ItemHeader;
