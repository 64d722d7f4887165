use crate::api::flags::start as f;
use crate::commands::{failed, Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "create",
    group: Group::Domain,
    summary: "start a transient domain from an XML file",
    description: "Create and boot a domain from an XML file without keeping its \
definition once it stops.",
    options: &[
        OptDef::data("file", "file holding the domain XML").completes(Complete::File),
        OptDef::flag("console", "attach to the console once started"),
        OptDef::flag("paused", "leave the virtual CPUs paused"),
        OptDef::flag("autodestroy", "stop the domain when this connection closes"),
        OptDef::string(
            "pass-fds",
            "comma-separated file descriptors to hand to the guest",
        ),
        OptDef::flag("validate", "check the XML against the schema first"),
        OptDef::flag(
            "reset-nvram",
            "recreate the UEFI variable store from its template",
        ),
    ],
    needs_connection: true,
    run,
};

const FLAGS: &[(&str, u32)] = &[
    ("paused", f::PAUSED),
    ("autodestroy", f::AUTODESTROY),
    ("validate", f::VALIDATE),
    ("reset-nvram", f::RESET_NVRAM),
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let file = args.req("file")?;
    super::check_pass_fds(args)?;
    let xml = super::read_xml_file(file, "(domain_definition)")?;
    let conn = session.conn()?;
    let dom = xml
        .and_then(|xml| conn.domain_create_xml(&xml, args.flags(FLAGS)))
        .map_err(failed(format!("Failed to create domain from {file}")))?;
    session.print_extra(&format!("Domain '{}' created from {file}\n", dom.name));
    // A console that cannot attach is reported, but the domain was created.
    if let Err(e) = super::attach_console(args) {
        session.print_error(&e);
    }
    Ok(())
}
