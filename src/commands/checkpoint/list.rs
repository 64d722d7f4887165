use crate::api::flags::checkpoint_list as f;
use crate::api::flags::list;
use crate::commands::moment_list::{Layout, MomentEntry, MomentListing};
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};
use crate::output::render::Format;

pub static DEF: CommandDef = CommandDef {
    name: "checkpoint-list",
    group: Group::Checkpoint,
    summary: "list a domain's checkpoints",
    description: "List a domain's checkpoints as a table, as names or as a tree, \
optionally only roots, leaves or those below a checkpoint.",
    options: &[
        OptDef::domain_where(list::HAS_CHECKPOINT),
        OptDef::flag("parent", "add a column with each checkpoint's parent"),
        OptDef::flag("roots", "only checkpoints without a parent"),
        OptDef::flag("leaves", "only checkpoints without children"),
        OptDef::flag("no-leaves", "only checkpoints with children"),
        OptDef::flag("tree", "draw the checkpoints as a tree"),
        OptDef::string("from", "only the children of this checkpoint")
            .completes(Complete::Checkpoint),
        OptDef::flag("descendants", "with --from, all descendants"),
        OptDef::flag("name", "print only the names"),
        OptDef::flag("topological", "parents before children instead of by name"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    for (a, b) in [
        ("tree", "name"),
        ("parent", "roots"),
        ("parent", "tree"),
        ("roots", "tree"),
        ("roots", "from"),
    ] {
        args.exclusive(a, b)?;
    }
    let tree = args.has("tree");
    if let Some(name) = ["leaves", "no-leaves"]
        .into_iter()
        .find(|name| tree && args.has(name))
    {
        return Err(CmdError::msg(format!(
            "--{name} and --tree are mutually exclusive"
        )));
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
    let start = if args.has("from") {
        Some(super::lookup(session, args, &dom, "from")?)
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
            let mut e = MomentEntry::new(&l.cp.name, l.parent);
            if details {
                let xml = conn.domain_checkpoint_get_xml_desc(&l.cp, 0).ok();
                if let Some(doc) = xml.and_then(|x| {
                    crate::commands::snapshot::DocFields::parse(&x, super::CHECKPOINT_DOC).ok()
                }) {
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
        with_state: false,
    });
    Ok(())
}
