//! The v0.4 line: the Phase-3 operator's API, rendered for the DittoFS v0.4.2 server (binary
//! `/app/dittofs`, metadata, content and cache claims, S3 credentials in the environment).

mod config;
pub mod facts;
mod layout;
mod plan;
mod release;
mod rules;
mod secrets;
pub mod spec;

use crate::inventory::Inventory;
use crate::krm::ValidationResult;
use crate::server::{Facts, Layout, Line, Server, Workload};

pub use spec::DittoServerSpec;

pub struct V0_4;

impl Line for V0_4 {
    type Spec = DittoServerSpec;
    const FACTS: Facts = facts::FACTS;
    const LAYOUT: Layout<DittoServerSpec> = layout::LAYOUT;

    fn rules(server: &Server<'_, DittoServerSpec>) -> Vec<ValidationResult> {
        let spec = server.spec;
        let mut out = rules::database(spec);
        out.extend(rules::ports(spec));
        out.extend(Self::LAYOUT.state_problems(spec));
        out.extend(release::image(spec));
        out.extend(release::ignored_fields(spec));
        out
    }

    fn secret_rules(server: &Server<'_, DittoServerSpec>, inventory: &Inventory) -> Vec<ValidationResult> {
        let mut out = secrets::s3_secret(server, inventory);
        out.extend(secrets::secret_refs(server, inventory));
        out
    }

    fn workload(server: &Server<'_, DittoServerSpec>) -> Workload {
        plan::workload(server)
    }
}
