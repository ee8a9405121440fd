//! dittofs-krm: a KRM function that expands DittoServer resources into the Kubernetes objects
//! that run them.
//!
//! The core is pure: [`run`] takes the input text and returns the output text and results; the
//! binary does the IO. Native and WASI builds run the same code. The stages, in the order the
//! text goes through them: [`parse`] (over [`yaml`]) → [`model`] and [`krm`] → [`validate`] /
//! [`expand`] → [`emit`], wired together by the pipeline; [`build`] feeds it plain manifests.

/// The associated types of a `serde::Serializer` whose every compound (sequence, tuple, map,
/// struct, variant) is the one type `$compound`, erring with `$error`.
macro_rules! serializer_types {
    ($error:ty, $compound:ty) => {
        type Ok = ();
        type Error = $error;
        type SerializeSeq = $compound;
        type SerializeTuple = $compound;
        type SerializeTupleStruct = $compound;
        type SerializeTupleVariant = $compound;
        type SerializeMap = $compound;
        type SerializeStruct = $compound;
        type SerializeStructVariant = $compound;
    };
}

pub mod build;
pub mod crd;
pub mod emit;
pub mod expand;
pub mod impact;
pub mod inventory;
pub mod krm;
pub mod model;
mod parallel;
pub mod parse;
mod pipeline;
pub mod server;
pub mod validate;
pub mod yaml;

pub use parse::InputError;
pub use pipeline::{run, run_to, Output, RunError};
