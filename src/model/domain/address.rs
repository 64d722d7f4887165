//! Device addresses and the per-device info block (boot order, alias, rom,
//! address) every device shares.

use crate::error::{Error, Result};
use crate::model::units::parse_u64_auto;
use crate::model::xml::{Element, Out};

/// A device address: its `type` and attributes already normalised to
/// libvirt's output form (e.g. PCI numbers as fixed-width hex).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    pub kind: String,
    pub attrs: Vec<(String, String)>,
}

impl Address {
    /// A drive address on controller/bus/target/unit.
    pub fn drive(controller: u32, bus: u32, target: u32, unit: u32) -> Address {
        Address {
            kind: "drive".into(),
            attrs: vec![
                ("controller".into(), controller.to_string()),
                ("bus".into(), bus.to_string()),
                ("target".into(), target.to_string()),
                ("unit".into(), unit.to_string()),
            ],
        }
    }

    pub fn pci(domain: u32, bus: u32, slot: u32, function: u32) -> Address {
        Address {
            kind: "pci".into(),
            attrs: vec![
                ("domain".into(), format!("0x{domain:04x}")),
                ("bus".into(), format!("0x{bus:02x}")),
                ("slot".into(), format!("0x{slot:02x}")),
                ("function".into(), format!("0x{function:x}")),
            ],
        }
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    }

    /// A numeric attribute (decimal or hex as stored).
    pub fn num(&self, k: &str) -> Option<u64> {
        self.get(k).and_then(parse_u64_auto)
    }

    /// Parses `<address>`; `hostdev` allows the `unassigned` type.
    pub fn parse(e: &Element, hostdev: bool) -> Result<Option<Address>> {
        let Some(kind) = e.attr("type") else {
            return Ok(None);
        };
        let mut attrs: Vec<(String, String)> = Vec::new();
        let num = |k: &str| -> Result<Option<u64>> {
            match e.attr(k) {
                None => Ok(None),
                Some(v) => parse_u64_auto(v)
                    .filter(|n| *n <= u32::MAX as u64)
                    .map(Some)
                    .ok_or_else(|| bad_uint("address", k, v)),
            }
        };
        match kind {
            "pci" => {
                let d = num("domain")?.unwrap_or(0);
                let b = num("bus")?.unwrap_or(0);
                let s = num("slot")?.unwrap_or(0);
                let f = num("function")?.unwrap_or(0);
                if b > 0xff {
                    return Err(Error::xml(format!(
                        "Invalid PCI address bus='0x{b:x}', must be <= 0xFF"
                    )));
                }
                if s > 0x1f {
                    return Err(Error::xml(format!(
                        "Invalid PCI address slot='0x{s:x}', must be <= 0x1F"
                    )));
                }
                let none_given = ["domain", "bus", "slot", "function"]
                    .iter()
                    .all(|k| e.attr(k).is_none());
                if f > 7 || none_given {
                    // libvirt 9.0 keeps such an address as a bare PCI type.
                    let attrs = e
                        .attr("multifunction")
                        .map(|m| vec![("multifunction".to_string(), m.to_string())])
                        .unwrap_or_default();
                    return Ok(Some(Address {
                        kind: "pci".into(),
                        attrs,
                    }));
                }
                let a = Address::pci(d as u32, b as u32, s as u32, f as u32);
                attrs = a.attrs;
                if let Some(m) = e.attr("multifunction") {
                    attrs.push(("multifunction".into(), m.into()));
                }
            }
            "drive" => {
                for k in ["controller", "bus", "target", "unit"] {
                    attrs.push((k.into(), num(k)?.unwrap_or(0).to_string()));
                }
            }
            "virtio-serial" => {
                for k in ["controller", "bus"] {
                    attrs.push((k.into(), num(k)?.unwrap_or(0).to_string()));
                }
                if let Some(p) = num("port")? {
                    attrs.push(("port".into(), p.to_string()));
                }
            }
            "ccid" => {
                for k in ["controller", "slot"] {
                    attrs.push((k.into(), num(k)?.unwrap_or(0).to_string()));
                }
            }
            "usb" => {
                attrs.push(("bus".into(), num("bus")?.unwrap_or(0).to_string()));
                if let Some(p) = e.attr("port") {
                    attrs.push(("port".into(), p.into()));
                }
            }
            "isa" => {
                if let Some(v) = num("iobase")? {
                    attrs.push(("iobase".into(), format!("0x{v:x}")));
                }
                if let Some(v) = num("irq")? {
                    attrs.push(("irq".into(), format!("0x{v:x}")));
                }
            }
            "ccw" => {
                let c = num("cssid")?;
                if let Some(c) = c {
                    attrs.push(("cssid".into(), format!("0x{c:x}")));
                    attrs.push(("ssid".into(), format!("0x{:x}", num("ssid")?.unwrap_or(0))));
                    attrs.push((
                        "devno".into(),
                        format!("0x{:04x}", num("devno")?.unwrap_or(0)),
                    ));
                }
            }
            "spapr-vio" => {
                if let Some(v) = num("reg")? {
                    attrs.push(("reg".into(), format!("0x{v:08x}")));
                }
            }
            "dimm" => {
                if let Some(v) = num("slot")? {
                    attrs.push(("slot".into(), v.to_string()));
                }
                if let Some(v) = num("base")? {
                    attrs.push(("base".into(), format!("0x{v:x}")));
                }
            }
            "virtio-mmio" | "virtio-s390" => {}
            "unassigned" => {
                if !hostdev {
                    return Err(Error::config_unsupported(
                        "address of type 'unassigned' is supported only for hostdevs",
                    ));
                }
            }
            other => {
                return Err(Error::config_unsupported(format!(
                    "unknown address type '{other}'"
                )));
            }
        }
        Ok(Some(Address {
            kind: kind.to_string(),
            attrs,
        }))
    }

