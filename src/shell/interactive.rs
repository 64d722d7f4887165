//! Interactive mode: a banner, a prompt, and one command string per line.
//! On a terminal, lines are edited with rustyline (history, TAB completion);
//! otherwise lines are read plainly and echoed after the prompt, as virsh's
//! readline does when its input is not a terminal.

use std::collections::VecDeque;
use std::fs::DirBuilder;
use std::io::{self, BufRead, IsTerminal};
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;

use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::MemHistory;
use rustyline::Editor;

use super::complete::ShellHelper;
use super::{lexer, parse_all, Flow, Runner};
use crate::commands::input;

const WELCOME: &str = "Welcome to virtsh, the virtualization interactive terminal.\n";
const HELP: &str = "Type:  'help' for help with commands\n";
const CONNECT: &str = "       'connect URI' to connect to a hypervisor\n";
const QUIT: &str = "       'quit' to quit\n\n";

const HISTSIZE_VAR: &str = "VIRTSH_HISTSIZE";
const HISTSIZE_DEFAULT: usize = 500;
const HISTSIZE_MAX: i32 = 500_000;

/// The prompt shows whether the connection is read-only.
pub fn prompt(runner: &Runner) -> &'static str {
    if runner.session.readonly {
        "virtsh > "
    } else {
        "virtsh # "
    }
}

pub fn run(runner: &mut Runner) {
    runner.session.interactive = true;
    // virsh sets history up before the banner, so its errors come first.
    let mut history = LineHistory::open(runner);
    let banner = if runner.session.quiet || runner.session.json() {
        String::new()
    } else if io::stdin().is_terminal() && io::stdout().is_terminal() {
        terminal_banner(runner)
    } else {
        format!("{WELCOME}\n{HELP}{QUIT}")
    };
    runner.session.print_extra(&banner);
    runner.session.flush();
    match io::stdin().is_terminal().then(|| editor(history.max)) {
        Some(Ok(editor)) => edit_lines(runner, editor, &mut history),
        // Without a terminal (or one rustyline cannot drive) lines are read plainly.
        _ => read_lines(runner, &mut history),
    }
    history.save();
    runner.session.print("\n");
    runner.session.flush();
}

/// The banner a person at a terminal sees: virsh's, plus which URI the
/// shell is connected to. To know it, the shell connects now rather than
/// at the first command (without a terminal it stays as lazy as virsh).
fn terminal_banner(runner: &mut Runner) -> String {
    let session = &mut runner.session;
    let connected = if session.is_connected() {
        Ok(())
    } else {
        session.connect()
    };
    match connected.and_then(|()| session.conn().map(|c| c.uri())) {
        Ok(uri) => format!("{WELCOME}Connected to {uri}.\n\n{HELP}{QUIT}"),
        Err(e) => {
            let why = e.lines.last().map_or("", String::as_str);
            format!("{WELCOME}Not connected: {why}\n\n{HELP}{CONNECT}{QUIT}")
        }
    }
}

/// A line editor in readline's manner: TAB completes the longest common
/// prefix, a second TAB lists the candidates.
fn editor(max_history: usize) -> rustyline::Result<Editor<ShellHelper, MemHistory>> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .max_history_size(max_history)?
        .history_ignore_dups(false)?
        .auto_add_history(false)
        .build();
    let mut editor = Editor::with_history(config, MemHistory::with_config(config))?;
    editor.set_helper(Some(ShellHelper::default()));
    Ok(editor)
}

/// Lines from a terminal, with editing, history and completion.
fn edit_lines(
    runner: &mut Runner,
    mut editor: Editor<ShellHelper, MemHistory>,
    history: &mut LineHistory,
) {
    for line in &history.lines {
        let _ = editor.add_history_entry(line.as_str());
    }
    loop {
        runner.session.flush();
        if let Some(helper) = editor.helper_mut() {
            helper.names.get_mut().follow(&runner.session);
        }
        let read = editor.readline(prompt(runner));
        // A connection opened while completing becomes the session's.
        if let Some(conn) = editor
            .helper_mut()
            .and_then(|h| h.names.get_mut().take_opened())
        {
            runner.session.adopt_connection(conn);
        }
        match read {
            Ok(line) => {
                if !line.is_empty() {
                    history.add(&line);
                    let _ = editor.add_history_entry(line.as_str());
                }
                if !run_line(runner, &line) {
                    return;
                }
            }
            // Ctrl-C abandons the line being typed.
            Err(ReadlineError::Interrupted) => continue,
            // Ctrl-D, or the terminal went away.
            Err(_) => return,
        }
    }
}

/// Lines from a pipe or file: the prompt and the line are echoed, as readline
/// does without a terminal.
fn read_lines(runner: &mut Runner, history: &mut LineHistory) {
    loop {
        let p = prompt(runner);
        runner.session.print(p);
        runner.session.flush();
        // Locked a line at a time: a command may read credentials meanwhile.
        if input::is_closed() {
            break;
        }
        let Some(line) = read_line(&mut io::stdin().lock()) else {
            break;
        };
        runner.session.print(&format!("{line}\n"));
        if !line.is_empty() {
            history.add(&line);
        }
        if !run_line(runner, &line) {
            break;
        }
    }
}

