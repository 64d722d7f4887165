use crate::api::flags::checkpoint_delete as f;
use crate::api::flags::list;
use crate::commands::{failed, Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "checkpoint-delete",
    group: Group::Checkpoint,
    summary: "delete a checkpoint",
    description: "Delete a checkpoint; its children move up to its parent unless \
--children deletes them too or --children-only deletes only them.",
    options: &[
        OptDef::domain_where(list::HAS_CHECKPOINT),
        OptDef::string("checkpointname", "checkpoint name").completes(Complete::Checkpoint),
        OptDef::flag("children", "delete the checkpoint and all its descendants"),
        OptDef::flag(
            "children-only",
            "delete the descendants but not the checkpoint",
        ),
        OptDef::flag(
            "metadata",
            "delete only libvirt's metadata, leaving the bitmaps",
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
    let cp = super::lookup(session, args, &dom, "checkpointname")?;
    let flags = args.flags(FLAGS);
    let name = &cp.name;
    session
        .conn()?
        .domain_checkpoint_delete(&cp, flags)
        .map_err(failed(format!("Failed to delete checkpoint {name}")))?;
    if flags & f::CHILDREN_ONLY != 0 {
        session.print_extra(&format!("Domain checkpoint {name} children deleted\n"));
    } else {
        session.print_extra(&format!("Domain checkpoint {name} deleted\n"));
    }
    Ok(())
}
