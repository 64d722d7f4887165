//! TAB completion for the interactive shell. Every candidate comes from the
//! command declarations: command names, the `--options` a command has not been
//! given yet, and each option's declared completer for its value.
//!
//! The logic is plain functions over the text left of the cursor, so it is
//! tested without a terminal; `ShellHelper` is the thin rustyline glue.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

mod as_virsh;

pub use as_virsh::complete as complete_as_virsh;

use crate::api::{self, Connection};
use crate::commands::{self, CommandDef, Complete, Group, OptDef, OptKind, Session};

/// Where domain, snapshot and checkpoint names come from (the session's
/// connection, or fixed lists in tests).
pub trait NameSource {
    /// The names of the domains a listing with `flags` (libvirt's
    /// `VIR_CONNECT_LIST_DOMAINS_*`) returns; empty when they cannot be had.
    fn domains(&mut self, flags: u32) -> Vec<String>;
    /// The UUIDs of every domain.
    fn domain_uuids(&mut self) -> Vec<String> {
        Vec::new()
    }
    /// The disk targets (`vda`, …) of `domain`'s next-boot definition.
    fn disk_targets(&mut self, _domain: &str) -> Vec<String> {
        Vec::new()
    }
    /// The snapshot names of `domain` (as typed: name, id or UUID).
    fn snapshots(&mut self, _domain: &str) -> Vec<String> {
        Vec::new()
    }
    /// The checkpoint names of `domain`.
    fn checkpoints(&mut self, _domain: &str) -> Vec<String> {
        Vec::new()
    }
}

/// One completion: the raw text that replaces the word (quoted as needed, with
/// a trailing space when the word is finished) and what the list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub replacement: String,
    pub display: String,
}

/// The completions for `line` with the cursor at byte `pos`: the byte offset
/// where the replaced text starts, and the replacement texts.
pub fn candidates(line: &str, pos: usize, names: &mut dyn NameSource) -> (usize, Vec<String>) {
    let (start, found) = complete(line, pos, names);
    (start, found.into_iter().map(|c| c.replacement).collect())
}

/// Like `candidates`, with the text to show for each.
pub fn complete(line: &str, pos: usize, names: &mut dyn NameSource) -> (usize, Vec<Candidate>) {
    let Some(cursor) = scan(&line[..pos]) else {
        return (pos, Vec::new());
    };
    let Some((command, given)) = cursor.done.split_first() else {
        let mut found: Vec<Value> = commands::all()
            .iter()
            .filter(|c| c.name.starts_with(&cursor.text))
            .map(|c| Value::word(c.name))
            .collect();
        found.sort_by(|a, b| a.text.cmp(&b.text));
        return (cursor.start, render(found, cursor.style));
    };
    let Some(def) = commands::find(command) else {
        return (pos, Vec::new());
    };
    let state = OptionState::after(def, given);

    if let Some(opt) = state.awaiting {
        return (
            cursor.start,
            render(
                values(opt.complete, &cursor.text, names, state.domain.as_deref()),
                cursor.style,
            ),
        );
    }
    if !state.data_only {
        if let Some(eq) = cursor.equals {
            // `--opt=val`: complete the value after the `=`.
            let name = &cursor.text[2..eq.text];
            let found = match def.option(name).map(|o| resolve(def, o)) {
                Some(opt) if opt.kind != OptKind::Bool => values(
                    opt.complete,
                    &cursor.text[eq.text + 1..],
                    names,
                    state.domain.as_deref(),
                ),
                _ => Vec::new(),
            };
            return (eq.raw + 1, render(found, eq.style));
        }
        if cursor.text.starts_with('-') {
            let found = state.unused_options(def, &cursor.text);
            return (cursor.start, render(found, cursor.style));
        }
    }
    let mut found = match state.next_positional(def) {
        Some(opt) => values(opt.complete, &cursor.text, names, state.domain.as_deref()),
        None => Vec::new(),
    };
    if cursor.text.is_empty() && !state.data_only {
        found.extend(state.unused_options(def, ""));
    }
    (cursor.start, render(found, cursor.style))
}

