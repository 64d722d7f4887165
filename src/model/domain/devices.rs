//! Controllers, inputs, graphics, video, and the devices kept canonically.

use super::parse::bad_enum_attr;
use super::*;
use crate::error::Error;
use crate::model::canon::{spec, write};
use crate::model::xml::{Node, Out};

const CONTROLLER_TYPES: &[&str] = &[
    "ide",
    "fdc",
    "scsi",
    "sata",
    "virtio-serial",
    "ccid",
    "usb",
    "pci",
    "xenbus",
    "isa",
];

fn controller_models(t: &str) -> Option<&'static [&'static str]> {
    Some(match t {
        "scsi" => &[
            "auto",
            "buslogic",
            "lsilogic",
            "lsisas1068",
            "vmpvscsi",
            "ibmvscsi",
            "virtio-scsi",
            "lsisas1078",
            "virtio-transitional",
            "virtio-non-transitional",
            "ncr53c90",
            "am53c974",
            "dc390",
        ],
        "usb" => &[
            "piix3-uhci",
            "piix4-uhci",
            "ehci",
            "ich9-ehci1",
            "ich9-uhci1",
            "ich9-uhci2",
            "ich9-uhci3",
            "vt82c686b-uhci",
            "pci-ohci",
            "nec-xhci",
            "qusb1",
            "qusb2",
            "qemu-xhci",
            "none",
        ],
        "pci" => &[
            "pci-root",
            "pcie-root",
            "pci-bridge",
            "dmi-to-pci-bridge",
            "pcie-root-port",
            "pcie-switch-upstream-port",
            "pcie-switch-downstream-port",
            "pci-expander-bus",
            "pcie-expander-bus",
            "pcie-to-pci-bridge",
        ],
        "ide" => &["piix3", "piix4", "ich6"],
        "virtio-serial" => &["virtio", "virtio-transitional", "virtio-non-transitional"],
        "isa" => &[],
        _ => return None,
    })
}

/// Parses `<controller>`; an unset index is `u32::MAX` until post-parse
/// numbers it.
pub fn parse_controller(e: &Element) -> Result<Controller> {
    let t = e.attr("type").unwrap_or("ide");
    if !CONTROLLER_TYPES.contains(&t) {
        return Err(bad_enum_attr("type", "controller", t));
    }
    let index = match e.attr("index") {
        Some(i) => crate::model::units::parse_i64(i)
            .filter(|n| (0..=i32::MAX as i64).contains(n))
            .ok_or_else(|| {
                Error::xml(format!(
                    "Invalid value for attribute 'index' in element 'controller': '{i}'. Expected integer value"
                ))
            })? as u32,
        None => u32::MAX,
    };
    let model = match e.attr("model") {
        Some(m) => match controller_models(t) {
            Some(list) => {
                if !list.contains(&m) {
                    return Err(Error::config_unsupported(format!(
                        "Unknown model type '{m}'"
                    )));
                }
                Some(m.to_string())
            }
            None => None,
        },
        None => None,
    };
    let mut attrs = Vec::new();
    let allowed: &[&str] = match t {
        "virtio-serial" => &["ports", "vectors"],
        "usb" => &["ports"],
        "xenbus" => &["maxGrantFrames", "maxEventChannels"],
        _ => &[],
    };
    for a in allowed {
        if let Some(v) = e.attr(a) {
            attrs.push((a.to_string(), v.to_string()));
        }
    }
    let mut extra = Vec::new();
    if t == "pci" {
        for (n, k) in [
            ("model", "controller/model"),
            ("target", "controller/target"),
        ] {
            if let Some(c) = e.child(n) {
                let x = spec(k).canon(c)?;
                if !x.attrs.is_empty() || !x.children.is_empty() {
                    extra.push(x);
                }
            }
        }
    }
    if let Some(d) = e.child("driver") {
        let x = spec("controller/driver").canon(d)?;
        if !x.attrs.is_empty() {
            extra.push(x);
        }
    }
    if t == "pci" {
        if let Some(p) = e.child("pcihole64") {
            extra.push(spec_pcihole(p)?);
        }
    }
    Ok(Controller {
        ctype: t.to_string(),
        index,
        model,
        attrs,
        info: DeviceInfo::parse(e, false)?,
        extra,
    })
}

fn spec_pcihole(p: &Element) -> Result<Element> {
    let kib = crate::model::units::scaled_kib(
        &p.text(),
        p.attr("unit"),
        "./pcihole64[1]",
        u64::MAX / 1024,
    )?;
    let mut x = Element::new("pcihole64");
    x.push_attr("unit", "KiB");
    x.children.push(Node::Text(kib.to_string()));
    Ok(x)
}

