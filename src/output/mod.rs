//! virsh-exact text output: tables, `Label: value` blocks, sizes.

pub mod fields;
pub mod render;
pub mod size;
pub mod style;
pub mod table;
pub mod time;
pub mod tree;
pub mod xpath;
