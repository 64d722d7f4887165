use crate::api::flags::snapshot_create as f;
use crate::commands::values::XmlDocument;
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};
use crate::model::snapshot::build_create_as_xml;

pub static DEF: CommandDef = CommandDef {
    name: "snapshot-create-as",
    group: Group::Snapshot,
    summary: "create a snapshot from options",
    description: "Take a snapshot of a domain described by options: a name, a \
description, where the memory goes (--memspec [file=]PATH[,snapshot=TYPE]) and what \
happens to each disk (--diskspec DISK[,snapshot=TYPE][,driver=FMT][,stype=file|block][,file=PATH]); \
--print-xml shows the XML instead.",
    options: &[
        OptDef::DOMAIN,
        OptDef::string("name", "name of the snapshot"),
        OptDef::string("description", "description of the snapshot"),
        OptDef::flag("print-xml", "print the XML instead of taking the snapshot"),
        OptDef::flag("no-metadata", "take the snapshot but keep no metadata"),
        OptDef::flag("halt", "stop the domain once the snapshot is taken"),
        OptDef::flag("disk-only", "capture the disks but not the memory"),
        OptDef::flag("reuse-external", "reuse existing external files"),
        OptDef::flag("quiesce", "quiesce the guest's file systems"),
        OptDef::flag("atomic", "all or nothing"),
        OptDef::flag("live", "take the snapshot while the domain runs"),
        OptDef::flag("validate", "check the XML against the schema"),
        OptDef::named("memspec", "memory: [file=]PATH[,snapshot=TYPE]"),
        OptDef::argv("diskspec", "a disk: DISK[,snapshot=TYPE][,driver=FMT][,stype=TYPE][,file=PATH]"),
    ],
    needs_connection: true,
    run,
};

const FLAGS: &[(&str, u32)] = &[
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
    let name = args.get("name")?;
    let description = args.get("description")?;
    let memspec = args.get("memspec")?;
    let xml = build_create_as_xml(name, description, memspec, &args.all("diskspec")).map_err(super::spec_error)?;
    if args.has("print-xml") {
        session.emit(&XmlDocument::line(xml));
        return Ok(());
    }
    super::create(session, &dom, &xml, args.flags(FLAGS), None)
}
