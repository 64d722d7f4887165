use crate::commands::values::XmlDocument;
use crate::commands::{failed, Args, CmdResult, CommandDef, Group, Session};

pub static DEF: CommandDef = CommandDef {
    name: "sysinfo",
    group: Group::Host,
    summary: "print the host's system information",
    description: "Print the hypervisor host's SMBIOS system information as XML.",
    options: &[],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, _args: &Args) -> CmdResult {
    let xml = session
        .conn()?
        .get_sysinfo(0)
        .map_err(failed("failed to get sysinfo"))?;
    session.emit(&XmlDocument::new(xml));
    Ok(())
}
