use crate::api::flags::hostname as f;
use crate::api::flags::list;
use crate::commands::values::Single;
use crate::commands::{
    failed, Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session,
};

pub static DEF: CommandDef = CommandDef {
    name: "domhostname",
    group: Group::Domain,
    summary: "print a domain's hostname",
    description: "Print the guest's hostname, from the guest agent or DHCP leases.",
    options: &[
        OptDef::domain_where(list::ACTIVE),
        OptDef::string("source", "where to ask: lease or agent")
            .completes(Complete::Choices(&["agent", "lease"])),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let flags = match args.get("source")? {
        None => 0,
        Some("lease") => f::LEASE,
        Some("agent") => f::AGENT,
        Some(other) => return Err(CmdError::msg(format!("Unknown data source '{other}'"))),
    };
    let name = session
        .conn()?
        .domain_get_hostname(&dom, flags)
        .map_err(failed("failed to get hostname"))?;
    session.emit(&Single::line("hostname", name));
    Ok(())
}
