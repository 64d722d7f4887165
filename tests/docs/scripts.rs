//! The example scripts (`examples/scripts/`): shellcheck-clean POSIX sh, run against the
//! fleet node file and `test:///default` through virtsh and through the oracle (the
//! scripts call `virtsh`, which the scratch `PATH` resolves to one or the other), with
//! the same output from both and the intended result.

use super::{lines_of, repo, Program, Scratch};
use crate::harness::{self, Output, Run};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::Duration;

const FLEET: &str = "\"test://$PWD/examples/node/fleet.xml\"";

fn describe(o: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}--- stderr\n{}",
        o.status_text(),
        o.stdout_str(),
        o.stderr_str()
    )
}

/// Runs a shell command line through both programs; both must exit 0 and print the same
/// stdout and stderr. Returns virtsh's output.
fn run_in_both(label: &str, command: &str, env: &[(&str, &str)]) -> Output {
    let mut outs = vec![];
    for program in [Program::Virtsh, Program::Virsh] {
        let scratch = Scratch::new(label, program);
        let out = scratch.sh(command, env);
        assert_eq!(
            out.code,
            Some(0),
            "{label} through {}: {}",
            program.name(),
            describe(&out)
        );
        outs.push(out);
    }
    assert_eq!(
        (outs[0].stdout_str(), outs[0].stderr_str()),
        (outs[1].stdout_str(), outs[1].stderr_str()),
        "{label}: virtsh (left) and the oracle (right) differ"
    );
    outs.remove(0)
}

/// The nightly script's output: per domain (a `NAME:` line), the lines after it.
fn blocks(stdout: &str) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current = None;
    for line in lines_of(stdout) {
        if let Some(dom) = line.strip_suffix(':') {
            current = Some(dom.to_string());
            map.entry(dom.to_string()).or_default();
        } else if let Some(dom) = &current {
            if !line.is_empty() {
                map.get_mut(dom).unwrap().push(line);
            }
        }
    }
    map
}

/// The snapshot names a block ends with (what `snapshot-list --name` printed).
fn kept(block: &[String]) -> Vec<&str> {
    block
        .iter()
        .filter(|l| !l.starts_with("Domain snapshot "))
        .map(String::as_str)
        .collect()
}

#[test]
fn scripts_are_shellcheck_clean() {
    let shellcheck = Path::new("/usr/bin/shellcheck");
    assert!(
        shellcheck.exists(),
        "shellcheck is not installed (apt-get install -y shellcheck; scripts/test-all.sh does)"
    );
    let sandbox = harness::Sandbox::new("shellcheck");
    let dir = repo().join("examples/scripts");
    let mut scripts: Vec<String> = fs::read_dir(&dir)
        .expect("read examples/scripts")
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".sh"))
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 2, "{scripts:?}");
    let mut args = vec!["--shell=sh".to_string(), "--severity=style".to_string()];
    args.extend(scripts);
    let out = harness::run(&Run {
        program: shellcheck,
        args: &args,
        env: &sandbox.base_env(),
        stdin: None,
        cwd: &repo(),
        timeout: Duration::from_secs(60),
        merge_stderr: false,
    });
    assert_eq!(out.code, Some(0), "shellcheck: {}", describe(&out));
}

#[test]
fn scripts_print_their_usage() {
    let scratch = Scratch::new("usage", Program::Virtsh);
    for script in ["nightly-snapshots.sh", "clone-golden.sh"] {
        let out = scratch.sh(&format!("sh examples/scripts/{script} -h"), &[]);
        assert_eq!(out.code, Some(2), "{script} -h: {}", describe(&out));
        assert!(
            out.stderr_str().starts_with(&format!("usage: {script} ")),
            "{script}: {}",
            describe(&out)
        );
    }
}

/// Rotation on the fleet keeping 3: every running domain gets tonight's snapshot, web02
/// (five older nightly snapshots) loses its three oldest, and db02's hand-made snapshots
/// stay.
#[test]
fn nightly_snapshots_rotate() {
    let out = run_in_both(
        "nightly",
        &format!("sh examples/scripts/nightly-snapshots.sh -c {FLEET} -k 3 -t 2024-05-06"),
        &[],
    );
    let stdout = out.stdout_str();
    assert!(out.stderr.is_empty(), "{}", describe(&out));
    let blocks = blocks(&stdout);
    let running = [
        "web01",
        "db01",
        "web02",
        "web03",
        "db02",
        "mail01",
        "ci-runner-1",
    ];
    assert_eq!(
        blocks.keys().map(String::as_str).collect::<Vec<_>>(),
        {
            let mut r = running.to_vec();
            r.sort();
            r
        },
        "one block per running domain:\n{stdout}"
    );
    for dom in running {
        let block = &blocks[dom];
        assert!(
            block.contains(&"Domain snapshot nightly-2024-05-06 created".to_string()),
            "{dom}: {block:?}"
        );
    }
    assert_eq!(
        kept(&blocks["web02"]),
        [
            "nightly-2024-05-04",
            "nightly-2024-05-05",
            "nightly-2024-05-06"
        ],
        "web02 keeps the newest three:\n{stdout}"
    );
    for old in ["01", "02", "03"] {
        assert!(
            blocks["web02"].contains(&format!("Domain snapshot nightly-2024-05-{old} deleted")),
            "{stdout}"
        );
    }
    assert_eq!(
        kept(&blocks["db02"]),
        [
            "before-pg16",
            "nightly-2024-05-06",
            "pg16",
            "pre-vacuum",
            "schema-v42"
        ],
        "db02's own snapshots stay:\n{stdout}"
    );
    assert_eq!(kept(&blocks["web01"]), ["nightly-2024-05-06"]);
}

