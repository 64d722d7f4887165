use crate::commands::session::LookupBy;
use crate::commands::values::{DomainIdentity, DomainPart, DomainRef};
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "domname",
    group: Group::Domain,
    summary: "print a domain's name",
    description: "Print the name of a domain given by id or UUID.",
    options: &[OptDef::data("domain", "domain id or uuid")
        .completes(crate::commands::Complete::DomainUuid)],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain_by(
        args,
        "domain",
        LookupBy {
            name: false,
            ..LookupBy::ALL
        },
    )?;
    session.emit(&DomainIdentity {
        domain: DomainRef::from(&dom),
        part: DomainPart::Name,
    });
    Ok(())
}
