//! virtsh's command line as a clap `Command`, built from the global option
//! table and every command declaration. It feeds the man page generator;
//! parsing stays virsh's own (`globals`, `parse`), whose getopt and option
//! rules clap does not share.

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, Command};

use super::globals::{ArgKind, GlobalOpt, GLOBAL_OPTS, NO_SHORT};
use crate::commands::{self, CommandDef, Complete, OptKind};

/// What the man page says virtsh is, below its synopsis.
const DESCRIPTION: &str = "\
virtsh manages virtual machines (domains), their snapshots, checkpoints and backups, and \
storage, through one connection to a hypervisor. It speaks virsh's language: the same \
commands, options, output and exit statuses, so a script written for virsh runs unchanged.

With no command, virtsh reads commands from its standard input: on a terminal as an \
interactive shell with line editing, history and completion; otherwise one command per \
line. A single argument is a command string, in which ';' separates commands. Several \
arguments are one command and its options (argv mode).

Options of a command are given as --name value or --name=value; most required ones may \
also be given by position, in the order the synopsis shows.";

/// The whole command line: global options, then one subcommand per command.
pub fn command() -> Command {
    let mut cli = Command::new("virtsh")
        .version(env!("CARGO_PKG_VERSION"))
        .about(env!("CARGO_PKG_DESCRIPTION"))
        .long_about(DESCRIPTION)
        .disable_help_flag(true)
        .disable_version_flag(true);
    for opt in GLOBAL_OPTS {
        cli = cli.arg(global_arg(opt));
    }
    for def in commands::all() {
        cli = cli.subcommand(subcommand(def));
    }
    cli
}

fn global_arg(opt: &GlobalOpt) -> Arg {
    // `-V` has no long name; its usage text is its name.
    let id = if opt.long.is_empty() {
        opt.usage
    } else {
        opt.long
    };
    let mut arg = Arg::new(id).help(opt.help);
    if opt.short != NO_SHORT {
        arg = arg.short(opt.short);
    }
    if !opt.long.is_empty() {
        arg = arg.long(opt.long);
    }
    arg = match opt.arg {
        ArgKind::None => arg.action(ArgAction::SetTrue),
        ArgKind::Required => arg.value_name(value_name(opt.usage)).num_args(1),
        ArgKind::Optional => arg
            .value_name(value_name(opt.usage))
            .num_args(0..=1)
            .require_equals(true),
    };
    match opt.complete {
        // The help texts name the values already.
        Complete::Choices(_) => with_choices(arg, opt.complete).hide_possible_values(true),
        _ => arg,
    }
}

/// The placeholder of an option's value as `-h` writes it: `URI` of
/// `--connect=URI`, `char` of `--escape <char>`.
fn value_name(usage: &'static str) -> &'static str {
    let tail = usage.rsplit(['=', ' ']).next().unwrap_or(usage);
    tail.trim_matches(|c| matches!(c, '[' | ']' | '<' | '>'))
}

fn with_choices(arg: Arg, complete: Complete) -> Arg {
    match complete {
        Complete::Choices(choices) => arg.value_parser(PossibleValuesParser::new(choices)),
        _ => arg,
    }
}

/// A command's options, each a named option: virsh also fills some of them
/// by position, which `help`'s synopsis shows and clap need not know.
fn subcommand(def: &CommandDef) -> Command {
    let mut cmd = Command::new(def.name)
        .about(def.summary)
        .disable_help_flag(true);
    if !def.description.is_empty() {
        cmd = cmd.long_about(def.description);
    }
    for opt in def.options {
        let mut arg = Arg::new(opt.name).long(opt.name).help(opt.help);
        arg = match opt.kind {
            OptKind::Alias(_) | OptKind::Preset(..) => continue,
            OptKind::Bool => arg.action(ArgAction::SetTrue),
            OptKind::String => arg.value_name("string").required(opt.required),
            OptKind::Number => arg.value_name("number").required(opt.required),
            OptKind::Argv => arg
                .value_name("string")
                .num_args(1..)
                .action(ArgAction::Append),
        };
        // Older spellings stay accepted but unlisted.
        for alias in def
            .options
            .iter()
            .filter(|o| o.kind == OptKind::Alias(opt.name))
        {
            arg = arg.alias(alias.name);
        }
        cmd = cmd.arg(with_choices(arg, opt.complete));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_a_consistent_command_line() {
        // clap's own checks: unique names, aliases and short options.
        command().debug_assert();
    }

    #[test]
    fn globals_and_commands_are_all_there() {
        let cli = command();
        let connect = cli
            .get_arguments()
            .find(|a| a.get_id() == "connect")
            .unwrap();
        assert_eq!(connect.get_short(), Some('c'));
        assert_eq!(connect.get_value_names().unwrap()[0], "URI");
        let escape = cli
            .get_arguments()
            .find(|a| a.get_id() == "escape")
            .unwrap();
        assert_eq!(escape.get_value_names().unwrap()[0], "char");
        assert_eq!(cli.get_subcommands().count(), commands::all().len());
        let shutdown = cli.find_subcommand("shutdown").unwrap();
        let mode = shutdown
            .get_arguments()
            .find(|a| a.get_id() == "mode")
            .unwrap();
        assert!(mode
            .get_possible_values()
            .iter()
            .any(|v| v.get_name() == "acpi"));
        let setmem = cli.find_subcommand("setmem").unwrap();
        let size = setmem
            .get_arguments()
            .find(|a| a.get_id() == "size")
            .unwrap();
        assert!(size
            .get_all_aliases()
            .unwrap_or_default()
            .contains(&"kilobytes"));
    }
}
