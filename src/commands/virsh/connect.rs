use crate::commands::{Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "connect",
    group: Group::Virsh,
    summary: "open a connection to a hypervisor",
    description: "Close the current connection and open one to the given URI \
(or the current one again).",
    options: &[
        OptDef::string("name", "hypervisor connection URI").completes(Complete::Uri),
        OptDef::flag("readonly", "open the connection read-only"),
    ],
    needs_connection: false,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let previous = session.uri.clone();
    match args.raw("name") {
        // A new URI opens read-write unless asked otherwise ...
        Some(name) => {
            session.uri = (!name.is_empty()).then(|| name.to_string());
            session.readonly = args.has("readonly");
        }
        // ... while reconnecting to the current one keeps its access.
        None => session.readonly |= args.has("readonly"),
    }
    let result = session.connect();
    if result.is_err() {
        // The old URI stays current, so the next command reconnects to it.
        session.uri = previous;
    }
    result
}
