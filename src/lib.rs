//! dittofs-krm: a KRM function that expands DittoServer resources into the Kubernetes objects
//! that run them.
//!
//! The core is pure: [`run`] takes the input text and returns the output text and results; the
//! binary does the IO. Native and WASI builds run the same code.

pub mod api;
pub mod build;
pub mod crd;
pub mod expand;
pub mod inventory;
pub mod krm;
mod pipeline;
pub mod target;
pub mod validate;
pub mod wire;
pub mod yaml;

pub use pipeline::{run, run_to, Output, RunError};
pub use wire::InputError;
