//! Helpers the test modules share, declared once for the whole test crate.

/// Argo CD's plugin: its generate command and environment, and the checks on its stream.
pub mod argocd;
/// Copies of `examples/kpt` and the real kpt run on them.
pub mod kpt;
/// The real binary, run on a ResourceList, and what it answered.
pub mod krm;
/// What must hold on any input; `fuzz/fuzz_targets/run.rs` includes this file too, so it uses
/// nothing of the other helpers.
pub mod oracle;
pub mod pod;
