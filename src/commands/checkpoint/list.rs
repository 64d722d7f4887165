use serde::Serialize;

use crate::api::flags::checkpoint_list as f;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};
use crate::output::render::{rfc3339, Format, Render};
use crate::output::table::Table;
use crate::output::tree::{forest, TreeNode};

pub static DEF: CommandDef = CommandDef {
    name: "checkpoint-list",
    group: Group::Checkpoint,
    summary: "list a domain's checkpoints",
    description: "List a domain's checkpoints as a table, as names or as a tree, \
optionally only roots, leaves or those below a checkpoint.",
    options: &[
        OptDef::DOMAIN,
        OptDef::flag("parent", "add a column with each checkpoint's parent"),
        OptDef::flag("roots", "only checkpoints without a parent"),
        OptDef::flag("leaves", "only checkpoints without children"),
        OptDef::flag("no-leaves", "only checkpoints with children"),
        OptDef::flag("tree", "draw the checkpoints as a tree"),
        OptDef::string("from", "only the children of this checkpoint").completes(Complete::Checkpoint),
        OptDef::flag("descendants", "with --from, all descendants"),
        OptDef::flag("name", "print only the names"),
        OptDef::flag("topological", "parents before children instead of by name"),
    ],
    needs_connection: true,
    run,
};

/// One listed checkpoint. Details come from its XML, which the tree and
/// name layouts do not need (so text output does not ask for it there).
#[derive(Serialize)]
struct Entry {
    name: String,
    #[serde(serialize_with = "time_json")]
    creation_time: Option<i64>,
    parent: Option<String>,
    /// The parent as the tree is drawn: none for a root, or for `--from`'s start.
    #[serde(skip)]
    tree_parent: Option<String>,
}

fn time_json<S: serde::Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    t.map(rfc3339).serialize(s)
}

#[derive(Clone, Copy)]
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
                let nodes: Vec<TreeNode> =
                    self.entries.iter().map(|e| TreeNode { name: &e.name, parent: e.tree_parent.as_deref() }).collect();
                forest(&nodes)
            }
            Layout::Names => self.entries.iter().map(|e| format!("{}\n", e.name)).collect(),
            Layout::Table { parent } => {
                let mut header = vec!["Name", "Creation Time"];
                if parent {
                    header.push("Parent");
                }
                let mut table = Table::new(&header);
                // virsh leaves out a checkpoint whose XML it could not read.
                for e in &self.entries {
                    let Some(time) = e.creation_time else { continue };
                    let mut row = vec![e.name.clone(), crate::output::time::local(time, "%Y-%m-%d %H:%M:%S %z")];
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
    for (a, b) in [("tree", "name"), ("parent", "roots"), ("parent", "tree"), ("roots", "tree"), ("roots", "from")] {
        args.exclusive(a, b)?;
    }
    let tree = args.has("tree");
    if let Some(name) = ["leaves", "no-leaves"].into_iter().find(|name| tree && args.has(name)) {
        return Err(CmdError::msg(format!("--{name} and --tree are mutually exclusive")));
    }
    let mut flags = args.flags(&[
        ("leaves", f::LEAVES),
        ("no-leaves", f::NO_LEAVES),
        ("topological", f::TOPOLOGICAL),
        ("roots", f::ROOTS),
    ]);
    if args.has("descendants") {
        if !args.has("from") {
            return Err(CmdError::msg("--descendants requires --from"));
        }
        flags |= f::DESCENDANTS;
    }
    let dom = session.lookup_domain(args, "domain")?;
    let start = if args.has("from") { Some(super::lookup(session, args, &dom, "from")?) } else { None };
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
            let mut e = Entry { name: l.cp.name.clone(), creation_time: None, parent: None, tree_parent: l.parent };
            if details {
                let xml = conn.domain_checkpoint_get_xml_desc(&l.cp, 0).ok();
                if let Some(doc) = xml.and_then(|x| crate::commands::snapshot::DocFields::parse(&x, super::CHECKPOINT_DOC).ok()) {
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
