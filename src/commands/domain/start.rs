use crate::api::flags::list;
use crate::api::flags::start as f;
use crate::commands::{failed, Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "start",
    group: Group::Domain,
    summary: "boot a defined, inactive domain",
    description: "Boot an inactive persistent domain, resuming from its managed save \
image when it has one.",
    options: &[
        OptDef::domain_where(list::INACTIVE),
        OptDef::flag("console", "attach to the console once started"),
        OptDef::flag("paused", "leave the virtual CPUs paused"),
        OptDef::flag("autodestroy", "stop the domain when this connection closes"),
        OptDef::flag(
            "bypass-cache",
            "read the managed save image without the page cache",
        ),
        OptDef::flag("force-boot", "discard a managed save image and boot afresh"),
        OptDef::string(
            "pass-fds",
            "comma-separated file descriptors to hand to the guest",
        ),
        OptDef::flag(
            "reset-nvram",
            "recreate the UEFI variable store from its template",
        ),
    ],
    needs_connection: true,
    run,
};

const FLAGS: &[(&str, u32)] = &[
    ("paused", f::PAUSED),
    ("autodestroy", f::AUTODESTROY),
    ("bypass-cache", f::BYPASS_CACHE),
    ("force-boot", f::FORCE_BOOT),
    ("reset-nvram", f::RESET_NVRAM),
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    if dom.is_active() {
        return Err(CmdError::msg("Domain is already active"));
    }
    super::check_pass_fds(args)?;
    let conn = session.conn()?.clone();
    let flags = args.flags(FLAGS);
    let mut result = conn.domain_create(&dom, flags);
    // A driver without --force-boot gets virsh's fallback: drop the managed
    // save image, then start without the flag.
    if flags & f::FORCE_BOOT != 0 && result.as_ref().is_err_and(super::is_unsupported) {
        if conn.domain_has_managed_save_image(&dom, 0).unwrap_or(false) {
            conn.domain_managed_save_remove(&dom, 0)
                .map_err(failed(format!("Failed to start domain '{}'", dom.name)))?;
        }
        result = conn.domain_create(&dom, flags & !f::FORCE_BOOT);
    }
    result.map_err(failed(format!("Failed to start domain '{}'", dom.name)))?;
    session.print_extra(&format!("Domain '{}' started\n", dom.name));
    super::attach_console(args)
}
