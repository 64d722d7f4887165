use serde::Serialize;

use crate::api::flags::{list, snapshot_create as cf, xml};
use crate::commands::values::XmlDocument;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};
use crate::output::render::Render;

pub static DEF: CommandDef = CommandDef {
    name: "snapshot-current",
    group: Group::Snapshot,
    summary: "show or set the current snapshot",
    description: "Print the XML (or with --name the name) of the domain's current \
snapshot, or make the named snapshot current without reverting to it.",
    options: &[
        OptDef::domain_where(list::HAS_SNAPSHOT),
        OptDef::flag("name", "print the name instead of the XML"),
        OptDef::flag(
            "security-info",
            "include security-sensitive information in the XML",
        ),
        OptDef::string("snapshotname", "the snapshot to make current")
            .completes(Complete::Snapshot),
    ],
    needs_connection: true,
    run,
};

/// The current snapshot's name (`--name`); virsh prints it without a newline.
#[derive(Serialize)]
struct CurrentName {
    name: String,
}

impl Render for CurrentName {
    fn text(&self, _quiet: bool) -> String {
        self.name.clone()
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    args.exclusive("name", "snapshotname")?;
    let dom = session.lookup_domain(args, "domain")?;
    let conn = session.conn()?.clone();
    if let Some(name) = args.get("snapshotname")? {
        // Redefining a snapshot with its own XML and CURRENT makes it current.
        let snap = conn.domain_snapshot_lookup_by_name(&dom, name, 0)?;
        let text = conn.domain_snapshot_get_xml_desc(&snap, xml::SECURE)?;
        let mut flags = cf::REDEFINE | cf::CURRENT;
        if text.contains("<state>disk-snapshot</state>") {
            flags |= cf::DISK_ONLY;
        }
        conn.domain_snapshot_create_xml(&dom, &text, flags)?;
        session.print_extra(&format!("Snapshot {name} set as current"));
        return Ok(());
    }
    if !conn.domain_has_current_snapshot(&dom, 0)? {
        // virsh names the domain as the user wrote it.
        return Err(CmdError::msg(format!(
            "domain '{}' has no current snapshot",
            args.req("domain")?
        )));
    }
    let snap = conn.domain_snapshot_current(&dom, 0)?;
    if args.has("name") {
        session.emit(&CurrentName { name: snap.name });
        return Ok(());
    }
    let flags = args.flags(&[("security-info", xml::SECURE)]);
    session.emit(&XmlDocument::new(
        conn.domain_snapshot_get_xml_desc(&snap, flags)?,
    ));
    Ok(())
}
