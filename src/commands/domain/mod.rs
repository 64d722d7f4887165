//! Domain management commands (help keyword `domain`).

pub mod autostart;
pub mod create;
pub mod define;
pub mod desc;
pub mod destroy;
pub mod domhostname;
pub mod domid;
pub mod domjobabort;
pub mod domjobinfo;
pub mod domname;
pub mod domrename;
pub mod domuuid;
pub mod dumpxml;
pub mod edit;
pub mod managedsave;
pub mod managedsave_remove;
pub mod reboot;
pub mod reset;
pub mod restore;
pub mod resume;
pub mod save;
pub mod setmaxmem;
pub mod setmem;
pub mod setvcpus;
pub mod shutdown;
pub mod start;
pub mod suspend;
pub mod undefine;
pub mod vcpucount;

use crate::api::flags::affect;
use crate::commands::{Args, CmdError, OptDef};

/// The `--config`, `--live` and `--current` options many commands share.
pub const AFFECT_OPTIONS: [OptDef; 3] = [
    OptDef::flag("config", "affect the next-boot configuration"),
    OptDef::flag("live", "affect the running domain"),
    OptDef::flag("current", "affect the domain as it is now"),
];

/// Turns `--config`/`--live`/`--current` into libvirt's flags; `--current`
/// excludes the other two.
pub fn affect_flags(args: &Args) -> Result<u32, CmdError> {
    args.exclusive("current", "live")?;
    args.exclusive("current", "config")?;
    Ok(args.flags(&[("config", affect::CONFIG), ("live", affect::LIVE)]))
}

/// The largest XML file virsh reads (`VSH_MAX_XML_FILE`).
pub const MAX_XML_FILE: u64 = 10 * 1024 * 1024;

/// Reads an XML file named by an option as virsh does: at most 10 MiB
/// (virsh's errors for a file it cannot open, cannot read or finds too big),
/// and only up to its first NUL, since virsh passes the text on as a C
/// string. The text comes back with the error libvirt's parser gives for
/// bytes that are not UTF-8 (`url` names the document kind there), which
/// callers report where the API call's own failure would go.
pub fn read_xml_file(path: &str, url: &str) -> Result<api::Result<String>, CmdError> {
    use std::io::Read;
    let failure = |what: &str, e: std::io::Error| {
        CmdError::msg(format!(
            "Failed to {what} file '{path}': {}",
            crate::error::os_error_text(&e)
        ))
    };
    let file = std::fs::File::open(path).map_err(|e| failure("open", e))?;
    let mut bytes = Vec::new();
    // One byte past the limit tells a file of exactly 10 MiB from a longer
    // one (or an endless one) without reading further.
    file.take(MAX_XML_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| failure("read", e))?;
    if bytes.len() as u64 > MAX_XML_FILE {
        return Err(failure(
            "read",
            std::io::Error::from_raw_os_error(libc::EOVERFLOW),
        ));
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        bytes.truncate(nul);
    }
    Ok(crate::model::xml_input::string_document(&bytes, url))
}

use crate::api::{self, Connection, Domain};
use crate::commands::{failed, CmdResult, Session};

/// The shape of most lifecycle commands: look the domain up, make one call,
/// then print `Domain 'NAME' DONE` or virsh's `Failed to VERB domain 'NAME'`.
pub fn domain_action(
    session: &mut Session,
    args: &Args,
    verb: &str,
    done: &str,
    call: impl FnOnce(&Connection, &Domain) -> api::Result<()>,
) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    // virsh names the domain as the user wrote it (id, UUID or name).
    let shown = args.req("domain")?;
    call(session.conn()?, &dom).map_err(failed(format!("Failed to {verb} domain '{shown}'")))?;
    session.print_extra(&format!("Domain '{shown}' {done}\n"));
    Ok(())
}

/// `--pass-fds` must be a comma list of integers (or empty).
pub fn check_pass_fds(args: &Args) -> Result<(), CmdError> {
    let Some(list) = args.raw("pass-fds").filter(|l| !l.is_empty()) else {
        return Ok(());
    };
    for fd in list.split(',') {
        if fd.parse::<i32>().is_err() {
            return Err(CmdError::msg(format!("Unable to parse FD number '{fd}'")));
        }
    }
    Ok(())
}

/// The `size` option of setmem/setmaxmem: a scaled integer, KiB by default,
/// rounded up to whole KiB as virsh rounds, in 64 bits: the last 1023 byte
/// counts wrap round to 0 KiB.
pub fn kib_option(args: &Args) -> Result<u64, CmdError> {
    let bytes = args.scaled("size", 1024)?.unwrap_or(0);
    Ok(bytes.wrapping_add(1023) / 1024)
}

/// `--console` after a start: attaching needs a terminal, and no driver
/// offers a console stream yet.
pub fn attach_console(args: &Args) -> Result<(), CmdError> {
    use std::io::IsTerminal;
    if !args.has("console") {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(CmdError::msg(
            "Cannot run interactive console without a controlling TTY",
        ));
    }
    Err(api::Error::no_support("virDomainOpenConsole").into())
}

/// `--verbose`: the job's progress on stderr as virsh draws it. The call
/// has returned, so the job is complete.
pub fn report_progress(session: &mut Session, args: &Args, label: &str) {
    if args.has("verbose") {
        session.flush();
        crate::stdio::err(&format!("\r{label}: [100 %]"));
    }
}

/// A driver refusing a call or a flag it does not know, which virsh works
/// around (start --force-boot, undefine's flags).
pub fn is_unsupported(e: &api::Error) -> bool {
    matches!(
        e.code,
        api::ErrorCode::NoSupport | api::ErrorCode::InvalidArg
    )
}
