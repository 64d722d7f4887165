//! What marks a domain of a node file as tainted, as libvirt's test driver
//! decides when it loads the file (and only then), and the messages
//! `virDomainGetMessages` returns for it.

use crate::api::flags::message;
use crate::model::domain::DomainDef;

use super::errors::check_flags;
use super::state::DomainObj;

/// The taints the test driver can set, in libvirt's order of its taint
/// flags (which is the order messages come in), each with its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taint {
    HighPrivileges,
    ShellScripts,
    CdromPassthrough,
    CustomDtb,
    DeprecatedConfig,
}

impl Taint {
    const ALL: [Taint; 5] = [
        Taint::HighPrivileges,
        Taint::ShellScripts,
        Taint::CdromPassthrough,
        Taint::CustomDtb,
        Taint::DeprecatedConfig,
    ];

    fn bit(self) -> u32 {
        1 << self as u32
    }

    fn message(self) -> &'static str {
        match self {
            Taint::HighPrivileges => "running with undesirable elevated privileges",
            Taint::ShellScripts => "network configuration using opaque shell scripts",
            Taint::CdromPassthrough => "use of host cdrom passthrough",
            Taint::CustomDtb => "custom device tree blob used",
            Taint::DeprecatedConfig => "use of deprecated configuration settings",
        }
    }
}

/// The one CPU model the test driver calls deprecated.
const DEPRECATED_CPU_MODEL: &str = "Deprecated-Test";

/// Marks `obj` for what its definition uses. Marks only accumulate: a later
/// definition of the same domain never clears them.
pub fn check(obj: &mut DomainObj) {
    let def = obj.def();
    let mut found = Vec::new();
    let mut deprecations = Vec::new();
    for disk in &def.disks {
        if disk
            .disk_attrs
            .iter()
            .any(|(k, v)| k == "rawio" && v == "yes")
        {
            found.push(Taint::HighPrivileges);
        }
        if disk.device == "cdrom" && disk.disk_type == "block" && disk.source.is_some() {
            found.push(Taint::CdromPassthrough);
        }
    }
    let scsi_rawio = def.other_devices.iter().any(|dev| {
        dev.local() == "hostdev"
            && dev.attr("mode").unwrap_or("subsystem") == "subsystem"
            && dev.attr("type") == Some("scsi")
            && dev.attr("rawio") == Some("yes")
    });
    if scsi_rawio {
        found.push(Taint::HighPrivileges);
    }
    if def
        .interfaces
        .iter()
        .any(|net| net.extra.iter().any(|e| e.local() == "script"))
    {
        found.push(Taint::ShellScripts);
    }
    if let Some(model) = custom_cpu_model(def) {
        if model == DEPRECATED_CPU_MODEL {
            found.push(Taint::DeprecatedConfig);
            deprecations.push(format!("CPU model {model}"));
        }
    }
    if def.os.dtb.is_some() {
        found.push(Taint::CustomDtb);
    }
    for taint in found {
        obj.taints |= taint.bit();
    }
    obj.deprecations.extend(deprecations);
}

/// The model of a `<cpu>` in custom mode (the mode `<cpu>` has when none is given).
fn custom_cpu_model(def: &DomainDef) -> Option<String> {
    let cpu = def.sections.iter().find(|s| s.local() == "cpu")?;
    if cpu.attr("mode").unwrap_or("custom") != "custom" {
        return None;
    }
    cpu.child_text("model")
}

/// `virDomainGetMessages`: taint messages, then deprecation notes; no flag
/// asks for both.
pub fn messages(obj: &DomainObj, flags: u32) -> crate::api::Result<Vec<String>> {
    check_flags(
        flags,
        message::DEPRECATION | message::TAINTING,
        "testDomainGetMessages",
    )?;
    let both = flags == 0;
    let mut out = Vec::new();
    if both || flags & message::TAINTING != 0 {
        out.extend(
            Taint::ALL
                .iter()
                .filter(|t| obj.taints & t.bit() != 0)
                .map(|t| format!("tainted: {}", t.message())),
        );
    }
    if both || flags & message::DEPRECATION != 0 {
        out.extend(
            obj.deprecations
                .iter()
                .map(|d| format!("deprecated configuration: {d}")),
        );
    }
    Ok(out)
}
