//! The driver's in-memory world: domains with their definitions and run
//! state, the host description, and the objects of later API groups.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::api::flags::affect;
use crate::api::{Domain, DomainState, Error, NodeInfo, Result, Uuid};
use crate::model::checkpoint::CheckpointDef;
use crate::model::domain::DomainDef;
use crate::model::node::NodeAuthUser;
use crate::model::snapshot::SnapshotDef;

use super::errors;
use super::host::HostObjects;
use super::moments::MomentTree;

/// A definition a domain holds, used as a `DomainDef`. Clones share one
/// copy until either side changes it. The copy libvirt makes of a config
/// when its domain starts (formatted and parsed again) is made the first
/// time it is looked at: most never are, and a node file starts thousands.
#[derive(Debug, Clone)]
pub struct Def(DefRepr);

#[derive(Debug, Clone)]
enum DefRepr {
    Ready(Arc<DomainDef>),
    /// A re-parsed copy of `of`, made on first use.
    CopyOf {
        of: Arc<DomainDef>,
        made: OnceCell<Arc<DomainDef>>,
    },
}

impl Def {
    /// libvirt's copy of this definition: formatted, parsed again.
    pub fn reparsed_copy(&self) -> Def {
        Def(DefRepr::CopyOf {
            of: self.shared(),
            made: OnceCell::new(),
        })
    }

    fn shared(&self) -> Arc<DomainDef> {
        match &self.0 {
            DefRepr::Ready(d) => Arc::clone(d),
            DefRepr::CopyOf { of, made } => Arc::clone(made.get_or_init(|| copy_of(of))),
        }
    }
}

fn copy_of(def: &DomainDef) -> Arc<DomainDef> {
    Arc::new(def.reparsed().unwrap_or_else(|_| def.clone()))
}

impl From<DomainDef> for Def {
    fn from(def: DomainDef) -> Def {
        Def(DefRepr::Ready(Arc::new(def)))
    }
}

impl Deref for Def {
    type Target = DomainDef;

    fn deref(&self) -> &DomainDef {
        match &self.0 {
            DefRepr::Ready(d) => d,
            DefRepr::CopyOf { of, made } => made.get_or_init(|| copy_of(of)),
        }
    }
}

impl DerefMut for Def {
    fn deref_mut(&mut self) -> &mut DomainDef {
        if let DefRepr::CopyOf { .. } = self.0 {
            self.0 = DefRepr::Ready(self.shared());
        }
        match &mut self.0 {
            DefRepr::Ready(d) => Arc::make_mut(d),
            DefRepr::CopyOf { .. } => unreachable!("made ready above"),
        }
    }
}

/// One domain. Either definition may be absent, never both: `config` is the
/// persistent (next-boot) definition, `live` the running one.
#[derive(Debug, Clone)]
pub struct DomainObj {
    pub config: Option<Def>,
    pub live: Option<Def>,
    /// -1 while shut off.
    pub id: i32,
    pub state: DomainState,
    pub reason: i32,
    pub autostart: bool,
    pub has_managed_save: bool,
    pub snapshots: MomentTree<SnapshotDef>,
    pub checkpoints: MomentTree<CheckpointDef>,
    /// A transient domain a revert to an inactive snapshot left shut off:
    /// its one definition waits in `config`, yet it is not persistent.
    pub transient_shutoff: bool,
    /// Taint marks (see `taint`), set when a node file is loaded.
    pub taints: u32,
    /// Notes on deprecated settings, set with the taint marks.
    pub deprecations: Vec<String>,
}

impl DomainObj {
    /// A new inactive persistent domain.
    pub fn defined(def: impl Into<Def>) -> DomainObj {
        DomainObj {
            config: Some(def.into()),
            live: None,
            id: -1,
            state: DomainState::Shutoff,
            reason: crate::api::reason::UNKNOWN,
            autostart: false,
            has_managed_save: false,
            snapshots: MomentTree::default(),
            checkpoints: MomentTree::default(),
            transient_shutoff: false,
            taints: 0,
            deprecations: Vec::new(),
        }
    }

    /// The definition in effect now: the live one while running.
    pub fn def(&self) -> &DomainDef {
        self.live
            .as_ref()
            .or(self.config.as_ref())
            .expect("a domain always has a definition")
    }

    /// The definition the next boot uses (the live one for a transient domain).
    pub fn inactive_def(&self) -> &DomainDef {
        self.config
            .as_ref()
            .or(self.live.as_ref())
            .expect("a domain always has a definition")
    }

