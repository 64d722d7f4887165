use crate::api::flags::backup_begin as f;
use crate::api::flags::list;
use crate::commands::domain::read_xml_file;
use crate::commands::{Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};
use crate::output::render::Format;

pub static DEF: CommandDef = CommandDef {
    name: "backup-begin",
    group: Group::Backup,
    summary: "start a backup of a running domain's disks",
    description: "Start a full or incremental backup of a running domain's disks as \
a backup XML file describes (a full push backup of every disk without one), \
optionally creating a checkpoint at the same moment.",
    options: &[
        OptDef::domain_where(list::ACTIVE),
        OptDef::string("backupxml", "file holding the backup XML").completes(Complete::File),
        OptDef::string(
            "checkpointxml",
            "file holding the XML of a checkpoint to create",
        )
        .completes(Complete::File),
        OptDef::flag("reuse-external", "write into files the caller provides"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let backup = match args.get("backupxml")? {
        Some(file) => read_xml_file(file, "(domain_backup)")?,
        None => Ok("<domainbackup/>".to_string()),
    };
    let checkpoint = match args.get("checkpointxml")? {
        Some(file) => Some(read_xml_file(file, "(domain_checkpoint)")?),
        None => None,
    };
    let flags = args.flags(&[("reuse-external", f::REUSE_EXTERNAL)]);
    let conn = session.conn()?;
    // The driver refuses the call before it reads either document.
    backup
        .and_then(|backup| Ok((backup, checkpoint.transpose()?)))
        .and_then(|(backup, checkpoint)| {
            conn.domain_backup_begin(&dom, Some(&backup), checkpoint.as_deref(), flags)
        })?;
    // Unlike other success messages, -q does not silence this one.
    if session.format == Format::Text {
        session.print("Backup started\n");
    }
    Ok(())
}
