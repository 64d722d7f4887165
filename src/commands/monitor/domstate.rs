use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "domstate",
    group: Group::Monitor,
    summary: "print a domain's state",
    description: "Print the state of a domain, and with --reason why it is in it.",
    options: &[OptDef::DOMAIN, OptDef::flag("reason", "also print the reason for the state")],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let (state, reason) = session.conn()?.domain_get_state(&dom, 0)?;
    let text = if args.has("reason") {
        format!("{} ({})\n", state.label(), state.reason_label(reason))
    } else {
        format!("{}\n", state.label())
    };
    session.print(&text);
    Ok(())
}
