//! Completion the way virsh's hidden `complete` command answers, which
//! libvirt's bash completion script asks: readline's view of a line with the
//! cursor at its end. virsh parses the line as far as it can (its tokenizer,
//! its option rules, stopping at the first error), then offers command names,
//! the options not given yet, or the values of the option the last word
//! fills. Candidates come from the same declarations and name source as the
//! interactive completer; only the choice of what to offer, their order
//! (declaration order, not sorted) and their writing (a backslash before each
//! space) are virsh's.

use super::{raw_values, NameSource};
use crate::commands::{self, CommandDef, Complete, OptDef, OptKind};

/// What completing `line` offers, `text` being the word under the cursor as
/// given. `errors` are the tokenizer's complaints, which virsh prints and
/// then completes anyway.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Answer {
    pub errors: Vec<String>,
    pub candidates: Vec<String>,
}

pub fn complete(line: &str, text: &str, names: &mut dyn NameSource) -> Answer {
    let mut answer = Answer::default();
    let partial = parse_partial(line, &mut answer.errors);
    let (def, opts) = match partial {
        // A command word equal to the text is still being completed.
        Some(p) if p.def.name != text => (Some(p.def), p.opts),
        _ => (None, Vec::new()),
    };
    let current = opts.iter().find(|o| o.complete_this);
    let offered: Option<Vec<String>> = match (def, current) {
        (None, _) => Some(command_names()),
        (Some(def), None) => Some(unused_options(def, &opts)),
        (Some(_), Some(o)) if o.opt.kind == OptKind::Bool => {
            Some(unused_options(def.expect("matched"), &opts))
        }
        (Some(_), Some(o)) => {
            let domain = opts
                .iter()
                .find(|g| g.opt.name == "domain")
                .and_then(|g| g.data.as_deref());
            value_completer(
                o.opt.complete,
                o.data.as_deref().unwrap_or(""),
                names,
                domain,
            )
        }
    };
    answer.candidates = offered
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.replace(' ', "\\ "))
        .filter(|c| c.starts_with(text))
        .collect();
    answer
}

/// Every command `help` lists, in its order.
fn command_names() -> Vec<String> {
    commands::all().iter().map(|c| c.name.to_string()).collect()
}

/// `--name` of each option the command has not been given (a list option
/// stays), hidden spellings left out.
fn unused_options(def: &CommandDef, given: &[Given]) -> Vec<String> {
    def.options
        .iter()
        .filter(|o| !o.kind.is_hidden())
        .filter(|o| o.kind == OptKind::Argv || !given.iter().any(|g| g.opt.name == o.name))
        .map(|o| format!("--{}", o.name))
        .collect()
}

/// The values virsh's completer for an option offers; `None` for an option
/// virsh has no completer for (file names are left to the calling shell).
fn value_completer(
    complete: Complete,
    partial: &str,
    names: &mut dyn NameSource,
    domain: Option<&str>,
) -> Option<Vec<String>> {
    match complete {
        Complete::Nothing | Complete::File | Complete::Directory | Complete::Uri => None,
        Complete::Command => Some(command_names()),
        _ => Some(
            raw_values(complete, partial, names, domain)
                .into_iter()
                .map(|v| v.text)
                .collect(),
        ),
    }
}

/// An option the line gave, as far as virsh's parser got.
#[derive(Debug)]
struct Given {
    opt: &'static OptDef,
    data: Option<String>,
    /// The word ends where the line does: its value is being completed.
    complete_this: bool,
}

/// The last command of the line, parsed as virsh parses for completion.
struct Partial {
    def: &'static CommandDef,
    opts: Vec<Given>,
}

/// What the tokenizer found next.
enum Token {
    Word(String),
    /// `;`, a newline, or a comment to the end of the line.
    CommandEnd,
    End,
    Error,
}

/// virsh's command-string tokenizer over one line, keeping its position as
/// virsh's does: past a word or separator, but not past the blanks before
/// the end of the line.
struct Tokens<'a> {
    line: &'a [u8],
    pos: usize,
}

impl Tokens<'_> {
    /// The next token. Errors are reported only when `report` is set; an
    /// unfinished double quote is no error when it is not.
    fn next(&mut self, report: bool, errors: &mut Vec<String>) -> Token {
        let line = self.line;
        let mut p = self.pos;
        while p < line.len() {
            match line[p] {
                b' ' | b'\t' => p += 1,
                b'\\' if line.get(p + 1) == Some(&b'\n') => p += 2,
                _ => break,
            }
        }
        match line.get(p) {
            None => return Token::End,
            Some(b';' | b'\n') => {
                self.pos = p + 1;
                return Token::CommandEnd;
            }
            Some(b'#') => {
                while p < line.len() && line[p] != b'\n' {
                    p += 1;
                }
                self.pos = (p + 1).min(line.len());
                return Token::CommandEnd;
            }
            Some(_) => {}
        }
        let (mut single, mut double) = (false, false);
        let mut word = Vec::new();
        while p < line.len() {
            let c = line[p];
            if !single && !double && matches!(c, b' ' | b'\t' | b';' | b'\n') {
                break;
            }
            if !double && c == b'\'' {
                single = !single;
                p += 1;
                continue;
            }
            if !single && c == b'\\' {
                p += 1;
                match line.get(p) {
                    None => {
                        if report {
                            errors.push("dangling \\".to_string());
                        }
                        return Token::Error;
                    }
                    Some(b'\n') => {
                        p += 1;
                        continue;
                    }
                    Some(_) => {}
                }
            } else if !single && c == b'"' {
                double = !double;
                p += 1;
                continue;
            }
            word.push(line[p]);
            p += 1;
        }
        if double && report {
            errors.push("missing \"".to_string());
            return Token::Error;
        }
        self.pos = p;
        Token::Word(String::from_utf8_lossy(&word).into_owned())
    }
}

