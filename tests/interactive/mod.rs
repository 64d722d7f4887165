//! The interactive shell as a person meets it: virtsh on a real pseudo-terminal,
//! keys typed into it, the screen read back. And the same shell fed from a
//! pipe, whose transcript must equal virsh's byte for byte.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use crate::harness::{self, Sandbox};

mod credentials;
mod edit;

const TIMEOUT: Duration = Duration::from_secs(20);

/// A program (virtsh, or a shell for the completion scripts) running on the
/// slave side of a pseudo-terminal.
pub(crate) struct Terminal {
    child: Child,
    keys: File,
    chunks: Receiver<Vec<u8>>,
    /// Everything the program wrote, raw.
    raw: Vec<u8>,
    /// How much of the cleaned screen text `expect` has consumed.
    seen: usize,
}

impl Terminal {
    fn start(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Terminal {
        Terminal::start_program(sandbox, &harness::virtsh_path(), args, env)
    }

    pub(crate) fn start_program(
        sandbox: &Sandbox,
        program: &std::path::Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Terminal {
        let (master, slave) = open_pty();
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env_clear()
            .envs(sandbox.base_env())
            .env("TERM", "xterm")
            .envs(env.iter().copied())
            .current_dir(sandbox.work())
            .stdin(Stdio::from(slave.try_clone().expect("dup pty")))
            .stdout(Stdio::from(slave.try_clone().expect("dup pty")))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                // A session of its own with the pty as controlling terminal,
                // as a login shell would give it.
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start virtsh");
        drop(cmd);
        let keys = File::from(master);
        let mut screen = keys.try_clone().expect("dup pty master");
        let (tx, chunks) = mpsc::channel();
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Reading fails with EIO once the program has closed the terminal.
            while let Ok(n @ 1..) = screen.read(&mut buf) {
                if tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Terminal {
            child,
            keys,
            chunks,
            raw: Vec::new(),
            seen: 0,
        }
    }

    pub(crate) fn type_keys(&mut self, keys: &str) {
        self.keys
            .write_all(keys.as_bytes())
            .expect("type into the pty");
    }

    /// The screen so far with control sequences removed.
    fn text(&self) -> String {
        strip_controls(&String::from_utf8_lossy(&self.raw))
    }

    /// Waits until `needle` appears after what earlier calls consumed.
    pub(crate) fn expect(&mut self, needle: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let text = self.text();
            if let Some(at) = text[self.seen..].find(needle) {
                self.seen += at + needle.len();
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .chunks
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                Ok(chunk) => self.raw.extend(chunk),
                Err(_) if Instant::now() < deadline => {}
                Err(_) => panic!(
                    "expected {needle:?} on the terminal; it shows:\n{text}\nraw: {:?}",
                    String::from_utf8_lossy(&self.raw)
                ),
            }
        }
    }

    /// Waits for the program to end; returns its exit code.
    fn finish(mut self) -> (i32, String) {
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("virtsh did not exit; the terminal shows:\n{}", self.text());
            }
            thread::sleep(Duration::from_millis(10));
        };
        while let Ok(chunk) = self.chunks.recv_timeout(Duration::from_millis(200)) {
            self.raw.extend(chunk);
        }
        let code = status
            .code()
            .unwrap_or_else(|| panic!("killed by signal {:?}", status.signal()));
        (code, self.text())
    }

    /// `finish`, without the line virsh's polkit agent may print first at a terminal.
    fn finish_without_polkit_notice(self) -> (i32, String) {
        let (code, text) = self.finish();
        let text = text
            .lines()
            .filter(|l| !l.starts_with("Authorization not available."))
            .collect::<Vec<_>>()
            .join("\n");
        (code, text)
    }

