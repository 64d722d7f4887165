//! Domain calls: listing and lookup, definition, the lifecycle state
//! machine, and read-only queries.

use crate::api::flags::{destroy, list, xml};
use crate::api::{
    reason, BlockInfo, Domain, DomainInfo, DomainState, Error, ErrorCode, ErrorDomain, MemoryStat,
    Result, SecurityLabel, Uuid,
};
use crate::model::domain::{DomainDef, FormatOptions};

use super::errors::{self, check_flags};
use super::host::SECURITY_LABEL;
use super::state::{fake_cpu_time, DomainObj, State};

/// What the guest does when it powers itself off or reboots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LifecycleEvent {
    Poweroff,
    Reboot,
}

/// Whether the domain comes back up after `event`: its `<on_poweroff>` or
/// `<on_reboot>` action is `restart` or `rename-restart`. Any other action
/// leaves it shut off.
fn restarts_after(def: &DomainDef, event: LifecycleEvent) -> bool {
    let action = match event {
        LifecycleEvent::Poweroff => &def.on_poweroff,
        LifecycleEvent::Reboot => &def.on_reboot,
    };
    matches!(action.as_str(), "restart" | "rename-restart")
}

/// The sizes libvirt's test driver reports for every disk, in bytes.
const BLOCK_CAPACITY: u64 = 1_099_506_450_432;
const BLOCK_ALLOCATION: u64 = 1_099_511_627_776;
const BLOCK_PHYSICAL: u64 = 1_099_511_627_776;

/// `last_update` of the fake balloon statistics.
const BALLOON_LAST_UPDATE: u64 = 627_319_920;

/// libvirt's memory-statistic tags, as the fake balloon reports them.
mod stat_tag {
    pub const SWAP_IN: i32 = 0;
    pub const SWAP_OUT: i32 = 1;
    pub const MAJOR_FAULT: i32 = 2;
    pub const MINOR_FAULT: i32 = 3;
    pub const UNUSED: i32 = 4;
    pub const AVAILABLE: i32 = 5;
    pub const ACTUAL_BALLOON: i32 = 6;
    pub const RSS: i32 = 7;
    pub const USABLE: i32 = 8;
    pub const LAST_UPDATE: i32 = 9;
    pub const DISK_CACHES: i32 = 10;
    pub const HUGETLB_PGALLOC: i32 = 11;
    pub const HUGETLB_PGFAIL: i32 = 12;
}

impl State {
    pub fn list_all_domains(&self, flags: u32) -> Result<Vec<Domain>> {
        check_flags(flags, 0xffff, "testConnectListAllDomains")?;
        let mut found: Vec<&DomainObj> = self
            .domains
            .iter()
            .filter(|d| list_filter_matches(d, flags))
            .collect();
        // Running domains by id, then the others by name, as virsh shows them.
        found.sort_by(|a, b| match (a.is_active(), b.is_active()) {
            (true, true) => a.id.cmp(&b.id),
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => a.name().cmp(b.name()),
        });
        Ok(found.into_iter().map(DomainObj::handle).collect())
    }

    pub fn lookup_by_id(&self, id: i32) -> Result<Domain> {
        self.find_by_id(id)
            .map(|i| self.domains[i].handle())
            .ok_or_else(errors::no_domain)
    }

    pub fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<Domain> {
        self.find_by_uuid(uuid)
            .map(|i| self.domains[i].handle())
            .ok_or_else(errors::no_domain)
    }

    pub fn lookup_by_name(&self, name: &str) -> Result<Domain> {
        self.find_by_name(name)
            .map(|i| self.domains[i].handle())
            .ok_or_else(errors::no_domain)
    }