/// Parses every command of `line` as virsh does for completion; the last
/// one, as far as it got, is what completion looks at (`None` for none or
/// an unknown command name).
fn parse_partial(line: &str, errors: &mut Vec<String>) -> Option<Partial> {
    let point = line.len();
    let mut tokens = Tokens {
        line: line.as_bytes(),
        pos: 0,
    };
    loop {
        let mut def: Option<&'static CommandDef> = None;
        let mut opts: Vec<Given> = Vec::new();
        let mut filled = Vec::new();
        let mut data_only = false;
        let ended = loop {
            let word = match tokens.next(true, errors) {
                Token::Word(w) => w,
                Token::Error => return def.map(|def| Partial { def, opts }),
                Token::CommandEnd => break false,
                Token::End => break true,
            };
            let Some(cmd) = def else {
                if word.starts_with('#') {
                    // A quoted or escaped '#': the rest of the command is a comment.
                    let after = loop {
                        match tokens.next(false, errors) {
                            Token::Word(_) => continue,
                            other => break other,
                        }
                    };
                    break matches!(after, Token::End);
                }
                let found = commands::find(&word)?;
                filled = vec![false; found.options.len()];
                def = Some(found);
                continue;
            };
            let given = if data_only {
                next_data(cmd, &mut filled)
            } else if let Some(name) = option_word(&word) {
                let (name, inline) = match name.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (name, None),
                };
                let Some((opt, preset)) = lookup(cmd, name, inline.is_some(), &mut filled) else {
                    if cmd.name == "help" {
                        continue;
                    }
                    return Some(Partial { def: cmd, opts });
                };
                if opt.kind == OptKind::Bool {
                    if inline.is_some() {
                        return Some(Partial { def: cmd, opts });
                    }
                    opts.push(Given {
                        opt,
                        data: None,
                        complete_this: tokens.pos == point,
                    });
                    continue;
                }
                let value = match preset.map(str::to_string).or(inline) {
                    Some(v) => v,
                    None => match tokens.next(false, errors) {
                        Token::Word(w) => w,
                        Token::Error => return Some(Partial { def: cmd, opts }),
                        Token::CommandEnd | Token::End => {
                            // The value is still to come: after a blank, it is
                            // what the cursor completes.
                            opts.push(Given {
                                opt,
                                data: None,
                                complete_this: tokens.pos + 1 == point,
                            });
                            return Some(Partial { def: cmd, opts });
                        }
                    },
                };
                opts.push(Given {
                    opt,
                    data: Some(value),
                    complete_this: tokens.pos == point,
                });
                continue;
            } else if word == "--" {
                data_only = true;
                continue;
            } else {
                next_data(cmd, &mut filled)
            };
            match given {
                Some(opt) => opts.push(Given {
                    opt,
                    data: Some(word),
                    complete_this: tokens.pos == point,
                }),
                None if cmd.name == "help" => {}
                None => return Some(Partial { def: cmd, opts }),
            }
        };
        let partial = def.map(|def| with_help(def, opts));
        if ended {
            return partial;
        }
    }
}

/// `--help` anywhere makes the command `help CMD`.
fn with_help(def: &'static CommandDef, opts: Vec<Given>) -> Partial {
    if !opts.iter().any(|g| std::ptr::eq(g.opt, &HELP_FLAG)) {
        return Partial { def, opts };
    }
    let help = commands::find("help").expect("help command");
    Partial {
        def: help,
        opts: vec![Given {
            opt: &help.options[0],
            data: Some(def.name.to_string()),
            complete_this: false,
        }],
    }
}

/// The flag every command has.
static HELP_FLAG: OptDef = OptDef::flag("help", "print help for this function");

/// The option name of a word virsh reads as an option: `--` and a letter or digit.
fn option_word(word: &str) -> Option<&str> {
    let name = word.strip_prefix("--")?;
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        .then_some(name)
}

/// The option `name` stands for, and a preset's value; `None` when the
/// command has no such option, it was given already, or a preset got `=`.
fn lookup(
    def: &'static CommandDef,
    name: &str,
    inline: bool,
    filled: &mut [bool],
) -> Option<(&'static OptDef, Option<&'static str>)> {
    if name == "help" {
        return Some((&HELP_FLAG, None));
    }
    let index = |name: &str| def.options.iter().position(|o| o.name == name);
    let mut i = index(name)?;
    let mut preset = None;
    match def.options[i].kind {
        OptKind::Alias(target) => i = index(target)?,
        OptKind::Preset(_, _) if inline => return None,
        OptKind::Preset(target, value) => {
            i = index(target)?;
            preset = Some(value);
        }
        _ => {}
    }
    let opt = &def.options[i];
    if filled[i] && opt.kind != OptKind::Argv {
        return None;
    }
    filled[i] = true;
    Some((opt, preset))
}

