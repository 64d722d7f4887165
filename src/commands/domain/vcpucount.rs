use crate::api::flags::{affect, vcpu};
use crate::api::{Connection, Domain};
use crate::commands::{failed, Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};

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
        session.print(&format!("{n}\n"));
        return Ok(());
    }
    let mut text = String::new();
    for (which, extra) in [("maximum", vcpu::MAXIMUM), ("current", 0)] {
        for (place, flag) in [("config", affect::CONFIG), ("live", affect::LIVE)] {
            // A shut-off domain has no live counts; those rows are left out.
            if flag == affect::LIVE && !dom.is_active() {
                continue;
            }
            let n = count(&conn, &dom, flag | extra)?;
            text.push_str(&format!("{which:<12} {place:<12} {n:>3}\n"));
        }
    }
    session.print(&text);
    Ok(())
}
