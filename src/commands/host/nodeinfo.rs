use serde::Serialize;

use crate::commands::values::kib_as_bytes;
use crate::commands::{failed, Args, CmdResult, CommandDef, Group, Session};
use crate::output::fields::Fields;
use crate::output::render::Render;

pub static DEF: CommandDef = CommandDef {
    name: "nodeinfo",
    group: Group::Host,
    summary: "describe the host's processors and memory",
    description: "Print the host's CPU model, topology, frequency and memory size.",
    options: &[],
    needs_connection: true,
    run,
};

/// The host's processors and memory (memory in bytes, frequency in MHz).
#[derive(Serialize)]
struct NodeSummary {
    cpu_model: String,
    cpus: u32,
    cpu_mhz: u32,
    sockets: u32,
    cores_per_socket: u32,
    threads_per_core: u32,
    numa_cells: u32,
    #[serde(serialize_with = "kib_as_bytes")]
    memory: u64,
}

impl Render for NodeSummary {
    fn text(&self, _quiet: bool) -> String {
        Fields::new(20)
            .line("CPU model:", &self.cpu_model)
            .line("CPU(s):", self.cpus)
            .line("CPU frequency:", format!("{} MHz", self.cpu_mhz))
            .line("CPU socket(s):", self.sockets)
            .line("Core(s) per socket:", self.cores_per_socket)
            .line("Thread(s) per core:", self.threads_per_core)
            .line("NUMA cell(s):", self.numa_cells)
            .line("Memory size:", format!("{} KiB", self.memory))
            .finish()
    }
}

fn run(session: &mut Session, _args: &Args) -> CmdResult {
    let info = session
        .conn()?
        .node_get_info()
        .map_err(failed("failed to get node information"))?;
    session.emit(&NodeSummary {
        cpu_model: info.model,
        cpus: info.cpus,
        cpu_mhz: info.mhz,
        sockets: info.sockets,
        cores_per_socket: info.cores,
        threads_per_core: info.threads,
        numa_cells: info.nodes,
        memory: info.memory,
    });
    Ok(())
}
