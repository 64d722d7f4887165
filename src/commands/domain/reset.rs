use crate::api::flags::list;
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "reset",
    group: Group::Domain,
    summary: "reset a domain as the reset button would",
    description: "Reset the domain's virtual hardware at once, without telling the guest.",
    options: &[OptDef::domain_where(list::ACTIVE)],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    super::domain_action(session, args, "reset", "was reset", |c, d| {
        c.domain_reset(d, 0)
    })
}
