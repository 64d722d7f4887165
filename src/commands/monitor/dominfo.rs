use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

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

fn line(text: &mut String, label: &str, value: impl std::fmt::Display) {
    text.push_str(&format!("{:<15} {}\n", label, value));
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let conn = session.conn()?.clone();
    let mut t = String::new();
    line(&mut t, "Id:", if dom.is_active() { dom.id.to_string() } else { "-".into() });
    line(&mut t, "Name:", &dom.name);
    line(&mut t, "UUID:", dom.uuid);
    if let Ok(os) = conn.domain_get_os_type(&dom) {
        line(&mut t, "OS Type:", os);
    }
    let mut ok = true;
    match conn.domain_get_info(&dom) {
        Ok(info) => {
            line(&mut t, "State:", info.state.label());
            line(&mut t, "CPU(s):", info.nr_virt_cpu);
            if info.cpu_time != 0 {
                line(&mut t, "CPU time:", format!("{:.1}s", info.cpu_time as f64 / 1e9));
            }
            if info.max_mem == u64::from(u32::MAX) || info.max_mem == u64::MAX {
                line(&mut t, "Max memory:", "no limit");
            } else {
                line(&mut t, "Max memory:", format!("{} KiB", info.max_mem));
            }
            line(&mut t, "Used memory:", format!("{} KiB", info.memory));
        }
        Err(_) => ok = false,
    }
    let persistent = match conn.domain_is_persistent(&dom) {
        Ok(true) => "yes",
        Ok(false) => "no",
        Err(_) => "unknown",
    };
    line(&mut t, "Persistent:", persistent);
    if let Ok(autostart) = conn.domain_get_autostart(&dom) {
        line(&mut t, "Autostart:", if autostart { "enable" } else { "disable" });
    }
    let managed = match conn.domain_has_managed_save_image(&dom, 0) {
        Ok(true) => "yes",
        Ok(false) => "no",
        Err(_) => "unknown",
    };
    line(&mut t, "Managed save:", managed);
    if let Ok(model) = conn.node_get_security_model() {
        if !model.model.is_empty() {
            line(&mut t, "Security model:", &model.model);
            line(&mut t, "Security DOI:", &model.doi);
            if let Ok(label) = conn.domain_get_security_label(&dom) {
                if !label.label.is_empty() {
                    let mode = if label.enforcing { "enforcing" } else { "permissive" };
                    line(&mut t, "Security label:", format!("{} ({mode})", label.label));
                }
            }
        }
    }
    session.print(&t);
    if ok {
        Ok(())
    } else {
        Err(crate::commands::CmdError::silent())
    }
}