    /// Defines a new domain, or replaces the next-boot definition of the
    /// domain with the same name and UUID (a running one keeps running on
    /// its current definition).
    pub fn define_xml(&mut self, xml: &str, flags: u32) -> Result<Domain> {
        use crate::api::flags::define::VALIDATE;
        check_flags(flags, VALIDATE, "testDomainDefineXMLFlags")?;
        if flags & VALIDATE != 0 {
            validate_against_schema(xml)?;
        }
        let mut def = DomainDef::parse(xml)?;
        def.assign_test_ifnames();
        let index = match self.check_clash(&def)? {
            Some(i) => {
                let obj = &mut self.domains[i];
                obj.config = Some(def.into());
                obj.transient_shutoff = false;
                i
            }
            None => self.push_domain(DomainObj::defined(def)),
        };
        Ok(self.domains[index].handle())
    }

    /// Starts a definition right away. A new name makes a transient domain;
    /// the name of an inactive persistent domain boots it on this definition.
    pub fn create_xml(&mut self, xml: &str, flags: u32) -> Result<Domain> {
        use crate::api::flags::start::VALIDATE;
        check_flags(flags, VALIDATE, "testDomainCreateXML")?;
        if flags & VALIDATE != 0 {
            validate_against_schema(xml)?;
        }
        let def = DomainDef::parse(xml)?;
        let index = self.add_live(def)?;
        self.start(index, DomainState::Running, reason::RUNNING_BOOTED);
        Ok(self.domains[index].handle())
    }

    /// Places a definition that is about to run: into the inactive domain
    /// of the same name and UUID, or as a new transient domain.
    pub fn add_live(&mut self, mut def: DomainDef) -> Result<usize> {
        def.assign_test_ifnames();
        match self.check_clash(&def)? {
            Some(i) => {
                let obj = &mut self.domains[i];
                if obj.is_active() {
                    return Err(Error::new(
                        ErrorCode::OperationInvalid,
                        ErrorDomain::Domain,
                        format!("domain '{}' is already active", obj.name()),
                    ));
                }
                // A transient domain a snapshot revert left shut off.
                if obj.transient_shutoff {
                    return Err(Error::new(
                        ErrorCode::OperationInvalid,
                        ErrorDomain::Domain,
                        format!("domain '{}' is already being started", obj.name()),
                    ));
                }
                obj.live = Some(def.into());
                Ok(i)
            }
            None => {
                let mut obj = DomainObj::defined(def);
                obj.live = obj.config.take();
                Ok(self.push_domain(obj))
            }
        }
    }

    /// Removes the persistent definition: an inactive domain goes away, a
    /// running one becomes transient.
    pub fn undefine(&mut self, dom: &Domain, flags: u32) -> Result<()> {
        use crate::api::flags::undefine::{MANAGED_SAVE, SNAPSHOTS_METADATA};
        check_flags(
            flags,
            MANAGED_SAVE | SNAPSHOTS_METADATA,
            "testDomainUndefineFlags",
        )?;
        let index = self.index_of(dom)?;
        let obj = &mut self.domains[index];
        if obj.has_managed_save && flags & MANAGED_SAVE == 0 {
            return Err(errors::operation_invalid(
                "Refusing to undefine while domain managed save image exists",
            ));
        }
        // libvirt 9.0's test driver lets checkpoints go without a word.
        if !obj.is_active() && !obj.snapshots.is_empty() {
            if flags & SNAPSHOTS_METADATA == 0 {
                return Err(errors::operation_invalid(format!(
                    "cannot delete inactive domain with {} snapshots",
                    obj.snapshots.len()
                )));
            }
            obj.snapshots.clear();
        }
        obj.has_managed_save = false;
        if obj.is_active() {
            obj.config = None;
        } else {
            self.domains.remove(index);
        }
        Ok(())
    }

    /// Boots an inactive domain under a new id. A managed-save image is
    /// dropped; libvirt 9.0's test driver boots afresh rather than resuming.
    pub fn create(&mut self, dom: &Domain, flags: u32) -> Result<Domain> {
        check_flags(flags, 0, "testDomainCreateWithFlags")?;
        let index = self.index_of(dom)?;
        let obj = &self.domains[index];
        if obj.is_active() {
            return Err(errors::internal(format!(
                "Domain '{}' is already running",
                obj.name()
            )));
        }
        self.start(index, DomainState::Running, reason::RUNNING_BOOTED);
        Ok(self.domains[index].handle())
    }

