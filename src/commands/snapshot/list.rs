use serde::Serialize;

use crate::api::flags::snapshot_list as f;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};
use crate::output::render::{rfc3339, Format, Render};
use crate::output::table::Table;
use crate::output::tree::{forest, TreeNode};

pub static DEF: CommandDef = CommandDef {
    name: "snapshot-list",
    group: Group::Snapshot,
    summary: "list a domain's snapshots",
    description: "List a domain's snapshots as a table, as names or as a tree, \
optionally only some of them: roots, leaves, those below a snapshot, or by the state \
and storage they recorded.",
    options: &[
        OptDef::DOMAIN,
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

/// One listed snapshot. Details come from its XML, which the tree and name
/// layouts do not need (so text output does not ask for it there).
#[derive(Serialize)]
struct Entry {
    name: String,
    #[serde(serialize_with = "time_json")]
    creation_time: Option<i64>,
    state: Option<String>,
    parent: Option<String>,
    /// The parent as the tree is drawn: none for a root, or for `--from`'s start.
    #[serde(skip)]
    tree_parent: Option<String>,
}

fn time_json<S: serde::Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    t.map(rfc3339).serialize(s)
}

#[derive(Clone, Copy, PartialEq)]
enum Layout {
    Table { parent: bool },
    Names,
    Tree,
}

#[derive(Serialize)]
#[serde(transparent)]
struct Listing {
    entries: Vec<Entry>,
    #[serde(skip)]
    layout: Layout,
}

impl Render for Listing {
    fn text(&self, quiet: bool) -> String {
        match self.layout {
            Layout::Tree => {
                let nodes: Vec<TreeNode> = self
                    .entries
                    .iter()
                    .map(|e| TreeNode { name: &e.name, parent: e.tree_parent.as_deref() })
                    .collect();
                forest(&nodes)
            }
            Layout::Names => self.entries.iter().map(|e| format!("{}\n", e.name)).collect(),
            Layout::Table { parent } => {
                let mut header = vec!["Name", "Creation Time", "State"];
                if parent {
                    header.push("Parent");
                }
                let mut table = Table::new(&header);
                // virsh leaves out a snapshot whose XML it could not read.
                for e in &self.entries {
                    let (Some(time), Some(state)) = (e.creation_time, &e.state) else { continue };
                    let mut row = vec![e.name.clone(), crate::output::time::local(time, "%Y-%m-%d %H:%M:%S %z"), state.clone()];
                    if parent {
                        row.push(e.parent.clone().unwrap_or_default());
                    }
                    table.row(row);
                }
                table.render(quiet)
            }
        }
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    for (a, b) in [("tree", "name"), ("parent", "roots"), ("parent", "tree"), ("roots", "tree"), ("roots", "from"), ("roots", "current")] {
        args.exclusive(a, b)?;
    }
    let tree = args.has("tree");
    if let Some((name, _)) = FILTERS.iter().find(|(name, _)| tree && args.has(name)) {
        return Err(CmdError::msg(format!("--{name} and --tree are mutually exclusive")));
    }
    let mut flags = args.flags(FILTERS)
        | args.flags(&[("topological", f::TOPOLOGICAL), ("roots", f::ROOTS), ("metadata", f::METADATA), ("no-metadata", f::NO_METADATA)]);
    let from = args.has("from") || args.has("current");
    if args.has("descendants") {
        if !from {
            return Err(CmdError::msg("--descendants requires either --from or --current"));
        }
        flags |= f::DESCENDANTS;
    }
    let dom = session.lookup_domain(args, "domain")?;
    let start = if from { Some(super::lookup(session, args, &dom, "from", true)?) } else { None };
    let conn = session.conn()?.clone();
    let listed = super::collect(&conn, &dom, start.as_ref(), flags, tree)?;
    let layout = match (tree, args.has("name")) {
        (true, _) => Layout::Tree,
        (_, true) => Layout::Names,
        _ => Layout::Table { parent: args.has("parent") },
    };
    let details = session.format == Format::Json || matches!(layout, Layout::Table { .. });
    let entries = listed
        .into_iter()
        .map(|l| {
            let mut e = Entry { name: l.snap.name.clone(), creation_time: None, state: None, parent: None, tree_parent: l.parent };
            if details {
                let xml = conn.domain_snapshot_get_xml_desc(&l.snap, 0).ok();
                if let Some(doc) = xml.and_then(|x| super::DocFields::parse(&x, super::SNAPSHOT_DOC).ok()) {
                    e.state = doc.text(&["state"]);
                    e.creation_time = doc.number(&["creationTime"]);
                    e.parent = doc.text(&["parent", "name"]);
                }
            }
            e
        })
        .collect();
    session.emit(&Listing { entries, layout });
    Ok(())
}
