//! The KRM wire format: reading a ResourceList into items, writing one back with results.

mod read;
mod results;
mod write;

pub use read::{normalize_line_breaks, read, InputError, Item, Node, ResourceList};
pub use results::{Field, FileRef, ResourceRef, Severity, ValidationResult};
pub use write::{render, OutItem, Writer};

pub use crate::yaml::scan::ItemHeader;

/// Annotations the KRM clients use to track items; kept on every item the function rewrites.
pub const CLIENT_ANNOTATION_PREFIXES: &[&str] =
    &["config.kubernetes.io/", "internal.config.kubernetes.io/", "config.k8s.io/"];
pub const PATH_ANNOTATION: &str = "config.kubernetes.io/path";
pub const INTERNAL_PATH_ANNOTATION: &str = "internal.config.kubernetes.io/path";
pub const INDEX_ANNOTATION: &str = "config.kubernetes.io/index";
pub const INTERNAL_INDEX_ANNOTATION: &str = "internal.config.kubernetes.io/index";
pub const LOCAL_CONFIG_ANNOTATION: &str = "config.kubernetes.io/local-config";