    pub fn shutdown(&mut self, dom: &Domain, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testDomainShutdownFlags")?;
        let index = self.index_of(dom)?;
        let obj = &self.domains[index];
        if obj.state == DomainState::Shutoff {
            return Err(errors::internal(format!(
                "domain '{}' not running",
                obj.name()
            )));
        }
        let restart = restarts_after(obj.def(), LifecycleEvent::Poweroff);
        self.stop(index, reason::SHUTOFF_SHUTDOWN);
        if restart {
            if let Some(index) = self.find_by_uuid(&dom.uuid) {
                self.start(index, DomainState::Running, reason::RUNNING_BOOTED);
            }
        }
        Ok(())
    }

    pub fn reboot(&mut self, dom: &Domain, flags: u32) -> Result<()> {
        check_flags(flags, 0x1f, "testDomainReboot")?;
        let index = self.index_of(dom)?;
        let obj = &mut self.domains[index];
        if !obj.is_active() {
            return Err(errors::not_running());
        }
        if restarts_after(obj.def(), LifecycleEvent::Reboot) {
            obj.set_state(DomainState::Running, reason::RUNNING_BOOTED);
        } else {
            self.stop(index, reason::SHUTOFF_SHUTDOWN);
        }
        Ok(())
    }

    /// A reset changes nothing visible in the test driver.
    pub fn reset(&mut self, dom: &Domain, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testDomainReset")?;
        if !self.get(dom)?.is_active() {
            return Err(errors::not_running());
        }
        Ok(())
    }

    pub fn destroy(&mut self, dom: &Domain, flags: u32) -> Result<()> {
        check_flags(flags, destroy::GRACEFUL, "testDomainDestroyFlags")?;
        let index = self.index_of(dom)?;
        if !self.domains[index].is_active() {
            return Err(errors::not_running());
        }
        self.stop(index, reason::SHUTOFF_DESTROYED);
        Ok(())
    }

    pub fn suspend(&mut self, dom: &Domain) -> Result<()> {
        let obj = self.get_mut(dom)?;
        if matches!(obj.state, DomainState::Shutoff | DomainState::Paused) {
            return Err(errors::internal(format!(
                "domain '{}' not running",
                obj.name()
            )));
        }
        obj.set_state(DomainState::Paused, reason::PAUSED_USER);
        Ok(())
    }

    pub fn resume(&mut self, dom: &Domain) -> Result<()> {
        let obj = self.get_mut(dom)?;
        if obj.state != DomainState::Paused {
            return Err(errors::internal(format!(
                "domain '{}' not paused",
                obj.name()
            )));
        }
        obj.set_state(DomainState::Running, reason::RUNNING_UNPAUSED);
        Ok(())
    }

    /// Memory and vCPUs of the definition in effect; the CPU time is the
    /// wall clock, for inactive domains too.
    pub fn info(&self, dom: &Domain) -> Result<DomainInfo> {
        let obj = self.get(dom)?;
        let def = obj.def();
        Ok(DomainInfo {
            state: obj.state,
            max_mem: def.max_memory_kib,
            memory: def.current_memory_kib,
            nr_virt_cpu: def.vcpus_current,
            cpu_time: fake_cpu_time(),
        })
    }

    pub fn state_of(&self, dom: &Domain, flags: u32) -> Result<(DomainState, i32)> {
        check_flags(flags, 0, "testDomainGetState")?;
        let obj = self.get(dom)?;
        Ok((obj.state, obj.reason))
    }

    pub fn xml_desc(&self, dom: &Domain, flags: u32) -> Result<String> {
        check_flags(
            flags,
            xml::SECURE | xml::INACTIVE | xml::MIGRATABLE,
            "testDomainGetXMLDesc",
        )?;
        let obj = self.get(dom)?;
        let secure = flags & xml::SECURE != 0;
        Ok(if flags & xml::INACTIVE != 0 {
            obj.inactive_def()
                .format(FormatOptions { id: None, secure })
        } else {
            let id = obj.is_active().then_some(obj.id);
            obj.def().format(FormatOptions { id, secure })
        })
    }

