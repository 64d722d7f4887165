//! `virtsh __complete`: completion for bash, zsh and fish. Their scripts in
//! `completions/` hand over the command line as typed; the answer comes from
//! the interactive shell's completer (`complete`), so commands, options,
//! fixed choices and live names behave alike everywhere. Names come through
//! the connection the line asks for (`-c URI`, `-r`), else the default URI.
//!
//! ```text
//! virtsh __complete [--shell=bash|zsh|fish] [--word=TEXT] -- LINE...
//! ```
//!
//! LINE is the command line up to the cursor, program name first (several
//! arguments are joined with spaces). Output is one candidate a line:
//! * bash: the text to put in place of `--word` (bash's word under the
//!   cursor, which breaks at `=` and `:`), quoted for bash and followed by a
//!   space when the word is complete;
//! * zsh, fish: the whole word, unquoted (those shells quote it), then a tab
//!   and a description for commands and options. A directory ends in `/`.
//!
//! It never prints an error and waits for names at most `NAMES_WAIT`.

use std::io::Write;
use std::time::Duration;

use super::complete::{self, Candidate, NameSource, SessionNames};
use super::globals::{self, ArgKind, GlobalOpt, GLOBAL_OPTS, NO_SHORT};
use crate::commands;

/// How long a TAB in another shell waits for names from the hypervisor.
const NAMES_WAIT: Duration = Duration::from_secs(2);

