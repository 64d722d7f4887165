use crate::api::flags::list;
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "suspend",
    group: Group::Domain,
    summary: "pause a running domain",
    description: "Pause a running domain; it keeps its memory but gets no CPU time.",
    options: &[OptDef::domain_where(list::RUNNING)],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    super::domain_action(session, args, "suspend", "suspended", |c, d| {
        c.domain_suspend(d)
    })
}
