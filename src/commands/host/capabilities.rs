use crate::commands::values::XmlDocument;
use crate::commands::{failed, Args, CmdResult, CommandDef, Group, Session};

pub static DEF: CommandDef = CommandDef {
    name: "capabilities",
    group: Group::Host,
    summary: "describe what the hypervisor offers",
    description: "Print the capabilities of the hypervisor and its host as XML.",
    options: &[],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, _args: &Args) -> CmdResult {
    let xml = session
        .conn()?
        .get_capabilities()
        .map_err(failed("failed to get capabilities"))?;
    session.emit(&XmlDocument::line(xml));
    Ok(())
}
