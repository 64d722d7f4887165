//! `<domain>` documents.
//!
//! `DomainDef::parse` reads what a user may write and fills in the defaults
//! libvirt's test driver fills in; `DomainDef::format` writes it back the
//! way `virsh dumpxml` prints it, byte for byte. Parts virtsh never acts on
//! are kept as canonical element trees (see `canon.rs`), so they round-trip
//! in libvirt's order while unknown elements are dropped as libvirt drops them.

pub mod address;
mod chr;
mod devices;
mod disk;
mod format;
mod kin_order;
mod net;
mod parse;
mod postparse;
pub mod testns;

pub use address::{Address, DeviceInfo};
pub use testns::TestNamespace;

use crate::error::Result;
use crate::model::xml::{Element, Out};
use uuid::Uuid;

/// A domain definition. Fields the API and drivers act on are typed; the
/// formatter writes them back in libvirt's canonical order.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainDef {
    /// The `type` attribute of `<domain>` (`test`, `kvm`, `qemu`).
    pub virt_type: String,
    pub name: String,
    pub uuid: Uuid,
    pub title: Option<String>,
    pub description: Option<String>,
    /// `<memory>` in KiB.
    pub max_memory_kib: u64,
    /// `<currentMemory>` in KiB.
    pub current_memory_kib: u64,
    /// `<vcpu>` value (the maximum).
    pub vcpus_max: u32,
    /// `<vcpu current=…>`, equal to `vcpus_max` when absent.
    pub vcpus_current: u32,
    pub os_type: String,
    pub arch: String,
    pub disks: Vec<Disk>,
    pub interfaces: Vec<Interface>,
    pub has_memballoon: bool,

    /// `<genid>`, as printed.
    pub genid: Option<String>,
    /// Children of `<metadata>` (one per namespace, as libvirt keeps
    /// them); `Some(vec![])` prints `<metadata/>`.
    pub metadata: Option<Vec<Element>>,
    /// `<maxMemory slots=…>` for memory hotplug.
    pub max_memory: Option<MaxMemory>,
    /// `<memory dumpCore=…>`
    pub dump_core: Option<String>,
    /// `static` or `auto`.
    pub vcpu_placement: String,
    pub vcpu_cpuset: Option<String>,
    pub iothreads: Option<u32>,
    pub bootloader: Option<String>,
    pub bootloader_args: Option<String>,
    pub os: Os,
    pub clock: Clock,
    pub on_poweroff: String,
    pub on_reboot: String,
    pub on_crash: String,
    pub on_lockfailure: Option<String>,
    /// Top-level sections kept canonically: blkiotune, memtune,
    /// memoryBacking, vcpus, iothreadids, cputune, numatune, resource,
    /// sysinfo, idmap, features, cpu, pm, perf, seclabel, keywrap,
    /// launchSecurity. Written in libvirt's order by element name.
    pub sections: Vec<Element>,

    pub emulator: Option<String>,
    pub controllers: Vec<Controller>,
    pub serials: Vec<Chardev>,
    pub parallels: Vec<Chardev>,
    pub consoles: Vec<Chardev>,
    pub channels: Vec<Chardev>,
    pub inputs: Vec<Input>,
    pub graphics: Vec<Graphics>,
    pub videos: Vec<Video>,
    /// `<memballoon>`, canonical; `None` with `has_memballoon` set means a
    /// plain virtio balloon.
    pub memballoon: Option<Element>,
    /// Other devices, canonical, by element name (written in libvirt's
    /// device order: lease, filesystem, smartcard, tpm, sound, audio,
    /// hostdev, redirdev, redirfilter, hub, watchdog, rng, panic, shmem,
    /// memory, iommu, vsock, crypto).
    pub other_devices: Vec<Element>,

    /// `<test:…>` elements of the test driver's namespace, never printed.
    pub test_ns: Option<TestNamespace>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaxMemory {
    pub kib: u64,
    pub slots: u32,
}

/// `<os>`
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Os {
    pub firmware: Option<String>,
    pub machine: Option<String>,
    /// `<loader>`, canonical.
    pub loader: Option<Element>,
    pub nvram: Option<Element>,
    /// `<firmware>` feature list under `<os>`, canonical.
    pub firmware_features: Option<Element>,
    /// `hd`, `cdrom`, `fd`, `network` in order (at most 4).
    pub boot_devs: Vec<String>,
    pub bootmenu_enable: Option<String>,
    pub bootmenu_timeout: Option<u32>,
    pub bios_useserial: Option<String>,
    pub bios_reboot_timeout: Option<i32>,
    pub smbios_mode: Option<String>,
    pub kernel: Option<String>,
    pub initrd: Option<String>,
    pub cmdline: Option<String>,
    pub dtb: Option<String>,
    pub root: Option<String>,
    pub acpi: Option<Element>,
    pub init: Option<String>,
    pub init_args: Vec<String>,
    pub init_env: Vec<(String, String)>,
    pub init_dir: Option<String>,
    pub init_user: Option<String>,
    pub init_group: Option<String>,
}

