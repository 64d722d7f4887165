//! Commands: one file per command, each a declaration and a `run`.

mod args;
pub mod def;
pub mod editor;
pub mod input;
pub mod moment_list;
pub mod session;
pub mod values;
pub mod virsh_names;

pub mod backup;
pub mod checkpoint;
pub mod domain;
pub mod host;
pub mod monitor;
pub mod snapshot;
pub mod virsh;

pub use args::Args;
pub use def::{CommandDef, Complete, Group, OptDef, OptKind};
pub use session::Session;

use crate::api;

/// A failed command: the lines virsh prints after `error: `, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdError {
    pub lines: Vec<String>,
    /// The libvirt error behind the failure, when there is one (for `--json`).
    pub cause: Option<api::Error>,
    /// A suggestion for a person at a terminal ("did you mean 'web01'?").
    pub hint: Option<String>,
}

impl CmdError {
    pub fn msg(text: impl Into<String>) -> CmdError {
        CmdError {
            lines: vec![text.into()],
            cause: None,
            hint: None,
        }
    }
    /// Prepends virsh's own context line, e.g. `Failed to start domain 'x'`.
    pub fn context(mut self, text: impl Into<String>) -> CmdError {
        self.lines.insert(0, text.into());
        self
    }
    /// Appends a further line (libvirt's own error after virsh's).
    pub fn also(mut self, text: impl Into<String>) -> CmdError {
        self.lines.push(text.into());
        self
    }
    /// Several lines, none from libvirt.
    pub fn lines(lines: Vec<String>) -> CmdError {
        CmdError {
            lines,
            cause: None,
            hint: None,
        }
    }
    /// Adds "did you mean …?" for `word` when a candidate is close to it.
    pub fn suggest<'a>(
        mut self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> CmdError {
        self.hint =
            crate::output::style::closest(word, candidates).map(|c| format!("did you mean '{c}'?"));
        self
    }
    /// A failure that prints nothing (the output already said it).
    pub fn silent() -> CmdError {
        CmdError {
            lines: Vec::new(),
            cause: None,
            hint: None,
        }
    }
    /// A failure the text leaves unsaid (virsh printed what it could), which
    /// `--json` still reports.
    pub fn unsaid(cause: api::Error) -> CmdError {
        CmdError {
            lines: Vec::new(),
            cause: Some(cause),
            hint: None,
        }
    }
}

impl CmdError {
    /// `{"error": {"code": …, "domain": …, "message": …}}` with libvirt's
    /// numbers (an invalid-argument error for virsh's own checks).
    pub fn to_json(&self) -> String {
        let (code, domain) = match &self.cause {
            Some(e) => (e.code as i32, e.domain as i32),
            None => (
                api::ErrorCode::InvalidArg as i32,
                api::ErrorDomain::None as i32,
            ),
        };
        let message = match (&self.cause, self.lines.is_empty()) {
            (Some(e), true) => e.message.clone(),
            _ => self.lines.join(": "),
        };
        let doc =
            serde_json::json!({ "error": { "code": code, "domain": domain, "message": message } });
        serde_json::to_string(&doc).unwrap_or_default()
    }
}

impl From<api::Error> for CmdError {
    fn from(e: api::Error) -> CmdError {
        CmdError {
            lines: vec![e.message.clone()],
            cause: Some(e),
            hint: None,
        }
    }
}

pub type CmdResult = Result<(), CmdError>;

/// Adds a context line to an API failure: `conn.x().map_err(failed("…"))?`.
pub fn failed(text: impl Into<String>) -> impl FnOnce(api::Error) -> CmdError {
    let text = text.into();
    move |e| CmdError::from(e).context(text)
}

/// Every command, in `help` order within each group.
pub fn all() -> &'static [&'static CommandDef] {
    static ALL: &[&CommandDef] = &[
        &domain::autostart::DEF,
        &domain::create::DEF,
        &domain::define::DEF,
        &domain::desc::DEF,
        &domain::destroy::DEF,
        &domain::domhostname::DEF,
        &domain::domid::DEF,
        &domain::domjobabort::DEF,
        &domain::domjobinfo::DEF,
        &domain::domname::DEF,
        &domain::domrename::DEF,
        &domain::domuuid::DEF,
        &domain::dumpxml::DEF,
        &domain::edit::DEF,
        &domain::managedsave::DEF,
        &domain::managedsave_remove::DEF,
        &domain::reboot::DEF,
        &domain::reset::DEF,
        &domain::restore::DEF,
        &domain::resume::DEF,
        &domain::save::DEF,
        &domain::setmaxmem::DEF,
        &domain::setmem::DEF,
        &domain::setvcpus::DEF,
        &domain::shutdown::DEF,
        &domain::start::DEF,
        &domain::suspend::DEF,
        &domain::undefine::DEF,
        &domain::vcpucount::DEF,
        &monitor::domblkinfo::DEF,
        &monitor::domblklist::DEF,
        &monitor::domiflist::DEF,
        &monitor::dominfo::DEF,
        &monitor::dommemstat::DEF,
        &monitor::domstate::DEF,
        &monitor::list::DEF,
        &host::capabilities::DEF,
        &host::hostname::DEF,
        &host::nodeinfo::DEF,
        &host::sysinfo::DEF,
        &host::uri::DEF,
        &host::version::DEF,
        &checkpoint::create::DEF,
        &checkpoint::create_as::DEF,
        &checkpoint::delete::DEF,
        &checkpoint::dumpxml::DEF,
        &checkpoint::edit::DEF,
        &checkpoint::info::DEF,
        &checkpoint::list::DEF,
        &checkpoint::parent::DEF,
        &snapshot::create::DEF,
        &snapshot::create_as::DEF,
        &snapshot::current::DEF,
        &snapshot::delete::DEF,
        &snapshot::dumpxml::DEF,
        &snapshot::edit::DEF,
        &snapshot::info::DEF,
        &snapshot::list::DEF,
        &snapshot::parent::DEF,
        &snapshot::revert::DEF,
        &backup::begin::DEF,
        &backup::dumpxml::DEF,
        &virsh::cd::DEF,
        &virsh::echo::DEF,
        &virsh::exit::DEF,
        &virsh::help::DEF,
        &virsh::pwd::DEF,
        &virsh::quit::DEF,
        &virsh::connect::DEF,
    ];
    ALL
}

/// Commands that run and have help, yet no listing, man page or completer
/// shows, as virsh hides them.
pub fn hidden() -> &'static [&'static CommandDef] {
    static HIDDEN: &[&CommandDef] = &[&virsh::complete::DEF];
    HIDDEN
}

pub fn find(name: &str) -> Option<&'static CommandDef> {
    all()
        .iter()
        .chain(hidden())
        .copied()
        .find(|c| c.name == name)
}
