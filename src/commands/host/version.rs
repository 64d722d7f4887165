use serde::Serialize;

use crate::commands::{failed, Args, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::render::Render;
use crate::shell::COMPAT_VERSION;

pub static DEF: CommandDef = CommandDef {
    name: "version",
    group: Group::Host,
    summary: "show library and hypervisor versions",
    description: "Print which virtsh this is and the libvirt release whose API it \
implements, the driver's API and the hypervisor's version.",
    options: &[OptDef::flag("daemon", "also show the daemon's version")],
    needs_connection: true,
    run,
};

/// libvirt encodes versions as major * 1,000,000 + minor * 1,000 + micro.
fn dotted(v: u64) -> String {
    format!("{}.{}.{}", v / 1_000_000, (v % 1_000_000) / 1000, v % 1000)
}

/// Versions as dotted strings (`9.0.0`); `hypervisor.version` is null when
/// the driver cannot tell, `daemon` present only with `--daemon`.
#[derive(Serialize)]
struct Versions {
    /// virtsh's own version.
    virtsh: &'static str,
    /// The libvirt release whose API (and virsh) virtsh implements.
    libvirt: &'static str,
    api: &'static str,
    hypervisor: Hypervisor,
    #[serde(skip_serializing_if = "Option::is_none")]
    daemon: Option<&'static str>,
}

#[derive(Serialize)]
struct Hypervisor {
    #[serde(rename = "type")]
    hv_type: String,
    version: Option<String>,
}

impl Render for Versions {
    fn text(&self, _quiet: bool) -> String {
        let hv_type = &self.hypervisor.hv_type;
        // virsh's lines say which libvirt it was compiled against and
        // linked with; virtsh has no libvirt in it. The first two lines say
        // so while keeping what scripts parse: the first line mentions
        // libvirt and ends in its version, and `Using library:` has the
        // version as its fourth word (`awk '/Using library/{print $4}'`).
        let mut text = format!(
            "virtsh {} implementing library: libvirt {}\nUsing library: built-in {}\nUsing API: {hv_type} {}\n",
            self.virtsh, self.libvirt, self.libvirt, self.api
        );
        match &self.hypervisor.version {
            Some(v) => text.push_str(&format!("Running hypervisor: {hv_type} {v}\n")),
            None => text.push_str(&format!(
                "Cannot extract running {hv_type} hypervisor version\n"
            )),
        }
        if let Some(daemon) = self.daemon {
            text.push_str(&format!("Running against daemon: {daemon}\n"));
        }
        text
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let conn = session.conn()?.clone();
    let hv_type = conn
        .get_type()
        .map_err(failed("failed to get hypervisor type"))?;
    let hv_version = conn
        .get_version()
        .map_err(failed("failed to get the hypervisor version"))?;
    session.emit(&Versions {
        virtsh: env!("CARGO_PKG_VERSION"),
        libvirt: COMPAT_VERSION,
        api: COMPAT_VERSION,
        hypervisor: Hypervisor {
            hv_type,
            version: (hv_version != 0).then(|| dotted(hv_version)),
        },
        daemon: args.has("daemon").then_some(COMPAT_VERSION),
    });
    Ok(())
}
