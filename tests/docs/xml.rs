//! The example XML (`examples/xml/`) and the fleet node file (`examples/node/fleet.xml`):
//! each loads cleanly in virtsh and in the oracle, and both print the same about it.

use super::{repo, Program, Scratch};
use crate::harness::Output;
use std::fs;
use std::path::PathBuf;

fn xml_dir() -> PathBuf {
    repo().join("examples").join("xml")
}

/// The example files whose names start with `prefix`, sorted.
fn examples(prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(xml_dir())
        .expect("read examples/xml")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.starts_with(prefix) && n.ends_with(".xml"))
        .collect();
    v.sort();
    v
}

/// Text of the first `<name>` element.
fn name_in(path: &str) -> String {
    let text = fs::read_to_string(repo().join(path)).expect("read example");
    let start = text.find("<name>").expect("a <name>") + "<name>".len();
    let len = text[start..].find("</name>").expect("</name>");
    text[start..start + len].to_string()
}

/// Generated UUIDs (those not written in `input`) and the test driver's wall-clock CPU
/// time differ between runs; everything else must be equal.
fn normalise(text: &str, input: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with("CPU time:") {
            out.push_str("CPU time:       <N>s\n");
            continue;
        }
        if let Some(indent) = line.find("<creationTime>") {
            out.push_str(&line[..indent]);
            out.push_str("<creationTime><T></creationTime>\n");
            continue;
        }
        let mut line = line.to_string();
        let dashes: Vec<usize> = line.match_indices('-').map(|(i, _)| i).collect();
        // Right to left, so a replacement leaves the positions still to look at alone.
        for &i in dashes.iter().rev() {
            // `i` would be a UUID's first dash: 8-4-4-4-12 hex digits.
            if i < 8 || line.len() < i + 28 {
                continue;
            }
            let cand = &line.as_bytes()[i - 8..i + 28];
            let is_uuid = cand.iter().enumerate().all(|(k, c)| {
                if [8, 13, 18, 23].contains(&k) {
                    *c == b'-'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
            if is_uuid && !input.contains(&line[i - 8..i + 28]) {
                line.replace_range(i - 8..i + 28, "<UUID>");
            }
        }
        out.push_str(&line);
    }
    out
}

fn describe(o: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}--- stderr\n{}",
        o.status_text(),
        o.stdout_str(),
        o.stderr_str()
    )
}

/// Runs a command string through both programs; both must succeed, print nothing on
/// stderr and print the same stdout (after `normalise`). Returns virtsh's stdout.
fn same_in_both(label: &str, args: &[&str], input: &str) -> String {
    let mut outs = vec![];
    for program in [Program::Virtsh, Program::Virsh] {
        let scratch = Scratch::new(label, program);
        let out = scratch.virtsh(args);
        assert!(
            out.code == Some(0) && out.stderr.is_empty(),
            "{label}: {} failed on {args:?}: {}",
            program.name(),
            describe(&out)
        );
        outs.push(normalise(&out.stdout_str(), input));
    }
    assert_eq!(
        outs[0], outs[1],
        "{label}: virtsh (left) and the oracle (right) differ on {args:?}"
    );
    outs.remove(0)
}

#[test]
fn normaliser_replaces_only_generated_uuids() {
    let input = "<uuid>5f1c0e2a-7d4b-4c1e-9a57-2b6f3c8d9e01</uuid>";
    assert_eq!(
        normalise(
            "a 5f1c0e2a-7d4b-4c1e-9a57-2b6f3c8d9e01 b 172c1fb3-2460-4306-8c36-757019336717\n\
             CPU time:       3.5s\n",
            input
        ),
        "a 5f1c0e2a-7d4b-4c1e-9a57-2b6f3c8d9e01 b <UUID>\nCPU time:       <N>s\n"
    );
}

/// Kinds of example by file-name prefix, with the name of libvirt's schema for each.
const KINDS: &[(&str, &str)] = &[
    ("domain-", "domain"),
    ("pool-", "storagepool"),
    ("volume-", "storagevol"),
    ("snapshot-", "domainsnapshot"),
    ("checkpoint-", "domaincheckpoint"),
    ("backup-", "domainbackup"),
];

/// Every file in examples/xml is one of the kinds tested here.
#[test]
fn every_example_xml_is_tested() {
    let all = examples("");
    let known: Vec<String> = KINDS.iter().flat_map(|(p, _)| examples(p)).collect();
    assert_eq!(all.len(), known.len(), "untested files among {all:?}");
    for (prefix, _) in KINDS {
        assert!(!examples(prefix).is_empty(), "no {prefix}*.xml example");
    }
}

/// Every example is valid by libvirt's own RELAX NG schemas (virt-xml-validate, from the
/// oracle's package; it runs xmllint). This is the only check the backup examples get: the
/// test hypervisor runs no backups.
#[test]
fn every_example_validates_against_libvirts_schemas() {
    let validate = std::path::Path::new("/usr/bin/virt-xml-validate");
    assert!(
        validate.exists(),
        "virt-xml-validate is missing (apt-get install libvirt-clients libxml2-utils)"
    );
    let sandbox = crate::harness::Sandbox::new("validate");
    let mut report = String::new();
    for (prefix, schema) in KINDS {
        for file in examples(prefix) {
            let args = vec![
                xml_dir().join(&file).display().to_string(),
                schema.to_string(),
            ];
            let out = crate::harness::run(&crate::harness::Run {
                program: validate,
                args: &args,
                env: &sandbox.base_env(),
                stdin: None,
                cwd: &repo(),
                timeout: std::time::Duration::from_secs(60),
                merge_stderr: true,
            });
            if out.code != Some(0) {
                report += &format!("{file}: {}\n", describe(&out));
            }
        }
    }
    assert!(report.is_empty(), "\n{report}");
}

