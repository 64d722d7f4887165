use crate::api::flags::{define, xml};
use crate::commands::editor::{ask_retry, EditFile, Retry};
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};

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
    let get_xml = || conn.domain_get_xml_desc(&dom, xml::INACTIVE | xml::SECURE);
    let mut doc = get_xml()?;
    let file = EditFile::create(&doc)?;
    let mut validate = !args.has("skip-validate");
    // `i` is offered while validation is on.
    let mut relax_available = validate;
    'edit: loop {
        let edited = file.edit(session)?;
        if edited == doc {
            session.print_extra(&format!(
                "Domain '{}' XML configuration not changed.\n",
                dom.name
            ));
            return Ok(());
        }
        loop {
            // Someone may have changed the domain while it was being edited.
            let reread = get_xml()?;
            let (why, reason) = if reread != doc {
                doc = reread;
                (None, "The XML configuration was changed by another user.")
            } else {
                let flags = if validate { define::VALIDATE } else { 0 };
                match conn.domain_define_xml(&edited, flags) {
                    Ok(defined) => {
                        session.print_extra(&format!(
                            "Domain '{}' XML configuration edited.\n",
                            defined.name
                        ));
                        return Ok(());
                    }
                    Err(e) => (Some(e.message), "Failed."),
                }
            };
            session.flush();
            match ask_retry(why.as_deref(), reason, relax_available) {
                Retry::Again => continue 'edit,
                Retry::Force => continue,
                Retry::IgnoreValidation => {
                    relax_available = false;
                    validate = false;
                }
                // At a terminal, throwing the changes away fails the command.
                Retry::Discard => return Err(CmdError::silent()),
                Retry::Unasked => {
                    // Without a terminal virsh 9.0 reports the failed edit as a
                    // success of a nameless domain; scripts see exactly that.
                    session.print_extra("Domain '(null)' XML configuration edited.\n");
                    return Ok(());
                }
            }
        }
    }
}
