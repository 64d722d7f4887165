//! Calls that change a domain's settings on its live definition, its
//! persistent one, or both: memory, vCPUs, balloon period.

use crate::api::flags::{affect, mem, vcpu};
use crate::api::{Domain, Error, ErrorCode, ErrorDomain, Result};
use crate::model::domain::DomainDef;
use crate::model::xml::{Element, Node};

use super::errors::{self, check_flags, check_live_config_exclusive};
use super::host::MAX_VCPUS;
use super::state::State;

const SET_MEMORY: &str = "virDomainSetMemoryFlags";

impl State {
    /// Sets the current memory (or, with MAXIMUM, the maximum) of the
    /// definitions the flags address. The maximum of a running domain is fixed.
    pub fn set_memory_flags(&mut self, dom: &Domain, kib: u64, flags: u32) -> Result<()> {
        self.set_memory(dom, kib, flags, SET_MEMORY)
    }

    pub fn set_max_memory(&mut self, dom: &Domain, kib: u64) -> Result<()> {
        self.set_memory(dom, kib, mem::MAXIMUM, "virDomainSetMaxMemory")
    }

    fn set_memory(&mut self, dom: &Domain, kib: u64, flags: u32, api: &str) -> Result<()> {
        if kib == 0 {
            return Err(errors::must_not_be_zero("memory", api));
        }
        // The public API refuses what would not fit a signed 64-bit byte count.
        if kib >= i64::MAX as u64 / 1024 {
            return Err(Error::new(
                ErrorCode::Overflow,
                ErrorDomain::None,
                format!("input too large: {kib}"),
            ));
        }
        check_live_config_exclusive(flags)?;
        check_flags(
            flags,
            affect::LIVE | affect::CONFIG | mem::MAXIMUM,
            "testDomainSetMemoryFlags",
        )?;
        let obj = self.get_mut(dom)?;
        let which = obj.affected(flags)?;
        if flags & mem::MAXIMUM != 0 {
            if which.live {
                return Err(errors::operation_invalid(
                    "cannot resize the maximum memory on an active domain",
                ));
            }
            for def in obj.defs_mut(which) {
                def.max_memory_kib = kib;
                def.current_memory_kib = def.current_memory_kib.min(kib);
            }
            return Ok(());
        }
        let mut defs = obj.defs_mut(which);
        if defs.iter().any(|def| kib > def.max_memory_kib) {
            return Err(errors::invalid_arg(
                "cannot set memory higher than max memory",
            ));
        }
        for def in defs.iter_mut() {
            def.current_memory_kib = kib;
        }
        Ok(())
    }

    /// Sets the vCPU count; with MAXIMUM (config only) the ceiling, which
    /// pulls the current count down with it.
    pub fn set_vcpus_flags(&mut self, dom: &Domain, count: u32, flags: u32) -> Result<()> {
        if flags & vcpu::MAXIMUM != 0 && flags & affect::CONFIG == 0 {
            return Err(errors::required_flag(
                errors::AFFECT_CONFIG,
                "VIR_DOMAIN_VCPU_MAXIMUM",
            ));
        }
        if count == 0 {
            return Err(errors::must_not_be_zero("nvcpus", "virDomainSetVcpusFlags"));
        }
        check_flags(
            flags,
            affect::LIVE | affect::CONFIG | vcpu::MAXIMUM,
            "testDomainSetVcpusFlags",
        )?;
        if count > MAX_VCPUS {
            return Err(errors::invalid_arg(format!(
                "requested cpu amount exceeds maximum supported amount ({} > {MAX_VCPUS})",
                // libvirt prints the unsigned count as a C int.
                count as i32
            )));
        }
        let obj = self.get_mut(dom)?;
        let which = obj.affected(flags)?;
        let too_many = |max: u32| {
            errors::invalid_arg(format!(
                "requested cpu amount exceeds maximum ({count} > {max})"
            ))
        };
        if which.live {
            let max = obj.live.as_ref().map_or(0, |d| d.vcpus_max);
            if count > max {
                return Err(too_many(max));
            }
        }
        let maximum = flags & vcpu::MAXIMUM != 0;
        if which.config && !maximum {
            let max = obj.config.as_ref().map_or(0, |d| d.vcpus_max);
            if count > max {
                return Err(too_many(max));
            }
        }
        if which.live {
            if let Some(def) = obj.live.as_mut() {
                def.vcpus_current = count;
            }
        }
        if which.config {
            if let Some(def) = obj.config.as_mut() {
                if maximum {
                    def.vcpus_max = count;
                    def.vcpus_current = def.vcpus_current.min(count);
                } else {
                    def.vcpus_current = count;
                }
            }
        }
        Ok(())
    }

    pub fn get_vcpus_flags(&self, dom: &Domain, flags: u32) -> Result<i32> {
        check_live_config_exclusive(flags)?;
        check_flags(
            flags,
            affect::LIVE | affect::CONFIG | vcpu::MAXIMUM,
            "testDomainGetVcpusFlags",
        )?;
        let obj = self.get(dom)?;
        let which = obj.affected(flags)?;
        let def = obj.def_for(which);
        let n = if flags & vcpu::MAXIMUM != 0 {
            def.vcpus_max
        } else {
            def.vcpus_current
        };
        Ok(n as i32)
    }

    pub fn max_vcpus(&self, dom: &Domain) -> Result<i32> {
        let obj = self.get(dom)?;
        match obj.live.as_ref() {
            Some(def) => Ok(def.vcpus_max as i32),
            None => Err(errors::not_running()),
        }
    }

    /// Sets how often the balloon refreshes its statistics (0 turns it off).
    pub fn set_memory_stats_period(&mut self, dom: &Domain, period: i32, flags: u32) -> Result<()> {
        if period < 0 {
            return Err(errors::must_not_be_negative(
                "period",
                "virDomainSetMemoryStatsPeriod",
            ));
        }
        check_live_config_exclusive(flags)?;
        check_flags(
            flags,
            affect::LIVE | affect::CONFIG,
            "testDomainSetMemoryStatsPeriod",
        )?;
        let obj = self.get_mut(dom)?;
        let which = obj.affected(flags)?;
        let mut defs = obj.defs_mut(which);
        if defs.iter().any(|def| !def.has_memballoon) {
            return Err(errors::internal(
                "No memory balloon device configured, can not set the collection period",
            ));
        }
        for def in defs.iter_mut() {
            set_balloon_period(def, period);
        }
        Ok(())
    }
}

/// Writes `<stats period='N'/>` into the balloon (after any `<alias>`, as
/// libvirt orders it), or removes it for 0.
fn set_balloon_period(def: &mut DomainDef, period: i32) {
    let balloon = def.memballoon.get_or_insert_with(|| {
        let mut e = Element::new("memballoon");
        e.push_attr("model", "virtio");
        e
    });
    balloon
        .children
        .retain(|n| !matches!(n, Node::Elem(e) if e.name == "stats"));
    if period > 0 {
        let mut stats = Element::new("stats");
        stats.push_attr("period", period.to_string());
        let at = balloon
            .children
            .iter()
            .position(|n| !matches!(n, Node::Elem(e) if e.name == "alias"))
            .unwrap_or(balloon.children.len());
        balloon.children.insert(at, Node::Elem(stats));
    }
}
