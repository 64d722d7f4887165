//! Defaults, implicit devices and validation applied after parsing, in
//! libvirt's order: post-parse fixes first, then validation.

use super::disk::{assign_drive_address, default_bus};
use super::*;
use crate::error::{Error, ErrorCode, ErrorDomain};
use crate::model::xml::Node;
use std::collections::{HashMap, HashSet};

pub fn post_parse(def: &mut DomainDef) -> Result<()> {
    // Memory: NUMA cells can define it.
    let numa_total: u64 = numa_cells(def).iter().map(|(_, m)| m).sum();
    if numa_total > 0 {
        def.max_memory_kib = numa_total;
    }
    if def.max_memory_kib == 0 {
        return Err(Error::xml(
            "Memory size must be specified via <memory> or in the <numa> configuration",
        ));
    }
    if def.current_memory_kib == 0 || def.current_memory_kib > def.max_memory_kib {
        def.current_memory_kib = def.max_memory_kib;
    }
    if def.os_type == "exe" && def.os.init.is_none() {
        return Err(Error::xml("init binary must be specified"));
    }
    if def.vcpus_max == 0 {
        return Err(Error::internal("CPU IDs in <numa> exceed the <vcpu> count"));
    }
    if def.vcpu_placement == "auto" {
        def.vcpu_cpuset = None;
        if !def.sections.iter().any(|s| s.name == "numatune") {
            let mut mem = Element::new("memory");
            mem.push_attr("mode", "strict");
            mem.push_attr("placement", "auto");
            let mut nt = Element::new("numatune");
            nt.children.push(Node::Elem(mem));
            def.sections.push(nt);
        }
    }

    // Boot: hvm guests boot from disk unless told otherwise.
    let per_device_boot = def.disks.iter().any(|d| d.info.boot_order.is_some())
        || def.interfaces.iter().any(|n| n.info.boot_order.is_some())
        || def.other_devices.iter().any(|d| d.child("boot").is_some());
    if def.os_type == "hvm" && def.os.boot_devs.is_empty() && !per_device_boot {
        def.os.boot_devs.push("hd".into());
    }

    // Disks: bus defaults and drive addresses.
    for d in def.disks.iter_mut() {
        if d.target_bus.is_none() {
            d.target_bus = Some(default_bus(d).to_string());
        }
        assign_drive_address(d)?;
    }

    chardev_compat(def)?;

    // Controllers: number the unnumbered, then add the implicit ones.
    let mut present = ControllerSet::default();
    for c in def.controllers.iter().filter(|c| c.index != u32::MAX) {
        present.insert(&c.ctype, c.index);
    }
    // The first index no controller of a type uses only grows as they are
    // numbered, so each type's search carries on where it stopped.
    let mut first_free: HashMap<String, u32> = HashMap::new();
    for c in def.controllers.iter_mut().filter(|c| c.index == u32::MAX) {
        let idx = first_free.entry(c.ctype.clone()).or_insert(0);
        while present.contains(&c.ctype, *idx) {
            *idx += 1;
        }
        c.index = *idx;
        present.insert(&c.ctype, *idx);
    }
    scsi_hostdev_addresses(def);
    for (ctype, bus) in [
        ("scsi", "scsi"),
        ("fdc", "fdc"),
        ("ide", "ide"),
        ("sata", "sata"),
    ] {
        let max = def
            .disks
            .iter()
            .filter(|d| d.target_bus.as_deref() == Some(bus))
            .filter_map(|d| {
                d.info
                    .address
                    .as_ref()
                    .filter(|a| a.kind == "drive")
                    .and_then(|a| a.num("controller"))
            })
            .max();
        let max = if ctype == "scsi" {
            let hd = def
                .other_devices
                .iter()
                .filter(|d| d.name == "hostdev" && d.attr("type") == Some("scsi"))
                .filter_map(|d| d.child("address"))
                .filter(|a| a.attr("type") == Some("drive"))
                .filter_map(|a| {
                    a.attr("controller")
                        .and_then(crate::model::units::parse_u64)
                })
                .max();
            max.max(hd)
        } else {
            max
        };
        if let Some(max) = max {
            // libvirt adds every index up to the highest one in use, one
            // controller each; past a bound that is a mistake, not a machine.
            if max >= MAX_IMPLICIT_CONTROLLERS {
                return Err(Error::config_unsupported(format!(
                    "a drive address on {ctype} controller {max} would need {} implicit {ctype} controllers; virtsh adds at most {MAX_IMPLICIT_CONTROLLERS}",
                    max as u128 + 1
                )));
            }
            for idx in 0..=max as u32 {
                add_controller(def, &mut present, ctype, idx);
            }
        }
    }
    let wants_virtio_serial = def
        .channels
        .iter()
        .any(|c| c.target_type.as_deref() == Some("virtio"))
        || def
            .consoles
            .iter()
            .any(|c| c.target_type.as_deref() == Some("virtio"));
    if wants_virtio_serial && !def.controllers.iter().any(|c| c.ctype == "virtio-serial") {
        add_controller(def, &mut present, "virtio-serial", 0);
    }
    smartcard_ccid(def, &mut present);

    // Video: graphics imply a display adapter.
    if def.videos.is_empty() && !def.graphics.is_empty() {
        def.videos.push(Video {
            model: "default".into(),
            ram: None,
            vram: None,
            vram64: None,
            vgamem: None,
            heads: None,
            primary: false,
            blob: None,
            model_extra: vec![],
            driver: None,
            info: DeviceInfo::default(),
        });
    }
    let default_video = if matches!(def.os_type.as_str(), "xen" | "linux" | "xenpvh") {
        "xen"
    } else {
        "cirrus"
    };
    for v in def.videos.iter_mut() {
        devices::video_defaults(v, default_video);
    }

    validate(def)
}