pub fn format_controller(out: &mut Out, c: &Controller) {
    let mut t = out
        .open("controller")
        .attr("type", &c.ctype)
        .attr_display("index", c.index);
    t = t.attr_opt("model", c.model.as_deref());
    for (k, v) in &c.attrs {
        t = t.attr(k, v);
    }
    let info_empty =
        c.info.alias.is_none() && c.info.address.is_none() && c.info.acpi_index.is_none();
    if c.extra.is_empty() && info_empty {
        t.empty();
        return;
    }
    t.start();
    for name in ["model", "target", "driver", "pcihole64"] {
        for x in c.extra.iter().filter(|x| x.name == name) {
            write(out, x);
        }
    }
    c.info.write(out, false, false);
    out.close("controller");
}

pub fn parse_input(e: &Element, arch: &str, os_type: &str) -> Result<Input> {
    let t = e.attr("type").unwrap_or("");
    if !["mouse", "tablet", "keyboard", "passthrough", "evdev"].contains(&t) {
        return Err(Error::config_unsupported(format!(
            "unknown input device type '{t}'"
        )));
    }
    let mut bus = e.attr("bus").map(str::to_string);
    if let Some(b) = &bus {
        if !["ps2", "usb", "xen", "parallels", "virtio", "none"].contains(&b.as_str()) {
            return Err(Error::config_unsupported(format!(
                "unknown input bus type '{b}'"
            )));
        }
        if b == "ps2" && t == "tablet" {
            return Err(Error::internal(
                "ps2 bus does not support tablet input device",
            ));
        }
    }
    if bus.is_none() && t != "evdev" {
        let x86 = arch == "i686" || arch == "x86_64";
        bus = Some(
            match (t, os_type) {
                ("passthrough", _) => "virtio",
                ("tablet", _) => "usb",
                (_, "xen") | (_, "xenpvh") | (_, "linux") => "xen",
                _ if x86 => "ps2",
                _ => "usb",
            }
            .to_string(),
        );
    }
    let mut extra = Vec::new();
    if let Some(s) = e.child("source") {
        extra.push(spec("input/source").canon(s)?);
    }
    if let Some(d) = e.child("driver") {
        let x = spec("input/driver").canon(d)?;
        if !x.attrs.is_empty() {
            extra.push(x);
        }
    }
    Ok(Input {
        input_type: t.to_string(),
        bus,
        model: e.attr("model").map(str::to_string),
        info: DeviceInfo::parse(e, false)?,
        extra,
    })
}

pub fn format_input(out: &mut Out, i: &Input) {
    let t = out
        .open("input")
        .attr("type", &i.input_type)
        .attr_opt("bus", i.bus.as_deref())
        .attr_opt("model", i.model.as_deref());
    let info_empty = i.info.alias.is_none() && i.info.address.is_none();
    if i.extra.is_empty() && info_empty {
        t.empty();
        return;
    }
    t.start();
    for name in ["source", "driver"] {
        for x in i.extra.iter().filter(|x| x.name == name) {
            write(out, x);
        }
    }
    i.info.write(out, false, false);
    out.close("input");
}

const GRAPHICS_TYPES: &[&str] = &[
    "sdl",
    "vnc",
    "rdp",
    "desktop",
    "spice",
    "egl-headless",
    "dbus",
];

