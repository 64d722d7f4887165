//! What a new user meets in the first minutes, where virsh has no answer to
//! compare with: a virsh command virtsh does not have yet, virtsh's own
//! options after the command name, and what `version`, `--version` and `-V`
//! say (and what scripts parse from them).

use crate::harness::{self, Output, Run, Sandbox};
use std::collections::BTreeSet;

fn virtsh(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let sandbox = Sandbox::new("first-steps");
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    harness::run(&Run {
        program: &harness::virtsh_path(),
        args: &args,
        env: &sandbox.base_env(),
        stdin,
        cwd: &sandbox.work(),
        timeout: std::time::Duration::from_secs(30),
        merge_stderr: false,
    })
}

/// The command names `help` lists.
fn listed(out: &Output) -> BTreeSet<String> {
    out.stdout_str()
        .lines()
        .filter(|l| l.starts_with("    "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

fn not_yet(name: &str) -> String {
    format!("error: command '{name}' exists in virsh but not yet in virtsh\n")
}

#[test]
fn a_virsh_command_virtsh_lacks_says_so() {
    let out = virtsh(&["net-list", "--all"], None);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stdout_str(), "");
    assert_eq!(out.stderr_str(), not_yet("net-list"));

    // Like any unknown command, it stops a command string before anything runs.
    let out = virtsh(&["echo a; domstats; echo b"], None);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stdout_str(), "");
    assert_eq!(out.stderr_str(), not_yet("domstats"));

    let out = virtsh(&["help", "vol-list"], None);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stderr_str(), not_yet("vol-list"));
}

/// Every command of `virsh help` is either one virtsh has, or one it says
/// it does not have yet: never "unknown".
#[test]
fn every_virsh_command_is_known() {
    let virsh_help = harness::run(&Run {
        program: &harness::virsh_path(),
        args: &["help".to_string()],
        env: &Sandbox::new("first-steps-virsh").base_env(),
        stdin: None,
        cwd: &std::env::temp_dir(),
        timeout: std::time::Duration::from_secs(30),
        merge_stderr: false,
    });
    let virsh_names = listed(&virsh_help);
    assert!(
        virsh_names.len() > 200,
        "virsh help lists {}",
        virsh_names.len()
    );
    let ours = listed(&virtsh(&["help"], None));
    let missing: Vec<&String> = virsh_names.difference(&ours).collect();
    assert!(!missing.is_empty());
    // One interactive run reads them all; each line fails on its own.
    let input: String = missing.iter().map(|n| format!("{n}\n")).collect();
    let out = virtsh(&["-q"], Some(input.as_bytes()));
    let expected: String = missing.iter().map(|n| not_yet(n)).collect();
    assert_eq!(out.stderr_str(), expected);
    let extra: Vec<&String> = ours.difference(&virsh_names).collect();
    assert!(extra.is_empty(), "commands virsh does not have: {extra:?}");
}

#[test]
fn json_and_color_may_follow_the_command() {
    let before = virtsh(&["--json", "-c", "test:///default", "list", "--all"], None);
    let after = virtsh(&["-c", "test:///default", "list", "--all", "--json"], None);
    assert_eq!(after.code, Some(0), "{}", after.stderr_str());
    assert!(
        after.stdout_str().starts_with("[\n"),
        "{}",
        after.stdout_str()
    );
    assert_eq!(before, after);

    // In a command string it applies to its own command only.
    let out = virtsh(
        &[
            "-c",
            "test:///default",
            "domstate test --json; domstate test",
        ],
        None,
    );
    assert_eq!(
        out.stdout_str(),
        "{\n  \"state\": \"running\",\n  \"reason\": \"unknown\"\n}\nrunning\n\n"
    );
    // Its errors are JSON too.
    let out = virtsh(
        &["-c", "test:///default", "dominfo", "nosuch", "--json"],
        None,
    );
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr_str().starts_with("{\"error\":"),
        "{}",
        out.stderr_str()
    );

    let always = virtsh(&["-c", "test:///default", "list", "--color=always"], None);
    assert!(
        always.stdout_str().starts_with("\x1b[1m Id"),
        "{:?}",
        always.stdout_str()
    );
    let never = virtsh(
        &[
            "--color=always",
            "-c",
            "test:///default",
            "list",
            "--color=never",
        ],
        None,
    );
    assert!(
        never.stdout_str().starts_with(" Id"),
        "{:?}",
        never.stdout_str()
    );

    let out = virtsh(&["-c", "test:///default", "list", "--color=blue"], None);
    assert_eq!(out.code, Some(1));
    assert_eq!(
        out.stderr_str(),
        "error: invalid argument 'blue' for '--color': use auto, always or never\n"
    );
}

/// `version` says which virtsh it is and claims no libvirt library, while the
/// patterns scripts use on virsh's output still find the libvirt version.
#[test]
fn version_names_virtsh_and_keeps_what_scripts_parse() {
    let own = env!("CARGO_PKG_VERSION");
    let out = virtsh(&["-c", "test:///default", "version"], None);
    assert_eq!(out.code, Some(0));
    let text = out.stdout_str();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!("virtsh {own} implementing library: libvirt 9.0.0")
    );
    assert_eq!(lines[1], "Using library: built-in 9.0.0");
    assert!(!text.contains("Compiled against") && !text.contains("Using library: libvirt"));
    // awk '/Using library/{print $4}'
    let using = lines.iter().find(|l| l.contains("Using library")).unwrap();
    assert_eq!(using.split_whitespace().nth(3), Some("9.0.0"));
    // grep libvirt | awk '{print $(NF)}' | tail -n 1
    let last = lines.iter().rfind(|l| l.contains("libvirt")).unwrap();
    assert_eq!(last.split_whitespace().last(), Some("9.0.0"));
    // head -1 | grep -o libvirt
    assert!(lines[0].contains("libvirt"));
    // grep hypervisor | awk '{print $(NF)}'
    let hv = lines.iter().find(|l| l.contains("hypervisor")).unwrap();
    assert_eq!(*hv, "Running hypervisor: TEST 0.0.2");

    assert_eq!(virtsh(&["--version"], None).stdout_str(), "9.0.0\n");
    assert_eq!(virtsh(&["-v"], None).stdout_str(), "9.0.0\n");
    let long = virtsh(&["-V"], None).stdout_str();
    assert!(
        long.starts_with(&format!(
            "virtsh {own}, compatible with virsh of libvirt 9.0.0\n"
        )),
        "{long}"
    );
}