/// The finished words of the command being typed (unquoted) and the byte
/// offset where the word under the cursor starts; `None` inside a comment.
pub fn words_before(line: &str) -> Option<(Vec<String>, usize)> {
    scan(line).map(|cursor| (cursor.done, cursor.start))
}

/// Completions of `word`, as typed, when it is a value for `complete` (a
/// global option's value); each replaces the whole word.
pub fn complete_value(
    word: &str,
    complete: Complete,
    names: &mut dyn NameSource,
) -> Vec<Candidate> {
    match scan(word) {
        Some(cursor) if cursor.done.is_empty() => {
            render(values(complete, &cursor.text, names, None), cursor.style)
        }
        _ => Vec::new(),
    }
}

/// `text` written as one word the lexer reads back unchanged.
pub fn escape(text: &str) -> String {
    quote(text, Quote::None, false)
}

/// How the word under the cursor is quoted; completions keep that style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// Where `=` splits a `--opt=value` word.
#[derive(Debug, Clone, Copy)]
struct Equals {
    /// Byte offset of the `=` in the line.
    raw: usize,
    /// Its index in the unescaped word text.
    text: usize,
    /// The quoting of the value part.
    style: Quote,
}

/// The command being typed, as far as the cursor.
#[derive(Debug)]
struct Cursor {
    /// Finished words of the current command (unescaped).
    done: Vec<String>,
    /// The word under the cursor, unescaped, up to the cursor.
    text: String,
    /// Byte offset where that word starts.
    start: usize,
    style: Quote,
    equals: Option<Equals>,
}

/// Splits the text left of the cursor the way the lexer would, tolerating an
/// unfinished word. `None` when the cursor is inside a comment.
fn scan(text: &str) -> Option<Cursor> {
    let mut cur = Cursor {
        done: Vec::new(),
        text: String::new(),
        start: 0,
        style: Quote::None,
        equals: None,
    };
    let mut in_word = false;
    let mut in_comment = false;
    let mut quote = Quote::None;
    let mut escaped = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_comment {
            in_comment = c != '\n';
            if !in_comment {
                cur.done.clear();
            }
            continue;
        }
        if !in_word {
            match c {
                ' ' | '\t' => continue,
                ';' | '\n' => {
                    cur.done.clear();
                    continue;
                }
                '#' => {
                    in_comment = true;
                    continue;
                }
                '\\' if chars.peek().map(|p| p.1) == Some('\n') => {
                    chars.next();
                    continue;
                }
                _ => {
                    in_word = true;
                    cur.text.clear();
                    cur.start = i;
                    cur.style = Quote::None;
                    cur.equals = None;
                }
            }
        }
        if escaped {
            escaped = false;
            if c != '\n' {
                cur.text.push(c);
            }
            continue;
        }
        match (quote, c) {
            (Quote::Single, '\'') | (Quote::Double, '"') => quote = Quote::None,
            (Quote::Single, _) => cur.text.push(c),
            (_, '\\') => escaped = true,
            (Quote::Double, _) => cur.text.push(c),
            (Quote::None, ' ' | '\t' | ';' | '\n') => {
                in_word = false;
                cur.done.push(std::mem::take(&mut cur.text));
                if c != ' ' && c != '\t' {
                    cur.done.clear();
                }
            }
            (Quote::None, '\'' | '"') => {
                quote = if c == '\'' {
                    Quote::Single
                } else {
                    Quote::Double
                };
                // The quote style of a word is the first one it uses.
                match cur.equals.as_mut() {
                    Some(eq) if eq.style == Quote::None && eq.raw + 1 == i => eq.style = quote,
                    Some(_) => {}
                    None if cur.style == Quote::None && cur.start == i => cur.style = quote,
                    None => {}
                }
            }
            (Quote::None, '=') if cur.equals.is_none() && cur.text.starts_with("--") => {
                cur.equals = Some(Equals {
                    raw: i,
                    text: cur.text.len(),
                    style: Quote::None,
                });
                cur.text.push(c);
            }
            (Quote::None, _) => cur.text.push(c),
        }
    }
    if in_comment {
        return None;
    }
    if !in_word {
        cur.text.clear();
        cur.start = text.len();
        cur.style = Quote::None;
        cur.equals = None;
    } else if quote != Quote::None {
        // A quote still open at the cursor decides how the completion is written.
        match cur.equals.as_mut() {
            Some(eq) => eq.style = quote,
            None => cur.style = quote,
        }
    }
    Some(cur)
}

