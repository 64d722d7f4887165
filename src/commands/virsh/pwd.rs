use crate::commands::values::Single;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Group, Session};

pub static DEF: CommandDef = CommandDef {
    name: "pwd",
    group: Group::Virsh,
    summary: "print the working directory",
    description: "Print the shell's working directory.",
    options: &[],
    needs_connection: false,
    run,
};

fn run(session: &mut Session, _args: &Args) -> CmdResult {
    let dir = std::env::current_dir().map_err(|e| {
        CmdError::msg(format!(
            "pwd: cannot get current directory: {}",
            crate::error::os_error_text(&e)
        ))
    })?;
    session.emit(&Single::line("directory", dir.display().to_string()));
    Ok(())
}
