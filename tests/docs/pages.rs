//! The command pages `commands/*.md`: their examples run (through virtsh and the oracle)
//! and their structure follows `virtsh help` (see the module above for both).

use super::{lines_match, lines_of, repo, Program, Scratch};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

/// One `$ ` command of a page and what it must print.
#[derive(Debug, Clone, PartialEq)]
struct Example {
    /// Line of the `$ ` in the page (1-based).
    line: usize,
    command: String,
    expected: Vec<String>,
    /// Also run through the oracle.
    oracle: bool,
}

/// One `## name` section.
#[derive(Debug, Clone, PartialEq)]
struct Section {
    name: String,
    line: usize,
    /// The first fenced `text` block's first line.
    synopsis: Option<String>,
    body: String,
    examples: usize,
}

#[derive(Debug, Default)]
pub(super) struct Page {
    examples: Vec<Example>,
    sections: Vec<Section>,
}

impl Page {
    /// How many examples run, and whether any runs through the oracle too.
    pub(super) fn examples(&self) -> (usize, bool) {
        (self.examples.len(), self.examples.iter().any(|e| e.oracle))
    }
}

pub(super) fn parse_page(text: &str) -> Result<Page, String> {
    let mut page = Page::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(name) = line.strip_prefix("## ") {
            page.sections.push(Section {
                name: name.trim().trim_matches('`').to_string(),
                line: i + 1,
                synopsis: None,
                body: String::new(),
                examples: 0,
            });
        } else if let Some(s) = page.sections.last_mut() {
            s.body.push_str(line);
            s.body.push('\n');
        }
        let Some(info) = line.strip_prefix("```") else {
            i += 1;
            continue;
        };
        let info: Vec<&str> = info.split_whitespace().collect();
        let start = i;
        let end = (i + 1..lines.len())
            .find(|&j| lines[j].starts_with("```"))
            .ok_or_else(|| format!("line {}: unclosed fence", start + 1))?;
        let block = &lines[start + 1..end];
        match info.first().copied() {
            Some("console") => {
                let oracle = !info.contains(&"virtsh-only");
                let examples = parse_console_block(block, start + 2, oracle)?;
                if let Some(s) = page.sections.last_mut() {
                    s.examples += examples.len();
                }
                page.examples.extend(examples);
            }
            Some("text") => {
                if let Some(s) = page.sections.last_mut() {
                    if s.synopsis.is_none() {
                        s.synopsis = block.first().map(|l| l.to_string());
                    }
                }
            }
            _ => {}
        }
        if let Some(s) = page.sections.last_mut() {
            for l in &lines[start + 1..=end] {
                s.body.push_str(l);
                s.body.push('\n');
            }
        }
        i = end + 1;
    }
    Ok(page)
}

/// `first_line` is the 1-based line number of `block[0]`.
fn parse_console_block(
    block: &[&str],
    first_line: usize,
    oracle: bool,
) -> Result<Vec<Example>, String> {
    let mut examples: Vec<Example> = vec![];
    let mut k = 0;
    while k < block.len() {
        let line = block[k];
        if let Some(cmd) = line.strip_prefix("$ ") {
            let at = first_line + k;
            let mut command = String::new();
            let mut part = cmd;
            // Kept as written: `sh -c` sees what a reader would paste.
            while part.ends_with('\\') {
                command.push_str(part);
                command.push('\n');
                k += 1;
                part = block
                    .get(k)
                    .ok_or_else(|| format!("line {at}: the command goes on past the block"))?;
            }
            command.push_str(part);
            examples.push(Example {
                line: at,
                command,
                expected: vec![],
                oracle,
            });
        } else {
            match examples.last_mut() {
                Some(e) => e.expected.push(line.to_string()),
                None => {
                    return Err(format!(
                        "line {}: a console block must start with a `$ ` command",
                        first_line + k
                    ))
                }
            }
        }
        k += 1;
    }
    Ok(examples)
}