/// The option the next bare word fills: the first that takes a value by
/// position and has none yet (a list option takes any number).
fn next_data(def: &'static CommandDef, filled: &mut [bool]) -> Option<&'static OptDef> {
    let i = def
        .options
        .iter()
        .enumerate()
        .position(|(i, o)| o.positional && (!filled[i] || o.kind == OptKind::Argv))?;
    filled[i] = true;
    Some(&def.options[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;

    impl NameSource for Fixed {
        fn domains(&mut self, flags: u32) -> Vec<String> {
            let running = ["fv0", "fc4"];
            let all = ["fv0", "fc4", "fc5", "my vm"];
            let names: &[&str] = if flags == 0 { &all } else { &running };
            names.iter().map(|s| s.to_string()).collect()
        }
        fn snapshots(&mut self, domain: &str) -> Vec<String> {
            match domain {
                "fv0" => vec!["base".to_string(), "before".to_string()],
                _ => Vec::new(),
            }
        }
    }

    /// `complete -- WORDS…`: the words joined, the last one the text.
    fn offered(words: &[&str]) -> Vec<String> {
        let line = words.join(" ");
        complete(&line, words.last().unwrap(), &mut Fixed).candidates
    }

    #[test]
    fn command_names_in_help_order() {
        assert_eq!(offered(&["ech"]), vec!["echo"]);
        assert_eq!(offered(&["echo"]), vec!["echo"]);
        assert_eq!(
            offered(&["snapshot-c"]),
            vec!["snapshot-create", "snapshot-create-as", "snapshot-current"]
        );
        // After a separator, or an unknown command, names again.
        assert_eq!(offered(&["echo", "a;", "ech"]), vec!["echo"]);
        assert!(offered(&["nosuch", ""]).contains(&"dominfo".to_string()));
    }

    #[test]
    fn options_in_declaration_order() {
        assert_eq!(
            offered(&["echo", ""]),
            vec!["--shell", "--xml", "--split", "--err", "--string"]
        );
        assert_eq!(
            offered(&["echo", "--xm", "--s"]),
            vec!["--shell", "--split", "--string"]
        );
        // A flag just typed is given already.
        assert!(offered(&["echo", "--xml"]).is_empty());
        assert_eq!(offered(&["echo", "--bogus", "--xml"]), vec!["--xml"]);
        assert_eq!(offered(&["echo", "--st"]), vec!["--string"]);
        assert_eq!(offered(&["domstate", ""]), vec!["--domain", "--reason"]);
        assert_eq!(offered(&["domstate", "fv", ""]), vec!["--reason"]);
    }

    #[test]
    fn values_of_the_word_being_typed() {
        assert_eq!(offered(&["domstate", "fv"]), vec!["fv0"]);
        assert_eq!(offered(&["dominfo", "--domain", ""]).len(), 4);
        assert_eq!(offered(&["start", "--domain", ""]), vec!["fv0", "fc4"]);
        assert_eq!(offered(&["dominfo", "my"]), vec!["my\\ vm"]);
        assert_eq!(offered(&["dominfo", "'fv"]), Vec::<String>::new());
        assert_eq!(offered(&["dominfo", "--domain=fv"]), Vec::<String>::new());
        assert_eq!(
            offered(&["snapshot-revert", "fv0", "b"]),
            vec!["base", "before"]
        );
        assert!(offered(&["snapshot-revert", "--snapshotname", "b"]).is_empty());
        assert_eq!(
            offered(&["shutdown", "fv0", "--mode", "acpi,a"]),
            vec!["acpi,agent"]
        );
        // No completer for files or free text.
        assert!(offered(&["define", "/tm"]).is_empty());
        assert!(offered(&["echo", "--str", ""]).is_empty());
    }

    #[test]
    fn help_and_comments() {
        assert_eq!(offered(&["help", "dominf"]), vec!["dominfo"]);
        assert_eq!(offered(&["help", ""]), vec!["--command"]);
        assert!(offered(&["dominfo", "--help", ""]).is_empty());
        assert_eq!(offered(&["echo", "x", "#", "hostn"]), vec!["hostname"]);
        assert_eq!(offered(&["'#x'", "y;", "uri"]), vec!["uri"]);
    }

    #[test]
    fn tokenizer_errors_are_reported_and_completion_goes_on() {
        let answer = complete("dominfo te\\", "te\\", &mut Fixed);
        assert_eq!(answer.errors, vec!["dangling \\"]);
        assert!(answer.candidates.is_empty());
        let answer = complete("echo \"x --s", "--s", &mut Fixed);
        assert_eq!(answer.errors, vec!["missing \""]);
        assert_eq!(answer.candidates, vec!["--shell", "--split", "--string"]);
    }
}