/// The snapshot and checkpoint examples, taken of the running web server, print the same
/// XML in both programs.
#[test]
fn snapshot_and_checkpoint_examples_create_alike() {
    for (prefix, noun) in [("snapshot-", "snapshot"), ("checkpoint-", "checkpoint")] {
        for file in examples(prefix) {
            let path = format!("examples/xml/{file}");
            let name = name_in(&path);
            let input = fs::read_to_string(repo().join(&path)).unwrap();
            let extra = if noun == "checkpoint" {
                " --no-domain"
            } else {
                ""
            };
            let script = format!(
                "define examples/xml/domain-web.xml; start web01; {noun}-create web01 {path}; \
                 {noun}-dumpxml web01 {name}{extra}; {noun}-info web01 {name}; {noun}-list web01 --name"
            );
            let out = same_in_both(&file, &["-c", "test:///default", &script], &input);
            assert!(
                out.contains(&format!("<name>{name}</name>")),
                "{file}: {out}"
            );
        }
    }
}

/// Each domain example defines, starts and describes itself the same in both programs.
#[test]
fn domain_examples_define_alike() {
    for file in examples("domain-") {
        let path = format!("examples/xml/{file}");
        let name = name_in(&path);
        let input = fs::read_to_string(repo().join(&path)).unwrap();
        let script = format!(
            "define {path}; dumpxml {name}; dominfo {name}; domblklist {name} --details; \
             domiflist {name}; start {name}; dumpxml {name}; dumpxml --inactive {name}; \
             domstate {name}"
        );
        let out = same_in_both(&file, &["-c", "test:///default", &script], &input);
        assert!(
            out.contains(&format!("<name>{name}</name>")),
            "{file}: {out}"
        );
    }
}

/// Does virtsh have this command yet?
fn virtsh_has(command: &str) -> bool {
    let scratch = Scratch::new("has", Program::Virtsh);
    scratch.virtsh(&["help", command]).code == Some(0)
}

/// The pool and volume examples: defined, started and filled in the oracle's test driver
/// (and compared with virtsh once virtsh has storage commands).
#[test]
fn pool_and_volume_examples_load() {
    let pool = examples("pool-");
    let vols = examples("volume-");
    let mut script = String::new();
    for p in &pool {
        let path = format!("examples/xml/{p}");
        let name = name_in(&path);
        script += &format!("pool-define {path}; pool-start {name}; pool-dumpxml {name}; ");
        for v in &vols {
            let vpath = format!("examples/xml/{v}");
            let vname = name_in(&vpath);
            script += &format!("vol-create {name} {vpath}; vol-dumpxml --pool {name} {vname}; ");
        }
        script += &format!("vol-list {name} --details; ");
    }
    let args = ["-c", "test:///default", script.as_str()];
    let out = if virtsh_has("pool-define") {
        same_in_both("pools", &args, "")
    } else {
        let scratch = Scratch::new("pools", Program::Virsh);
        let out = scratch.virtsh(&args);
        assert!(
            out.code == Some(0) && out.stderr.is_empty(),
            "the oracle refused a pool or volume example: {}",
            describe(&out)
        );
        out.stdout_str()
    };
    assert!(
        out.contains("<path>/var/lib/libvirt/images/golden-web.qcow2</path>"),
        "the qcow2 example lost its backing store:\n{out}"
    );
}

fn fleet_uri() -> String {
    format!(
        "test://{}",
        repo().join("examples/node/fleet.xml").display()
    )
}

/// The fleet loads in both programs, and they agree on what is in it.
#[test]
fn fleet_loads_alike() {
    let uri = fleet_uri();
    let input = fs::read_to_string(repo().join("examples/node/fleet.xml")).unwrap()
        + &fs::read_to_string(xml_dir().join("domain-web.xml")).unwrap()
        + &fs::read_to_string(xml_dir().join("domain-db.xml")).unwrap();
    let out = same_in_both(
        "fleet",
        &[
            "-c",
            &uri,
            "list --all; list --all --title; list --all --managed-save; \
             list --transient --all; list --persistent --inactive --name; \
             list --state-paused --uuid; nodeinfo; dominfo legacy-crm; dominfo ci-runner-1; \
             domblklist db01 --details; domiflist db02; desc golden-web; \
             dumpxml --inactive golden-web",
        ],
        &input,
    );
    let list: Vec<&str> = out.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(list.len(), 2 + 12, "twelve domains in the fleet:\n{out}");
    for state in ["running", "paused", "shut off"] {
        assert!(
            list.iter().any(|l| l.contains(state)),
            "no domain {state}:\n{out}"
        );
    }
    assert!(out.contains(" legacy-crm    saved"), "managed save:\n{out}");
}
