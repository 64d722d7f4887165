//! `<interface>`: parse and format.

use super::parse::bad_enum_attr;
use super::*;
use crate::error::Error;
use crate::model::canon::{spec, write};
use crate::model::xml::{Node, Out};

const NET_TYPES: &[&str] = &[
    "user",
    "ethernet",
    "vhostuser",
    "server",
    "client",
    "mcast",
    "network",
    "bridge",
    "internal",
    "direct",
    "hostdev",
    "udp",
    "vdpa",
    "null",
    "vds",
];

/// Children kept canonically, in libvirt's output order; `target`,
/// `model` and the device info are written between them by position.
const EXTRA_BEFORE_TARGET: &[(&str, &str)] = &[
    ("vlan", "net/vlan"),
    ("virtualport", "net/virtualport"),
    ("bandwidth", "net/bandwidth"),
    ("port", "net/port"),
    ("ip", "net/ip"),
    ("route", "net/route"),
    ("script", "net/script"),
    ("downscript", "net/downscript"),
];
const EXTRA_AFTER_MODEL: &[(&str, &str)] = &[
    ("driver", "net/driver"),
    ("backend", "net/backend"),
    ("filterref", "net/filterref"),
    ("tune", "net/tune"),
    ("teaming", "net/teaming"),
    ("link", "net/link"),
    ("mtu", "net/mtu"),
    ("coalesce", "net/coalesce"),
];

/// Parses `aa:bb:…` (one or two hex digits per byte) into canonical
/// lower-case form.
pub fn parse_mac(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return None;
    }
    let mut bytes = [0u8; 6];
    for (b, p) in bytes.iter_mut().zip(&parts) {
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    let [a, b, c, d, e, f] = bytes;
    Some(format!("{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{f:02x}"))
}

/// The `<source>` attribute holding an interface's main source, by type.
fn source_attr(t: &str) -> Option<&'static str> {
    match t {
        "network" => Some("network"),
        "bridge" => Some("bridge"),
        "direct" | "vdpa" => Some("dev"),
        "internal" => Some("name"),
        "vhostuser" => Some("path"),
        "server" | "client" | "mcast" | "udp" => Some("address"),
        _ => None,
    }
}

pub fn parse_interface(e: &Element) -> Result<Interface> {
    let t = e.attr("type").unwrap_or("user");
    if !NET_TYPES.contains(&t) {
        return Err(bad_enum_attr("type", "interface", t));
    }
    let mut iface_attrs = Vec::new();
    if t == "hostdev" {
        if let Some(m) = e.attr("managed") {
            iface_attrs.push(("managed".into(), m.into()));
        }
    }
    if let Some(v) = e.attr("trustGuestRxFilters") {
        iface_attrs.push(("trustGuestRxFilters".into(), v.into()));
    }

    let mut mac_attrs = Vec::new();
    let mac = match e.child("mac") {
        Some(m) if m.attr("address").is_some() => {
            let raw = m.attr("address").unwrap_or("");
            let mac = parse_mac(raw)
                .ok_or_else(|| Error::xml(format!("unable to parse mac address '{raw}'")))?;
            if u8::from_str_radix(&mac[..2], 16).unwrap_or(0) & 1 == 1 {
                return Err(Error::xml(format!(
                    "expected unicast mac address, found multicast '{raw}'"
                )));
            }
            for a in ["type", "check"] {
                if let Some(v) = m.attr(a) {
                    mac_attrs.push((a.to_string(), v.to_string()));
                }
            }
            mac
        }
        _ => generate_mac(),
    };

    let src = e.child("source");
    let needs_source = matches!(t, "network" | "bridge" | "direct" | "internal" | "vdpa");
    if needs_source && src.is_none() {
        return Err(Error::xml(format!(
            "interface type='{t}' requires a 'source' element"
        )));
    }
    if let Some(s) = src {
        // libvirt reads these with a required-attribute lookup, in this order.
        let required: &[&str] = match t {
            "network" => &["network"],
            "bridge" => &["bridge"],
            "direct" | "vdpa" => &["dev"],
            "internal" => &["name"],
            "vhostuser" => &["type", "path", "mode"],
            "server" => &["port"],
            "client" | "mcast" | "udp" => &["address", "port"],
            _ => &[],
        };
        if let Some(a) = required.iter().find(|a| s.attr(a).is_none()) {
            return Err(Error::xml(format!(
                "Missing required attribute '{a}' in element 'source'"
            )));
        }
    }
    let mut source = None;
    let mut source_elem = None;
    if let Some(s) = src {
        let mut se = Element::new("source");
        let keep: &[&str] = match t {
            // portid is runtime state, dropped from definitions.
            "network" => &["network", "portgroup"],
            "bridge" => &["bridge"],
            "direct" => &["dev", "mode"],
            "internal" => &["name"],
            "vdpa" => &["dev"],
            "vhostuser" => &["type", "path", "mode"],
            "server" | "client" | "mcast" | "udp" => &["address", "port"],
            _ => &[],
        };
        for a in keep {
            if let Some(v) = s.attr(a) {
                se.push_attr(a, v);
            }
        }
        if t == "direct" && se.attr("mode").is_none() {
            se.push_attr("mode", "vepa");
        }
        match t {
            "udp" => {
                if let Some(l) = s.child("local") {
                    se.children.push(Node::Elem(
                        crate::model::canon::Spec::parse("local[address,port]").canon(l)?,
                    ));
                }
            }
            "vhostuser" => {
                if let Some(r) = s.child("reconnect") {
                    se.children.push(Node::Elem(
                        crate::model::canon::Spec::parse("reconnect[enabled,timeout]").canon(r)?,
                    ));
                }
            }
            "hostdev" => {
                if let Some(a) = s.child("address") {
                    if let Some(addr) = Address::parse(a, false)? {
                        se.children.push(Node::Elem(addr.to_element()));
                    }
                }
            }
            _ => {}
        }
        source = source_attr(t).and_then(|a| se.attr(a)).map(str::to_string);
        if !se.attrs.is_empty() || !se.children.is_empty() || t == "hostdev" {
            source_elem = Some(se);
        }
    }

    let mut target_dev = None;
    let mut target_managed = None;
    if let Some(tg) = e.child("target") {
        if let Some(d) = tg.attr("dev") {
            // Names libvirt generates itself are not kept in a definition.
            if !["vnet", "macvtap", "macvlan"]
                .iter()
                .any(|p| d.starts_with(p))
                && !d.is_empty()
            {
                target_dev = Some(d.to_string());
            }
        }
        target_managed = tg.attr("managed").map(str::to_string);
    }
    let model = e
        .child("model")
        .and_then(|m| m.attr("type"))
        .map(str::to_string);
    let virtio = model.as_deref().is_some_and(|m| m.starts_with("virtio"));

    let mut extra = Vec::new();
    for (n, k) in EXTRA_BEFORE_TARGET.iter().chain(EXTRA_AFTER_MODEL) {
        if *n == "driver" && !virtio {
            continue;
        }
        for c in e.children_named(n) {
            let mut x = spec(k).canon(c)?;
            match *n {
                "ip" if x.attr("family").is_none() => {
                    let fam = if x.attr("address").is_some_and(|a| a.contains(':')) {
                        "ipv6"
                    } else {
                        "ipv4"
                    };
                    let at = x
                        .attrs
                        .iter()
                        .position(|(a, _)| a == "address")
                        .map_or(0, |i| i + 1);
                    x.attrs.insert(at, ("family".into(), fam.into()));
                }
                "virtualport" => fill_virtualport(&mut x),
                _ => {}
            }
            extra.push(x);
        }
    }
    if let Some(g) = e.child("guest") {
        extra.push(spec("net/guest").canon(g)?);
    }

    Ok(Interface {
        iface_type: t.to_string(),
        mac,
        source,
        model,
        target_dev,
        iface_attrs,
        mac_attrs,
        source_elem,
        target_managed,
        info: DeviceInfo::parse(e, false)?,
        extra,
    })
}

