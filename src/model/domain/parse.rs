//! Reading `<domain>`: checks run in the order libvirt runs them, so the
//! first error a document triggers is the one libvirt reports.

use super::kin_order::{arrange, KinOrder};
use super::*;
use crate::error::{Error, ErrorCode, ErrorDomain};
use crate::model::canon::{canon_all, canon_child, spec};
use crate::model::units::{
    format_bitmap, invalid_value, parse_bitmap, parse_u64, scaled_kib, CPUMASK_LEN, MAX_MEMORY_KIB,
};

const VIRT_TYPES: &[&str] = &[
    "none",
    "qemu",
    "kqemu",
    "kvm",
    "xen",
    "lxc",
    "uml",
    "openvz",
    "test",
    "vmware",
    "hyperv",
    "vbox",
    "phyp",
    "parallels",
    "bhyve",
    "vz",
];

const OS_TYPES: &[&str] = &["hvm", "xen", "linux", "exe", "uml", "xenpvh"];

/// Architectures libvirt knows (`virArch` names).
const ARCHES: &[&str] = &[
    "none",
    "alpha",
    "armv6l",
    "armv7l",
    "armv7b",
    "aarch64",
    "cris",
    "i686",
    "ia64",
    "lm32",
    "loongarch64",
    "m68k",
    "microblaze",
    "microblazeel",
    "mips",
    "mipsel",
    "mips64",
    "mips64el",
    "openrisc",
    "parisc",
    "parisc64",
    "ppc",
    "ppcle",
    "ppc64",
    "ppc64le",
    "ppcemb",
    "riscv32",
    "riscv64",
    "s390",
    "s390x",
    "sh4",
    "sh4eb",
    "sparc",
    "sparc64",
    "unicore32",
    "x86_64",
    "xtensa",
    "xtensaeb",
];

const LIFECYCLE: &[&str] = &[
    "destroy",
    "restart",
    "rename-restart",
    "preserve",
    "coredump-destroy",
    "coredump-restart",
];
const LOCKFAILURE: &[&str] = &["default", "poweroff", "restart", "pause", "ignore"];

/// libvirt's VIR_ERR_NO_NAME, raised without detail.
fn no_name() -> Error {
    Error::raw(
        ErrorCode::from_number(21),
        ErrorDomain::Domain,
        "missing name information",
    )
}

/// `XML error: Invalid value for attribute 'A' in element 'E': 'V'.`
pub(crate) fn bad_enum_attr(attr: &str, elem: &str, v: &str) -> Error {
    Error::xml(format!(
        "Invalid value for attribute '{attr}' in element '{elem}': '{v}'."
    ))
}

pub(crate) fn parse_uuid(s: &str) -> Option<Uuid> {
    // libvirt accepts 32 hex digits with dashes anywhere between byte
    // pairs, surrounded by blanks.
    let t = s.trim_matches([' ', '\t', '\n', '\r']);
    let mut bytes = [0u8; 16];
    let b = t.as_bytes();
    let mut i = 0;
    for byte in bytes.iter_mut() {
        while i < b.len() && b[i] == b'-' {
            i += 1;
        }
        let hi = (*b.get(i)? as char).to_digit(16)?;
        let lo = (*b.get(i + 1)? as char).to_digit(16)?;
        *byte = (hi * 16 + lo) as u8;
        i += 2;
    }
    if i != b.len() {
        return None;
    }
    Some(Uuid::from_bytes(bytes))
}

