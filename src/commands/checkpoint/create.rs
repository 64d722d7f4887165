use crate::api::flags::checkpoint_create as f;
use crate::api::flags::list;
use crate::commands::{Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "checkpoint-create",
    group: Group::Checkpoint,
    summary: "create a checkpoint from an XML file",
    description: "Start tracking the changes to a domain's disks from now on, for \
later incremental backups, as an XML file describes (or with every default); \
--redefine restores the metadata of an existing checkpoint.",
    options: &[
        OptDef::domain_where(list::ACTIVE),
        OptDef::string("xmlfile", "file holding the checkpoint XML").completes(Complete::File),
        OptDef::flag(
            "redefine",
            "redefine the metadata of an existing checkpoint",
        ),
        OptDef::flag(
            "redefine-validate",
            "with --redefine, check the disks' bitmaps",
        ),
        OptDef::flag("quiesce", "quiesce the guest's file systems"),
    ],
    needs_connection: true,
    run,
};

const FLAGS: &[(&str, u32)] = &[
    ("redefine", f::REDEFINE),
    ("redefine-validate", f::REDEFINE_VALIDATE),
    ("quiesce", f::QUIESCE),
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    args.requires("redefine-validate", "redefine")?;
    let dom = session.lookup_domain(args, "domain")?;
    let from = args.get("xmlfile")?;
    let xml = match from {
        Some(file) => crate::commands::domain::read_xml_file(file, "(domain_checkpoint)")??,
        None => "<domaincheckpoint/>".to_string(),
    };
    super::create(session, &dom, &xml, args.flags(FLAGS), from)
}
