//! `README.md` runs as printed. Its `console` blocks are examples with their output, run as
//! the command pages' are (through virsh too, unless `virtsh-only`). Its `sh` blocks are
//! commands a reader pastes: each line (without its `# comment`) runs in a scratch
//! directory laid out like the repository, with `HOME` in the sandbox, and must succeed
//! without a word on stderr. Lines that build, test or benchmark the project itself are
//! what CI does around this test, and are recognised rather than run: `cargo run … -- ARGS`
//! runs as `virtsh ARGS`; `cargo install`, `cargo test`, `cargo bench`,
//! `scripts/test-all.sh` and the fuzzing commands (`scripts/fuzz.sh`, the fuzzer's own
//! binary) are only checked to be written as this repository spells them.

use super::pages::{parse_page, run_examples_of};
use super::{repo, Program, Scratch};
use std::fmt::Write as _;
use std::fs;

/// A line of an `sh` block, and where it is.
struct ShellLine {
    line: usize,
    command: String,
}

/// The commands of every `sh` block, comments and blank lines left out.
fn shell_lines(text: &str) -> Vec<ShellLine> {
    let mut found = Vec::new();
    let mut in_sh = false;
    for (i, line) in text.lines().enumerate() {
        if let Some(info) = line.strip_prefix("```") {
            in_sh = !in_sh && info.trim() == "sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let command = strip_comment(line).trim().to_string();
        if !command.is_empty() {
            found.push(ShellLine {
                line: i + 1,
                command,
            });
        }
    }
    found
}

/// A line without its trailing `# comment` (a `#` that starts a word, outside quotes).
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return &line[..i],
            _ => {}
        }
        previous = c;
    }
    line
}

/// How the test treats a line of an `sh` block.
enum Treatment {
    /// Run it with `sh -c`.
    Run(String),
    /// Written as the repository spells it; what it does is CI's job.
    Recognised,
    Unknown,
}

fn treatment(command: &str) -> Treatment {
    const PROJECT_COMMANDS: &[&str] = &[
        "cargo install --path .",
        "cargo test",
        "cargo bench --bench compare",
        "cargo bench --bench adversarial",
        "scripts/test-all.sh",
        // Fuzzing runs for minutes; the suite runs every target briefly itself.
        "scripts/fuzz.sh",
        "target/fuzz/build/",
    ];
    if let Some(args) = command
        .strip_prefix("cargo run --release -- ")
        .or_else(|| command.strip_prefix("cargo run -- "))
    {
        return Treatment::Run(format!("virtsh {args}"));
    }
    if PROJECT_COMMANDS.iter().any(|p| command.starts_with(p)) {
        return Treatment::Recognised;
    }
    let first = command.split_whitespace().next().unwrap_or("");
    match first {
        "virtsh" | "printf" | "mkdir" | "cp" | "man" | "LIBVIRT_DEFAULT_URI=test:///default" => {
            Treatment::Run(command.to_string())
        }
        // A line for ~/.bashrc: bash's own words.
        "source" => Treatment::Run(format!("bash -c '{}'", command.replace('\'', "'\\''"))),
        _ => Treatment::Unknown,
    }
}

#[test]
fn shell_line_parsing() {
    let text =
        "x\n```sh\ncargo run -- -c u   # comment\n\n# only\nprintf 'a # b\\n' | virtsh\n```\n\
                ```console\n$ no\n```\n";
    let lines = shell_lines(text);
    let commands: Vec<&str> = lines.iter().map(|l| l.command.as_str()).collect();
    assert_eq!(
        commands,
        ["cargo run -- -c u", "printf 'a # b\\n' | virtsh"]
    );
    assert_eq!(lines[0].line, 3);
    assert!(matches!(treatment("cargo run -- -c u"), Treatment::Run(c) if c == "virtsh -c u"));
    assert!(matches!(
        treatment("scripts/test-all.sh"),
        Treatment::Recognised
    ));
    assert!(matches!(treatment("rm -rf /"), Treatment::Unknown));
}

#[test]
fn readme_runs_as_printed() {
    let text = fs::read_to_string(repo().join("README.md")).expect("read README.md");
    let mut report = String::new();

    let page = parse_page(&text).unwrap_or_else(|e| panic!("README.md: {e}"));
    let (examples, oracle) = page.examples();
    assert!(examples > 0, "README.md has no console examples");
    report += &run_examples_of("README.md", &page, Program::Virtsh);
    if oracle {
        report += &run_examples_of("README.md", &page, Program::Virsh);
    }

    let lines = shell_lines(&text);
    assert!(!lines.is_empty(), "README.md has no sh blocks");
    let scratch = Scratch::new("readme-sh", Program::Virtsh);
    for l in &lines {
        let command = match treatment(&l.command) {
            Treatment::Run(c) => c,
            Treatment::Recognised => continue,
            Treatment::Unknown => {
                let _ = writeln!(
                    report,
                    "README.md:{}: `{}`: this test does not know how to run it",
                    l.line, l.command
                );
                continue;
            }
        };
        let out = scratch.sh(&command, &[]);
        if out.code != Some(0) || !out.stderr.is_empty() {
            let _ = writeln!(
                report,
                "README.md:{}: `{}`: {}; stderr: {:?}",
                l.line,
                l.command,
                out.status_text(),
                out.stderr_str()
            );
        }
    }
    // The completion install lines leave the scripts where the shells look.
    let home = scratch.sandbox.home();
    for installed in [
        ".local/share/bash-completion/completions/virtsh",
        ".zfunc/_virtsh",
        ".config/fish/completions/virtsh.fish",
    ] {
        if !home.join(installed).exists() {
            let _ = writeln!(
                report,
                "README.md: after its commands, ~/{installed} is missing"
            );
        }
    }
    assert!(report.is_empty(), "\n{report}");
}
