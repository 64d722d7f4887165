use crate::commands::values::Single;
use crate::commands::{Args, CmdResult, CommandDef, Group, Session};

pub static DEF: CommandDef = CommandDef {
    name: "uri",
    group: Group::Host,
    summary: "print the connection's canonical URI",
    description: "",
    options: &[],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, _args: &Args) -> CmdResult {
    let uri = session.conn()?.uri();
    session.emit(&Single::line("uri", uri));
    Ok(())
}