pub fn parse_graphics(e: &Element) -> Result<Graphics> {
    let t = e.attr("type").unwrap_or("");
    if !GRAPHICS_TYPES.contains(&t) {
        return Err(bad_enum_attr("type", "graphics", t));
    }
    let a = |k: &str| e.attr(k).map(str::to_string);
    let mut attrs: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            attrs.push((k.to_string(), v));
        }
    };
    let mut listens = Vec::new();
    for l in e.children_named("listen") {
        let lt = l.attr("type").unwrap_or("address");
        let mut x = Element::new("listen");
        x.push_attr("type", lt);
        match lt {
            "address" => {
                if let Some(v) = l.attr("address") {
                    x.push_attr("address", v);
                }
            }
            "network" => {
                for k in ["network", "address"] {
                    if let Some(v) = l.attr(k) {
                        x.push_attr(k, v);
                    }
                }
            }
            "socket" => {
                if let Some(v) = l.attr("socket") {
                    x.push_attr("socket", v);
                }
            }
            "none" => {}
            other => return Err(bad_enum_attr("type", "listen", other)),
        }
        listens.push(x);
    }
    let listen_attr = a("listen");
    if listens.is_empty() {
        if let Some(addr) = &listen_attr {
            let mut x = Element::new("listen");
            x.push_attr("type", "address");
            x.push_attr("address", addr.clone());
            listens.push(x);
        }
    }
    // The `listen` attribute mirrors the first address listen.
    let first_addr = listens
        .first()
        .filter(|l| l.attr("type") == Some("address"))
        .and_then(|l| l.attr("address"))
        .map(str::to_string);
    let listen_none = listens
        .first()
        .is_some_and(|l| l.attr("type") == Some("none"));
    let port: Option<i64> = e.attr("port").and_then(crate::model::units::parse_i64);
    let autoport_attr = e.attr("autoport");
    match t {
        "vnc" => {
            if let Some(s) = a("socket") {
                push("socket", Some(s.clone()));
                if listens.is_empty() {
                    let mut x = Element::new("listen");
                    x.push_attr("type", "socket");
                    x.push_attr("socket", s);
                    listens.push(x);
                }
            } else if !listen_none {
                let autoport = match autoport_attr {
                    Some("yes") => true,
                    Some(_) => false,
                    None => port.is_none() || port == Some(-1),
                } || port == Some(-1);
                if autoport {
                    push("port", Some("-1".into()));
                } else if let Some(p) = port.filter(|p| *p > 0) {
                    push("port", Some(p.to_string()));
                }
                push("autoport", Some(if autoport { "yes" } else { "no" }.into()));
                push("websocket", a("websocket"));
                if listens.is_empty() {
                    let mut x = Element::new("listen");
                    x.push_attr("type", "address");
                    listens.push(x);
                }
            }
            push("listen", first_addr);
            push("keymap", a("keymap"));
            push("sharePolicy", a("sharePolicy"));
            push_auth(&mut push, e);
            push("powerControl", a("powerControl"));
        }
        "spice" => {
            let tls: Option<i64> = e.attr("tlsPort").and_then(crate::model::units::parse_i64);
            let autoport = autoport_attr == Some("yes");
            let has_port = port.is_some_and(|p| p > 0) || tls.is_some_and(|p| p > 0);
            if !autoport {
                push("port", port.filter(|p| *p > 0).map(|p| p.to_string()));
                push("tlsPort", tls.filter(|p| *p > 0).map(|p| p.to_string()));
            }
            if autoport {
                push("autoport", Some("yes".into()));
            } else if has_port {
                push("autoport", Some("no".into()));
            }
            if listens.is_empty() {
                let mut x = Element::new("listen");
                x.push_attr(
                    "type",
                    if autoport || has_port {
                        "address"
                    } else {
                        "none"
                    },
                );
                listens.push(x);
            }
            push("listen", first_addr);
            push("keymap", a("keymap"));
            push("defaultMode", a("defaultMode"));
            push_auth(&mut push, e);
        }
        "rdp" => {
            let autoport = autoport_attr == Some("yes");
            if !autoport {
                push("port", port.filter(|p| *p > 0).map(|p| p.to_string()));
            } else {
                push("port", Some("-1".into()));
                push("autoport", Some("yes".into()));
            }
            push("replaceUser", a("replaceUser"));
            push("multiUser", a("multiUser"));
            if listens.is_empty() {
                let mut x = Element::new("listen");
                x.push_attr("type", "address");
                listens.push(x);
            }
            push("listen", first_addr);
        }
        "sdl" => {
            push("display", a("display"));
            push("xauth", a("xauth"));
            push("fullscreen", a("fullscreen"));
            listens.clear();
        }
        "desktop" => {
            push("display", a("display"));
            push("fullscreen", a("fullscreen"));
            listens.clear();
        }
        "dbus" => {
            push("address", a("address"));
            push("p2p", a("p2p"));
            listens.clear();
        }
        _ => listens.clear(),
    }
    let mut extra = Vec::new();
    let kids: &[&str] = match t {
        "spice" => &[
            "channel",
            "image",
            "jpeg",
            "zlib",
            "playback",
            "streaming",
            "mouse",
            "clipboard",
            "filetransfer",
            "gl",
        ],
        "sdl" | "egl-headless" | "dbus" => &["gl", "audio"],
        "vnc" => &["audio"],
        _ => &[],
    };
    for k in kids {
        for c in e.children_named(k) {
            extra.push(spec(&format!("graphics/{k}")).canon(c)?);
        }
    }
    Ok(Graphics {
        gtype: t.to_string(),
        attrs,
        listens,
        extra,
    })
}

