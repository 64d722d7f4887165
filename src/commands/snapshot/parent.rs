use crate::api::flags::list;
use serde::Serialize;

use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};
use crate::output::render::Render;

pub static DEF: CommandDef = CommandDef {
    name: "snapshot-parent",
    group: Group::Snapshot,
    summary: "print the name of a snapshot's parent",
    description: "Print the name of the parent of a snapshot (or of the current one).",
    options: &[
        OptDef::domain_where(list::HAS_SNAPSHOT),
        OptDef::string("snapshotname", "the snapshot whose parent to print")
            .completes(Complete::Snapshot),
        OptDef::flag("current", "the parent of the current snapshot"),
    ],
    needs_connection: true,
    run,
};

/// The parent's name; virsh prints it without a newline.
#[derive(Serialize)]
pub struct ParentName {
    pub parent: String,
}

impl Render for ParentName {
    fn text(&self, _quiet: bool) -> String {
        self.parent.clone()
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let snap = super::lookup(session, args, &dom, "snapshotname", true)?;
    let parent = super::parent_name(session.conn()?, &snap)?
        .ok_or_else(|| CmdError::msg(format!("snapshot '{}' has no parent", snap.name)))?;
    session.emit(&ParentName { parent });
    Ok(())
}
