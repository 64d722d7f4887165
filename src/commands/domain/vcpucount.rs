use crate::api::flags::{affect, vcpu};
use crate::api::{Connection, Domain};
use serde::Serialize;

use crate::commands::{failed, Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::render::Render;

pub static DEF: CommandDef = CommandDef {
    name: "vcpucount",
    group: Group::Domain,
    summary: "show a domain's virtual CPU counts",
    description: "Print the current and maximum virtual CPU counts, live and in the \
next-boot configuration, or just the one selected.",
    options: &[
        OptDef::DOMAIN,
        OptDef::flag("maximum", "the maximum count"),
        OptDef::flag("active", "the current count"),
        OptDef::flag("live", "from the running domain"),
        OptDef::flag("config", "from the next-boot configuration"),
        OptDef::flag("current", "from the domain as it is now"),
        OptDef::flag("guest", "as the guest sees it"),
    ],
    needs_connection: true,
    run,
};

fn count(conn: &Connection, dom: &Domain, flags: u32) -> Result<i32, CmdError> {
    let result = conn.domain_get_vcpus_flags(dom, flags);
    if flags & vcpu::GUEST != 0 {
        return result.map_err(failed("Failed to retrieve vCPU count from the guest"));
    }
    Ok(result?)
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    args.exclusive("live", "config")?;
    args.exclusive("active", "maximum")?;
    args.exclusive("guest", "config")?;
    let dom = session.lookup_domain(args, "domain")?;
    let conn = session.conn()?.clone();
    let selected = ["maximum", "active", "live", "config", "current", "guest"]
        .iter()
        .any(|o| args.has(o));
    if selected {
        let flags = args.flags(&[
            ("live", affect::LIVE),
            ("config", affect::CONFIG),
            ("maximum", vcpu::MAXIMUM),
            ("guest", vcpu::GUEST),
        ]);
        let n = count(&conn, &dom, flags)?;
        session.emit(&Count(n));
        return Ok(());
    }
    let mut counts = VcpuCounts::default();
    for (which, extra) in [
        (&mut counts.maximum, vcpu::MAXIMUM),
        (&mut counts.current, 0),
    ] {
        which.config = count(&conn, &dom, affect::CONFIG | extra)?;
        // A shut-off domain has no live counts.
        if dom.is_active() {
            which.live = Some(count(&conn, &dom, affect::LIVE | extra)?);
        }
    }
    session.emit(&counts);
    Ok(())
}

/// One selected count: a bare JSON number.
#[derive(Serialize)]
#[serde(transparent)]
struct Count(i32);

impl Render for Count {
    fn text(&self, _quiet: bool) -> String {
        format!("{}\n", self.0)
    }
}

/// The table: maximum and current counts, next-boot and live (null while
/// the domain is shut off).
#[derive(Default, Serialize)]
struct VcpuCounts {
    maximum: PlaceCounts,
    current: PlaceCounts,
}

#[derive(Default, Serialize)]
struct PlaceCounts {
    config: i32,
    live: Option<i32>,
}

impl Render for VcpuCounts {
    fn text(&self, _quiet: bool) -> String {
        let mut text = String::new();
        for (which, counts) in [("maximum", &self.maximum), ("current", &self.current)] {
            let rows = [("config", Some(counts.config)), ("live", counts.live)];
            for (place, n) in rows.iter().filter_map(|(p, n)| Some((p, (*n)?))) {
                text.push_str(&format!("{which:<12} {place:<12} {n:>3}\n"));
            }
        }
        text
    }
}
