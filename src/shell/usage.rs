//! `virtsh -h`, `virtsh -V`, and the help texts built from the declarations.

use crate::commands::{self, CommandDef, Group, OptKind};

use super::globals::GLOBAL_OPTS;
use super::COMPAT_VERSION;

/// The `-h` text: invocation forms, global options, then every group.
pub fn usage() -> String {
    let mut out = String::from(
        "\nvirtsh [options]... [<command_string>]\nvirtsh [options]... <command> [args...]\n\n  options:\n",
    );
    for opt in GLOBAL_OPTS {
        // `-v` and `-V` share one usage line with `--version`.
        if opt.short == 'V' {
            continue;
        }
        if opt.usage.len() <= 22 {
            out.push_str(&format!("    {:<22}  {}\n", opt.usage, opt.help));
        } else {
            out.push_str(&format!(
                "    {}\n    {:<22}  {}\n",
                opt.usage, "", opt.help
            ));
        }
    }
    out.push_str("  commands (non interactive mode):\n\n");
    for group in Group::listed() {
        out.push_str(&format!(
            " {} (help keyword '{}')\n",
            group.title(),
            group.keyword()
        ));
        out.push_str(&group_lines(group));
        out.push('\n');
    }
    out.push_str("\n  (specify help <group> for details about the commands in the group)\n");
    out.push_str("\n  (specify help <command> for details about the command)\n\n");
    out
}

/// `-V`: version and what this build supports.
pub fn long_version() -> String {
    format!(
        "virtsh {}, compatible with virsh of libvirt {COMPAT_VERSION}\n\
         See web site at https://libvirt.org/ for the API it speaks\n\n\
         Compiled with support for:\n Hypervisors: Test\n Networking: \n Storage: \n Miscellaneous: Readline\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// The `    %-30s %s` lines of one group.
pub fn group_lines(group: Group) -> String {
    commands::all()
        .iter()
        .filter(|c| c.group == group)
        .map(|c| format!("    {:<30} {}\n", c.name, c.summary))
        .collect()
}

/// `help COMMAND`: NAME, SYNOPSIS, DESCRIPTION and OPTIONS blocks.
pub fn command_help(def: &CommandDef) -> String {
    let mut out = format!(
        "  NAME\n    {} - {}\n\n  SYNOPSIS\n    {}\n",
        def.name,
        def.summary,
        synopsis(def)
    );
    if !def.description.is_empty() {
        out.push_str(&format!("\n  DESCRIPTION\n    {}\n", def.description));
    }
    let options = option_labels(def);
    if !options.is_empty() {
        out.push_str("\n  OPTIONS\n");
        for (label, help) in options {
            out.push_str(&format!("    {label:<15}  {help}\n"));
        }
    }
    out.push('\n');
    out
}

/// The command with its options as `help` shows them: `shutdown <domain> [--mode <string>]`.
pub fn synopsis(def: &CommandDef) -> String {
    let mut out = def.name.to_string();
    let mut seen_positional = false;
    for opt in def.options {
        let part = match opt.kind {
            OptKind::Alias(_) | OptKind::Preset(..) => continue,
            OptKind::Bool => format!("[--{}]", opt.name),
            OptKind::String | OptKind::Number if opt.required => format!("<{}>", opt.name),
            OptKind::String => format!("[--{} <string>]", opt.name),
            OptKind::Number => format!("[--{} <number>]", opt.name),
            OptKind::Argv if seen_positional => format!("[[--{}] <string>]...", opt.name),
            OptKind::Argv => format!("[<{}>]...", opt.name),
        };
        seen_positional |= opt.positional;
        out.push(' ');
        out.push_str(&part);
    }
    out
}

/// Each visible option's label (`[--domain] <string>`) and help text.
pub fn option_labels(def: &CommandDef) -> Vec<(String, &'static str)> {
    let mut seen_positional = false;
    let mut labels = Vec::new();
    for opt in def.options {
        let label = match opt.kind {
            OptKind::Bool => format!("--{}", opt.name),
            OptKind::Number if opt.required => format!("[--{}] <number>", opt.name),
            OptKind::Number => format!("--{} <number>", opt.name),
            OptKind::String if opt.required => format!("[--{}] <string>", opt.name),
            OptKind::String => format!("--{} <string>", opt.name),
            OptKind::Argv if seen_positional => format!("[--{}] <string>", opt.name),
            OptKind::Argv => format!("<{}>", opt.name),
            OptKind::Alias(_) | OptKind::Preset(..) => continue,
        };
        seen_positional |= opt.positional;
        labels.push((label, opt.help));
    }
    labels
}