/// Which options the finished words have used, as the parser would see them.
struct OptionState<'a> {
    filled: Vec<bool>,
    /// The option whose value the cursor word is (`--opt <TAB>`).
    awaiting: Option<&'a OptDef>,
    /// After a bare `--` every word is data.
    data_only: bool,
    /// The `domain` option's value, whose snapshots and checkpoints complete.
    domain: Option<String>,
}

impl<'a> OptionState<'a> {
    fn after(def: &'a CommandDef, words: &[String]) -> OptionState<'a> {
        let mut state = OptionState {
            filled: vec![false; def.options.len()],
            awaiting: None,
            data_only: false,
            domain: None,
        };
        for word in words {
            if let Some(opt) = state.awaiting.take() {
                state.note(opt, word);
                continue;
            }
            if !state.data_only && word == "--" {
                state.data_only = true;
                continue;
            }
            if !state.data_only && super::parse::is_option_word(word) {
                let (name, inline) = match word[2..].split_once('=') {
                    Some((n, v)) => (n, Some(v)),
                    None => (&word[2..], None),
                };
                if let Some(opt) = def.option(name).map(|o| resolve(def, o)) {
                    state.mark(def, opt);
                    match inline {
                        Some(value) => state.note(opt, value),
                        None if opt.kind != OptKind::Bool => state.awaiting = Some(opt),
                        None => {}
                    }
                }
                continue;
            }
            if let Some(opt) = state.next_positional(def) {
                state.mark(def, opt);
                state.note(opt, word);
            }
        }
        state
    }

    /// Remembers the domain a command is about.
    fn note(&mut self, opt: &OptDef, value: &str) {
        if opt.name == "domain" {
            self.domain = Some(value.to_string());
        }
    }

    fn mark(&mut self, def: &CommandDef, opt: &OptDef) {
        if let Some(i) = def.options.iter().position(|o| o.name == opt.name) {
            self.filled[i] = true;
        }
    }

    /// The option the next bare word would fill.
    fn next_positional(&self, def: &'a CommandDef) -> Option<&'a OptDef> {
        def.options
            .iter()
            .enumerate()
            .find(|(i, o)| o.positional && (!self.filled[*i] || o.kind == OptKind::Argv))
            .map(|(_, o)| o)
    }

    /// `--name` for each option not given yet (hidden aliases left out).
    /// Sorted, as readline lists them.
    fn unused_options(&self, def: &CommandDef, prefix: &str) -> Vec<Value> {
        let mut found: Vec<Value> = def
            .options
            .iter()
            .enumerate()
            .filter(|(i, o)| !o.kind.is_hidden() && (!self.filled[*i] || o.kind == OptKind::Argv))
            .map(|(_, o)| format!("--{}", o.name))
            .filter(|name| name.starts_with(prefix))
            .map(|name| Value {
                text: name.clone(),
                display: name,
                finished: true,
            })
            .collect();
        found.sort_by(|a, b| a.text.cmp(&b.text));
        found
    }
}

/// An alias stands for its target option.
fn resolve<'a>(def: &'a CommandDef, opt: &'a OptDef) -> &'a OptDef {
    match opt.kind {
        OptKind::Alias(target) | OptKind::Preset(target, _) => def.option(target).unwrap_or(opt),
        _ => opt,
    }
}

/// A completed value before quoting.
#[derive(Debug)]
struct Value {
    text: String,
    display: String,
    /// A finished word gets a closing quote and a space; a directory does not.
    finished: bool,
}

impl Value {
    fn word(text: &str) -> Value {
        Value {
            text: text.to_string(),
            display: text.to_string(),
            finished: true,
        }
    }
}

/// URIs worth offering to `connect`.
const URIS: &[&str] = &[
    "qemu:///embed",
    "qemu:///session",
    "qemu:///system",
    "test:///default",
];

/// The values an option's completer offers for the partial value `partial`.
/// Snapshots and checkpoints are those of `domain`.
fn values(
    complete: Complete,
    partial: &str,
    names: &mut dyn NameSource,
    domain: Option<&str>,
) -> Vec<Value> {
    let mut found = raw_values(complete, partial, names, domain);
    found.sort_by(|a, b| a.text.cmp(&b.text));
    found.dedup_by(|a, b| a.text == b.text);
    found
}

/// The values starting with `partial` an option's completer offers, in the
/// order the completer has them.
fn raw_values(
    complete: Complete,
    partial: &str,
    names: &mut dyn NameSource,
    domain: Option<&str>,
) -> Vec<Value> {
    match complete {
        Complete::Nothing => Vec::new(),
        Complete::Snapshot | Complete::Checkpoint => {
            let Some(domain) = domain else {
                return Vec::new();
            };
            let list = if complete == Complete::Snapshot {
                names.snapshots(domain)
            } else {
                names.checkpoints(domain)
            };
            list.iter()
                .filter(|n| n.starts_with(partial))
                .map(|n| Value::word(n))
                .collect()
        }
        Complete::Domain(flags) => names
            .domains(flags)
            .iter()
            .filter(|n| n.starts_with(partial))
            .map(|n| Value::word(n))
            .collect(),
        Complete::DomainUuid => names
            .domain_uuids()
            .iter()
            .filter(|n| n.starts_with(partial))
            .map(|n| Value::word(n))
            .collect(),
        Complete::DiskTarget => {
            let Some(domain) = domain else {
                return Vec::new();
            };
            let targets = names.disk_targets(domain);
            list_items(partial, targets.iter().map(String::as_str))
        }
        Complete::File => paths(partial, false),
        Complete::Directory => paths(partial, true),
        Complete::Uri => URIS
            .iter()
            .filter(|u| u.starts_with(partial))
            .map(|u| Value::word(u))
            .collect(),
        Complete::Command => commands::all()
            .iter()
            .map(|c| c.name)
            .chain(Group::ALL.iter().map(|g| g.keyword()))
            .filter(|n| n.starts_with(partial))
            .map(Value::word)
            .collect(),
        Complete::Choices(choices) => list_items(partial, choices.iter().copied()),
    }
}

/// Comma-separated lists (`--mode acpi,agent`) complete their last item
/// with one not listed yet.
fn list_items<'a>(partial: &str, items: impl Iterator<Item = &'a str>) -> Vec<Value> {
    let (head, last) = match partial.rfind(',') {
        Some(i) => partial.split_at(i + 1),
        None => ("", partial),
    };
    let listed: Vec<&str> = head.split(',').collect();
    items
        .filter(|item| item.starts_with(last) && !listed.contains(item))
        .map(|item| Value {
            text: format!("{head}{item}"),
            display: item.to_string(),
            finished: true,
        })
        .collect()
}

/// Files (or only directories) whose path starts with `partial`. Directories
/// end in `/` and stay open, so the next TAB descends into them.
fn paths(partial: &str, dirs_only: bool) -> Vec<Value> {
    let (dir, prefix) = match partial.rfind('/') {
        Some(i) => partial.split_at(i + 1),
        None => ("", partial),
    };
    let Ok(entries) = std::fs::read_dir(if dir.is_empty() { "." } else { dir }) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            // Follow symlinks: a link to a directory completes like one.
            let is_dir = std::fs::metadata(entry.path())
                .map(|m| m.is_dir())
                .unwrap_or(false);
            if dirs_only && !is_dir {
                return None;
            }
            let slash = if is_dir { "/" } else { "" };
            Some(Value {
                text: format!("{dir}{name}{slash}"),
                display: format!("{name}{slash}"),
                finished: !is_dir,
            })
        })
        .collect()
}

