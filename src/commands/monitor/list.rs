use crate::api::flags::list as f;
use crate::api::{Domain, DomainState};
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session, failed};
use crate::output::table::Table;

pub static DEF: CommandDef = CommandDef {
    name: "list",
    group: Group::Monitor,
    summary: "list domains",
    description: "List running domains, or all of them with --all, optionally filtered.",
    options: &[
        OptDef::flag("inactive", "only domains that are not running"),
        OptDef::flag("all", "running and inactive domains"),
        OptDef::flag("transient", "only transient domains"),
        OptDef::flag("persistent", "only persistent domains"),
        OptDef::flag("with-snapshot", "only domains that have snapshots"),
        OptDef::flag("without-snapshot", "only domains without snapshots"),
        OptDef::flag("with-checkpoint", "only domains that have checkpoints"),
        OptDef::flag("without-checkpoint", "only domains without checkpoints"),
        OptDef::flag("state-running", "only running domains"),
        OptDef::flag("state-paused", "only paused domains"),
        OptDef::flag("state-shutoff", "only shut-off domains"),
        OptDef::flag("state-other", "only domains in other states"),
        OptDef::flag("autostart", "only domains that start with the host"),
        OptDef::flag("no-autostart", "only domains that do not start with the host"),
        OptDef::flag("with-managed-save", "only domains with a managed save image"),
        OptDef::flag("without-managed-save", "only domains without a managed save image"),
        OptDef::flag("uuid", "print UUIDs instead of a table"),
        OptDef::flag("name", "print names instead of a table"),
        OptDef::flag("id", "print ids instead of a table"),
        OptDef::flag("table", "print a table (the default)"),
        OptDef::flag("managed-save", "show 'saved' for domains with a managed save image"),
        OptDef::flag("title", "add a column with each domain's title"),
    ],
    needs_connection: true,
    run,
};

const FILTERS: &[(&str, u32)] = &[
    ("persistent", f::PERSISTENT),
    ("transient", f::TRANSIENT),
    ("with-managed-save", f::MANAGEDSAVE),
    ("without-managed-save", f::NO_MANAGEDSAVE),
    ("autostart", f::AUTOSTART),
    ("no-autostart", f::NO_AUTOSTART),
    ("with-snapshot", f::HAS_SNAPSHOT),
    ("without-snapshot", f::NO_SNAPSHOT),
    ("with-checkpoint", f::HAS_CHECKPOINT),
    ("without-checkpoint", f::NO_CHECKPOINT),
    ("state-running", f::RUNNING),
    ("state-paused", f::PAUSED),
    ("state-shutoff", f::SHUTOFF),
    ("state-other", f::OTHER),
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    args.exclusive("table", "name")?;
    args.exclusive("table", "id")?;
    args.exclusive("table", "uuid")?;
    let mut flags = f::ACTIVE;
    if args.has("inactive") || args.has("state-shutoff") {
        flags = f::INACTIVE;
    }
    if args.has("all") {
        flags = f::ACTIVE | f::INACTIVE;
    }
    flags |= args.flags(FILTERS);
    let conn = session.conn()?.clone();
    let mut domains = conn.list_all_domains(flags).map_err(failed("Failed to list domains"))?;
    sort_like_virsh(&mut domains);

    let (by_uuid, by_name, by_id) = (args.has("uuid"), args.has("name"), args.has("id"));
    if !(by_uuid || by_name || by_id) {
        let mut header = vec!["Id", "Name", "State"];
        if args.has("title") {
            header.push("Title");
        }
        let mut table = Table::new(&header);
        for dom in &domains {
            let mut row = vec![id_text(dom), dom.name.clone(), state_text(&conn, dom, args.has("managed-save"))];
            if args.has("title") {
                row.push(conn.domain_get_metadata(dom, crate::api::flags::metadata::TITLE, None, 0).unwrap_or_default());
            }
            table.row(row);
        }
        let text = table.render(session.quiet);
        session.print(&text);
        return Ok(());
    }
    let mut text = String::new();
    for dom in &domains {
        // `--id` alone lists running domains only.
        if by_id && !by_uuid && !by_name && !dom.is_active() {
            continue;
        }
        let mut fields = Vec::new();
        if by_uuid {
            fields.push(dom.uuid.to_string());
        }
        if by_id {
            fields.push(id_text(dom));
        }
        if by_name {
            fields.push(dom.name.clone());
        }
        text.push_str(&fields.join(" "));
        text.push('\n');
    }
    session.print(&text);
    Ok(())
}

fn id_text(dom: &Domain) -> String {
    if dom.is_active() {
        dom.id.to_string()
    } else {
        "-".to_string()
    }
}

fn state_text(conn: &crate::api::Connection, dom: &Domain, show_saved: bool) -> String {
    match conn.domain_get_state(dom, 0) {
        Ok((DomainState::Shutoff, _))
            if show_saved && conn.domain_has_managed_save_image(dom, 0).unwrap_or(false) =>
        {
            "saved".to_string()
        }
        Ok((state, _)) => state.label().to_string(),
        Err(_) => "no state".to_string(),
    }
}

/// Running domains by id, then inactive ones by name, ignoring case.
fn sort_like_virsh(domains: &mut [Domain]) {
    domains.sort_by(|a, b| match (a.is_active(), b.is_active()) {
        (true, true) => a.id.cmp(&b.id),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
    });
}
