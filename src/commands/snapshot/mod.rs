//! Snapshot commands (help keyword `snapshot`).
//!
//! What several of them share lives here: finding the snapshot a command
//! names (`--snapshotname` or `--current`), a snapshot's parent, creating a
//! snapshot, collecting a listing, and reading fields out of the XML the
//! API returns.

pub mod create;
pub mod create_as;
pub mod current;
pub mod delete;
pub mod dumpxml;
pub mod edit;
pub mod info;
pub mod list;
pub mod parent;
pub mod revert;

use crate::api::flags::{snapshot_create as cf, snapshot_list as lf};
use crate::api::{self, Connection, Domain, DomainSnapshot, ErrorCode};
use crate::commands::{Args, CmdError, CmdResult, OptDef, Session};
use crate::model::xml::{parse_document, Element};

/// Finds the snapshot named by `option`, or the current one with
/// `--current`. With `exclusive`, giving both is refused; without, the name wins.
pub fn lookup(
    session: &mut Session,
    args: &Args,
    dom: &Domain,
    option: &str,
    exclusive: bool,
) -> Result<DomainSnapshot, CmdError> {
    let name = args.get(option)?;
    let current = args.has("current");
    if exclusive && current && name.is_some() {
        return Err(CmdError::msg(format!(
            "--{option} and --current are mutually exclusive"
        )));
    }
    let conn = session.conn()?;
    let found = match name {
        Some(name) => conn
            .domain_snapshot_lookup_by_name(dom, name, 0)
            .map_err(|e| {
                let mut failure = CmdError::from(e);
                // A person at a terminal gets the closest existing name.
                if crate::output::style::get().hints {
                    let all = conn.domain_list_all_snapshots(dom, 0).unwrap_or_default();
                    failure = failure.suggest(name, all.iter().map(|s| s.name.as_str()));
                }
                failure
            }),
        None if current => conn.domain_snapshot_current(dom, 0).map_err(CmdError::from),
        None => {
            return Err(CmdError::msg(format!(
                "--{option} or --current is required"
            )))
        }
    };
    found
}

/// The parent's name, `None` for a root. A driver that cannot say is asked
/// for the snapshot's XML instead, as virsh falls back to.
pub fn parent_name(conn: &Connection, snap: &DomainSnapshot) -> Result<Option<String>, CmdError> {
    let undetermined =
        |e: api::Error| CmdError::from(e).also("unable to determine if snapshot has parent");
    match conn.domain_snapshot_get_parent(snap, 0) {
        Ok(parent) => Ok(Some(parent.name)),
        Err(e) if e.code == ErrorCode::NoDomainSnapshot => Ok(None),
        Err(_) => {
            let xml = conn
                .domain_snapshot_get_xml_desc(snap, 0)
                .map_err(undetermined)?;
            let doc = DocFields::parse(&xml, SNAPSHOT_DOC).map_err(undetermined)?;
            Ok(doc.text(&["parent", "name"]))
        }
    }
}

/// Creates a snapshot from `xml` and reports it, as snapshot-create and
/// snapshot-create-as do (`from` is the file the XML came from).
pub fn create(
    session: &mut Session,
    dom: &Domain,
    xml: &str,
    mut flags: u32,
    from: Option<&str>,
) -> CmdResult {
    let conn = session.conn()?.clone();
    let mut made = conn.domain_snapshot_create_xml(dom, xml, flags);
    // A server that does not know --validate is asked again without it.
    if matches!(&made, Err(e) if e.code == ErrorCode::NoSupport) && from.is_none() {
        flags &= !cf::VALIDATE;
        made = conn.domain_snapshot_create_xml(dom, xml, flags);
    }
    // A server that refuses --halt gets the snapshot, then a destroy.
    let mut halt = false;
    if matches!(&made, Err(e) if e.code == ErrorCode::InvalidArg) && flags & cf::HALT != 0 {
        if !conn.domain_is_persistent(dom)? {
            return Err(CmdError::msg(
                "cannot halt after snapshot of transient domain",
            ));
        }
        halt = conn.domain_is_active(dom).unwrap_or(false);
        flags &= !cf::HALT;
        made = conn.domain_snapshot_create_xml(dom, xml, flags);
    }
    let snap = made?;
    if halt {
        conn.domain_destroy(dom, 0)?;
    }
    // No newline: virsh ends these messages with its separator alone.
    match from {
        Some(file) => session.print_extra(&format!(
            "Domain snapshot {} created from '{file}'",
            snap.name
        )),
        None => session.print_extra(&format!("Domain snapshot {} created", snap.name)),
    }
    Ok(())
}

