//! `<disk>`: parse, insertion order, drive addresses, format.

use super::parse::bad_enum_attr;
use super::*;
use crate::error::{Error, ErrorCode, ErrorDomain};
use crate::model::canon::{canon_child, spec, write};
use crate::model::xml::{Node, Out};

const DISK_TYPES: &[&str] = &[
    "block",
    "file",
    "dir",
    "network",
    "volume",
    "nvme",
    "vhostuser",
];
const DISK_DEVICES: &[&str] = &["disk", "cdrom", "floppy", "lun"];
const DISK_BUSES: &[&str] = &[
    "ide", "fdc", "scsi", "virtio", "xen", "usb", "uml", "sata", "sd",
];
const CACHE_MODES: &[&str] = &[
    "default",
    "none",
    "writethrough",
    "writeback",
    "directsync",
    "unsafe",
];
const PROTOCOLS: &[&str] = &[
    "nbd", "rbd", "sheepdog", "gluster", "iscsi", "http", "https", "ftp", "ftps", "tftp", "ssh",
    "vxhs", "nfs",
];

/// The port libvirt fills in for a network host without one.
fn default_port(protocol: &str) -> Option<u32> {
    Some(match protocol {
        "nbd" => 10809,
        "sheepdog" => 7000,
        "gluster" => 24007,
        "iscsi" => 3260,
        "http" => 80,
        "https" => 443,
        "ftp" => 21,
        "ftps" => 990,
        "tftp" => 69,
        "ssh" => 22,
        "vxhs" => 9999,
        _ => return None,
    })
}

/// The attribute of `<source>` that holds a disk's main source, by type.
fn source_attr(disk_type: &str) -> Option<&'static str> {
    match disk_type {
        "file" => Some("file"),
        "block" => Some("dev"),
        "dir" => Some("dir"),
        "network" => Some("name"),
        _ => None,
    }
}

/// libvirt's `virDiskNameToIndex`: `vda` → 0, `sdaa` → 26; `None` if the
/// name has no known prefix or a malformed suffix.
pub fn disk_name_to_index(name: &str) -> Option<u32> {
    let rest = ["fd", "hd", "vd", "sd", "xvd", "ubd"]
        .iter()
        .find_map(|p| name.strip_prefix(p))?;
    let letters: String = rest
        .chars()
        .take_while(|c| c.is_ascii_lowercase())
        .collect();
    if letters.is_empty() {
        return None;
    }
    let tail = &rest[letters.len()..];
    if !tail.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // libvirt computes the index in a C int that wraps: a long name may
    // come round to a usable number, or to a negative one, which is none.
    let mut idx: i32 = 0;
    for (i, c) in letters.bytes().enumerate() {
        let v = i32::from(c - b'a');
        let carried = if i == 0 { idx } else { idx.wrapping_add(1) };
        idx = carried.wrapping_mul(26).wrapping_add(v);
    }
    u32::try_from(idx).ok()
}

