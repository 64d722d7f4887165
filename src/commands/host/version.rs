use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session, failed};
use crate::shell::COMPAT_VERSION;

pub static DEF: CommandDef = CommandDef {
    name: "version",
    group: Group::Host,
    summary: "show library and hypervisor versions",
    description: "Print the library version virtsh is compatible with and the \
hypervisor's version.",
    options: &[OptDef::flag("daemon", "also show the daemon's version")],
    needs_connection: true,
    run,
};

/// libvirt encodes versions as major * 1,000,000 + minor * 1,000 + micro.
fn dotted(v: u64) -> String {
    format!("{}.{}.{}", v / 1_000_000, (v % 1_000_000) / 1000, v % 1000)
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let conn = session.conn()?.clone();
    let hv_type = conn.get_type().map_err(failed("failed to get hypervisor type"))?;
    let mut text = format!(
        "Compiled against library: libvirt {COMPAT_VERSION}\nUsing library: libvirt {COMPAT_VERSION}\n\
         Using API: {hv_type} {COMPAT_VERSION}\n"
    );
    let hv_version = conn.get_version().map_err(failed("failed to get the hypervisor version"))?;
    if hv_version == 0 {
        text.push_str(&format!("Cannot extract running {hv_type} hypervisor version\n"));
    } else {
        text.push_str(&format!("Running hypervisor: {hv_type} {}\n", dotted(hv_version)));
    }
    if args.has("daemon") {
        text.push_str(&format!("Running against daemon: {COMPAT_VERSION}\n"));
    }
    session.print(&text);
    Ok(())
}
