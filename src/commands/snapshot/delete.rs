use crate::api::flags::list;
use crate::api::flags::snapshot_delete as f;
use crate::commands::{failed, Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "snapshot-delete",
    group: Group::Snapshot,
    summary: "delete a snapshot",
    description: "Delete a snapshot (or the current one); its children move up to its \
parent unless --children deletes them too or --children-only deletes only them.",
    options: &[
        OptDef::domain_where(list::HAS_SNAPSHOT),
        OptDef::string("snapshotname", "snapshot name").completes(Complete::Snapshot),
        OptDef::flag("current", "delete the current snapshot"),
        OptDef::flag("children", "delete the snapshot and all its descendants"),
        OptDef::flag(
            "children-only",
            "delete the descendants but not the snapshot",
        ),
        OptDef::flag(
            "metadata",
            "delete only libvirt's metadata, leaving the data behind",
        ),
    ],
    needs_connection: true,
    run,
};

const FLAGS: &[(&str, u32)] = &[
    ("children", f::CHILDREN),
    ("children-only", f::CHILDREN_ONLY),
    ("metadata", f::METADATA_ONLY),
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let snap = super::lookup(session, args, &dom, "snapshotname", true)?;
    let flags = args.flags(FLAGS);
    let name = &snap.name;
    session
        .conn()?
        .domain_snapshot_delete(&snap, flags)
        .map_err(failed(format!("Failed to delete snapshot {name}")))?;
    if flags & f::CHILDREN_ONLY != 0 {
        session.print_extra(&format!("Domain snapshot {name} children deleted\n"));
    } else {
        session.print_extra(&format!("Domain snapshot {name} deleted\n"));
    }
    Ok(())
}