/// libvirt generates the IDs a virtual port profile needs.
fn fill_virtualport(x: &mut Element) {
    let ty = x.attr("type").map(str::to_string);
    let mut params = match x
        .children
        .iter()
        .position(|n| matches!(n, Node::Elem(p) if p.name == "parameters"))
    {
        Some(i) => match x.children.remove(i) {
            Node::Elem(p) => p,
            _ => unreachable!(),
        },
        None => Element::new("parameters"),
    };
    let want: &[&str] = match ty.as_deref() {
        None => &["instanceid", "interfaceid"],
        Some("openvswitch") => &["interfaceid"],
        Some("802.1Qbh") => &[],
        Some("802.1Qbg") => &["instanceid"],
        Some("midonet") => &[],
        _ => &[],
    };
    for w in want {
        if params.attr(w).is_none() {
            params.push_attr(w, Uuid::new_v4().to_string());
        }
    }
    let order = [
        "managerid",
        "typeid",
        "typeidversion",
        "instanceid",
        "interfaceid",
        "profileid",
    ];
    params
        .attrs
        .sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(9));
    if !params.attrs.is_empty() {
        x.children.push(Node::Elem(params));
    }
}

pub fn format_interface(out: &mut Out, n: &Interface) {
    let mut t = out.open("interface").attr("type", &n.iface_type);
    for (k, v) in &n.iface_attrs {
        t = t.attr(k, v);
    }
    t.start();
    let mut m = out.open("mac").attr("address", &n.mac);
    for (k, v) in &n.mac_attrs {
        m = m.attr(k, v);
    }
    m.empty();
    if let Some(s) = source_element(n) {
        write(out, &s);
    }
    let extra = |out: &mut Out, name: &str| {
        for x in n.extra.iter().filter(|x| x.name == name) {
            write(out, x);
        }
    };
    for (name, _) in EXTRA_BEFORE_TARGET {
        extra(out, name);
    }
    if n.target_dev.is_some() || n.target_managed.is_some() {
        out.open("target")
            .attr_opt("dev", n.target_dev.as_deref())
            .attr_opt("managed", n.target_managed.as_deref())
            .empty();
    }
    extra(out, "guest");
    if let Some(m) = &n.model {
        out.open("model").attr("type", m).empty();
    }
    for (name, _) in EXTRA_AFTER_MODEL {
        extra(out, name);
    }
    n.info.write(out, true, true);
    out.close("interface");
}

fn source_element(n: &Interface) -> Option<Element> {
    let mut s = n
        .source_elem
        .clone()
        .unwrap_or_else(|| Element::new("source"));
    if let Some(a) = source_attr(&n.iface_type) {
        let pos = s.attrs.iter().position(|(k, _)| k == a);
        match (&n.source, pos) {
            (Some(v), Some(i)) => s.attrs[i].1 = v.clone(),
            (Some(v), None) => {
                let at = if n.iface_type == "vhostuser" {
                    1.min(s.attrs.len())
                } else {
                    0
                };
                s.attrs.insert(at, (a.to_string(), v.clone()));
            }
            (None, Some(i)) => {
                s.attrs.remove(i);
            }
            _ => {}
        }
    }
    if s.attrs.is_empty() && s.children.is_empty() && n.iface_type != "hostdev" {
        None
    } else {
        Some(s)
    }
}
