//! Character devices: `<serial>`, `<parallel>`, `<console>`, `<channel>`.

use super::*;
use crate::error::Error;
use crate::model::canon::{spec, write};
use crate::model::xml::Out;

const CHR_TYPES: &[&str] = &[
    "null",
    "vc",
    "pty",
    "dev",
    "file",
    "pipe",
    "stdio",
    "udp",
    "tcp",
    "unix",
    "spicevmc",
    "spiceport",
    "nmdm",
    "qemu-vdagent",
    "dbus",
];

/// Parses one character device. `earlier` are the devices of the same
/// kind already parsed (serial and parallel ports number after them).
pub fn parse_chardev(e: &Element, earlier: &[Chardev]) -> Result<Chardev> {
    let kind = e.name.as_str();
    let t = e.attr("type").unwrap_or("pty");
    if !CHR_TYPES.contains(&t) {
        return Err(Error::config_unsupported(format!(
            "unknown type presented to host for character device: {t}"
        )));
    }
    let sources = parse_sources(e, t)?;

    let protocol = match e.child("protocol") {
        Some(p) if t == "tcp" => Some(spec("chr/protocol").canon(p)?),
        _ if t == "tcp" => {
            let mut p = Element::new("protocol");
            p.push_attr("type", "raw");
            Some(p)
        }
        _ => None,
    };
    let log = match e.child("log") {
        Some(l) => Some(spec("chr/log").canon(l)?),
        None => None,
    };

    let target = e.child("target");
    let target_type = target.and_then(|t| t.attr("type")).map(str::to_string);
    let mut target_port = None;
    let mut target_name = None;
    let mut target_attrs = Vec::new();
    let mut target_model = None;
    if let Some(tg) = target {
        if let Some(p) = tg.attr("port") {
            if kind != "channel" {
                let n = crate::model::units::parse_u64(p)
                    .filter(|n| *n <= i32::MAX as u64)
                    .ok_or_else(|| Error::xml(format!("Invalid port number: {p}")))?;
                target_port = Some(n as u32);
            }
        }
        target_model = tg
            .child("model")
            .and_then(|m| m.attr("name"))
            .map(str::to_string);
    }
    match kind {
        "channel" => {
            let Some(tt) = target_type.as_deref() else {
                return Err(Error::xml(
                    "target type must be specified for channel device",
                ));
            };
            let tg = target.expect("type implies target");
            match tt {
                "guestfwd" => {
                    let addr = tg.attr("address");
                    let port = tg.attr("port");
                    if addr.is_none() {
                        return Err(Error::xml(
                            "guestfwd channel does not define a target address",
                        ));
                    }
                    if port.is_none() {
                        return Err(Error::xml("guestfwd channel does not define a target port"));
                    }
                    target_attrs.push(("address".into(), addr.unwrap_or("").into()));
                    target_attrs.push(("port".into(), port.unwrap_or("").into()));
                }
                "virtio" | "xen" => {
                    // The connection state is live-only and not kept.
                    target_name = tg.attr("name").map(str::to_string);
                }
                other => {
                    return Err(Error::xml(format!(
                        "unknown target type '{other}' specified for character device"
                    )));
                }
            }
        }
        "serial" | "parallel" => {
            if target_port.is_none() {
                let max = earlier.iter().filter_map(|c| c.target_port).max();
                target_port = Some(max.map_or(0, |m| m + 1));
            }
        }
        _ => {
            // A console's port is its position, whatever the document says.
            target_port = Some(earlier.len() as u32);
        }
    }

    Ok(Chardev {
        dev_type: t.to_string(),
        sources,
        protocol,
        log,
        target_type,
        target_port,
        target_name,
        target_attrs,
        target_model,
        info: DeviceInfo::parse(e, false)?,
    })
}

