//! `man/virtsh.1`, generated from the command line model (`cli_model`: name,
//! description, global options, rendered by clap_mangen), every command
//! declaration (grouped as `help` groups them, each with the synopsis and
//! options `help COMMAND` shows) and the prose of the command pages
//! `commands/<keyword>.md`.

use std::io::{self, Write};

use clap_mangen::roff::{bold, italic, roman, Inline, Roff};
use clap_mangen::Man;

use super::{cli_model, usage};
use crate::commands::{self, CommandDef, Group};

/// The command pages, by help keyword, built into the binary so the man
/// page it prints depends on nothing else. A test fails when a page in
/// `commands/` is missing here.
pub const COMMAND_PAGES: &[(&str, &str)] = &[
    ("domain", include_str!("../../commands/domain.md")),
    ("monitor", include_str!("../../commands/monitor.md")),
    ("host", include_str!("../../commands/host.md")),
    ("snapshot", include_str!("../../commands/snapshot.md")),
    ("checkpoint", include_str!("../../commands/checkpoint.md")),
    ("backup", include_str!("../../commands/backup.md")),
    ("virsh", include_str!("../../commands/virsh.md")),
];

/// The whole man page.
pub fn render() -> String {
    let man = Man::new(cli_model::command())
        .title("VIRTSH")
        .section("1")
        .manual("User Commands");
    // clap_mangen writes the roff preamble before each section; the page
    // needs it once.
    let preamble = Roff::new().render();
    let section = |render: fn(&Man, &mut dyn Write) -> io::Result<()>| {
        let mut buf = Vec::new();
        render(&man, &mut buf).expect("writing to memory");
        let text = String::from_utf8(buf).expect("roff from UTF-8 is UTF-8");
        text.strip_prefix(&preamble)
            .map(str::to_string)
            .unwrap_or(text)
    };
    [
        preamble.clone(),
        section(Man::render_title),
        section(Man::render_name_section),
        synopsis().to_roff(),
        section(Man::render_description_section),
        section(Man::render_options_section),
        commands_section().to_roff(),
        closing_sections().to_roff(),
    ]
    .concat()
    .chars()
    // roff input is ASCII: others as groff's \[uXXXX] escapes, except the
    // ellipsis, which groff's ASCII output has no glyph for (and `\&` keeps
    // its dots from starting a request at the head of a line).
    .map(|c| match c {
        '…' => "\\&...".to_string(),
        c if c.is_ascii() => c.to_string(),
        c => format!("\\[u{:04X}]", c as u32),
    })
    .collect()
}

/// virsh's two invocation forms, as `-h` shows them.
fn synopsis() -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["SYNOPSIS"]);
    roff.text([
        bold("virtsh"),
        roman(" ["),
        italic("OPTION"),
        roman("]... ["),
        italic("COMMAND_STRING"),
        roman("]"),
    ]);
    roff.control("br", []);
    roff.text([
        bold("virtsh"),
        roman(" ["),
        italic("OPTION"),
        roman("]... "),
        italic("COMMAND"),
        roman(" ["),
        italic("ARG"),
        roman("]..."),
    ]);
    roff
}

fn commands_section() -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    roff.text([roman(
        "The commands by group, as help lists them. In a synopsis, <domain> is a required \
         value that may be given by position or as --domain; [--name <string>] is an optional \
         value, and a bare [--name] a flag.",
    )]);
    for group in Group::listed() {
        let heading = format!("{} (help keyword '{}')", group.title(), group.keyword());
        roff.control("SS", [heading.as_str()]);
        let page = COMMAND_PAGES
            .iter()
            .find(|(keyword, _)| *keyword == group.keyword())
            .map(|p| p.1);
        if let Some(intro) = page.and_then(page_intro) {
            flush_paragraph(&mut roff, &mut intro.replace('\n', " "));
        }
        for def in commands::all().iter().filter(|c| c.group == group) {
            command(
                &mut roff,
                def,
                page.and_then(|text| page_section(text, def.name)),
            );
        }
    }
    roff
}

/// One command: its synopsis as a tag, then indented below it the summary,
/// the page's prose and examples with the options where the page lists
/// them, or else the declaration's description and the options.
fn command(roff: &mut Roff, def: &CommandDef, prose: Option<&str>) {
    let synopsis = usage::synopsis(def);
    let args = synopsis.strip_prefix(def.name).unwrap_or("");
    roff.control("TP", []);
    roff.text([bold(def.name), roman(args)]);
    roff.text([roman(def.summary)]);
    roff.control("RS", []);
    let options = |roff: &mut Roff| {
        for (label, help) in usage::option_labels(def) {
            roff.control("TP", []);
            roff.text([bold(label)]);
            roff.text([roman(help)]);
        }
    };
    match prose {
        Some(prose) => markdown(roff, prose, &options),
        None => {
            if !def.description.is_empty() {
                roff.control("PP", []);
                roff.text([roman(def.description)]);
            }
            options(roff);
        }
    }
    roff.control("RE", []);
}

