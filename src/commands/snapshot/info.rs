use crate::api::flags::list;
use serde::Serialize;

use crate::api::flags::snapshot_list as lf;
use crate::api::ErrorCode;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};
use crate::output::render::Render;

pub static DEF: CommandDef = CommandDef {
    name: "snapshot-info",
    group: Group::Snapshot,
    summary: "show a snapshot's basic information",
    description: "Print whether a snapshot (or the current one) is current, the domain \
state it recorded, where its data lives, its parent, how many children and descendants \
it has and whether libvirt keeps metadata for it.",
    options: &[
        OptDef::domain_where(list::HAS_SNAPSHOT),
        OptDef::string("snapshotname", "snapshot name").completes(Complete::Snapshot),
        OptDef::flag("current", "the current snapshot"),
    ],
    needs_connection: true,
    run,
};

/// What snapshot-info reports; virsh stops at the first thing it cannot
/// learn, so everything after the name may be missing.
#[derive(Serialize, Default)]
struct SnapshotInfo {
    name: String,
    domain: String,
    current: bool,
    state: Option<String>,
    /// `internal` or `external`
    location: Option<&'static str>,
    parent: Option<String>,
    children: Option<usize>,
    descendants: Option<usize>,
    metadata: Option<bool>,
}

impl Render for SnapshotInfo {
    fn text(&self, _quiet: bool) -> String {
        let mut t = String::new();
        let mut line = |label: &str, value: &str| t.push_str(&format!("{label:<15} {value}\n"));
        line("Name:", &self.name);
        line("Domain:", &self.domain);
        line("Current:", yes_no(self.current));
        if let Some(state) = &self.state {
            line("State:", state);
        }
        if let Some(location) = self.location {
            line("Location:", location);
            line("Parent:", self.parent.as_deref().unwrap_or("-"));
        }
        if let Some(n) = self.children {
            line("Children:", &n.to_string());
        }
        if let Some(n) = self.descendants {
            line("Descendants:", &n.to_string());
        }
        if let Some(m) = self.metadata {
            line("Metadata:", yes_no(m));
        }
        t
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let snap = super::lookup(session, args, &dom, "snapshotname", true)?;
    let mut info = SnapshotInfo {
        name: snap.name.clone(),
        domain: dom.name.clone(),
        ..Default::default()
    };
    let outcome = fill(session, &snap, &mut info);
    // What was learnt is shown even when a later step failed.
    session.emit(&info);
    outcome
}

fn fill(
    session: &mut Session,
    snap: &crate::api::DomainSnapshot,
    info: &mut SnapshotInfo,
) -> CmdResult {
    let conn = session.conn()?.clone();
    info.current = conn.domain_snapshot_is_current(snap, 0).unwrap_or(false);
    let xml = conn.domain_snapshot_get_xml_desc(snap, 0)?;
    let doc = super::DocFields::parse(&xml, super::SNAPSHOT_DOC)?;
    let unreadable = || CmdError::msg("unexpected problem reading snapshot xml");
    let state = doc.text(&["state"]).ok_or_else(unreadable)?;
    // With a <memory> element any external part makes it external; older
    // snapshots lack one, and only disk-only ones were external then.
    let external = if doc.exists(&["memory"]) {
        doc.has_attr(&["memory"], "snapshot", "external")
            || doc.has_attr(&["disks", "disk"], "snapshot", "external")
    } else {
        state == "disk-snapshot"
    };
    info.state = Some(state);
    info.location = Some(if external { "external" } else { "internal" });
    info.parent = doc.text(&["parent", "name"]);
    match conn.domain_snapshot_list_all_children(snap, 0) {
        Ok(children) => info.children = Some(children.len()),
        // A server without child listing still gets the rest of the report.
        Err(e) if e.code == ErrorCode::NoSupport => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    info.descendants = Some(
        conn.domain_snapshot_list_all_children(snap, lf::DESCENDANTS)?
            .len(),
    );
    info.metadata = match conn.domain_snapshot_has_metadata(snap, 0) {
        Ok(m) => Some(m),
        // Metadata used to be all or nothing for a domain's snapshots.
        Err(_) => conn
            .domain_list_all_snapshots(&snap.domain, lf::METADATA)
            .ok()
            .map(|l| !l.is_empty()),
    };
    Ok(())
}
