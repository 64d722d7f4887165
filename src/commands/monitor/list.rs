use serde::Serialize;

use crate::api::flags::{list as f, metadata};
use crate::api::{Connection, Domain, DomainState};
use crate::commands::values::DomainRef;
use crate::commands::{failed, Args, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::render::Render;
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
        OptDef::flag(
            "no-autostart",
            "only domains that do not start with the host",
        ),
        OptDef::flag(
            "with-managed-save",
            "only domains with a managed save image",
        ),
        OptDef::flag(
            "without-managed-save",
            "only domains without a managed save image",
        ),
        OptDef::flag("uuid", "print UUIDs instead of a table"),
        OptDef::flag("name", "print names instead of a table"),
        OptDef::flag("id", "print ids instead of a table"),
        OptDef::flag("table", "print a table (the default)"),
        OptDef::flag(
            "managed-save",
            "show 'saved' for domains with a managed save image",
        ),
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

/// One listed domain.
#[derive(Serialize)]
struct Entry {
    #[serde(flatten)]
    domain: DomainRef,
    /// `running`, `shutoff`, … (`saved` with --managed-save)
    state: String,
    #[serde(skip)]
    state_label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
}

/// Which of virsh's layouts to print.
#[derive(Clone, Copy)]
struct Layout {
    uuid: bool,
    name: bool,
    id: bool,
    title: bool,
}

#[derive(Serialize)]
#[serde(transparent)]
struct Listing {
    entries: Vec<Entry>,
    #[serde(skip)]
    layout: Layout,
}

impl Render for Listing {
    fn text(&self, quiet: bool) -> String {
        let Layout {
            uuid,
            name,
            id,
            title,
        } = self.layout;
        if !(uuid || name || id) {
            let mut header = vec!["Id", "Name", "State"];
            if title {
                header.push("Title");
            }
            let mut table = Table::new(&header);
            for e in &self.entries {
                let mut row = vec![
                    e.domain.id_text(),
                    e.domain.name.clone(),
                    e.state_label.clone(),
                ];
                if title {
                    row.push(e.title.clone().unwrap_or_default());
                }
                table.row(row);
            }
            return table.render(quiet);
        }
        let mut text = String::new();
        for e in &self.entries {
            // `--id` alone lists running domains only.
            if id && !uuid && !name && e.domain.id.is_none() {
                continue;
            }
            let mut fields = Vec::new();
            if uuid {
                fields.push(e.domain.uuid.clone());
            }
            if id {
                fields.push(e.domain.id_text());
            }
            if name {
                fields.push(e.domain.name.clone());
            }
            text.push_str(&fields.join(" "));
            text.push('\n');
        }
        text
    }
}

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
    let mut domains = conn
        .list_all_domains(flags)
        .map_err(failed("Failed to list domains"))?;
    sort_like_virsh(&mut domains);
    let layout = Layout {
        uuid: args.has("uuid"),
        name: args.has("name"),
        id: args.has("id"),
        title: args.has("title"),
    };
    let table = !(layout.uuid || layout.name || layout.id);
    let entries = domains
        .iter()
        .map(|dom| {
            // Only the table shows states; plain name/id/uuid lists need no more calls.
            let (state, state_label) = if table || session.json() {
                state_of(&conn, dom, args.has("managed-save"))
            } else {
                (String::new(), String::new())
            };
            Entry {
                domain: DomainRef::from(dom),
                state,
                state_label,
                title: layout.title.then(|| {
                    conn.domain_get_metadata(dom, metadata::TITLE, None, 0)
                        .unwrap_or_default()
                }),
            }
        })
        .collect();
    session.emit(&Listing { entries, layout });
    Ok(())
}

/// The state as a JSON word and as virsh's label.
fn state_of(conn: &Connection, dom: &Domain, show_saved: bool) -> (String, String) {
    match conn.domain_get_state(dom, 0) {
        Ok((DomainState::Shutoff, _))
            if show_saved && conn.domain_has_managed_save_image(dom, 0).unwrap_or(false) =>
        {
            ("saved".to_string(), "saved".to_string())
        }
        Ok((state, _)) => (state.word().to_string(), state.label().to_string()),
        Err(_) => ("nostate".to_string(), "no state".to_string()),
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
