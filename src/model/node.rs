//! The test driver's node file (`test:///PATH.xml`).
//!
//! ```text
//! <node>
//!   <cpu><mhz/><model/><nodes/><sockets/><cores/><threads/><active/></cpu>
//!   <memory>KiB</memory>
//!   <domain …/>*  <network …/>*  <interface …/>*  <pool …>(<volume/>)*</pool>*  <device …/>*
//!   <auth><user password='pw'>name</user></auth>
//! </node>
//! ```
//! Any domain/network/interface/pool/volume/device element may instead be
//! empty with `file='REL_OR_ABS'` (relative to the node file's directory);
//! that file's root element replaces it. Objects are read in libvirt's
//! order (node info, domains, networks, interfaces, pools, devices), so the
//! first error is the one libvirt reports.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorCode, ErrorDomain, Result};
use crate::model::domain::testns::{serialize, TEST_NS_URI};
use crate::model::domain::DomainDef;
use crate::model::units::parse_u64;
use crate::model::xml::{parse_document_streaming, parse_document_with, Element, Node};
use uuid::Uuid;

/// `<cpu>` of the node file; unset fields keep the driver's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeCpu {
    pub mhz: Option<u32>,
    pub model: Option<String>,
    pub nodes: Option<u32>,
    pub sockets: Option<u32>,
    pub cores: Option<u32>,
    pub threads: Option<u32>,
    /// Caps the CPU count (nodes × sockets × cores × threads).
    pub active: Option<u32>,
}

/// One `<auth><user password='…'>name</user></auth>` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeAuthUser {
    pub name: String,
    pub password: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeFile {
    pub cpu: NodeCpu,
    pub memory_kib: Option<u64>,
    /// In file order; each may carry `test_ns` (run state, snapshots).
    pub domains: Vec<DomainDef>,
    /// Raw `<network>` documents.
    pub networks: Vec<String>,
    /// Raw `<interface>` documents.
    pub interfaces: Vec<String>,
    /// Raw `<pool>` documents, nested `<volume>` children included
    /// (`file=` volumes already inlined).
    pub pools: Vec<String>,
    /// Raw `<device>` (node device) documents.
    pub devices: Vec<String>,
    /// The users of every `<auth>`: with any, opening asks for credentials.
    pub auth_users: Vec<NodeAuthUser>,
}

/// Reads and checks a node file.
///
/// Each `<domain>` becomes a definition as soon as the parser has read it,
/// so a file of thousands never stands in memory as one element tree. Its
/// errors wait: libvirt reports a malformed document first, then the
/// node's own settings, then the first bad domain.
pub fn load(path: &Path) -> Result<NodeFile> {
    let mut domains = Vec::new();
    let mut nf = load_each(path, &mut |def| domains.push(def))?;
    nf.domains = domains;
    Ok(nf)
}

/// Like `load`, but hands each domain to `take` as soon as it is read, in
/// file order, and leaves `NodeFile::domains` empty. On an error, what
/// `take` was given is no part of a valid file.
pub fn load_each(path: &Path, take: &mut dyn FnMut(DomainDef)) -> Result<NodeFile> {
    let url = path.to_string_lossy().into_owned();
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let loader = NodeLoader { base };
    let text = read_text(path, &url)?;
    let mut domains = DomainList::default();
    let root = parse_document_streaming(&text, &url, true, &mut |e| {
        if e.name == "domain" && e.ns.is_none() {
            domains.read(&loader, &e, take);
            None
        } else {
            Some(e)
        }
    })?;
    drop(text);
    check_root_name(&root, "node")?;
    loader.load(&root, domains)
}

/// The line libxml2 prints on stderr before a missing-file error (`XML
/// error: failed to parse xml document 'P'`) or before a folder read as an
/// empty document; `None` for other errors.
pub fn missing_file_warning(err: &Error) -> Option<String> {
    if let Some((url, _)) = err.message.split_once(":1: Document is empty") {
        return Path::new(url)
            .is_dir()
            .then(|| "I/O error : Is a directory".to_string());
    }
    let p = err
        .message
        .strip_prefix("XML error: failed to parse xml document '")?
        .strip_suffix('\'')?;
    Some(format!(
        "I/O warning : failed to load external entity \"{p}\""
    ))
}

/// Reads a file and checks its root element name.
fn read_root(path: &Path, url: &str, root_name: &str) -> Result<Element> {
    let text = read_text(path, url)?;
    let root = parse_document_with(&text, url, true)?;
    check_root_name(&root, root_name)?;
    Ok(root)
}