/// `(id, KiB)` of each `<cpu><numa><cell>`.
fn numa_cells(def: &DomainDef) -> Vec<(String, u64)> {
    let Some(cpu) = def.sections.iter().find(|s| s.name == "cpu") else {
        return vec![];
    };
    let Some(numa) = cpu.child("numa") else {
        return vec![];
    };
    numa.children_named("cell")
        .map(|c| {
            (
                c.attr("id").unwrap_or("").to_string(),
                c.attr("memory")
                    .and_then(crate::model::units::parse_u64)
                    .unwrap_or(0),
            )
        })
        .collect()
}

/// How many controllers of one type the drive addresses of a definition may
/// imply. The oracle adds 67,894 SCSI controllers for a disk named `sdzzzz`
/// (in seconds) and never finishes the 45 million of `sdzzzzz`.
const MAX_IMPLICIT_CONTROLLERS: u64 = 1 << 17;

/// The indexes of the controllers a definition has, by type.
#[derive(Default)]
struct ControllerSet(HashMap<String, HashSet<u32>>);

impl ControllerSet {
    fn contains(&self, ctype: &str, index: u32) -> bool {
        self.0.get(ctype).is_some_and(|used| used.contains(&index))
    }
    fn insert(&mut self, ctype: &str, index: u32) -> bool {
        match self.0.get_mut(ctype) {
            Some(used) => used.insert(index),
            None => {
                self.0.insert(ctype.to_string(), HashSet::from([index]));
                true
            }
        }
    }
}

fn add_controller(def: &mut DomainDef, present: &mut ControllerSet, ctype: &str, index: u32) {
    if !present.insert(ctype, index) {
        return;
    }
    def.controllers.push(Controller {
        ctype: ctype.into(),
        index,
        model: None,
        attrs: vec![],
        info: DeviceInfo::default(),
        extra: vec![],
    });
}

