//! The fuzz smoke run, part of the normal test suite: for every target, each
//! input under fuzz/regressions/TARGET replays clean, then a short fuzzing
//! run from the committed seeds finds nothing. A failure names the input.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Seconds of fuzzing per target.
const SECONDS: &str = "2";

fn fuzz_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn virtsh_fuzz(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_virtsh-fuzz"))
        .args(args)
        .output()
        .expect("virtsh-fuzz runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn smoke(target: &str) {
    let regressions = fuzz_dir().join("regressions").join(target);
    if regressions.is_dir() {
        let (ok, text) = virtsh_fuzz(&["repro", target, regressions.to_str().unwrap()]);
        let failed: Vec<&str> = text.lines().filter(|l| !l.starts_with("ok: ")).collect();
        assert!(
            ok,
            "{target}: regressions fail again:\n{}",
            failed.join("\n")
        );
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("fuzz-smoke")
        .join(target);
    let _ = std::fs::remove_dir_all(&work);
    let corpus = work.join("corpus");
    let findings = work.join("findings");
    let (ok, text) = virtsh_fuzz(&[
        "run",
        target,
        "--seconds",
        SECONDS,
        "--corpus",
        corpus.to_str().unwrap(),
        "--findings",
        findings.to_str().unwrap(),
    ]);
    assert!(
        ok,
        "{target}: the smoke run found failures (inputs saved as named):\n{text}"
    );
    assert!(text.contains(" execs ("), "{target}: no summary:\n{text}");
}

macro_rules! smoke_tests {
    ($($test:ident => $target:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                smoke($target);
            }
        )*

        #[test]
        fn every_target_has_a_smoke_run() {
            let (ok, text) = virtsh_fuzz(&["list"]);
            assert!(ok, "{text}");
            let listed: Vec<&str> = text.lines().filter_map(|l| l.split_whitespace().next()).collect();
            assert_eq!(listed, [$($target),*]);
        }
    };
}

smoke_tests!(
    xml => "xml",
    domain => "domain",
    snapshot => "snapshot",
    checkpoint => "checkpoint",
    backup => "backup",
    node => "node",
    lexer => "lexer",
    options => "options",
    uri => "uri",
    units => "units",
    xpath => "xpath",
    libvirt_conf => "libvirt_conf",
    auth_conf => "auth_conf",
    command => "command",
);

#[test]
fn a_regression_directory_names_a_target() {
    let Ok(entries) = std::fs::read_dir(fuzz_dir().join("regressions")) else {
        return;
    };
    let (_, list) = virtsh_fuzz(&["list"]);
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            list.lines()
                .any(|l| l.split_whitespace().next() == Some(name.as_str())),
            "fuzz/regressions/{name} is not a target's name"
        );
    }
}

#[test]
fn each_kind_of_failure_is_caught_and_named() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-selftest");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("fine", None),
        ("panic", Some("panic: ")),
        ("stack", Some("overflowed its stack")),
        ("abort", Some("crash: killed by signal 6")),
        ("slow", Some("slow: 4 bytes took")),
        ("memory", Some("memory: 6 bytes held 512 MiB")),
    ];
    for (input, _) in cases {
        std::fs::write(dir.join(input), input).unwrap();
    }
    let (ok, text) = virtsh_fuzz(&["repro", "selftest", dir.to_str().unwrap()]);
    assert!(!ok, "{text}");
    for (input, expected) in cases {
        let line = text
            .lines()
            .find(|l| l.ends_with(&format!("/{input}")) || l.contains(&format!("/{input} (")))
            .unwrap_or_else(|| panic!("no line for {input}:\n{text}"));
        match expected {
            None => assert!(line.starts_with("ok: "), "{line}"),
            Some(what) => assert!(
                line.starts_with("FAILED: ") && line.contains(what),
                "{input}: {line}"
            ),
        }
    }
    assert!(!virtsh_fuzz(&["list"]).1.contains("selftest"));
}