/// A file's text, read as libxml2 reads a file.
fn read_text(path: &Path, url: &str) -> Result<String> {
    // libxml2 opens a folder, fails to read it and sees no document.
    if path.is_dir() {
        return Err(crate::model::xml::xml_detail_error(
            url,
            "",
            0,
            "Document is empty",
        ));
    }
    crate::model::xml_input::read_document_file(path, url)
}

fn check_root_name(root: &Element, root_name: &str) -> Result<()> {
    if root.name != root_name {
        return Err(Error::xml(format!(
            "expecting root element of '{root_name}', not '{}'",
            root.name
        )));
    }
    Ok(())
}

/// Names and UUIDs of the domains read so far (a clash is an error), and
/// the first error among them.
#[derive(Default)]
struct DomainList {
    by_name: HashMap<String, Uuid>,
    by_uuid: HashMap<Uuid, String>,
    error: Option<Error>,
}

impl DomainList {
    /// Reads one `<domain>` and hands it to `take`; after an error the
    /// rest are skipped.
    fn read(&mut self, loader: &NodeLoader, d: &Element, take: &mut dyn FnMut(DomainDef)) {
        if self.error.is_none() {
            match self.try_read(loader, d) {
                Ok(def) => take(def),
                Err(e) => self.error = Some(e),
            }
        }
    }

    fn try_read(&mut self, loader: &NodeLoader, d: &Element) -> Result<DomainDef> {
        let def = if d.attr("file").is_some() || has_snapshot_files(d) {
            let mut e = loader.resolve(d, "domain")?;
            loader.inline_snapshots(&mut e)?;
            DomainDef::from_element(&e)?
        } else {
            DomainDef::from_element(d)?
        };
        // The same name and UUID again is the same domain: libvirt takes
        // the second definition as its next-boot one.
        let same = self.by_uuid.get(&def.uuid) == Some(&def.name);
        if let (Some(name), false) = (self.by_uuid.get(&def.uuid), same) {
            return Err(Error::operation_failed(format!(
                "domain '{name}' is already defined with uuid {}",
                def.uuid
            )));
        }
        if let (Some(uuid), false) = (self.by_name.get(&def.name), same) {
            return Err(Error::operation_failed(format!(
                "domain '{}' already exists with uuid {uuid}",
                def.name
            )));
        }
        self.by_name.insert(def.name.clone(), def.uuid);
        self.by_uuid.insert(def.uuid, def.name.clone());
        Ok(def)
    }
}

struct NodeLoader {
    base: PathBuf,
}

impl NodeLoader {
    fn path_of(&self, rel: &str) -> PathBuf {
        if rel.starts_with('/') {
            PathBuf::from(rel)
        } else {
            self.base.join(rel)
        }
    }

    /// The element itself, or the root of the file its `file=` names.
    fn resolve(&self, e: &Element, root_name: &str) -> Result<Element> {
        match e.attr("file") {
            Some(rel) => {
                let p = self.path_of(rel);
                read_root(&p, &p.to_string_lossy(), root_name)
            }
            None => Ok(e.clone()),
        }
    }

