//! Snapshot calls: creating (new or redefined), the tree queries, revert
//! and delete, as libvirt 9.0's test driver keeps them. A snapshot holds a
//! copy of the domain definition; nothing is saved on any disk.

use crate::api::flags::{
    snapshot_create as create, snapshot_delete as delete, snapshot_list as list,
    snapshot_revert as revert,
};
use crate::api::{
    reason, Domain, DomainSnapshot, DomainState, Error, ErrorCode, ErrorDomain, Result,
};
use crate::model::snapshot::{
    SnapshotDef, SnapshotFormatOptions, SnapshotLocation, SnapshotParseFlags, SnapshotState,
};

use crate::model::xml::parse_document;

use super::errors::{self, check_flags};
use super::moments::{MomentTree, Scope};
use super::state::{DomainObj, State};
use crate::api::log;

/// Every listing filter the test driver accepts, ROOTS/DESCENDANTS and
/// TOPOLOGICAL included.
const LIST_FLAGS: u32 = 0x7ff;

impl State {
    pub fn snapshot_create_xml(
        &mut self,
        dom: &Domain,
        xml: &str,
        flags: u32,
    ) -> Result<DomainSnapshot> {
        check_create_flags(flags)?;
        check_flags(
            flags,
            create::REDEFINE
                | create::CURRENT
                | create::HALT
                | create::QUIESCE
                | create::ATOMIC
                | create::LIVE
                | create::VALIDATE,
            "testDomainSnapshotCreateXML",
        )?;
        let redefine = flags & create::REDEFINE != 0;
        let index = self.index_of(dom)?;
        let obj = &mut self.domains[index];
        if !obj.checkpoints.is_empty() {
            return Err(errors::operation_unsupported(
                "cannot create snapshot while checkpoint exists",
            ));
        }
        if !obj.is_persistent() && flags & create::HALT != 0 {
            return Err(errors::operation_invalid(
                "cannot halt after transient domain snapshot",
            ));
        }
        let mut def = parse_snapshot(
            xml,
            SnapshotParseFlags {
                redefine,
                validate: flags & create::VALIDATE != 0,
                ..Default::default()
            },
        )?;
        let name = def.name.clone();
        if redefine {
            check_cycles(&obj.snapshots, &def.name, def.parent.as_deref())?;
            let existing = obj.snapshots.get(&def.name);
            def.redefine_validate(&obj.uuid(), existing, false)?;
            def.redefine_align(existing)?;
            let parent = def.parent.clone();
            obj.snapshots.replace(&name, def, parent.as_deref());
            if flags & create::CURRENT != 0 {
                obj.snapshots.set_current(Some(&name));
            }
            return Ok(snapshot_handle(obj, &name));
        }

        def.domain = Some(obj.def().reparsed().unwrap_or_else(|_| obj.def().clone()));
        refuse_manual(&def)?;
        let external = def.memory == SnapshotLocation::External;
        let state = SnapshotState::from_domain_state(obj.state as u32);
        def.state = state;
        if !external {
            def.memory = if state == Some(SnapshotState::Shutoff) {
                SnapshotLocation::No
            } else {
                SnapshotLocation::Internal
            };
        }
        let default = if external {
            SnapshotLocation::External
        } else {
            SnapshotLocation::Internal
        };
        def.align_disks(None, default, true, false)?;
        refuse_manual(&def)?;
        if obj.snapshots.contains(&name) {
            return Err(errors::moment_exists(&name, ErrorDomain::DomainSnapshot));
        }
        let parent = obj.snapshots.current().map(str::to_string);
        def.parent = parent.clone();
        obj.snapshots.insert(&name, def, parent.as_deref());
        obj.snapshots.set_current(Some(&name));
        if flags & create::HALT != 0 && obj.is_active() {
            self.stop(index, reason::SHUTOFF_FROM_SNAPSHOT);
        }
        Ok(snapshot_handle(&self.domains[index], &name))
    }

    pub fn snapshot_get_xml_desc(&self, snap: &DomainSnapshot, flags: u32) -> Result<String> {
        check_flags(
            flags,
            crate::api::flags::xml::SECURE,
            "testDomainSnapshotGetXMLDesc",
        )?;
        let obj = self.get(&snap.domain)?;
        let def = find(obj, &snap.name)?;
        let mut def = def.clone();
        def.parent = obj.snapshots.parent(&snap.name).map(str::to_string);
        Ok(def.format(&SnapshotFormatOptions {
            secure: flags & crate::api::flags::xml::SECURE != 0,
            domain_uuid: Some(obj.uuid().to_string()),
            ..Default::default()
        }))
    }

