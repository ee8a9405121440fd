//! The v0.4 server's volumes: metadata, content (with `contentSize`) and cache claims, in the
//! operator's order; the cache always, as its WAL must survive restarts.

use super::facts::{CACHE_DIR, CONFIG_DIR, CONTENT_DIR, CONTROL_PLANE_DIR, CONTROL_PLANE_SUB_PATH, METADATA_DIR};
use super::spec::DittoServerSpec;
use crate::server::layout::{always, Claim, Layout, Mount, On, Source, State};

pub const LAYOUT: Layout<DittoServerSpec> = Layout {
    claims: &[
        Claim { name: "metadata", field: "spec.storage.metadataSize", size: |s| Some(&*s.storage.metadata_size) },
        Claim { name: "content", field: "spec.storage.contentSize", size: |s| s.storage.content_size.as_deref() },
        Claim { name: "cache", field: "spec.storage.cacheSize", size: |s| Some(&*s.storage.cache_size) },
    ],
    mounts: &[
        Mount { source: Source::Claim("metadata"), path: METADATA_DIR, sub_path: None, when: always },
        // The control-plane database (users, shares, stores, adapter ports) on the metadata
        // claim: a directory of it at the API's default path, /data/controlplane.
        Mount {
            source: Source::Claim("metadata"),
            path: CONTROL_PLANE_DIR,
            sub_path: Some(CONTROL_PLANE_SUB_PATH),
            when: |s| !s.database.uses_postgres(),
        },
        Mount { source: Source::Claim("cache"), path: CACHE_DIR, sub_path: None, when: always },
        Mount { source: Source::Config, path: CONFIG_DIR, sub_path: None, when: always },
        // SQLite's temporary files; the root file system is read-only.
        Mount { source: Source::Scratch, path: "/tmp", sub_path: None, when: always },
        Mount { source: Source::Claim("content"), path: CONTENT_DIR, sub_path: None, when: always },
    ],
    state: &[
        State {
            field: "spec.database.sqlite.path",
            path: |s| (!s.database.uses_postgres()).then_some(s.database.sqlite.path.as_str()),
            on: On::AnyClaim,
            lost: |path| {
                format!(
                    "database.sqlite.path {path:?} lies on no volume: the control-plane database (users, shares, stores, adapter settings) would be lost on every restart; put it under {CONTROL_PLANE_DIR}/ (on the metadata volume) or {METADATA_DIR}/"
                )
            },
        },
        State {
            field: "spec.cache.path",
            path: |s| Some(s.cache.path.as_str()),
            on: On::Claim("cache"),
            lost: |path| {
                format!(
                    "cache.path {path:?} is not on the cache volume ({CACHE_DIR}): the server's write-ahead log would be lost on every restart"
                )
            },
        },
    ],
    storage_class: |s| s.storage.storage_class_name.as_deref(),
};