/// Runs `virtsh __complete …`; always succeeds.
pub fn main(args: &[String]) -> i32 {
    // bash takes candidates for its own word; zsh and fish whole words.
    let mut bash = false;
    let mut word = "";
    let mut rest = args;
    while let Some((first, tail)) = rest.split_first() {
        if let Some(name) = first.strip_prefix("--shell=") {
            bash = name == "bash";
        } else if let Some(text) = first.strip_prefix("--word=") {
            word = text;
        } else if first == "--" {
            rest = tail;
            break;
        } else {
            break;
        }
        rest = tail;
    }
    let line = rest.join(" ");
    let Some(typed) = Typed::read(&line) else {
        return 0;
    };
    let mut names = SessionNames::for_uri(
        super::globals::connect_uri(typed.connect.clone()),
        typed.readonly,
        NAMES_WAIT,
    );
    let found = typed.complete(&mut names);
    let mut out = String::new();
    for candidate in &found.candidates {
        let text = match bash {
            true => found.for_bash(&line, word, candidate),
            false => Some(found.whole_word(&typed, candidate)),
        };
        // One candidate a line: a name with a newline cannot be offered.
        if let Some(text) = text.filter(|t| !t.contains('\n')) {
            out.push_str(&text);
            out.push('\n');
        }
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    0
}

/// Where the cursor is on a virtsh command line.
enum Place {
    /// The value of a global option (`-c <TAB>`).
    GlobalValue(&'static GlobalOpt),
    /// Among the global options: an option or the command name.
    Globals,
    /// In a command whose name is the finished word at this index.
    Command(usize),
}

/// The command line up to the cursor, read as virtsh reads its argv.
struct Typed<'a> {
    line: &'a str,
    /// Finished words, the program name first.
    words: Vec<String>,
    /// Byte offset of the word under the cursor.
    word_start: usize,
    place: Place,
    connect: Option<String>,
    readonly: bool,
}

/// Completions, as the interactive completer writes them, and the byte
/// offset in the line where the text they replace starts.
struct Found {
    start: usize,
    candidates: Vec<Candidate>,
}

impl<'a> Typed<'a> {
    fn read(line: &'a str) -> Option<Typed<'a>> {
        let (words, word_start) = complete::words_before(line)?;
        if words.is_empty() {
            return None;
        }
        let mut typed = Typed {
            line,
            words,
            word_start,
            place: Place::Globals,
            connect: None,
            readonly: false,
        };
        typed.read_globals();
        Some(typed)
    }

    /// Walks the global options as `globals::parse` does, remembering the
    /// connection they ask for and where the command starts.
    fn read_globals(&mut self) {
        let mut awaiting: Option<&'static GlobalOpt> = None;
        let mut i = 1;
        while i < self.words.len() {
            let word = self.words[i].clone();
            i += 1;
            if let Some(opt) = awaiting.take() {
                self.record(opt, Some(&word));
                continue;
            }
            if word == "--" || !word.starts_with('-') || word == "-" {
                self.place = Place::Command(if word == "--" { i } else { i - 1 });
                return;
            }
            if let Some(long) = word.strip_prefix("--") {
                let (name, inline) = match long.split_once('=') {
                    Some((name, value)) => (name, Some(value)),
                    None => (long, None),
                };
                if let Some(opt) = globals::match_long(name) {
                    if opt.arg == ArgKind::Required && inline.is_none() {
                        awaiting = Some(opt);
                    } else {
                        self.record(opt, inline);
                    }
                }
                continue;
            }
            for (at, short) in word.char_indices().skip(1) {
                let Some(opt) = GLOBAL_OPTS
                    .iter()
                    .find(|o| o.short == short && short != NO_SHORT)
                else {
                    break;
                };
                if opt.arg == ArgKind::Required {
                    let attached = &word[at + short.len_utf8()..];
                    if attached.is_empty() {
                        awaiting = Some(opt);
                    } else {
                        self.record(opt, Some(attached));
                    }
                    break;
                }
                self.record(opt, None);
            }
        }
        if let Some(opt) = awaiting {
            self.place = Place::GlobalValue(opt);
        }
    }

    fn record(&mut self, opt: &GlobalOpt, value: Option<&str>) {
        match opt.short {
            'c' => self.connect = value.map(str::to_string),
            'r' => self.readonly = true,
            _ => {}
        }
    }

    /// The word under the cursor, as typed.
    fn word(&self) -> &'a str {
        &self.line[self.word_start..]
    }

    fn complete(&self, names: &mut dyn NameSource) -> Found {
        let word = self.word();
        match self.place {
            Place::GlobalValue(opt) => Found {
                start: self.word_start,
                candidates: complete::complete_value(word, opt.complete, names),
            },
            Place::Globals => match word.strip_prefix("--").and_then(|w| w.split_once('=')) {
                Some((name, value)) => {
                    let candidates = match globals::match_long(name) {
                        Some(opt) if opt.arg != ArgKind::None => {
                            complete::complete_value(value, opt.complete, names)
                        }
                        _ => Vec::new(),
                    };
                    Found {
                        start: self.line.len() - value.len(),
                        candidates,
                    }
                }
                None if word.starts_with('-') => {
                    let mut candidates: Vec<Candidate> = GLOBAL_OPTS
                        .iter()
                        .filter(|o| !o.long.is_empty())
                        .map(|o| format!("--{}", o.long))
                        .filter(|name| name.starts_with(word))
                        .map(|name| Candidate {
                            replacement: format!("{name} "),
                            display: name,
                        })
                        .collect();
                    candidates.sort_by(|a, b| a.display.cmp(&b.display));
                    Found {
                        start: self.word_start,
                        candidates,
                    }
                }
                None => self.complete_command(&[], names),
            },
            Place::Command(first) => self.complete_command(&self.words[first..], names),
        }
    }

    /// Completes within a command: its finished words rewritten for virsh's
    /// lexer, then the word under the cursor as typed.
    fn complete_command(&self, done: &[String], names: &mut dyn NameSource) -> Found {
        let mut line: String = done.iter().map(|w| complete::escape(w) + " ").collect();
        let prefix = line.len();
        line.push_str(self.word());
        let (start, candidates) = complete::complete(&line, line.len(), names);
        Found {
            start: self.word_start + start.saturating_sub(prefix),
            candidates,
        }
    }

    /// What a candidate is, for shells that show descriptions.
    fn describe(&self, value: &str) -> Option<&'static str> {
        let option = value.strip_prefix("--");
        match self.place {
            Place::GlobalValue(_) => None,
            Place::Globals => match option {
                Some(name) => GLOBAL_OPTS.iter().find(|o| o.long == name).map(|o| o.help),
                None => commands::find(value).map(|c| c.summary),
            },
            Place::Command(first) if first == self.words.len() => {
                commands::find(value).map(|c| c.summary)
            }
            Place::Command(first) => {
                let def = commands::find(&self.words[first])?;
                def.option(option?)
                    .map(|o| o.help)
                    .filter(|h| !h.is_empty())
            }
        }
    }
}