    pub fn list_all_snapshots(&self, dom: &Domain, flags: u32) -> Result<Vec<DomainSnapshot>> {
        check_flags(flags, LIST_FLAGS, "testDomainListAllSnapshots")?;
        let obj = self.get(dom)?;
        let scope = Scope::All {
            roots_only: flags & list::ROOTS != 0,
        };
        Ok(listed(obj, scope, flags))
    }

    pub fn snapshot_list_children(
        &self,
        snap: &DomainSnapshot,
        flags: u32,
    ) -> Result<Vec<DomainSnapshot>> {
        check_flags(flags, LIST_FLAGS, "testDomainSnapshotListAllChildren")?;
        let obj = self.get(&snap.domain)?;
        find(obj, &snap.name)?;
        let scope = Scope::Below {
            name: &snap.name,
            descendants: flags & list::DESCENDANTS != 0,
        };
        Ok(listed(obj, scope, flags))
    }

    pub fn snapshot_lookup_by_name(
        &self,
        dom: &Domain,
        name: &str,
        flags: u32,
    ) -> Result<DomainSnapshot> {
        check_flags(flags, 0, "testDomainSnapshotLookupByName")?;
        let obj = self.get(dom)?;
        find(obj, name)?;
        Ok(snapshot_handle(obj, name))
    }

    pub fn has_current_snapshot(&self, dom: &Domain, flags: u32) -> Result<bool> {
        check_flags(flags, 0, "testDomainHasCurrentSnapshot")?;
        Ok(self.get(dom)?.snapshots.current().is_some())
    }

    pub fn snapshot_current(&self, dom: &Domain, flags: u32) -> Result<DomainSnapshot> {
        check_flags(flags, 0, "testDomainSnapshotCurrent")?;
        let obj = self.get(dom)?;
        match obj.snapshots.current() {
            Some(name) => Ok(snapshot_handle(obj, name)),
            None => Err(Error::new(
                ErrorCode::NoDomainSnapshot,
                ErrorDomain::Test,
                "the domain does not have a current snapshot",
            )),
        }
    }

    pub fn snapshot_parent(&self, snap: &DomainSnapshot, flags: u32) -> Result<DomainSnapshot> {
        check_flags(flags, 0, "testDomainSnapshotGetParent")?;
        let obj = self.get(&snap.domain)?;
        find(obj, &snap.name)?;
        match obj.snapshots.parent(&snap.name) {
            Some(parent) => Ok(DomainSnapshot {
                domain: snap.domain.clone(),
                name: parent.to_string(),
            }),
            None => Err(Error::new(
                ErrorCode::NoDomainSnapshot,
                ErrorDomain::Test,
                format!("snapshot '{}' does not have a parent", snap.name),
            )),
        }
    }

    pub fn snapshot_is_current(&self, snap: &DomainSnapshot, flags: u32) -> Result<bool> {
        check_flags(flags, 0, "testDomainSnapshotIsCurrent")?;
        let obj = self.get(&snap.domain)?;
        find(obj, &snap.name)?;
        Ok(obj.snapshots.is_current(&snap.name))
    }

    /// Every snapshot of the test driver has metadata.
    pub fn snapshot_has_metadata(&self, snap: &DomainSnapshot, flags: u32) -> Result<bool> {
        check_flags(flags, 0, "testDomainSnapshotHasMetadata")?;
        find(self.get(&snap.domain)?, &snap.name)?;
        Ok(true)
    }

