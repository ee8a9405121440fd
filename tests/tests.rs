//! The integration tests: one crate, so that the release build links k8s-openapi (with LTO) once
//! instead of once per file. Each file of `tests/` is a module (`cargo test --test tests golden::`
//! runs one); `support/` holds what they share.
//!
//! Tests that need a tool a plain checkout lacks (kpt, node, python3 with the pip packages of
//! `tests/requirements.txt`, hadolint, docker, the WASI module) are `#[ignore = "needs ..."]`,
//! naming it: `cargo test` passes without them and lists them as ignored, and `make test`
//! installs the tools and runs everything with `-- --include-ignored`, where a missing tool fails.

mod support;

mod argocd;
mod bad_input;
mod build;
mod cli;
mod container;
mod crd;
mod e2e_kpt;
mod fast_scan;
mod fuzz_regressions;
mod generator;
mod golden;
mod halves;
mod headers;
mod identity;
mod image;
mod impact;
mod kubernetes_updates;
mod kustomize;
mod lines;
mod pipelines;
mod properties;
mod rules;
mod schema;
mod secrets;
mod security_context;
mod server_facts;
mod server_facts_v0_29;
mod streaming;
mod text_passthrough;
mod wasi;
mod yaml11;
