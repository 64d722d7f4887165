//! `test:///PATH.xml`: a host described by a node file, read by the
//! model's loader and turned into a fresh private state.

use std::path::Path;

use crate::api::{reason, DomainState, Error, ErrorCode, ErrorDomain, NodeInfo, Result};
use crate::model::node::{self, NodeCpu, NodeFile};
use crate::model::snapshot::SnapshotParseFlags;
use crate::model::xml::xml_detail_error;

use super::host::{default_node_info, HostObject, PoolObject};
use super::snapshot::parse_snapshot;
use super::state::{Def, DomainObj, State};
use super::taint;
use crate::api::log;

/// Loads a node file. libxml2 reports an unreadable file on stderr before
/// libvirt's own error, so this does too.
pub fn load(path: &str) -> Result<State> {
    if Path::new(path).is_dir() {
        // libxml2 opens a folder, fails to read it and sees no document.
        log::xml_parser("I/O error : Is a directory");
        return Err(xml_detail_error(path, "", 0, "Document is empty"));
    }
    // Each moves to the heap as it comes, as the domain object will hold
    // it: a definition is 2 KiB, and a node file may hold thousands.
    let mut domains = Vec::new();
    let file = node::load_each(Path::new(path), &mut |def| domains.push(Def::from(def)))
        .inspect_err(|e| {
            if let Some(warning) = node::missing_file_warning(e) {
                log::xml_parser(&warning);
            }
        })?;
    state_of(file, domains)
}

fn state_of(file: NodeFile, domains: Vec<Def>) -> Result<State> {
    let mut node = node_info(&file.cpu);
    if let Some(kib) = file.memory_kib {
        node.memory = kib;
    }
    let mut state = State::new(node, false);
    state.domains.reserve_exact(domains.len());
    for def in domains {
        add_domain(&mut state, def)?;
    }
    let running = |xml: String| HostObject {
        xml,
        active: true,
        persistent: true,
        autostart: false,
    };
    state.host.networks = file.networks.into_iter().map(running).collect();
    state.host.interfaces = file.interfaces.into_iter().map(running).collect();
    state.host.pools = file
        .pools
        .into_iter()
        .map(|xml| PoolObject {
            xml,
            active: true,
            persistent: true,
            autostart: false,
            volumes: Vec::new(),
        })
        .collect();
    state.host.node_devices = file.devices;
    state.auth_users = file.auth_users;
    Ok(state)
}

/// Adds a domain as it was when the node file was written: every domain
/// not shut off gets the next id, in file order; the state reason is unknown.
/// A second entry with the same name and UUID becomes the next-boot
/// definition of the first; libvirt then reads the run state and the
/// snapshots of whichever definition is in effect (again, for a running one).
fn add_domain(state: &mut State, mut def: Def) -> Result<()> {
    def.assign_test_ifnames();
    let index = match state.find_by_uuid(&def.uuid) {
        Some(i) => {
            state.domains[i].config = Some(def);
            i
        }
        None => state.push_domain(DomainObj::defined(def)),
    };
    let ns = state.domains[index]
        .def()
        .test_ns
        .clone()
        .unwrap_or_default();
    load_snapshots(&mut state.domains[index], &ns.snapshots)?;
    let runstate = ns
        .runstate
        .and_then(|n| DomainState::from_number(n as i32))
        .unwrap_or(DomainState::Running);
    let id = if runstate != DomainState::Shutoff {
        state.alloc_id()
    } else {
        -1
    };
    let obj = &mut state.domains[index];
    obj.has_managed_save = ns.has_managed_save;
    if runstate != DomainState::Shutoff {
        if !obj.is_active() {
            obj.go_live();
        }
        obj.id = id;
        if ns.transient {
            obj.config = None;
        }
    } else if obj.is_active() {
        obj.live = None;
        obj.id = -1;
    }
    obj.set_state(runstate, reason::UNKNOWN);
    taint::check(obj);
    Ok(())
}

/// `<test:domainsnapshot>` entries: read as libvirt reads its own snapshot
/// metadata (`<active>1</active>` marks the current one, no alignment),
/// then linked to their parents once all are known.
fn load_snapshots(obj: &mut DomainObj, docs: &[String]) -> Result<()> {
    let flags = SnapshotParseFlags {
        redefine: true,
        internal: true,
        ..Default::default()
    };
    let mut names = Vec::new();
    for doc in docs {
        let def = parse_snapshot(doc, flags)?;
        let name = def.name.clone();
        if obj.snapshots.contains(&name) {
            return Err(Error::new(
                ErrorCode::OperationFailed,
                ErrorDomain::DomainSnapshot,
                format!("domain moment {name} already exists"),
            ));
        }
        let current = def.active == Some(true);
        names.push((name.clone(), def.parent.clone()));
        obj.snapshots.insert(&name, def, None);
        if current {
            if obj.snapshots.current().is_some() {
                return Err(Error::new(
                    ErrorCode::InternalError,
                    ErrorDomain::Test,
                    "more than one snapshot claims to be active",
                ));
            }
            obj.snapshots.set_current(Some(&name));
        }
    }
    let mut consistent = true;
    let links = names
        .iter()
        .filter_map(|(name, parent)| Some((name.as_str(), parent.as_deref()?)));
    obj.snapshots.link_roots(links, |name, parent| {
        log::warning(
            "virDomainMomentSetRelations:491",
            &format!("moment {name} lacks parent {parent}"),
        );
        consistent = false;
    });
    if !consistent {
        return Err(Error::new(
            ErrorCode::InternalError,
            ErrorDomain::Test,
            format!(
                "Snapshots have inconsistent relations for domain {}",
                obj.name()
            ),
        ));
    }
    Ok(())
}

/// `test:///default`'s host with what `<cpu>` overrides. The CPU count is
/// the topology's product, lowered by `<active>`.
fn node_info(cpu: &NodeCpu) -> NodeInfo {
    let mut node = default_node_info();
    node.mhz = cpu.mhz.unwrap_or(node.mhz);
    node.nodes = cpu.nodes.unwrap_or(node.nodes);
    node.sockets = cpu.sockets.unwrap_or(node.sockets);
    node.cores = cpu.cores.unwrap_or(node.cores);
    node.threads = cpu.threads.unwrap_or(node.threads);
    node.cpus = node.nodes * node.sockets * node.cores * node.threads;
    if let Some(active) = cpu.active {
        node.cpus = node.cpus.min(active);
    }
    // An empty model keeps the default, as libvirt treats empty text as absent.
    if let Some(model) = cpu.model.as_ref().filter(|m| !m.is_empty()) {
        node.model = model.clone();
    }
    node
}
