use crate::api::flags::mem;
use crate::commands::{failed, Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "setmaxmem",
    group: Group::Domain,
    summary: "change a domain's maximum memory",
    description: "Change the most memory the domain may ever be given.",
    options: &[
        OptDef::DOMAIN,
        OptDef::data_number("size", "new maximum, a scaled integer (default KiB)"),
        OptDef::alias("kilobytes", "size"),
        super::AFFECT_OPTIONS[0],
        super::AFFECT_OPTIONS[1],
        super::AFFECT_OPTIONS[2],
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let flags = super::affect_flags(args)?;
    let dom = session.lookup_domain(args, "domain")?;
    let kib = super::kib_option(args)?;
    // With or without flags, virsh 9.0 makes the flagged call, whose name errors carry.
    session
        .conn()?
        .domain_set_memory_flags(&dom, kib, flags | mem::MAXIMUM)
        .map_err(failed("Unable to change MaxMemorySize"))
}
