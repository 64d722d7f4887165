use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::table::Table;

pub static DEF: CommandDef = CommandDef {
    name: "domiflist",
    group: Group::Monitor,
    summary: "list a domain's network interfaces",
    description: "List the network interfaces of a domain with their type, source, \
model and MAC address.",
    options: &[OptDef::DOMAIN, OptDef::flag("inactive", "read the next-boot configuration")],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let def = super::domain_def(session, &dom, args.has("inactive"))?;
    let mut table = Table::new(&["Interface", "Type", "Source", "Model", "MAC"]);
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    for nic in &def.interfaces {
        table.row(vec![
            or_dash(&nic.target_dev),
            nic.iface_type.clone(),
            or_dash(&nic.source),
            or_dash(&nic.model),
            nic.mac.clone(),
        ]);
    }
    let text = table.render(session.quiet);
    session.print(&text);
    Ok(())
}