    /// Puts the domain back in the snapshot's state on the snapshot's
    /// definition. libvirt 9.0 boots a running or paused snapshot afresh
    /// (new id) even when the domain runs; an inactive snapshot stops the
    /// domain, and RUNNING/PAUSED then start nothing.
    pub fn revert_to_snapshot(&mut self, snap: &DomainSnapshot, flags: u32) -> Result<()> {
        check_flags(
            flags,
            revert::RUNNING | revert::PAUSED | revert::FORCE,
            "testDomainRevertToSnapshot",
        )?;
        let index = self.index_of(&snap.domain)?;
        let obj = &mut self.domains[index];
        let def = find(obj, &snap.name)?;
        let online = matches!(
            def.state,
            Some(SnapshotState::Running | SnapshotState::Paused)
        );
        let paused = def.state == Some(SnapshotState::Paused);
        let persistent = obj.is_persistent();
        if !persistent && !online && flags & (revert::RUNNING | revert::PAUSED) == 0 {
            return Err(errors::operation_invalid(
                "transient domain needs to request run or pause to revert to inactive snapshot",
            ));
        }
        let Some(saved) = def.domain.as_ref() else {
            return Err(Error::new(
                ErrorCode::SnapshotRevertRisky,
                ErrorDomain::Test,
                format!(
                    "snapshot '{}' lacks domain '{}' rollback info",
                    snap.name,
                    obj.name()
                ),
            ));
        };
        let config = saved.reparsed().unwrap_or_else(|_| saved.clone());
        if online {
            if obj.is_active() {
                halt(obj, persistent, reason::SHUTOFF_FROM_SNAPSHOT);
            }
            obj.config = Some(config.into());
            self.start(index, DomainState::Running, reason::RUNNING_FROM_SNAPSHOT);
            let obj = &mut self.domains[index];
            if flags & revert::RUNNING == 0 && (paused || flags & revert::PAUSED != 0) {
                obj.set_state(DomainState::Paused, reason::PAUSED_FROM_SNAPSHOT);
            }
        } else {
            obj.config = Some(config.into());
            if obj.is_active() {
                halt(obj, persistent, reason::SHUTOFF_FROM_SNAPSHOT);
            }
        }
        self.domains[index].snapshots.set_current(Some(&snap.name));
        Ok(())
    }

    /// Deletes a snapshot, its descendants, or both. Children of a deleted
    /// snapshot move to its parent; a deleted current snapshot hands
    /// "current" to its parent (or, deleting only the children, to itself).
    pub fn snapshot_delete(&mut self, snap: &DomainSnapshot, flags: u32) -> Result<()> {
        check_flags(
            flags,
            delete::CHILDREN | delete::CHILDREN_ONLY,
            "testDomainSnapshotDelete",
        )?;
        let obj = self.get_mut(&snap.domain)?;
        find(obj, &snap.name)?;
        delete_moment(
            &mut obj.snapshots,
            &snap.name,
            flags & (delete::CHILDREN | delete::CHILDREN_ONLY) != 0,
            flags & delete::CHILDREN_ONLY != 0,
        );
        Ok(())
    }
}

/// Reads a snapshot document. A redefinition without a typed `<domain>`
/// makes libvirt log its old-snapshot warning once parsing reaches the
/// domain (after name, creation time and state were read).
pub fn parse_snapshot(xml: &str, flags: SnapshotParseFlags) -> Result<SnapshotDef> {
    let result = SnapshotDef::parse_with(xml, flags);
    let warn = flags.redefine
        && match &result {
            Ok(def) => def.domain.is_none(),
            Err(e) => {
                let before_domain =
                    matches!(e.code, ErrorCode::XmlDetail | ErrorCode::XmlInvalidSchema)
                        || ["must have a name", "creationTime", "state", "root element"]
                            .iter()
                            .any(|w| e.message.contains(w));
                let untyped = parse_document(xml, "(domain_snapshot)").is_ok_and(|root| {
                    root.child("domain")
                        .and_then(|d| d.attr("type"))
                        .is_none_or(str::is_empty)
                });
                untyped && !before_domain
            }
        };
    if warn {
        log::warning(
            "virDomainSnapshotDefParse:287",
            "parsing older snapshot that lacks domain",
        );
    }
    result
}

/// Stops a domain for a snapshot without losing it: a transient domain
/// stays, shut off, on its one definition.
fn halt(obj: &mut DomainObj, persistent: bool, why: i32) {
    if !persistent {
        if obj.config.is_none() {
            obj.config = obj.live.take();
        }
        obj.transient_shutoff = true;
    }
    obj.live = None;
    obj.id = -1;
    obj.set_state(DomainState::Shutoff, why);
}