/// Writes values back in the word's quoting style, so the lexer reads them
/// as typed.
fn render(found: Vec<Value>, style: Quote) -> Vec<Candidate> {
    found
        .into_iter()
        .map(|v| Candidate {
            replacement: quote(&v.text, style, v.finished),
            display: v.display,
        })
        .collect()
}

fn quote(text: &str, style: Quote, finished: bool) -> String {
    let end = if finished { " " } else { "" };
    match style {
        // Single quotes cannot hold a single quote; fall back to double quotes.
        Quote::Single if !text.contains('\'') => {
            format!("'{text}{}", if finished { "' " } else { "" })
        }
        Quote::Single | Quote::Double => {
            let mut out = String::from("\"");
            for c in text.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            if finished {
                out.push_str("\" ");
            }
            out
        }
        Quote::None => {
            let mut out = String::new();
            for (i, c) in text.chars().enumerate() {
                if matches!(c, ' ' | '\t' | '\'' | '"' | '\\' | ';' | '\n') || (i == 0 && c == '#')
                {
                    out.push('\\');
                }
                out.push(c);
            }
            out + end
        }
    }
}

/// How long names are reused before the connection is asked again.
const NAMES_FRESH: Duration = Duration::from_secs(2);
/// How long TAB waits for a slow hypervisor before giving up for this press.
const NAMES_WAIT: Duration = Duration::from_millis(500);

