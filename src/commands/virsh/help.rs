use crate::commands::{self, Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};
use crate::shell::usage;

pub static DEF: CommandDef = CommandDef {
    name: "help",
    group: Group::Virsh,
    summary: "show help",
    description: "List every command by group, the commands of one group, or the \
details of one command.",
    options: &[OptDef::string("command", "a command name or group keyword")
        .completes(Complete::Command)],
    needs_connection: false,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let Some(topic) = args.get("command")? else {
        let mut text = String::from("Grouped commands:\n\n");
        for group in Group::listed() {
            text.push_str(&format!(" {} (help keyword '{}'):\n", group.title(), group.keyword()));
            text.push_str(&usage::group_lines(group));
            text.push('\n');
        }
        session.print(&text);
        return Ok(());
    };
    if let Some(group) = Group::ALL
        .iter()
        .find(|g| g.keyword() == topic || g.title().eq_ignore_ascii_case(topic))
    {
        let text = format!(
            " {} (help keyword '{}'):\n{}\n",
            group.title(),
            group.keyword(),
            usage::group_lines(*group)
        );
        session.print(&text);
        return Ok(());
    }
    match commands::find(topic) {
        Some(def) => {
            session.print(&usage::command_help(def));
            Ok(())
        }
        None => Err(CmdError::msg(format!("command or command group '{topic}' doesn't exist"))),
    }
}
