//! `<domainbackup>` documents (`backup-begin`, `backup-dumpxml`).
//!
//! libvirt validates user backup documents against its schema before
//! reading them (the test driver has no backups, so the schema messages
//! here were checked with libxml2 against libvirt 9.0's domainbackup.rng).
//! `align_disks` is libvirt's `virDomainBackupAlignDisks`: one entry per
//! domain disk with generated target names; `format` is
//! `virDomainBackupDefFormat`.

use crate::error::{Error, Result};
use crate::model::domain::DomainDef;
use crate::model::snapshot::{
    bad_enum_attr, interleave_error, is_abs_path, is_storage_format, is_target_dev, no_text,
    partition, schema_error, text_only, xpath_string, NetHost, StorageSource, StorageType,
};
use crate::model::xml::{Element, Out};

/// `mode=` of `<domainbackup>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackupMode {
    /// The hypervisor writes the backup to `<target>`.
    #[default]
    Push,
    /// An NBD server exports the disks; `<scratch>` holds the old data.
    Pull,
}

impl BackupMode {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupMode::Push => "push",
            BackupMode::Pull => "pull",
        }
    }
}

/// `backupmode=` of a disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiskBackupMode {
    /// Not said; alignment picks incremental when a checkpoint is named.
    #[default]
    Default,
    Full,
    Incremental,
}

/// `state=` of a disk in libvirt's status XML (internal form only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiskBackupState {
    #[default]
    None,
    Running,
    Complete,
    Failed,
    Cancelling,
    Cancelled,
}

impl DiskBackupState {
    pub fn as_str(self) -> &'static str {
        match self {
            DiskBackupState::None => "",
            DiskBackupState::Running => "running",
            DiskBackupState::Complete => "complete",
            DiskBackupState::Failed => "failed",
            DiskBackupState::Cancelling => "cancelling",
            DiskBackupState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Option<DiskBackupState> {
        Some(match s {
            "" => DiskBackupState::None,
            "running" => DiskBackupState::Running,
            "complete" => DiskBackupState::Complete,
            "failed" => DiskBackupState::Failed,
            "cancelling" => DiskBackupState::Cancelling,
            "cancelled" => DiskBackupState::Cancelled,
            _ => return None,
        })
    }
}

/// One `<disk>` of a backup.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BackupDisk {
    /// The disk's target (`vda`).
    pub name: String,
    /// `backup='yes'` (the default) or `'no'`.
    pub backup: bool,
    pub backup_mode: DiskBackupMode,
    /// Per-disk checkpoint to back up from.
    pub incremental: Option<String>,
    /// Pull mode: NBD export name (qemu defaults it to the target).
    pub export_name: Option<String>,
    /// Pull mode: exported dirty bitmap name.
    pub export_bitmap: Option<String>,
    /// Status XML only.
    pub state: DiskBackupState,
    /// `index=`: the node index the hypervisor gave the target/scratch.
    pub index: Option<u32>,
    /// Push target or pull scratch: type, `<driver type>`, path, and
    /// seclabel/encryption children. `None` for `backup='no'`.
    pub store: Option<StorageSource>,
}

/// A backup job definition.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BackupDef {
    pub mode: BackupMode,
    /// Checkpoint the backup is incremental from.
    pub incremental: Option<String>,
    /// Pull mode NBD server: transport `tcp` (name, port), `unix`
    /// (socket) or `fd` (fdgroup).
    pub server: Option<NetHost>,
    /// `tls=` of `<server>`.
    pub tls: Option<bool>,
    pub disks: Vec<BackupDisk>,
    /// Status XML `<privateData>`: aliases of the TLS objects.
    pub tls_alias: Option<String>,
    pub tls_secret_alias: Option<String>,
}

/// How to read a backup document.
#[derive(Debug, Clone, Copy, Default)]
pub struct BackupParseFlags {
    /// libvirt's status XML: no schema check; `state`, `index` and
    /// `<privateData>` are read.
    pub internal: bool,
}

/// What to include when formatting.
#[derive(Debug, Clone, Copy, Default)]
pub struct BackupFormatOptions {
    /// Status XML: disk `state` and `<privateData>`.
    pub internal: bool,
}

impl BackupDef {
    /// Parses a user's `backup-begin` document.
    pub fn parse(xml: &str) -> Result<BackupDef> {
        BackupDef::parse_with(xml, BackupParseFlags::default())
    }

