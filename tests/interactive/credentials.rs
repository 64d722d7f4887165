//! The test driver's credential prompts at a terminal: the user name echoes as
//! typed, the password does not, and the screen is virsh's.

use super::Terminal;
use crate::harness::{self, Sandbox};

/// The screen of `program` given `args` and, at each prompt, the answer typed.
fn screen(program: &std::path::Path, args: &[&str], answers: &[(&str, &str)]) -> (i32, String) {
    let sandbox = Sandbox::new("pty-credentials");
    let mut term = Terminal::start_program(&sandbox, program, args, &[("NO_COLOR", "1")]);
    for (prompt, answer) in answers {
        term.expect(prompt);
        if prompt.contains("password") {
            term.wait_for_local_mode_off(libc::ECHO, "echo");
        }
        term.type_keys(answer);
    }
    term.finish_without_polkit_notice()
}

fn same_as_virsh(args: &[&str], answers: &[(&str, &str)]) -> String {
    let virsh = screen(&harness::virsh_path(), args, answers);
    let ours = screen(&harness::virtsh_path(), args, answers);
    assert_eq!(ours, virsh, "{args:?} answered {answers:?}");
    ours.1
}

fn node_uri() -> String {
    format!("test://{}/node/auth.xml", harness::data_dir().display())
}

#[test]
fn a_password_is_asked_at_the_terminal_and_not_shown() {
    let uri = node_uri();
    let shown = same_as_virsh(
        &["-c", &uri, "uri"],
        &[
            ("Enter username for localhost: ", "ada\r"),
            ("Enter ada's password for localhost: ", "hunter2\r"),
        ],
    );
    assert!(
        shown.contains("ada\n") && !shown.contains("hunter2"),
        "{shown}"
    );
    assert!(shown.contains(&uri), "{shown}");
}

#[test]
fn wrong_credentials_fail_as_virsh_fails() {
    let uri = node_uri();
    let shown = same_as_virsh(
        &["-c", &uri, "uri"],
        &[
            ("Enter username for localhost: ", "ada\r"),
            ("Enter ada's password for localhost: ", "swordfish\r"),
        ],
    );
    assert!(shown.contains("authentication failed"), "{shown}");
    same_as_virsh(
        &["-c", &uri, "uri"],
        &[
            ("Enter username for localhost: ", "eve\r"),
            ("Enter eve's password for localhost: ", "hunter2\r"),
        ],
    );
}

#[test]
fn a_user_without_a_password_is_asked_only_its_name() {
    let uri = node_uri();
    same_as_virsh(
        &["-c", &uri, "list --all --name"],
        &[("Enter username for localhost: ", "guest\r")],
    );
}

#[test]
fn the_interactive_shell_asks_when_a_command_first_connects() {
    let sandbox = Sandbox::new("pty-credentials-lazy");
    let uri = node_uri();
    let mut term = Terminal::start(&sandbox, &["-q"], &[("LIBVIRT_DEFAULT_URI", &uri)]);
    term.expect("virtsh # ");
    term.type_keys("list --all --name\r");
    term.expect("Enter username for localhost: ");
    term.type_keys("ada\r");
    term.expect("Enter ada's password for localhost: ");
    term.wait_for_local_mode_off(libc::ECHO, "echo");
    term.type_keys("hunter2\r");
    term.expect("vault");
    term.expect("virtsh # ");
    // Connected now: no second question.
    term.type_keys("uri\r");
    term.expect(&uri);
    term.type_keys("quit\r");
    let (code, text) = term.finish();
    assert_eq!(code, 0);
    assert_eq!(text.matches("Enter username").count(), 1, "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}
