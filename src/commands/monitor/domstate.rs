use serde::Serialize;

use crate::api::DomainState;
use crate::commands::values::{reason_word, StateWord};
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::render::Render;

pub static DEF: CommandDef = CommandDef {
    name: "domstate",
    group: Group::Monitor,
    summary: "print a domain's state",
    description: "Print the state of a domain, and with --reason why it is in it.",
    options: &[
        OptDef::DOMAIN,
        OptDef::flag("reason", "also print the reason for the state"),
    ],
    needs_connection: true,
    run,
};

/// A state and why the domain is in it (JSON always carries both).
#[derive(Serialize)]
struct StateReport {
    state: StateWord,
    reason: String,
    #[serde(skip)]
    reason_number: i32,
    #[serde(skip)]
    show_reason: bool,
}

impl Render for StateReport {
    fn text(&self, _quiet: bool) -> String {
        let state: DomainState = self.state.0;
        if self.show_reason {
            format!(
                "{} ({})\n",
                state.label(),
                state.reason_label(self.reason_number)
            )
        } else {
            format!("{}\n", state.label())
        }
    }
}

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let (state, reason) = session.conn()?.domain_get_state(&dom, 0)?;
    session.emit(&StateReport {
        state: StateWord(state),
        reason: reason_word(state, reason),
        reason_number: reason,
        show_reason: args.has("reason"),
    });
    Ok(())
}
