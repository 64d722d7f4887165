use crate::api::flags::list;
use crate::api::flags::snapshot_list as f;
use crate::commands::moment_list::{Layout, MomentEntry, MomentListing};
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};
use crate::output::render::Format;

pub static DEF: CommandDef = CommandDef {
    name: "snapshot-list",
    group: Group::Snapshot,
    summary: "list a domain's snapshots",
    description: "List a domain's snapshots as a table, as names or as a tree, \
optionally only some of them: roots, leaves, those below a snapshot, or by the state \
and storage they recorded.",
    options: &[
        OptDef::domain_where(list::HAS_SNAPSHOT),
        OptDef::flag("parent", "add a column with each snapshot's parent"),
        OptDef::flag("roots", "only snapshots without a parent"),
        OptDef::flag("leaves", "only snapshots without children"),
        OptDef::flag("no-leaves", "only snapshots with children"),
        OptDef::flag("metadata", "only snapshots with libvirt metadata"),
        OptDef::flag("no-metadata", "only snapshots without libvirt metadata"),
        OptDef::flag("inactive", "only snapshots taken while the domain was off"),
        OptDef::flag("active", "only snapshots taken while it ran (with memory)"),
        OptDef::flag("disk-only", "only disk-only snapshots"),
        OptDef::flag("internal", "only internal snapshots"),
        OptDef::flag("external", "only external snapshots"),
        OptDef::flag("tree", "draw the snapshots as a tree"),
        OptDef::string("from", "only the children of this snapshot").completes(Complete::Snapshot),
        OptDef::flag("current", "only the children of the current snapshot"),
        OptDef::flag("descendants", "with --from or --current, all descendants"),
        OptDef::flag("name", "print only the names"),
        OptDef::flag("topological", "parents before children instead of by name"),
    ],
    needs_connection: true,
    run,
};

/// Filters that --tree refuses, in virsh's order, with their flags.
const FILTERS: &[(&str, u32)] = &[
    ("leaves", f::LEAVES),
    ("no-leaves", f::NO_LEAVES),
    ("inactive", f::INACTIVE),
    ("active", f::ACTIVE),
    ("disk-only", f::DISK_ONLY),
    ("internal", f::INTERNAL),
    ("external", f::EXTERNAL),
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    for (a, b) in [
        ("tree", "name"),
        ("parent", "roots"),
        ("parent", "tree"),
        ("roots", "tree"),
        ("roots", "from"),
        ("roots", "current"),
    ] {
        args.exclusive(a, b)?;
    }
    let tree = args.has("tree");
    if let Some((name, _)) = FILTERS.iter().find(|(name, _)| tree && args.has(name)) {
        return Err(CmdError::msg(format!(
            "--{name} and --tree are mutually exclusive"
        )));
    }
    let mut flags = args.flags(FILTERS)
        | args.flags(&[
            ("topological", f::TOPOLOGICAL),
            ("roots", f::ROOTS),
            ("metadata", f::METADATA),
            ("no-metadata", f::NO_METADATA),
        ]);
    let from = args.has("from") || args.has("current");
    if args.has("descendants") {
        if !from {
            return Err(CmdError::msg(
                "--descendants requires either --from or --current",
            ));
        }
        flags |= f::DESCENDANTS;
    }
    let dom = session.lookup_domain(args, "domain")?;
    let start = if from {
        Some(super::lookup(session, args, &dom, "from", true)?)
    } else {
        None
    };
    let conn = session.conn()?.clone();
    let listed = super::collect(&conn, &dom, start.as_ref(), flags, tree)?;
    let layout = match (tree, args.has("name")) {
        (true, _) => Layout::Tree,
        (_, true) => Layout::Names,
        _ => Layout::Table {
            parent: args.has("parent"),
        },
    };
    let details = session.format == Format::Json || matches!(layout, Layout::Table { .. });
    let entries = listed
        .into_iter()
        .map(|l| {
            let mut e = MomentEntry::new(&l.snap.name, l.parent);
            if details {
                let xml = conn.domain_snapshot_get_xml_desc(&l.snap, 0).ok();
                if let Some(doc) =
                    xml.and_then(|x| super::DocFields::parse(&x, super::SNAPSHOT_DOC).ok())
                {
                    e.state = doc.text(&["state"]);
                    e.creation_time = doc.number(&["creationTime"]);
                    e.parent = doc.text(&["parent", "name"]);
                }
            }
            e
        })
        .collect();
    session.emit(&MomentListing {
        entries,
        layout,
        with_state: true,
    });
    Ok(())
}
