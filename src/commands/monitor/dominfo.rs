use serde::Serialize;

use crate::commands::session::DEBUG_DEBUG;
use crate::commands::values::{kib_as_bytes, DomainRef, StateWord};
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::fields::Fields;
use crate::output::render::Render;

pub static DEF: CommandDef = CommandDef {
    name: "dominfo",
    group: Group::Monitor,
    summary: "show a domain's basic information",
    description: "Print a domain's id, UUID, state, CPUs, memory, persistence and \
security labels.",
    options: &[OptDef::DOMAIN],
    needs_connection: true,
    run,
};

/// What `dominfo` knows of a domain; `None` where the driver would not say.
#[derive(Serialize)]
struct DomainSummary {
    #[serde(flatten)]
    domain: DomainRef,
    os_type: Option<String>,
    #[serde(flatten)]
    info: Option<RunInfo>,
    persistent: Option<bool>,
    autostart: Option<bool>,
    managed_save: Option<bool>,
    security: Option<Security>,
    /// Taint and deprecation notes (`virDomainGetMessages`).
    messages: Vec<String>,
    /// `-d 0`: virsh notes the persistence value it read, between the fields.
    #[serde(skip)]
    debug_note: Option<String>,
}

#[derive(Serialize)]
struct RunInfo {
    state: StateWord,
    cpus: u32,
    /// Seconds.
    #[serde(serialize_with = "seconds")]
    cpu_time: u64,
    /// Bytes; null for no limit.
    #[serde(serialize_with = "limit_bytes")]
    max_memory: u64,
    #[serde(serialize_with = "kib_as_bytes")]
    used_memory: u64,
}

#[derive(Serialize)]
struct Security {
    model: String,
    doi: String,
    label: Option<String>,
    enforcing: Option<bool>,
}

fn no_limit(kib: u64) -> bool {
    kib == u64::from(u32::MAX) || kib == u64::MAX
}

fn seconds<S: serde::Serializer>(ns: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(*ns as f64 / 1e9)
}

fn limit_bytes<S: serde::Serializer>(kib: &u64, s: S) -> Result<S::Ok, S::Error> {
    if no_limit(*kib) {
        s.serialize_none()
    } else {
        kib_as_bytes(kib, s)
    }
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

impl Render for DomainSummary {
    fn text(&self, _quiet: bool) -> String {
        let mut t = Fields::new(15);
        t.line("Id:", self.domain.id_text())
            .line("Name:", &self.domain.name)
            .line("UUID:", &self.domain.uuid);
        if let Some(os) = &self.os_type {
            t.line("OS Type:", os);
        }
        if let Some(info) = &self.info {
            t.line("State:", info.state.0.label())
                .line("CPU(s):", info.cpus);
            if info.cpu_time != 0 {
                t.line("CPU time:", format!("{:.1}s", info.cpu_time as f64 / 1e9));
            }
            if no_limit(info.max_memory) {
                t.line("Max memory:", "no limit");
            } else {
                t.line("Max memory:", format!("{} KiB", info.max_memory));
            }
            t.line("Used memory:", format!("{} KiB", info.used_memory));
        }
        if let Some(note) = &self.debug_note {
            t.raw(note);
        }
        t.line("Persistent:", yes_no(self.persistent));
        if let Some(autostart) = self.autostart {
            t.line("Autostart:", if autostart { "enable" } else { "disable" });
        }
        t.line("Managed save:", yes_no(self.managed_save));
        if let Some(sec) = &self.security {
            t.line("Security model:", &sec.model)
                .line("Security DOI:", &sec.doi);
            if let (Some(label), Some(enforcing)) = (&sec.label, sec.enforcing) {
                let mode = if enforcing { "enforcing" } else { "permissive" };
                t.line("Security label:", format!("{label} ({mode})"));
            }
        }
        for (i, message) in self.messages.iter().enumerate() {
            t.line(if i == 0 { "Messages:" } else { "" }, message);
        }
        t.finish()
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let conn = session.conn()?.clone();
    // In virsh's order of calls.
    let os_type = conn.domain_get_os_type(&dom).ok();
    let info = conn.domain_get_info(&dom);
    let run_info = info.as_ref().ok().map(|info| RunInfo {
        state: StateWord(info.state),
        cpus: info.nr_virt_cpu,
        cpu_time: info.cpu_time,
        max_memory: info.max_mem,
        used_memory: info.memory,
    });
    let persistent = conn.domain_is_persistent(&dom).ok();
    let autostart = conn.domain_get_autostart(&dom).ok();
    let managed_save = conn.domain_has_managed_save_image(&dom, 0).ok();
    let security = conn
        .node_get_security_model()
        .ok()
        .filter(|m| !m.model.is_empty())
        .map(|model| {
            let label = conn
                .domain_get_security_label(&dom)
                .ok()
                .filter(|l| !l.label.is_empty());
            Security {
                model: model.model,
                doi: model.doi,
                enforcing: label.as_ref().map(|l| l.enforcing),
                label: label.map(|l| l.label),
            }
        });
    let messages = conn.domain_get_messages(&dom, 0).unwrap_or_default();
    let domain = DomainRef::from(&dom);
    let debug_note = (session.debug_level <= DEBUG_DEBUG).then(|| {
        let value = persistent.map_or(-1, i32::from);
        format!("Domain persistent flag value: {value}")
    });
    let summary = DomainSummary {
        domain,
        os_type,
        info: run_info,
        persistent,
        autostart,
        managed_save,
        security,
        messages,
        debug_note,
    };
    session.emit(&summary);
    // virsh prints what it could and fails without a further word.
    info.map(|_| ()).map_err(CmdError::unsaid)
}
