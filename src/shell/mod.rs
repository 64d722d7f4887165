//! The front end: global options, one-shot and command-string modes, the
//! interactive loop, and running parsed commands with virsh's separators,
//! timing and exit status.

mod argv_complete;
pub mod cli_model;
pub mod complete;
mod generate;
pub mod globals;
pub mod interactive;
pub mod lexer;
mod manpage;
pub mod parse;
pub mod usage;

use std::time::Instant;

use crate::commands::session::{Keepalive, DEBUG_INFO};
use crate::commands::{CmdError, Session};
use crate::output::render::Format;
use crate::output::style;
use globals::{Globals, Invocation};
use parse::ParsedCommand;

/// The libvirt release whose virsh behaviour virtsh reproduces.
pub const COMPAT_VERSION: &str = "9.0.0";

/// What running one command means for the rest of the input.
pub enum Flow {
    Continue { ok: bool },
    Quit,
}

/// Runs virtsh with the process's arguments; returns the exit status.
pub fn main() -> i32 {
    crate::signals::install();
    crate::drivers::register();
    crate::output::table::init_locale();
    let argv: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // Hidden helpers for the completion scripts and the generated files;
    // their names cannot be virsh commands.
    match argv.first().map(String::as_str) {
        Some("__complete") => return argv_complete::main(&argv[1..]),
        Some("__generate") => return generate::main(&argv[1..]),
        _ => {}
    }
    run_argv(&argv, true)
}

/// Runs virtsh with `argv` (the arguments after the program name) in this
/// process; returns the exit status. `exiting` says the process ends right
/// after, so the session's memory may go back with it instead of being
/// freed (a harness running many command lines in one process says no).
pub fn run_argv(argv: &[String], exiting: bool) -> i32 {
    let invocation =
        match globals::parse(argv, &mut |w| crate::stdio::err(&format!("error: {w}\n"))) {
            Ok(i) => i,
            Err(e) => {
                crate::stdio::err(&format!("error: {e}\n"));
                return 1;
            }
        };
    match invocation {
        Invocation::Help => {
            crate::stdio::out(&usage::usage());
            0
        }
        Invocation::ShortVersion => {
            crate::stdio::out(&format!("{COMPAT_VERSION}\n"));
            0
        }
        Invocation::LongVersion => {
            crate::stdio::out(&usage::long_version());
            0
        }
        Invocation::Run(globals, words) => run(globals, words, exiting),
    }
}

fn run(globals: Globals, words: Vec<String>, exiting: bool) -> i32 {
    let log_file = globals
        .log_file
        .clone()
        .or_else(|| env_value("VIRTSH_LOG_FILE"));
    let log = match log_file.as_deref().map(log::Log::open).transpose() {
        Ok(l) => l,
        Err(()) => {
            crate::stdio::err("error: failed to open the log file. check the log file path\n");
            return 1;
        }
    };
    let mut session = Session::new(
        globals::connect_uri(globals.connect.clone()),
        globals.readonly,
        globals.quiet,
    );
    session.completer = Some(complete::for_command);
    let json_env = std::env::var("VIRTSH_OUTPUT").is_ok_and(|v| v == "json");
    crate::output::style::init(globals.color.as_deref(), globals.json || json_env);
    if globals.json || json_env {
        session.format = Format::Json;
    }
    // VIRTSH_DEBUG, like virsh's VIRSH_DEBUG, is read when the connection is
    // set up: it rules from the start unless -d was given, and then takes over
    // after the command line has been parsed.
    let env_debug = env_value("VIRTSH_DEBUG").and_then(|v| match v.trim().parse::<i32>() {
        Ok(level) if (0..=4).contains(&level) => Some(level),
        _ => {
            crate::stdio::err(
                &"error: VIRTSH_DEBUG not set with a valid numeric value\n".repeat(2),
            );
            None
        }
    });
    let late_debug = env_debug.filter(|_| globals.debug.is_some());
    if let Some(level) = globals.debug.or(env_debug) {
        session.debug_level = level;
        parse::TRACING.store(level <= DEBUG_INFO, std::sync::atomic::Ordering::Relaxed);
    }
    session.keepalive = Keepalive {
        interval: globals.keepalive_interval.unwrap_or(5),
        count: globals.keepalive_count.map_or(6, |c| c as u32),
        forced: globals.keepalive_interval.is_some() || globals.keepalive_count.is_some(),
    };
    let mut runner = Runner {
        session,
        timing: globals.timing,
        color: globals.color.clone(),
        log,
        late_debug,
    };
    let status = run_words(&mut runner, &globals, words);
    runner.end(exiting);
    status
}

