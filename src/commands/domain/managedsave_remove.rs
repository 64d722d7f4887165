use crate::api::flags::list;
use crate::commands::{failed, Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "managedsave-remove",
    group: Group::Domain,
    summary: "discard a domain's managed save image",
    description: "Remove the managed save image, so the next start boots afresh.",
    options: &[OptDef::domain_where(list::MANAGEDSAVE)],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let shown = args.req("domain")?;
    let conn = session.conn()?.clone();
    let has_image = conn
        .domain_has_managed_save_image(&dom, 0)
        .map_err(failed("Failed to check for domain managed save image"))?;
    if !has_image {
        session.print_extra(&format!(
            "Domain '{}' has no manage save image; removal skipped",
            shown
        ));
        return Ok(());
    }
    conn.domain_managed_save_remove(&dom, 0)
        .map_err(failed(format!(
            "Failed to remove managed save image for domain '{shown}'"
        )))?;
    session.print_extra(&format!("Removed managedsave image for domain '{shown}'"));
    Ok(())
}
