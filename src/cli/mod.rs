//! The command line of the binary: the command table and its parser, the help generated from
//! it, the failures and their exit codes, and the reading of `build`'s manifests. The library
//! stays free of process IO; everything that touches arguments, files and exit codes is here.

pub mod commands;
pub mod failure;
pub mod help;
pub mod sources;
