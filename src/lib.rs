//! virtsh: a virsh-compatible virtualization shell.

pub mod api;
pub mod commands;
pub mod drivers;
pub mod error;
pub mod model;
pub mod output;
pub mod shell;
