//! `edit` at a terminal: when saving fails, virsh asks `Failed. Try again?` and
//! takes one key, the terminal raw; throwing the changes away fails the
//! command. The screen must be virsh's.

use super::Terminal;
use crate::harness::{self, Sandbox};

const QUESTION: &str = "Try again? ";

/// The screen and exit code of `program` running `commands` with `editor`,
/// pressing `keys` one at a time, each once the question is asked.
fn screen(program: &std::path::Path, editor: &str, commands: &str, keys: &[&str]) -> (i32, String) {
    let sandbox = Sandbox::new("pty-edit");
    let editor = harness::data_dir().join("editor").join(editor);
    let editor = editor.to_string_lossy();
    let mut term = Terminal::start_program(
        &sandbox,
        program,
        &["-c", "test:///default", commands],
        &[("NO_COLOR", "1"), ("EDITOR", &editor)],
    );
    for key in keys {
        term.expect(QUESTION);
        term.wait_for_local_mode_off(libc::ICANON, "canonical mode");
        term.type_keys(key);
    }
    term.finish_without_polkit_notice()
}

fn same_as_virsh(editor: &str, commands: &str, keys: &[&str]) -> (i32, String) {
    let virsh = screen(&harness::virsh_path(), editor, commands, keys);
    let ours = screen(&harness::virtsh_path(), editor, commands, keys);
    assert_eq!(ours, virsh, "{commands} with {editor}, keys {keys:?}");
    ours
}

#[test]
fn throwing_the_changes_away_fails_and_reports_no_success() {
    let (code, text) = same_as_virsh("break.sh", "edit test", &["n"]);
    assert_eq!(code, 1);
    assert!(!text.contains("edited"), "{text}");
    assert!(text.contains("Failed. Try again? [y,n,i,f,?]: "), "{text}");
}

#[test]
fn one_key_answers_and_question_mark_explains() {
    // Unknown keys ask again; no Enter is needed.
    let (code, text) = same_as_virsh("break.sh", "edit test; echo after", &["?", "x", "n"]);
    assert_eq!(code, 0);
    assert!(text.contains("f - force, try to redefine again"), "{text}");
    assert!(text.contains("after"), "{text}");
}

#[test]
fn edit_again_force_and_turning_validation_off() {
    same_as_virsh("break.sh", "edit test", &["y", "n"]);
    same_as_virsh("break.sh", "edit test", &["f", "n"]);
    // After `i` the question no longer offers it.
    let (_, text) = same_as_virsh("break.sh", "edit test", &["i", "n"]);
    assert!(text.contains("[y,n,f,?]"), "{text}");
    // Without validation the schema-invalid XML is accepted.
    let (code, text) = same_as_virsh(
        "invalid.sh",
        "edit test; dumpxml --inactive test --xpath //frobnicate",
        &["i"],
    );
    assert_eq!(code, 0);
    assert!(
        text.contains("Domain 'test' XML configuration edited."),
        "{text}"
    );
}

#[test]
fn snapshot_and_checkpoint_edits_ask_too() {
    let (code, text) = same_as_virsh(
        "break.sh",
        "snapshot-create-as test s1; snapshot-edit test s1",
        &["f", "?", "n"],
    );
    assert_eq!(code, 1);
    assert!(text.contains("Failed to update s1"), "{text}");
    same_as_virsh(
        "break.sh",
        "checkpoint-create-as test c1; checkpoint-edit test c1",
        &["y", "n"],
    );
}
