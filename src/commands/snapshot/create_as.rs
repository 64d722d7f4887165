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
        super::CREATE_OPTIONS[0],
        super::CREATE_OPTIONS[1],
        super::CREATE_OPTIONS[2],
        super::CREATE_OPTIONS[3],
        super::CREATE_OPTIONS[4],
        super::CREATE_OPTIONS[5],
        super::CREATE_OPTIONS[6],
        super::CREATE_OPTIONS[7],
        OptDef::named("memspec", "memory: [file=]PATH[,snapshot=TYPE]"),
        OptDef::argv("diskspec", "a disk: DISK[,snapshot=TYPE][,driver=FMT][,stype=TYPE][,file=PATH]"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let name = args.get("name")?;
    let description = args.get("description")?;
    let memspec = args.get("memspec")?;
    let xml = build_create_as_xml(name, description, memspec, &args.all("diskspec"))
        .map_err(super::spec_error)?;
    if args.has("print-xml") {
        session.emit(&XmlDocument::line(xml));
        return Ok(());
    }
    super::create(session, &dom, &xml, args.flags(super::CREATE_FLAGS), None)
}