/// A second run on the same day creates nothing for web02 (it has 2024-05-05 already) but
/// still rotates; the URI comes from VIRTSH_DEFAULT_URI.
#[test]
fn nightly_snapshots_twice_a_day() {
    let uri = format!(
        "test://{}",
        repo().join("examples/node/fleet.xml").display()
    );
    let out = run_in_both(
        "nightly-again",
        "sh examples/scripts/nightly-snapshots.sh -k 2 -t 2024-05-05",
        &[("VIRTSH_DEFAULT_URI", &uri)],
    );
    let stdout = out.stdout_str();
    assert_eq!(
        out.stderr_str(),
        "web02: nightly-2024-05-05 exists already\n",
        "{}",
        describe(&out)
    );
    let blocks = blocks(&stdout);
    assert_eq!(
        kept(&blocks["web02"]),
        ["nightly-2024-05-04", "nightly-2024-05-05"],
        "{stdout}"
    );
    assert!(
        !blocks["web02"].iter().any(|l| l.ends_with(" created")),
        "{stdout}"
    );
    assert_eq!(kept(&blocks["mail01"]), ["nightly-2024-05-05"], "{stdout}");
}

/// `-n` prints the command string it would run, one command a line.
#[test]
fn nightly_snapshots_dry_run() {
    let out = run_in_both(
        "nightly-dry",
        "sh examples/scripts/nightly-snapshots.sh -c test:///default -k 1 -t 2024-05-06 -n",
        &[],
    );
    assert_eq!(
        out.stdout_str(),
        "echo 'test:'\n\
         snapshot-create-as --domain 'test' --name 'nightly-2024-05-06' --description 'nightly snapshot'\n\
         snapshot-list 'test' --name\n"
    );
}

/// Three clones of the fleet's golden domain take the next free names (web01..web03 are
/// taken), and run.
#[test]
fn clone_golden_on_the_fleet() {
    let out = run_in_both(
        "clone-fleet",
        &format!("sh examples/scripts/clone-golden.sh -c {FLEET} golden-web 3"),
        &[],
    );
    let stdout = out.stdout_str();
    assert!(out.stderr.is_empty(), "{}", describe(&out));
    for (id, name) in [(10, "web04"), (11, "web05"), (12, "web06")] {
        assert!(
            stdout.contains(&format!("Domain '{name}' defined from {name}.xml\n")),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!(" {id}   {name}         running\n")),
            "{name} runs:\n{stdout}"
        );
    }
    assert!(!stdout.contains("web07"), "{stdout}");
}

/// On test:///default the clones of `test` are test01 and test02; the clones' XML (kept
/// with -n) has no UUID, MAC, title or description of the golden domain, and its disk
/// follows the clone's name.
#[test]
fn clone_golden_on_the_default_host() {
    let out = run_in_both(
        "clone-default",
        "sh examples/scripts/clone-golden.sh -c test:///default test 2",
        &[],
    );
    let stdout = out.stdout_str();
    assert!(
        stdout.ends_with(
            " Id   Name     State\n\
             ------------------------\n \
             1    test     running\n \
             2    test01   running\n \
             3    test02   running\n\n"
        ),
        "{stdout}"
    );

    let scratch = Scratch::new("clone-dry", Program::Virtsh);
    let out = scratch.sh(
        "sh examples/scripts/clone-golden.sh -c \"test://$PWD/examples/node/fleet.xml\" -n \
         golden-web 1",
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", describe(&out));
    let stdout = out.stdout_str();
    let dir = stdout
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# in "))
        .and_then(|l| l.strip_suffix(':'))
        .unwrap_or_else(|| panic!("no directory in {stdout}"));
    assert!(
        stdout.ends_with("define web04.xml\nstart web04\nlist\n"),
        "{stdout}"
    );
    let xml = fs::read_to_string(Path::new(dir).join("web04.xml")).expect("clone XML");
    for gone in ["<uuid>", "<mac ", "<title>", "<description>", "golden"] {
        assert!(!xml.contains(gone), "{gone} left in the clone:\n{xml}");
    }
    assert!(xml.contains("<name>web04</name>"), "{xml}");
    assert!(
        xml.contains("<source file='/var/lib/libvirt/images/web04.qcow2'/>"),
        "{xml}"
    );
}