#[test]
fn page_parser() {
    let text = "# t\n\n## `start`\n\nBoots.\n\n```text\nstart <domain>\n```\n\n\
                ```console\n$ virtsh a \\\n  b\nout\n\n$ virtsh c\n```\n\n\
                ```console virtsh-only\n$ x\n```\n";
    let page = parse_page(text).unwrap();
    assert_eq!(page.sections.len(), 1);
    let s = &page.sections[0];
    assert_eq!((s.name.as_str(), s.line), ("start", 3));
    assert_eq!(s.synopsis.as_deref(), Some("start <domain>"));
    assert_eq!(s.examples, 3);
    assert_eq!(
        page.examples[0],
        Example {
            line: 12,
            command: "virtsh a \\\n  b".into(),
            expected: vec!["out".into(), "".into()],
            oracle: true
        }
    );
    assert_eq!(page.examples[1].expected, Vec::<String>::new());
    assert!(!page.examples[2].oracle);
    assert!(parse_page("```console\nno command\n```\n").is_err());
    assert!(parse_page("```console\n$ x\n").is_err());
}

fn pages_dir() -> PathBuf {
    repo().join("commands")
}

fn read_page(name: &str) -> Page {
    let path = pages_dir().join(format!("{name}.md"));
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_page(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs every example of a page through one program; returns a report of mismatches.
fn run_examples(name: &str, page: &Page, program: Program) -> String {
    run_examples_of(&format!("commands/{name}.md"), page, program)
}

/// The same for any Markdown file (`file` names it in the report).
pub(super) fn run_examples_of(file: &str, page: &Page, program: Program) -> String {
    let scratch = Scratch::new(&format!("docs-{}", file.replace('/', "-")), program);
    let mut report = String::new();
    for ex in &page.examples {
        if program == Program::Virsh && !ex.oracle {
            continue;
        }
        scratch.reset();
        let out = scratch.sh(&ex.command, &[]);
        let stdout = out.stdout_str();
        let actual = lines_of(&stdout);
        let ok_output = lines_match(&ex.expected, &actual);
        let ok_status = out.code == Some(0) && out.stderr.is_empty();
        if ok_output && ok_status {
            continue;
        }
        let _ = writeln!(
            report,
            "{file}:{} through {}: $ {}",
            ex.line,
            program.name(),
            ex.command
        );
        if !ok_status {
            let _ = writeln!(
                report,
                "  {}; stderr: {:?}",
                out.status_text(),
                out.stderr_str()
            );
        }
        if !ok_output {
            let _ = writeln!(report, "  expected:");
            for l in &ex.expected {
                let _ = writeln!(report, "    |{l}");
            }
            let _ = writeln!(report, "  printed:");
            for l in &actual {
                let _ = writeln!(report, "    |{l}");
            }
        }
    }
    report
}

/// The SYNOPSIS line and option names (`--x`) of `virtsh help CMD`.
fn help_of(scratch: &Scratch, command: &str) -> (String, Vec<String>) {
    let out = scratch.virtsh(&["help", command]);
    assert_eq!(out.code, Some(0), "help {command}: {}", out.stderr_str());
    let text = out.stdout_str();
    let lines: Vec<&str> = text.lines().collect();
    let after = |title: &str| lines.iter().position(|l| l.trim() == title).map(|i| i + 1);
    let synopsis = after("SYNOPSIS")
        .and_then(|i| lines.get(i))
        .map(|l| l.trim().to_string())
        .unwrap_or_default();
    let mut options = vec![];
    if let Some(start) = after("OPTIONS") {
        for l in &lines[start..] {
            let l = l.trim();
            if l.is_empty() {
                break;
            }
            if let Some(i) = l.find("--") {
                let opt: String = l[i..]
                    .chars()
                    .take_while(|c| *c == '-' || c.is_ascii_alphanumeric())
                    .collect();
                options.push(opt);
            }
        }
    }
    (synopsis, options)
}

/// Commands that `virtsh help KEYWORD` lists.
fn group_commands(scratch: &Scratch, keyword: &str) -> Vec<String> {
    let out = scratch.virtsh(&["help", keyword]);
    assert_eq!(out.code, Some(0), "help {keyword}: {}", out.stderr_str());
    out.stdout_str()
        .lines()
        .filter(|l| l.starts_with("    "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// A page follows `virtsh help`: one section per command of its group, synopsis as help
/// prints it, every option mentioned, at least one example each.
fn check_structure(keyword: &str, page: &Page) -> String {
    let scratch = Scratch::new(&format!("docs-help-{keyword}"), Program::Virtsh);
    let mut report = String::new();
    let commands = group_commands(&scratch, keyword);
    let documented: BTreeSet<&str> = page.sections.iter().map(|s| s.name.as_str()).collect();
    for c in &commands {
        if !documented.contains(c.as_str()) {
            let _ = writeln!(report, "commands/{keyword}.md: no section for `{c}`");
        }
    }
    for s in &page.sections {
        let at = format!("commands/{keyword}.md:{} ({})", s.line, s.name);
        if !commands.contains(&s.name) {
            let _ = writeln!(report, "{at}: `virtsh help {keyword}` does not list it");
            continue;
        }
        let (synopsis, options) = help_of(&scratch, &s.name);
        if s.synopsis.as_deref() != Some(synopsis.as_str()) {
            let _ = writeln!(
                report,
                "{at}: synopsis {:?}, but help prints {synopsis:?}",
                s.synopsis
            );
        }
        for o in options {
            let mentioned = s.body.match_indices(&o).any(|(i, _)| {
                !s.body[i + o.len()..].starts_with(|c: char| c == '-' || c.is_ascii_alphanumeric())
            });
            if !mentioned {
                let _ = writeln!(report, "{at}: option {o} is not described");
            }
        }
        if s.examples == 0 {
            let _ = writeln!(report, "{at}: no example");
        }
    }
    report
}

/// Structure (for pages of a help group) and examples through both programs.
fn check_page(name: &str, is_group: bool) {
    let page = read_page(name);
    let mut report = String::new();
    if is_group {
        report += &check_structure(name, &page);
    }
    report += &run_examples(name, &page, Program::Virtsh);
    if page.examples.iter().any(|e| e.oracle) {
        report += &run_examples(name, &page, Program::Virsh);
    }
    assert!(report.is_empty(), "\n{report}");
}

macro_rules! group_pages {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_page(stringify!($name), true);
            }
        )*
        const GROUP_PAGES: &[&str] = &[$(stringify!($name)),*];
    };
}

group_pages!(domain, monitor, host, virsh, snapshot, checkpoint, backup);

/// Pages that are not one help group's (`json.md`, and any page added later): their
/// examples run all the same.
#[test]
fn other_pages() {
    let mut report = String::new();
    for entry in fs::read_dir(pages_dir()).expect("read commands/") {
        let path = entry.expect("dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if GROUP_PAGES.contains(&name.as_str()) {
            continue;
        }
        let page = read_page(&name);
        report += &run_examples(&name, &page, Program::Virtsh);
        if page.examples.iter().any(|e| e.oracle) {
            report += &run_examples(&name, &page, Program::Virsh);
        }
    }
    assert!(report.is_empty(), "\n{report}");
}

/// Every help group that has commands has a tested page.
#[test]
fn every_group_has_a_page() {
    let scratch = Scratch::new("docs-groups", Program::Virtsh);
    let out = scratch.virtsh(&["help"]);
    let keywords: Vec<String> = out
        .stdout_str()
        .lines()
        .filter_map(|l| l.split("(help keyword '").nth(1))
        .filter_map(|rest| rest.split('\'').next().map(str::to_string))
        .collect();
    assert!(!keywords.is_empty(), "no groups in `virtsh help`");
    let missing: Vec<&String> = keywords
        .iter()
        .filter(|k| !GROUP_PAGES.contains(&k.as_str()))
        .filter(|k| !group_commands(&scratch, k).is_empty())
        .collect();
    assert!(
        missing.is_empty(),
        "help groups without a tested page in commands/ (write commands/KEYWORD.md and add \
         KEYWORD to group_pages! in tests/docs/pages.rs): {missing:?}"
    );
}