/// Names from the session's connection. The fetch runs on its own thread so
/// a slow or unreachable hypervisor never stalls the prompt; errors are
/// dropped, completion just offers nothing. Each list is cached on its own.
#[derive(Default)]
pub struct SessionNames {
    /// How long a TAB waits for names; `NAMES_WAIT` when not set.
    wait: Option<Duration>,
    conn: Option<Connection>,
    uri: Option<String>,
    readonly: bool,
    cache: HashMap<Query, (Instant, Vec<String>)>,
    /// The fetch still under way, and what it asks for.
    pending: Option<(Query, Receiver<Fetched>)>,
    /// A connection completion opened, for the session to take over.
    opened: Option<Connection>,
}

struct Fetched {
    opened: Option<Connection>,
    names: Vec<String>,
}

/// Which names a fetch asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Query {
    Domains(u32),
    DomainUuids,
    Snapshots(String),
    Checkpoints(String),
    DiskTargets(String),
}

impl Query {
    fn run(&self, conn: &Connection) -> Option<Vec<String>> {
        // The domain as typed: a name, an id or a UUID.
        let domain = |key: &str| {
            conn.domain_lookup_by_name(key)
                .ok()
                .or_else(|| {
                    key.parse()
                        .ok()
                        .and_then(|id| conn.domain_lookup_by_id(id).ok())
                })
                .or_else(|| {
                    api::Uuid::parse_str(key)
                        .ok()
                        .and_then(|u| conn.domain_lookup_by_uuid(&u).ok())
                })
        };
        match self {
            Query::Domains(flags) => conn
                .list_all_domains(*flags)
                .ok()
                .map(|l| l.into_iter().map(|d| d.name).collect()),
            Query::DomainUuids => conn
                .list_all_domains(0)
                .ok()
                .map(|l| l.into_iter().map(|d| d.uuid.to_string()).collect()),
            Query::DiskTargets(key) => {
                let dom = domain(key)?;
                let xml = conn
                    .domain_get_xml_desc(&dom, api::flags::xml::INACTIVE)
                    .ok()?;
                let def = crate::model::domain::DomainDef::parse(&xml).ok()?;
                Some(def.disks.into_iter().map(|d| d.target_dev).collect())
            }
            Query::Snapshots(key) => {
                let dom = domain(key)?;
                conn.domain_list_all_snapshots(&dom, 0)
                    .ok()
                    .map(|l| l.into_iter().map(|s| s.name).collect())
            }
            Query::Checkpoints(key) => {
                let dom = domain(key)?;
                conn.domain_list_all_checkpoints(&dom, 0)
                    .ok()
                    .map(|l| l.into_iter().map(|c| c.name).collect())
            }
        }
    }
}

impl SessionNames {
    /// Names from a connection to `uri` (opened on first use), waiting up to
    /// `wait` for them: a process that completes once has no later TAB.
    pub fn for_uri(uri: Option<String>, readonly: bool, wait: Duration) -> SessionNames {
        SessionNames {
            wait: Some(wait),
            uri,
            readonly,
            ..SessionNames::default()
        }
    }

