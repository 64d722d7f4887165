use crate::api::flags::list;
use crate::api::flags::shutdown as f;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "shutdown",
    group: Group::Domain,
    summary: "ask a domain to shut down",
    description: "Ask the guest to shut down; the command returns before it has finished.",
    options: &[
        OptDef::domain_where(list::ACTIVE),
        OptDef::string(
            "mode",
            "comma-separated methods: acpi, agent, initctl, signal, paravirt",
        )
        .completes(Complete::Choices(MODES)),
    ],
    needs_connection: true,
    run,
};

pub const MODES: &[&str] = &["acpi", "agent", "initctl", "signal", "paravirt"];

/// Turns a `--mode` list into flags, as `shutdown` and `reboot` accept it;
/// `last_two` is how each command's error message ends the list of modes.
pub fn mode_flags(args: &Args, last_two: &str) -> Result<u32, CmdError> {
    let Some(modes) = args.get("mode")? else {
        return Ok(0);
    };
    let mut flags = 0;
    for mode in modes.split(',') {
        flags |= match mode {
            "acpi" => f::ACPI_POWER_BTN,
            "agent" => f::GUEST_AGENT,
            "initctl" => f::INITCTL,
            "signal" => f::SIGNAL,
            "paravirt" => f::PARAVIRT,
            other => {
                return Err(CmdError::msg(format!(
                    "Unknown mode {other} value, expecting 'acpi', 'agent', 'initctl', {last_two}"
                )))
            }
        };
    }
    Ok(flags)
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let flags = mode_flags(args, "'signal', or 'paravirt'")?;
    super::domain_action(session, args, "shutdown", "is being shutdown", |c, d| {
        c.domain_shutdown(d, flags)
    })
}