/// virsh's error lines for a `--memspec` or `--diskspec` it cannot read.
pub fn spec_error(lines: Vec<String>) -> CmdError {
    let mut lines = lines.into_iter();
    let first = CmdError::msg(lines.next().unwrap_or_default());
    lines.fold(first, CmdError::also)
}

/// The document name libvirt's parser gives snapshot XML in its errors.
pub const SNAPSHOT_DOC: (&str, &str) = ("(domain_snapshot)", "domainsnapshot");

/// Fields of a snapshot or checkpoint document read as virsh reads them with
/// XPath (`string(/domainsnapshot/parent/name)`): the first element along a
/// path below the root, in document order; empty text counts as none. The
/// typed models fill in defaults and check more, which would hide what the
/// document itself says (whether it has a `<memory>` element, for instance).
pub struct DocFields {
    /// `None` when the root element is not the expected one: every path is empty.
    root: Option<Element>,
}

impl DocFields {
    /// Parses `text`; `doc` is libvirt's name for the document in parse
    /// errors and the root element's name.
    pub fn parse(text: &str, doc: (&str, &str)) -> api::Result<DocFields> {
        let root = parse_document(text, doc.0)?;
        Ok(DocFields {
            root: (root.local() == doc.1).then_some(root),
        })
    }

    /// The elements at `path` below the root, in document order.
    fn at(&self, path: &[&str]) -> Vec<&Element> {
        let mut found: Vec<&Element> = self.root.iter().collect();
        for step in path {
            found = found
                .into_iter()
                .flat_map(|e| e.elements().filter(|c| c.name == *step && c.ns.is_none()))
                .collect();
        }
        found
    }

    /// `string(/ROOT/PATH)`, with empty text as `None`.
    pub fn text(&self, path: &[&str]) -> Option<String> {
        self.at(path)
            .first()
            .map(|e| e.text())
            .filter(|t| !t.is_empty())
    }

    /// `string(/ROOT/PATH)` as a number, as `virXPathLongLong` reads it.
    pub fn number(&self, path: &[&str]) -> Option<i64> {
        self.text(path)
            .and_then(|t| crate::model::units::parse_i64(&t))
    }

    /// `boolean(/ROOT/PATH)`.
    pub fn exists(&self, path: &[&str]) -> bool {
        !self.at(path).is_empty()
    }

    /// Whether some element at `path` has attribute `name` equal to `value`.
    pub fn has_attr(&self, path: &[&str], name: &str, value: &str) -> bool {
        self.at(path).iter().any(|e| e.attr(name) == Some(value))
    }
}

/// One snapshot of a listing; `parent` is filled in for a tree, where the
/// starting snapshot of `--from` appears as a root.
pub struct Listed {
    pub snap: DomainSnapshot,
    pub parent: Option<String>,
}

/// The filters on a snapshot's state and on where its data lives.
const STATUS_FILTERS: u32 = lf::INACTIVE | lf::ACTIVE | lf::DISK_ONLY;
const LOCATION_FILTERS: u32 = lf::INTERNAL | lf::EXTERNAL;

/// Collects the snapshots of `dom` (or the children of `from`) that `flags`
/// select, as snapshot-list shows them: sorted by name unless topological,
/// with parents and the `--from` snapshot as a root when drawing a tree.
pub fn collect(
    conn: &Connection,
    dom: &Domain,
    from: Option<&DomainSnapshot>,
    flags: u32,
    tree: bool,
) -> Result<Vec<Listed>, CmdError> {
    let list = |flags| match from {
        Some(start) => conn.domain_snapshot_list_all_children(start, flags),
        None => conn.domain_list_all_snapshots(dom, flags),
    };
    let mut emulate = false;
    let snaps = match list(flags) {
        // A server that predates the state and location filters lists
        // everything, and virsh filters by each snapshot's XML.
        Err(e)
            if e.code == ErrorCode::InvalidArg
                && flags & (STATUS_FILTERS | LOCATION_FILTERS) != 0 =>
        {
            emulate = true;
            list(flags & !(STATUS_FILTERS | LOCATION_FILTERS))?
        }
        other => other?,
    };
    let mut listed = Vec::with_capacity(snaps.len() + 1);
    for snap in snaps {
        if emulate && !passes_filters(conn, &snap, flags)? {
            continue;
        }
        let parent = if tree {
            parent_name(conn, &snap)?
        } else {
            None
        };
        listed.push(Listed { snap, parent });
    }
    if let (true, Some(start)) = (tree, from) {
        listed.push(Listed {
            snap: start.clone(),
            parent: None,
        });
    }
    if flags & lf::TOPOLOGICAL == 0 {
        listed.sort_by(|a, b| by_name(&a.snap.name, &b.snap.name));
    }
    Ok(listed)
}

