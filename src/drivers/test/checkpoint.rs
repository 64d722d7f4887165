//! Checkpoint calls, as libvirt 9.0's test driver keeps them: a running
//! domain without snapshots gets one bitmap per disk named after the
//! checkpoint; nothing tracks changed blocks.

use crate::api::flags::{
    checkpoint_create as create, checkpoint_delete as delete, checkpoint_list as list,
    checkpoint_xml,
};
use crate::api::{Domain, DomainCheckpoint, Error, ErrorCode, ErrorDomain, Result};
use crate::model::checkpoint::{CheckpointDef, CheckpointFormatOptions, CheckpointParseFlags};

use super::errors::{self, check_flags};
use super::moments::Scope;
use super::snapshot::{check_cycles, delete_moment};
use super::state::{DomainObj, State};

/// ROOTS/DESCENDANTS, TOPOLOGICAL, LEAVES, NO_LEAVES.
const LIST_FLAGS: u32 = list::ROOTS | list::TOPOLOGICAL | list::LEAVES | list::NO_LEAVES;

impl State {
    pub fn checkpoint_create_xml(
        &mut self,
        dom: &Domain,
        xml: &str,
        flags: u32,
    ) -> Result<DomainCheckpoint> {
        check_create_flags(flags)?;
        check_flags(
            flags,
            create::REDEFINE | create::QUIESCE,
            "testDomainCheckpointCreateXML",
        )?;
        let redefine = flags & create::REDEFINE != 0;
        let obj = self.get_mut(dom)?;
        if !obj.snapshots.is_empty() {
            return Err(errors::operation_unsupported(
                "cannot create checkpoint while snapshot exists",
            ));
        }
        if !obj.is_active() {
            return Err(errors::operation_unsupported(
                "cannot create checkpoint for inactive domain",
            ));
        }
        let mut def = CheckpointDef::parse_with(
            xml,
            CheckpointParseFlags {
                redefine,
                ..Default::default()
            },
        )?;
        let name = def.name.clone();
        let current = obj.checkpoints.current().map(str::to_string);
        if redefine {
            check_cycles(&obj.checkpoints, &def.name, def.parent.as_deref())?;
            def.redefine_prep(&obj.uuid())?;
            // A redefinition becomes current when none is, or when it is the
            // current checkpoint's child.
            let becomes_current = current.is_none() || def.parent == current;
            let parent = def.parent.clone();
            obj.checkpoints.replace(&name, def, parent.as_deref());
            if becomes_current {
                obj.checkpoints.set_current(Some(&name));
            }
        } else {
            def.domain = Some(obj.def().reparsed().unwrap_or_else(|_| obj.def().clone()));
            def.align_disks()?;
            if obj.checkpoints.contains(&name) {
                return Err(errors::moment_exists(&name, ErrorDomain::DomainCheckpoint));
            }
            def.parent = current.clone();
            obj.checkpoints.insert(&name, def, current.as_deref());
            obj.checkpoints.set_current(Some(&name));
        }
        Ok(checkpoint_handle(obj, &name))
    }

    /// `SIZE` needs a running domain; libvirt 9.0 then prints no sizes.
    pub fn checkpoint_get_xml_desc(&self, cp: &DomainCheckpoint, flags: u32) -> Result<String> {
        check_flags(
            flags,
            checkpoint_xml::SECURE | checkpoint_xml::NO_DOMAIN | checkpoint_xml::SIZE,
            "testDomainCheckpointGetXMLDesc",
        )?;
        let obj = self.get(&cp.domain)?;
        let def = find(obj, &cp.name)?;
        if flags & checkpoint_xml::SIZE != 0 && !obj.is_active() {
            return Err(errors::not_running());
        }
        let mut def = def.clone();
        def.parent = obj.checkpoints.parent(&cp.name).map(str::to_string);
        Ok(def.format(CheckpointFormatOptions {
            secure: flags & checkpoint_xml::SECURE != 0,
            no_domain: flags & checkpoint_xml::NO_DOMAIN != 0,
            size: false,
        }))
    }