    pub fn parse_with(xml: &str, flags: BackupParseFlags) -> Result<BackupDef> {
        let root = crate::model::snapshot::read_root(xml, "(domain_backup)", "domainbackup")?;
        if !flags.internal {
            validate_backup(&root).map_err(|m| schema_error("domainbackup.rng", &m))?;
        }
        BackupDef::from_element(&root, flags)
    }

    /// Reads an already-parsed `<domainbackup>` element.
    pub fn from_element(root: &Element, flags: BackupParseFlags) -> Result<BackupDef> {
        let mut def = BackupDef::default();
        if let Some(m) = root.attr("mode") {
            def.mode = match m {
                "push" => BackupMode::Push,
                "pull" => BackupMode::Pull,
                _ => {
                    return Err(Error::config_unsupported(format!(
                        "unknown backup mode '{m}'"
                    )))
                }
            };
        }
        let push = def.mode == BackupMode::Push;
        def.incremental = xpath_string(root, "incremental");
        if let Some(s) = root.child("server") {
            if push {
                return Err(Error::config_unsupported(
                    "use of <server> requires pull mode backup",
                ));
            }
            let host = NetHost::parse(s, true)?;
            if host.transport == "rdma" {
                return Err(Error::config_unsupported(
                    "transport rdma is not supported for <server>",
                ));
            }
            if let Some(sock) = host
                .socket
                .as_deref()
                .filter(|p| host.transport == "unix" && !p.starts_with('/'))
            {
                return Err(Error::xml(format!(
                    "backup socket path '{sock}' must be absolute"
                )));
            }
            def.tls = parse_yes_no(s, "tls", "server")?;
            def.server = Some(host);
        }
        if let Some(disks) = root.child("disks") {
            for d in disks.elements() {
                def.disks.push(parse_disk(d, push, flags.internal)?);
            }
        }
        if flags.internal {
            if let Some(objs) = root.child("privateData").and_then(|p| p.child("objects")) {
                def.tls_secret_alias = objs
                    .children_named("secret")
                    .find(|s| s.attr("type") == Some("tlskey"))
                    .and_then(|s| s.attr("alias"))
                    .map(str::to_string);
                def.tls_alias = objs
                    .child("TLSx509")
                    .and_then(|t| t.attr("alias"))
                    .map(str::to_string);
            }
        }
        Ok(def)
    }

    /// Formats as `virDomainBackupDefFormat` does.
    pub fn format(&self, opts: BackupFormatOptions) -> String {
        let mut body = Out::new(1);
        if let Some(i) = &self.incremental {
            body.text_elem("incremental", i);
        }
        if let Some(h) = &self.server {
            let mut t = body.open("server").attr("transport", &h.transport);
            if let Some(tls) = self.tls {
                t = t.attr("tls", if tls { "yes" } else { "no" });
            }
            t = t.attr_opt("name", h.name.as_deref());
            if h.port != 0 {
                t = t.attr_display("port", h.port);
            }
            t.attr_opt("socket", h.socket.as_deref())
                .attr_opt("fdgroup", h.fdgroup.as_deref())
                .empty();
        }
        if !self.disks.is_empty() {
            body.line("<disks>");
            body.indent += 1;
            for d in &self.disks {
                format_disk(&mut body, d, self.mode == BackupMode::Push, opts.internal);
            }
            body.close("disks");
        }
        if opts.internal && (self.tls_alias.is_some() || self.tls_secret_alias.is_some()) {
            body.line("<privateData>");
            body.indent += 1;
            body.line("<objects>");
            body.indent += 1;
            if let Some(a) = &self.tls_secret_alias {
                body.open("secret")
                    .attr("type", "tlskey")
                    .attr("alias", a)
                    .empty();
            }
            if let Some(a) = &self.tls_alias {
                body.open("TLSx509").attr("alias", a).empty();
            }
            body.close("objects");
            body.close("privateData");
        }
        let head = format!("<domainbackup mode='{}'", self.mode.as_str());
        if body.s.is_empty() {
            format!("{head}/>\n")
        } else {
            format!("{head}>\n{}</domainbackup>\n", body.s)
        }
    }

