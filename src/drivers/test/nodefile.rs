//! `test:///PATH.xml`: a host described by a node file.
//!
//! The model has no node-file type yet, so this reads the document with the
//! model's XML reader and domain parser. Root `<node>`; any child may
//! instead be an empty element whose `file=` names a document (relative to
//! the node file's folder) that replaces it.

use std::io::ErrorKind;
use std::path::Path;

use crate::api::{reason, DomainState, Error, ErrorCode, ErrorDomain, NodeInfo, Result};
use crate::model::domain::testns::serialize;
use crate::model::domain::DomainDef;
use crate::model::xml::{parse_document, Element, Node};

use super::host::{default_node_info, HostObject, PoolObject};
use super::state::{DomainObj, State};

/// libvirt keeps the CPU model in a fixed 32-byte buffer with its NUL.
const MODEL_CAPACITY: usize = 32;

/// Loads a node file into a fresh private state.
pub fn load(path: &str) -> Result<State> {
    let root = read_document(path, "node")?;
    let dir = Path::new(path).parent().unwrap_or(Path::new(""));
    let mut state = State::new(node_info(&root)?, false);
    let include = |e: &Element, name: &str| resolve(e, dir, name);
    for e in root.children_named("domain") {
        add_domain(&mut state, &include(e, "domain")?, dir)?;
    }
    let running = |xml: String| HostObject {
        xml,
        active: true,
        persistent: true,
        autostart: false,
    };
    for e in root.children_named("network") {
        state
            .host
            .networks
            .push(running(serialize(&include(e, "network")?)));
    }
    for e in root.children_named("interface") {
        state
            .host
            .interfaces
            .push(running(serialize(&include(e, "interface")?)));
    }
    for e in root.children_named("pool") {
        let mut pool = include(e, "pool")?;
        let mut volumes = Vec::new();
        for v in pool.children_named("volume") {
            volumes.push(serialize(&resolve(v, dir, "volume")?));
        }
        pool.children
            .retain(|n| !matches!(n, Node::Elem(v) if v.name == "volume"));
        state.host.pools.push(PoolObject {
            xml: serialize(&pool),
            active: true,
            persistent: true,
            autostart: false,
            volumes,
        });
    }
    for e in root.children_named("device") {
        state
            .host
            .node_devices
            .push(serialize(&include(e, "device")?));
    }
    Ok(state)
}

/// Reads an XML file whose root must be `root_name`. libxml2 reports an
/// unreadable file on stderr before libvirt's own error, so this does too.
fn read_document(path: &str, root_name: &str) -> Result<Element> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == ErrorKind::IsADirectory => {
            eprintln!("I/O error : Is a directory");
            String::new()
        }
        Err(_) => {
            eprintln!("I/O warning : failed to load external entity \"{path}\"");
            return Err(Error::new(
                ErrorCode::XmlError,
                ErrorDomain::Xml,
                format!("failed to parse xml document '{path}'"),
            ));
        }
    };
    let root = parse_document(&text, path)?;
    if root.name != root_name {
        return Err(Error::xml(format!(
            "expecting root element of '{root_name}', not '{}'",
            root.name
        )));
    }
    Ok(root)
}

/// The element itself, or the document its `file=` names.
fn resolve(e: &Element, dir: &Path, name: &str) -> Result<Element> {
    match e.attr("file") {
        Some(file) => read_document(&include_path(dir, file), name),
        None => Ok(e.clone()),
    }
}

/// A `file=` path: absolute, or relative to the node file's folder.
fn include_path(dir: &Path, file: &str) -> String {
    if Path::new(file).is_absolute() {
        file.to_string()
    } else {
        format!("{}/{file}", dir.display())
    }
}

