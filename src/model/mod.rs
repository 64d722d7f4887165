//! XML documents as typed Rust: parse what a user may write, format
//! canonically in libvirt's element order with libvirt's defaults.

pub mod canon;
pub mod domain;
pub mod node;
mod schemas;
pub mod units;
pub mod xml;