    pub fn name(&self) -> &str {
        &self.def().name
    }

    pub fn uuid(&self) -> Uuid {
        self.def().uuid
    }

    pub fn is_active(&self) -> bool {
        self.live.is_some()
    }

    pub fn is_persistent(&self) -> bool {
        self.config.is_some() && !self.transient_shutoff
    }

    pub fn handle(&self) -> Domain {
        Domain {
            name: self.name().to_string(),
            uuid: self.uuid(),
            id: self.id,
        }
    }

    /// Which definitions a LIVE/CONFIG/CURRENT flag pair addresses, as
    /// libvirt resolves it: CURRENT means live when running, else config.
    pub fn affected(&self, flags: u32) -> Result<Affected> {
        let (mut live, mut config) = (flags & affect::LIVE != 0, flags & affect::CONFIG != 0);
        if !live && !config {
            if self.is_active() {
                live = true;
            } else {
                config = true;
            }
        }
        if live && !self.is_active() {
            return Err(errors::not_running());
        }
        if config && !self.is_persistent() {
            return Err(errors::transient_has_no_config());
        }
        Ok(Affected { live, config })
    }

    /// The definitions a change addresses, mutably.
    pub fn defs_mut(&mut self, which: Affected) -> Vec<&mut DomainDef> {
        let mut out = Vec::new();
        if which.live {
            out.extend(self.live.as_deref_mut());
        }
        if which.config {
            out.extend(self.config.as_deref_mut());
        }
        out
    }

    /// The one definition a query addresses (queries refuse LIVE|CONFIG).
    pub fn def_for(&self, which: Affected) -> &DomainDef {
        let def = if which.live {
            self.live.as_ref()
        } else {
            self.config.as_ref()
        };
        def.expect("affected() checked the definition exists")
    }

    /// Makes the config the live definition. libvirt keeps a formatted and
    /// re-parsed copy as the new config, which can show in `dumpxml
    /// --inactive` (devices re-sorted, ports renumbered).
    pub fn go_live(&mut self) {
        if let Some(def) = self.config.take() {
            self.config = Some(def.reparsed_copy());
            self.live = Some(def);
        }
    }

    pub fn set_state(&mut self, state: DomainState, reason: i32) {
        self.state = state;
        self.reason = reason;
    }
}

/// The result of resolving LIVE/CONFIG/CURRENT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Affected {
    pub live: bool,
    pub config: bool,
}

/// Everything one test-driver connection (or all `test:///default`
/// connections of a process) sees.
pub struct State {
    /// In definition order; listings sort for themselves.
    pub domains: Vec<DomainObj>,
    pub next_id: i32,
    pub node: NodeInfo,
    /// `test:///default` describes two NUMA cells in its capabilities; node
    /// files describe none.
    pub numa_cells: bool,
    pub host: HostObjects,
    /// The node file's `<auth>` users: with any, opening asks who connects.
    pub auth_users: Vec<NodeAuthUser>,
    /// Where each domain sits in `domains`, so lookups stay cheap with
    /// thousands of domains.
    index: RefCell<DomainIndex>,
}

/// Positions in `State::domains` by UUID, name and id, kept up to date by
/// `push_domain` and `start`, and checked on every use: a position whose
/// domain does not match, or a domain list that changed length or last
/// member behind its back, rebuilds it. A UUID it lacks is nowhere (UUIDs
/// arrive only with new domains); a name or id it lacks is searched for,
/// as renames and starts change those in place.
#[derive(Default)]
struct DomainIndex {
    by_uuid: HashMap<Uuid, usize>,
    /// By a hash of the name, so a rebuild copies no strings.
    by_name: HashMap<u64, usize>,
    by_id: HashMap<i32, usize>,
    /// The number of domains it covers and the last one's UUID.
    covers: (usize, Option<Uuid>),
}

impl DomainIndex {
    fn add(&mut self, i: usize, d: &DomainObj) {
        self.by_uuid.insert(d.uuid(), i);
        self.by_name.insert(name_hash(d.name()), i);
        if d.is_active() {
            self.by_id.insert(d.id, i);
        }
    }

    fn rebuild(&mut self, domains: &[DomainObj]) {
        self.by_uuid.clear();
        self.by_name.clear();
        self.by_id.clear();
        for (i, d) in domains.iter().enumerate() {
            self.add(i, d);
        }
        self.covers = covered(domains);
    }

