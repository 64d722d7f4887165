use serde::Serialize;

use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::render::Render;
use crate::output::table::Table;

pub static DEF: CommandDef = CommandDef {
    name: "domiflist",
    group: Group::Monitor,
    summary: "list a domain's network interfaces",
    description: "List the network interfaces of a domain with their type, source, \
model and MAC address.",
    options: &[
        OptDef::DOMAIN,
        OptDef::flag("inactive", "read the next-boot configuration"),
    ],
    needs_connection: true,
    run,
};

/// One network interface; `null` where virsh shows `-`.
#[derive(Serialize)]
struct Interface {
    interface: Option<String>,
    #[serde(rename = "type")]
    iface_type: String,
    source: Option<String>,
    model: Option<String>,
    mac: String,
}

#[derive(Serialize)]
#[serde(transparent)]
struct InterfaceList(Vec<Interface>);

impl Render for InterfaceList {
    fn text(&self, quiet: bool) -> String {
        let mut table = Table::new(&["Interface", "Type", "Source", "Model", "MAC"]);
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
        for nic in &self.0 {
            table.row(vec![
                or_dash(&nic.interface),
                nic.iface_type.clone(),
                or_dash(&nic.source),
                or_dash(&nic.model),
                nic.mac.clone(),
            ]);
        }
        table.render(quiet)
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let def = super::domain_def(session, &dom, args.has("inactive"))?;
    let interfaces = def
        .interfaces
        .into_iter()
        .map(|nic| Interface {
            interface: nic.target_dev,
            iface_type: nic.iface_type,
            source: nic.source,
            model: nic.model,
            mac: nic.mac,
        })
        .collect();
    session.emit(&InterfaceList(interfaces));
    Ok(())
}
