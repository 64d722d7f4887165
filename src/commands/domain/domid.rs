use crate::commands::session::LookupBy;
use crate::commands::values::{DomainIdentity, DomainPart, DomainRef};
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "domid",
    group: Group::Domain,
    summary: "print a domain's id",
    description: "Print the id of a domain given by name or UUID; '-' when it is not running.",
    options: &[OptDef::data("domain", "domain name or uuid").completes(
        crate::commands::Complete::Domain(crate::api::flags::list::ACTIVE),
    )],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain_by(
        args,
        "domain",
        LookupBy {
            id: false,
            ..LookupBy::ALL
        },
    )?;
    session.emit(&DomainIdentity {
        domain: DomainRef::from(&dom),
        part: DomainPart::Id,
    });
    Ok(())
}
