use crate::api::flags::list;
use crate::commands::domain::dumpxml::{check_xpath, print_xml};
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "backup-dumpxml",
    group: Group::Backup,
    summary: "print the XML of a running backup",
    description: "Print the XML of the domain's running backup job, with the values \
libvirt filled in (file names, ports, export names); --xpath selects parts of it.",
    options: &[
        OptDef::domain_where(list::ACTIVE),
        OptDef::named("xpath", "print only what this XPath expression selects"),
        OptDef::flag("wrap", "wrap --xpath results in a <nodes> element"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    check_xpath(args)?;
    let text = session.conn()?.domain_backup_get_xml_desc(&dom, 0)?;
    print_xml(session, args, &text, "domain-backup")
}
