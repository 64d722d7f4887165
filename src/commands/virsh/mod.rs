//! The shell's own commands (help keyword `virsh`).

pub mod cd;
pub mod complete;
pub mod connect;
pub mod echo;
pub mod exit;
pub mod help;
pub mod pwd;
pub mod quit;
