use crate::api::flags::list;
use crate::api::flags::save as f;
use crate::commands::{failed, Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "save",
    group: Group::Domain,
    summary: "save a running domain's state to a file",
    description: "Save the domain's memory and device state to a file and stop it; \
restore brings it back.",
    options: &[
        OptDef::domain_where(list::ACTIVE),
        OptDef::data("file", "where to write the saved state").completes(Complete::File),
        OptDef::flag("bypass-cache", "write without the page cache"),
        OptDef::string("xml", "file with replacement domain XML for the image")
            .completes(Complete::File),
        OptDef::flag("running", "restore it running"),
        OptDef::flag("paused", "restore it paused"),
        OptDef::flag("verbose", "show progress"),
    ],
    needs_connection: true,
    run,
};

pub const SAVE_FLAGS: &[(&str, u32)] = &[
    ("bypass-cache", f::BYPASS_CACHE),
    ("running", f::RUNNING),
    ("paused", f::PAUSED),
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let shown = args.req("domain")?;
    let file = args.req("file")?.to_string();
    let dxml = match args.get("xml")? {
        Some(path) => Some(super::read_xml_file(path, "(domain_definition)")?),
        None => None,
    };
    let conn = session.conn()?;
    dxml.transpose()
        .and_then(|dxml| conn.domain_save(&dom, &file, dxml.as_deref(), args.flags(SAVE_FLAGS)))
        .map_err(failed(format!("Failed to save domain '{shown}' to {file}")))?;
    super::report_progress(session, args, "Save");
    session.print_extra(&format!("\nDomain '{shown}' saved to {file}\n"));
    Ok(())
}