    pub fn autostart(&self, dom: &Domain) -> Result<bool> {
        Ok(self.get(dom)?.autostart)
    }

    /// Transient domains accept the flag too in libvirt's test driver.
    pub fn set_autostart(&mut self, dom: &Domain, autostart: bool) -> Result<()> {
        self.get_mut(dom)?.autostart = autostart;
        Ok(())
    }

    pub fn has_managed_save(&self, dom: &Domain, flags: u32) -> Result<bool> {
        check_flags(flags, 0, "testDomainHasManagedSaveImage")?;
        Ok(self.get(dom)?.has_managed_save)
    }

    /// Running domains carry the driver's enforcing label; others none.
    pub fn security_label(&self, dom: &Domain) -> Result<SecurityLabel> {
        Ok(if self.get(dom)?.is_active() {
            SecurityLabel {
                label: SECURITY_LABEL.into(),
                enforcing: true,
            }
        } else {
            SecurityLabel::default()
        })
    }

    /// Every disk with a source reports the same fixed sizes, running or not.
    pub fn block_info(&self, dom: &Domain, disk: &str, flags: u32) -> Result<BlockInfo> {
        if disk.is_empty() {
            return Err(errors::must_not_be_empty("disk", "virDomainGetBlockInfo"));
        }
        check_flags(flags, 0, "testDomainGetBlockInfo")?;
        let def = self.get(dom)?.def();
        let found = def
            .disks
            .iter()
            .find(|d| d.target_dev == disk || d.source.as_deref() == Some(disk))
            .ok_or_else(|| {
                errors::invalid_arg(format!("invalid path {disk} not assigned to domain"))
            })?;
        if found.source.is_none() {
            return Err(errors::invalid_arg(format!(
                "disk '{disk}' does not currently have a source assigned"
            )));
        }
        Ok(BlockInfo {
            capacity: BLOCK_CAPACITY,
            allocation: BLOCK_ALLOCATION,
            physical: BLOCK_PHYSICAL,
        })
    }

    /// Renames an inactive domain; the returned handle carries the new name.
    pub fn rename(&mut self, dom: &Domain, new_name: &str, flags: u32) -> Result<Domain> {
        if new_name.is_empty() {
            return Err(errors::must_not_be_empty("new_name", "virDomainRename"));
        }
        check_flags(flags, 0, "testDomainRename")?;
        let index = self.index_of(dom)?;
        let obj = &self.domains[index];
        if obj.is_active() {
            return Err(errors::operation_invalid("cannot rename active domain"));
        }
        let conflict =
            |detail: String| Error::new(ErrorCode::OperationInvalid, ErrorDomain::Domain, detail);
        if obj.name() == new_name {
            return Err(conflict("Can't rename domain to itself".into()));
        }
        if self.find_by_name(new_name).is_some() {
            return Err(conflict(format!(
                "domain with name '{new_name}' already exists"
            )));
        }
        let obj = &mut self.domains[index];
        if let Some(config) = obj.config.as_mut() {
            config.name = new_name.to_string();
        }
        Ok(obj.handle())
    }

    /// The guest's host name is made up from the domain name.
    pub fn guest_hostname(&self, dom: &Domain, flags: u32) -> Result<String> {
        check_flags(flags, 0, "testDomainGetHostname")?;
        let obj = self.get(dom)?;
        if !obj.is_active() {
            return Err(errors::not_running());
        }
        Ok(format!("{}host", obj.name()))
    }