/// Runs the command line's words, or the interactive shell without any.
fn run_words(runner: &mut Runner, globals: &Globals, words: Vec<String>) -> i32 {
    if words.is_empty() {
        runner.parsing_done();
        if globals.connect.is_some() && !runner.connect_eagerly() {
            return 1;
        }
        interactive::run(runner);
        return 0;
    }
    let commands = if words.len() == 1 {
        if words[0].is_empty() {
            return 1;
        }
        // Parse traces come before the connection opens, as with virsh's -d.
        runner
            .session
            .debug(DEBUG_INFO, format_args!("commands: \"{}\"", words[0]));
        match lexer::split_commands(&words[0]) {
            Ok(c) => c,
            Err(e) => {
                runner.report(&[e.0.to_string()]);
                return 1;
            }
        }
    } else {
        vec![words]
    };
    let parsed = match parse_all(commands) {
        Ok(p) => p,
        Err(e) => {
            runner.report_error(&e);
            return 1;
        }
    };
    for line in parsed.iter().flat_map(|p| &p.trace) {
        runner.session.debug(DEBUG_INFO, format_args!("{line}"));
    }
    runner.parsing_done();
    if globals.connect.is_some() && !runner.connect_eagerly() {
        return 1;
    }
    let mut ok = true;
    for cmd in &parsed {
        match runner.run(cmd) {
            Flow::Quit => {
                ok = true;
                break;
            }
            Flow::Continue { ok: status } => ok = status,
        }
    }
    if ok {
        0
    } else {
        1
    }
}

/// A non-empty environment variable.
fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Parses every command of a string first: one error means none runs.
/// A command whose name starts with `#` once unquoted (`\#`, `'#x'`, or an
/// argv word) is a comment as far as the end of that command, as in virsh.
/// Each command's words go as soon as it is parsed, so a long line is not
/// held twice over.
pub fn parse_all(commands: Vec<Vec<String>>) -> Result<Vec<ParsedCommand>, CmdError> {
    commands
        .into_iter()
        .filter(|words| !words[0].starts_with('#'))
        .map(|words| parse::parse_command(&words))
        .collect()
}

/// Runs parsed commands against one session.
pub struct Runner {
    pub session: Session,
    timing: bool,
    /// `--color` before the command name, which a command's own may override.
    color: Option<String>,
    log: Option<log::Log>,
    /// A debug level from the environment that applies once parsing is done.
    late_debug: Option<i32>,
}

impl Runner {
    /// Ends the use of the session: output is flushed, and when the process
    /// is `exiting` the rest goes back to the system with it, which is much
    /// faster than freeing, say, a node file's ten thousand domains one by one.
    fn end(mut self, exiting: bool) {
        self.session.flush();
        if exiting {
            std::mem::forget(self);
        }
    }

    /// Parsing is over: a debug level waiting for that applies now.
    fn parsing_done(&mut self) {
        if let Some(level) = self.late_debug.take() {
            self.session.debug_level = level;
        }
    }

    /// `-c URI` connects before any command; failure ends the process.
    fn connect_eagerly(&mut self) -> bool {
        match self.session.connect() {
            Ok(()) => true,
            Err(e) => {
                self.report_error(&e);
                false
            }
        }
    }

    /// Prints error lines (and logs them).
    pub fn report(&mut self, lines: &[String]) {
        self.report_error(&CmdError::lines(lines.to_vec()));
    }

    /// Prints a failure in the session's format (and logs its lines).
    pub fn report_error(&mut self, e: &CmdError) {
        self.session.print_error(e);
        if let Some(log) = &mut self.log {
            for line in &e.lines {
                log.error(line);
            }
        }
    }

    pub fn run(&mut self, cmd: &ParsedCommand) -> Flow {
        let outer = (self.session.format, style::get());
        if cmd.own.json {
            self.session.format = Format::Json;
        }
        if cmd.own.json || cmd.own.color.is_some() {
            let color = cmd.own.color.as_deref().or(self.color.as_deref());
            style::init(color, self.session.format == Format::Json);
        }
        let flow = self.run_as_set(cmd);
        self.session.format = outer.0;
        style::set(outer.1);
        flow
    }

    fn run_as_set(&mut self, cmd: &ParsedCommand) -> Flow {
        let start = self.timing.then(Instant::now);
        let mut result = Ok(());
        self.session.command = cmd.def.name;
        if cmd.def.needs_connection && !self.session.is_connected() {
            result = self.session.connect();
        }
        if result.is_ok() {
            result = (cmd.def.run)(&mut self.session, &cmd.args);
        }
        if matches!(cmd.def.name, "quit" | "exit") {
            return Flow::Quit;
        }
        let ok = result.is_ok();
        if let Err(e) = result {
            self.report_error(&e);
        }
        if self.session.format == Format::Json {
            // JSON documents follow one another with no separator lines.
        } else if let Some(start) = start {
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            self.session.print(&format!("\n(Time: {ms:.3} ms)\n\n"));
        } else {
            self.session.print_extra("\n");
        }
        self.session.end_command();
        Flow::Continue { ok }
    }
}

mod log {
    //! `-l FILE`: error lines appended with a timestamp, as virsh logs them.

    use std::fs::{File, OpenOptions};
    use std::io::Write;

    pub struct Log(File);

    impl Log {
        pub fn open(path: &str) -> Result<Log, ()> {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map(Log)
                .map_err(|_| ())
        }

        /// One write per line: the file is opened for appending, so a
        /// line lands whole even beside other writers, and a signal cannot
        /// cut it.
        pub fn error(&mut self, line: &str) {
            let stamp = crate::output::time::local_stamp("%Y.%m.%d %H:%M:%S");
            let entry = format!("[{stamp} virtsh {}] ERROR {line}\n", std::process::id());
            let _ = self.0.write_all(entry.as_bytes());
        }
    }
}
