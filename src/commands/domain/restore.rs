use crate::api::flags::save as f;
use crate::commands::{failed, Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "restore",
    group: Group::Domain,
    summary: "start a domain from a saved state file",
    description: "Bring back a domain from a file written by save.",
    options: &[
        OptDef::data("file", "the saved state file").completes(Complete::File),
        OptDef::flag("bypass-cache", "read without the page cache"),
        OptDef::string("xml", "file with replacement domain XML for the image")
            .completes(Complete::File),
        OptDef::flag("running", "restore it running"),
        OptDef::flag("paused", "restore it paused"),
        OptDef::flag(
            "reset-nvram",
            "recreate the UEFI variable store from its template",
        ),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let file = args.req("file")?.to_string();
    let dxml = match args.get("xml")? {
        Some(path) => Some(super::read_xml_file(path, "(domain_definition)")?),
        None => None,
    };
    let mut flags = args.flags(super::save::SAVE_FLAGS);
    flags |= args.flags(&[("reset-nvram", f::RESET_NVRAM)]);
    let conn = session.conn()?;
    dxml.transpose()
        .and_then(|dxml| conn.domain_restore(&file, dxml.as_deref(), flags))
        .map_err(failed(format!("Failed to restore domain from {file}")))?;
    session.print_extra(&format!("Domain restored from {file}\n"));
    Ok(())
}
