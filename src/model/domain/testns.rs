//! The test driver's private namespace inside `<domain>`:
//! `xmlns:test='http://libvirt.org/schemas/domain/test/1.0'`.

use crate::error::{Error, Result};
use crate::model::xml::{Element, Node};

pub const TEST_NS_URI: &str = "http://libvirt.org/schemas/domain/test/1.0";

/// What `<test:…>` children of a domain say about its initial state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TestNamespace {
    /// `<test:runstate>`: a `virDomainState` number (0..=7); `None` = running.
    pub runstate: Option<u32>,
    /// `<test:transient/>`
    pub transient: bool,
    /// `<test:hasmanagedsave/>`
    pub has_managed_save: bool,
    /// `<test:domainsnapshot>` entries, each as a `<domainsnapshot>`
    /// document (inline children re-rooted; `file=` entries are loaded by
    /// the node-file reader before the domain is parsed).
    pub snapshots: Vec<String>,
    /// `file=` attributes of snapshot entries not yet loaded (domain
    /// parsed outside a node file).
    pub snapshot_files: Vec<String>,
}

impl TestNamespace {
    /// Reads the test-namespace children of `root`; `None` when there are none.
    pub fn parse(root: &Element) -> Result<Option<TestNamespace>> {
        let mut ns = TestNamespace::default();
        let mut any = false;
        for e in root
            .elements()
            .filter(|e| e.ns.as_deref() == Some(TEST_NS_URI))
        {
            any = true;
            match e.local() {
                "runstate" => {
                    if ns.runstate.is_some() {
                        continue;
                    }
                    let t = e.text();
                    let v = crate::model::units::parse_u64(&t)
                        .filter(|v| *v <= u32::MAX as u64)
                        .ok_or_else(|| Error::xml("invalid runstate"))?;
                    if v >= 8 {
                        return Err(Error::xml(format!("runstate '{v}' out of range'")));
                    }
                    ns.runstate = Some(v as u32);
                }
                "transient" => ns.transient = true,
                "hasmanagedsave" => ns.has_managed_save = true,
                "domainsnapshot" => match e.attr("file") {
                    Some(f) => ns.snapshot_files.push(f.to_string()),
                    None => ns.snapshots.push(snapshot_document(e)),
                },
                _ => {}
            }
        }
        let state = ns.runstate.unwrap_or(1);
        if ns.transient && state == 5 {
            return Err(Error::xml(
                "transient domain cannot have runstate 'shutoff'",
            ));
        }
        if ns.has_managed_save && state != 5 {
            return Err(Error::xml(
                "domain with managedsave data can only have runstate 'shutoff'",
            ));
        }
        Ok(any.then_some(ns))
    }
}

/// Re-roots a `<test:domainsnapshot>` element's children under a plain
/// `<domainsnapshot>` document.
pub fn snapshot_document(e: &Element) -> String {
    let mut s = String::from("<domainsnapshot");
    if e.children.is_empty() {
        s.push_str("/>");
        return s;
    }
    s.push('>');
    ser_children(e, &mut s);
    s.push_str("</domainsnapshot>");
    s
}

/// Serialises an element tree back to XML text (used for raw sub-documents
/// the node file hands on: networks, pools, snapshots).
pub fn serialize(e: &Element) -> String {
    let mut s = String::new();
    ser(e, &mut s);
    s
}

fn ser(e: &Element, s: &mut String) {
    s.push('<');
    s.push_str(&e.name);
    for (p, u) in &e.ns_decls {
        match p {
            Some(p) => {
                s.push_str(" xmlns:");
                s.push_str(p);
            }
            None => s.push_str(" xmlns"),
        }
        s.push_str("='");
        s.push_str(&crate::model::xml::esc(u));
        s.push('\'');
    }
    for (k, v) in &e.attrs {
        s.push(' ');
        s.push_str(k);
        s.push_str("='");
        s.push_str(&crate::model::xml::esc(v));
        s.push('\'');
    }
    if e.children.is_empty() {
        s.push_str("/>");
        return;
    }
    s.push('>');
    ser_children(e, s);
    s.push_str("</");
    s.push_str(&e.name);
    s.push('>');
}

fn ser_children(e: &Element, s: &mut String) {
    for n in &e.children {
        match n {
            Node::Elem(c) => ser(c, s),
            Node::Text(t) | Node::CData(t) => s.push_str(&crate::model::xml::esc(t)),
            Node::Comment(_) => {}
        }
    }
}
