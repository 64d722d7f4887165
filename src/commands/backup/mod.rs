//! Backup commands (help keyword `backup`).

pub mod begin;
pub mod dumpxml;