/// Case-insensitive order of names, as `strcasecmp` in the C locale.
pub fn by_name(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// virsh's own state and location filter, read from the snapshot's XML: a
/// disk-only snapshot is external, every other one internal. A group of
/// filters not asked for lets everything through.
fn passes_filters(
    conn: &Connection,
    snap: &DomainSnapshot,
    mut flags: u32,
) -> Result<bool, CmdError> {
    if flags & STATUS_FILTERS == 0 {
        flags |= STATUS_FILTERS;
    }
    if flags & LOCATION_FILTERS == 0 {
        flags |= LOCATION_FILTERS;
    }
    let xml = conn.domain_snapshot_get_xml_desc(snap, 0)?;
    let doc = DocFields::parse(&xml, SNAPSHOT_DOC)?;
    let state = doc
        .text(&["state"])
        .ok_or_else(|| CmdError::msg("unable to perform snapshot filtering"))?;
    Ok(match state.as_str() {
        "disk-snapshot" => flags & lf::DISK_ONLY != 0 && flags & lf::EXTERNAL != 0,
        _ if flags & lf::INTERNAL == 0 => false,
        "shutoff" => flags & lf::INACTIVE != 0,
        _ => flags & lf::ACTIVE != 0,
    })
}

/// The options snapshot-create and snapshot-create-as share, in their order.
pub const CREATE_OPTIONS: [OptDef; 8] = [
    OptDef::flag("no-metadata", "take the snapshot but keep no metadata"),
    OptDef::flag("halt", "stop the domain once the snapshot is taken"),
    OptDef::flag("disk-only", "capture the disks but not the memory"),
    OptDef::flag("reuse-external", "reuse existing external files"),
    OptDef::flag("quiesce", "quiesce the guest's file systems"),
    OptDef::flag("atomic", "all or nothing"),
    OptDef::flag("live", "take the snapshot while the domain runs"),
    OptDef::flag("validate", "check the XML against the schema"),
];

/// The flags those options set.
pub const CREATE_FLAGS: &[(&str, u32)] = &[
    ("no-metadata", cf::NO_METADATA),
    ("halt", cf::HALT),
    ("disk-only", cf::DISK_ONLY),
    ("reuse-external", cf::REUSE_EXT),
    ("quiesce", cf::QUIESCE),
    ("atomic", cf::ATOMIC),
    ("live", cf::LIVE),
    ("validate", cf::VALIDATE),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_as_xpath_reads_them() {
        let doc = DocFields::parse(
            "<domainsnapshot><name>s2</name><state></state><parent><name>s1</name></parent>\
             <creationTime> 42</creationTime><disks><disk name='vda'/><disk name='vdb' snapshot='external'/></disks>\
             </domainsnapshot>",
            SNAPSHOT_DOC,
        )
        .unwrap();
        assert_eq!(doc.text(&["name"]).as_deref(), Some("s2"));
        assert_eq!(doc.text(&["state"]), None);
        assert_eq!(doc.text(&["parent", "name"]).as_deref(), Some("s1"));
        assert_eq!(doc.number(&["creationTime"]), Some(42));
        assert!(!doc.exists(&["memory"]));
        assert!(doc.has_attr(&["disks", "disk"], "snapshot", "external"));
        assert!(!doc.has_attr(&["disks", "disk"], "snapshot", "internal"));
    }

    #[test]
    fn another_root_has_no_fields() {
        let doc = DocFields::parse("<domain><name>x</name></domain>", SNAPSHOT_DOC).unwrap();
        assert_eq!(doc.text(&["name"]), None);
    }

    #[test]
    fn parse_errors_name_the_document() {
        let e = DocFields::parse("<domainsnapshot>", SNAPSHOT_DOC)
            .err()
            .unwrap();
        assert!(e.message.contains("(domain_snapshot)"), "{}", e.message);
    }

    #[test]
    fn names_sort_ignoring_case() {
        let mut names = vec!["b", "A", "a2", "C"];
        names.sort_by(|a, b| by_name(a, b));
        assert_eq!(names, ["A", "a2", "b", "C"]);
    }
}
