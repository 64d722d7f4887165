use crate::api::flags::define as f;
use crate::commands::{failed, Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "define",
    group: Group::Domain,
    summary: "define a domain from an XML file without starting it",
    description: "Make a domain persistent from an XML file, or replace the \
definition of an existing one.",
    options: &[
        OptDef::data("file", "file holding the domain XML").completes(Complete::File),
        OptDef::flag("validate", "check the XML against the schema first"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let file = args.req("file")?;
    let xml = super::read_xml_file(file, "(domain_definition)")?;
    let flags = args.flags(&[("validate", f::VALIDATE)]);
    let conn = session.conn()?;
    let dom = xml
        .and_then(|xml| conn.domain_define_xml(&xml, flags))
        .map_err(failed(format!("Failed to define domain from {file}")))?;
    session.print_extra(&format!("Domain '{}' defined from {file}\n", dom.name));
    Ok(())
}