/// SCSI host devices take the first free unit on the SCSI buses.
fn scsi_hostdev_addresses(def: &mut DomainDef) {
    let mut used: HashSet<(u64, u64)> = def
        .disks
        .iter()
        .filter(|d| d.target_bus.as_deref() == Some("scsi"))
        .filter_map(|d| d.info.address.as_ref())
        .filter(|a| a.kind == "drive")
        .map(|a| (a.num("controller").unwrap_or(0), a.num("unit").unwrap_or(0)))
        .collect();
    let mut slot = (0, 0);
    for d in def.other_devices.iter_mut() {
        if d.name != "hostdev" || d.attr("type") != Some("scsi") || d.child("address").is_some() {
            continue;
        }
        // Free slots are taken in order, so the search resumes at the last.
        while used.contains(&slot) {
            slot.1 += 1;
            if slot.1 >= 7 {
                slot = (slot.0 + 1, 0);
            }
        }
        used.insert(slot);
        let a = Address::drive(slot.0 as u32, 0, 0, slot.1 as u32);
        d.children.push(Node::Elem(a.to_element()));
    }
}

/// Smartcards sit on a CCID controller; libvirt adds one and addresses them.
fn smartcard_ccid(def: &mut DomainDef, present: &mut ControllerSet) {
    let mut slot = 0;
    let mut any = false;
    for d in def
        .other_devices
        .iter_mut()
        .filter(|d| d.name == "smartcard")
    {
        any = true;
        if d.child("address").is_none() {
            let mut a = Element::new("address");
            a.push_attr("type", "ccid");
            a.push_attr("controller", "0");
            a.push_attr("slot", slot.to_string());
            d.children.push(Node::Elem(a));
            slot += 1;
        }
    }
    if any {
        add_controller(def, present, "ccid", 0);
    }
}

/// libvirt keeps the first console and the first serial port in step: a
/// serial console mirrors serial 0, a lone serial gets a console.
fn chardev_compat(def: &mut DomainDef) -> Result<()> {
    for c in def.consoles.iter().skip(1) {
        if c.target_type.is_none() || c.target_type.as_deref() == Some("serial") {
            return Err(Error::config_unsupported(
                "Only the first console can be a serial port",
            ));
        }
    }
    if def.os_type != "hvm" {
        // Only HVM guests pair consoles with serial ports.
        if let Some(c) = def.consoles.first_mut() {
            if c.target_type.is_none() {
                c.target_type = Some("serial".into());
            }
        }
        return Ok(());
    }
    let first_is_serial = def
        .consoles
        .first()
        .is_some_and(|c| c.target_type.is_none() || c.target_type.as_deref() == Some("serial"));
    if first_is_serial {
        if def.serials.is_empty() {
            let mut s = def.consoles[0].clone();
            s.target_type = None;
            s.target_port = Some(0);
            def.serials.push(s);
        }
        let mut c = def.serials[0].clone();
        c.target_type = Some("serial".into());
        c.target_model = None;
        c.info = def.consoles[0].info.clone();
        def.consoles[0] = c;
    } else if !def.serials.is_empty() {
        let mut c = def.serials[0].clone();
        c.target_type = Some("serial".into());
        c.target_model = None;
        def.consoles.insert(0, c);
    }
    Ok(())
}

