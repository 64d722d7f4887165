//! The generated files (`completions/`, `man/`) and the completion they give.
//!
//! * The committed copies equal what the binary generates now
//!   (`scripts/regenerate.sh` rewrites them).
//! * The scripts complete in real shells: bash and zsh on a pseudo-terminal,
//!   TAB pressed and the completed line run; fish through `complete -C`, its
//!   own way of asking for completions. zsh and fish must be installed
//!   (`scripts/test-all.sh` installs them).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::harness::{self, Run, Sandbox};
use crate::interactive::Terminal;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs virtsh with `args` in a clean environment; its stdout.
fn virtsh(args: &[&str]) -> harness::Output {
    let sandbox = Sandbox::new("generated");
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    harness::run(&Run {
        program: &harness::virtsh_path(),
        args: &args,
        env: &sandbox.base_env(),
        stdin: None,
        cwd: &sandbox.work(),
        timeout: Duration::from_secs(20),
        merge_stderr: false,
    })
}

#[test]
fn committed_files_are_what_the_binary_generates() {
    let files: [(&str, &[&str]); 4] = [
        (
            "completions/virtsh.bash",
            &["__generate", "completions", "bash"],
        ),
        ("completions/_virtsh", &["__generate", "completions", "zsh"]),
        (
            "completions/virtsh.fish",
            &["__generate", "completions", "fish"],
        ),
        ("man/virtsh.1", &["__generate", "man"]),
    ];
    let mut stale = Vec::new();
    for (path, args) in files {
        let out = virtsh(args);
        assert_eq!(
            out.code,
            Some(0),
            "virtsh {}: {}",
            args.join(" "),
            out.stderr_str()
        );
        let committed = std::fs::read(repo().join(path)).unwrap_or_default();
        if committed != out.stdout {
            stale.push(format!("  {path}  (virtsh {})", args.join(" ")));
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are stale; run scripts/regenerate.sh and commit them:\n{}",
        stale.join("\n")
    );
}

#[test]
fn complete_prints_candidates_and_never_an_error() {
    let out = virtsh(&[
        "__complete",
        "--shell=fish",
        "--",
        "virtsh -c test:///default dominfo t",
    ]);
    assert_eq!(
        (out.code, out.stdout_str(), out.stderr_str()),
        (Some(0), "test\n".into(), String::new())
    );
    // An unreachable hypervisor: no names, no error, options still offered.
    let out = virtsh(&[
        "__complete",
        "--shell=bash",
        "--word=",
        "--",
        "virtsh -c nosuch:///x dominfo ",
    ]);
    assert_eq!(
        (out.code, out.stdout_str(), out.stderr_str()),
        (Some(0), "--domain \n".into(), String::new())
    );
    // Words instead of one line are joined.
    let out = virtsh(&[
        "__complete",
        "--",
        "virtsh",
        "shutdown",
        "test",
        "--mode",
        "a",
    ]);
    assert_eq!(out.stdout_str(), "acpi\nagent\n");
}

/// The directory of the virtsh under test, first in `PATH`.
fn path_with_virtsh() -> String {
    let bin = harness::virtsh_path();
    let dir = bin.parent().expect("binary directory");
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn require(shell: &str) -> PathBuf {
    for dir in ["/usr/bin", "/bin", "/usr/local/bin"] {
        let path = Path::new(dir).join(shell);
        if path.exists() {
            return path;
        }
    }
    panic!("{shell} is not installed: the completion tests run it (apt-get install -y {shell}; scripts/test-all.sh does)");
}

/// A node file whose domains exist only through `-c`, to show that
/// completion asks the connection the line names.
fn node_uri() -> String {
    format!(
        "test://{}",
        harness::data_dir().join("node").join("basic.xml").display()
    )
}

/// What a person does in bash or zsh: TAB for commands, options, fixed
/// choices and names, then run the completed line; what it prints shows
/// what was completed. `list` are the keys that list candidates (bash: a
/// second TAB; zsh lists on the first).
fn complete_and_run(term: &mut Terminal, list: &str) {
    // A command name, then a live domain name.
    term.type_keys("virtsh -c test:///default domin\tte\t\r");
    term.expect("Name:           test\n");

    // Names come from the connection -c names (basic.xml has `web`).
    term.type_keys(&format!("virtsh -c {} dominfo w\t\r", node_uri()));
    term.expect("Name:           web\n");

    // An option, then its fixed choices listed, then one of them: the test
    // driver refuses the acpi mode (flag 0x1) as libvirt's does.
    term.type_keys(&format!(
        "virtsh -c test:///default shutdown test --mo\ta{list}"
    ));
    term.expect("acpi");
    term.expect("agent");
    term.type_keys("c\t\r");
    term.expect("error: unsupported flags (0x1) in function testDomainShutdownFlags\n");

    // A global option's value after `=`.
    term.type_keys("virtsh --connect=test:///def\turi\r");
    term.expect("test:///default\n");
}

#[test]
fn bash_completes_through_virtsh() {
    let bash = require("bash");
    let sandbox = Sandbox::new("complete-bash");
    let path = path_with_virtsh();
    let mut term = Terminal::start_program(
        &sandbox,
        &bash,
        &["--norc", "--noprofile", "-i"],
        &[("PATH", &path)],
    );
    let script = repo().join("completions/virtsh.bash");
    term.type_keys(&format!("PS1='$ '; source {}\r", script.display()));
    complete_and_run(&mut term, "\t\t");
    term.type_keys("exit\r");
}

#[test]
fn zsh_completes_through_virtsh() {
    let zsh = require("zsh");
    let sandbox = Sandbox::new("complete-zsh");
    let path = path_with_virtsh();
    let mut term = Terminal::start_program(&sandbox, &zsh, &["-f", "-i"], &[("PATH", &path)]);
    // As installed: _virtsh in a directory of $fpath, then compinit.
    term.type_keys(&format!(
        "PS1='$ '; fpath=({} $fpath); autoload -Uz compinit; compinit -u -D\r",
        repo().join("completions").display()
    ));
    complete_and_run(&mut term, "\t");
    // Commands are listed with what they do.
    term.type_keys("virtsh domi\t");
    term.expect(&format!("dominfo    -- {}", virtsh_help_summary("dominfo")));
    term.type_keys("\x15exit\r");
}

/// Candidates fish offers for `line`, as `complete -C` prints them.
fn fish_candidates(line: &str) -> Vec<String> {
    let fish = require("fish");
    let sandbox = Sandbox::new("complete-fish");
    let script = repo().join("completions/virtsh.fish");
    let args = vec![
        "--no-config".to_string(),
        "-c".to_string(),
        "source $argv[1]; complete -C $argv[2]".to_string(),
        script.display().to_string(),
        line.to_string(),
    ];
    let mut env = sandbox.base_env();
    env.retain(|(k, _)| k != "PATH");
    env.push(("PATH".to_string(), path_with_virtsh()));
    let out = harness::run(&Run {
        program: &fish,
        args: &args,
        env: &env,
        stdin: None,
        cwd: &sandbox.work(),
        timeout: Duration::from_secs(20),
        merge_stderr: false,
    });
    assert_eq!(out.code, Some(0), "fish: {}", out.stderr_str());
    assert_eq!(out.stderr_str(), "", "fish printed errors");
    out.stdout_str().lines().map(str::to_string).collect()
}

#[test]
fn fish_completes_through_virtsh() {
    let summary = |name: &str| format!("{name}\t{}", virtsh_help_summary(name));
    assert_eq!(
        fish_candidates("virtsh domi"),
        vec![summary("domid"), summary("domiflist"), summary("dominfo")]
    );
    assert_eq!(
        fish_candidates("virtsh -c test:///default dominfo t"),
        vec!["test"]
    );
    assert_eq!(
        fish_candidates(&format!("virtsh -c {} dominfo w", node_uri())),
        vec!["web"]
    );
    assert_eq!(
        fish_candidates("virtsh shutdown test --mode a"),
        vec!["acpi", "agent"]
    );
    assert_eq!(
        fish_candidates("virtsh --connect=test:///d"),
        vec!["--connect=test:///default"]
    );
    let options = fish_candidates("virtsh list --ina");
    assert_eq!(options.len(), 1);
    assert!(options[0].starts_with("--inactive\t"), "{options:?}");
}

/// A command's one-line summary, as `virtsh help` lists it.
fn virtsh_help_summary(name: &str) -> String {
    let out = virtsh(&["help", name]);
    let text = out.stdout_str();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{name} - ")))
        .expect("NAME line");
    line.trim_start()[name.len() + 3..].to_string()
}

/// libvirt's own bash completion for virsh (package libvirt-clients) asks
/// `PROGRAM [-c URI] complete -- WORDS…`; registered for virtsh, it
/// completes commands, options, choices and live names through virtsh.
#[test]
fn libvirts_bash_completion_works_for_virtsh() {
    let bash = require("bash");
    let library = Path::new("/usr/share/bash-completion/bash_completion");
    let script = Path::new("/usr/share/bash-completion/completions/virsh");
    for needed in [library, script] {
        assert!(
            needed.exists(),
            "{} is missing (apt-get install -y bash-completion libvirt-clients; scripts/test-all.sh does)",
            needed.display()
        );
    }
    let sandbox = Sandbox::new("complete-libvirt-bash");
    let path = path_with_virtsh();
    let mut term = Terminal::start_program(
        &sandbox,
        &bash,
        &["--norc", "--noprofile", "-i"],
        &[("PATH", &path)],
    );
    term.type_keys(&format!(
        "PS1='$ '; source {}; source {}; complete -F _virsh_complete virtsh\r",
        library.display(),
        script.display()
    ));
    // A command name, then a live domain name from the connection -c names.
    term.type_keys("virtsh -c test:///default domin\tte\t\r");
    term.expect("Name:           test\n");
    term.type_keys(&format!("virtsh -c {} domuuid w\t\r", node_uri()));
    term.expect("a1b2c3d4-0000-4000-8000-000000000001\n");
    // An option name, then a fixed choice.
    term.type_keys("virtsh -c test:///default shutdown test --mo\tagen\t\r");
    term.expect("error: unsupported flags (0x2) in function testDomainShutdownFlags\n");
    // Only the domains the command can act on: of saved, sleeper and
    // stopping, `start` offers the one shut off.
    term.type_keys(&format!("virtsh -c {} start s\t\r", node_uri()));
    term.expect("Domain 'saved' started\n");
    term.type_keys("exit\r");
}