/// Password attributes: the expiry and connected policy only matter (and
/// are only kept) with a password.
fn push_auth(push: &mut impl FnMut(&str, Option<String>), e: &Element) {
    if let Some(p) = e.attr("passwd") {
        push("passwd", Some(p.to_string()));
        push("passwdValidTo", e.attr("passwdValidTo").map(str::to_string));
        push("connected", e.attr("connected").map(str::to_string));
    }
}

pub fn format_graphics(out: &mut Out, g: &Graphics, secure: bool) {
    let mut t = out.open("graphics").attr("type", &g.gtype);
    for (k, v) in &g.attrs {
        if k == "passwd" && !secure {
            continue;
        }
        t = t.attr(k, v);
    }
    if g.listens.is_empty() && g.extra.is_empty() {
        t.empty();
        return;
    }
    t.start();
    for l in &g.listens {
        write(out, l);
    }
    for x in &g.extra {
        write(out, x);
    }
    out.close("graphics");
}

const VIDEO_MODELS: &[&str] = &[
    "default",
    "vga",
    "cirrus",
    "vmvga",
    "xen",
    "vbox",
    "qxl",
    "parallels",
    "virtio",
    "gop",
    "none",
    "bochs",
    "ramfb",
];

pub fn parse_video(e: &Element) -> Result<Video> {
    let m = e.child("model");
    let model = m.and_then(|m| m.attr("type")).unwrap_or("default");
    if !VIDEO_MODELS.contains(&model) {
        return Err(Error::config_unsupported(format!(
            "unknown video model '{model}'"
        )));
    }
    let num = |k: &str| -> Result<Option<u32>> {
        match m.and_then(|m| m.attr(k)) {
            None => Ok(None),
            Some(v) => crate::model::units::parse_u64(v)
                .filter(|n| *n <= u32::MAX as u64)
                .map(|n| Some(n as u32))
                .ok_or_else(|| Error::xml(format!("cannot parse video {k} '{v}'"))),
        }
    };
    let mut model_extra = Vec::new();
    if let Some(m) = m {
        for (k, s) in [
            ("acceleration", "video/acceleration"),
            ("resolution", "video/resolution"),
        ] {
            if let Some(c) = m.child(k) {
                model_extra.push(spec(s).canon(c)?);
            }
        }
    }
    let driver = match e.child("driver").and_then(|d| d.attr("name")) {
        Some(n) => {
            let mut d = Element::new("driver");
            d.push_attr("name", n);
            Some(d)
        }
        None => None,
    };
    Ok(Video {
        model: model.to_string(),
        ram: num("ram")?,
        vram: num("vram")?,
        vram64: num("vram64")?,
        vgamem: num("vgamem")?,
        heads: num("heads")?,
        primary: m.and_then(|m| m.attr("primary")) == Some("yes"),
        blob: m.and_then(|m| m.attr("blob")).map(str::to_string),
        model_extra,
        driver,
        info: DeviceInfo::parse(e, false)?,
    })
}

/// Fills the model defaults libvirt applies (`video_default` is the model
/// for an unset `type`).
pub fn video_defaults(v: &mut Video, default_model: &str) {
    if v.model == "default" {
        v.model = default_model.to_string();
    }
    if v.model == "none" {
        return;
    }
    if v.vram.is_none() {
        v.vram = match v.model.as_str() {
            "vga" | "cirrus" | "vmvga" | "bochs" => Some(16384),
            "xen" => Some(4096),
            "qxl" => Some(65536),
            _ => None,
        };
    }
    if v.model == "qxl" && v.ram.is_none() {
        v.ram = Some(65536);
    }
    if v.heads.is_none() {
        v.heads = Some(1);
    }
}

pub fn format_video(out: &mut Out, v: &Video) {
    out.line("<video>");
    out.indent += 1;
    if let Some(d) = &v.driver {
        write(out, d);
    }
    let mut t = out.open("model").attr("type", &v.model);
    for (k, val) in [
        ("ram", v.ram),
        ("vram", v.vram),
        ("vram64", v.vram64),
        ("vgamem", v.vgamem),
        ("heads", v.heads),
    ] {
        if let Some(n) = val {
            t = t.attr_display(k, n);
        }
    }
    if v.primary {
        t = t.attr("primary", "yes");
    }
    t = t.attr_opt("blob", v.blob.as_deref());
    if v.model_extra.is_empty() {
        t.empty();
    } else {
        t.start();
        for x in &v.model_extra {
            write(out, x);
        }
        out.close("model");
    }
    v.info.write(out, false, false);
    out.close("video");
}

