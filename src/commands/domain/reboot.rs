use crate::api::flags::list;
use crate::commands::{Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "reboot",
    group: Group::Domain,
    summary: "ask a domain to reboot",
    description: "Ask the guest to reboot; the command returns before it has finished.",
    options: &[
        OptDef::domain_where(list::ACTIVE),
        OptDef::string(
            "mode",
            "comma-separated methods: acpi, agent, initctl, signal, paravirt",
        )
        .completes(Complete::Choices(super::shutdown::MODES)),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let flags = super::shutdown::mode_flags(args, "'signal' or 'paravirt'")?;
    super::domain_action(session, args, "reboot", "is being rebooted", |c, d| {
        c.domain_reboot(d, flags)
    })
}
