use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "cd",
    group: Group::Virsh,
    summary: "change the working directory",
    description: "Change the working directory of the shell (interactive mode only).",
    options: &[
        OptDef::string("dir", "directory to change to (default: home, else /)")
            .completes(Complete::Directory),
    ],
    needs_connection: false,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    if !session.interactive {
        return Err(CmdError::msg("cd: command valid only in interactive mode"));
    }
    let dir = match args.get("dir")? {
        Some(d) => d.to_string(),
        None => std::env::var("HOME").unwrap_or_else(|_| "/".to_string()),
    };
    std::env::set_current_dir(&dir)
        .map_err(|e| CmdError::msg(format!("cd: {}: {dir}", crate::error::os_error_text(&e))))
}
