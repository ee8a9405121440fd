//! The v0.29 server's volumes, as the current operator lays them out: the metadata claim, the
//! block claim (with `contentSize`) and the control-plane claim (always), in its template order.

use super::facts::{BLOCK_DIR, CONFIG_DIR, CONTROL_PLANE_DIR, METADATA_DIR};
use super::spec::DittoServerSpec;
use crate::server::layout::{always, Claim, Layout, Mount, On, Source, State};

pub const LAYOUT: Layout<DittoServerSpec> = Layout {
    claims: &[
        Claim { name: "metadata", field: "spec.storage.metadataSize", size: |s| Some(&*s.storage.metadata_size) },
        Claim { name: "content", field: "spec.storage.contentSize", size: |s| s.storage.content_size.as_deref() },
        Claim { name: "controlplane", field: "spec.storage.controlPlaneSize", size: |s| Some(&*s.storage.control_plane_size) },
    ],
    mounts: &[
        Mount { source: Source::Claim("controlplane"), path: CONTROL_PLANE_DIR, sub_path: None, when: always },
        Mount { source: Source::Claim("metadata"), path: METADATA_DIR, sub_path: None, when: always },
        Mount { source: Source::Config, path: CONFIG_DIR, sub_path: None, when: always },
        // The server's temporary files (SQLite's, the block store's GC); the root file system is
        // read-only.
        Mount { source: Source::Scratch, path: "/tmp", sub_path: None, when: always },
        Mount { source: Source::Claim("content"), path: BLOCK_DIR, sub_path: None, when: always },
    ],
    state: &[
        State {
            field: "spec.database.sqlite.path",
            path: |s| (!s.database.uses_postgres()).then_some(s.database.sqlite.path.as_str()),
            on: On::AnyClaim,
            lost: |path| {
                format!(
                    "database.sqlite.path {path:?} lies on no volume: the control-plane database (users, stores, shares, adapters) would be lost on every restart; put it under {CONTROL_PLANE_DIR}/"
                )
            },
        },
        State {
            field: "spec.logging.output",
            path: |s| Some(s.logging.output.as_str()).filter(|o| !matches!(*o, "stdout" | "stderr")),
            on: On::AnyClaim,
            lost: |path| {
                format!(
                    "logging.output {path:?} is a file on no volume: the root file system is read-only, so the server cannot open it and exits at start; use stdout, or a file under {CONTROL_PLANE_DIR}/"
                )
            },
        },
    ],
    storage_class: |s| s.storage.storage_class_name.as_deref(),
};