/// The first paragraph of a command page, below its title.
fn page_intro(page: &str) -> Option<&str> {
    let body = page.split("\n## ").next()?;
    body.split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with('#'))
}

/// The part of a command page under `## name`, up to the next heading.
fn page_section<'a>(page: &'a str, name: &str) -> Option<&'a str> {
    let mut offset = 0;
    let mut start = None;
    for line in page.split_inclusive('\n') {
        if let Some(heading) = line.strip_prefix("## ") {
            if start.is_some() {
                return start.map(|s| &page[s..offset]);
            }
            if heading.trim().trim_matches('`') == name {
                start = Some(offset + line.len());
            }
        }
        offset += line.len();
    }
    start.map(|s| &page[s..])
}

/// A fenced block of a command page.
enum Fence<'a> {
    /// The first `text` block: the synopsis, already shown from the declaration.
    Synopsis,
    Example(Vec<&'a str>),
}

/// A page's Markdown as roff: paragraphs, `-` lists and fenced examples.
/// The page's table of options gives way to `options`, written from the
/// declaration (at the end when the page has no table).
fn markdown(roff: &mut Roff, text: &str, options: &dyn Fn(&mut Roff)) {
    let mut paragraph = String::new();
    let mut fence: Option<Fence> = None;
    let mut synopsis_seen = false;
    let mut options_written = false;
    for line in text.lines() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            match fence.take() {
                None => {
                    flush_paragraph(roff, &mut paragraph);
                    fence = Some(if info.trim() == "text" && !synopsis_seen {
                        synopsis_seen = true;
                        Fence::Synopsis
                    } else {
                        Fence::Example(Vec::new())
                    });
                }
                Some(Fence::Synopsis) => {}
                Some(Fence::Example(lines)) => {
                    roff.control("PP", []);
                    roff.control("RS", ["4"]);
                    roff.control("nf", []);
                    for line in lines {
                        roff.text([roman(line)]);
                    }
                    roff.control("fi", []);
                    roff.control("RE", []);
                }
            }
            continue;
        }
        match fence.as_mut() {
            Some(Fence::Example(lines)) => lines.push(line),
            Some(Fence::Synopsis) => {}
            None if line.starts_with('#') => flush_paragraph(roff, &mut paragraph),
            None if line.starts_with('|') => {
                flush_paragraph(roff, &mut paragraph);
                if !options_written {
                    options(roff);
                    options_written = true;
                }
            }
            None => {
                if line.trim().is_empty() || line.starts_with("- ") || line.starts_with("* ") {
                    flush_paragraph(roff, &mut paragraph);
                }
                paragraph.push_str(line.trim());
                paragraph.push(' ');
            }
        }
    }
    flush_paragraph(roff, &mut paragraph);
    if !options_written {
        options(roff);
    }
}

/// Writes the gathered lines as a paragraph or a list item.
fn flush_paragraph(roff: &mut Roff, paragraph: &mut String) {
    let text = paragraph.trim();
    if !text.is_empty() {
        match text.strip_prefix("- ").or_else(|| text.strip_prefix("* ")) {
            Some(item) => {
                roff.control("IP", ["\\(bu", "2"]);
                roff.text(inline_markdown(item));
            }
            None => {
                roff.control("PP", []);
                roff.text(inline_markdown(text));
            }
        }
    }
    paragraph.clear();
}