/// `<clock>`
#[derive(Debug, Clone, PartialEq)]
pub struct Clock {
    /// `utc`, `localtime`, `timezone`, `variable`, `absolute`.
    pub offset: String,
    pub timezone: Option<String>,
    pub adjustment: Option<String>,
    pub basis: Option<String>,
    pub start: Option<String>,
    pub timers: Vec<Element>,
}

impl Default for Clock {
    fn default() -> Clock {
        Clock {
            offset: "utc".into(),
            timezone: None,
            adjustment: None,
            basis: None,
            start: None,
            timers: vec![],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Disk {
    /// `file`, `block`, `network`, `dir`, `volume`
    pub disk_type: String,
    /// `disk`, `cdrom`, `floppy`, `lun`
    pub device: String,
    /// The source path (file, dev, dir) or network name; `None` when empty.
    pub source: Option<String>,
    pub target_dev: String,
    pub target_bus: Option<String>,
    pub driver_type: Option<String>,

    pub driver_name: Option<String>,
    /// Other `<driver>` attributes/children, canonical (name/type come from
    /// the fields above).
    pub driver: Option<Element>,
    /// `model`, `rawio`, `sgio`, `snapshot` attributes of `<disk>`.
    pub disk_attrs: Vec<(String, String)>,
    /// The full `<source>` element, canonical; its path attribute is
    /// rewritten from `source` when formatting.
    pub source_elem: Option<Element>,
    /// `tray`, `removable`, `rotation_rate` of `<target>`.
    pub target_attrs: Vec<(String, String)>,
    pub readonly: bool,
    pub shareable: bool,
    pub transient: bool,
    pub transient_share_backing: Option<String>,
    pub serial: Option<String>,
    pub wwn: Option<String>,
    pub vendor: Option<String>,
    pub product: Option<String>,
    pub info: DeviceInfo,
    /// auth, backingStore, geometry, blockio, iotune, encryption: canonical.
    pub extra: Vec<Element>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Interface {
    /// `network`, `bridge`, `user`, `direct`, `ethernet`, …
    pub iface_type: String,
    pub mac: String,
    /// network name, bridge name or device, by type
    pub source: Option<String>,
    pub model: Option<String>,
    pub target_dev: Option<String>,

    /// `managed` / `trustGuestRxFilters` attributes of `<interface>`.
    pub iface_attrs: Vec<(String, String)>,
    /// `<mac type= check=>` extra attributes.
    pub mac_attrs: Vec<(String, String)>,
    /// The full `<source>` element, canonical; its main attribute is
    /// rewritten from `source` when formatting.
    pub source_elem: Option<Element>,
    /// `<target managed=…>`
    pub target_managed: Option<String>,
    pub info: DeviceInfo,
    /// vlan, virtualport, bandwidth, ip, route, script, guest, driver,
    /// backend, filterref, tune, teaming, link, mtu, coalesce: canonical.
    pub extra: Vec<Element>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Controller {
    pub ctype: String,
    pub index: u32,
    pub model: Option<String>,
    /// ports, vectors, maxGrantFrames, maxEventChannels
    pub attrs: Vec<(String, String)>,
    pub info: DeviceInfo,
    /// model name, target, driver, pcihole64: canonical.
    pub extra: Vec<Element>,
}

/// serial, parallel, console or channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Chardev {
    /// `pty`, `file`, `tcp`, `unix`, …
    pub dev_type: String,
    /// `<source>` elements (two for udp), canonical.
    pub sources: Vec<Element>,
    pub protocol: Option<Element>,
    pub log: Option<Element>,
    pub target_type: Option<String>,
    pub target_port: Option<u32>,
    pub target_name: Option<String>,
    /// guestfwd `address` / `port`, virtio `state`.
    pub target_attrs: Vec<(String, String)>,
    /// serial `<target><model name=…/>`
    pub target_model: Option<String>,
    pub info: DeviceInfo,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub input_type: String,
    pub bus: Option<String>,
    pub model: Option<String>,
    pub info: DeviceInfo,
    /// source, driver: canonical.
    pub extra: Vec<Element>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Graphics {
    pub gtype: String,
    /// Attributes in output order (port, autoport, listen, passwd, …).
    pub attrs: Vec<(String, String)>,
    /// `<listen>` elements, canonical.
    pub listens: Vec<Element>,
    /// channel, image, gl, … children: canonical.
    pub extra: Vec<Element>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Video {
    pub model: String,
    pub ram: Option<u32>,
    pub vram: Option<u32>,
    pub vram64: Option<u32>,
    pub vgamem: Option<u32>,
    pub heads: Option<u32>,
    pub primary: bool,
    pub blob: Option<String>,
    /// acceleration, resolution: canonical children of `<model>`.
    pub model_extra: Vec<Element>,
    pub driver: Option<Element>,
    pub info: DeviceInfo,
}

/// What to include when formatting.
#[derive(Debug, Clone, Copy, Default)]
pub struct FormatOptions {
    /// `id='N'` on the root element (running domains, live XML).
    pub id: Option<i32>,
    /// Include security-sensitive data (passwords).
    pub secure: bool,
}

impl DomainDef {
    /// Parses and validates a domain document, filling in libvirt's defaults.
    pub fn parse(xml: &str) -> Result<DomainDef> {
        let root = crate::model::xml::parse_document(xml, "(domain_definition)")?;
        DomainDef::from_element(&root)
    }

    /// Builds a definition from an already-read `<domain>` element (the
    /// node file embeds domains).
    pub fn from_element(root: &Element) -> Result<DomainDef> {
        let mut def = parse::parse_domain(root)?;
        postparse::post_parse(&mut def)?;
        def.shrink_to_fit();
        Ok(def)
    }

    /// Gives back the room device lists grew into while parsing (room for
    /// four disks of ~1 KiB each for one disk): definitions live long, and
    /// a node file holds thousands.
    fn shrink_to_fit(&mut self) {
        self.disks.shrink_to_fit();
        self.interfaces.shrink_to_fit();
        self.controllers.shrink_to_fit();
        self.serials.shrink_to_fit();
        self.parallels.shrink_to_fit();
        self.consoles.shrink_to_fit();
        self.channels.shrink_to_fit();
        self.inputs.shrink_to_fit();
        self.graphics.shrink_to_fit();
        self.videos.shrink_to_fit();
        self.other_devices.shrink_to_fit();
        self.sections.shrink_to_fit();
    }

    /// Formats as libvirt's `virDomainDefFormat` does.
    pub fn format(&self, opts: FormatOptions) -> String {
        format::format_domain(self, opts)
    }

    /// Formats into an enclosing document (a snapshot's or a checkpoint's),
    /// at its depth, with `root` as the root element's name.
    pub fn format_nested(&self, opts: FormatOptions, root: &str, out: &mut Out) {
        format::format_into(self, opts, root, out)
    }

    /// Gives every interface without a target device the first free
    /// `testnetN` name, as libvirt's test driver does on define/start.
    pub fn assign_test_ifnames(&mut self) {
        for i in 0..self.interfaces.len() {
            if self.interfaces[i].target_dev.is_some() {
                continue;
            }
            let mut n = 0;
            let name = loop {
                let cand = format!("testnet{n}");
                if !self
                    .interfaces
                    .iter()
                    .any(|x| x.target_dev.as_deref() == Some(&cand))
                {
                    break cand;
                }
                n += 1;
            };
            self.interfaces[i].target_dev = Some(name);
        }
    }

    /// A copy made the way libvirt copies definitions: formatted (secure)
    /// and parsed again. libvirt's test driver keeps such a copy as the
    /// persistent definition when a domain starts (and for every domain of
    /// a node file), which is why `dumpxml --inactive` then shows disks and
    /// controllers re-sorted and consoles renumbered.
    pub fn reparsed(&self) -> Result<DomainDef> {
        let mut d = DomainDef::parse(&self.format(FormatOptions {
            id: None,
            secure: true,
        }))?;
        d.test_ns = self.test_ns.clone();
        Ok(d)
    }

    /// The first disk whose target is `dev`.
    pub fn disk_by_target(&self, dev: &str) -> Option<&Disk> {
        self.disks.iter().find(|d| d.target_dev == dev)
    }
}

/// A random locally administered MAC in libvirt's `52:54:00` range.
pub fn generate_mac() -> String {
    let b = *Uuid::new_v4().as_bytes();
    format!("52:54:00:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2])
}

#[cfg(test)]
mod tests;
