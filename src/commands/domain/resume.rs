use crate::api::flags::list;
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "resume",
    group: Group::Domain,
    summary: "continue a paused domain",
    description: "Let a paused domain run again.",
    options: &[OptDef::domain_where(list::PAUSED)],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    super::domain_action(session, args, "resume", "resumed", |c, d| {
        c.domain_resume(d)
    })
}