fn validate(def: &mut DomainDef) -> Result<()> {
    // Per device.
    for d in &def.disks {
        let needs_source = d.device != "cdrom" && d.device != "floppy";
        let has_source = d.source.is_some()
            || d.source_elem
                .as_ref()
                .is_some_and(|s| !s.attrs.is_empty() && d.disk_type != "network");
        if needs_source && !has_source && !(d.disk_type == "network" && d.source_elem.is_some()) {
            return Err(Error::raw(
                ErrorCode::from_number(19),
                ErrorDomain::Domain,
                format!("missing source information for device {}", d.target_dev),
            ));
        }
        if d.device == "floppy" && !d.target_dev.starts_with("fd") {
            return Err(Error::internal(format!(
                "Invalid floppy device name: {}",
                d.target_dev
            )));
        }
        if d.device != "floppy" && d.target_dev.starts_with("fd") {
            return Err(Error::internal(format!(
                "Invalid harddisk device name: {}",
                d.target_dev
            )));
        }
    }
    let mut seen: HashSet<(&str, u32)> = HashSet::new();
    for c in &def.controllers {
        if !seen.insert((&c.ctype, c.index)) {
            return Err(Error::xml(format!(
                "Multiple '{}' controllers with index '{}'",
                c.ctype, c.index
            )));
        }
    }
    let none_videos = def.videos.iter().filter(|v| v.model == "none").count();
    if none_videos > 0 && def.videos.len() > 1 {
        return Err(Error::config_unsupported(
            "a 'none' video type must be the only video device defined for the domain",
        ));
    }
    if def.videos.iter().filter(|v| v.primary).count() > 1 {
        return Err(Error::config_unsupported(
            "Only one primary video device is supported",
        ));
    }
    if !def.videos.iter().any(|v| v.primary) {
        if let Some(v) = def.videos.iter_mut().find(|v| v.model != "none") {
            v.primary = true;
        }
    }

    // Whole definition.
    let per_device_boot = def.disks.iter().any(|d| d.info.boot_order.is_some())
        || def.interfaces.iter().any(|n| n.info.boot_order.is_some());
    if per_device_boot && !def.os.boot_devs.is_empty() {
        return Err(Error::config_unsupported(
            "per-device boot elements cannot be used together with os/boot elements",
        ));
    }
    let mut orders: HashSet<u32> = HashSet::new();
    for o in def
        .disks
        .iter()
        .filter_map(|d| d.info.boot_order)
        .chain(def.interfaces.iter().filter_map(|n| n.info.boot_order))
    {
        if !orders.insert(o) {
            return Err(Error::config_unsupported(format!(
                "boot order '{o}' used for more than one device"
            )));
        }
    }
    if let Some((i, j)) = first_repeat(def.disks.iter().map(|d| Some(&d.target_dev))) {
        let (a, b) = (&def.disks[i], &def.disks[j]);
        return Err(Error::xml(format!(
            "target '{}' duplicated for disk sources '{}' and '{}'",
            a.target_dev,
            a.source.as_deref().unwrap_or("<null>"),
            b.source.as_deref().unwrap_or("<null>")
        )));
    }
    let drive_slots = def.disks.iter().map(|d| {
        let a = d.info.address.as_ref().filter(|x| x.kind == "drive")?;
        Some((a, &d.target_bus))
    });
    if let Some((i, _)) = first_repeat(drive_slots) {
        let a = &def.disks[i];
        let aa = a.info.address.as_ref().expect("a drive address");
        return Err(Error::config_unsupported(format!(
            "Found duplicate drive address for disk with target name '{}' controller='{}' bus='{}' target='{}' unit='{}'",
            a.target_dev,
            aa.get("controller").unwrap_or("0"),
            aa.get("bus").unwrap_or("0"),
            aa.get("target").unwrap_or("0"),
            aa.get("unit").unwrap_or("0")
        )));
    }
    if def.name.contains('/') {
        return Err(Error::xml(format!("name {} cannot contain '/'", def.name)));
    }
    Ok(())
}

/// The pair libvirt's check of every item against every later one reports
/// first: the earliest item that has a later equal, and that later one's
/// first occurrence (`None` keys are never compared).
fn first_repeat<K: std::hash::Hash + Eq>(
    keys: impl Iterator<Item = Option<K>>,
) -> Option<(usize, usize)> {
    let mut first_seen: HashMap<K, (usize, Option<usize>)> = HashMap::new();
    for (j, key) in keys.enumerate() {
        if let Some(key) = key {
            let entry = first_seen.entry(key).or_insert((j, None));
            if entry.0 != j && entry.1.is_none() {
                entry.1 = Some(j);
            }
        }
    }
    first_seen
        .into_values()
        .filter_map(|(i, j)| Some((i, j?)))
        .min()
}