pub fn parse_domain(root: &Element) -> Result<DomainDef> {
    if root.name != "domain" {
        return Err(Error::xml(format!(
            "expecting root element of 'domain', not '{}'",
            root.name
        )));
    }

    // Identity: name, uuid, genid.
    let name = match root.child("name") {
        Some(n) => n.text(),
        None => String::new(),
    };
    if name.is_empty() {
        return Err(no_name());
    }
    let uuid = match root.child("uuid") {
        Some(u) => {
            parse_uuid(&u.text()).ok_or_else(|| Error::internal("malformed uuid element"))?
        }
        None => Uuid::new_v4(),
    };
    let genid = match root.child("genid") {
        Some(g) => {
            let t = g.text();
            if t.is_empty() {
                Some(Uuid::new_v4().to_string())
            } else {
                Some(
                    parse_uuid(&t)
                        .ok_or_else(|| Error::internal("malformed genid element"))?
                        .to_string(),
                )
            }
        }
        None => None,
    };

    // Hypervisor type and OS.
    let virt_type = root
        .attr("type")
        .ok_or_else(|| Error::internal("missing domain type attribute"))?;
    if !VIRT_TYPES.contains(&virt_type) {
        return Err(Error::config_unsupported(format!(
            "invalid domain type {virt_type}"
        )));
    }
    let os_el = root.child("os");
    let type_el = os_el.and_then(|o| o.child("type"));
    let os_type = type_el.map(|t| t.text()).unwrap_or_default();
    if os_type.is_empty() {
        return Err(Error::xml("an os <type> must be specified"));
    }
    if !OS_TYPES.contains(&os_type.as_str()) {
        return Err(Error::config_unsupported(format!(
            "unknown OS type '{os_type}'"
        )));
    }
    let arch = match type_el.and_then(|t| t.attr("arch")) {
        Some(a) => {
            if !ARCHES.contains(&a) {
                return Err(Error::config_unsupported(format!(
                    "Unknown architecture {a}"
                )));
            }
            a.to_string()
        }
        None => "i686".to_string(),
    };
    let machine = type_el.and_then(|t| t.attr("machine")).map(str::to_string);

    // Empty text counts as absent, as libvirt's string lookups return NULL.
    let title = root
        .child("title")
        .map(|t| t.text())
        .filter(|t| !t.is_empty());
    if title.as_deref().is_some_and(|t| t.contains('\n')) {
        return Err(Error::xml("Domain title can't contain newlines"));
    }
    let description = root
        .child("description")
        .map(|t| t.text())
        .filter(|t| !t.is_empty());
    let metadata = parse_metadata(root);

    // Memory.
    let mut max_memory_kib = 0;
    let mut dump_core = None;
    if let Some(m) = root.child("memory") {
        max_memory_kib = scaled_kib(&m.text(), m.attr("unit"), "./memory[1]", MAX_MEMORY_KIB)?;
        dump_core = m.attr("dumpCore").map(str::to_string);
    }
    let max_memory = match root.child("maxMemory") {
        Some(m) => {
            let kib = scaled_kib(&m.text(), m.attr("unit"), "./maxMemory[1]", MAX_MEMORY_KIB)?;
            let slots = m.attr("slots").and_then(parse_u64).unwrap_or(0) as u32;
            if slots == 0 || kib == 0 {
                return Err(Error::xml(
                    "both maximum memory size and memory slot count must be specified",
                ));
            }
            Some(MaxMemory { kib, slots })
        }
        None => None,
    };
    let mut current_memory_kib = 0;
    if let Some(m) = root.child("currentMemory") {
        current_memory_kib = scaled_kib(
            &m.text(),
            m.attr("unit"),
            "./currentMemory[1]",
            MAX_MEMORY_KIB,
        )?;
    }

    let mut sections = Vec::new();
    for (name, key) in [
        ("blkiotune", "blkiotune"),
        ("memtune", "memtune"),
        ("memoryBacking", "memoryBacking"),
    ] {
        if let Some(mut e) = canon_child(root, name, key)? {
            match name {
                "memtune" => memtune_kib(&mut e)?,
                "memoryBacking" => hugepages_kib(&mut e)?,
                _ => {}
            }
            sections.push(e);
        }
    }

    // vCPUs.
    let mut vcpus_max = 1;
    let mut vcpus_current = None;
    let mut vcpu_placement = "static".to_string();
    let mut vcpu_cpuset = None;
    if let Some(v) = root.child("vcpu") {
        let t = v.text();
        vcpus_max = parse_u64(&t)
            .filter(|n| *n <= u32::MAX as u64)
            .ok_or_else(|| Error::xml("maximum vcpus count must be an integer"))?
            as u32;
        if let Some(c) = v.attr("current") {
            let n = parse_u64(c).filter(|n| *n <= u32::MAX as u64).ok_or_else(|| {
                Error::xml(format!(
                    "Invalid value for attribute 'current' in element 'vcpu': '{c}'. Expected non-negative integer value"
                ))
            })?;
            vcpus_current = Some(n as u32);
        }
        if let Some(p) = v.attr("placement") {
            if p != "static" && p != "auto" {
                return Err(bad_enum_attr("placement", "vcpu", p));
            }
            vcpu_placement = p.to_string();
        }
        if let Some(c) = v.attr("cpuset") {
            let bits = parse_bitmap(c, CPUMASK_LEN)?;
            vcpu_cpuset = Some(format_bitmap(&bits));
        }
    }
    if let Some(c) = vcpus_current {
        if c > vcpus_max {
            return Err(Error::config_unsupported(
                "maximum vCPU count must not be less than current vCPU count",
            ));
        }
    }
    let vcpus_current = vcpus_current.filter(|c| *c != 0).unwrap_or(vcpus_max);
    if let Some(e) = canon_child(root, "vcpus", "vcpus")? {
        sections.push(e);
    }
    let iothreads = match root.child("iothreads") {
        Some(i) => Some(
            parse_u64(&i.text())
                .filter(|n| *n <= u32::MAX as u64)
                .ok_or_else(|| invalid_value(&i.text(), "./iothreads[1]"))? as u32,
        ),
        None => None,
    };
    for (name, key) in [
        ("iothreadids", "iothreadids"),
        ("cputune", "cputune"),
        ("numatune", "numatune"),
        ("resource", "resource"),
    ] {
        if let Some(mut e) = canon_child(root, name, key)? {
            if name == "cputune" {
                split_vcpusched(&mut e, vcpus_max)?;
            }
            sections.push(e);
        }
    }
    sections.extend(canon_all(root, "sysinfo", "sysinfo")?);
    if let Some(e) = canon_child(root, "idmap", "idmap")? {
        sections.push(e);
    }

    // Lifecycle.
    let lifecycle = |name: &str, default: &str, allowed: &[&str]| -> Result<String> {
        match root.child(name) {
            Some(e) => {
                let v = e.text();
                if !allowed.contains(&v.as_str()) {
                    let what = name.trim_start_matches("on_");
                    return Err(Error::config_unsupported(format!(
                        "unknown on_{what} action: {v}"
                    )));
                }
                Ok(v)
            }
            None => Ok(default.to_string()),
        }
    };
    let on_poweroff = lifecycle("on_poweroff", "destroy", LIFECYCLE)?;
    let on_reboot = lifecycle("on_reboot", "restart", LIFECYCLE)?;
    let on_crash = lifecycle("on_crash", "destroy", LIFECYCLE)?;
    let on_lockfailure = match root.child("on_lockfailure") {
        Some(_) => Some(lifecycle("on_lockfailure", "default", LOCKFAILURE)?),
        None => None,
    };
    for (ev, v) in [("poweroff", &on_poweroff), ("reboot", &on_reboot)] {
        if v.starts_with("coredump-") {
            return Err(Error::config_unsupported(format!(
                "Lifecycle event '{ev}' doesn't support '{v}' action"
            )));
        }
    }
    for (name, key) in [("pm", "pm"), ("perf", "perf")] {
        if let Some(e) = canon_child(root, name, key)? {
            sections.push(e);
        }
    }
    if let Some(f) = root.child("features") {
        let f = parse_features(f)?;
        if !f.children.is_empty() {
            sections.push(f);
        }
    }

    let clock = parse_clock(root)?;
    let os = parse_os(root, os_el, machine, &os_type)?;
    let bootloader = root
        .child("bootloader")
        .map(|e| e.text())
        .filter(|t| !t.is_empty());
    let bootloader_args = root
        .child("bootloader_args")
        .map(|e| e.text())
        .filter(|t| !t.is_empty());

    let mut def = DomainDef {
        virt_type: virt_type.to_string(),
        name,
        uuid,
        title,
        description,
        max_memory_kib,
        current_memory_kib,
        vcpus_max,
        vcpus_current,
        os_type,
        arch,
        disks: vec![],
        interfaces: vec![],
        has_memballoon: false,
        genid,
        metadata,
        max_memory,
        dump_core,
        vcpu_placement,
        vcpu_cpuset,
        iothreads,
        bootloader,
        bootloader_args,
        os,
        clock,
        on_poweroff,
        on_reboot,
        on_crash,
        on_lockfailure,
        sections,
        emulator: None,
        controllers: vec![],
        serials: vec![],
        parallels: vec![],
        consoles: vec![],
        channels: vec![],
        inputs: vec![],
        graphics: vec![],
        videos: vec![],
        memballoon: None,
        other_devices: vec![],
        test_ns: None,
    };

    if let Some(devs) = root.child("devices") {
        parse_devices(&mut def, devs)?;
    }

    for s in canon_all(root, "seclabel", "seclabel")? {
        def.sections.push(fix_seclabel(s));
    }
    if let Some(c) = root.child("cpu") {
        def.sections.push(parse_cpu(c)?);
    }
    for (name, key) in [("keywrap", "keywrap"), ("launchSecurity", "launchSecurity")] {
        if let Some(e) = canon_child(root, name, key)? {
            def.sections.push(e);
        }
    }
    def.test_ns = TestNamespace::parse(root)?;
    Ok(def)
}