    /// Follows the session before each prompt: the last line may have
    /// connected elsewhere or changed the domains.
    pub fn follow(&mut self, session: &Session) {
        self.conn = session.open_connection().cloned();
        self.uri = session.uri.clone();
        self.readonly = session.readonly;
        self.cache.clear();
        self.pending = None;
        self.opened = None;
    }

    /// The connection completion opened lazily, if any (and nobody took it yet).
    pub fn take_opened(&mut self) -> Option<Connection> {
        if let Some(fetched) = self.pending.as_ref().and_then(|(_, rx)| rx.try_recv().ok()) {
            self.pending = None;
            self.opened = fetched.opened.or(self.opened.take());
        }
        self.opened.take()
    }

    fn start_fetch(&mut self, query: Query) -> Receiver<Fetched> {
        let (tx, rx) = mpsc::channel();
        let conn = self.conn.clone();
        let uri = self.uri.clone();
        let flags = if self.readonly { api::CONNECT_RO } else { 0 };
        std::thread::spawn(move || {
            let (conn, opened) = match conn {
                Some(c) => (Some(c), false),
                None => (api::open(uri.as_deref(), flags).ok(), true),
            };
            let names = conn.as_ref().and_then(|c| query.run(c)).unwrap_or_default();
            let _ = tx.send(Fetched {
                opened: if opened { conn } else { None },
                names,
            });
        });
        rx
    }
}

impl SessionNames {
    /// The names `query` asks for: cached, fetched, or (while a slow fetch
    /// goes on) whatever was known before.
    fn names(&mut self, query: Query) -> Vec<String> {
        if let Some((at, names)) = self.cache.get(&query) {
            if at.elapsed() < NAMES_FRESH {
                return names.clone();
            }
        }
        let rx = match self.pending.take() {
            Some((q, rx)) if q == query => rx,
            _ => self.start_fetch(query.clone()),
        };
        match rx.recv_timeout(self.wait.unwrap_or(NAMES_WAIT)) {
            Ok(fetched) => {
                if let Some(conn) = fetched.opened {
                    self.conn = Some(conn.clone());
                    self.opened = Some(conn);
                }
                self.cache
                    .insert(query, (Instant::now(), fetched.names.clone()));
                fetched.names
            }
            Err(RecvTimeoutError::Timeout) => {
                // Still working: a later TAB picks the answer up.
                let known = self
                    .cache
                    .get(&query)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                self.pending = Some((query, rx));
                known
            }
            Err(RecvTimeoutError::Disconnected) => Vec::new(),
        }
    }
}

impl NameSource for SessionNames {
    fn domains(&mut self, flags: u32) -> Vec<String> {
        self.names(Query::Domains(flags))
    }
    fn domain_uuids(&mut self) -> Vec<String> {
        self.names(Query::DomainUuids)
    }
    fn disk_targets(&mut self, domain: &str) -> Vec<String> {
        self.names(Query::DiskTargets(domain.to_string()))
    }
    fn snapshots(&mut self, domain: &str) -> Vec<String> {
        self.names(Query::Snapshots(domain.to_string()))
    }
    fn checkpoints(&mut self, domain: &str) -> Vec<String> {
        self.names(Query::Checkpoints(domain.to_string()))
    }
}

/// `complete`'s answer, from the session's own connection.
pub fn for_command(session: &mut Session, line: &str, text: &str) -> (Vec<String>, Vec<String>) {
    let mut names = SessionNames {
        wait: Some(COMMAND_NAMES_WAIT),
        ..SessionNames::default()
    };
    names.follow(session);
    let answer = as_virsh::complete(line, text, &mut names);
    (answer.errors, answer.candidates)
}

/// How long `complete` waits for names: it has no later TAB to try again.
const COMMAND_NAMES_WAIT: Duration = Duration::from_secs(60);

/// The rustyline side: completion only, no hints or highlighting.
#[derive(Default)]
pub struct ShellHelper {
    pub names: RefCell<SessionNames>,
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, found) = complete(line, pos, &mut *self.names.borrow_mut());
        Ok((
            start,
            found
                .into_iter()
                .map(|c| Pair {
                    display: c.display,
                    replacement: c.replacement,
                })
                .collect(),
        ))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}