    fn load(&self, root: &Element, domains: DomainList) -> Result<NodeFile> {
        let mut nf = NodeFile {
            cpu: NodeCpu::default(),
            memory_kib: None,
            domains: vec![],
            networks: vec![],
            interfaces: vec![],
            pools: vec![],
            devices: vec![],
            auth_users: vec![],
        };
        // libvirt reads `string(/node/cpu/X[1])`: the first such element
        // under any `<cpu>`; empty text counts as absent.
        let cpus: Vec<&Element> = root.children_named("cpu").collect();
        nf.cpu = parse_cpu(&cpus)?;
        if let Some(m) = root
            .child("memory")
            .map(Element::text)
            .filter(|t| !t.is_empty())
        {
            nf.memory_kib =
                Some(parse_u64(&m).ok_or_else(|| Error::xml("invalid node memory value"))?);
        }

        if let Some(e) = domains.error {
            return Err(e);
        }
        for n in root.children_named("network") {
            nf.networks.push(serialize(&self.resolve(n, "network")?));
        }
        for i in root.children_named("interface") {
            nf.interfaces
                .push(serialize(&self.resolve(i, "interface")?));
        }
        for p in root.children_named("pool") {
            let mut pool = self.resolve(p, "pool")?;
            // Volumes nest inside the node file's <pool> element, even when
            // the pool itself comes from a file.
            let vols: Vec<Element> = p.children_named("volume").cloned().collect();
            let from_file = p.attr("file").is_some();
            let mut resolved = Vec::new();
            for v in &vols {
                resolved.push(self.resolve(v, "volume")?);
            }
            if from_file {
                pool.children.extend(resolved.into_iter().map(Node::Elem));
            } else {
                let mut it = resolved.into_iter();
                for n in pool.children.iter_mut() {
                    if let Node::Elem(c) = n {
                        if c.name == "volume" && c.ns.is_none() {
                            if let Some(r) = it.next() {
                                *c = r;
                            }
                        }
                    }
                }
            }
            nf.pools.push(serialize(&pool));
        }
        for d in root.children_named("device") {
            nf.devices.push(serialize(&self.resolve(d, "device")?));
        }
        // libvirt reads `/node/auth/user`: users of every `<auth>`, the name
        // as written (untrimmed), the password optional.
        for user in root
            .children_named("auth")
            .flat_map(|a| a.children_named("user"))
        {
            let name = user.text();
            if name.is_empty() {
                return Err(Error::xml("missing username in /node/auth/user field"));
            }
            nf.auth_users.push(NodeAuthUser {
                name,
                password: user.attr("password").map(str::to_string),
            });
        }
        Ok(nf)
    }

    /// Replaces `<test:domainsnapshot file='…'/>` with the file's
    /// `<domainsnapshot>` children so the domain parser sees them inline.
    fn inline_snapshots(&self, dom: &mut Element) -> Result<()> {
        for n in dom.children.iter_mut() {
            let Node::Elem(c) = n else { continue };
            if c.ns.as_deref() != Some(TEST_NS_URI) || c.local() != "domainsnapshot" {
                continue;
            }
            let Some(rel) = c.attr("file") else { continue };
            let p = self.path_of(rel);
            let snap = read_root(&p, &p.to_string_lossy(), "domainsnapshot")?;
            c.attrs.retain(|(k, _)| k != "file");
            c.children = snap.children;
        }
        Ok(())
    }
}

fn has_snapshot_files(dom: &Element) -> bool {
    dom.elements().any(|c| {
        c.ns.as_deref() == Some(TEST_NS_URI)
            && c.local() == "domainsnapshot"
            && c.attr("file").is_some()
    })
}

