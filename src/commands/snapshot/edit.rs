use crate::api::flags::{list, snapshot_create as cf, snapshot_delete as df, xml};
use crate::commands::editor::{edit_object, Edited};
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "snapshot-edit",
    group: Group::Snapshot,
    summary: "edit a snapshot's XML in your editor",
    description: "Open a snapshot's XML (or the current one's) in $VISUAL or $EDITOR \
and redefine the snapshot from the result; a new name needs --rename or --clone.",
    options: &[
        OptDef::domain_where(list::HAS_SNAPSHOT),
        OptDef::string("snapshotname", "snapshot name").completes(Complete::Snapshot),
        OptDef::flag("current", "also make the edited snapshot current"),
        OptDef::flag("rename", "allow renaming the snapshot"),
        OptDef::flag("clone", "allow copying it under a new name"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    args.exclusive("rename", "clone")?;
    let (rename, clone) = (args.has("rename"), args.has("clone"));
    let mut flags = cf::REDEFINE;
    if args.has("current") && args.has("snapshotname") {
        flags |= cf::CURRENT;
    }
    let dom = session.lookup_domain(args, "domain")?;
    let snap = super::lookup(session, args, &dom, "snapshotname", false)?;
    let name = snap.name.clone();
    let failure = format!("Failed to update {name}");
    let conn = session.conn()?.clone();
    let outcome = edit_object(
        session,
        &failure,
        flags & cf::CURRENT != 0,
        &mut || conn.domain_snapshot_get_xml_desc(&snap, xml::SECURE),
        &mut |original, edited| {
            // A disk-only snapshot can only be redefined as one.
            if original.contains("<state>disk-snapshot</state>") {
                flags |= cf::DISK_ONLY;
            }
            conn.domain_snapshot_create_xml(&dom, edited, flags)
        },
    )?;
    let edited = match outcome {
        Edited::Unchanged => {
            session.print_extra(&format!("Snapshot {name} XML configuration not changed.\n"));
            return Ok(());
        }
        Edited::Defined(edited) => edited,
    };
    if edited.name == name {
        session.print_extra(&format!("Snapshot {name} edited.\n"));
    } else if clone {
        session.print_extra(&format!("Snapshot {name} cloned to {}.\n", edited.name));
    } else {
        // The redefinition made a second snapshot: drop the old one for a
        // rename, or the new one when renaming was not allowed.
        let dropped = if rename { &snap } else { &edited };
        conn.domain_snapshot_delete(dropped, df::METADATA_ONLY)
            .map_err(|e| {
                CmdError::from(e)
                    .also(format!("Failed to clean up {}", dropped.name))
                    .also(failure.clone())
            })?;
        if !rename {
            return Err(CmdError::msg(format!(
                "Must use --rename or --clone to change {name} to {}",
                edited.name
            ))
            .also(failure));
        }
    }
    Ok(())
}