    /// Balloon statistics derived from the current memory; none without a
    /// balloon device.
    pub fn memory_stats(&self, dom: &Domain, flags: u32) -> Result<Vec<MemoryStat>> {
        check_flags(flags, 0, "testDomainMemoryStats")?;
        let obj = self.get(dom)?;
        if !obj.is_active() {
            return Err(errors::not_running());
        }
        let def = obj.def();
        if !def.has_memballoon {
            return Ok(Vec::new());
        }
        let cur = def.current_memory_kib;
        use stat_tag::*;
        Ok([
            (ACTUAL_BALLOON, cur),
            (SWAP_IN, 0),
            (SWAP_OUT, 0),
            (MAJOR_FAULT, 0),
            (MINOR_FAULT, 0),
            (UNUSED, cur / 2),
            (AVAILABLE, cur),
            (USABLE, cur / 2),
            (LAST_UPDATE, BALLOON_LAST_UPDATE),
            (DISK_CACHES, cur / 8),
            (HUGETLB_PGALLOC, 0),
            (HUGETLB_PGFAIL, 0),
            (RSS, cur / 2),
        ]
        .into_iter()
        .map(|(tag, value)| MemoryStat { tag, value })
        .collect())
    }
}

/// The elements libvirt's domain schema allows directly under `<domain>`.
const SCHEMA_TOP_LEVEL: &[&str] = &[
    "name",
    "uuid",
    "genid",
    "title",
    "description",
    "metadata",
    "maxMemory",
    "memory",
    "currentMemory",
    "blkiotune",
    "memtune",
    "memoryBacking",
    "vcpu",
    "vcpus",
    "iothreads",
    "iothreadids",
    "defaultiothread",
    "cputune",
    "numatune",
    "resource",
    "sysinfo",
    "bootloader",
    "bootloader_args",
    "os",
    "idmap",
    "features",
    "cpu",
    "clock",
    "on_poweroff",
    "on_reboot",
    "on_crash",
    "on_lockfailure",
    "pm",
    "perf",
    "devices",
    "seclabel",
    "keywrap",
    "launchSecurity",
];

/// The part of libvirt's schema validation (`--validate`) a driver without
/// the RNG schema can do: refuse elements the schema does not know at the
/// top level, with libxml2's wording.
fn validate_against_schema(xml: &str) -> Result<()> {
    let root = crate::model::xml::parse_document(xml, "(domain_definition)")?;
    let unknown = root
        .elements()
        .find(|e| e.ns.is_none() && !SCHEMA_TOP_LEVEL.contains(&e.name.as_str()));
    match unknown {
        Some(e) => Err(Error::new(
            ErrorCode::XmlInvalidSchema,
            ErrorDomain::Domain,
            format!(
                "Unable to validate doc against /usr/share/libvirt/schemas/domain.rng\n\
                 Element domain has extra content: {}\n",
                e.name
            ),
        )),
        None => Ok(()),
    }
}

/// libvirt's filter for `virConnectListAllDomains`: within each group of
/// flags (activity, persistence, state, managed save, autostart, snapshots,
/// checkpoints) any set flag may match; the groups combine with AND.
fn list_filter_matches(obj: &DomainObj, flags: u32) -> bool {
    let group = |yes: u32, no: u32, is: bool| {
        flags & (yes | no) == 0 || (flags & yes != 0 && is) || (flags & no != 0 && !is)
    };
    let state_flags = list::RUNNING | list::PAUSED | list::SHUTOFF | list::OTHER;
    let state_ok = flags & state_flags == 0
        || match obj.state {
            DomainState::Running => flags & list::RUNNING != 0,
            DomainState::Paused => flags & list::PAUSED != 0,
            DomainState::Shutoff => flags & list::SHUTOFF != 0,
            _ => flags & list::OTHER != 0,
        };
    group(list::ACTIVE, list::INACTIVE, obj.is_active())
        && group(list::PERSISTENT, list::TRANSIENT, obj.is_persistent())
        && state_ok
        && group(
            list::MANAGEDSAVE,
            list::NO_MANAGEDSAVE,
            obj.has_managed_save,
        )
        && group(list::AUTOSTART, list::NO_AUTOSTART, obj.autostart)
        && group(
            list::HAS_SNAPSHOT,
            list::NO_SNAPSHOT,
            !obj.snapshots.is_empty(),
        )
        && group(
            list::HAS_CHECKPOINT,
            list::NO_CHECKPOINT,
            !obj.checkpoints.is_empty(),
        )
}
