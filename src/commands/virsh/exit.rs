use crate::commands::{CommandDef, Group};

pub static DEF: CommandDef = CommandDef {
    name: "exit",
    group: Group::Virsh,
    summary: "leave the interactive shell",
    description: "Leave the shell; commands after it are not run.",
    options: &[],
    needs_connection: false,
    run: super::quit::run,
};
