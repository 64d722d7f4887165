use crate::api::flags::list;
use crate::commands::snapshot::parent::ParentName;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "checkpoint-parent",
    group: Group::Checkpoint,
    summary: "print the name of a checkpoint's parent",
    description: "Print the name of the parent of a checkpoint.",
    options: &[
        OptDef::domain_where(list::HAS_CHECKPOINT),
        OptDef::string("checkpointname", "the checkpoint whose parent to print")
            .completes(Complete::Checkpoint),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let cp = super::lookup(session, args, &dom, "checkpointname")?;
    let parent = super::parent_name(session.conn()?, &cp)?
        .ok_or_else(|| CmdError::msg(format!("checkpoint '{}' has no parent", cp.name)))?;
    session.emit(&ParentName { parent });
    Ok(())
}
