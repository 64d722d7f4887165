//! Checkpoint commands (help keyword `checkpoint`).
//!
//! Shared here: finding the checkpoint a command names, a checkpoint's
//! parent, creating one, and collecting a listing.

pub mod create;
pub mod create_as;
pub mod delete;
pub mod dumpxml;
pub mod edit;
pub mod info;
pub mod list;
pub mod parent;

use crate::api::flags::checkpoint_list as lf;
use crate::api::{Connection, Domain, DomainCheckpoint, ErrorCode};
use crate::commands::snapshot::by_name;
use crate::commands::{Args, CmdError, CmdResult, Session};

/// The document name libvirt's parser gives checkpoint XML in its errors.
pub const CHECKPOINT_DOC: (&str, &str) = ("(domain_checkpoint)", "domaincheckpoint");

/// Finds the checkpoint named by `option`, which virsh 9.0 declares
/// optional but needs.
pub fn lookup(
    session: &mut Session,
    args: &Args,
    dom: &Domain,
    option: &str,
) -> Result<DomainCheckpoint, CmdError> {
    let name = args
        .get(option)?
        .ok_or_else(|| CmdError::msg(format!("--{option} is required")))?;
    let conn = session.conn()?;
    conn.domain_checkpoint_lookup_by_name(dom, name, 0)
        .map_err(|e| {
            let mut failure = CmdError::from(e);
            // A person at a terminal gets the closest existing name.
            if crate::output::style::get().hints {
                let all = conn.domain_list_all_checkpoints(dom, 0).unwrap_or_default();
                failure = failure.suggest(name, all.iter().map(|c| c.name.as_str()));
            }
            failure
        })
}

/// The parent's name, `None` for a root.
pub fn parent_name(conn: &Connection, cp: &DomainCheckpoint) -> Result<Option<String>, CmdError> {
    match conn.domain_checkpoint_get_parent(cp, 0) {
        Ok(parent) => Ok(Some(parent.name)),
        Err(e) if e.code == ErrorCode::NoDomainCheckpoint => Ok(None),
        Err(e) => Err(CmdError::from(e).also("unable to determine if checkpoint has parent")),
    }
}

/// Creates a checkpoint from `xml` and reports it, as checkpoint-create and
/// checkpoint-create-as do (`from` is the file the XML came from).
pub fn create(
    session: &mut Session,
    dom: &Domain,
    xml: &str,
    flags: u32,
    from: Option<&str>,
) -> CmdResult {
    let cp = session
        .conn()?
        .domain_checkpoint_create_xml(dom, xml, flags)?;
    // No newline: virsh ends these messages with its separator alone.
    match from {
        Some(file) => session.print_extra(&format!(
            "Domain checkpoint {} created from '{file}'",
            cp.name
        )),
        None => session.print_extra(&format!("Domain checkpoint {} created", cp.name)),
    }
    Ok(())
}

/// One checkpoint of a listing; `parent` is filled in for a tree, where the
/// starting checkpoint of `--from` appears as a root.
pub struct Listed {
    pub cp: DomainCheckpoint,
    pub parent: Option<String>,
}

/// Collects the checkpoints of `dom` (or the children of `from`) that
/// `flags` select: sorted by name unless topological, with parents and the
/// `--from` checkpoint as a root when drawing a tree.
pub fn collect(
    conn: &Connection,
    dom: &Domain,
    from: Option<&DomainCheckpoint>,
    flags: u32,
    tree: bool,
) -> Result<Vec<Listed>, CmdError> {
    let found = match from {
        Some(start) => conn.domain_checkpoint_list_all_children(start, flags),
        None => conn.domain_list_all_checkpoints(dom, flags),
    };
    let cps =
        found.map_err(|e| CmdError::from(e).context("unexpected problem querying checkpoints"))?;
    let mut listed = Vec::with_capacity(cps.len() + 1);
    for cp in cps {
        let parent = if tree { parent_name(conn, &cp)? } else { None };
        listed.push(Listed { cp, parent });
    }
    if let (true, Some(start)) = (tree, from) {
        listed.push(Listed {
            cp: start.clone(),
            parent: None,
        });
    }
    if flags & lf::TOPOLOGICAL == 0 {
        listed.sort_by(|a, b| by_name(&a.cp.name, &b.cp.name));
    }
    Ok(listed)
}