/// libvirt keeps one `<vcpusched>` per vCPU, for vCPUs the domain has, in
/// vCPU order, each set at most once; the rest of `<cputune>` keeps its
/// order, the vCPUs' entries where the first `<vcpusched>` stood.
fn split_vcpusched(e: &mut Element, vcpus_max: u32) -> Result<()> {
    use crate::model::xml::Node;
    let mut per_vcpu: std::collections::BTreeMap<u32, Element> = Default::default();
    let mut first_at = None;
    let mut rest = Vec::new();
    for n in std::mem::take(&mut e.children) {
        match n {
            Node::Elem(c) if c.name == "vcpusched" && c.attr("vcpus").is_some() => {
                first_at.get_or_insert(rest.len());
                let bits = parse_bitmap(c.attr("vcpus").unwrap_or(""), CPUMASK_LEN)?;
                for b in bits {
                    if b >= vcpus_max {
                        return Err(Error::config_unsupported(format!(
                            "vCPU '{b}' is not present in domain definition"
                        )));
                    }
                    // Only the attributes libvirt keeps: a long `vcpus`
                    // list is not copied once per vCPU.
                    let mut one = Element::new("vcpusched");
                    one.push_attr("vcpus", b.to_string());
                    for (k, v) in c.attrs.iter().filter(|(k, _)| k != "vcpus") {
                        one.push_attr(k, v.clone());
                    }
                    if per_vcpu.insert(b, one).is_some() {
                        return Err(Error::raw(
                            ErrorCode::XmlDetail,
                            ErrorDomain::Domain,
                            "'vcpusched' attributes 'vcpus' must not overlap",
                        ));
                    }
                }
            }
            other => rest.push(other),
        }
    }
    if let Some(at) = first_at {
        rest.splice(at..at, per_vcpu.into_values().map(Node::Elem));
    }
    e.children = rest;
    Ok(())
}

