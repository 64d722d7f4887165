//! What every command runs with: the (lazily opened) connection, the output
//! streams and the global settings from the command line.

use std::io::{self, BufWriter, Stdout, Write};

use super::input::TerminalAuth;
use super::{Args, CmdError};
use crate::api::{self, Connection, Domain, Uuid};
use crate::output::render::{json_document, Format, Render};
use crate::output::style;

pub struct Session {
    conn: Option<Connection>,
    /// The URI to open; `None` means the default URI.
    pub uri: Option<String>,
    /// Open the next connection read-only.
    pub readonly: bool,
    /// `-q`: suppress headers, banners, success messages and separators.
    pub quiet: bool,
    /// Commands come from a prompt (affects `cd` and the edit retry prompt).
    pub interactive: bool,
    /// Text as virsh prints it, or JSON documents.
    pub format: Format,
    /// `-d`: messages at this level and above are shown (0 debug … 4 errors only).
    pub debug_level: i32,
    /// The command running now, which debug messages name.
    pub command: &'static str,
    /// Keepalive interval and count; `forced` when the user asked for them,
    /// in which case a connection that cannot keep alive is refused.
    pub keepalive: Keepalive,
    /// How `complete` completes a line (the shell's completer).
    pub completer: Option<super::virsh::complete::Completer>,
    out: BufWriter<Stdout>,
    flush_each_command: bool,
}

impl Session {
    pub fn new(uri: Option<String>, readonly: bool, quiet: bool) -> Session {
        Session {
            conn: None,
            uri,
            readonly,
            quiet,
            interactive: false,
            format: Format::Text,
            debug_level: DEBUG_ERROR,
            command: "",
            keepalive: Keepalive {
                interval: 5,
                count: 6,
                forced: false,
            },
            completer: None,
            out: BufWriter::with_capacity(64 * 1024, io::stdout()),
            flush_each_command: output_order_shows(),
        }
    }

    /// The connection, opened on first use.
    pub fn conn(&mut self) -> Result<&Connection, CmdError> {
        if self.conn.is_none() {
            self.connect()?;
        }
        Ok(self.conn.as_ref().expect("connected"))
    }

    /// Opens (or re-opens) the connection to `self.uri`.
    pub fn connect(&mut self) -> Result<(), CmdError> {
        self.conn = None;
        let flags = if self.readonly { api::CONNECT_RO } else { 0 };
        // A driver may prompt for credentials: what was printed goes first.
        self.flush();
        let mut auth = TerminalAuth {
            prompt_on_stderr: self.format == Format::Json,
        };
        let conn = api::open_auth(self.uri.as_deref(), flags, Some(&mut auth))
            .map_err(|e| CmdError::from(e).context("failed to connect to the hypervisor"))?;
        let ka = self.keepalive;
        if ka.interval > 0 {
            if let Err(e) = conn.set_keep_alive(ka.interval, ka.count) {
                if ka.forced {
                    return Err(CmdError::from(e)
                        .context("failed to connect to the hypervisor")
                        .context(
                            "Cannot setup keepalive on connection as requested, disconnecting",
                        ));
                }
                self.debug(
                    DEBUG_INFO,
                    format_args!("Failed to setup keepalive on connection"),
                );
            }
        }
        self.conn = Some(conn);
        Ok(())
    }

