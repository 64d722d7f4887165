//! `<domain>` documents.

use crate::api::{Error, Result, Uuid};

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
        let _ = xml;
        Err(Error::xml("domain parsing is not available"))
    }

    /// Formats as libvirt's `virDomainDefFormat` does.
    pub fn format(&self, opts: FormatOptions) -> String {
        let _ = opts;
        String::new()
    }
}