    /// Rebuilt first when domains came or went without it.
    fn current(&mut self, domains: &[DomainObj]) -> &mut DomainIndex {
        if self.covers != covered(domains) {
            self.rebuild(domains);
        }
        self
    }
}

fn covered(domains: &[DomainObj]) -> (usize, Option<Uuid>) {
    (domains.len(), domains.last().map(DomainObj::uuid))
}

fn name_hash(name: &str) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    name.hash(&mut h);
    h.finish()
}

impl State {
    pub fn new(node: NodeInfo, numa_cells: bool) -> State {
        State {
            domains: Vec::new(),
            next_id: 1,
            node,
            numa_cells,
            host: HostObjects::default(),
            auth_users: Vec::new(),
            index: RefCell::default(),
        }
    }

    /// Adds a domain at the end; returns its position.
    pub fn push_domain(&mut self, obj: DomainObj) -> usize {
        let i = self.domains.len();
        self.domains.push(obj);
        let index = self.index.get_mut().current(&self.domains[..i]);
        index.add(i, &self.domains[i]);
        index.covers = covered(&self.domains);
        i
    }

    /// The position of the domain `is_it` accepts: the index's candidate
    /// `cached` when it passes; else, unless `trust_absence`, the first of
    /// a linear search (the index, being stale, is rebuilt).
    fn find(
        &self,
        cached: impl FnOnce(&DomainIndex) -> Option<usize>,
        is_it: impl Fn(&DomainObj) -> bool,
        trust_absence: bool,
    ) -> Option<usize> {
        let mut index = self.index.borrow_mut();
        let index = index.current(&self.domains);
        match cached(index) {
            Some(i) if self.domains.get(i).is_some_and(&is_it) => return Some(i),
            None if trust_absence => return None,
            _ => {}
        }
        let found = self.domains.iter().position(is_it)?;
        index.rebuild(&self.domains);
        Some(found)
    }

    pub fn alloc_id(&mut self) -> i32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub fn index_of(&self, dom: &Domain) -> Result<usize> {
        self.find_by_uuid(&dom.uuid)
            .ok_or_else(|| errors::no_domain_for_handle(dom))
    }

    pub fn get(&self, dom: &Domain) -> Result<&DomainObj> {
        Ok(&self.domains[self.index_of(dom)?])
    }

    pub fn get_mut(&mut self, dom: &Domain) -> Result<&mut DomainObj> {
        let i = self.index_of(dom)?;
        Ok(&mut self.domains[i])
    }

    pub fn find_by_name(&self, name: &str) -> Option<usize> {
        let hash = name_hash(name);
        self.find(
            |ix| ix.by_name.get(&hash).copied(),
            |d| d.name() == name,
            false,
        )
    }

    pub fn find_by_uuid(&self, uuid: &Uuid) -> Option<usize> {
        self.find(
            |ix| ix.by_uuid.get(uuid).copied(),
            |d| d.uuid() == *uuid,
            true,
        )
    }

    /// The running domain with this id.
    pub fn find_by_id(&self, id: i32) -> Option<usize> {
        self.find(
            |ix| ix.by_id.get(&id).copied(),
            |d| d.is_active() && d.id == id,
            false,
        )
    }

    /// Starts a domain under a fresh id. Unless a live definition was
    /// given, its config goes live.
    pub fn start(&mut self, index: usize, state: DomainState, reason: i32) {
        let id = self.alloc_id();
        let obj = &mut self.domains[index];
        if obj.transient_shutoff {
            // Its one definition runs (or the one it was started with).
            let only = obj.config.take();
            if obj.live.is_none() {
                obj.live = only;
            }
            obj.transient_shutoff = false;
        } else if obj.live.is_none() {
            obj.go_live();
        }
        obj.id = id;
        obj.has_managed_save = false;
        obj.set_state(state, reason);
        self.index.get_mut().by_id.insert(id, index);
    }

    /// Stops a running domain; a transient one disappears.
    pub fn stop(&mut self, index: usize, reason: i32) {
        let obj = &mut self.domains[index];
        if obj.is_persistent() {
            obj.live = None;
            obj.id = -1;
            obj.set_state(DomainState::Shutoff, reason);
        } else {
            self.domains.remove(index);
        }
    }

