//! The v0.29 line: the current operator's API, rendered for the DittoFS v0.29.0 server (binary
//! `/app/dfs`, control-plane, metadata and block claims, a RAM cache, adapters kept in the
//! server's database).

mod config;
pub mod facts;
mod layout;
mod plan;
mod rules;
mod secrets;
pub mod spec;

use crate::inventory::Inventory;
use crate::krm::ValidationResult;
use crate::server::{Facts, Foreign, Layout, Line, Server, Workload};

pub use spec::DittoServerSpec;

pub struct V0_29;

impl Line for V0_29 {
    type Spec = DittoServerSpec;
    const FACTS: Facts = facts::FACTS;
    const LAYOUT: Layout<DittoServerSpec> = layout::LAYOUT;
    /// The v0.4 line's fields, and what replaced each.
    const FOREIGN: &'static [Foreign] = &[
        Foreign { field: "spec.storage.cacheSize", why: "the cache is RAM-only since v0.15 and sized from the pod's memory limit (spec.resources.limits.memory); there is no cache volume" },
        Foreign { field: "spec.cache", why: "the cache is RAM-only since v0.15 and sized from the pod's memory limit; the server has no cache: settings since v0.9" },
        Foreign { field: "spec.s3", why: "since v0.13 S3 credentials belong to each block store, given when the store is created through the server's API (dfsctl store block remote add); the server reads no AWS_* variables" },
        Foreign { field: "spec.nfsPort", why: "NFS is an adapter kept in the server's database: declare it in spec.adapters (type nfs, port 12049 by default)" },
        Foreign { field: "spec.smb", why: "SMB is an adapter kept in the server's database: declare it in spec.adapters (type smb, port 1445 by default); its settings are changed through the server's API" },
        Foreign { field: "spec.identity.jwt.issuer", why: "the server has no such key: its issuer is always \"dittofs\"" },
    ];

    fn rules(server: &Server<'_, DittoServerSpec>) -> Vec<ValidationResult> {
        let spec = server.spec;
        let mut out = rules::database(spec);
        out.extend(rules::ports(spec));
        out.extend(rules::identity(spec));
        out.extend(Self::LAYOUT.state_problems(spec));
        out.extend(rules::image(spec));
        out.extend(rules::after_first_start(spec));
        out
    }

    fn secret_rules(server: &Server<'_, DittoServerSpec>, inventory: &Inventory) -> Vec<ValidationResult> {
        secrets::secret_refs(server, inventory)
    }

    fn workload(server: &Server<'_, DittoServerSpec>) -> Workload {
        plan::workload(server)
    }
}