/// The public API's checks before any driver runs.
fn check_create_flags(flags: u32) -> Result<()> {
    let named = |f: u32| match f {
        create::REDEFINE => "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE",
        create::CURRENT => "VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT",
        create::NO_METADATA => "VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA",
        _ => "VIR_DOMAIN_SNAPSHOT_CREATE_HALT",
    };
    let snap = |e| errors::moment_flags(e, ErrorDomain::DomainSnapshot);
    if flags & create::CURRENT != 0 && flags & create::REDEFINE == 0 {
        return Err(snap(errors::required_flag(
            named(create::REDEFINE),
            named(create::CURRENT),
        )));
    }
    for other in [create::NO_METADATA, create::HALT] {
        if flags & create::REDEFINE != 0 && flags & other != 0 {
            return Err(snap(errors::exclusive_flags(
                named(create::REDEFINE),
                named(other),
            )));
        }
    }
    Ok(())
}

/// The test driver takes no `manual` snapshot of any disk.
fn refuse_manual(def: &SnapshotDef) -> Result<()> {
    if def
        .disks
        .iter()
        .any(|d| d.snapshot == SnapshotLocation::Manual)
    {
        return Err(errors::operation_unsupported(
            "'manual' snapshot mode is not supported by the test driver",
        ));
    }
    Ok(())
}

/// A redefined moment's parent must exist and may not be the moment
/// itself or one of its descendants.
pub fn check_cycles<D>(tree: &MomentTree<D>, name: &str, parent: Option<&str>) -> Result<()> {
    let Some(parent) = parent else {
        return Ok(());
    };
    let invalid = |detail: String| Error::new(ErrorCode::InvalidArg, ErrorDomain::Domain, detail);
    if parent == name {
        return Err(invalid(format!(
            "cannot set moment {name} as its own parent"
        )));
    }
    if !tree.contains(parent) {
        return Err(invalid(format!(
            "parent {parent} for moment {name} not found"
        )));
    }
    if let Some(via) = tree.cycle_through(name, parent) {
        return Err(invalid(format!(
            "parent {via} would create cycle to {name}"
        )));
    }
    Ok(())
}

/// The removal libvirt's test driver does for snapshots and checkpoints.
pub fn delete_moment<D>(tree: &mut MomentTree<D>, name: &str, children: bool, children_only: bool) {
    if children {
        if tree.remove_descendants(name) {
            tree.set_current(Some(name));
        }
    } else if tree.child_count(name) > 0 {
        tree.reparent_children(name);
    }
    if !children_only {
        if tree.is_current(name) {
            let parent = tree.parent(name).map(str::to_string);
            tree.set_current(parent.as_deref());
        }
        tree.remove(name);
    }
}

fn find<'a>(obj: &'a DomainObj, name: &str) -> Result<&'a SnapshotDef> {
    obj.snapshots
        .get(name)
        .ok_or_else(|| errors::no_snapshot(name))
}

fn snapshot_handle(obj: &DomainObj, name: &str) -> DomainSnapshot {
    DomainSnapshot {
        domain: obj.handle(),
        name: name.to_string(),
    }
}

/// The snapshots of a walk that pass the listing filters.
fn listed(obj: &DomainObj, scope: Scope<'_>, flags: u32) -> Vec<DomainSnapshot> {
    obj.snapshots
        .walk_defs(scope)
        .into_iter()
        .filter(|(_, def, leaf)| passes_filters(def, *leaf, flags))
        .map(|(name, _, _)| snapshot_handle(obj, name))
        .collect()
}

/// libvirt's snapshot filters: within a group any set flag may match, the
/// groups combine with AND. Every snapshot here has metadata.
fn passes_filters(def: &SnapshotDef, leaf: bool, flags: u32) -> bool {
    if flags & list::LEAVES != 0 && !leaf {
        return false;
    }
    if flags & list::NO_LEAVES != 0 && leaf {
        return false;
    }
    if flags & (list::METADATA | list::NO_METADATA) == list::NO_METADATA {
        return false;
    }
    let status = list::INACTIVE | list::ACTIVE | list::DISK_ONLY;
    if flags & status != 0 {
        let wanted = match def.state {
            Some(SnapshotState::Shutoff) => list::INACTIVE,
            Some(SnapshotState::DiskSnapshot) => list::DISK_ONLY,
            _ => list::ACTIVE,
        };
        if flags & wanted == 0 {
            return false;
        }
    }
    let location = list::INTERNAL | list::EXTERNAL;
    if flags & location != 0 {
        let wanted = if def.is_external() {
            list::EXTERNAL
        } else {
            list::INTERNAL
        };
        if flags & wanted == 0 {
            return false;
        }
    }
    true
}
