//! Documentation that is tested: `README.md`, the command pages (`commands/*.md`), the
//! example XML and node file (`examples/xml/`, `examples/node/`) and the example scripts
//! (`examples/scripts/`).
//!
//! # Examples in a page
//!
//! A fenced block whose info string starts with `console` holds one or more examples:
//!
//! ````text
//! ```console
//! $ virtsh -c test:///default 'define examples/xml/domain-web.xml; domstate web01'
//! Domain 'web01' defined from examples/xml/domain-web.xml
//!
//! shut off
//!
//! ```
//! ````
//!
//! * A line starting with `$ ` is a command for `sh -c`; a command whose line ends with
//!   `\` goes on on the next line. The lines after it, up to the next `$ ` line or the
//!   closing fence, are exactly what it prints on stdout (a trailing blank line included).
//! * `…` in an expected line stands for any text within that line (a CPU time, a generated
//!   UUID); a line that is only `…` stands for any number of lines, none included.
//! * The command must exit with status 0 and print nothing on stderr. An example that shows
//!   a failure says so in shell: `virtsh … 2>&1 || echo "exit status $?"`.
//! * `virtsh` is found first in `PATH` and is the binary under test. The working directory
//!   is a fresh scratch directory in which `examples`, `completions` and `man` are the
//!   repository's, so paths read as from the repository root and files an example writes
//!   are thrown away.
//!   The environment is the harness's clean one (no `LIBVIRT_DEFAULT_URI`, no terminal).
//! * Every example runs a second time with `virtsh` standing for Debian's virsh (the
//!   oracle) and must print the same, which keeps the pages honest about compatibility.
//!   An example of something only virtsh has opts out with `virtsh-only` in the info
//!   string: ```` ```console virtsh-only ````.
//!
//! # Structure of a command page
//!
//! `commands/<keyword>.md` documents the commands that `virtsh help <keyword>` lists, each
//! under a `## name` heading, with the synopsis (the `SYNOPSIS` line of `virtsh help name`)
//! in the first fenced `text` block after the heading, every option of `help name`
//! mentioned, and at least one example. The tests check all of that, so a command that
//! gains an option or loses its page fails here.

mod pages;
mod readme;
mod scripts;
mod xml;

use crate::harness::{self, Output, Run, Sandbox};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Which program `virtsh` means in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    Virtsh,
    /// Debian's virsh, the compatibility oracle.
    Virsh,
}

impl Program {
    pub fn path(self) -> PathBuf {
        match self {
            Program::Virtsh => harness::virtsh_path(),
            Program::Virsh => harness::virsh_path(),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Program::Virtsh => "virtsh",
            Program::Virsh => "virsh (oracle)",
        }
    }
}

/// A sandbox laid out like the repository root: `examples` links to the real one, and
/// `bin/virtsh` is the program under test (or the oracle), first in `PATH`.
pub struct Scratch {
    pub sandbox: Sandbox,
    pub program: Program,
}

impl Scratch {
    pub fn new(label: &str, program: Program) -> Scratch {
        let sandbox = Sandbox::new(label);
        let s = Scratch { sandbox, program };
        s.reset();
        s
    }

    /// Empties the sandbox and lays it out again.
    pub fn reset(&self) {
        self.sandbox.reset();
        let bin = self.bin_dir();
        fs::create_dir_all(&bin).expect("create bin dir");
        std::os::unix::fs::symlink(self.program.path(), bin.join("virtsh")).expect("link virtsh");
        for dir in ["examples", "completions", "man"] {
            std::os::unix::fs::symlink(repo().join(dir), self.sandbox.work().join(dir))
                .unwrap_or_else(|e| panic!("link {dir}: {e}"));
        }
    }

    pub fn bin_dir(&self) -> PathBuf {
        self.sandbox.root.join("bin")
    }

    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = self.sandbox.base_env();
        for (k, v) in env.iter_mut() {
            if k == "PATH" {
                *v = format!("{}:{v}", self.bin_dir().display());
            }
        }
        env
    }

    /// Runs `sh -c COMMAND` in the scratch directory with extra environment.
    pub fn sh(&self, command: &str, extra_env: &[(&str, &str)]) -> Output {
        let mut env = self.env();
        env.extend(
            extra_env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let args = vec!["-c".to_string(), command.to_string()];
        self.run_retrying(Path::new("/bin/sh"), &args, &env)
    }

    /// Runs the program itself with these arguments.
    pub fn virtsh(&self, args: &[&str]) -> Output {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        self.run_retrying(&self.bin_dir().join("virtsh"), &args, &self.env())
    }

    /// virsh 9.0's save/managedsave sometimes never return (a race in its job-watch loop,
    /// see tests/diff), so the oracle gets a short timeout and a few retries.
    fn run_retrying(&self, program: &Path, args: &[String], env: &[(String, String)]) -> Output {
        let (timeout, tries) = match self.program {
            Program::Virtsh => (Duration::from_secs(60), 1),
            Program::Virsh => (Duration::from_secs(10), 6),
        };
        let mut last = None;
        for _ in 0..tries {
            let out = harness::run(&Run {
                program,
                args,
                env,
                stdin: None,
                cwd: &self.sandbox.work(),
                timeout,
                merge_stderr: false,
            });
            if !out.timed_out {
                return out;
            }
            last = Some(out);
        }
        last.unwrap()
    }
}

/// Lines of a program's stdout: split at `\n`, the final newline ending the last line.
pub fn lines_of(text: &str) -> Vec<String> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return vec![];
    }
    body.split('\n').map(str::to_string).collect()
}

/// Does an actual line match an expected one, where `…` stands for any text?
pub fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split('…').collect();
    if parts.len() == 1 {
        return expected == actual;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !actual.starts_with(first) || actual.len() < first.len() + last.len() {
        return false;
    }
    if !actual[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &actual[first.len()..actual.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

/// Do actual lines match expected ones, where a line that is only `…` stands for any
/// number of lines?
pub fn lines_match(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e == "…" => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((e, rest)) => match actual.split_first() {
            Some((a, arest)) => line_matches(e, a) && lines_match(rest, arest),
            None => false,
        },
    }
}

#[test]
fn ellipsis_matching() {
    assert!(line_matches("CPU time:       …", "CPU time:       12.5s"));
    assert!(line_matches("a…b…c", "a--b--c"));
    assert!(!line_matches("a…b…c", "a--c"));
    assert!(line_matches("…", ""));
    assert!(!line_matches("x", "y"));
    let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(lines_match(&l(&["a", "…", "z"]), &l(&["a", "b", "c", "z"])));
    assert!(lines_match(&l(&["a", "…", "z"]), &l(&["a", "z"])));
    assert!(!lines_match(&l(&["a", "…", "z"]), &l(&["a", "b"])));
    assert!(lines_match(&l(&["a", "…"]), &l(&["a"])));
    assert_eq!(lines_of("a\n\n"), vec!["a", ""]);
    assert_eq!(lines_of(""), Vec::<String>::new());
}
