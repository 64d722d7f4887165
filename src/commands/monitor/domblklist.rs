use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::table::Table;

pub static DEF: CommandDef = CommandDef {
    name: "domblklist",
    group: Group::Monitor,
    summary: "list a domain's block devices",
    description: "List the disks of a domain: target and source, and with --details \
their type and device kind.",
    options: &[
        OptDef::DOMAIN,
        OptDef::flag("inactive", "read the next-boot configuration"),
        OptDef::flag("details", "add the type and device columns"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let def = super::domain_def(session, &dom, args.has("inactive"))?;
    let details = args.has("details");
    let mut table = if details {
        Table::new(&["Type", "Device", "Target", "Source"])
    } else {
        Table::new(&["Target", "Source"])
    };
    for disk in &def.disks {
        let source = disk.source.clone().unwrap_or_else(|| "-".to_string());
        if details {
            table.row(vec![disk.disk_type.clone(), disk.device.clone(), disk.target_dev.clone(), source]);
        } else {
            table.row(vec![disk.target_dev.clone(), source]);
        }
    }
    let text = table.render(session.quiet);
    session.print(&text);
    Ok(())
}
