use crate::api::flags::list;
use serde::Serialize;

use crate::api::flags::checkpoint_list as lf;
use crate::api::ErrorCode;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Complete, Group, OptDef, Session};
use crate::output::render::Render;

pub static DEF: CommandDef = CommandDef {
    name: "checkpoint-info",
    group: Group::Checkpoint,
    summary: "show a checkpoint's basic information",
    description: "Print a checkpoint's parent and how many children and descendants it has.",
    options: &[
        OptDef::domain_where(list::HAS_CHECKPOINT),
        OptDef::string("checkpointname", "checkpoint name").completes(Complete::Checkpoint),
    ],
    needs_connection: true,
    run,
};

/// What checkpoint-info reports; the counts are missing when the server
/// cannot list children.
#[derive(Serialize)]
struct CheckpointInfo {
    name: String,
    domain: String,
    parent: Option<String>,
    children: Option<usize>,
    descendants: Option<usize>,
}

impl Render for CheckpointInfo {
    fn text(&self, _quiet: bool) -> String {
        let mut t = String::new();
        let mut line = |label: &str, value: &str| t.push_str(&format!("{label:<15} {value}\n"));
        line("Name:", &self.name);
        line("Domain:", &self.domain);
        line("Parent:", self.parent.as_deref().unwrap_or("-"));
        if let Some(n) = self.children {
            line("Children:", &n.to_string());
        }
        if let Some(n) = self.descendants {
            line("Descendants:", &n.to_string());
        }
        t
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let cp = super::lookup(session, args, &dom, "checkpointname")?;
    let conn = session.conn()?.clone();
    let parent = super::parent_name(&conn, &cp).map_err(|e| {
        // virsh prints the name and domain before it finds out (JSON has only the error).
        if !session.json() {
            session.print(&format!(
                "{:<15} {}\n{:<15} {}\n",
                "Name:", cp.name, "Domain:", dom.name
            ));
        }
        e.also("unexpected problem querying checkpoint state")
    })?;
    let mut info = CheckpointInfo {
        name: cp.name.clone(),
        domain: dom.name.clone(),
        parent,
        children: None,
        descendants: None,
    };
    let mut outcome = Ok(());
    match conn.domain_checkpoint_list_all_children(&cp, 0) {
        Ok(children) => {
            info.children = Some(children.len());
            match conn.domain_checkpoint_list_all_children(&cp, lf::DESCENDANTS) {
                Ok(all) => info.descendants = Some(all.len()),
                Err(e) => outcome = Err(CmdError::from(e)),
            }
        }
        // A server without child listing still gets the rest of the report.
        Err(e) if e.code == ErrorCode::NoSupport => {}
        Err(e) => outcome = Err(e.into()),
    }
    session.emit(&info);
    outcome
}
