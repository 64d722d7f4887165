//! virtsh: a virsh-compatible virtualization shell.

// Output goes through `stdio`, which treats a closed pipe as virsh does;
// the print macros would panic on it instead.
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod api;
pub mod commands;
pub mod drivers;
pub mod error;
pub mod model;
pub mod output;
pub mod shell;
pub mod signals;
pub mod stdio;
pub mod temp_files;
