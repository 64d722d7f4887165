use crate::api::log;
use crate::commands::input;
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::render::Render;

/// virsh's hidden `complete`, which libvirt's bash completion script asks
/// (`virsh complete -- WORD…`): what TAB would offer at the end of the words.
pub static DEF: CommandDef = CommandDef {
    name: "complete",
    group: Group::Virsh,
    summary: "what TAB would offer, for completion scripts",
    description: "Print, one a line, the completions of the last word given, the words \
before it being the command line so far. For shell completion scripts; not listed.",
    options: &[OptDef::argv(
        "string",
        "the words of the command line; the last is completed",
    )],
    // It closes standard input before connecting, so no credential prompt
    // can read the line being completed.
    needs_connection: false,
    run,
};

/// How the shell completes a line for this command: `(errors, candidates)`
/// for the line and the word at its end. The completer lives with the
/// shell's, which hands it over when it creates the session.
pub type Completer = fn(&mut Session, line: &str, text: &str) -> (Vec<String>, Vec<String>);

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let words = args.all("string");
    // Without words virsh fails without a word.
    let Some(text) = words.last() else {
        return Err(CmdError::silent());
    };
    if !input::close() {
        log::warning("virFileClose:129", "Tried to close invalid fd 0");
    }
    if !session.is_connected() {
        session.connect()?;
    }
    let completer = session.completer.ok_or_else(CmdError::silent)?;
    let (errors, candidates) = completer(session, &words.join(" "), text);
    if !errors.is_empty() {
        session.print_error_lines(&errors);
    }
    if candidates.is_empty() {
        return Err(CmdError::silent());
    }
    session.emit(&Candidates(candidates));
    Ok(())
}

/// One candidate a line; a JSON array under `--json`.
#[derive(serde::Serialize)]
#[serde(transparent)]
struct Candidates(Vec<String>);

impl Render for Candidates {
    fn text(&self, _quiet: bool) -> String {
        self.0.iter().map(|c| format!("{c}\n")).collect()
    }
}