    /// Waits until the program has cleared `flag` in the terminal's local
    /// modes (echo off for a password, canonical mode off for one key):
    /// keys typed before that are discarded by the terminal.
    fn wait_for_local_mode_off(&self, flag: libc::tcflag_t, what: &str) {
        use std::os::fd::AsRawFd;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // SAFETY: termios is plain data; the master side reports the slave's settings.
            let mut t: libc::termios = unsafe { std::mem::zeroed() };
            // SAFETY: the descriptor is the open pty master.
            let ok = unsafe { libc::tcgetattr(self.keys.as_raw_fd(), &mut t) } == 0;
            if ok && t.c_lflag & flag == 0 {
                return;
            }
            assert!(Instant::now() < deadline, "{what} never went off");
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn open_pty() -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty fills two descriptors we then own.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors are open and owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// Drops escape sequences, carriage returns and bells, leaving the text a
/// person would read.
fn strip_controls(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                if chars.next_if_eq(&'[').is_some() {
                    // CSI: parameters, then one final byte in @..~.
                    for p in chars.by_ref() {
                        if ('@'..='~').contains(&p) {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
            }
            '\r' | '\x07' => {}
            _ => out.push(c),
        }
    }
    out
}

fn history_file(sandbox: &Sandbox) -> std::path::PathBuf {
    sandbox.home().join(".cache").join("virtsh").join("history")
}

#[test]
fn banner_prompt_and_a_command() {
    let sandbox = Sandbox::new("pty-banner");
    let mut term = Terminal::start(&sandbox, &["-c", "test:///default"], &[]);
    term.expect("Welcome to virtsh, the virtualization interactive terminal.\n");
    term.expect("Connected to test:///default.\n\n");
    term.expect("Type:  'help' for help with commands\n       'quit' to quit\n\n");
    term.expect("virtsh # ");
    term.type_keys("uri\r");
    term.expect("test:///default\n");
    term.expect("virtsh # ");
    term.type_keys("quit\r");
    let (code, _) = term.finish();
    assert_eq!(code, 0);
}

/// The banner names the connection the default URI opened, or says why
/// none opened and how to open one.
#[test]
fn the_banner_says_which_uri_the_shell_is_connected_to() {
    let sandbox = Sandbox::new("pty-banner-default");
    let mut term = Terminal::start(&sandbox, &[], &[("LIBVIRT_DEFAULT_URI", "test:///default")]);
    term.expect("Welcome to virtsh, the virtualization interactive terminal.\n");
    term.expect("Connected to test:///default.\n\n");
    term.expect("virtsh # ");
    term.type_keys("quit\r");
    assert_eq!(term.finish().0, 0);

    let mut term = Terminal::start(&sandbox, &[], &[("LIBVIRT_AUTOSTART", "0")]);
    term.expect("Welcome to virtsh, the virtualization interactive terminal.\n");
    term.expect("Not connected: Failed to connect socket to '");
    term.expect("libvirt-sock': No such file or directory\n\n");
    term.expect("Type:  'help' for help with commands\n");
    term.expect("       'connect URI' to connect to a hypervisor\n       'quit' to quit\n\n");
    term.expect("virtsh # ");
    term.type_keys("connect test:///default\r");
    term.expect("virtsh # ");
    term.type_keys("uri\r");
    term.expect("test:///default\n");
    term.type_keys("quit\r");
    assert_eq!(term.finish().0, 0);
}

#[test]
fn quiet_has_no_banner() {
    let sandbox = Sandbox::new("pty-quiet");
    let mut term = Terminal::start(&sandbox, &["-q"], &[]);
    term.expect("virtsh # ");
    term.type_keys("exit\r");
    let (code, screen) = term.finish();
    assert_eq!(code, 0);
    assert!(!screen.contains("Welcome"), "{screen}");
}

#[test]
fn tab_completes_a_command_name() {
    let sandbox = Sandbox::new("pty-tab-command");
    let mut term = Terminal::start(&sandbox, &[], &[]);
    term.expect("virtsh # ");
    term.type_keys("pw\t");
    term.expect("virtsh # pwd ");
    term.type_keys("\r");
    term.expect(&format!("{}\n", sandbox.work().display()));
    term.expect("virtsh # ");
    // After `;` a new command starts.
    term.type_keys("echo a; ec\t");
    term.expect("virtsh # echo a; echo ");
    term.type_keys("b\r");
    term.expect("a\nb\n");
    term.expect("virtsh # ");
    term.type_keys("quit\r");
    assert_eq!(term.finish().0, 0);
}

#[test]
fn tab_lists_several_candidates() {
    let sandbox = Sandbox::new("pty-tab-list");
    let mut term = Terminal::start(&sandbox, &["-q"], &[]);
    term.expect("virtsh # ");
    // First TAB completes what all share; the second lists them.
    term.type_keys("domi\t\t");
    term.expect("domid");
    term.expect("domiflist");
    term.expect("dominfo");
    term.type_keys("\x15quit\r");
    assert_eq!(term.finish().0, 0);
}

#[test]
fn tab_completes_a_domain_name() {
    let sandbox = Sandbox::new("pty-tab-domain");
    let mut term = Terminal::start(&sandbox, &["-c", "test:///default"], &[]);
    term.expect("virtsh # ");
    term.type_keys("dominfo te\t");
    term.expect("virtsh # dominfo test ");
    term.type_keys("\r");
    term.expect("Name:");
    term.expect("test");
    term.type_keys("quit\r");
    assert_eq!(term.finish().0, 0);
}

#[test]
fn domain_completion_connects_lazily() {
    let sandbox = Sandbox::new("pty-tab-lazy");
    // Without a banner nothing connects before the first TAB.
    let mut term = Terminal::start(
        &sandbox,
        &["-q"],
        &[("VIRTSH_DEFAULT_URI", "test:///default")],
    );
    term.expect("virtsh # ");
    term.type_keys("domstate --domain t\t");
    term.expect("virtsh # domstate --domain test ");
    term.type_keys("\r");
    term.expect("running\n");
    term.type_keys("quit\r");
    assert_eq!(term.finish().0, 0);
}

#[test]
fn history_is_written_at_exit_and_read_at_start() {
    let sandbox = Sandbox::new("pty-history");
    let mut term = Terminal::start(&sandbox, &[], &[]);
    term.expect("virtsh # ");
    term.type_keys("echo first\r");
    term.expect("first\nvirtsh # ");
    // Empty lines are not remembered.
    term.type_keys("\r");
    term.expect("virtsh # ");
    term.type_keys("echo second\r");
    term.expect("second\nvirtsh # ");
    term.type_keys("quit\r");
    assert_eq!(term.finish().0, 0);

    let file = history_file(&sandbox);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "echo first\necho second\nquit\n"
    );
    use std::os::unix::fs::PermissionsExt;
    let dir_mode = std::fs::metadata(file.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o755);

    // The next session recalls it with the up arrow.
    let mut term = Terminal::start(&sandbox, &[], &[]);
    term.expect("virtsh # ");
    term.type_keys("\x1b[A");
    term.expect("virtsh # quit");
    term.type_keys("\x1b[A");
    term.expect("virtsh # echo second");
    term.type_keys("\r");
    term.expect("second\nvirtsh # ");
    term.type_keys("\x04");
    assert_eq!(term.finish().0, 0);
    let lines = std::fs::read_to_string(&file).unwrap();
    assert_eq!(lines, "echo first\necho second\nquit\necho second\n");
}

#[test]
fn pasted_lines_all_run_and_histsize_limits_the_file() {
    let sandbox = Sandbox::new("pty-histsize");
    let mut term = Terminal::start(&sandbox, &[], &[("VIRTSH_HISTSIZE", "2")]);
    term.expect("virtsh # ");
    // Several lines at once, as a paste delivers them: none is lost.
    term.type_keys("echo 1\recho 2\recho 3\r");
    term.expect("\n1\nvirtsh # ");
    term.expect("\n2\nvirtsh # ");
    term.expect("\n3\nvirtsh # ");
    term.type_keys("\x04");
    assert_eq!(term.finish().0, 0);
    assert_eq!(
        std::fs::read_to_string(history_file(&sandbox)).unwrap(),
        "echo 2\necho 3\n"
    );
}

#[test]
fn ctrl_d_exits_with_status_0_even_after_a_failure() {
    let sandbox = Sandbox::new("pty-ctrl-d");
    let mut term = Terminal::start(&sandbox, &[], &[]);
    term.expect("virtsh # ");
    term.type_keys("nosuch\r");
    term.expect("error: unknown command: 'nosuch'\n");
    term.expect("virtsh # ");
    term.type_keys("\x04");
    let (code, screen) = term.finish();
    assert_eq!(code, 0);
    assert!(screen.ends_with("virtsh # \n\n"), "{screen:?}");
}

#[test]
fn ctrl_c_clears_the_line() {
    let sandbox = Sandbox::new("pty-ctrl-c");
    let mut term = Terminal::start(&sandbox, &["-q"], &[]);
    term.expect("virtsh # ");
    term.type_keys("bogus");
    term.expect("bogus");
    term.type_keys("\x03");
    term.expect("virtsh # ");
    term.type_keys("echo still here\r");
    term.expect("still here\n");
    term.type_keys("quit\r");
    let (code, screen) = term.finish();
    assert_eq!(code, 0);
    assert!(!screen.contains("unknown command"), "{screen}");
}

#[test]
fn a_parse_error_runs_nothing_of_the_line() {
    let sandbox = Sandbox::new("pty-parse-error");
    let mut term = Terminal::start(&sandbox, &["-q"], &[]);
    term.expect("virtsh # ");
    term.type_keys("echo one; nosuch\r");
    term.expect("error: unknown command: 'nosuch'\n");
    term.type_keys("echo \"open\r");
    term.expect("error: missing \"\n");
    term.type_keys("quit\r");
    let (code, screen) = term.finish();
    assert_eq!(code, 0);
    assert!(!screen.contains("one\n"), "{screen}");
}

#[test]
fn readonly_prompt() {
    let sandbox = Sandbox::new("pty-readonly");
    let mut term = Terminal::start(&sandbox, &["-r"], &[]);
    term.expect("virtsh > ");
    term.type_keys("quit\r");
    assert_eq!(term.finish().0, 0);

    // `connect --readonly` changes it on the fly.
    let mut term = Terminal::start(&sandbox, &["-q"], &[]);
    term.expect("virtsh # ");
    term.type_keys("connect test:///default --readonly\r");
    term.expect("virtsh > ");
    term.type_keys("quit\r");
    assert_eq!(term.finish().0, 0);
}

/// Runs virsh and virtsh on the same piped stdin; virtsh's output must be
/// virsh's with its own name in the banner and prompt.
fn same_transcript_as_virsh(args: &[&str], input: &str, env: &[(&str, &str)]) {
    let sandbox = Sandbox::new("piped");
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let mut full_env = sandbox.base_env();
    full_env.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let run = |program: &std::path::Path, env: &[(String, String)]| {
        harness::run(&harness::Run {
            program,
            args: &args,
            env,
            stdin: Some(input.as_bytes()),
            cwd: &sandbox.work(),
            timeout: TIMEOUT,
            merge_stderr: true,
        })
    };
    let virsh_env: Vec<(String, String)> = full_env
        .iter()
        .map(|(k, v)| (k.replace("VIRTSH_", "VIRSH_"), v.clone()))
        .collect();
    let virsh = run(&harness::virsh_path(), &virsh_env);
    let ours = run(&harness::virtsh_path(), &full_env);
    let expected = virsh
        .stdout_str()
        .replace("Welcome to virsh,", "Welcome to virtsh,")
        .replace("virsh # ", "virtsh # ")
        .replace("virsh > ", "virtsh > ")
        .replace("$VIRSH_", "$VIRTSH_");
    assert_eq!(ours.stdout_str(), expected, "input {input:?}");
    assert_eq!(ours.code, virsh.code, "input {input:?}");
}

#[test]
fn piped_transcript_matches_virsh() {
    same_transcript_as_virsh(&["-c", "test:///default"], "uri\nlist\nquit\n", &[]);
}

#[test]
fn piped_edge_cases_match_virsh() {
    for input in [
        "echo a\n",
        "echo no newline at end",
        "\n\necho after blanks\n",
        "nosuch\necho b\n",
        "echo \"open\necho c\n",
        "echo x;quit\necho y\n",
        "quit; echo never\n",
        "  \n# only a comment\n",
        "echo crlf\r\necho b\n",
        "pwd\ncd /\npwd\n",
    ] {
        same_transcript_as_virsh(&[], input, &[]);
        same_transcript_as_virsh(&["-q"], input, &[]);
    }
    same_transcript_as_virsh(&["-r"], "echo ro\n", &[]);
}

#[test]
fn piped_bad_histsize_matches_virsh() {
    for value in ["abc", "", "10x", "-1", "500001", " 7"] {
        same_transcript_as_virsh(&[], "echo h\n", &[("VIRTSH_HISTSIZE", value)]);
    }
}

#[test]
fn piped_input_is_remembered_too() {
    let sandbox = Sandbox::new("piped-history");
    let out = harness::run(&harness::Run {
        program: &harness::virtsh_path(),
        args: &["-q".to_string()],
        env: &sandbox.base_env(),
        stdin: Some(b"echo a\n\necho b\n"),
        cwd: &sandbox.work(),
        timeout: TIMEOUT,
        merge_stderr: false,
    });
    assert_eq!(out.code, Some(0));
    assert_eq!(
        std::fs::read_to_string(history_file(&sandbox)).unwrap(),
        "echo a\necho b\n"
    );

    // A bad size turns history off for the session: nothing is written.
    let sandbox = Sandbox::new("piped-history-off");
    let mut env = sandbox.base_env();
    env.push(("VIRTSH_HISTSIZE".to_string(), "lots".to_string()));
    let out = harness::run(&harness::Run {
        program: &harness::virtsh_path(),
        args: &[],
        env: &env,
        stdin: Some(b"echo a\n"),
        cwd: &sandbox.work(),
        timeout: TIMEOUT,
        merge_stderr: false,
    });
    assert_eq!(out.stderr_str(), "error: Bad $VIRTSH_HISTSIZE value.\n");
    assert_eq!(out.code, Some(0));
    assert!(!history_file(&sandbox).exists());
}

// ---------------------------------------------------------------------------------------
// Help for people: hints and colour at a terminal, virsh's bytes without one.

#[test]
fn hints_for_mistyped_commands_options_and_domains_at_a_terminal() {
    let sandbox = Sandbox::new("pty-hints");
    for (line, hint) in [
        ("lsit", "hint: did you mean 'list'?"),
        ("list --al", "hint: did you mean '--all'?"),
        ("dominfo tset", "hint: did you mean 'test'?"),
        // A virsh command virtsh lacks, with one of virtsh's near it.
        ("domstats", "hint: did you mean 'domstate'?"),
    ] {
        let mut term = Terminal::start(&sandbox, &["-c", "test:///default", line], &[]);
        term.expect(hint);
        let (code, _) = term.finish();
        assert_eq!(code, 1, "{line}");
    }
    // Nothing of virtsh's is near: the plain message, and no hint.
    let mut term = Terminal::start(&sandbox, &["-c", "test:///default", "net-list"], &[]);
    term.expect("error: command 'net-list' exists in virsh but not yet in virtsh\n");
    let (code, screen) = term.finish();
    assert_eq!(code, 1);
    assert!(!screen.contains("hint"), "{screen}");
}

#[test]
fn errors_are_coloured_at_a_terminal_unless_no_color() {
    let sandbox = Sandbox::new("pty-colour");
    let term = Terminal::start(&sandbox, &["-c", "test:///default", "lsit"], &[]);
    let (_, _) = term.finish_raw_contains("\x1b[1;31merror:");
    let term = Terminal::start(
        &sandbox,
        &["-c", "test:///default", "lsit"],
        &[("NO_COLOR", "1")],
    );
    let (_, raw) = term.finish_raw_contains("error: unknown command");
    assert!(!raw.contains("\x1b[1;31m"), "{raw:?}");
}

#[test]
fn no_hints_or_colour_without_a_terminal() {
    let sandbox = Sandbox::new("pipe-hints");
    for (line, expected) in [
        ("lsit", "error: unknown command: 'lsit'\n"),
        ("dominfo tset", "error: failed to get domain 'tset'\n"),
    ] {
        let args: Vec<String> = ["-c", "test:///default", line]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let out = harness::run(&harness::Run {
            program: &harness::virtsh_path(),
            args: &args,
            env: &sandbox.base_env(),
            stdin: None,
            cwd: &sandbox.work(),
            timeout: TIMEOUT,
            merge_stderr: false,
        });
        assert_eq!(out.stderr_str(), expected, "{line}");
    }
    // --color=always decorates even a pipe: the user asked for it.
    let args: Vec<String> = ["--color=always", "-c", "test:///default", "lsit"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let out = harness::run(&harness::Run {
        program: &harness::virtsh_path(),
        args: &args,
        env: &sandbox.base_env(),
        stdin: None,
        cwd: &sandbox.work(),
        timeout: TIMEOUT,
        merge_stderr: false,
    });
    assert!(
        out.stderr_str()
            .contains("\x1b[1;31merror:\x1b[0m unknown command"),
        "{}",
        out.stderr_str()
    );
    assert!(!out.stderr_str().contains("hint:"));
}

impl Terminal {
    /// Waits for exit and checks the raw bytes (colour codes included).
    fn finish_raw_contains(self, needle: &str) -> (i32, String) {
        let mut term = self;
        let deadline = Instant::now() + TIMEOUT;
        while !String::from_utf8_lossy(&term.raw).contains(needle) && Instant::now() < deadline {
            if let Ok(chunk) = term.chunks.recv_timeout(Duration::from_millis(100)) {
                term.raw.extend(chunk);
            }
        }
        let raw = String::from_utf8_lossy(&term.raw).into_owned();
        assert!(raw.contains(needle), "expected {needle:?} in {raw:?}");
        let (code, _) = term.finish();
        (code, raw)
    }
}

#[test]
fn hints_for_mistyped_snapshot_and_checkpoint_names() {
    let sandbox = Sandbox::new("pty-moment-hints");
    for (line, hint) in [
        (
            "snapshot-create-as test nightly-1; snapshot-info test nightly-2",
            "hint: did you mean 'nightly-1'?",
        ),
        (
            "checkpoint-create-as test weekly; checkpoint-info test weakly",
            "hint: did you mean 'weekly'?",
        ),
    ] {
        let mut term = Terminal::start(&sandbox, &["-c", "test:///default", line], &[]);
        term.expect(hint);
        let (code, _) = term.finish();
        assert_eq!(code, 1, "{line}");
    }
}