    pub fn disconnect(&mut self) {
        self.conn = None;
    }

    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }

    /// The open connection, if any, without opening one (for completion).
    pub fn open_connection(&self) -> Option<&Connection> {
        self.conn.as_ref()
    }

    /// Takes over a connection to `self.uri` opened elsewhere (by completion),
    /// so the next command does not open a second one.
    pub fn adopt_connection(&mut self, conn: Connection) {
        if self.conn.is_none() {
            self.conn = Some(conn);
        }
    }

    /// Prints a result.
    pub fn print(&mut self, text: &str) {
        if let Err(e) = self.out.write_all(text.as_bytes()) {
            crate::stdio::write_failed(&e);
        }
    }

    /// A `-d` message, on stdout among the results as virsh prints them;
    /// formatted only when it is shown.
    pub fn debug(&mut self, level: i32, text: std::fmt::Arguments) {
        if level >= self.debug_level {
            if let Err(e) = self.out.write_fmt(text) {
                crate::stdio::write_failed(&e);
            }
            self.print("\n");
        }
    }

    /// Prints a command's result in the chosen format.
    pub fn emit<T: Render>(&mut self, value: &T) {
        match self.format {
            Format::Text => {
                let _ = value.write_text(self.quiet, &mut self.out);
            }
            Format::Json => self.print(&json_document(value)),
        }
    }

    /// Whether results are JSON documents (some values gather more facts then).
    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// Prints a message `-q` (and JSON output) suppresses: success messages, headers.
    pub fn print_extra(&mut self, text: &str) {
        if !self.quiet && self.format == Format::Text {
            self.print(text);
        }
    }

    /// Reports a failed command: `error: LINE` lines, or one JSON document.
    pub fn print_error(&mut self, e: &CmdError) {
        if self.format == Format::Json {
            self.flush();
            if !e.lines.is_empty() || e.cause.is_some() {
                crate::stdio::err(&format!("{}\n", e.to_json()));
            }
            return;
        }
        self.print_error_lines(&e.lines);
        self.print_hint(e);
    }

    /// Writes `error: LINE` for each line, after flushing results.
    pub fn print_error_lines(&mut self, lines: &[String]) {
        self.flush();
        let label = if style::get().stderr_color {
            style::red("error:")
        } else {
            "error:".to_string()
        };
        let text: String = lines.iter().map(|l| format!("{label} {l}\n")).collect();
        crate::stdio::err(&text);
    }

    /// Shows a failure's suggestion, to people only.
    fn print_hint(&mut self, e: &CmdError) {
        let style = style::get();
        if let (true, Some(hint)) = (style.hints, &e.hint) {
            let label = if style.stderr_color {
                style::cyan("hint:")
            } else {
                "hint:".to_string()
            };
            crate::stdio::err(&format!("{label} {hint}\n"));
        }
    }

    pub fn flush(&mut self) {
        if let Err(e) = self.out.flush() {
            crate::stdio::write_failed(&e);
        }
    }

    /// Flushes at the end of a command when someone could tell: at a
    /// terminal, or when standard error goes to the same file, where the
    /// order of the two streams shows (much else writes to standard error
    /// without going through the session). Otherwise output waits for the
    /// buffer to fill, the next error or prompt, or the end: a line of a
    /// million short commands is not a million writes.
    pub fn end_command(&mut self) {
        if self.flush_each_command {
            self.flush();
        }
    }

    /// Looks a domain up as virsh does: by id, then UUID, then name.
    pub fn lookup_domain(&mut self, args: &Args, option: &str) -> Result<Domain, CmdError> {
        self.lookup_domain_by(args, option, LookupBy::ALL)
    }

    /// Looks a domain up trying only the ways `by` allows.
    pub fn lookup_domain_by(
        &mut self,
        args: &Args,
        option: &str,
        by: LookupBy,
    ) -> Result<Domain, CmdError> {
        let key = args.req(option)?.to_string();
        let cmd = self.command;
        self.debug(
            DEBUG_INFO,
            format_args!("{cmd}: found option <{option}>: {key}"),
        );
        let conn = self.conn()?.clone();
        if let Some(id) = key.parse::<i32>().ok().filter(|id| by.id && *id >= 0) {
            self.debug(DEBUG_DEBUG, format_args!("{cmd}: <{option}> looks like ID"));
            if let Ok(d) = conn.domain_lookup_by_id(id) {
                return Ok(d);
            }
        }
        if by.uuid && key.len() == 36 {
            self.debug(
                DEBUG_DEBUG,
                format_args!("{cmd}: <{option}> trying as domain UUID"),
            );
            if let Some(d) = Uuid::parse_str(&key)
                .ok()
                .and_then(|u| conn.domain_lookup_by_uuid(&u).ok())
            {
                return Ok(d);
            }
        }
        let mut cause = api::Error::no_domain(format!("no domain with matching name '{key}'"));
        if by.name {
            self.debug(
                DEBUG_DEBUG,
                format_args!("{cmd}: <{option}> trying as domain NAME"),
            );
            match conn.domain_lookup_by_name(&key) {
                Ok(d) => return Ok(d),
                // The driver's numbers, for `--json` (the text is virsh's line).
                Err(e) => (cause.code, cause.domain) = (e.code, e.domain),
            }
        }
        let mut failure = CmdError {
            lines: vec![format!("failed to get domain '{key}'")],
            cause: Some(cause),
            hint: None,
        };
        // Only a person at a terminal gets a suggestion; it costs a listing.
        if style::get().hints {
            if let Ok(all) = conn.list_all_domains(0) {
                failure = failure.suggest(&key, all.iter().map(|d| d.name.as_str()));
            }
        }
        Err(failure)
    }
}

/// Which ways of naming a domain a command accepts.
#[derive(Debug, Clone, Copy)]
pub struct LookupBy {
    pub id: bool,
    pub uuid: bool,
    pub name: bool,
}

impl LookupBy {
    pub const ALL: LookupBy = LookupBy {
        id: true,
        uuid: true,
        name: true,
    };
}

/// virsh's debug levels (`-d`).
pub const DEBUG_DEBUG: i32 = 0;
pub const DEBUG_INFO: i32 = 1;
pub const DEBUG_ERROR: i32 = 4;

#[derive(Debug, Clone, Copy)]
pub struct Keepalive {
    pub interval: i32,
    pub count: u32,
    pub forced: bool,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Whether standard output is a terminal or the same file as standard error.
fn output_order_shows() -> bool {
    use std::io::IsTerminal;
    use std::os::fd::AsRawFd;
    if io::stdout().is_terminal() {
        return true;
    }
    let identity = |fd: i32| {
        // SAFETY: fstat fills a plain struct for an open descriptor.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        (unsafe { libc::fstat(fd, &mut st) } == 0).then_some((st.st_dev, st.st_ino))
    };
    let out = identity(io::stdout().as_raw_fd());
    out.is_none() || out == identity(io::stderr().as_raw_fd())
}
