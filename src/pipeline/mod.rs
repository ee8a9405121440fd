//! The function's pipeline: the items of one input in, the output items and results out.
//!
//! - [`transform`]: the order of the output, and what becomes of each item (kept, replaced,
//!   removed, followed by new objects); shared by function mode and `build`.
//! - [`decisions`]: what will be written, decided before anything is: each DittoServer's verdict
//!   (a plan, or keeping its previous objects) and where each object goes.
//! - [`server`]: one DittoServer parsed, its line chosen, validated and planned.
//! - [`checks`]: what every item must satisfy.
//! - this file: function mode, a ResourceList read, transformed and written back, untouched
//!   items as their original text.

mod checks;
mod decisions;
mod server;
mod transform;

use std::fmt;
use std::io;

use serde_json::Value;

pub use transform::{transform, Sink};

use crate::expand::Generated;
use crate::krm::annotations::Tracking;
use crate::model::function_config;
use crate::emit::OutItem;
use crate::krm::{Severity, ValidationResult};
use crate::parse::{InputError, Item};
use crate::{emit, parse};

/// The function's answer: the ResourceList text and its results.
#[derive(Debug)]
pub struct Output {
    pub resource_list: String,
    pub results: Vec<ValidationResult>,
}

impl Output {
    pub fn has_errors(&self) -> bool {
        self.results.iter().any(|r| r.severity == Severity::Error)
    }
}

/// Why [`run_to`] wrote no (complete) ResourceList.
#[derive(Debug)]
pub enum RunError {
    /// The input is not a ResourceList: nothing was written.
    Input(InputError),
    /// Writing the output failed part-way.
    Write(io::Error),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Input(e) => e.fmt(f),
            RunError::Write(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl std::error::Error for RunError {}

pub fn run(input: &str) -> Result<Output, InputError> {
    // Room for the items passed through and some generated ones; the Vec grows past that.
    let mut out = Vec::with_capacity(input.len() + input.len() / 2 + 1024);
    let results = match run_to(input, &mut out) {
        Ok(results) => results,
        Err(RunError::Input(e)) => return Err(e),
        Err(RunError::Write(e)) => unreachable!("writing to a Vec cannot fail: {e}"),
    };
    let resource_list = String::from_utf8(out).expect("the writer writes UTF-8 only");
    Ok(Output { resource_list, results })
}

/// [`run`] writing the ResourceList to `out` as it goes, without holding the output in memory.
/// Nothing is written when the input is not a ResourceList.
pub fn run_to(input: &str, out: &mut dyn io::Write) -> Result<Vec<ValidationResult>, RunError> {
    let input = parse::normalize_line_breaks(input);
    let list = parse::read(&input).map_err(RunError::Input)?;
    let config = match list.function_config.as_ref().map(|fc| fc.value()).transpose() {
        Ok(value) => function_config::read(value.as_ref()).map_err(|e| ValidationResult::error(e.message).at(e.path)),
        Err(e) => Err(ValidationResult::error(format!("functionConfig is not valid YAML: {}", e.in_text_of("its text"))).at("functionConfig")),
    };
    let mut sink = ResourceListSink { writer: emit::Writer::new(out) };
    let results = transform(&list.items, None, config, &mut sink).map_err(RunError::Write)?;
    sink.writer.finish(list.function_config.as_ref(), &results).map_err(RunError::Write)?;
    Ok(results)
}

/// Function mode's output: a ResourceList written as it goes, generated objects kept as text.
struct ResourceListSink<'w> {
    writer: emit::Writer<'w>,
}

impl Sink for ResourceListSink<'_> {
    type Object = String;
    type Error = io::Error;

    fn keep(value: Value) -> String {
        emit::render(&value)
    }

    fn generated(object: Generated, tracking: &Tracking) -> String {
        emit::render_generated(&object, &tracking.as_extra())
    }

    fn original(&mut self, _: usize, item: &Item<'_>) -> io::Result<()> {
        self.writer.item(OutItem::Original(item))
    }

    fn object(&mut self, text: String) -> io::Result<()> {
        self.writer.item(OutItem::Text(&text))
    }
}
