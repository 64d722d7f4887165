use crate::api::flags::list;
use crate::commands::{failed, Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "managedsave",
    group: Group::Domain,
    summary: "save a domain's state for the next start",
    description: "Save the domain's state where the hypervisor keeps it and stop it; \
the next start resumes from there.",
    options: &[
        OptDef::domain_where(list::ACTIVE),
        OptDef::flag("bypass-cache", "write without the page cache"),
        OptDef::flag("running", "resume it running"),
        OptDef::flag("paused", "resume it paused"),
        OptDef::flag("verbose", "show progress"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let shown = args.req("domain")?;
    session
        .conn()?
        .domain_managed_save(&dom, args.flags(super::save::SAVE_FLAGS))
        .map_err(failed(format!("Failed to save domain '{shown}' state")))?;
    super::report_progress(session, args, "Managedsave");
    session.print_extra(&format!("\nDomain '{shown}' state saved by libvirt\n"));
    Ok(())
}
