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
        super::CREATE_OPTIONS[0],
        super::CREATE_OPTIONS[1],
        super::CREATE_OPTIONS[2],
        super::CREATE_OPTIONS[3],
        super::CREATE_OPTIONS[4],
        super::CREATE_OPTIONS[5],
        super::CREATE_OPTIONS[6],
        super::CREATE_OPTIONS[7],
    ],
    needs_connection: true,
    run,
};

const FLAGS: &[(&str, u32)] = &[("redefine", f::REDEFINE), ("current", f::CURRENT)];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let from = args.get("xmlfile")?;
    let xml = match from {
        Some(file) => crate::commands::domain::read_xml_file(file, "(domain_snapshot)")??,
        None => "<domainsnapshot/>".to_string(),
    };
    let flags = args.flags(FLAGS) | args.flags(super::CREATE_FLAGS);
    super::create(session, &dom, &xml, flags, from)
}
