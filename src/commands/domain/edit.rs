use crate::api::flags::{define, xml};
use crate::commands::editor::{ask_retry, EditFile, Retry};
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "edit",
    group: Group::Domain,
    summary: "edit a domain's XML in your editor",
    description: "Open the domain's next-boot XML in $VISUAL or $EDITOR and define \
the result.",
    options: &[
        OptDef::DOMAIN,
        OptDef::flag("skip-validate", "do not validate the edited XML"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let conn = session.conn()?.clone();
    let original = conn.domain_get_xml_desc(&dom, xml::INACTIVE | xml::SECURE)?;
    let file = EditFile::create(&original)?;
    let mut validate = !args.has("skip-validate");
    loop {
        let edited = file.edit()?;
        if edited == original {
            session.print_extra(&format!(
                "Domain '{}' XML configuration not changed.\n",
                dom.name
            ));
            return Ok(());
        }
        let flags = if validate { define::VALIDATE } else { 0 };
        match conn.domain_define_xml(&edited, flags) {
            Ok(defined) => {
                session.print_extra(&format!(
                    "Domain '{}' XML configuration edited.\n",
                    defined.name
                ));
                return Ok(());
            }
            Err(e) => {
                session.flush();
                match ask_retry(&e.message, "Failed.", validate) {
                    Retry::Again => continue,
                    Retry::IgnoreValidation | Retry::Force => validate = false,
                    Retry::Discard => {
                        // virsh 9.0 reports a discarded edit as a success of a
                        // nameless domain; scripts see exactly that.
                        session.print_extra("Domain '(null)' XML configuration edited.\n");
                        return Ok(());
                    }
                }
            }
        }
    }
}