/// Adds a domain as it was running (or not) when the node file was written:
/// every domain not shut off gets the next id, in file order.
fn add_domain(state: &mut State, e: &Element, dir: &Path) -> Result<()> {
    let mut def = DomainDef::from_element(e)?;
    def.assign_test_ifnames();
    // The same name and UUID again becomes the earlier domain's persistent
    // definition; a running domain keeps its live one.
    let existing = state.check_clash(&def)?;
    let ns = def.test_ns.clone().unwrap_or_default();
    let mut snapshots = ns.snapshots.clone();
    for file in &ns.snapshot_files {
        snapshots.push(serialize(&read_document(
            &include_path(dir, file),
            "domainsnapshot",
        )?));
    }
    let runstate = ns
        .runstate
        .and_then(|n| DomainState::from_number(n as i32))
        .unwrap_or(DomainState::Running);
    let index = match existing {
        Some(i) => {
            state.domains[i].config = Some(def);
            i
        }
        None => {
            state.domains.push(DomainObj::defined(def));
            state.domains.len() - 1
        }
    };
    let id = (runstate != DomainState::Shutoff).then(|| state.alloc_id());
    let obj = &mut state.domains[index];
    obj.has_managed_save = ns.has_managed_save;
    obj.snapshots = snapshots;
    match id {
        Some(id) => {
            if obj.live.is_none() {
                obj.live = obj.config.clone();
            }
            obj.id = id;
            if ns.transient {
                obj.config = None;
            }
        }
        None => {
            obj.live = None;
            obj.id = -1;
        }
    }
    obj.set_state(runstate, reason::UNKNOWN);
    Ok(())
}

/// The host facts: `test:///default`'s, with what `<cpu>` and `<memory>`
/// override. The CPU count is the topology's product, lowered by `<active>`.
fn node_info(root: &Element) -> Result<NodeInfo> {
    let mut node = default_node_info();
    let invalid = |what: &str| Error::xml(format!("invalid node {what} value"));
    let cpu_u32 = |name: &str| -> Result<Option<u32>> {
        match cpu_field(root, name) {
            None => Ok(None),
            Some(text) => parse_ulong(&text)
                .and_then(|v| u32::try_from(v).ok())
                .map(Some)
                .ok_or_else(|| invalid(&format!("cpu {name}"))),
        }
    };
    if let Some(v) = cpu_u32("mhz")? {
        node.mhz = v;
    }
    if let Some(v) = cpu_u32("nodes")? {
        node.nodes = v;
    }
    if let Some(v) = cpu_u32("sockets")? {
        node.sockets = v;
    }
    if let Some(v) = cpu_u32("cores")? {
        node.cores = v;
    }
    if let Some(v) = cpu_u32("threads")? {
        node.threads = v;
    }
    node.cpus = node.nodes * node.sockets * node.cores * node.threads;
    if let Some(active) = cpu_u32("active")? {
        node.cpus = node.cpus.min(active);
    }
    if let Some(model) = cpu_field(root, "model") {
        if model.len() >= MODEL_CAPACITY {
            return Err(Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Test,
                format!("Model {model} too big for destination"),
            ));
        }
        node.model = model;
    }
    let memory = root
        .child("memory")
        .map(Element::text)
        .filter(|t| !t.is_empty());
    if let Some(text) = memory {
        node.memory = parse_ulong(&text).ok_or_else(|| invalid("memory"))?;
    }
    Ok(node)
}

/// The text of the first `/node/cpu/NAME`; empty counts as absent.
fn cpu_field(root: &Element, name: &str) -> Option<String> {
    root.children_named("cpu")
        .flat_map(|cpu| cpu.children_named(name))
        .map(Element::text)
        .next()
        .filter(|t| !t.is_empty())
}

/// A decimal unsigned number as C's strtoul reads it in libvirt: leading
/// blanks and a `+` allowed, nothing after the digits, no minus sign.
fn parse_ulong(text: &str) -> Option<u64> {
    let digits = text.trim_start();
    let digits = digits.strip_prefix('+').unwrap_or(digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_libvirt_reads_them() {
        assert_eq!(parse_ulong(" +5"), Some(5));
        assert_eq!(parse_ulong("5 "), None);
        assert_eq!(parse_ulong("-0"), None);
        assert_eq!(parse_ulong("0x10"), None);
        assert_eq!(parse_ulong("18446744073709551615"), Some(u64::MAX));
    }
}