impl Found {
    /// The candidate in place of bash's word under the cursor, which may
    /// start before ours (`--domain=` is `--domain`, `=`) or after it
    /// (`test:///d` is `test`, `:`, `///d`).
    fn for_bash(&self, line: &str, word: &str, candidate: &Candidate) -> Option<String> {
        let word = if line.ends_with(word) { word } else { "" };
        let bash_start = line.len() - word.len();
        let (value, finished) = unquote(&candidate.replacement);
        let quoted = bash_quote(&value, candidate.replacement.chars().next(), finished);
        if bash_start <= self.start {
            Some(format!("{}{quoted}", &line[bash_start..self.start]))
        } else {
            quoted
                .strip_prefix(&line[self.start..bash_start])
                .map(str::to_string)
        }
    }

    /// The whole word, unquoted, with its description after a tab.
    fn whole_word(&self, typed: &Typed, candidate: &Candidate) -> String {
        let before = &typed.line[typed.word_start.min(self.start)..self.start];
        let value = unquote(before).0 + &unquote(&candidate.replacement).0;
        match typed.describe(&value) {
            Some(help) => format!("{value}\t{help}"),
            None => value,
        }
    }
}

/// Reads a completion as the lexer would: its text, and whether it ends
/// the word (an unquoted space follows).
fn unquote(raw: &str) -> (String, bool) {
    let mut text = String::new();
    let mut quote = None;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => text.push(c),
            (_, '\\') => text.extend(chars.next()),
            (Some(_), c) => text.push(c),
            (None, '\'' | '"') => quote = Some(c),
            (None, ' ') => return (text, true),
            (None, c) => text.push(c),
        }
    }
    (text, false)
}

