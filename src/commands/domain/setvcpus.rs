use crate::api::flags::vcpu;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "setvcpus",
    group: Group::Domain,
    summary: "change a domain's number of virtual CPUs",
    description: "Change how many virtual CPUs the domain has, or with --maximum \
--config the most it may have.",
    options: &[
        OptDef::DOMAIN,
        OptDef::data_number("count", "number of virtual CPUs"),
        OptDef::flag("maximum", "set the maximum (needs --config)"),
        super::AFFECT_OPTIONS[0],
        super::AFFECT_OPTIONS[1],
        super::AFFECT_OPTIONS[2],
        OptDef::flag("guest", "change the CPUs the guest has online"),
        OptDef::flag("hotpluggable", "make added CPUs hot-pluggable"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let mut flags = super::affect_flags(args)?;
    args.requires("maximum", "config")?;
    flags |= args.flags(&[
        ("maximum", vcpu::MAXIMUM),
        ("guest", vcpu::GUEST),
        ("hotpluggable", vcpu::HOTPLUGGABLE),
    ]);
    let dom = session.lookup_domain(args, "domain")?;
    let count = args.int::<u32>("count")?.unwrap_or(0);
    if count == 0 {
        return Err(CmdError::msg("Can't set 0 processors for a VM"));
    }
    let conn = session.conn()?;
    // Without flags virsh makes the older call, whose name errors carry.
    if flags == 0 {
        conn.domain_set_vcpus(&dom, count)?;
    } else {
        conn.domain_set_vcpus_flags(&dom, count, flags)?;
    }
    Ok(())
}