    /// Where a new definition belongs, as libvirt's domain list decides it:
    /// the domain with the same name and UUID (`Some`), or a new one
    /// (`None`). A name or UUID owned by another domain is refused.
    pub fn check_clash(&self, def: &DomainDef) -> Result<Option<usize>> {
        if let Some(i) = self.find_by_uuid(&def.uuid) {
            let existing = &self.domains[i];
            if existing.name() != def.name {
                return Err(Error::new(
                    crate::api::ErrorCode::OperationFailed,
                    crate::api::ErrorDomain::Domain,
                    format!(
                        "domain '{}' is already defined with uuid {}",
                        existing.name(),
                        existing.uuid()
                    ),
                ));
            }
            return Ok(Some(i));
        }
        if let Some(i) = self.find_by_name(&def.name) {
            return Err(Error::new(
                crate::api::ErrorCode::OperationFailed,
                crate::api::ErrorDomain::Domain,
                format!(
                    "domain '{}' already exists with uuid {}",
                    def.name,
                    self.domains[i].uuid()
                ),
            ));
        }
        Ok(None)
    }
}

/// The test driver reports the wall clock as a domain's CPU time, in
/// nanoseconds at microsecond resolution (as gettimeofday gives it).
pub fn fake_cpu_time() -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    now.as_secs() * 1_000_000_000 + u64::from(now.subsec_micros()) * 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::reason;

    fn uuid(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn domain(name: &str, n: u128) -> DomainObj {
        let xml = format!(
            "<domain type='test'><name>{name}</name><uuid>{}</uuid><memory>1024</memory>\
             <os><type>hvm</type></os></domain>",
            uuid(n)
        );
        DomainObj::defined(DomainDef::parse(&xml).expect("domain"))
    }

    fn three() -> State {
        let mut s = State::new(super::super::host::default_node_info(), false);
        for (name, n) in [("a", 1), ("b", 2), ("c", 3)] {
            s.push_domain(domain(name, n));
        }
        s
    }

    #[test]
    fn lookups_follow_the_domain_list() {
        let mut s = three();
        assert_eq!(s.find_by_name("b"), Some(1));
        assert_eq!(s.find_by_uuid(&uuid(3)), Some(2));
        assert_eq!(s.find_by_uuid(&uuid(9)), None);
        assert_eq!(s.find_by_name("z"), None);

        s.start(1, DomainState::Running, reason::UNKNOWN);
        let id = s.domains[1].id;
        assert_eq!(s.find_by_id(id), Some(1));
        s.stop(1, reason::UNKNOWN);
        assert_eq!(s.find_by_id(id), None);

        // Removed and renamed behind the index's back.
        s.domains.remove(0);
        assert_eq!(s.find_by_name("c"), Some(1));
        assert_eq!(s.find_by_uuid(&uuid(2)), Some(0));
        assert_eq!(s.find_by_uuid(&uuid(1)), None);
        s.domains[0].config.as_deref_mut().expect("config").name = "bb".into();
        assert_eq!(s.find_by_name("b"), None);
        assert_eq!(s.find_by_name("bb"), Some(0));
    }

    #[test]
    fn domains_added_behind_the_index_are_found() {
        let mut s = three();
        assert_eq!(s.find_by_uuid(&uuid(1)), Some(0));
        s.domains.push(domain("d", 4));
        assert_eq!(s.find_by_uuid(&uuid(4)), Some(3));
        // Same length, different last domain.
        s.domains.remove(0);
        s.domains.push(domain("e", 5));
        assert_eq!(s.find_by_uuid(&uuid(5)), Some(3));
        assert_eq!(s.find_by_uuid(&uuid(2)), Some(0));
        assert_eq!(s.find_by_name("e"), Some(3));
    }

    #[test]
    fn started_config_is_a_lazy_copy_and_changes_stay_apart() {
        let mut s = three();
        s.start(0, DomainState::Running, reason::UNKNOWN);
        let obj = &mut s.domains[0];
        obj.live.as_deref_mut().expect("live").current_memory_kib = 512;
        assert_eq!(
            obj.config.as_deref().expect("config").current_memory_kib,
            1024
        );
        obj.config.as_deref_mut().expect("config").max_memory_kib = 2048;
        assert_eq!(obj.live.as_deref().expect("live").max_memory_kib, 1024);
        let copy = obj.clone();
        obj.live.as_deref_mut().expect("live").name = "renamed".into();
        assert_eq!(copy.name(), "a");
    }
}
