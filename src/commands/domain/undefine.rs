use crate::api::flags::list;
use crate::api::flags::undefine as f;
use crate::api::{Connection, Domain};
use crate::commands::{
    failed, Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session,
};

pub static DEF: CommandDef = CommandDef {
    name: "undefine",
    group: Group::Domain,
    summary: "remove a domain's definition",
    description: "Remove the definition of an inactive domain, or make a running one \
transient. Optionally remove its storage and metadata too.",
    options: &[
        OptDef::domain_where(list::PERSISTENT),
        OptDef::flag("managed-save", "also remove the managed save image"),
        OptDef::string(
            "storage",
            "comma-separated disk targets or source paths whose volumes to remove",
        )
        .completes(Complete::DiskTarget),
        OptDef::flag(
            "remove-all-storage",
            "remove the volumes of every disk (careful)",
        ),
        OptDef::flag(
            "delete-storage-volume-snapshots",
            "also delete the volumes' snapshots (needs --remove-all-storage)",
        ),
        OptDef::alias("delete-snapshots", "delete-storage-volume-snapshots"),
        OptDef::flag("wipe-storage", "overwrite the volumes before removing them"),
        OptDef::flag(
            "snapshots-metadata",
            "also remove snapshot metadata (inactive domains)",
        ),
        OptDef::flag(
            "checkpoints-metadata",
            "also remove checkpoint metadata (inactive domains)",
        ),
        OptDef::flag("nvram", "also remove the UEFI variable store"),
        OptDef::flag("keep-nvram", "keep the UEFI variable store"),
        OptDef::flag("tpm", "also remove the TPM state"),
        OptDef::flag("keep-tpm", "keep the TPM state"),
    ],
    needs_connection: true,
    run,
};

const FLAGS: &[(&str, u32)] = &[
    ("managed-save", f::MANAGED_SAVE),
    ("snapshots-metadata", f::SNAPSHOTS_METADATA),
    ("checkpoints-metadata", f::CHECKPOINTS_METADATA),
    ("nvram", f::NVRAM),
    ("keep-nvram", f::KEEP_NVRAM),
    ("tpm", f::TPM),
    ("keep-tpm", f::KEEP_TPM),
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    args.requires("delete-storage-volume-snapshots", "remove-all-storage")?;
    args.exclusive("nvram", "keep-nvram")?;
    args.exclusive("tpm", "keep-tpm")?;
    let storage = args.get("storage")?.map(str::to_string);
    let remove_all = args.has("remove-all-storage");
    if remove_all && storage.is_some() {
        return Err(CmdError::msg(
            "Specified both --storage and --remove-all-storage",
        ));
    }
    if args.has("wipe-storage") && storage.is_none() && !remove_all {
        return Err(CmdError::msg(
            "'--wipe-storage' requires '--storage <string>' or '--remove-all-storage'",
        ));
    }
    let dom = session.lookup_domain(args, "domain")?;
    let shown = args.req("domain")?;
    let wants_storage = remove_all || storage.as_deref().is_some_and(|s| !s.is_empty());
    if wants_storage {
        if dom.is_active() {
            return Err(CmdError::msg(
                "Storage volume deletion is supported only on stopped domains",
            ));
        }
        let def = crate::commands::monitor::domain_def(session, &dom, false)?;
        let chosen = volumes_to_remove(&def, storage.as_deref().unwrap_or(""), remove_all)?;
        // No storage driver manages these paths yet: report each, remove none.
        let lines: Vec<String> = chosen
            .iter()
            .map(|(target, path)| {
                format!("Storage volume '{target}'({path}) is not managed by libvirt. Remove it manually.\n")
            })
            .collect();
        session.print_error_lines(&lines);
    }
    let conn = session.conn()?;
    if !args.has("managed-save") && conn.domain_has_managed_save_image(&dom, 0).unwrap_or(false) {
        return Err(CmdError::msg(
            "Refusing to undefine while domain managed save image exists",
        ));
    }
    let flags = args.flags(FLAGS);
    let conn = conn.clone();
    let result = conn.domain_undefine(&dom, flags);
    // A driver that does not know a flag gets virsh's fallback, unless the
    // user asked for something that must not be silently skipped (NVRAM).
    if result.as_ref().is_err_and(super::is_unsupported) && flags & f::NVRAM == 0 {
        undefine_by_hand(&conn, &dom, flags)?;
    } else {
        result.map_err(failed(format!("Failed to undefine domain '{shown}'")))?;
    }
    session.print_extra(&format!("Domain '{shown}' has been undefined\n"));
    Ok(())
}

/// virsh's fallback for drivers without undefine flags: remove the managed
/// save image and the snapshot metadata one call at a time, then make the
/// plain call.
fn undefine_by_hand(conn: &Connection, dom: &Domain, flags: u32) -> Result<(), CmdError> {
    use crate::api::flags::snapshot_delete::METADATA_ONLY;
    if flags & f::MANAGED_SAVE != 0 && conn.domain_has_managed_save_image(dom, 0).unwrap_or(false) {
        conn.domain_managed_save_remove(dom, 0)
            .map_err(failed("Failed to remove domain managed save image"))?;
    }
    let snapshots = conn.domain_list_all_snapshots(dom, 0).unwrap_or_default();
    if !snapshots.is_empty() {
        if flags & f::SNAPSHOTS_METADATA == 0 {
            return Err(CmdError::msg(format!(
                "Refusing to undefine while {} snapshots exist",
                snapshots.len()
            )));
        }
        if snapshots
            .iter()
            .any(|s| conn.domain_snapshot_delete(s, METADATA_ONLY).is_err())
        {
            return Err(CmdError::msg(format!(
                "Unable to remove metadata of {} snapshots",
                snapshots.len()
            )));
        }
    }
    conn.domain_undefine(dom, 0)
        .map_err(failed(format!("Failed to undefine domain '{}'", dom.name)))
}

/// The (target, source) of each disk named by `--storage` (or every disk with
/// `--remove-all-storage`); a name matching no remaining disk is an error.
fn volumes_to_remove(
    def: &crate::model::domain::DomainDef,
    spec: &str,
    remove_all: bool,
) -> Result<Vec<(String, String)>, CmdError> {
    let mut wanted: Vec<&str> = spec.split(',').filter(|s| !s.is_empty()).collect();
    let mut chosen = Vec::new();
    for disk in &def.disks {
        let Some(source) = &disk.source else { continue };
        let matched = wanted
            .iter()
            .position(|w| *w == disk.target_dev || w == source);
        if let Some(i) = matched {
            wanted.remove(i);
        } else if !remove_all {
            continue;
        }
        chosen.push((disk.target_dev.clone(), source.clone()));
    }
    if let Some(missing) = wanted.first() {
        return Err(CmdError::msg(format!(
            "Volume '{missing}' was not found in domain's definition.\n"
        )));
    }
    Ok(chosen)
}