pub fn parse_disk(e: &Element) -> Result<Disk> {
    let disk_type = e.attr("type").unwrap_or("file");
    if !DISK_TYPES.contains(&disk_type) {
        return Err(bad_enum_attr("type", "disk", disk_type));
    }
    let device = e.attr("device").unwrap_or("disk");
    if !DISK_DEVICES.contains(&device) {
        return Err(bad_enum_attr("device", "disk", device));
    }
    let mut disk_attrs = Vec::new();
    for a in ["model", "rawio", "sgio", "snapshot"] {
        if let Some(v) = e.attr(a) {
            disk_attrs.push((a.to_string(), v.to_string()));
        }
    }

    let mut driver = canon_child(e, "driver", "disk/driver")?;
    let mut driver_name = None;
    let mut driver_type = None;
    if let Some(d) = driver.as_mut() {
        if let Some(c) = d.attr("cache") {
            if !CACHE_MODES.contains(&c) {
                return Err(bad_enum_attr("cache", "driver", c));
            }
        }
        driver_name = d.attr("name").map(str::to_string);
        driver_type = d.attr("type").map(str::to_string);
        d.attrs.retain(|(k, _)| k != "name" && k != "type");
    }

    // <source>
    let mut source = None;
    let mut source_elem = None;
    if let Some(s) = e.child("source") {
        let mut se = Element::new("source");
        match disk_type {
            "network" => {
                let Some(proto) = s.attr("protocol") else {
                    return Err(Error::xml(
                        "Missing required attribute 'protocol' in element 'source'",
                    ));
                };
                if !PROTOCOLS.contains(&proto) {
                    return Err(bad_enum_attr("protocol", "source", proto));
                }
                se.push_attr("protocol", proto);
                for a in ["name", "query", "tls", "tlsHostname"] {
                    if let Some(v) = s.attr(a) {
                        se.push_attr(a, v);
                    }
                }
                for h in s.children_named("host") {
                    let mut he = Element::new("host");
                    let transport = h.attr("transport");
                    if let Some(t) = transport.filter(|t| *t != "tcp") {
                        he.push_attr("transport", t);
                    }
                    if let Some(n) = h.attr("name") {
                        he.attrs.insert(0, ("name".into(), n.into()));
                    }
                    if transport == Some("unix") {
                        if let Some(sock) = h.attr("socket") {
                            he.push_attr("socket", sock);
                        }
                    } else {
                        let port = h
                            .attr("port")
                            .map(str::to_string)
                            .or_else(|| default_port(proto).map(|p| p.to_string()));
                        if let Some(p) = port {
                            let at = if h.attr("name").is_some() { 1 } else { 0 };
                            he.attrs.insert(at, ("port".into(), p));
                        }
                    }
                    se.children.push(Node::Elem(he));
                }
                for (n, sp) in [("snapshot", "snapshot[name]"), ("config", "config[file]")] {
                    if let Some(c) = s.child(n) {
                        se.children
                            .push(Node::Elem(crate::model::canon::Spec::parse(sp).canon(c)?));
                    }
                }
            }
            "volume" => {
                for a in ["pool", "volume", "mode"] {
                    if let Some(v) = s.attr(a) {
                        se.push_attr(a, v);
                    }
                }
            }
            "nvme" => {
                for a in ["type", "managed", "namespace"] {
                    if let Some(v) = s.attr(a) {
                        se.push_attr(a, v);
                    }
                }
                if let Some(a) = s.child("address") {
                    se.children.push(Node::Elem(address::host_pci_element(a)?));
                }
            }
            "vhostuser" => {
                for a in ["type", "path"] {
                    if let Some(v) = s.attr(a) {
                        se.push_attr(a, v);
                    }
                }
            }
            t => {
                let attr = source_attr(t).expect("file/block/dir");
                if let Some(v) = s.attr(attr).filter(|v| !v.is_empty()) {
                    se.push_attr(attr, v);
                }
            }
        }
        if let Some(p) = s.attr("startupPolicy") {
            se.push_attr("startupPolicy", p);
        }
        // Children common to every source type.
        for c in s.elements() {
            let keep = match c.name.as_str() {
                "auth" if disk_type == "network" => Some(spec("disk/auth").canon(c)?),
                "encryption" => Some(spec("encryption").canon(c)?),
                "seclabel" => Some(spec("seclabel_dev").canon(c)?),
                "reservations" | "initiator" | "slices" | "ssl" | "cookies" | "readahead"
                | "timeout" | "reconnect" => Some(c.clone()),
                _ => None,
            };
            if let Some(k) = keep {
                se.children.push(Node::Elem(k));
            }
        }
        source = match disk_type {
            "network" | "file" | "block" | "dir" => se
                .attr(source_attr(disk_type).unwrap_or("name"))
                .map(str::to_string),
            _ => None,
        };
        if !se.attrs.is_empty() || !se.children.is_empty() {
            source_elem = Some(se);
        }
    }

    // <target>
    let target = e.child("target");
    let target_dev = target.and_then(|t| t.attr("dev")).unwrap_or("");
    if target_dev.is_empty() {
        return Err(Error::raw(
            ErrorCode::from_number(20),
            ErrorDomain::Domain,
            format!(
                "missing target information for device {}",
                source.as_deref().unwrap_or("(null)")
            ),
        ));
    }
    let mut target_bus = target.and_then(|t| t.attr("bus")).map(str::to_string);
    if let Some(b) = &target_bus {
        if !DISK_BUSES.contains(&b.as_str()) {
            return Err(bad_enum_attr("bus", "target", b));
        }
    }
    let mut target_attrs = Vec::new();
    if let Some(t) = target {
        if let Some(tray) = t.attr("tray") {
            if device != "cdrom" && device != "floppy" {
                return Err(Error::config_unsupported(
                    "tray is only valid for cdrom and floppy",
                ));
            }
            target_attrs.push(("tray".into(), tray.into()));
        }
        if let Some(r) = t.attr("removable") {
            if target_bus.as_deref() != Some("usb") && target_bus.as_deref() != Some("scsi") {
                return Err(Error::xml("removable is only valid for usb disks"));
            }
            target_attrs.push(("removable".into(), r.into()));
        }
        if let Some(r) = t.attr("rotation_rate") {
            target_attrs.push(("rotation_rate".into(), r.into()));
        }
    }

    let mut extra = Vec::new();
    for (n, k) in [
        ("auth", "disk/auth"),
        ("backingStore", "disk/backingStore"),
        ("geometry", "disk/geometry"),
        ("blockio", "disk/blockio"),
        ("iotune", "disk/iotune"),
        ("encryption", "encryption"),
    ] {
        if let Some(x) = canon_child(e, n, k)? {
            if n == "backingStore" {
                extra.push(strip_backing_index(x));
            } else if n != "iotune" || !x.children.is_empty() {
                extra.push(x);
            }
        }
    }

    let transient_el = e.child("transient");
    let info = DeviceInfo::parse(e, false)?;
    // Removable media with no source is an empty drive, which libvirt
    // records as a file disk whatever type was written.
    let disk_type = if source_elem.is_none() && matches!(device, "cdrom" | "floppy") {
        "file"
    } else {
        disk_type
    };
    let mut d = Disk {
        disk_type: disk_type.to_string(),
        device: device.to_string(),
        source,
        target_dev: target_dev.to_string(),
        target_bus: None,
        driver_type,
        driver_name,
        driver: driver.filter(|d| !d.attrs.is_empty() || !d.children.is_empty()),
        disk_attrs,
        source_elem,
        target_attrs,
        readonly: e.child("readonly").is_some() || device == "cdrom",
        shareable: e.child("shareable").is_some(),
        transient: transient_el.is_some(),
        transient_share_backing: transient_el
            .and_then(|t| t.attr("shareBacking"))
            .map(str::to_string),
        serial: e.child_text("serial").filter(|s| !s.is_empty()),
        wwn: e.child_text("wwn").filter(|s| !s.is_empty()),
        vendor: e.child_text("vendor").filter(|s| !s.is_empty()),
        product: e.child_text("product").filter(|s| !s.is_empty()),
        info,
        extra,
    };
    // Keep the parse-time bus (None when absent) for insertion ordering;
    // post-parse fills in the default.
    d.target_bus = target_bus.take();
    Ok(d)
}

