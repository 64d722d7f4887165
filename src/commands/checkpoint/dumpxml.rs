use crate::api::flags::checkpoint_xml as f;
use crate::api::flags::list;
use crate::commands::domain::dumpxml::{check_xpath, print_xml};
use crate::commands::{Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "checkpoint-dumpxml",
    group: Group::Checkpoint,
    summary: "print a checkpoint's XML",
    description: "Print the XML of a checkpoint; --xpath selects parts of it.",
    options: &[
        OptDef::domain_where(list::HAS_CHECKPOINT),
        OptDef::string("checkpointname", "checkpoint name").completes(Complete::Checkpoint),
        OptDef::flag("security-info", "include security-sensitive information"),
        OptDef::flag("no-domain", "leave out the <domain> element"),
        OptDef::flag("size", "add each disk's estimated backup size"),
        OptDef::named("xpath", "print only what this XPath expression selects"),
        OptDef::flag("wrap", "wrap --xpath results in a <nodes> element"),
    ],
    needs_connection: true,
    run,
};

const FLAGS: &[(&str, u32)] = &[
    ("security-info", f::SECURE),
    ("no-domain", f::NO_DOMAIN),
    ("size", f::SIZE),
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    check_xpath(args)?;
    let cp = super::lookup(session, args, &dom, "checkpointname")?;
    let text = session
        .conn()?
        .domain_checkpoint_get_xml_desc(&cp, args.flags(FLAGS))?;
    print_xml(session, args, &text, "domain-checkpoint")
}
