//! Writing `<domain>` in libvirt's element order.

use super::*;
use crate::model::canon::write;
use crate::model::xml::{dump_libxml, Node, Out};

/// libvirt's order for the canonically kept top-level sections that sit
/// before `<os>`, between `<os>` and `<clock>`, and after `<devices>`.
const BEFORE_VCPU: &[&str] = &["blkiotune", "memtune", "memoryBacking"];
const AFTER_IOTHREADS: &[&str] = &["cputune", "numatune", "resource", "sysinfo"];
const AFTER_OS: &[&str] = &["idmap", "features", "cpu"];
const AFTER_LIFECYCLE: &[&str] = &["pm", "perf"];
const AFTER_DEVICES: &[&str] = &["seclabel", "keywrap", "launchSecurity"];

pub fn format_domain(def: &DomainDef, opts: FormatOptions) -> String {
    let mut out = Out::new(0);
    format_into(def, opts, "domain", &mut out);
    out.s
}

/// Writes the domain into a document being formatted, as the root
/// element `root` at the document's current depth: libxml2 dumps the
/// metadata inside at that depth too, so the result cannot be had by
/// indenting a formatted domain.
pub fn format_into(def: &DomainDef, opts: FormatOptions, root: &str, out: &mut Out) {
    let mut t = out.open(root).attr("type", &def.virt_type);
    if let Some(id) = opts.id {
        t = t.attr_display("id", id);
    }
    t.start();
    out.text_elem("name", &def.name);
    out.text_elem("uuid", &def.uuid.to_string());
    if let Some(g) = &def.genid {
        out.text_elem("genid", g);
    }
    if let Some(t) = &def.title {
        out.text_elem("title", t);
    }
    if let Some(d) = &def.description {
        out.text_elem("description", d);
    }
    if let Some(md) = &def.metadata {
        format_metadata(out, md);
    }
    if let Some(m) = &def.max_memory {
        out.open("maxMemory")
            .attr_display("slots", m.slots)
            .attr("unit", "KiB")
            .text(&m.kib.to_string());
    }
    out.open("memory")
        .attr_opt("dumpCore", def.dump_core.as_deref())
        .attr("unit", "KiB")
        .text(&def.max_memory_kib.to_string());
    out.open("currentMemory")
        .attr("unit", "KiB")
        .text(&def.current_memory_kib.to_string());
    sections(out, def, BEFORE_VCPU);
    let mut t = out.open("vcpu").attr("placement", &def.vcpu_placement);
    t = t.attr_opt("cpuset", def.vcpu_cpuset.as_deref());
    if def.vcpus_current != def.vcpus_max {
        t = t.attr_display("current", def.vcpus_current);
    }
    t.text(&def.vcpus_max.to_string());
    sections(out, def, &["vcpus"]);
    if let Some(n) = def.iothreads {
        out.text_elem("iothreads", &n.to_string());
    }
    sections(out, def, &["iothreadids"]);
    sections(out, def, AFTER_IOTHREADS);
    if let Some(b) = &def.bootloader {
        out.text_elem("bootloader", b);
    }
    if let Some(b) = &def.bootloader_args {
        out.text_elem("bootloader_args", b);
    }
    format_os(out, def);
    sections(out, def, AFTER_OS);
    format_clock(out, &def.clock);
    out.text_elem("on_poweroff", &def.on_poweroff);
    out.text_elem("on_reboot", &def.on_reboot);
    out.text_elem("on_crash", &def.on_crash);
    if let Some(l) = &def.on_lockfailure {
        out.text_elem("on_lockfailure", l);
    }
    sections(out, def, AFTER_LIFECYCLE);
    format_devices(out, def, opts);
    sections(out, def, AFTER_DEVICES);
    out.close(root);
}

fn sections(out: &mut Out, def: &DomainDef, names: &[&str]) {
    for n in names {
        for s in def.sections.iter().filter(|s| s.name == *n) {
            // A few containers print open/close tags even when empty.
            if s.name == "features" {
                format_features(out, s);
            } else {
                write(out, s);
            }
        }
    }
}

fn format_features(out: &mut Out, f: &Element) {
    if f.children.is_empty() {
        out.line("<features>");
        out.line("</features>");
        return;
    }
    out.line("<features>");
    out.indent += 1;
    for n in &f.children {
        let Node::Elem(c) = n else { continue };
        if (c.name == "kvm" || c.name == "xen" || c.name == "hyperv" || c.name == "tcg")
            && c.children.is_empty()
        {
            let mut t = out.open(&c.name);
            for (k, v) in &c.attrs {
                t = t.attr(k, v);
            }
            t.start();
            out.close(&c.name);
        } else {
            write(out, c);
        }
    }
    out.close("features");
}

/// Writes `<metadata>` as libvirt does: children dumped by libxml2, with
/// namespaces they use but do not declare declared on `<metadata>`.
fn format_metadata(out: &mut Out, md: &[Element]) {
    let mut decls: Vec<(Option<String>, String)> = Vec::new();
    for e in md {
        undeclared(e, &mut Vec::new(), &mut decls);
    }
    let mut root = Element::new("metadata");
    root.children = md.iter().cloned().map(Node::Elem).collect();
    out.pad();
    dump_libxml(&root, out.indent, &decls, &mut out.s);
    out.s.push('\n');
}

