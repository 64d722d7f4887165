use serde::Serialize;

use crate::api::BlockInfo;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::fields::Fields;
use crate::output::render::Render;
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

/// One disk's sizes in bytes (`--human` changes only the text).
#[derive(Serialize)]
struct BlockSizes {
    capacity: u64,
    allocation: u64,
    physical: u64,
    #[serde(skip)]
    human: bool,
}

/// `--all`: every disk by target; a disk without a source has no sizes (null).
#[derive(Serialize)]
struct DiskSizes {
    target: String,
    capacity: Option<u64>,
    allocation: Option<u64>,
    physical: Option<u64>,
}

#[derive(Serialize)]
#[serde(transparent)]
struct AllDiskSizes {
    disks: Vec<DiskSizes>,
    #[serde(skip)]
    human: bool,
}

fn size(bytes: u64, human: bool) -> String {
    if human {
        pretty3(bytes)
    } else {
        bytes.to_string()
    }
}

impl Render for BlockSizes {
    fn text(&self, _quiet: bool) -> String {
        Fields::new(15)
            .line("Capacity:", size(self.capacity, self.human))
            .line("Allocation:", size(self.allocation, self.human))
            .line("Physical:", size(self.physical, self.human))
            .finish()
    }
}

impl Render for AllDiskSizes {
    fn text(&self, quiet: bool) -> String {
        let mut table = Table::new(&["Target", "Capacity", "Allocation", "Physical"]);
        let cell = |v: Option<u64>| v.map_or_else(|| "-".to_string(), |b| size(b, self.human));
        for disk in &self.disks {
            table.row(vec![
                disk.target.clone(),
                cell(disk.capacity),
                cell(disk.allocation),
                cell(disk.physical),
            ]);
        }
        table.render(quiet)
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let human = args.has("human");
    args.exclusive("all", "device")?;
    let dom = session.lookup_domain(args, "domain")?;
    if !args.has("all") && args.raw("device").is_none_or(str::is_empty) {
        return Err(CmdError::msg(
            "command 'domblkinfo' requires <device> option",
        ));
    }
    let conn = session.conn()?.clone();
    if args.has("all") {
        let def = super::domain_def(session, &dom, false)?;
        let mut disks = Vec::new();
        for disk in def.disks {
            // Disks without a source (an empty CD drive) have no sizes.
            let info = match &disk.source {
                None => None,
                Some(_) => Some(conn.domain_get_block_info(&dom, &disk.target_dev, 0)?),
            };
            disks.push(DiskSizes {
                target: disk.target_dev,
                capacity: info.as_ref().map(|i| i.capacity),
                allocation: info.as_ref().map(|i| i.allocation),
                physical: info.as_ref().map(|i| i.physical),
            });
        }
        session.emit(&AllDiskSizes { disks, human });
        return Ok(());
    }
    let device = args.req("device")?;
    let BlockInfo {
        capacity,
        allocation,
        physical,
    } = conn.domain_get_block_info(&dom, device, 0)?;
    session.emit(&BlockSizes {
        capacity,
        allocation,
        physical,
        human,
    });
    Ok(())
}