    /// libvirt's `virDomainBackupAlignDisks`: checks the listed disks
    /// against the domain, gives every backed-up disk without a target a
    /// file next to its source (`PATH.SUFFIX`; the suffix is the new
    /// checkpoint's name or the current Unix time), appends the domain's
    /// other disks (backed up only when no `<disks>` were given), and
    /// settles each disk's full/incremental mode.
    pub fn align_disks(&mut self, dom: &DomainDef, suffix: &str) -> Result<()> {
        if dom.disks.is_empty() {
            return Err(Error::config_unsupported(
                "domain must have at least one disk to perform backup",
            ));
        }
        let mut seen: Vec<String> = Vec::new();
        for bd in &mut self.disks {
            let Some(dd) = dom.disk_by_target(&bd.name) else {
                return Err(Error::config_unsupported(format!(
                    "no disk named '{}'",
                    bd.name
                )));
            };
            if seen.contains(&bd.name) {
                return Err(Error::config_unsupported(format!(
                    "disk '{}' specified twice",
                    bd.name
                )));
            }
            seen.push(bd.name.clone());
            if bd.backup_mode == DiskBackupMode::Incremental
                && bd.incremental.is_none()
                && self.incremental.is_none()
            {
                return Err(Error::config_unsupported(format!(
                    "'incremental' backup mode of disk '{}' requires setting 'incremental' field for disk or backup",
                    bd.name
                )));
            }
            if bd.backup {
                assign_store(bd, dd, suffix)?;
            }
        }
        let backup_all = self.disks.is_empty();
        for dd in &dom.disks {
            if seen.contains(&dd.target_dev) {
                continue;
            }
            let mut bd = BackupDisk {
                name: dd.target_dev.clone(),
                ..Default::default()
            };
            if backup_all && !crate::model::snapshot::disk_is_empty(dd) && !dd.readonly {
                bd.backup = true;
                assign_store(&mut bd, dd, suffix)?;
            }
            self.disks.push(bd);
        }
        for bd in &mut self.disks {
            if bd.backup_mode == DiskBackupMode::Default {
                bd.backup_mode = if self.incremental.is_some() || bd.incremental.is_some() {
                    DiskBackupMode::Incremental
                } else {
                    DiskBackupMode::Full
                };
            }
            if bd.incremental.is_none() && bd.backup_mode == DiskBackupMode::Incremental {
                bd.incremental = self.incremental.clone();
            }
        }
        Ok(())
    }
}

/// A target/scratch for a disk that has none: a file beside the disk's
/// own file image.
fn assign_store(bd: &mut BackupDisk, dd: &crate::model::domain::Disk, suffix: &str) -> Result<()> {
    if crate::model::snapshot::disk_is_empty(dd) && bd.store.is_some() {
        return Err(Error::config_unsupported(format!(
            "disk '{}' has no media",
            bd.name
        )));
    }
    let needs_name = match &bd.store {
        None => true,
        Some(s) => s.path.is_none(),
    };
    if needs_name {
        if dd.disk_type != "file" {
            return Err(Error::config_unsupported(format!(
                "refusing to generate file name for disk '{}'",
                bd.name
            )));
        }
        let store = bd.store.get_or_insert_with(StorageSource::default);
        store.stype = StorageType::File;
        store.path = Some(format!("{}.{suffix}", dd.source.as_deref().unwrap_or("")));
    }
    Ok(())
}

fn parse_yes_no(e: &Element, attr: &str, elem: &str) -> Result<Option<bool>> {
    match e.attr(attr) {
        None => Ok(None),
        Some("yes") => Ok(Some(true)),
        Some("no") => Ok(Some(false)),
        Some(v) => Err(bad_enum_attr(attr, elem, v)),
    }
}

fn parse_disk(e: &Element, push: bool, internal: bool) -> Result<BackupDisk> {
    let name = e
        .attr("name")
        .ok_or_else(|| Error::xml("missing name from disk backup element"))?;
    let mut d = BackupDisk {
        name: name.to_string(),
        backup: parse_yes_no(e, "backup", "disk")?.unwrap_or(true),
        ..Default::default()
    };
    // Nothing else matters for a disk left out.
    if !d.backup {
        return Ok(d);
    }
    if !push {
        d.export_name = e.attr("exportname").map(str::to_string);
        d.export_bitmap = e.attr("exportbitmap").map(str::to_string);
    }
    if let Some(m) = e.attr("backupmode") {
        d.backup_mode = match m {
            "" => DiskBackupMode::Default,
            "full" => DiskBackupMode::Full,
            "incremental" => DiskBackupMode::Incremental,
            _ => return Err(bad_enum_attr("backupmode", "disk", m)),
        };
    }
    d.incremental = e.attr("incremental").map(str::to_string);
    if internal {
        let s = e
            .attr("state")
            .ok_or_else(|| Error::xml("Missing required attribute 'state' in element 'disk'"))?;
        d.state = DiskBackupState::parse(s).ok_or_else(|| bad_enum_attr("state", "disk", s))?;
    }
    let mut store = StorageSource::default();
    if let Some(t) = e.attr("type") {
        store.stype = StorageType::parse(t)
            .ok_or_else(|| Error::xml(format!("unknown storage source type '{t}'")))?;
    }
    if let Some(f) = e.child("driver").and_then(|dr| dr.attr("type")) {
        if !is_storage_format(f) && f != "luks" {
            return Err(Error::xml(format!("unknown storage source format '{f}'")));
        }
        store.format = Some(f.to_string());
    }
    if internal {
        if let Some(i) = e.attr("index") {
            d.index = Some(
                crate::model::units::parse_u64(i)
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or_else(|| Error::xml(format!("invalid storage source index '{i}'")))?,
            );
        }
    }
    if !matches!(store.stype, StorageType::File | StorageType::Block) {
        return Err(Error::xml(format!(
            "unsupported disk backup type '{}'",
            e.attr("type").unwrap_or("")
        )));
    }
    if let Some(s) = e.child(if push { "target" } else { "scratch" }) {
        store.parse_source(s)?;
    }
    d.store = Some(store);
    Ok(d)
}