/// Collects (prefix, uri) pairs used in `e` without a declaration in scope.
fn undeclared(
    e: &Element,
    scope: &mut Vec<Option<String>>,
    acc: &mut Vec<(Option<String>, String)>,
) {
    let pushed = e.ns_decls.len();
    for (p, _) in &e.ns_decls {
        scope.push(p.clone());
    }
    let mut need = |prefix: Option<&str>, uri: Option<&String>, scope: &Vec<Option<String>>| {
        let Some(uri) = uri else { return };
        let p = prefix.map(str::to_string);
        if p.as_deref() == Some("xml") || scope.contains(&p) || acc.iter().any(|(ap, _)| *ap == p) {
            return;
        }
        acc.push((p, uri.clone()));
    };
    need(e.prefix(), e.ns.as_ref(), scope);
    for (k, _) in &e.attrs {
        if let Some(i) = k.find(':') {
            let prefix = &k[..i];
            if let Some(uri) = e.attr_ns_uri(prefix) {
                need(Some(prefix), Some(&uri), scope);
            }
        }
    }
    for c in e.elements() {
        undeclared(c, scope, acc);
    }
    scope.truncate(scope.len() - pushed);
}

fn format_os(out: &mut Out, def: &DomainDef) {
    let os = &def.os;
    out.open("os")
        .attr_opt("firmware", os.firmware.as_deref())
        .start();
    // libvirt still calls Xen paravirt guests by their old name.
    let os_type = if def.virt_type == "xen" && def.os_type == "xen" {
        "linux"
    } else {
        def.os_type.as_str()
    };
    out.open("type")
        .attr("arch", &def.arch)
        .attr_opt("machine", os.machine.as_deref())
        .text(os_type);
    if let Some(f) = &os.firmware_features {
        write(out, f);
    }
    if let Some(i) = &os.init {
        out.text_elem("init", i);
    }
    for a in &os.init_args {
        out.text_elem("initarg", a);
    }
    for (k, v) in &os.init_env {
        out.open("initenv").attr("name", k).text(v);
    }
    if let Some(d) = &os.init_dir {
        out.text_elem("initdir", d);
    }
    if let Some(d) = &os.init_user {
        out.text_elem("inituser", d);
    }
    if let Some(d) = &os.init_group {
        out.text_elem("initgroup", d);
    }
    if let Some(l) = &os.loader {
        write(out, l);
    }
    if let Some(n) = &os.nvram {
        write(out, n);
    }
    for (n, v) in [
        ("kernel", &os.kernel),
        ("initrd", &os.initrd),
        ("cmdline", &os.cmdline),
        ("dtb", &os.dtb),
        ("root", &os.root),
    ] {
        if let Some(v) = v {
            out.text_elem(n, v);
        }
    }
    if let Some(a) = &os.acpi {
        write(out, a);
    }
    for b in &os.boot_devs {
        out.open("boot").attr("dev", b).empty();
    }
    if let Some(e) = &os.bootmenu_enable {
        let mut t = out.open("bootmenu").attr("enable", e);
        if let Some(to) = os.bootmenu_timeout {
            t = t.attr_display("timeout", to);
        }
        t.empty();
    }
    if os.bios_useserial.is_some() || os.bios_reboot_timeout.is_some() {
        let mut t = out
            .open("bios")
            .attr_opt("useserial", os.bios_useserial.as_deref());
        if let Some(r) = os.bios_reboot_timeout {
            t = t.attr_display("rebootTimeout", r);
        }
        t.empty();
    }
    if let Some(m) = &os.smbios_mode {
        out.open("smbios").attr("mode", m).empty();
    }
    out.close("os");
}

fn format_clock(out: &mut Out, c: &Clock) {
    let mut t = out.open("clock").attr("offset", &c.offset);
    t = t.attr_opt("adjustment", c.adjustment.as_deref());
    t = t.attr_opt("basis", c.basis.as_deref());
    t = t.attr_opt("timezone", c.timezone.as_deref());
    t = t.attr_opt("start", c.start.as_deref());
    if c.timers.is_empty() {
        t.empty();
        return;
    }
    t.start();
    for tm in &c.timers {
        write(out, tm);
    }
    out.close("clock");
}

fn format_devices(out: &mut Out, def: &DomainDef, opts: FormatOptions) {
    out.line("<devices>");
    out.indent += 1;
    if let Some(e) = &def.emulator {
        out.text_elem("emulator", e);
    }
    for d in &def.disks {
        disk::format_disk(out, d);
    }
    for c in &def.controllers {
        devices::format_controller(out, c);
    }
    devices::write_generic(out, def, devices::GENERIC_ORDER_A);
    for n in &def.interfaces {
        net::format_interface(out, n);
    }
    devices::write_generic(out, def, devices::GENERIC_ORDER_B);
    for c in &def.serials {
        chr::format_chardev(out, "serial", c);
    }
    for c in &def.parallels {
        chr::format_chardev(out, "parallel", c);
    }
    for c in &def.consoles {
        chr::format_chardev(out, "console", c);
    }
    for c in &def.channels {
        chr::format_chardev(out, "channel", c);
    }
    for i in &def.inputs {
        devices::format_input(out, i);
    }
    devices::write_generic(out, def, devices::GENERIC_ORDER_C);
    for g in &def.graphics {
        devices::format_graphics(out, g, opts.secure);
    }
    devices::write_generic(out, def, devices::GENERIC_ORDER_D);
    for v in &def.videos {
        devices::format_video(out, v);
    }
    devices::write_generic(out, def, devices::GENERIC_ORDER_E);
    match &def.memballoon {
        Some(m) => write(out, m),
        None if def.has_memballoon => out.line("<memballoon model='virtio'/>"),
        None => {}
    }
    devices::write_generic(out, def, devices::GENERIC_ORDER_F);
    out.close("devices");
}
