//! DittoFS server release lines. A line is one module (such as `v0_4`) that owns all there is to know
//! about the servers of its releases: its spec type, its facts (image, binary, ports, paths,
//! user), its volume layout, its `config.yaml`, and its rules with their wording. What every line
//! shares (the shape of the Kubernetes objects, names, the config hash, Secret lookups, the
//! StorageClass check, the securityContext merge) asks the line through [`Line`].
//!
//! [`Which`] is the table of lines and the one place that names their types; [`choose`] is the
//! one place that decides which line renders a DittoServer.

pub mod database;
pub mod image;
pub mod layout;
pub mod plan;
pub mod v0_29;
pub mod v0_4;
mod choose;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::inventory::Inventory;
use crate::krm::ValidationResult;

pub use choose::{choose, line_of_stateful_set, Choice};
pub use layout::Layout;
pub use plan::{Plan, Workload};

/// The group, version and kind every line's DittoServer has: one apiVersion, several lines.
pub const GROUP: &str = "dittofs.dittofs.com";
pub const API_VERSION: &str = "dittofs.dittofs.com/v1alpha1";
pub const KIND: &str = "DittoServer";

/// One DittoServer of a line, as its rules and its plan see it.
pub struct Server<'a, S> {
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    pub spec: &'a S,
}

/// What a line's servers are, whatever their spec says.
#[derive(Debug)]
pub struct Facts {
    /// The release line and the release the objects are checked against.
    pub line: &'static str,
    pub release: &'static str,
    /// `release` as numbers: a release of the same major and minor is of this line.
    pub version: (u64, u64, u64),
    /// The image of that release: the spec's default.
    pub image: &'static str,
    /// The command and its arguments.
    pub binary: &'static str,
    pub args: &'static [&'static str],
    /// Where the ConfigMap's `config.yaml` is mounted.
    pub config_dir: &'static str,
    /// The image's user and group.
    pub user_id: i64,
    /// A shell in the image, for the pre-stop wait.
    pub shell: &'static str,
    /// Health endpoints on the API port.
    pub liveness_path: &'static str,
    pub readiness_path: &'static str,
    /// The server's own graceful-shutdown bound, and how many times over a shutdown may wait
    /// for it: the pod's grace period must cover both.
    pub shutdown_timeout_seconds: i64,
    pub shutdown_stages: i64,
}

/// A field of another line's API.
#[derive(Debug)]
pub struct Foreign {
    /// From the DittoServer's root: `spec.storage.cacheSize`.
    pub field: &'static str,
    /// What replaced it, or why the server has no such setting.
    pub why: &'static str,
}

/// A DittoFS release line.
pub trait Line {
    /// The spec as this line's API has it (its defaults are the CRD's for this line).
    type Spec: DeserializeOwned + Serialize + JsonSchema + 'static;
    const FACTS: Facts;
    /// Claims, mounts and the paths that must lie on a claim.
    const LAYOUT: Layout<Self::Spec>;
    /// The fields other lines' APIs have and this one does not, each with what replaced it: an
    /// error on this line's servers, and what tells a spec of this line from another's.
    const FOREIGN: &'static [Foreign];
    /// The line's rules beyond single fields (those are declared on the spec's field types):
    /// fields against each other and against the release. Reported before the StorageClass check.
    fn rules(server: &Server<'_, Self::Spec>) -> Vec<ValidationResult>;
    /// The Secrets the spec refers to, against the input. Reported after the StorageClass check.
    fn secret_rules(server: &Server<'_, Self::Spec>, inventory: &Inventory) -> Vec<ValidationResult>;
    /// What a valid server runs as: its config, container and Services.
    fn workload(server: &Server<'_, Self::Spec>) -> Workload;
}

/// Work done with a line's types: [`Which::visit`] calls it with the chosen line.
pub trait Visit {
    type Out;
    fn visit<L: Line>(self) -> Self::Out;
}

/// The table of lines, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    V0_4,
    V0_29,
}

impl Which {
    pub const ALL: [Which; 2] = [Which::V0_4, Which::V0_29];

    pub fn visit<V: Visit>(self, work: V) -> V::Out {
        match self {
            Which::V0_4 => work.visit::<v0_4::V0_4>(),
            Which::V0_29 => work.visit::<v0_29::V0_29>(),
        }
    }

    pub fn facts(self) -> &'static Facts {
        match self {
            Which::V0_4 => &v0_4::V0_4::FACTS,
            Which::V0_29 => &v0_29::V0_29::FACTS,
        }
    }

    pub fn foreign(self) -> &'static [Foreign] {
        match self {
            Which::V0_4 => v0_4::V0_4::FOREIGN,
            Which::V0_29 => v0_29::V0_29::FOREIGN,
        }
    }
}
