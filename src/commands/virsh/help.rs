use serde::Serialize;

use crate::commands::{
    self, Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, OptKind, Session,
};
use crate::output::render::Render;
use crate::shell::usage;

pub static DEF: CommandDef = CommandDef {
    name: "help",
    group: Group::Virsh,
    summary: "show help",
    description: "List every command by group, the commands of one group, or the \
details of one command.",
    options: &[
        OptDef::string("command", "a command name or group keyword").completes(Complete::Command)
    ],
    needs_connection: false,
    run,
};

/// `help`: every group. Both renderings come from the command declarations.
#[derive(Serialize)]
struct HelpIndex {
    groups: Vec<GroupHelp>,
}

/// `help GROUP`: `{keyword, title, commands: [{name, summary}]}`.
#[derive(Serialize)]
struct GroupHelp {
    keyword: &'static str,
    title: &'static str,
    commands: Vec<CommandSummary>,
    #[serde(skip)]
    group: Group,
}

#[derive(Serialize)]
struct CommandSummary {
    name: &'static str,
    summary: &'static str,
}

/// `help COMMAND`.
#[derive(Serialize)]
struct CommandHelp {
    name: &'static str,
    group: &'static str,
    summary: &'static str,
    description: &'static str,
    synopsis: String,
    options: Vec<OptionHelp>,
    #[serde(skip)]
    def: &'static CommandDef,
}

/// One option; `aliases` are older spellings that still work.
#[derive(Serialize)]
struct OptionHelp {
    name: &'static str,
    kind: &'static str,
    required: bool,
    positional: bool,
    help: &'static str,
    aliases: Vec<&'static str>,
}

impl GroupHelp {
    fn of(group: Group) -> GroupHelp {
        let commands = commands::all()
            .iter()
            .filter(|c| c.group == group)
            .map(|c| CommandSummary {
                name: c.name,
                summary: c.summary,
            })
            .collect();
        GroupHelp {
            keyword: group.keyword(),
            title: group.title(),
            commands,
            group,
        }
    }
}

impl CommandHelp {
    fn of(def: &'static CommandDef) -> CommandHelp {
        let options = def
            .options
            .iter()
            .filter_map(|opt| {
                let kind = match opt.kind {
                    OptKind::Bool => "bool",
                    OptKind::String => "string",
                    OptKind::Number => "number",
                    OptKind::Argv => "argv",
                    OptKind::Alias(_) | OptKind::Preset(..) => return None,
                };
                let aliases = def
                    .options
                    .iter()
                    .filter(|a| a.kind == OptKind::Alias(opt.name))
                    .map(|a| a.name)
                    .collect();
                let OptDef {
                    name,
                    required,
                    positional,
                    help,
                    ..
                } = *opt;
                Some(OptionHelp {
                    name,
                    kind,
                    required,
                    positional,
                    help,
                    aliases,
                })
            })
            .collect();
        CommandHelp {
            name: def.name,
            group: def.group.keyword(),
            summary: def.summary,
            description: def.description,
            synopsis: usage::synopsis(def),
            options,
            def,
        }
    }
}

impl Render for HelpIndex {
    fn text(&self, _quiet: bool) -> String {
        let mut text = String::from("Grouped commands:\n\n");
        for group in &self.groups {
            text.push_str(&group.text(false));
        }
        text
    }
}

impl Render for GroupHelp {
    fn text(&self, _quiet: bool) -> String {
        format!(
            " {} (help keyword '{}'):\n{}\n",
            self.title,
            self.keyword,
            usage::group_lines(self.group)
        )
    }
}

impl Render for CommandHelp {
    fn text(&self, _quiet: bool) -> String {
        usage::command_help(self.def)
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let Some(topic) = args.get("command")? else {
        session.emit(&HelpIndex {
            groups: Group::listed().map(GroupHelp::of).collect(),
        });
        return Ok(());
    };
    if let Some(group) = Group::ALL
        .iter()
        .find(|g| g.keyword() == topic || g.title().eq_ignore_ascii_case(topic))
    {
        session.emit(&GroupHelp::of(*group));
        return Ok(());
    }
    match commands::find(topic) {
        Some(def) => {
            session.emit(&CommandHelp::of(def));
            Ok(())
        }
        None if commands::virsh_names::has(topic) => Err(CmdError::msg(format!(
            "command '{topic}' exists in virsh but not yet in virtsh"
        ))),
        None => Err(CmdError::msg(format!(
            "command or command group '{topic}' doesn't exist"
        ))),
    }
}
