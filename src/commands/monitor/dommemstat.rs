use crate::api::flags::list;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::api::MEMORY_STAT_NAMES;
use crate::commands::{failed, Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::render::{rfc3339, Render};

pub static DEF: CommandDef = CommandDef {
    name: "dommemstat",
    group: Group::Monitor,
    summary: "show a domain's memory statistics",
    description: "Print the guest's memory statistics, or with --period set how often \
the balloon driver collects them.",
    options: &[
        OptDef::domain_where(list::ACTIVE),
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
            return Err(CmdError::msg(format!(
                "Invalid collection period value '{period}'"
            )));
        }
        return conn
            .domain_set_memory_stats_period(&dom, period, flags)
            .map_err(failed("Unable to change balloon collection period."));
    }
    let shown = args.req("domain")?;
    let stats = conn.domain_memory_stats(&dom, 0).map_err(failed(format!(
        "Failed to get memory statistics for domain {shown}"
    )))?;
    let stats = stats
        .into_iter()
        .filter_map(|stat| {
            let name = usize::try_from(stat.tag)
                .ok()
                .and_then(|i| MEMORY_STAT_NAMES.get(i))?;
            Some((*name, stat.value))
        })
        .collect();
    session.emit(&MemoryStats(stats));
    Ok(())
}

/// Statistics by virsh's names, in the driver's order. JSON keeps the names;
/// amounts libvirt gives in KiB become bytes and `last_update` an RFC 3339 time.
struct MemoryStats(Vec<(&'static str, u64)>);

/// The statistics libvirt reports in KiB (the rest are counts, and a time).
const KIB_STATS: &[&str] = &[
    "swap_in",
    "swap_out",
    "unused",
    "available",
    "actual",
    "rss",
    "usable",
    "disk_caches",
];

impl Serialize for MemoryStats {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            if KIB_STATS.contains(name) {
                map.serialize_entry(name, &value.saturating_mul(1024))?;
            } else if *name == "last_update" {
                map.serialize_entry(name, &rfc3339(i64::try_from(*value).unwrap_or(i64::MAX)))?;
            } else {
                map.serialize_entry(name, value)?;
            }
        }
        map.end()
    }
}

impl Render for MemoryStats {
    fn text(&self, _quiet: bool) -> String {
        self.0
            .iter()
            .map(|(name, value)| format!("{name} {value}\n"))
            .collect()
    }
}
