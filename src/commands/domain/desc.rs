use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::api::flags::{metadata, xml};
use crate::commands::editor::EditFile;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::render::Render;

pub static DEF: CommandDef = CommandDef {
    name: "desc",
    group: Group::Domain,
    summary: "show or change a domain's description or title",
    description: "Print the domain's description (or title), or set it from the \
words given or in an editor.",
    options: &[
        OptDef::DOMAIN,
        OptDef::flag("live", "the running domain's"),
        OptDef::flag("config", "the next-boot configuration's"),
        OptDef::flag("current", "the domain's as it is now"),
        OptDef::flag("title", "the title rather than the description"),
        OptDef::flag("edit", "edit the text in your editor"),
        OptDef::argv("new-desc", "the new text"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let flags = super::affect_flags(args)?;
    let dom = session.lookup_domain(args, "domain")?;
    let conn = session.conn()?.clone();
    let title = args.has("title");
    let (kind, what) = if title {
        (metadata::TITLE, "title")
    } else {
        (metadata::DESCRIPTION, "description")
    };
    let words = args.all("new-desc");
    let xml_flags = if args.has("config") { xml::INACTIVE } else { 0 };
    let current = || -> Result<String, CmdError> {
        let def = crate::commands::monitor::domain_def_with(&conn, &dom, xml_flags)?;
        Ok(if title { def.title } else { def.description }.unwrap_or_default())
    };
    let new_text = if args.has("edit") {
        let old = current()?;
        // The words given, if any, are the starting text in the editor.
        let start = if words.is_empty() {
            old.clone()
        } else {
            words.join(" ")
        };
        let file = EditFile::create(&start)?;
        let edited = file.edit(session)?;
        if edited == old {
            session.print_extra(&format!("Domain {what} not changed\n"));
            return Ok(());
        }
        Some(edited)
    } else if words.is_empty() {
        None
    } else {
        Some(words.join(" "))
    };
    match new_text {
        Some(text) => {
            // virsh reads the definition it is about to change first, so a
            // transient domain's missing config fails there, without context.
            current()?;
            conn.domain_set_metadata(&dom, kind, Some(&text), None, None, flags)
                .map_err(|e| {
                    CmdError::from(e).context(format!("Failed to set new domain {what}"))
                })?;
            let label = if title {
                "Domain title"
            } else {
                "Domain description"
            };
            session.print_extra(&format!("{label} updated successfully"));
        }
        None => {
            let text = current()?;
            session.emit(&Description {
                key: what,
                text,
                domain: dom.name.clone(),
            });
        }
    }
    Ok(())
}

/// The description or title: `{"description": "…"}` / `{"title": "…"}`
/// (an empty string when there is none).
struct Description {
    key: &'static str,
    text: String,
    domain: String,
}

impl Serialize for Description {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.key, &self.text)?;
        map.end()
    }
}

impl Render for Description {
    fn text(&self, quiet: bool) -> String {
        match (self.text.is_empty(), quiet) {
            (false, _) => self.text.clone(),
            (true, true) => String::new(),
            (true, false) => format!("No {} for domain: {}", self.key, self.domain),
        }
    }
}