/// Devices virtsh keeps canonically; returns `None` for unknown elements
/// (libvirt ignores them).
pub fn parse_generic(name: &str, e: &Element) -> Result<Option<Element>> {
    let key = match name {
        "lease" | "filesystem" | "smartcard" | "tpm" | "sound" | "audio" | "hostdev"
        | "redirdev" | "redirfilter" | "hub" | "watchdog" | "rng" | "panic" | "shmem"
        | "memory" | "iommu" | "vsock" => name,
        _ => return Ok(None),
    };
    let mut x = spec(key).canon(e)?;
    match name {
        "watchdog" if x.attr("action").is_none() => x.push_attr("action", "reset"),
        "sound" if x.attr("model").is_none() => return Err(Error::internal("missing sound model")),
        "rng" => {
            if x.attr("model").is_none() {
                return Err(Error::internal("missing RNG device model"));
            }
            for n in x.children.iter_mut() {
                if let Node::Elem(b) = n {
                    if b.name == "backend"
                        && b.attr("model") == Some("random")
                        && b.children.is_empty()
                    {
                        b.children.push(Node::Text("/dev/random".into()));
                    }
                }
            }
        }
        // A panic device without a model is not kept.
        "panic" if x.attr("model").is_none() => return Ok(None),
        "filesystem" => {
            if x.attr("type").is_none() {
                x.attrs.insert(0, ("type".into(), "mount".into()));
            }
            if x.attr("accessmode").is_none() {
                x.attrs
                    .insert(1, ("accessmode".into(), "passthrough".into()));
            }
            for n in x.children.iter_mut() {
                let Node::Elem(src) = n else { continue };
                if src.name != "source" {
                    continue;
                }
                if let Some(u) = src.attr("usage").map(str::to_string) {
                    let kib = crate::model::units::scaled_kib(
                        &u,
                        src.attr("units"),
                        "./source/@usage",
                        u64::MAX / 1024,
                    )?;
                    for (k, v) in src.attrs.iter_mut() {
                        match k.as_str() {
                            "usage" => *v = kib.to_string(),
                            "units" => *v = "KiB".into(),
                            _ => {}
                        }
                    }
                    if src.attr("units").is_none() {
                        src.push_attr("units", "KiB");
                    }
                }
            }
        }
        "hostdev" => fix_hostdev(&mut x)?,
        _ => {}
    }
    Ok(Some(x))
}

/// Subsystem hostdevs default to unmanaged; host PCI addresses are
/// normalised like device addresses.
fn fix_hostdev(x: &mut Element) -> Result<()> {
    if x.attr("mode").is_none() {
        x.attrs.insert(0, ("mode".into(), "subsystem".into()));
    }
    if x.attr("mode") == Some("subsystem") && x.attr("managed").is_none() {
        let at = x
            .attrs
            .iter()
            .position(|(k, _)| k == "type")
            .map_or(x.attrs.len(), |i| i + 1);
        x.attrs.insert(at, ("managed".into(), "no".into()));
    }
    if x.attr("type") == Some("pci") {
        for n in x.children.iter_mut() {
            let Node::Elem(src) = n else { continue };
            if src.name != "source" {
                continue;
            }
            for a in src.children.iter_mut() {
                let Node::Elem(a) = a else { continue };
                if a.name == "address" {
                    *a = address::host_pci_element(a)?;
                }
            }
        }
    }
    Ok(())
}

/// libvirt's device order for the canonically kept kinds.
pub const GENERIC_ORDER_A: &[&str] = &["lease", "filesystem"];
pub const GENERIC_ORDER_B: &[&str] = &["smartcard"];
pub const GENERIC_ORDER_C: &[&str] = &["tpm"];
pub const GENERIC_ORDER_D: &[&str] = &["sound", "audio"];
pub const GENERIC_ORDER_E: &[&str] = &["hostdev", "redirdev", "redirfilter", "hub", "watchdog"];
pub const GENERIC_ORDER_F: &[&str] = &[
    "rng", "panic", "shmem", "memory", "iommu", "vsock", "crypto",
];

pub fn write_generic(out: &mut Out, def: &DomainDef, kinds: &[&str]) {
    for k in kinds {
        for d in def.other_devices.iter().filter(|d| d.name == *k) {
            if d.name == "redirdev" && d.children.is_empty() {
                // libvirt always writes the redirdev body, even empty.
                let mut t = out.open("redirdev");
                for (k, v) in &d.attrs {
                    t = t.attr(k, v);
                }
                t.start();
                out.close("redirdev");
            } else {
                write(out, d);
            }
        }
    }
}
