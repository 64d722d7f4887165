use crate::api::flags::list;
use crate::api::flags::xml;
use crate::commands::domain::dumpxml::{check_xpath, print_xml};
use crate::commands::{Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "snapshot-dumpxml",
    group: Group::Snapshot,
    summary: "print a snapshot's XML",
    description: "Print the XML of a snapshot; --xpath selects parts of it.",
    options: &[
        OptDef::domain_where(list::HAS_SNAPSHOT),
        OptDef::data("snapshotname", "snapshot name").completes(Complete::Snapshot),
        OptDef::flag("security-info", "include security-sensitive information"),
        OptDef::named("xpath", "print only what this XPath expression selects"),
        OptDef::flag("wrap", "wrap --xpath results in a <nodes> element"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let name = args.req("snapshotname")?;
    let dom = session.lookup_domain(args, "domain")?;
    let conn = session.conn()?;
    let snap = conn.domain_snapshot_lookup_by_name(&dom, name, 0)?;
    check_xpath(args)?;
    let text =
        conn.domain_snapshot_get_xml_desc(&snap, args.flags(&[("security-info", xml::SECURE)]))?;
    print_xml(session, args, &text, "domain-snapshot")
}