/// memtune limits are printed in KiB.
fn memtune_kib(e: &mut Element) -> Result<()> {
    for n in e.children.iter_mut() {
        let crate::model::xml::Node::Elem(c) = n else {
            continue;
        };
        let xpath = format!("./memtune/{}[1]", c.name);
        let kib = scaled_kib(&c.text(), c.attr("unit"), &xpath, MAX_MEMORY_KIB)?;
        c.attrs = vec![("unit".into(), "KiB".into())];
        c.children = vec![crate::model::xml::Node::Text(kib.to_string())];
    }
    Ok(())
}

/// Huge page sizes are printed in KiB.
fn hugepages_kib(e: &mut Element) -> Result<()> {
    for n in e.children.iter_mut() {
        let crate::model::xml::Node::Elem(h) = n else {
            continue;
        };
        if h.name != "hugepages" {
            continue;
        }
        for p in h.children.iter_mut() {
            let crate::model::xml::Node::Elem(p) = p else {
                continue;
            };
            if let Some(size) = p.attr("size").map(str::to_string) {
                let kib = scaled_kib(&size, p.attr("unit"), "./@size", u64::MAX / 1024)?;
                let nodeset = p.attr("nodeset").map(str::to_string);
                p.attrs = vec![
                    ("size".into(), kib.to_string()),
                    ("unit".into(), "KiB".into()),
                ];
                if let Some(ns) = nodeset {
                    p.attrs.push(("nodeset".into(), ns));
                }
            }
        }
    }
    Ok(())
}

