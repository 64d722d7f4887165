use crate::api::flags::snapshot_create as f;
use crate::commands::{Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "snapshot-create",
    group: Group::Snapshot,
    summary: "create a snapshot from an XML file",
    description: "Take a snapshot of a domain (disks and memory) as an XML file describes \
it, or with every default when no file is given; --redefine restores the metadata of an \
existing snapshot.",
    options: &[
        OptDef::DOMAIN,
        OptDef::string("xmlfile", "file holding the snapshot XML").completes(Complete::File),
        OptDef::flag("redefine", "redefine the metadata of an existing snapshot"),
        OptDef::flag("current", "with --redefine, make it the current snapshot"),
        OptDef::flag("no-metadata", "take the snapshot but keep no metadata"),
        OptDef::flag("halt", "stop the domain once the snapshot is taken"),
        OptDef::flag("disk-only", "capture the disks but not the memory"),
        OptDef::flag("reuse-external", "reuse existing external files"),
        OptDef::flag("quiesce", "quiesce the guest's file systems"),
        OptDef::flag("atomic", "all or nothing"),
        OptDef::flag("live", "take the snapshot while the domain runs"),
        OptDef::flag("validate", "check the XML against the schema"),
    ],
    needs_connection: true,
    run,
};

const FLAGS: &[(&str, u32)] = &[
    ("redefine", f::REDEFINE),
    ("current", f::CURRENT),
    ("no-metadata", f::NO_METADATA),
    ("halt", f::HALT),
    ("disk-only", f::DISK_ONLY),
    ("reuse-external", f::REUSE_EXT),
    ("quiesce", f::QUIESCE),
    ("atomic", f::ATOMIC),
    ("live", f::LIVE),
    ("validate", f::VALIDATE),
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let from = args.get("xmlfile")?;
    let xml = match from {
        Some(file) => crate::commands::domain::read_file(file)?,
        None => "<domainsnapshot/>".to_string(),
    };
    super::create(session, &dom, &xml, args.flags(FLAGS), from)
}
