use crate::api::BlockInfo;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::size::pretty3;
use crate::output::table::Table;

pub static DEF: CommandDef = CommandDef {
    name: "domblkinfo",
    group: Group::Monitor,
    summary: "show the sizes of a domain's block device",
    description: "Print the capacity, allocation and physical size of one disk, or of \
every disk with --all.",
    options: &[
        OptDef::DOMAIN,
        OptDef::string("device", "disk target or source path"),
        OptDef::flag("human", "print sizes with units"),
        OptDef::flag("all", "show every disk of the domain"),
    ],
    needs_connection: true,
    run,
};

fn size(bytes: u64, human: bool) -> String {
    if human {
        pretty3(bytes)
    } else {
        bytes.to_string()
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let human = args.has("human");
    args.exclusive("all", "device")?;
    let dom = session.lookup_domain(args, "domain")?;
    if !args.has("all") && args.raw("device").is_none_or(str::is_empty) {
        return Err(CmdError::msg("command 'domblkinfo' requires <device> option"));
    }
    let conn = session.conn()?.clone();
    if args.has("all") {
        let def = super::domain_def(session, &dom, false)?;
        let mut table = Table::new(&["Target", "Capacity", "Allocation", "Physical"]);
        for disk in &def.disks {
            // Disks without a source (an empty CD drive) have no sizes.
            let info = match &disk.source {
                None => None,
                Some(_) => Some(conn.domain_get_block_info(&dom, &disk.target_dev, 0)?),
            };
            let cells = match info {
                Some(BlockInfo { capacity, allocation, physical }) => {
                    vec![size(capacity, human), size(allocation, human), size(physical, human)]
                }
                None => vec!["-".into(), "-".into(), "-".into()],
            };
            let mut row = vec![disk.target_dev.clone()];
            row.extend(cells);
            table.row(row);
        }
        let text = table.render(session.quiet);
        session.print(&text);
        return Ok(());
    }
    let device = args.req("device")?;
    let info = conn.domain_get_block_info(&dom, device, 0)?;
    let text = format!(
        "{:<15} {}\n{:<15} {}\n{:<15} {}\n",
        "Capacity:", size(info.capacity, human),
        "Allocation:", size(info.allocation, human),
        "Physical:", size(info.physical, human),
    );
    session.print(&text);
    Ok(())
}
