use crate::api::flags::list;
use crate::commands::{failed, Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "autostart",
    group: Group::Domain,
    summary: "start a domain when the host boots",
    description: "Mark a domain to be started with the host, or with --disable unmark it.",
    options: &[
        OptDef::domain_where(list::PERSISTENT),
        OptDef::flag("disable", "stop starting it with the host"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let shown = args.req("domain")?;
    let enable = !args.has("disable");
    let (failure, done) = if enable {
        (
            "Failed to mark domain '{}' as autostarted",
            "marked as autostarted",
        )
    } else {
        (
            "Failed to unmark domain '{}' as autostarted",
            "unmarked as autostarted",
        )
    };
    session
        .conn()?
        .domain_set_autostart(&dom, enable)
        .map_err(failed(failure.replace("{}", shown)))?;
    session.print_extra(&format!("Domain '{shown}' {done}\n"));
    Ok(())
}