    pub fn write(&self, out: &mut Out) {
        let mut t = out.open("address").attr("type", &self.kind);
        for (k, v) in &self.attrs {
            t = t.attr(k, v);
        }
        t.empty();
    }

    /// As an element, for generic (schema-driven) devices.
    pub fn to_element(&self) -> Element {
        let mut e = Element::new("address");
        e.push_attr("type", self.kind.clone());
        e.attrs.extend(self.attrs.iter().cloned());
        e
    }
}

/// libvirt's message for an attribute that must be a non-negative integer.
pub fn bad_uint(elem: &str, attr: &str, v: &str) -> Error {
    Error::xml(format!(
        "Invalid value for attribute '{attr}' in element '{elem}': '{v}'. Expected non-negative integer value"
    ))
}

/// A host PCI address (hostdev and NVMe sources): normalised like a PCI
/// device address, written without `type` unless the input had one.
pub fn host_pci_element(a: &Element) -> Result<Element> {
    let mut with_type = a.clone();
    with_type.attrs.retain(|(k, _)| k != "type");
    with_type.attrs.insert(0, ("type".into(), "pci".into()));
    let addr = Address::parse(&with_type, true)?.expect("typed");
    let mut e = addr.to_element();
    if a.attr("type").is_none() {
        e.attrs.remove(0);
    }
    Ok(e)
}

/// What every device carries besides its own fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeviceInfo {
    pub boot_order: Option<u32>,
    pub boot_loadparm: Option<String>,
    /// Only user aliases (`ua-…`) survive an inactive parse.
    pub alias: Option<String>,
    pub rom: Option<Element>,
    pub acpi_index: Option<u32>,
    pub address: Option<Address>,
}

impl DeviceInfo {
    /// Reads boot/alias/rom/acpi/address children of a device element.
    pub fn parse(e: &Element, hostdev: bool) -> Result<DeviceInfo> {
        let mut info = DeviceInfo::default();
        if let Some(b) = e.child("boot") {
            let order = b.attr("order").ok_or_else(|| {
                Error::xml("Missing required attribute 'order' in element 'boot'")
            })?;
            let n = crate::model::units::parse_u64(order)
                .filter(|n| *n <= u32::MAX as u64)
                .ok_or_else(|| bad_uint("boot", "order", order))?;
            if n == 0 {
                return Err(Error::xml(
                    "Invalid value for attribute 'order' in element 'boot': Zero is not permitted",
                ));
            }
            info.boot_order = Some(n as u32);
            info.boot_loadparm = b.attr("loadparm").map(str::to_string);
        }
        if let Some(a) = e.child("alias").and_then(|a| a.attr("name")) {
            if a.starts_with("ua-") {
                info.alias = Some(a.to_string());
            }
        }
        if let Some(r) = e.child("rom") {
            info.rom = Some(crate::model::canon::spec("rom").canon(r)?);
        }
        if let Some(a) = e.child("acpi").and_then(|a| a.attr("index")) {
            info.acpi_index = crate::model::units::parse_u64(a).map(|v| v as u32);
        }
        if let Some(a) = e.child("address") {
            info.address = Address::parse(a, hostdev)?;
        }
        Ok(info)
    }

    /// Writes boot, alias, rom, acpi, address in libvirt's order.
    pub fn write(&self, out: &mut Out, with_boot: bool, with_rom: bool) {
        if with_boot {
            if let Some(o) = self.boot_order {
                out.open("boot")
                    .attr_display("order", o)
                    .attr_opt("loadparm", self.boot_loadparm.as_deref())
                    .empty();
            }
        }
        if let Some(a) = &self.alias {
            out.open("alias").attr("name", a).empty();
        }
        if with_rom {
            if let Some(r) = &self.rom {
                crate::model::canon::write(out, r);
            }
        }
        if let Some(i) = self.acpi_index {
            out.open("acpi").attr_display("index", i).empty();
        }
        if let Some(a) = &self.address {
            a.write(out);
        }
    }
}
