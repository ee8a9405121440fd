//! Validation of one DittoServer. Each rule returns results pointing at the field that caused
//! them; the pipeline adds the resourceRef and file.

mod release;
mod secrets;
mod spec;
mod storage_class;
mod templates;

pub use release::{ignored_fields, image};
pub use secrets::{s3_secret, secret_refs};
pub use spec::{name, spec};
pub use storage_class::storage_class;
pub use templates::immutable_templates;
