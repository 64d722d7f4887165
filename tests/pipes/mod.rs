//! virtsh in a pipeline whose reader goes away (`virtsh … | head -1`): it
//! stops at once, by SIGPIPE as virsh does (a shell shows status 141), on
//! every output path — tables, XML, JSON, help, versions, the interactive
//! shell reading a pipe, and stderr. Each case runs through virsh too where
//! virsh has the command, and both must end the same way.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::harness::{self, Sandbox};

const SIGPIPE: i32 = 13;
const LIMIT: Duration = Duration::from_secs(20);

/// Which stream's reader is gone.
#[derive(Clone, Copy)]
enum Closed {
    Stdout,
    Stderr,
}

fn command(program: &Path, sandbox: &Sandbox, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_clear()
        .envs(sandbox.base_env())
        .current_dir(sandbox.work());
    cmd
}

/// Waits for the child, killing it (and failing) past the limit.
fn wait_bounded(child: &mut Child, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running {LIMIT:?} after its reader went away");
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Runs a program whose `closed` stream is a pipe with no reader at all
/// (closed before it starts), the other one captured; returns how it
/// ended and what it wrote on the captured stream.
fn run_with_closed(program: &Path, args: &[&str], closed: Closed) -> (ExitStatus, String) {
    let sandbox = Sandbox::new("pipes");
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let mut cmd = command(program, &sandbox, args);
    cmd.stdin(Stdio::null());
    match closed {
        Closed::Stdout => cmd.stdout(writer).stderr(Stdio::piped()),
        Closed::Stderr => cmd.stderr(writer).stdout(Stdio::piped()),
    };
    let mut child = cmd.spawn().expect("spawn");
    drop(cmd);
    let mut captured = match closed {
        Closed::Stdout => Box::new(child.stderr.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Closed::Stderr => Box::new(child.stdout.take().unwrap()),
    };
    let reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = captured.read_to_string(&mut text);
        text
    });
    let status = wait_bounded(&mut child, &format!("{} {args:?}", program.display()));
    (status, reader.join().unwrap_or_default())
}

fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (_, Some(s)) => format!("signal {s}"),
        _ => "?".into(),
    }
}

/// virtsh dies of SIGPIPE without a word; with `oracle`, so does virsh.
fn ends_by_sigpipe(args: &[&str], closed: Closed, oracle: bool) {
    let mut programs = vec![harness::virtsh_path()];
    if oracle {
        programs.push(harness::virsh_path());
    }
    for program in programs {
        let (status, other) = run_with_closed(&program, args, closed);
        assert_eq!(
            status.signal(),
            Some(SIGPIPE),
            "{} {args:?}: {} (other stream: {other:?})",
            program.display(),
            describe(status)
        );
        if matches!(closed, Closed::Stdout) {
            assert_eq!(other, "", "{} {args:?} wrote on stderr", program.display());
        }
    }
}

#[test]
fn a_table_to_a_closed_pipe() {
    ends_by_sigpipe(
        &["-c", "test:///default", "list", "--all"],
        Closed::Stdout,
        true,
    );
    ends_by_sigpipe(
        &["-c", "test:///default", "list --all; list"],
        Closed::Stdout,
        true,
    );
}

#[test]
fn xml_to_a_closed_pipe() {
    ends_by_sigpipe(
        &["-c", "test:///default", "dumpxml", "test"],
        Closed::Stdout,
        true,
    );
    ends_by_sigpipe(
        &["-c", "test:///default", "capabilities"],
        Closed::Stdout,
        true,
    );
}

#[test]
fn json_to_a_closed_pipe() {
    ends_by_sigpipe(
        &["--json", "-c", "test:///default", "list", "--all"],
        Closed::Stdout,
        false,
    );
    ends_by_sigpipe(
        &["-c", "test:///default", "list", "--all", "--json"],
        Closed::Stdout,
        false,
    );
}

#[test]
fn help_and_versions_to_a_closed_pipe() {
    for args in [&["help"][..], &["help", "list"], &["-h"], &["-v"], &["-V"]] {
        ends_by_sigpipe(args, Closed::Stdout, true);
    }
    ends_by_sigpipe(&["-c", "test:///default", "version"], Closed::Stdout, true);
}

#[test]
fn errors_to_a_closed_pipe() {
    ends_by_sigpipe(&["echo --err x; echo y"], Closed::Stderr, true);
    ends_by_sigpipe(&["nosuch; echo y"], Closed::Stderr, true);
}

/// `yes 'list --all' | virtsh -c test:///default | head -2`: endless input,
/// a reader that takes two lines and leaves.
fn endless_input_reader_leaves(program: &Path) -> ExitStatus {
    let sandbox = Sandbox::new("pipes-yes");
    let mut child = command(program, &sandbox, &["-c", "test:///default"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut input = child.stdin.take().unwrap();
    let feeder = thread::spawn(move || {
        let line = b"list --all\n".repeat(64);
        // Until the program stops reading.
        while input.write_all(&line).is_ok() {}
    });
    let mut output = BufReader::new(child.stdout.take().unwrap());
    for _ in 0..2 {
        let mut line = String::new();
        output.read_line(&mut line).expect("read a line");
    }
    drop(output);
    let status = wait_bounded(&mut child, &program.display().to_string());
    feeder.join().unwrap();
    status
}

#[test]
fn the_interactive_shell_stops_when_its_reader_leaves() {
    for program in [harness::virtsh_path(), harness::virsh_path()] {
        let status = endless_input_reader_leaves(&program);
        assert_eq!(
            status.signal(),
            Some(SIGPIPE),
            "{}: {}",
            program.display(),
            describe(status)
        );
    }
}

/// A full disk is no reason to stop (stdio ignores it, and so does virsh).
#[test]
fn a_full_disk_is_ignored_as_virsh_ignores_it() {
    let sandbox = Sandbox::new("pipes-full");
    for program in [harness::virtsh_path(), harness::virsh_path()] {
        for args in [&["-V"][..], &["-c", "test:///default", "list", "--all"]] {
            let status = command(&program, &sandbox, args)
                .stdout(std::fs::File::create("/dev/full").expect("/dev/full"))
                .stderr(Stdio::null())
                .status()
                .expect("run");
            assert_eq!(status.code(), Some(0), "{} {args:?}", program.display());
        }
    }
}
