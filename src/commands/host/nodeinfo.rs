use crate::commands::{Args, CmdResult, CommandDef, Group, Session, failed};

pub static DEF: CommandDef = CommandDef {
    name: "nodeinfo",
    group: Group::Host,
    summary: "describe the host's processors and memory",
    description: "Print the host's CPU model, topology, frequency and memory size.",
    options: &[],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, _args: &Args) -> CmdResult {
    let info = session.conn()?.node_get_info().map_err(failed("failed to get node information"))?;
    let text = format!(
        "{:<20} {}\n{:<20} {}\n{:<20} {} MHz\n{:<20} {}\n{:<20} {}\n{:<20} {}\n{:<20} {}\n{:<20} {} KiB\n",
        "CPU model:", info.model,
        "CPU(s):", info.cpus,
        "CPU frequency:", info.mhz,
        "CPU socket(s):", info.sockets,
        "Core(s) per socket:", info.cores,
        "Thread(s) per core:", info.threads,
        "NUMA cell(s):", info.nodes,
        "Memory size:", info.memory,
    );
    session.print(&text);
    Ok(())
}
