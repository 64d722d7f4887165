//! XML documents as typed Rust: parse what a user may write, format
//! canonically in libvirt's element order with libvirt's defaults.

pub mod backup;
pub mod canon;
pub mod checkpoint;
pub mod domain;
pub mod node;
mod schemas;
pub mod snapshot;
pub mod units;
pub mod xml;
pub mod xml_input;