fn strip_backing_index(mut e: Element) -> Element {
    e.attrs.retain(|(k, _)| k != "index");
    for n in e.children.iter_mut() {
        if let Node::Elem(c) = n {
            if c.name == "backingStore" {
                *c = strip_backing_index(std::mem::take(c));
            } else if c.name == "source" {
                c.attrs.retain(|(k, _)| k != "index");
            }
        }
    }
    e
}

/// The bus libvirt picks from the device kind and target name prefix.
pub fn default_bus(d: &Disk) -> &'static str {
    if d.device == "floppy" {
        return "fdc";
    }
    let t = d.target_dev.as_str();
    if t.starts_with("hd") {
        "ide"
    } else if t.starts_with("sd") {
        "scsi"
    } else if t.starts_with("vd") {
        "virtio"
    } else if t.starts_with("xvd") {
        "xen"
    } else if t.starts_with("ubd") {
        "uml"
    } else {
        "ide"
    }
}

/// The drive address libvirt assigns from the target index, by bus.
pub fn assign_drive_address(d: &mut Disk) -> Result<()> {
    if d.info.address.is_some() {
        return Ok(());
    }
    // Every disk without an address needs a name libvirt can number,
    // whatever its bus.
    let Some(idx) = disk_name_to_index(&d.target_dev) else {
        return Err(Error::xml(format!(
            "Unknown disk name '{}' and no address specified",
            d.target_dev
        )));
    };
    let bus = d.target_bus.as_deref().unwrap_or("");
    let per: Option<(u32, u32)> = match bus {
        // (units per controller, units per bus)
        "ide" => Some((4, 2)),
        "fdc" => Some((2, 2)),
        "scsi" => Some((7, 7)),
        "sata" => Some((6, 6)),
        _ => None,
    };
    let Some((per_ctrl, per_bus)) = per else {
        return Ok(());
    };
    let ctrl = idx / per_ctrl;
    let within = idx % per_ctrl;
    d.info.address = Some(Address::drive(ctrl, within / per_bus, 0, within % per_bus));
    Ok(())
}

