use crate::api::flags::list;
use crate::api::flags::snapshot_revert as f;
use crate::api::ErrorCode;
use crate::commands::{failed, Args, CmdResult, CommandDef, Complete, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "snapshot-revert",
    group: Group::Snapshot,
    summary: "revert a domain to a snapshot",
    description: "Bring a domain back to the state a snapshot (or the current one) \
recorded; that snapshot becomes current.",
    options: &[
        OptDef::domain_where(list::HAS_SNAPSHOT),
        OptDef::string("snapshotname", "snapshot name").completes(Complete::Snapshot),
        OptDef::flag("current", "revert to the current snapshot"),
        OptDef::flag("running", "leave the domain running afterwards"),
        OptDef::flag("paused", "leave the domain paused afterwards"),
        OptDef::flag("force", "revert even when that is risky"),
        OptDef::flag("reset-nvram", "start over from the pristine NVRAM template"),
    ],
    needs_connection: true,
    run,
};

const FLAGS: &[(&str, u32)] = &[
    ("running", f::RUNNING),
    ("paused", f::PAUSED),
    ("reset-nvram", f::RESET_NVRAM),
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let mut flags = args.flags(FLAGS);
    let dom = session.lookup_domain(args, "domain")?;
    let snap = super::lookup(session, args, &dom, "snapshotname", true)?;
    let conn = session.conn()?;
    let mut result = conn.domain_revert_to_snapshot(&snap, flags);
    // --force is only sent once the server calls the revert risky, so that
    // servers which never refuse (and reject the flag) still revert.
    if args.has("force") && matches!(&result, Err(e) if e.code == ErrorCode::SnapshotRevertRisky) {
        flags |= f::FORCE;
        result = conn.domain_revert_to_snapshot(&snap, flags);
    }
    result.map_err(failed(format!("Failed to revert snapshot {}", snap.name)))?;
    session.print_extra(&format!("Domain snapshot {} reverted\n", snap.name));
    Ok(())
}
