use crate::api::flags::list;
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "domrename",
    group: Group::Domain,
    summary: "rename an inactive domain",
    description: "Give an inactive domain a new name.",
    options: &[
        OptDef::domain_where(list::INACTIVE),
        OptDef::data("new-name", "the new name"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let new_name = args.req("new-name")?.to_string();
    session.conn()?.domain_rename(&dom, &new_name, 0)?;
    session.print_extra("Domain successfully renamed\n");
    Ok(())
}