pub fn format_disk(out: &mut Out, d: &Disk) {
    let mut t = out
        .open("disk")
        .attr("type", &d.disk_type)
        .attr("device", &d.device);
    for (k, v) in &d.disk_attrs {
        t = t.attr(k, v);
    }
    t.start();

    let mut drv = Element::new("driver");
    if let Some(n) = &d.driver_name {
        drv.push_attr("name", n.clone());
    }
    if let Some(ty) = &d.driver_type {
        drv.push_attr("type", ty.clone());
    }
    if let Some(x) = &d.driver {
        drv.attrs.extend(x.attrs.iter().cloned());
        drv.children = x.children.clone();
    }
    if !drv.attrs.is_empty() || !drv.children.is_empty() {
        write(out, &drv);
    }
    let extra = |out: &mut Out, name: &str| {
        for x in d.extra.iter().filter(|x| x.name == name) {
            write(out, x);
        }
    };
    extra(out, "auth");
    if let Some(s) = source_element(d) {
        write(out, &s);
    }
    extra(out, "backingStore");
    extra(out, "geometry");
    extra(out, "blockio");
    let mut t = out.open("target").attr("dev", &d.target_dev);
    if let Some(b) = &d.target_bus {
        t = t.attr("bus", b);
    }
    for (k, v) in &d.target_attrs {
        t = t.attr(k, v);
    }
    t.empty();
    extra(out, "iotune");
    if d.readonly {
        out.line("<readonly/>");
    }
    if d.shareable {
        out.line("<shareable/>");
    }
    if d.transient {
        out.open("transient")
            .attr_opt("shareBacking", d.transient_share_backing.as_deref())
            .empty();
    }
    if let Some(s) = &d.serial {
        out.text_elem("serial", s);
    }
    if let Some(s) = &d.wwn {
        out.text_elem("wwn", s);
    }
    if let Some(s) = &d.vendor {
        out.text_elem("vendor", s);
    }
    if let Some(s) = &d.product {
        out.text_elem("product", s);
    }
    extra(out, "encryption");
    d.info.write(out, true, false);
    out.close("disk");
}

/// The `<source>` element with the main attribute taken from `d.source`.
fn source_element(d: &Disk) -> Option<Element> {
    let attr = source_attr(&d.disk_type);
    let mut s = d
        .source_elem
        .clone()
        .unwrap_or_else(|| Element::new("source"));
    if let Some(a) = attr {
        let pos = s.attrs.iter().position(|(k, _)| k == a);
        match (&d.source, pos) {
            (Some(v), Some(i)) => s.attrs[i].1 = v.clone(),
            (Some(v), None) => {
                let at = if d.disk_type == "network" {
                    1.min(s.attrs.len())
                } else {
                    0
                };
                s.attrs.insert(at, (a.to_string(), v.clone()));
            }
            (None, Some(i)) if d.disk_type != "network" => {
                s.attrs.remove(i);
            }
            _ => {}
        }
    }
    if s.attrs.is_empty() && s.children.is_empty() {
        None
    } else {
        Some(s)
    }
}
