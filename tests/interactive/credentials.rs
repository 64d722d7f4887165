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
            wait_for_echo_off(&term);
        }
        term.type_keys(answer);
    }
    let (code, text) = term.finish();
    // virsh starts a polkit agent at a terminal, which may complain first.
    let text = text
        .lines()
        .filter(|l| !l.starts_with("Authorization not available."))
        .collect::<Vec<_>>()
        .join("\n");
    (code, text)
}

/// Waits until the program has turned echo off: keys typed before are
/// discarded (the terminal is flushed as echo goes off, as `getpass` does).
fn wait_for_echo_off(term: &Terminal) {
    use std::os::fd::AsRawFd;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        // SAFETY: termios is plain data; the master side reports the slave's settings.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: the descriptor is the open pty master.
        let ok = unsafe { libc::tcgetattr(term.keys.as_raw_fd(), &mut t) } == 0;
        if ok && t.c_lflag & libc::ECHO == 0 {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "echo never went off");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
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
    wait_for_echo_off(&term);
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