    pub fn list_all_checkpoints(&self, dom: &Domain, flags: u32) -> Result<Vec<DomainCheckpoint>> {
        check_flags(flags, LIST_FLAGS, "testDomainListAllCheckpoints")?;
        let obj = self.get(dom)?;
        let scope = Scope::All {
            roots_only: flags & list::ROOTS != 0,
        };
        Ok(listed(obj, scope, flags))
    }

    pub fn checkpoint_list_children(
        &self,
        cp: &DomainCheckpoint,
        flags: u32,
    ) -> Result<Vec<DomainCheckpoint>> {
        check_flags(flags, LIST_FLAGS, "testDomainCheckpointListAllChildren")?;
        let obj = self.get(&cp.domain)?;
        find(obj, &cp.name)?;
        let scope = Scope::Below {
            name: &cp.name,
            descendants: flags & list::DESCENDANTS != 0,
        };
        Ok(listed(obj, scope, flags))
    }

    pub fn checkpoint_lookup_by_name(
        &self,
        dom: &Domain,
        name: &str,
        flags: u32,
    ) -> Result<DomainCheckpoint> {
        check_flags(flags, 0, "testDomainCheckpointLookupByName")?;
        let obj = self.get(dom)?;
        find(obj, name)?;
        Ok(checkpoint_handle(obj, name))
    }

    pub fn checkpoint_parent(&self, cp: &DomainCheckpoint, flags: u32) -> Result<DomainCheckpoint> {
        check_flags(flags, 0, "testDomainCheckpointGetParent")?;
        let obj = self.get(&cp.domain)?;
        find(obj, &cp.name)?;
        match obj.checkpoints.parent(&cp.name) {
            Some(parent) => Ok(DomainCheckpoint {
                domain: cp.domain.clone(),
                name: parent.to_string(),
            }),
            None => Err(Error::new(
                ErrorCode::NoDomainCheckpoint,
                ErrorDomain::Test,
                format!("checkpoint '{}' does not have a parent", cp.name),
            )),
        }
    }

    /// As snapshot deletion; METADATA_ONLY changes nothing more here, as
    /// the test driver keeps no bitmaps.
    pub fn checkpoint_delete(&mut self, cp: &DomainCheckpoint, flags: u32) -> Result<()> {
        check_flags(
            flags,
            delete::CHILDREN | delete::METADATA_ONLY | delete::CHILDREN_ONLY,
            "testDomainCheckpointDelete",
        )?;
        let obj = self.get_mut(&cp.domain)?;
        find(obj, &cp.name)?;
        delete_moment(
            &mut obj.checkpoints,
            &cp.name,
            flags & (delete::CHILDREN | delete::CHILDREN_ONLY) != 0,
            flags & delete::CHILDREN_ONLY != 0,
        );
        Ok(())
    }
}

/// The public API's checks before any driver runs.
fn check_create_flags(flags: u32) -> Result<()> {
    const REDEFINE: &str = "VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE";
    let cp = |e| errors::moment_flags(e, ErrorDomain::DomainCheckpoint);
    if flags & create::REDEFINE_VALIDATE != 0 && flags & create::REDEFINE == 0 {
        return Err(cp(errors::required_flag(
            REDEFINE,
            "VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE",
        )));
    }
    if flags & create::REDEFINE != 0 && flags & create::QUIESCE != 0 {
        return Err(cp(errors::exclusive_flags(
            REDEFINE,
            "VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE",
        )));
    }
    Ok(())
}

fn find<'a>(obj: &'a DomainObj, name: &str) -> Result<&'a CheckpointDef> {
    obj.checkpoints
        .get(name)
        .ok_or_else(|| errors::no_checkpoint(name))
}

fn checkpoint_handle(obj: &DomainObj, name: &str) -> DomainCheckpoint {
    DomainCheckpoint {
        domain: obj.handle(),
        name: name.to_string(),
    }
}

fn listed(obj: &DomainObj, scope: Scope<'_>, flags: u32) -> Vec<DomainCheckpoint> {
    obj.checkpoints
        .walk_defs(scope)
        .into_iter()
        .filter(|(_, _, leaf)| {
            !(flags & list::LEAVES != 0 && !leaf || flags & list::NO_LEAVES != 0 && *leaf)
        })
        .map(|(name, _, _)| checkpoint_handle(obj, name))
        .collect()
}