fn format_disk(out: &mut Out, d: &BackupDisk, push: bool, internal: bool) {
    // Children first: the element is self-closed when there are none.
    let mut kids = Out::new(out.indent + 1);
    if let (Some(store), true) = (&d.store, d.backup) {
        if let Some(f) = &store.format {
            kids.open("driver").attr("type", f).empty();
        }
        store.format_source(&mut kids, if push { "target" } else { "scratch" });
    }
    let mut t = out
        .open("disk")
        .attr("name", &d.name)
        .attr("backup", if d.backup { "yes" } else { "no" });
    if internal && d.state != DiskBackupState::None {
        t = t.attr("state", d.state.as_str());
    }
    let store = match (&d.store, d.backup) {
        (Some(s), true) => s,
        _ => {
            t.empty();
            return;
        }
    };
    t = t.attr("type", store.stype.as_str());
    match d.backup_mode {
        DiskBackupMode::Full => t = t.attr("backupmode", "full"),
        DiskBackupMode::Incremental => t = t.attr("backupmode", "incremental"),
        DiskBackupMode::Default => {}
    }
    t = t
        .attr_opt("incremental", d.incremental.as_deref())
        .attr_opt("exportname", d.export_name.as_deref())
        .attr_opt("exportbitmap", d.export_bitmap.as_deref());
    if let Some(i) = d.index {
        t = t.attr_display("index", i);
    }
    if kids.s.is_empty() {
        t.empty();
    } else {
        t.start();
        out.push_raw(&kids.s);
        out.close("disk");
    }
}

// ---------------------------------------------------------------------
// domainbackup.rng (libvirt 9.0, plus the `fd` server transport of later
// releases), at the level of detail libxml2 reports.

/// libxml2's verdict on `<domainbackup>`: an interleave of an optional
/// `<incremental>` and a choice between push (optional `mode='push'`,
/// optional push `<disks>`) and pull (`mode='pull'`, a `<server>` and
/// optional pull `<disks>`). The choice takes pull when it matches
/// everything, else push; what push cannot consume is reported.
fn validate_backup(root: &Element) -> std::result::Result<(), Vec<String>> {
    const ROOT: &str = "domainbackup";
    if root.ns.is_some() {
        return Err(vec![format!("Expecting no namespace for element {ROOT}")]);
    }
    let (members, extra) = partition(root, &["incremental", "server", "disks"]);
    if let Some(first) = members[0].first() {
        let bad = if text_only(first) {
            members[0].get(1)
        } else {
            Some(first)
        };
        if let Some(b) = bad {
            return Err(interleave_error(b.local(), ROOT));
        }
    }
    // The choice group's elements in document order.
    let grouped = |e: &Element| {
        members[1]
            .iter()
            .chain(&members[2])
            .any(|m| std::ptr::eq(*m, e))
    };
    let nodes: Vec<&Element> = root.elements().filter(|e| grouped(e)).collect();
    let mode = root.attr("mode");
    let pull_ok = mode == Some("pull")
        && members[1].len() == 1
        && valid_server(members[1][0])
        && members[2].len() <= 1
        && members[2].iter().all(|d| valid_disks(d, false));
    let mode_consumed = if pull_ok {
        true
    } else {
        let skip = usize::from(
            nodes
                .first()
                .is_some_and(|n| n.name == "disks" && valid_disks(n, true)),
        );
        if let Some(left) = nodes.get(skip) {
            return Err(interleave_error(left.local(), ROOT));
        }
        mode == Some("push")
    };
    if let Some(x) = extra {
        return Err(vec![format!("Element {ROOT} has extra content: {x}")]);
    }
    if let Some((k, _)) = root
        .attrs
        .iter()
        .find(|(k, _)| !(k == "mode" && mode_consumed))
    {
        return Err(vec![format!("Invalid attribute {k} for element {ROOT}")]);
    }
    Ok(())
}

