//! Validation of one DittoServer that every line shares. Each rule returns results pointing at the
//! field that caused them; the pipeline adds the resourceRef and file. A line's own rules live in
//! its module (`server::v0_4`).

pub mod secrets;
mod spec;
mod storage_class;

pub use spec::{fields, marker_in_spec, name};
pub use storage_class::storage_class;
