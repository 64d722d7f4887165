use crate::commands::session::LookupBy;
use crate::commands::values::{DomainIdentity, DomainPart, DomainRef};
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "domuuid",
    group: Group::Domain,
    summary: "print a domain's UUID",
    description: "Print the UUID of a domain given by name or id.",
    options: &[
        OptDef::data("domain", "domain id or name").completes(crate::commands::Complete::Domain(0))
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain_by(
        args,
        "domain",
        LookupBy {
            uuid: false,
            ..LookupBy::ALL
        },
    )?;
    session.emit(&DomainIdentity {
        domain: DomainRef::from(&dom),
        part: DomainPart::Uuid,
    });
    Ok(())
}