fn parse_sources(e: &Element, t: &str) -> Result<Vec<Element>> {
    let srcs: Vec<&Element> = e.children_named("source").collect();
    let first = srcs.first().copied();
    let get = |a: &str| first.and_then(|s| s.attr(a)).map(str::to_string);
    let mut out = Vec::new();
    let mut el = Element::new("source");
    match t {
        "file" | "dev" | "pipe" => {
            let Some(p) = get("path") else {
                return Err(Error::internal(
                    "Missing source path attribute for char device",
                ));
            };
            el.push_attr("path", p);
            if t == "file" {
                if let Some(a) = get("append") {
                    el.push_attr("append", a);
                }
            }
        }
        "tcp" => {
            let mode = get("mode").unwrap_or_else(|| "connect".into());
            let host = get("host");
            let service = get("service");
            if host.is_none() {
                return Err(Error::internal(
                    "Missing source host attribute for char device",
                ));
            }
            let Some(service) = service else {
                return Err(Error::internal(
                    "Missing source service attribute for char device",
                ));
            };
            el.push_attr("mode", mode);
            if let Some(h) = host {
                el.push_attr("host", h);
            }
            el.push_attr("service", service);
            if let Some(tls) = get("tls") {
                el.push_attr("tls", tls);
            }
            if let Some(r) = first.and_then(|s| s.child("reconnect")) {
                el.children.push(crate::model::xml::Node::Elem(
                    crate::model::canon::Spec::parse("reconnect[enabled,timeout]").canon(r)?,
                ));
            }
        }
        "udp" => {
            let mut bind: Option<Element> = None;
            let mut connect: Option<Element> = None;
            for s in &srcs {
                let mode = s.attr("mode").unwrap_or("connect");
                let mut x = Element::new("source");
                x.push_attr("mode", mode);
                for a in ["host", "service"] {
                    if let Some(v) = s.attr(a) {
                        x.push_attr(a, v);
                    }
                }
                if mode == "bind" {
                    bind.get_or_insert(x);
                } else {
                    connect.get_or_insert(x);
                }
            }
            if connect.as_ref().and_then(|c| c.attr("service")).is_none() {
                return Err(Error::internal(
                    "Missing source service attribute for char device",
                ));
            }
            out.extend(bind.filter(|b| b.attrs.len() > 1));
            out.extend(connect);
            return Ok(out);
        }
        "unix" => {
            let Some(p) = get("path") else { return Ok(out) };
            el.push_attr("mode", get("mode").unwrap_or_else(|| "connect".into()));
            el.push_attr("path", p);
            if let Some(r) = first.and_then(|s| s.child("reconnect")) {
                el.children.push(crate::model::xml::Node::Elem(
                    crate::model::canon::Spec::parse("reconnect[enabled,timeout]").canon(r)?,
                ));
            }
        }
        "spiceport" => {
            if let Some(c) = get("channel") {
                el.push_attr("channel", c);
            }
        }
        "nmdm" => {
            for a in ["master", "slave"] {
                if let Some(v) = get(a) {
                    el.push_attr(a, v);
                }
            }
        }
        _ => return Ok(out),
    }
    if !el.attrs.is_empty() {
        out.push(el);
    }
    Ok(out)
}

pub fn format_chardev(out: &mut Out, kind: &str, c: &Chardev) {
    out.open(kind).attr("type", &c.dev_type).start();
    for s in &c.sources {
        write(out, s);
    }
    if let Some(p) = &c.protocol {
        write(out, p);
    }
    if let Some(l) = &c.log {
        write(out, l);
    }
    let mut t = out.open("target");
    t = t.attr_opt("type", c.target_type.as_deref());
    if kind == "channel" {
        t = t.attr_opt("name", c.target_name.as_deref());
        for (k, v) in &c.target_attrs {
            t = t.attr(k, v);
        }
    } else if let Some(p) = c.target_port {
        t = t.attr_display("port", p);
    }
    match &c.target_model {
        Some(m) if kind == "serial" => {
            t.start();
            out.open("model").attr("name", m).empty();
            out.close("target");
        }
        _ => t.empty(),
    }
    c.info.write(out, false, false);
    out.close(kind);
}