fn parse_cpu(cpus: &[&Element]) -> Result<NodeCpu> {
    let first = |name: &str| {
        cpus.iter()
            .find_map(|c| c.child(name))
            .map(Element::text)
            .filter(|t| !t.is_empty())
    };
    let num = |name: &str| -> Result<Option<u32>> {
        match first(name) {
            None => Ok(None),
            Some(t) => parse_u64(&t)
                .filter(|v| *v <= u32::MAX as u64)
                .map(|v| Some(v as u32))
                .ok_or_else(|| Error::xml(format!("invalid node cpu {name} value"))),
        }
    };
    let mut c = NodeCpu {
        nodes: num("nodes")?,
        sockets: num("sockets")?,
        cores: num("cores")?,
        threads: num("threads")?,
        active: num("active")?,
        mhz: num("mhz")?,
        model: None,
    };
    if let Some(m) = first("model") {
        // virNodeInfo holds the model in 32 bytes, NUL included.
        if m.len() >= 32 {
            return Err(Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Test,
                format!("Model {m} too big for destination"),
            ));
        }
        c.model = Some(m);
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    struct Tmp(PathBuf);
    impl Drop for Tmp {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
    fn tmpdir(tag: &str) -> Tmp {
        let d = std::env::temp_dir().join(format!("virtsh-node-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(d.join("sub")).unwrap();
        Tmp(d)
    }

    const NS: &str = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'";

    #[test]
    fn loads_inline_and_file_children() {
        let t = tmpdir("ok");
        let d = &t.0;
        fs::write(
            d.join("sub/dom.xml"),
            format!("<domain type='test' {NS}><name>fromfile</name><memory>1024</memory><os><type>hvm</type></os>\
             <test:runstate>5</test:runstate><test:domainsnapshot file='snap.xml'/></domain>"),
        )
        .unwrap();
        // Snapshot files resolve against the node file's directory.
        fs::write(
            d.join("snap.xml"),
            "<domainsnapshot><name>s1</name><state>shutoff</state></domainsnapshot>",
        )
        .unwrap();
        fs::write(d.join("net.xml"), "<network><name>n2</name></network>").unwrap();
        fs::write(
            d.join("vol.xml"),
            "<volume><name>v2</name><capacity>5</capacity></volume>",
        )
        .unwrap();
        fs::write(
            d.join("node.xml"),
            format!(
                "<?xml version='1.0'?>\n<node>\n  <!-- c -->\n\
                 <cpu><mhz>2000</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets><cores>4</cores><threads>2</threads></cpu>\n\
                 <memory>16777216</memory>\n\
                 <domain type='test' {NS}><name>web</name><memory unit='MiB'>1024</memory><vcpu>2</vcpu><os><type>hvm</type></os>\
                 <test:runstate>3</test:runstate>\
                 <test:domainsnapshot><name>base</name><state>shutoff</state><creationTime>1700000000</creationTime></test:domainsnapshot></domain>\n\
                 <domain file='sub/dom.xml'/>\n\
                 <network><name>n1</name><bridge name='br1'/></network>\n<network file='net.xml'/>\n\
                 <interface type='ethernet' name='eth9'><start mode='onboot'/></interface>\n\
                 <pool type='dir'><name>images</name><target><path>/pool</path></target>\
                 <volume><name>v1</name><capacity>1</capacity></volume><volume file='vol.xml'/></pool>\n\
                 <device><name>computer</name></device>\n\
                 <auth><user password='pw'>alice</user><user>bob</user></auth>\n</node>\n"
            ),
        )
        .unwrap();
        let nf = load(&d.join("node.xml")).unwrap();
        assert_eq!(nf.cpu.mhz, Some(2000));
        assert_eq!(nf.cpu.model.as_deref(), Some("x86_64"));
        assert_eq!(
            (
                nf.cpu.nodes,
                nf.cpu.sockets,
                nf.cpu.cores,
                nf.cpu.threads,
                nf.cpu.active
            ),
            (Some(1), Some(1), Some(4), Some(2), None)
        );
        assert_eq!(nf.memory_kib, Some(16777216));
        assert_eq!(nf.domains.len(), 2);
        assert_eq!(nf.domains[0].name, "web");
        assert_eq!(nf.domains[0].max_memory_kib, 1048576);
        let ns = nf.domains[0].test_ns.as_ref().unwrap();
        assert_eq!(ns.runstate, Some(3));
        assert_eq!(
            ns.snapshots,
            ["<domainsnapshot><name>base</name><state>shutoff</state><creationTime>1700000000</creationTime></domainsnapshot>"]
        );
        let ns1 = nf.domains[1].test_ns.as_ref().unwrap();
        assert_eq!(ns1.runstate, Some(5));
        assert_eq!(
            ns1.snapshots,
            ["<domainsnapshot><name>s1</name><state>shutoff</state></domainsnapshot>"]
        );
        assert!(ns1.snapshot_files.is_empty());
        assert_eq!(
            nf.networks,
            [
                "<network><name>n1</name><bridge name='br1'/></network>",
                "<network><name>n2</name></network>"
            ]
        );
        assert_eq!(
            nf.interfaces,
            ["<interface type='ethernet' name='eth9'><start mode='onboot'/></interface>"]
        );
        assert_eq!(
            nf.pools,
            ["<pool type='dir'><name>images</name><target><path>/pool</path></target>\
              <volume><name>v1</name><capacity>1</capacity></volume><volume><name>v2</name><capacity>5</capacity></volume></pool>"]
        );
        assert_eq!(nf.devices, ["<device><name>computer</name></device>"]);
        assert_eq!(
            nf.auth_users,
            vec![
                NodeAuthUser {
                    name: "alice".into(),
                    password: Some("pw".into())
                },
                NodeAuthUser {
                    name: "bob".into(),
                    password: None
                }
            ]
        );
    }

    #[test]
    fn auth_users_of_every_auth_element_and_no_empty_name() {
        let t = tmpdir("auth");
        let p = t.0.join("node.xml");
        fs::write(&p, "<node><auth/><auth><user> zed </user></auth></node>").unwrap();
        let users = load(&p).unwrap().auth_users;
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].name, " zed ");
        assert_eq!(
            load_err(
                "auth-empty",
                "<node><auth><user password='x'/></auth></node>"
            ),
            "XML error: missing username in /node/auth/user field"
        );
    }

    fn load_err(tag: &str, body: &str) -> String {
        let t = tmpdir(tag);
        let p = t.0.join("node.xml");
        fs::write(&p, body).unwrap();
        load(&p)
            .unwrap_err()
            .message
            .replace(&t.0.to_string_lossy().into_owned(), "DIR")
    }

    #[test]
    fn a_malformed_document_outranks_a_bad_domain_before_it() {
        let bad_domain = "<domain type='test'><name>a</name><os><type>hvm</type></os></domain>";
        let truncated = load_err(
            "order2",
            &format!("<node>{bad_domain}<cpu><mhz>x</mhz></cpu>"),
        );
        assert!(
            truncated.starts_with("DIR/node.xml:1: Premature end of data in tag node line 1\n"),
            "{truncated}"
        );
        // Then the node's settings, then the first bad domain.
        assert_eq!(
            load_err(
                "order3",
                &format!("<node>{bad_domain}<cpu><mhz>x</mhz></cpu></node>")
            ),
            "XML error: invalid node cpu mhz value"
        );
        let dup = "<domain type='test'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>";
        assert_eq!(
            load_err("order4", &format!("<node>{dup}{bad_domain}{dup}</node>")),
            "XML error: Memory size must be specified via <memory> or in the <numa> configuration"
        );
    }

    #[test]
    fn error_messages_match_libvirt() {
        let t = tmpdir("missing");
        let missing = t.0.join("nope.xml");
        let e = load(&missing).unwrap_err();
        assert_eq!(e.code, ErrorCode::XmlError);
        assert_eq!(
            e.message,
            format!(
                "XML error: failed to parse xml document '{}'",
                missing.display()
            )
        );
        assert_eq!(
            missing_file_warning(&e).unwrap(),
            format!(
                "I/O warning : failed to load external entity \"{}\"",
                missing.display()
            )
        );
        assert_eq!(
            load_err("trunc", "<node>\n"),
            "DIR/node.xml:2: Premature end of data in tag node line 1\n(null)\n^"
        );
        assert_eq!(
            load_err("root", "<nodes/>\n"),
            "XML error: expecting root element of 'node', not 'nodes'"
        );
        assert_eq!(
            load_err("mhz", "<node><cpu><mhz>abc</mhz></cpu></node>"),
            "XML error: invalid node cpu mhz value"
        );
        assert_eq!(
            load_err("nodes", "<node><cpu><nodes>-1</nodes></cpu></node>"),
            "XML error: invalid node cpu nodes value"
        );
        assert_eq!(
            load_err("mem", "<node><memory>x</memory></node>"),
            "XML error: invalid node memory value"
        );
        assert_eq!(
            load_err("model", "<node><cpu><model>x86_64_very_long_model_name_exceeding_32_chars</model></cpu></node>"),
            "internal error: Model x86_64_very_long_model_name_exceeding_32_chars too big for destination"
        );
        assert_eq!(
            load_err("nofile", "<node><network file='nope.xml'/></node>"),
            "XML error: failed to parse xml document 'DIR/nope.xml'"
        );
        assert_eq!(
            load_err(
                "dommem",
                "<node><domain type='test'><name>a</name><os><type>hvm</type></os></domain></node>"
            ),
            "XML error: Memory size must be specified via <memory> or in the <numa> configuration"
        );
        // Node info is read before any domain.
        assert_eq!(
            load_err("order", "<node><domain type='test'><name>a</name><os><type>hvm</type></os></domain><cpu><mhz>x</mhz></cpu></node>"),
            "XML error: invalid node cpu mhz value"
        );
        let dup = load_err(
            "dup",
            "<node><domain type='test'><name>a</name><uuid>48e4b140-aab6-448a-8b27-f96c10e56330</uuid><memory>1</memory><os><type>hvm</type></os></domain>\
             <domain type='test'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain></node>",
        );
        assert_eq!(dup, "operation failed: domain 'a' already exists with uuid 48e4b140-aab6-448a-8b27-f96c10e56330");
    }

    #[test]
    fn broken_child_file_reports_its_own_path() {
        let t = tmpdir("broken");
        fs::write(t.0.join("sub/broken.xml"), "<domain\n").unwrap();
        fs::write(
            t.0.join("node.xml"),
            "<node><domain file='sub/broken.xml'/></node>",
        )
        .unwrap();
        let msg = load(&t.0.join("node.xml")).unwrap_err().message;
        assert_eq!(
            msg,
            format!(
                "{}/sub/broken.xml:2: Couldn't find end of Start Tag domain line 1\n(null)\n^",
                t.0.display()
            )
        );
    }

    #[test]
    fn file_parse_keeps_whitespace_in_metadata() {
        // libvirt reads node files without dropping blank text, so mixed
        // metadata keeps its spacing (a string define would drop it).
        let t = tmpdir("blanks");
        fs::write(
            t.0.join("node.xml"),
            "<node><domain type='test'><name>m</name><memory>1</memory><os><type>hvm</type></os>\
             <metadata><x:c xmlns:x='urn:x'> <x:d/></x:c></metadata></domain></node>",
        )
        .unwrap();
        let nf = load(&t.0.join("node.xml")).unwrap();
        let s = nf.domains[0].format(Default::default());
        assert!(
            s.contains("  <metadata>\n    <x:c xmlns:x=\"urn:x\"> <x:d/></x:c>\n  </metadata>\n"),
            "{s}"
        );
    }

    #[test]
    fn empty_node_is_fine() {
        let t = tmpdir("empty");
        fs::write(t.0.join("node.xml"), "<node/>").unwrap();
        let nf = load(&t.0.join("node.xml")).unwrap();
        assert_eq!(nf.cpu, NodeCpu::default());
        assert!(nf.domains.is_empty() && nf.auth_users.is_empty() && nf.memory_kib.is_none());
    }

    #[test]
    fn ten_thousand_domains_load_fast() {
        let t = tmpdir("big");
        let mut s = String::from("<node>\n");
        for i in 0..10_000 {
            s.push_str(&format!(
                "  <domain type='test'><name>d{i}</name><memory unit='MiB'>512</memory><vcpu>2</vcpu>\
                 <os><type arch='x86_64'>hvm</type><boot dev='hd'/></os><devices>\
                 <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/img/d{i}.qcow2'/><target dev='vda' bus='virtio'/></disk>\
                 <interface type='network'><mac address='52:54:00:{:02x}:{:02x}:01'/><source network='default'/><model type='virtio'/></interface>\
                 <graphics type='vnc'/><console type='pty'/></devices></domain>\n",
                i / 256,
                i % 256
            ));
        }
        s.push_str("</node>\n");
        let p = t.0.join("node.xml");
        fs::write(&p, s).unwrap();
        let start = std::time::Instant::now();
        let nf = load(&p).unwrap();
        let took = start.elapsed();
        assert_eq!(nf.domains.len(), 10_000);
        // Generous even for unoptimised test builds; release loads in well under a second.
        assert!(took.as_secs_f64() < 20.0, "took {took:?}");
    }

    /// Checked against libvirt 9.0 (`virsh -c test:///FILE nodeinfo`).
    #[test]
    fn cpu_fields_come_from_the_first_element_naming_them() {
        let t = tmpdir("cpus");
        let p = t.0.join("n.xml");
        fs::write(
            &p,
            "<node><cpu><model>m1</model><mhz></mhz></cpu><cpu><mhz>3000</mhz><nodes>1</nodes>\
             <model>m2</model></cpu><memory></memory><memory>5</memory></node>",
        )
        .unwrap();
        let nf = load(&p).unwrap();
        assert_eq!(nf.cpu.model.as_deref(), Some("m1"));
        assert_eq!((nf.cpu.mhz, nf.cpu.nodes), (None, Some(1)));
        assert_eq!(nf.memory_kib, None);
    }

    #[test]
    fn same_domain_twice_and_folders() {
        let t = tmpdir("dups");
        let dom = |mem: u32| {
            format!(
                "<domain type='test'><name>a</name><uuid>11111111-1111-1111-1111-111111111111</uuid>\
                 <memory>{mem}</memory><os><type>hvm</type></os></domain>"
            )
        };
        let p = t.0.join("n.xml");
        fs::write(&p, format!("<node>{}{}</node>", dom(1024), dom(2048))).unwrap();
        assert_eq!(load(&p).unwrap().domains.len(), 2);
        fs::write(&p, "<node><domain file='sub'/></node>").unwrap();
        let e = load(&p).unwrap_err();
        let sub = t.0.join("sub");
        assert_eq!(
            e.message,
            format!("{}:1: Document is empty\n(null)\n^", sub.display())
        );
        assert_eq!(
            missing_file_warning(&e).unwrap(),
            "I/O error : Is a directory"
        );
    }
}