fn is_dns_or_ip(s: &str) -> bool {
    // dnsName covers every IPv4 address; IPv6 needs hex digits and colons.
    let dns = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let v6 = s.contains(':')
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    dns || v6
}

fn valid_server(s: &Element) -> bool {
    if s.elements().next().is_some() || !no_text(s) {
        return false;
    }
    if s.attr("tls").is_some_and(|t| t != "yes" && t != "no") {
        return false;
    }
    let allowed: &[&str] = match s.attr("transport") {
        None | Some("tcp") => {
            if !s.attr("name").is_some_and(is_dns_or_ip) {
                return false;
            }
            if s.attr("port").is_some_and(|p| {
                !(p.bytes().all(|c| c.is_ascii_digit()) && p.parse::<u32>().is_ok())
            }) {
                return false;
            }
            &["tls", "transport", "name", "port"]
        }
        Some("unix") => {
            if !s.attr("socket").is_some_and(is_abs_path) {
                return false;
            }
            &["tls", "transport", "socket"]
        }
        Some("fd") => {
            if s.attr("fdgroup").is_none() {
                return false;
            }
            &["tls", "transport", "fdgroup"]
        }
        _ => return false,
    };
    s.attrs.iter().all(|(k, _)| allowed.contains(&k.as_str()))
}

fn valid_disks(d: &Element, push: bool) -> bool {
    d.attrs.is_empty()
        && no_text(d)
        && d.elements().next().is_some()
        && d.elements().all(|x| valid_disk(x, push))
}

fn valid_seclabel_or_encryption(c: &Element) -> bool {
    match c.name.as_str() {
        "seclabel" => c
            .attrs
            .iter()
            .all(|(k, _)| matches!(k.as_str(), "model" | "relabel" | "labelskip")),
        "encryption" => c.attr("format") == Some("luks") && c.child("secret").is_some(),
        _ => false,
    }
}

