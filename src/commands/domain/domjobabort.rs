use crate::api::flags::abort_job;
use crate::api::flags::list;
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "domjobabort",
    group: Group::Domain,
    summary: "abort a domain's running job",
    description: "Abort the job the domain is running (a save, migration or backup).",
    options: &[
        OptDef::domain_where(list::ACTIVE),
        OptDef::flag("postcopy", "interrupt a post-copy migration"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let flags = args.flags(&[("postcopy", abort_job::POSTCOPY)]);
    session.conn()?.domain_abort_job(&dom, flags)?;
    Ok(())
}