/// One line; readline ends a line at CR as well as LF. `None` at end of input.
fn read_line(input: &mut impl BufRead) -> Option<String> {
    let mut bytes = Vec::new();
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => &[],
        };
        if buf.is_empty() {
            return (!bytes.is_empty()).then(|| text_of(bytes));
        }
        match buf.iter().position(|b| matches!(b, b'\n' | b'\r')) {
            Some(i) => {
                bytes.extend_from_slice(&buf[..i]);
                input.consume(i + 1);
                return Some(text_of(bytes));
            }
            None => {
                let n = buf.len();
                bytes.extend_from_slice(buf);
                input.consume(n);
            }
        }
    }
}

/// A line's text; bytes that are not UTF-8 become U+FFFD (a valid line is
/// taken as it is, without a copy).
fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Runs one line; false when the user asked to quit.
pub fn run_line(runner: &mut Runner, line: &str) -> bool {
    let commands = match lexer::split_commands(line) {
        Ok(c) => c,
        Err(e) => {
            runner.report(&[e.0.to_string()]);
            return true;
        }
    };
    let parsed = match parse_all(commands) {
        Ok(p) => p,
        Err(e) => {
            runner.report_error(&e);
            return true;
        }
    };
    for cmd in &parsed {
        if let Flow::Quit = runner.run(cmd) {
            return false;
        }
    }
    true
}

/// The history file, kept as readline keeps virsh's: plain lines, the newest
/// last, at most `max` of them; read at start and rewritten at exit.
struct LineHistory {
    /// `None` when history is off (bad size, no cache directory).
    file: Option<PathBuf>,
    max: usize,
    lines: VecDeque<String>,
}

impl LineHistory {
    /// Reads `$VIRTSH_HISTSIZE` and the history file. Errors are reported as
    /// virsh reports them, and leave history off for this session.
    fn open(runner: &mut Runner) -> LineHistory {
        let mut history = LineHistory {
            file: None,
            max: HISTSIZE_DEFAULT,
            lines: VecDeque::new(),
        };
        match history_size() {
            Ok(max) => history.max = max,
            Err(e) => {
                runner.report(&[e]);
                return history;
            }
        }
        let Some(dir) = dirs::cache_dir().map(|d| d.join("virtsh")) else {
            return history;
        };
        if DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(&dir)
            .is_err()
        {
            runner.report(&[format!("Failed to create '{}'", dir.display())]);
            return history;
        }
        let file = dir.join("history");
        if let Ok(bytes) = std::fs::read(&file) {
            for line in String::from_utf8_lossy(&bytes).lines() {
                history.add(line);
            }
        }
        history.file = Some(file);
        history
    }

    fn add(&mut self, line: &str) {
        if self.max == 0 {
            return;
        }
        if self.lines.len() == self.max {
            self.lines.pop_front();
        }
        self.lines.push_back(line.to_string());
    }

    /// Rewrites the file (private to the user, as readline creates it),
    /// whole or not at all.
    fn save(&self) {
        let Some(file) = &self.file else { return };
        let text: String = self.lines.iter().map(|l| format!("{l}\n")).collect();
        // Like readline's write_history, a failure is not worth an error at exit.
        let _ = crate::temp_files::replace_file(file, text.as_bytes(), 0o600);
    }
}

/// `$VIRTSH_HISTSIZE`, read as virsh reads `$VIRSH_HISTSIZE` (a C integer:
/// leading blanks and a sign allowed, nothing after the digits).
fn history_size() -> Result<usize, String> {
    let Some(value) = std::env::var_os(HISTSIZE_VAR) else {
        return Ok(HISTSIZE_DEFAULT);
    };
    let value = value.to_string_lossy();
    let digits = value.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let n: i32 = digits
        .parse()
        .map_err(|_| format!("Bad ${HISTSIZE_VAR} value."))?;
    if !(0..=HISTSIZE_MAX).contains(&n) {
        return Err(format!(
            "${HISTSIZE_VAR} value should be between 0 and {HISTSIZE_MAX}"
        ));
    }
    Ok(n as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_at_cr_or_lf() {
        let mut input: &[u8] = b"uri\r\nlist\nlast";
        let mut lines = Vec::new();
        while let Some(line) = read_line(&mut input) {
            lines.push(line);
        }
        assert_eq!(lines, ["uri", "", "list", "last"]);
    }

    #[test]
    fn history_keeps_the_newest() {
        let mut history = LineHistory {
            file: None,
            max: 2,
            lines: VecDeque::new(),
        };
        for line in ["a", "b", "c"] {
            history.add(line);
        }
        assert_eq!(history.lines, ["b", "c"]);
        let mut none = LineHistory {
            file: None,
            max: 0,
            lines: VecDeque::new(),
        };
        none.add("a");
        assert!(none.lines.is_empty());
    }
}