/// Markdown's inline marks: `code` bold, *emphasis* italic, [links](…)
/// their text alone.
fn inline_markdown(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let span = match c {
            '`' => rest[1..]
                .find('`')
                .map(|end| (vec![bold(&rest[1..=end])], end + 2)),
            '*' => {
                let marks = if rest.starts_with("**") { "**" } else { "*" };
                let body = &rest[marks.len()..];
                body.find(marks)
                    .filter(|&end| end > 0)
                    .map(|end| (vec![italic(&body[..end])], end + 2 * marks.len()))
            }
            '[' => rest.find("](").and_then(|close| {
                let target = rest[close..].find(')')?;
                Some((inline_markdown(&rest[1..close]), close + target + 1))
            }),
            _ => None,
        };
        match span {
            Some((inlines, used)) => {
                if !plain.is_empty() {
                    out.push(roman(std::mem::take(&mut plain)));
                }
                out.extend(inlines);
                rest = &rest[used..];
            }
            None => {
                plain.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !plain.is_empty() {
        out.push(roman(plain));
    }
    out
}

fn closing_sections() -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["ENVIRONMENT"]);
    let variables: &[(&str, &str)] = &[
        ("VIRTSH_DEFAULT_URI", "The connection URI when -c is not given (virsh reads VIRSH_DEFAULT_CONNECT_URI)."),
        ("LIBVIRT_DEFAULT_URI", "The connection URI when neither -c nor VIRTSH_DEFAULT_URI is given; else uri_default from libvirt.conf, else the local daemon. virtsh never picks the test driver by itself."),
        ("VIRTSH_OUTPUT", "json: print data as JSON documents, as --json does."),
        ("VIRTSH_HISTSIZE", "How many lines of interactive history to keep (default 500)."),
        ("VIRTSH_DEBUG", "A debug level 0-4, as -d gives one; it takes over from -d once the command line is parsed."),
        ("VIRTSH_LOG_FILE", "The log file when -l is not given."),
        ("VISUAL, EDITOR", "The editor of edit commands, in that order; else sensible-editor or vi."),
        ("NO_COLOR", "When set and not empty, no colour, unless --color=always."),
    ];
    for (name, meaning) in variables {
        roff.control("TP", []);
        roff.text([bold(*name)]);
        roff.text([roman(*meaning)]);
    }
    roff.control("SH", ["EXIT STATUS"]);
    roff.text([roman(
        "0 when the last command succeeded (or quit ended the input), 1 when it failed or \
         the command line or connection was refused, as virsh does.",
    )]);
    roff.control("SH", ["FILES"]);
    roff.control("TP", []);
    roff.text([italic("$XDG_CACHE_HOME/virtsh/history")]);
    roff.text([roman(
        "The interactive shell's history (~/.cache/virtsh/history by default).",
    )]);
    roff.control("TP", []);
    roff.text([italic("$XDG_CONFIG_HOME/libvirt/libvirt.conf")]);
    roff.text([roman(
        "libvirt's client configuration, read as libvirt reads it: uri_default (the URI \
         when none is given) and uri_aliases (short names for URIs). Root reads \
         /etc/libvirt/libvirt.conf instead.",
    )]);
    roff.control("SH", ["SEE ALSO"]);
    roff.text([bold("virsh"), roman("(1)")]);
    roff
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# Domain\n\nIntro.\n\n## `start`\n\n```text\nstart <domain>\n```\n\n\
Starts a `shut off` domain.\nSecond line.\n\n- one\n- two\n\n```console\n$ virtsh start x\n```\n\n## stop\n\nOther.\n";

    #[test]
    fn a_command_page_section_becomes_roff() {
        let section = page_section(PAGE, "start").unwrap();
        assert!(section.contains("Starts a") && !section.contains("Other."));
        assert_eq!(page_section(PAGE, "stop").unwrap().trim(), "Other.");
        assert!(page_section(PAGE, "list").is_none());
        let mut roff = Roff::new();
        markdown(&mut roff, section, &|roff: &mut Roff| {
            roff.text([roman("OPTIONS")]);
        });
        let text = roff.to_roff();
        assert!(text.contains(".nf\n$ virtsh start x\n.fi\n"), "{text}");
        assert!(text.ends_with("OPTIONS\n"), "{text}");
        assert!(!text.contains("start <domain>"), "{text}");
        assert!(
            text.contains(".PP\nStarts a \\fBshut off\\fR domain. Second line.\n"),
            "{text}"
        );
        assert!(text.contains(".IP \\(bu 2\none\n"), "{text}");
    }

    #[test]
    fn inline_marks() {
        let mut roff = Roff::new();
        roff.text(inline_markdown(
            "a *transient* `dom` in [`examples/xml`](../examples/xml) and [json.md](json.md)",
        ));
        assert_eq!(
            roff.to_roff(),
            "a \\fItransient\\fR \\fBdom\\fR in \\fBexamples/xml\\fR and json.md\n"
        );
    }

    #[test]
    fn every_command_page_is_built_in() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("commands");
        for group in Group::ALL {
            let keyword = group.keyword();
            let page = dir.join(format!("{keyword}.md"));
            assert!(
                !page.exists() || COMMAND_PAGES.iter().any(|(k, _)| *k == keyword),
                "commands/{keyword}.md is not in the man page: add (\"{keyword}\", \
                 include_str!(\"../../commands/{keyword}.md\")) to COMMAND_PAGES in \
                 src/shell/manpage.rs, then run scripts/regenerate.sh"
            );
        }
    }

    #[test]
    fn every_group_and_command_is_in_the_page() {
        let page = render();
        assert!(page.starts_with(&Roff::new().render()));
        assert_eq!(page.matches(".TH VIRTSH").count(), 1);
        for def in commands::all() {
            assert!(
                page.contains(&format!("\\fB{}\\fR", def.name.replace('-', "\\-"))),
                "{}",
                def.name
            );
        }
        for group in Group::listed() {
            assert!(page.contains(group.title()));
        }
        for section in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "OPTIONS",
            "COMMANDS",
            "ENVIRONMENT",
            "EXIT STATUS",
            "FILES",
        ] {
            assert!(
                page.contains(&format!(".SH {section}\n"))
                    || page.contains(&format!(".SH \"{section}\"\n")),
                "{section}"
            );
        }
    }
}