impl Highlighter for ShellHelper {}
impl Validator for ShellHelper {}
impl Helper for ShellHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Vec<&'static str>, usize);

    impl NameSource for Fixed {
        fn domains(&mut self, _flags: u32) -> Vec<String> {
            self.1 += 1;
            self.0.iter().map(|s| s.to_string()).collect()
        }
        fn snapshots(&mut self, domain: &str) -> Vec<String> {
            match domain {
                "test" => vec!["s1".to_string(), "s2".to_string(), "base".to_string()],
                _ => Vec::new(),
            }
        }
        fn checkpoints(&mut self, domain: &str) -> Vec<String> {
            match domain {
                "web01" => vec!["c1".to_string()],
                _ => Vec::new(),
            }
        }
    }

    fn names() -> Fixed {
        Fixed(vec!["test", "web01", "web02", "my vm"], 0)
    }

    /// Completions at the end of `line`.
    fn at_end(line: &str) -> (usize, Vec<String>) {
        candidates(line, line.len(), &mut names())
    }

    fn list(line: &str) -> Vec<String> {
        at_end(line).1
    }

    #[test]
    fn command_names() {
        assert_eq!(
            at_end("domi"),
            (
                0,
                vec![
                    "domid ".to_string(),
                    "domiflist ".to_string(),
                    "dominfo ".to_string()
                ]
            )
        );
        assert_eq!(list("  hostn"), vec!["hostname "]);
        assert_eq!(at_end("  hostn").0, 2);
        assert!(list("").contains(&"list ".to_string()));
        assert!(list("nosuchcmd").is_empty());
    }

    #[test]
    fn command_names_after_separator() {
        assert_eq!(at_end("uri; domin"), (5, vec!["dominfo ".to_string()]));
        assert_eq!(list("uri;hostn"), vec!["hostname "]);
        assert_eq!(list("uri ;  hostn"), vec!["hostname "]);
    }

    #[test]
    fn domain_names() {
        assert_eq!(at_end("dominfo te"), (8, vec!["test ".to_string()]));
        assert_eq!(list("dominfo web"), vec!["web01 ", "web02 "]);
        assert_eq!(list("uri; dominfo t"), vec!["test "]);
        assert_eq!(list("dominfo --domain w"), vec!["web01 ", "web02 "]);
        assert_eq!(list("dominfo --domain=w"), vec!["web01 ", "web02 "]);
        assert_eq!(at_end("dominfo --domain=w").0, 17);
        // A name with a space is escaped.
        assert_eq!(list("dominfo my"), vec!["my\\ vm "]);
    }

    #[test]
    fn snapshots_and_checkpoints_of_the_domain_given() {
        assert_eq!(list("snapshot-info test s"), vec!["s1 ", "s2 "]);
        assert_eq!(list("snapshot-dumpxml --domain test b"), vec!["base "]);
        assert_eq!(
            list("snapshot-list --domain=test --from s"),
            vec!["s1 ", "s2 "]
        );
        assert_eq!(list("snapshot-info web01 s"), Vec::<String>::new());
        assert_eq!(
            list("checkpoint-info web01 "),
            vec!["c1 ", "--checkpointname "]
        );
        // Without a domain there is nothing to offer.
        assert_eq!(list("snapshot-info --snapshotname s"), Vec::<String>::new());
    }

    #[test]
    fn empty_word_offers_values_and_options() {
        let found = list("dominfo ");
        assert_eq!(
            found,
            vec!["my\\ vm ", "test ", "web01 ", "web02 ", "--domain "]
        );
        // Once the domain is given, nothing is left.
        assert!(list("dominfo test ").is_empty());
        assert!(list("dominfo --domain test ").is_empty());
    }

    #[test]
    fn options_not_yet_given() {
        let found = list("list --");
        assert!(found.contains(&"--all ".to_string()));
        assert!(found.contains(&"--name ".to_string()));
        let found = list("list --all --");
        assert!(!found.contains(&"--all ".to_string()));
        assert!(found.contains(&"--inactive ".to_string()));
        assert_eq!(list("dominfo test --"), Vec::<String>::new());
        assert_eq!(list("domstate --r"), vec!["--reason "]);
        // A positional fill uses up the option too.
        assert!(!list("domstate test -").contains(&"--domain ".to_string()));
        assert!(list("domstate test -").contains(&"--reason ".to_string()));
    }

    #[test]
    fn no_options_after_double_dash() {
        assert!(list("echo -- --").is_empty());
    }

    #[test]
    fn hidden_aliases_are_not_offered() {
        let found = list("setmem --");
        assert!(found.contains(&"--size ".to_string()));
        assert!(!found.contains(&"--kilobytes ".to_string()));
    }

    #[test]
    fn value_of_a_named_option_then_next_positional() {
        // `--mode` is awaiting its value: choices, not domains.
        assert_eq!(list("shutdown test --mode a"), vec!["acpi ", "agent "]);
        assert_eq!(list("shutdown test --mode acpi,ag"), vec!["acpi,agent "]);
        // After the value, the domain slot is filled and the rest are options.
        assert!(list("shutdown --mode acpi t").contains(&"test ".to_string()));
    }

    #[test]
    fn help_completes_commands_and_groups() {
        assert_eq!(list("help dominf"), vec!["dominfo "]);
        assert_eq!(list("help mon"), vec!["monitor "]);
    }

    #[test]
    fn uris_for_connect() {
        assert_eq!(list("connect test"), vec!["test:///default "]);
        assert_eq!(
            list("connect --name qemu:///s"),
            vec!["qemu:///session ", "qemu:///system "]
        );
    }

    #[test]
    fn quoted_words_keep_their_quotes() {
        assert_eq!(at_end("dominfo \"te"), (8, vec!["\"test\" ".to_string()]));
        assert_eq!(list("dominfo 'te"), vec!["'test' "]);
        assert_eq!(list("dominfo \"my"), vec!["\"my vm\" "]);
        assert_eq!(list("dominfo 'my v"), vec!["'my vm' "]);
        assert_eq!(list("dominfo my\\ "), vec!["my\\ vm "]);
        assert_eq!(
            list("dominfo --domain=\"w"),
            vec!["\"web01\" ", "\"web02\" "]
        );
        // A quoted space does not end the word.
        assert_eq!(list("dominfo \"my "), vec!["\"my vm\" "]);
    }

    #[test]
    fn comments_and_unknown_commands_complete_nothing() {
        assert!(list("uri # dom").is_empty());
        assert!(list("nosuch te").is_empty());
        assert_eq!(list("# note\ndomin"), vec!["dominfo "]);
    }

    #[test]
    fn cursor_in_the_middle() {
        let line = "dominfo te; uri";
        assert_eq!(
            candidates(line, 10, &mut names()),
            (8, vec!["test ".to_string()])
        );
    }

    #[test]
    fn no_names_asked_for_other_completers() {
        let mut source = names();
        candidates("list --a", 8, &mut source);
        candidates("domi", 4, &mut source);
        assert_eq!(source.1, 0);
    }

    #[test]
    fn files_and_directories() {
        let dir = std::env::temp_dir().join(format!("virtsh-complete-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub dir")).unwrap();
        std::fs::create_dir_all(dir.join("subtle")).unwrap();
        std::fs::write(dir.join("domain.xml"), "").unwrap();
        std::fs::write(dir.join(".hidden.xml"), "").unwrap();
        let base = dir.display().to_string();

        let found = list(&format!("define {base}/"));
        assert_eq!(
            found,
            vec![
                format!("{base}/domain.xml "),
                format!("{base}/sub\\ dir/"),
                format!("{base}/subtle/")
            ]
        );
        // Directories stay open; only they are offered to `cd`.
        assert_eq!(
            list(&format!("cd {base}/")),
            vec![format!("{base}/sub\\ dir/"), format!("{base}/subtle/")]
        );
        assert_eq!(
            list(&format!("cd \"{base}/sub ")),
            vec![format!("\"{base}/sub dir/")]
        );
        assert_eq!(
            list(&format!("define {base}/.h")),
            vec![format!("{base}/.hidden.xml ")]
        );
        let (_, shown) = complete(&format!("define {base}/d"), base.len() + 9, &mut names());
        assert_eq!(shown[0].display, "domain.xml");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