/// Writes `text` for bash in the quoting the word was started with.
fn bash_quote(text: &str, opening: Option<char>, finished: bool) -> String {
    match opening {
        Some('\'') if !text.contains('\'') => {
            format!("'{text}{}", if finished { "' " } else { "" })
        }
        Some('\'' | '"') => {
            let mut out = String::from("\"");
            for c in text.chars() {
                if matches!(c, '"' | '\\' | '$' | '`') {
                    out.push('\\');
                }
                out.push(c);
            }
            out + if finished { "\" " } else { "" }
        }
        _ => {
            let mut out = String::new();
            for c in text.chars() {
                if !(c.is_alphanumeric() || "_@%+=:,./-".contains(c)) {
                    out.push('\\');
                }
                out.push(c);
            }
            out + if finished { " " } else { "" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;

    impl NameSource for Fixed {
        fn domains(&mut self, _flags: u32) -> Vec<String> {
            ["test", "web01", "my vm", "a$b"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        }
    }

    /// What bash would be offered for `line`, whose last `word` bash sees.
    fn bash(line: &str, word: &str) -> Vec<String> {
        let typed = Typed::read(line).unwrap();
        let found = typed.complete(&mut Fixed);
        found
            .candidates
            .iter()
            .filter_map(|c| found.for_bash(line, word, c))
            .collect()
    }

    /// What zsh and fish would be offered (whole words, descriptions).
    fn words(line: &str) -> Vec<String> {
        let typed = Typed::read(line).unwrap();
        let found = typed.complete(&mut Fixed);
        found
            .candidates
            .iter()
            .map(|c| found.whole_word(&typed, c))
            .collect()
    }

    #[test]
    fn globals_are_read_as_virsh_reads_them() {
        let typed = Typed::read("virtsh -rqc test:///x --timing dominfo ").unwrap();
        assert_eq!(typed.connect.as_deref(), Some("test:///x"));
        assert!(typed.readonly);
        assert!(matches!(typed.place, Place::Command(4)));
        let typed = Typed::read("virtsh --connect=test:///y -- list ").unwrap();
        assert_eq!(typed.connect.as_deref(), Some("test:///y"));
        assert!(matches!(typed.place, Place::Command(3)));
        let typed = Typed::read("virtsh --conn ").unwrap();
        assert!(matches!(typed.place, Place::GlobalValue(opt) if opt.long == "connect"));
    }

    #[test]
    fn commands_options_and_names() {
        assert_eq!(bash("virtsh domin", "domin"), vec!["dominfo "]);
        assert_eq!(
            bash("virtsh -c test:///default dominfo ", ""),
            vec!["a\\$b ", "my\\ vm ", "test ", "web01 ", "--domain "]
        );
        assert_eq!(
            bash("virtsh shutdown test --mode a", "a"),
            vec!["acpi ", "agent "]
        );
        assert_eq!(bash("virtsh list --ina", "--ina"), vec!["--inactive "]);
        let summary = commands::find("dominfo").unwrap().summary;
        assert_eq!(words("virtsh domin"), vec![format!("dominfo\t{summary}")]);
        assert_eq!(
            words("virtsh dominfo --d"),
            vec!["--domain\tdomain name, id or uuid"]
        );
        assert_eq!(words("virtsh dominfo my"), vec!["my vm"]);
    }

    #[test]
    fn quoting_follows_the_word() {
        assert_eq!(bash("virtsh dominfo 'my", "'my"), vec!["'my vm' "]);
        assert_eq!(bash("virtsh dominfo \"a", "\"a"), vec!["\"a\\$b\" "]);
        assert_eq!(bash("virtsh dominfo my\\ ", "my\\ "), vec!["my\\ vm "]);
        assert_eq!(words("virtsh dominfo 'my"), vec!["my vm"]);
    }

    #[test]
    fn bash_words_break_at_equals_and_colons() {
        assert_eq!(
            bash("virtsh dominfo --domain=", "="),
            vec!["=a\\$b ", "=my\\ vm ", "=test ", "=web01 "]
        );
        assert_eq!(bash("virtsh dominfo --domain=w", "w"), vec!["web01 "]);
        assert_eq!(bash("virtsh -c test:///d", "///d"), vec!["///default "]);
        assert_eq!(
            bash("virtsh --connect=qemu:///s", "///s"),
            vec!["///session ", "///system "]
        );
        assert_eq!(words("virtsh dominfo --domain=w"), vec!["--domain=web01"]);
        assert_eq!(
            words("virtsh --connect=qemu:///s"),
            vec!["--connect=qemu:///session", "--connect=qemu:///system"]
        );
    }

    #[test]
    fn global_options_and_their_values() {
        assert_eq!(bash("virtsh --re", "--re"), vec!["--readonly "]);
        assert_eq!(
            words("virtsh --co"),
            vec![
                "--color\tcolour on a terminal: auto (default), always, never",
                "--connect\thypervisor connection URI"
            ]
        );
        assert_eq!(bash("virtsh --color=a", "a"), vec!["always ", "auto "]);
        assert_eq!(bash("virtsh -c ", ""), bash("virtsh --connect ", ""));
        assert!(bash("virtsh -c ", "").contains(&"test:///default ".to_string()));
        assert_eq!(bash("virtsh -q ", ""), bash("virtsh ", ""));
        assert!(bash("virtsh -q ", "").contains(&"list ".to_string()));
    }

    #[test]
    fn a_command_string_is_not_completed() {
        assert!(bash("virtsh 'list; dom", "'list; dom").is_empty());
        assert!(Typed::read("").is_none());
    }

    #[test]
    fn unquoting() {
        assert_eq!(unquote("'my vm' "), ("my vm".to_string(), true));
        assert_eq!(unquote("\"a\\\"b"), ("a\"b".to_string(), false));
        assert_eq!(unquote("my\\ vm "), ("my vm".to_string(), true));
        assert_eq!(unquote("dir/"), ("dir/".to_string(), false));
    }
}
