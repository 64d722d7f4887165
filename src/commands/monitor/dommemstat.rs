use crate::api::MEMORY_STAT_NAMES;
use crate::commands::{failed, Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "dommemstat",
    group: Group::Monitor,
    summary: "show a domain's memory statistics",
    description: "Print the guest's memory statistics, or with --period set how often \
the balloon driver collects them.",
    options: &[
        OptDef::DOMAIN,
        OptDef::named_number("period", "collection period in seconds"),
        OptDef::flag("config", "change the next-boot configuration"),
        OptDef::flag("live", "change the running domain"),
        OptDef::flag("current", "change the domain as it is now"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let flags = super::super::domain::affect_flags(args)?;
    let dom = session.lookup_domain(args, "domain")?;
    let conn = session.conn()?.clone();
    if let Some(period) = args.int::<i32>("period")? {
        if period < 0 {
            return Err(CmdError::msg(format!("Invalid collection period value '{period}'")));
        }
        return conn
            .domain_set_memory_stats_period(&dom, period, flags)
            .map_err(failed("Unable to change balloon collection period."));
    }
    let shown = args.req("domain")?;
    let stats = conn
        .domain_memory_stats(&dom, 0)
        .map_err(failed(format!("Failed to get memory statistics for domain {shown}")))?;
    let mut text = String::new();
    for stat in stats {
        if let Some(name) = usize::try_from(stat.tag).ok().and_then(|i| MEMORY_STAT_NAMES.get(i)) {
            text.push_str(&format!("{name} {}\n", stat.value));
        }
    }
    session.print(&text);
    Ok(())
}
