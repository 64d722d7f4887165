use serde::Serialize;

use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::render::Render;
use crate::output::table::Table;

pub static DEF: CommandDef = CommandDef {
    name: "domblklist",
    group: Group::Monitor,
    summary: "list a domain's block devices",
    description: "List the disks of a domain: target and source, and with --details \
their type and device kind.",
    options: &[
        OptDef::DOMAIN,
        OptDef::flag("inactive", "read the next-boot configuration"),
        OptDef::flag("details", "add the type and device columns"),
    ],
    needs_connection: true,
    run,
};

/// One disk; JSON always carries every column.
#[derive(Serialize)]
struct Disk {
    #[serde(rename = "type")]
    disk_type: String,
    device: String,
    target: String,
    source: Option<String>,
}

#[derive(Serialize)]
#[serde(transparent)]
struct DiskList {
    disks: Vec<Disk>,
    #[serde(skip)]
    details: bool,
}

impl Render for DiskList {
    fn text(&self, quiet: bool) -> String {
        let mut table = if self.details {
            Table::new(&["Type", "Device", "Target", "Source"])
        } else {
            Table::new(&["Target", "Source"])
        };
        for disk in &self.disks {
            let source = disk.source.clone().unwrap_or_else(|| "-".to_string());
            if self.details {
                table.row(vec![
                    disk.disk_type.clone(),
                    disk.device.clone(),
                    disk.target.clone(),
                    source,
                ]);
            } else {
                table.row(vec![disk.target.clone(), source]);
            }
        }
        table.render(quiet)
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let def = super::domain_def(session, &dom, args.has("inactive"))?;
    let disks = def
        .disks
        .into_iter()
        .map(|d| Disk {
            disk_type: d.disk_type,
            device: d.device,
            target: d.target_dev,
            source: d.source,
        })
        .collect();
    session.emit(&DiskList {
        disks,
        details: args.has("details"),
    });
    Ok(())
}
