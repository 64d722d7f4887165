use crate::api::flags::destroy as f;
use crate::api::flags::list;
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "destroy",
    group: Group::Domain,
    summary: "stop a domain at once",
    description: "Stop a domain immediately, like pulling the power cord. A transient \
domain disappears.",
    options: &[
        OptDef::domain_where(list::ACTIVE),
        OptDef::flag(
            "graceful",
            "ask the hypervisor to stop it gently, without a hard kill",
        ),
        OptDef::flag("remove-logs", "remove the domain's log files"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let flags = args.flags(&[("graceful", f::GRACEFUL), ("remove-logs", f::REMOVE_LOGS)]);
    super::domain_action(session, args, "destroy", "destroyed", |c, d| {
        c.domain_destroy(d, flags)
    })
}
