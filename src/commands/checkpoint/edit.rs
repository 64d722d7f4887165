use crate::api::flags::{
    checkpoint_create as cf, checkpoint_delete as df, checkpoint_xml as xf, list,
};
use crate::commands::editor::{edit_object, Edited};
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "checkpoint-edit",
    group: Group::Checkpoint,
    summary: "edit a checkpoint's XML in your editor",
    description: "Open a checkpoint's XML in $VISUAL or $EDITOR and redefine the \
checkpoint from the result; its name cannot change.",
    options: &[
        OptDef::domain_where(list::HAS_CHECKPOINT),
        OptDef::string("checkpointname", "checkpoint name").completes(Complete::Checkpoint),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let cp = super::lookup(session, args, &dom, "checkpointname")?;
    let name = cp.name.clone();
    let failure = format!("Failed to update {name}");
    let conn = session.conn()?.clone();
    let outcome = edit_object(
        session,
        &failure,
        false,
        &mut || conn.domain_checkpoint_get_xml_desc(&cp, xf::SECURE),
        &mut |_, edited| conn.domain_checkpoint_create_xml(&dom, edited, cf::REDEFINE),
    )?;
    let edited = match outcome {
        Edited::Unchanged => {
            session.print_extra(&format!(
                "Checkpoint {name} XML configuration not changed.\n"
            ));
            return Ok(());
        }
        Edited::Defined(edited) => edited,
    };
    if edited.name != name {
        // The redefinition made a second checkpoint; take it back.
        conn.domain_checkpoint_delete(&edited, df::METADATA_ONLY)
            .map_err(|e| {
                CmdError::from(e)
                    .also(format!("Failed to clean up {}", edited.name))
                    .also(failure.clone())
            })?;
        return Err(CmdError::msg(format!(
            "Cannot rename checkpoint {name} to {}",
            edited.name
        ))
        .also(failure));
    }
    session.print_extra(&format!("Checkpoint {name} edited.\n"));
    Ok(())
}
