use crate::commands::values::Single;
use crate::commands::{failed, Args, CmdResult, CommandDef, Group, Session};

pub static DEF: CommandDef = CommandDef {
    name: "hostname",
    group: Group::Host,
    summary: "print the hypervisor host's name",
    description: "",
    options: &[],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, _args: &Args) -> CmdResult {
    let name = session
        .conn()?
        .get_hostname()
        .map_err(failed("failed to get hostname"))?;
    session.emit(&Single::line("hostname", name));
    Ok(())
}
