//! virsh-exact text output: tables, `Label: value` blocks, sizes.

pub mod fields;
pub mod render;
pub mod size;
pub mod style;
pub mod table;
pub mod time;
pub mod tree;
pub mod xpath;

/// The C library's text for an I/O error (`No such file or directory`),
/// without Rust's ` (os error N)` suffix.
pub fn os_error_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}
