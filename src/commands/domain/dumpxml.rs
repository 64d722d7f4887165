use crate::api::flags::xml;
use crate::commands::values::XmlDocument;
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
    let text = session
        .conn()?
        .domain_get_xml_desc(&dom, args.flags(FLAGS))?;
    print_xml(session, args, &text, "domain")
}

/// An empty `--xpath` fails without a word; the XML commands of the other
/// groups check it before asking for the document.
pub fn check_xpath(args: &Args) -> Result<(), CmdError> {
    match args.raw("xpath") {
        Some("") => Err(CmdError::silent()),
        _ => Ok(()),
    }
}

/// Prints an XML document, or what `--xpath` (with `--wrap`) selects from it
/// (as JSON `{"xml": …}` either way).
/// libxml2's complaints about a bad expression go to stderr as they are, and
/// the command still succeeds, as virsh's does. For `--xpath` virsh first
/// parses the document itself, naming it `url` in its errors (a snapshot
/// can hold a domain nested deeper than libxml2 reads).
pub fn print_xml(session: &mut Session, args: &Args, text: &str, url: &str) -> CmdResult {
    let Some(expr) = args.raw("xpath") else {
        session.emit(&XmlDocument::new(text.to_string()));
        return Ok(());
    };
    if let Some(e) = crate::model::xml::check_well_formed(text, url) {
        return Err(e.into());
    }
    let selected =
        crate::output::xpath::evaluate(text, expr, args.has("wrap")).map_err(|message| {
            // An empty expression fails without a word.
            if message.is_empty() {
                CmdError::silent()
            } else {
                CmdError::msg(message)
            }
        })?;
    session.emit(&XmlDocument::new(selected.stdout));
    if !selected.stderr.is_empty() {
        session.flush();
        crate::stdio::err(&selected.stderr);
    }
    Ok(())
}
