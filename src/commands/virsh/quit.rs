use crate::commands::{Args, CmdResult, CommandDef, Group, Session};

pub static DEF: CommandDef = CommandDef {
    name: "quit",
    group: Group::Virsh,
    summary: "leave the interactive shell",
    description: "Leave the shell; commands after it are not run.",
    options: &[],
    needs_connection: false,
    run,
};

/// The runner stops at `quit`; the command itself has nothing to do.
pub fn run(_session: &mut Session, _args: &Args) -> CmdResult {
    Ok(())
}
