use crate::api::flags::xml;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "dumpxml",
    group: Group::Domain,
    summary: "print a domain's XML",
    description: "Print the domain's XML description: the live one, or the next-boot \
one with --inactive; --xpath selects parts of it.",
    options: &[
        OptDef::DOMAIN,
        OptDef::flag("inactive", "the next-boot configuration"),
        OptDef::flag("security-info", "include passwords and other secrets"),
        OptDef::flag("update-cpu", "expand the guest CPU against the host's"),
        OptDef::flag("migratable", "XML suitable for migration"),
        OptDef::named("xpath", "print only what this XPath expression selects"),
        OptDef::flag("wrap", "wrap --xpath results in a <nodes> element"),
    ],
    needs_connection: true,
    run,
};

const FLAGS: &[(&str, u32)] = &[
    ("inactive", xml::INACTIVE),
    ("security-info", xml::SECURE),
    ("update-cpu", xml::UPDATE_CPU),
    ("migratable", xml::MIGRATABLE),
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let text = session.conn()?.domain_get_xml_desc(&dom, args.flags(FLAGS))?;
    print_xml(session, args, &text)
}

/// Prints an XML document, or what `--xpath` (with `--wrap`) selects from it.
pub fn print_xml(session: &mut Session, args: &Args, text: &str) -> CmdResult {
    match args.get("xpath") {
        // virsh fails on an empty expression without a word.
        Err(_) => return Err(CmdError::silent()),
        Ok(None) => session.print(text),
        Ok(Some(expr)) => {
            let selected =
                crate::output::xpath::select(text, expr, args.has("wrap")).map_err(CmdError::msg)?;
            session.print(&selected);
        }
    }
    Ok(())
}
