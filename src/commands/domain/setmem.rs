use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "setmem",
    group: Group::Domain,
    summary: "change a domain's memory allocation",
    description: "Change how much memory the domain may use (the balloon target).",
    options: &[
        OptDef::DOMAIN,
        OptDef::data_number("size", "new size, a scaled integer (default KiB)"),
        OptDef::alias("kilobytes", "size"),
        super::AFFECT_OPTIONS[0],
        super::AFFECT_OPTIONS[1],
        super::AFFECT_OPTIONS[2],
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    // With no --config/--live/--current virsh changes the running domain.
    let flags = match super::affect_flags(args)? {
        0 if !args.has("current") => crate::api::flags::affect::LIVE,
        f => f,
    };
    let dom = session.lookup_domain(args, "domain")?;
    let kib = super::kib_option(args)?;
    session.conn()?.domain_set_memory_flags(&dom, kib, flags)?;
    Ok(())
}