/// libvirt keeps, per namespace, the first namespaced child of
/// `<metadata>`; children without a namespace are dropped.
fn parse_metadata(root: &Element) -> Option<Vec<Element>> {
    let m = root.child("metadata")?;
    let mut out: Vec<Element> = Vec::new();
    for e in m.elements() {
        let Some(ns) = &e.ns else { continue };
        if out.iter().any(|o| o.ns.as_ref() == Some(ns)) {
            continue;
        }
        out.push(e.clone());
    }
    Some(out)
}

const FEATURES: &[&str] = &[
    "acpi",
    "apic",
    "pae",
    "hap",
    "viridian",
    "privnet",
    "hyperv",
    "kvm",
    "pvspinlock",
    "capabilities",
    "pmu",
    "vmport",
    "gic",
    "smm",
    "ioapic",
    "hpt",
    "vmcoreinfo",
    "htm",
    "nested-hv",
    "msrs",
    "ccf-assist",
    "xen",
    "cfpc",
    "sbbc",
    "ibs",
    "tcg",
];

fn parse_features(f: &Element) -> Result<Element> {
    for c in f.elements() {
        if !FEATURES.contains(&c.name.as_str()) {
            return Err(Error::config_unsupported(format!(
                "unexpected feature '{}'",
                c.name
            )));
        }
        let check = |attr: &str, allowed: &[&str]| -> Result<()> {
            match c.attr(attr) {
                Some(v) if !allowed.contains(&v) => Err(bad_enum_attr(attr, &c.name, v)),
                _ => Ok(()),
            }
        };
        match c.name.as_str() {
            "hap" | "pmu" | "vmport" | "smm" | "pvspinlock" | "vmcoreinfo" => {
                check("state", &["on", "off"])?
            }
            "htm" | "nested-hv" | "ccf-assist" => {
                if c.attr("state").is_none() {
                    return Err(Error::xml(format!(
                        "Missing required attribute 'state' in element '{}'",
                        c.name
                    )));
                }
                check("state", &["on", "off"])?;
            }
            "apic" => check("eoi", &["on", "off"])?,
            "ioapic" => check("driver", &["kvm", "qemu"])?,
            _ => {}
        }
    }
    let mut e = spec("features").canon(f)?;
    e.children.retain(|n| match n {
        // Features whose only content is an unset mode are not kept.
        crate::model::xml::Node::Elem(c) => match c.name.as_str() {
            "ioapic" => c.attr("driver").is_some(),
            "hpt" => c.attr("resizing").is_some() || !c.children.is_empty(),
            _ => true,
        },
        _ => true,
    });
    for n in e.children.iter_mut() {
        if let crate::model::xml::Node::Elem(c) = n {
            match c.name.as_str() {
                "hyperv" if c.attr("mode").is_none() => {
                    c.attrs.insert(0, ("mode".into(), "custom".into()))
                }
                "hap" | "pmu" | "vmport" | "smm" | "pvspinlock" | "vmcoreinfo"
                    if c.attr("state").is_none() =>
                {
                    c.attrs.insert(0, ("state".into(), "on".into()))
                }
                "smm" | "hpt" | "tcg" => {
                    // Sizes inside are printed in KiB.
                    for k in c.children.iter_mut() {
                        if let crate::model::xml::Node::Elem(k) = k {
                            let kib =
                                scaled_kib(&k.text(), k.attr("unit"), "./@unit", u64::MAX / 1024)?;
                            // SMM's TSEG is kept in MiB, the others in KiB.
                            let (unit, v) = if k.name == "tseg" {
                                ("MiB", kib / 1024)
                            } else {
                                ("KiB", kib)
                            };
                            k.attrs = vec![("unit".into(), unit.into())];
                            k.children = vec![crate::model::xml::Node::Text(v.to_string())];
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Ok(e)
}

fn parse_cpu(c: &Element) -> Result<Element> {
    let mut e = spec("cpu").canon(c)?;
    // A model element without a name says nothing.
    e.children.retain(|n| !matches!(n, crate::model::xml::Node::Elem(m) if m.name == "model" && m.children.is_empty()));
    let has_model = e.child("model").is_some();
    if has_model && e.attr("mode").is_none() {
        e.attrs.insert(0, ("mode".into(), "custom".into()));
    }
    if e.attr("mode") == Some("custom") && has_model && e.attr("match").is_none() {
        let at = e
            .attrs
            .iter()
            .position(|(k, _)| k == "mode")
            .map_or(0, |i| i + 1);
        e.attrs.insert(at, ("match".into(), "exact".into()));
    }
    if e.child("feature").is_some() && e.attr("mode").is_none() {
        e.attrs.insert(0, ("mode".into(), "custom".into()));
    }
    for n in e.children.iter_mut() {
        let crate::model::xml::Node::Elem(k) = n else {
            continue;
        };
        match k.name.as_str() {
            "model" if k.attr("fallback").is_none() => {
                k.attrs.insert(0, ("fallback".into(), "allow".into()))
            }
            "feature" if k.attr("policy").is_none() => {
                k.attrs.insert(0, ("policy".into(), "require".into()))
            }
            "topology" if k.attr("dies").is_none() => {
                let at = k
                    .attrs
                    .iter()
                    .position(|(a, _)| a == "sockets")
                    .map_or(0, |i| i + 1);
                k.attrs.insert(at, ("dies".into(), "1".into()));
            }
            "numa" => {
                for cell in k.children.iter_mut() {
                    let crate::model::xml::Node::Elem(cell) = cell else {
                        continue;
                    };
                    let mem = cell.attr("memory").map(str::to_string);
                    if let Some(m) = mem {
                        let kib = scaled_kib(&m, cell.attr("unit"), "./@memory", MAX_MEMORY_KIB)?;
                        cell.attrs.retain(|(a, _)| a != "unit");
                        for (a, v) in cell.attrs.iter_mut() {
                            if a == "memory" {
                                *v = kib.to_string();
                            }
                        }
                        let at = cell
                            .attrs
                            .iter()
                            .position(|(a, _)| a == "memory")
                            .map_or(0, |i| i + 1);
                        cell.attrs.insert(at, ("unit".into(), "KiB".into()));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(e)
}

fn fix_seclabel(mut s: Element) -> Element {
    if s.attr("relabel").is_none() {
        match s.attr("type") {
            Some("static") => s.push_attr("relabel", "no"),
            Some("dynamic") => s.push_attr("relabel", "yes"),
            _ => {}
        }
        // keep libvirt's attribute order: type, model, relabel
        let order = ["type", "model", "relabel"];
        s.attrs
            .sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(9));
    }
    s
}

fn parse_clock(root: &Element) -> Result<Clock> {
    let mut clock = Clock::default();
    let Some(c) = root.child("clock") else {
        return Ok(clock);
    };
    if let Some(o) = c.attr("offset") {
        if !["utc", "localtime", "timezone", "variable", "absolute"].contains(&o) {
            return Err(Error::config_unsupported(format!(
                "unknown clock offset '{o}'"
            )));
        }
        clock.offset = o.to_string();
    }
    match clock.offset.as_str() {
        "utc" | "localtime" => {
            if let Some(a) = c.attr("adjustment") {
                if a == "reset" {
                    clock.adjustment = Some("reset".into());
                } else {
                    let n = crate::model::units::parse_i64(a).ok_or_else(|| {
                        Error::internal(format!("unknown clock adjustment '{a}'"))
                    })?;
                    clock.basis = Some(clock.offset.clone());
                    clock.offset = "variable".into();
                    clock.adjustment = Some(n.to_string());
                }
            }
        }
        "variable" => {
            let adj = match c.attr("adjustment") {
                Some(a) => crate::model::units::parse_i64(a)
                    .ok_or_else(|| Error::internal(format!("unknown clock adjustment '{a}'")))?,
                None => 0,
            };
            clock.adjustment = Some(adj.to_string());
            let basis = c.attr("basis").unwrap_or("utc");
            if basis != "utc" && basis != "localtime" {
                return Err(Error::config_unsupported(format!(
                    "unknown clock basis '{basis}'"
                )));
            }
            clock.basis = Some(basis.to_string());
        }
        "timezone" => {
            clock.timezone = Some(
                c.attr("timezone")
                    .ok_or_else(|| {
                        Error::internal(
                            "missing 'timezone' attribute for clock with offset='timezone'",
                        )
                    })?
                    .to_string(),
            );
        }
        "absolute" => {
            clock.start = Some(
                c.attr("start")
                    .ok_or_else(|| {
                        Error::internal(
                            "missing 'start' attribute for clock with offset='absolute'",
                        )
                    })?
                    .to_string(),
            );
        }
        _ => {}
    }
    clock.timers = canon_all(c, "timer", "timer")?;
    Ok(clock)
}

fn parse_os(
    root: &Element,
    os_el: Option<&Element>,
    machine: Option<String>,
    os_type: &str,
) -> Result<Os> {
    let _ = root;
    let mut os = Os {
        machine,
        ..Default::default()
    };
    let Some(o) = os_el else { return Ok(os) };
    os.firmware = o.attr("firmware").map(str::to_string);
    if let Some(l) = o.child("loader") {
        let mut l = spec("os/loader").canon(l)?;
        if os.firmware.is_some() {
            if l.attr("readonly").is_some() {
                return Err(Error::raw(
                    ErrorCode::XmlDetail,
                    ErrorDomain::Domain,
                    "loader attribute 'readonly' cannot be specified when firmware autoselection is enabled",
                ));
            }
        } else if l.attr("type").is_none() && !l.children.is_empty() {
            // A loader path without a type is a ROM image.
            let at = l.attrs.iter().position(|(k, _)| k == "secure").map_or(
                l.attrs
                    .iter()
                    .position(|(k, _)| k == "readonly")
                    .map_or(0, |i| i + 1),
                |i| i + 1,
            );
            l.attrs.insert(at, ("type".into(), "rom".into()));
        }
        os.loader = Some(l);
    }
    os.nvram = canon_child(o, "nvram", "os/nvram")?;
    os.firmware_features = canon_child(o, "firmware", "os/firmware")?;
    let text = |n: &str| o.child(n).map(|e| e.text()).filter(|t| !t.is_empty());
    os.kernel = text("kernel");
    os.initrd = text("initrd");
    os.cmdline = text("cmdline");
    os.dtb = text("dtb");
    os.root = text("root");
    os.acpi = canon_child(o, "acpi", "os/acpi")?;
    if os_type == "exe" {
        os.init = text("init");
        os.init_args = o.children_named("initarg").map(|e| e.text()).collect();
        for e in o.children_named("initenv") {
            os.init_env
                .push((e.attr("name").unwrap_or("").to_string(), e.text()));
        }
        os.init_dir = text("initdir");
        os.init_user = text("inituser");
        os.init_group = text("initgroup");
    }
    for b in o.children_named("boot") {
        if os.boot_devs.len() >= 4 {
            break;
        }
        let Some(dev) = b.attr("dev") else {
            return Err(Error::internal("missing boot device"));
        };
        if !["fd", "hd", "cdrom", "network"].contains(&dev) {
            return Err(bad_enum_attr("dev", "boot", dev));
        }
        os.boot_devs.push(dev.to_string());
    }
    if let Some(m) = o.child("bootmenu") {
        if let Some(en) = m.attr("enable") {
            if en != "yes" && en != "no" {
                return Err(bad_enum_attr("enable", "bootmenu", en));
            }
            os.bootmenu_enable = Some(en.to_string());
            if en == "yes" {
                if let Some(t) = m.attr("timeout") {
                    let n = parse_u64(t).filter(|n| *n <= 65535).ok_or_else(|| {
                        Error::xml(
                            "invalid value for boot menu timeout, must be in range [0,65535]",
                        )
                    })?;
                    os.bootmenu_timeout = Some(n as u32);
                }
            }
        }
    }
    if let Some(b) = o.child("bios") {
        os.bios_useserial = b.attr("useserial").map(str::to_string);
        if let Some(t) = b.attr("rebootTimeout") {
            let n = crate::model::units::parse_i64(t)
                .filter(|n| (-1..=65535).contains(n))
                .ok_or_else(|| {
                    Error::xml("invalid value for rebootTimeout, must be in range [-1,65535]")
                })?;
            os.bios_reboot_timeout = Some(n as i32);
        }
    }
    if let Some(s) = o.child("smbios") {
        os.smbios_mode = s.attr("mode").map(str::to_string);
    }
    Ok(os)
}

/// Disks and controllers end up in the order libvirt's one-by-one
/// insertion gives them (see `kin_order`).
fn parse_devices(def: &mut DomainDef, devs: &Element) -> Result<()> {
    def.emulator = devs
        .child("emulator")
        .map(|e| e.text())
        .filter(|t| !t.is_empty());
    // Sized up front: a disk is ~1 KiB, and growing by doubling would
    // leave room for four.
    let count = |name: &str| devs.children_named(name).count();
    def.disks.reserve_exact(count("disk"));
    def.interfaces.reserve_exact(count("interface"));
    let mut disk_order = KinOrder::new();
    let mut controller_order = KinOrder::new();
    for e in devs.elements() {
        if e.ns.is_some() {
            continue;
        }
        match e.name.as_str() {
            "disk" => {
                let d = disk::parse_disk(e)?;
                let number = disk::disk_name_to_index(&d.target_dev).map_or(-1, i64::from);
                disk_order.place(d.target_bus.clone(), Some(number));
                def.disks.push(d);
            }
            "controller" => {
                let c = devices::parse_controller(e)?;
                let number = (c.index != u32::MAX).then_some(i64::from(c.index));
                controller_order.place(c.ctype.clone(), number);
                def.controllers.push(c);
            }
            "interface" => def.interfaces.push(net::parse_interface(e)?),
            "serial" | "parallel" | "console" | "channel" => {
                let list = match e.name.as_str() {
                    "serial" => &mut def.serials,
                    "parallel" => &mut def.parallels,
                    "console" => &mut def.consoles,
                    _ => &mut def.channels,
                };
                let c = chr::parse_chardev(e, list)?;
                list.push(c);
            }
            "input" => def
                .inputs
                .push(devices::parse_input(e, &def.arch, &def.os_type)?),
            "graphics" => def.graphics.push(devices::parse_graphics(e)?),
            "video" => def.videos.push(devices::parse_video(e)?),
            "memballoon" => {
                if def.memballoon.is_none() {
                    let m = spec("memballoon").canon(e)?;
                    def.has_memballoon = m.attr("model") != Some("none");
                    def.memballoon = Some(m);
                }
            }
            name => {
                if let Some(d) = devices::parse_generic(name, e)? {
                    def.other_devices.push(d);
                }
            }
        }
    }
    def.disks = arrange(std::mem::take(&mut def.disks), &disk_order.order());
    def.controllers = arrange(
        std::mem::take(&mut def.controllers),
        &controller_order.order(),
    );
    Ok(())
}
