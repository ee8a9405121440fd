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
use crate::server::{Facts, Foreign, Layout, Line, Server, Workload};

pub use spec::DittoServerSpec;

pub struct V0_4;

impl Line for V0_4 {
    type Spec = DittoServerSpec;
    const FACTS: Facts = facts::FACTS;
    const LAYOUT: Layout<DittoServerSpec> = layout::LAYOUT;
    /// The v0.29 line's fields: settings the v0.4 server does not have.
    const FOREIGN: &'static [Foreign] = &[
        Foreign { field: "spec.storage.controlPlaneSize", why: "the v0.4 server keeps its control-plane database on the metadata volume" },
        Foreign { field: "spec.adapters", why: "the v0.4 API gives the NFS port in spec.nfsPort and SMB in spec.smb" },
        Foreign { field: "spec.adapterServices", why: "the v0.4 API has one -file Service for NFS and SMB, shaped by spec.service" },
        Foreign { field: "spec.adapterDiscovery", why: "the v0.4 API has no adapter polling" },
        Foreign { field: "spec.logging", why: "the v0.4 line always logs INFO as JSON to stdout" },
        Foreign { field: "spec.metrics.path", why: "the v0.4 server serves metrics at /metrics only" },
        Foreign { field: "spec.metrics.bearerTokenSecret", why: "the v0.4 server's metrics take no token" },
        Foreign { field: "spec.metrics.serviceMonitor", why: "the v0.4 line renders no ServiceMonitor" },
        Foreign { field: "spec.controlPlane.tls", why: "the v0.4 server's API has no TLS" },
        Foreign { field: "spec.controlPlane.certSecretName", why: "the v0.4 server's API has no TLS" },
        Foreign { field: "spec.controlPlane.clientCASecretName", why: "the v0.4 server's API has no TLS" },
        Foreign { field: "spec.identity.ldap", why: "the v0.4 server has no LDAP provider" },
        Foreign { field: "spec.identity.kerberos", why: "the v0.4 server has no Kerberos provider" },
        Foreign { field: "spec.percona", why: "use spec.database.postgresSecretRef" },
        Foreign { field: "spec.snapshotPolicies", why: "the v0.4 server has no snapshots" },
        Foreign { field: "spec.terminationGracePeriodSeconds", why: "the v0.4 line derives the grace period from the server's shutdown timeout" },
    ];

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