fn valid_disk(d: &Element, push: bool) -> bool {
    if d.name != "disk" || !no_text(d) || !d.attr("name").is_some_and(is_target_dev) {
        return false;
    }
    // backupDiskMode: `full` alone, or `incremental` with an optional name.
    if d.attr("backupmode")
        .is_some_and(|m| m != "full" && m != "incremental")
        || (d.attr("backupmode") == Some("full") && d.attr("incremental").is_some())
    {
        return false;
    }
    let mut allowed = vec!["name", "backupmode", "incremental", "backup", "type"];
    if !push {
        allowed.extend(["exportname", "exportbitmap"]);
    }
    if d.attrs.iter().any(|(k, _)| !allowed.contains(&k.as_str())) {
        return false;
    }
    match d.attr("backup") {
        Some("no") => return d.attr("type").is_none() && d.elements().next().is_none(),
        None | Some("yes") => {}
        _ => return false,
    }
    let ty = d.attr("type");
    let (store_elem, store_attr) = match ty {
        Some("file") => (if push { "target" } else { "scratch" }, "file"),
        Some("block") => (if push { "target" } else { "scratch" }, "dev"),
        // Pull disks may leave the type out, unless `backup='yes'` is said.
        None if !push && d.attr("backup").is_none() => ("scratch", "file"),
        _ => return false,
    };
    let mut store = 0;
    let mut driver = 0;
    for c in d.elements() {
        if c.name == store_elem {
            store += 1;
            let ok = c.attr(store_attr).is_some_and(is_abs_path)
                && c.attrs.len() == 1
                && no_text(c)
                && c.elements().all(valid_seclabel_or_encryption)
                && c.children_named("encryption").count() <= 1;
            if !ok {
                return false;
            }
        } else if c.name == "driver" {
            driver += 1;
            let ok = c.elements().next().is_none()
                && c.attrs.len() == 1
                && c.attr("type").is_some_and(|f| {
                    if push {
                        is_storage_format(f) || f == "luks"
                    } else {
                        f == "qcow2"
                    }
                });
            if !ok {
                return false;
            }
        } else {
            return false;
        }
    }
    if store > 1 || driver > 1 {
        return false;
    }
    // Pull: a scratch is required for block, and a driver needs one too.
    if !push && (ty == Some("block") || driver == 1) && store == 0 {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn dom(disks: &str) -> DomainDef {
        DomainDef::parse(&format!(
            "<domain type='test'><name>b</name><memory>1024</memory><os><type>hvm</type></os><devices>{disks}</devices></domain>"
        ))
        .unwrap()
    }

    fn fake_domain() -> DomainDef {
        dom("<disk type='file'><source file='/fake/vda.qcow2'/><target dev='vda' bus='virtio'/></disk>\
             <disk type='file'><source file='/fake/vdb.qcow2'/><target dev='vdb' bus='virtio'/></disk>\
             <disk type='file' device='cdrom'><source file='/fake/cd.iso'/><target dev='hda' bus='ide'/><readonly/></disk>\
             <disk type='file'><source file='/fake/extra.qcow2'/><target dev='vdextradisk' bus='virtio'/></disk>")
    }

    /// libxml2's RelaxNG verdicts on libvirt 9.0's domainbackup.rng,
    /// recorded with a small libxml2 program.
    #[test]
    fn schema_verdicts_match_libxml2() {
        let dir =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/model/testdata/backup_schema");
        let mut failed = Vec::new();
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .collect();
        names.sort();
        for p in names
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        {
            let xml = std::fs::read_to_string(p).unwrap();
            let want = std::fs::read_to_string(p.with_extension("err")).unwrap();
            let root = crate::model::xml::parse_document(&xml, "(domain_backup)").unwrap();
            let got = match validate_backup(&root) {
                Ok(()) => String::new(),
                Err(lines) => lines.iter().map(|l| format!("{l}\n")).collect(),
            };
            if got != want {
                eprintln!("--- {}\nexpected: {want:?}\ngot:      {got:?}", p.display());
                failed.push(p.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
        assert!(failed.is_empty(), "mismatched: {failed:?}");
    }

    #[test]
    fn schema_error_wording() {
        let e = BackupDef::parse("<domainbackup><bogus/></domainbackup>").unwrap_err();
        assert_eq!(
            e.message,
            "XML document failed to validate against schema: Unable to validate doc against \
             /usr/share/libvirt/schemas/domainbackup.rng\nElement domainbackup has extra content: bogus\n"
        );
        assert_eq!(
            BackupDef::parse("<backup/>").unwrap_err().message,
            "XML error: expecting root element of 'domainbackup', not 'backup'"
        );
        assert!(BackupDef::parse("")
            .unwrap_err()
            .message
            .starts_with("(domain_backup):1: Document is empty"));
    }

    #[test]
    fn push_aligns_as_libvirt() {
        // libvirt's own backup-push xml2xml case.
        let mut def = BackupDef::parse(
            "<domainbackup mode=\"push\">\n  <incremental>1525889631</incremental>\n  <disks>\n    \
             <disk name='vda' type='file'>\n      <driver type='raw'/>\n      <target file='/path/to/file'/>\n    </disk>\n    \
             <disk name='vdb' type='file' backupmode='full'/>\n    <disk name='hda' backup='no'/>\n  </disks>\n</domainbackup>\n",
        )
        .unwrap();
        def.align_disks(&fake_domain(), "SUFFIX").unwrap();
        assert_eq!(
            def.format(Default::default()),
            "<domainbackup mode='push'>\n  <incremental>1525889631</incremental>\n  <disks>\n    \
             <disk name='vda' backup='yes' type='file' backupmode='incremental' incremental='1525889631'>\n      \
             <driver type='raw'/>\n      <target file='/path/to/file'/>\n    </disk>\n    \
             <disk name='vdb' backup='yes' type='file' backupmode='full'>\n      <target file='/fake/vdb.qcow2.SUFFIX'/>\n    </disk>\n    \
             <disk name='hda' backup='no'/>\n    <disk name='vdextradisk' backup='no'/>\n  </disks>\n</domainbackup>\n"
        );
    }

    #[test]
    fn empty_document_backs_up_every_writable_disk() {
        let mut def = BackupDef::parse("<domainbackup/>").unwrap();
        assert_eq!(
            def.format(Default::default()),
            "<domainbackup mode='push'/>\n"
        );
        def.align_disks(&fake_domain(), "1700000000").unwrap();
        let out = def.format(Default::default());
        assert!(out.contains(
            "    <disk name='vda' backup='yes' type='file' backupmode='full'>\n      <target file='/fake/vda.qcow2.1700000000'/>\n    </disk>\n"
        ));
        assert!(
            out.contains("    <disk name='hda' backup='no'/>\n"),
            "{out}"
        );
        assert_eq!(def.disks.iter().filter(|d| d.backup).count(), 3);
    }

    #[test]
    fn pull_formats_server_and_scratch() {
        let mut def = BackupDef::parse(
            "<domainbackup mode='pull'><incremental>1525889631</incremental>\
             <server transport='tcp' tls='yes' name='localhost' port='10809'/><disks>\
             <disk name='vda' type='file' exportname='test-vda' exportbitmap='blah'><driver type='qcow2'/>\
             <scratch file='/path/to/file'><seclabel model='dac' relabel='no'/></scratch></disk>\
             <disk name='vdb' type='block'><driver type='qcow2'/><scratch dev='/dev/block'/></disk></disks></domainbackup>",
        )
        .unwrap();
        // Unlisted disks follow in the domain's disk order (virtio before ide).
        def.align_disks(&fake_domain(), "X").unwrap();
        assert_eq!(
            def.format(Default::default()),
            "<domainbackup mode='pull'>\n  <incremental>1525889631</incremental>\n  \
             <server transport='tcp' tls='yes' name='localhost' port='10809'/>\n  <disks>\n    \
             <disk name='vda' backup='yes' type='file' backupmode='incremental' incremental='1525889631' exportname='test-vda' exportbitmap='blah'>\n      \
             <driver type='qcow2'/>\n      <scratch file='/path/to/file'>\n        <seclabel model='dac' relabel='no'/>\n      </scratch>\n    </disk>\n    \
             <disk name='vdb' backup='yes' type='block' backupmode='incremental' incremental='1525889631'>\n      \
             <driver type='qcow2'/>\n      <scratch dev='/dev/block'/>\n    </disk>\n    \
             <disk name='vdextradisk' backup='no'/>\n    <disk name='hda' backup='no'/>\n  </disks>\n</domainbackup>\n"
        );
    }

    #[test]
    fn unix_and_fd_servers() {
        let def = BackupDef::parse(
            "<domainbackup mode='pull'><server transport='unix' socket='/run/backup.sock'/></domainbackup>",
        )
        .unwrap();
        assert_eq!(
            def.format(Default::default()),
            "<domainbackup mode='pull'>\n  <server transport='unix' socket='/run/backup.sock'/>\n</domainbackup>\n"
        );
        // Newer libvirt's fd transport (libvirt 9.0's schema lacks it).
        let def = BackupDef::parse(
            "<domainbackup mode='pull'><server transport='fd' fdgroup='nbdfd'/></domainbackup>",
        )
        .unwrap();
        assert_eq!(
            def.format(Default::default()),
            "<domainbackup mode='pull'>\n  <server transport='fd' fdgroup='nbdfd'/>\n</domainbackup>\n"
        );
        assert!(BackupDef::parse(
            "<domainbackup mode='pull'><server transport='fd'/></domainbackup>"
        )
        .is_err());
    }

    #[test]
    fn alignment_errors() {
        let d = fake_domain();
        let align = |xml: &str| {
            let mut b = BackupDef::parse(xml).unwrap();
            b.align_disks(&d, "S").map(|_| b).map_err(|e| e.message)
        };
        assert_eq!(
            align("<domainbackup><disks><disk name='vdz' type='file'/></disks></domainbackup>")
                .unwrap_err(),
            "unsupported configuration: no disk named 'vdz'"
        );
        assert_eq!(
            align("<domainbackup><disks><disk name='vda' type='file'/><disk name='vda' type='file'/></disks></domainbackup>")
                .unwrap_err(),
            "unsupported configuration: disk 'vda' specified twice"
        );
        assert_eq!(
            align("<domainbackup><disks><disk name='vda' type='file' backupmode='incremental'/></disks></domainbackup>")
                .unwrap_err(),
            "unsupported configuration: 'incremental' backup mode of disk 'vda' requires setting 'incremental' field for disk or backup"
        );
        let blk = dom(
            "<disk type='block'><source dev='/dev/sdz'/><target dev='sda' bus='scsi'/></disk>\
                       <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>",
        );
        let mut b = BackupDef::parse(
            "<domainbackup><disks><disk name='sda' type='file'/></disks></domainbackup>",
        )
        .unwrap();
        assert_eq!(
            b.align_disks(&blk, "S").unwrap_err().message,
            "unsupported configuration: refusing to generate file name for disk 'sda'"
        );
        let mut b = BackupDef::parse(
            "<domainbackup><disks><disk name='hdc' type='file'/></disks></domainbackup>",
        )
        .unwrap();
        assert_eq!(
            b.align_disks(&blk, "S").unwrap_err().message,
            "unsupported configuration: disk 'hdc' has no media"
        );
        let none = dom("");
        let mut b = BackupDef::parse("<domainbackup/>").unwrap();
        assert_eq!(
            b.align_disks(&none, "S").unwrap_err().message,
            "unsupported configuration: domain must have at least one disk to perform backup"
        );
        // A per-disk checkpoint makes that disk incremental on its own.
        let b = align("<domainbackup><disks><disk name='vda' type='file' incremental='c0'/></disks></domainbackup>")
            .unwrap();
        assert_eq!(b.disks[0].backup_mode, DiskBackupMode::Incremental);
        assert_eq!(b.disks[0].incremental.as_deref(), Some("c0"));
    }

    #[test]
    fn internal_form_round_trips() {
        let xml = "<domainbackup mode='pull'>\n  <incremental>1525889631</incremental>\n  \
                   <server transport='tcp' tls='yes' name='localhost' port='10809'/>\n  <disks>\n    \
                   <disk name='vda' backup='yes' state='running' type='file' exportname='test-vda' exportbitmap='blah' index='3'>\n      \
                   <driver type='qcow2'/>\n      <scratch file='/path/to/file'>\n        <encryption format='luks'>\n          \
                   <secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/>\n        </encryption>\n      </scratch>\n    </disk>\n    \
                   <disk name='vdextradisk' backup='no'/>\n  </disks>\n  <privateData>\n    <objects>\n      \
                   <secret type='tlskey' alias='test-tlskey'/>\n      <TLSx509 alias='test-tlsobj'/>\n    </objects>\n  </privateData>\n</domainbackup>\n";
        let def = BackupDef::parse_with(xml, BackupParseFlags { internal: true }).unwrap();
        assert_eq!(def.disks[0].state, DiskBackupState::Running);
        assert_eq!(def.disks[0].index, Some(3));
        assert_eq!(def.format(BackupFormatOptions { internal: true }), xml);
        // The public form drops status-only parts.
        let public = def.format(Default::default());
        assert!(
            !public.contains("state=") && !public.contains("privateData"),
            "{public}"
        );
    }

    #[test]
    fn parse_errors_without_schema() {
        let p = |xml: &str| {
            BackupDef::parse_with(xml, BackupParseFlags { internal: true })
                .unwrap_err()
                .message
        };
        assert_eq!(
            p("<domainbackup mode='bogus'/>"),
            "unsupported configuration: unknown backup mode 'bogus'"
        );
        assert_eq!(
            p("<domainbackup><server name='x'/></domainbackup>"),
            "unsupported configuration: use of <server> requires pull mode backup"
        );
        assert_eq!(
            p("<domainbackup mode='pull'><server transport='rdma' name='x'/></domainbackup>"),
            "unsupported configuration: transport rdma is not supported for <server>"
        );
        assert_eq!(
            p("<domainbackup mode='pull'><server transport='unix' socket='rel'/></domainbackup>"),
            "XML error: backup socket path 'rel' must be absolute"
        );
        assert_eq!(
            p("<domainbackup mode='pull'><server name='x' tls='maybe'/></domainbackup>"),
            "XML error: Invalid value for attribute 'tls' in element 'server': 'maybe'."
        );
        assert_eq!(
            p("<domainbackup><disks><disk/></disks></domainbackup>"),
            "XML error: missing name from disk backup element"
        );
        assert_eq!(
            p("<domainbackup><disks><disk name='vda' state='running' type='dir'/></disks></domainbackup>"),
            "XML error: unsupported disk backup type 'dir'"
        );
        assert_eq!(
            p("<domainbackup><disks><disk name='vda' state='running' type='bogus'/></disks></domainbackup>"),
            "XML error: unknown storage source type 'bogus'"
        );
        assert_eq!(
            p("<domainbackup><disks><disk name='vda' backup='maybe'/></disks></domainbackup>"),
            "XML error: Invalid value for attribute 'backup' in element 'disk': 'maybe'."
        );
    }

    #[test]
    fn malformed_input_never_panics() {
        for s in [
            "",
            "<",
            "<domainbackup",
            "<domainbackup mode='pull'/>",
            "<domainbackup><disks><disk/></disks></domainbackup>",
            "<domainbackup mode='pull'><server/><disks><disk name='vda'><scratch/></disk></disks></domainbackup>",
        ] {
            let _ = BackupDef::parse(s);
            let _ = BackupDef::parse_with(s, BackupParseFlags { internal: true });
        }
    }
}
