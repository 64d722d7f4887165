//! virsh's option syntax, applied to a command's declaration: `--opt value`,
//! `--opt=value`, bare words filling positional options in declaration order,
//! `--` ending options, and `--help` anywhere turning the command into help.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::commands::{self, virsh_names, Args, CmdError, CommandDef, OptKind};

/// Whether parses record their trace (`-d 0|1` asked for it); off, the
/// parser does no formatting work for it.
pub static TRACING: AtomicBool = AtomicBool::new(false);

/// A command ready to run.
pub struct ParsedCommand {
    pub def: &'static CommandDef,
    pub args: Args,
    /// What `-d 1` shows of the parse: `CMD: OPT(bool|optdata): VALUE` per option.
    pub trace: Vec<String>,
    /// virtsh's own global options given after the command name.
    pub own: OwnOptions,
}

/// `--json` and `--color[=WHEN]` among a command's options (where no
/// command declares them): they apply to that command, as they would to
/// the whole run before the command name. virsh refuses both there
/// (`command 'list' doesn't support option --json`), so no virsh script
/// has them and accepting them changes no virsh script.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct OwnOptions {
    pub json: bool,
    pub color: Option<String>,
}

impl OwnOptions {
    /// Takes `--NAME[=VALUE]` if it is one of virtsh's own options and the
    /// command has no option of that name; `Ok(false)` leaves it to the command.
    fn take(
        &mut self,
        def: &CommandDef,
        name: &str,
        inline: Option<String>,
    ) -> Result<bool, String> {
        if def.options.iter().any(|o| o.name == name) {
            return Ok(false);
        }
        match name {
            "json" if inline.is_some() => Err("invalid '=' after option --json".to_string()),
            "json" => {
                self.json = true;
                Ok(true)
            }
            "color" => {
                self.color = Some(super::globals::color_choice(inline)?);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// Parses one command's words. Errors carry virsh's message lines, and a
/// suggestion when a command or option name was mistyped.
pub fn parse_command(words: &[String]) -> Result<ParsedCommand, CmdError> {
    let name = &words[0];
    let Some(def) = commands::find(name) else {
        return Err(unknown_command(name));
    };
    parse_words(def, words).map_err(|e| {
        let mut error = CmdError::lines(e.split('\n').map(str::to_string).collect());
        if let Some(option) =
            e.strip_prefix(&format!("command '{}' doesn't support option --", def.name))
        {
            let names = def
                .options
                .iter()
                .filter(|o| !o.kind.is_hidden())
                .map(|o| o.name);
            error.hint = crate::output::style::closest(option, names)
                .map(|o| format!("did you mean '--{o}'?"));
        }
        error
    })
}

/// A command virsh has but virtsh does not yet is said to be so; any other
/// name gets virsh's own message. Either way a person at a terminal hears
/// of a near command, if there is one.
pub fn unknown_command(name: &str) -> CmdError {
    let message = if virsh_names::has(name) {
        format!("command '{name}' exists in virsh but not yet in virtsh")
    } else {
        format!("unknown command: '{name}'")
    };
    CmdError::msg(message).suggest(name, commands::all().iter().map(|c| c.name))
}

fn parse_words(def: &'static CommandDef, words: &[String]) -> Result<ParsedCommand, String> {
    if def.name == "help" {
        return Ok(parse_help(def, &words[1..]));
    }
    let mut args = Args::default();
    let mut trace = Vec::new();
    let tracing = TRACING.load(Ordering::Relaxed);
    let mut filled = vec![false; def.options.len()];
    let mut data_only = false;
    let mut wants_help = false;
    let mut own = OwnOptions::default();
    let mut rest = words[1..].iter();
    while let Some(word) = rest.next() {
        if !data_only && word == "--" {
            data_only = true;
            continue;
        }
        if !data_only && is_option_word(word) {
            let (opt_name, inline) = match word[2..].split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (&word[2..], None),
            };
            if opt_name == "help" {
                // `--help` is a flag of every command: it takes no value.
                if inline.is_some() {
                    return Err("invalid '=' after option --help".to_string());
                }
                wants_help = true;
                continue;
            }
            if own.take(def, opt_name, inline.clone())? {
                continue;
            }
            let mut index = def
                .options
                .iter()
                .position(|o| o.name == opt_name)
                .ok_or_else(|| {
                    format!("command '{}' doesn't support option --{opt_name}", def.name)
                })?;
            let mut inline = inline;
            match def.options[index].kind {
                OptKind::Alias(target) => index = option_index(def, target),
                OptKind::Preset(target, value) => {
                    // A preset carries its own value: `--hi=x` is refused.
                    if inline.is_some() {
                        return Err(format!("invalid '=' after option --{opt_name}"));
                    }
                    inline = Some(value.to_string());
                    index = option_index(def, target);
                }
                _ => {}
            }
            let opt = &def.options[index];
            if filled[index] && opt.kind != OptKind::Argv {
                return Err(format!("option --{} already seen", opt.name));
            }
            filled[index] = true;
            if opt.kind == OptKind::Bool {
                if inline.is_some() {
                    return Err(format!("invalid '=' after option --{}", opt.name));
                }
                args.set_flag(opt.name);
                if tracing {
                    trace.push(format!("{}: {}(bool): (none)", def.name, opt.name));
                }
                continue;
            }
            let value = match inline {
                Some(v) => v,
                None => rest.next().cloned().ok_or_else(|| {
                    let kind = if opt.kind == OptKind::Number {
                        "number"
                    } else {
                        "string"
                    };
                    format!("expected syntax: --{} <{kind}>", opt.name)
                })?,
            };
            if tracing {
                trace.push(format!("{}: {}(optdata): {value}", def.name, opt.name));
            }
            args.push(opt.name, value);
            continue;
        }
        // A bare word fills the first positional option not yet given.
        let index = def
            .options
            .iter()
            .enumerate()
            .position(|(i, o)| o.positional && (!filled[i] || o.kind == OptKind::Argv))
            .ok_or_else(|| format!("unexpected data '{word}'"))?;
        filled[index] = true;
        if tracing {
            trace.push(format!(
                "{}: {}(optdata): {word}",
                def.name, def.options[index].name
            ));
        }
        args.push(def.options[index].name, word.clone());
    }
    if wants_help {
        let help = commands::find("help").expect("help command");
        let mut help_args = Args::default();
        help_args.push("command", def.name.to_string());
        return Ok(ParsedCommand {
            def: help,
            args: help_args,
            trace,
            own,
        });
    }
    // Every missing option gets its own line; virsh names a missing
    // positional string `<x>` and anything else `--x`.
    let missing: Vec<String> = def
        .options
        .iter()
        .enumerate()
        .filter(|(i, opt)| opt.required && !filled[*i])
        .map(|(_, opt)| {
            if opt.positional && opt.kind != OptKind::Number {
                format!("command '{}' requires <{}> option", def.name, opt.name)
            } else {
                format!("command '{}' requires --{} option", def.name, opt.name)
            }
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing.join("\n"));
    }
    Ok(ParsedCommand {
        def,
        args,
        trace,
        own,
    })
}

/// Where the option an alias or preset stands for is declared.
fn option_index(def: &CommandDef, name: &str) -> usize {
    def.options
        .iter()
        .position(|o| o.name == name)
        .expect("alias target is declared")
}

/// Whether a word names an option: virsh takes `--` and a letter or digit
/// for one; `--_x`, `---x` or `--é` are data.
pub fn is_option_word(word: &str) -> bool {
    word.len() > 2 && word.starts_with("--") && word.as_bytes()[2].is_ascii_alphanumeric()
}

/// `help` is lenient, as virsh's is: the topic is `--command X` or the first
/// bare word; unknown options and further words are ignored.
fn parse_help(def: &'static CommandDef, words: &[String]) -> ParsedCommand {
    let mut args = Args::default();
    let mut own = OwnOptions::default();
    let mut topic_seen = false;
    let mut rest = words.iter();
    while let Some(word) = rest.next() {
        if let Some(option) = word.strip_prefix("--") {
            let (name, inline) = match option.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (option, None),
            };
            // A bad value is ignored like any other option help does not know.
            if own.take(def, name, inline).unwrap_or(false) {
                continue;
            }
        }
        if topic_seen {
            continue;
        }
        let topic = match word.strip_prefix("--command") {
            Some("") => rest.next(),
            Some(v) if v.starts_with('=') => Some(word),
            _ if word == "--" || is_option_word(word) => continue,
            _ => Some(word),
        };
        if let Some(t) = topic {
            let t = t.strip_prefix("--command=").unwrap_or(t);
            if !t.is_empty() {
                args.push("command", t.to_string());
            }
            topic_seen = true;
        }
    }
    ParsedCommand {
        def,
        args,
        own,
        trace: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<ParsedCommand, String> {
        let words: Vec<String> = line.split(' ').map(str::to_string).collect();
        parse_command(&words).map_err(|e| e.lines.join("\n"))
    }

    #[test]
    fn positional_and_named_values() {
        let p = parse("setmem test 1G --config").unwrap();
        assert_eq!(p.def.name, "setmem");
        assert_eq!(p.args.raw("domain"), Some("test"));
        assert_eq!(p.args.raw("size"), Some("1G"));
        assert!(p.args.has("config"));
        let p = parse("setmem --size=5 test").unwrap();
        assert_eq!(p.args.raw("size"), Some("5"));
        assert_eq!(p.args.raw("domain"), Some("test"));
    }

    #[test]
    fn optional_strings_fill_positionally_but_named_only_do_not() {
        let p = parse("shutdown test acpi").unwrap();
        assert_eq!(p.args.raw("mode"), Some("acpi"));
        assert_eq!(
            parse("dumpxml test //name").err().unwrap(),
            "unexpected data '//name'"
        );
        assert_eq!(
            parse("dommemstat test 10").err().unwrap(),
            "unexpected data '10'"
        );
    }

    #[test]
    fn argv_takes_the_rest_and_double_dash_ends_options() {
        let p = parse("echo a -- --b").unwrap();
        assert_eq!(p.args.all("string"), vec!["a", "--b"]);
        let p = parse("desc test hello world").unwrap();
        assert_eq!(p.args.all("new-desc"), vec!["hello", "world"]);
    }

    #[test]
    fn aliases_map_to_their_option() {
        let p = parse("setmem test --kilobytes 1024").unwrap();
        assert_eq!(p.args.raw("size"), Some("1024"));
        let p = parse("echo --str a b").unwrap();
        assert_eq!(p.args.all("string"), vec!["a", "b"]);
    }

    #[test]
    fn presets_give_their_option_a_value() {
        let p = parse("echo --hi there").unwrap();
        assert_eq!(p.args.all("string"), vec!["hello", "there"]);
        assert_eq!(
            parse("echo --hi=x").err().unwrap(),
            "invalid '=' after option --hi"
        );
        assert_eq!(
            parse("echo --help=x").err().unwrap(),
            "invalid '=' after option --help"
        );
    }

    #[test]
    fn virtshs_own_options_may_follow_the_command() {
        let p = parse("list --all --json").unwrap();
        assert!(p.own.json && p.args.has("all"));
        let p = parse("dominfo --color=never test").unwrap();
        assert_eq!(p.own.color.as_deref(), Some("never"));
        assert_eq!(p.args.raw("domain"), Some("test"));
        assert_eq!(
            parse("list --color").unwrap().own.color.as_deref(),
            Some("always")
        );
        let p = parse("help list --json").unwrap();
        assert!(p.own.json);
        assert_eq!(p.args.raw("command"), Some("list"));
        let p = parse("list --help --json").unwrap();
        assert!(p.own.json && p.def.name == "help");
        // After `--`, and as an option's value, it is data.
        let p = parse("echo -- --json").unwrap();
        assert!(!p.own.json);
        assert_eq!(p.args.all("string"), vec!["--json"]);
        assert!(!parse("desc test --new-desc --json").unwrap().own.json);
        let err = |l: &str| parse(l).err().unwrap();
        assert_eq!(err("list --json=1"), "invalid '=' after option --json");
        assert_eq!(
            err("list --color=blue"),
            "invalid argument 'blue' for '--color': use auto, always or never"
        );
    }

    #[test]
    fn help_option_becomes_help_command() {
        let p = parse("dominfo --help").unwrap();
        assert_eq!(p.def.name, "help");
        assert_eq!(p.args.raw("command"), Some("dominfo"));
    }

    #[test]
    fn virsh_error_messages() {
        let err = |l: &str| parse(l).err().unwrap();
        assert_eq!(err("nosuch"), "unknown command: 'nosuch'");
        assert_eq!(
            err("net-list --all"),
            "command 'net-list' exists in virsh but not yet in virtsh"
        );
        assert_eq!(
            err("list --bogus"),
            "command 'list' doesn't support option --bogus"
        );
        assert_eq!(err("list --all=yes"), "invalid '=' after option --all");
        assert_eq!(err("list --all --all"), "option --all already seen");
        assert_eq!(
            err("dominfo --domain"),
            "expected syntax: --domain <string>"
        );
        assert_eq!(
            err("dommemstat test --period"),
            "expected syntax: --period <number>"
        );
        assert_eq!(err("list extra"), "unexpected data 'extra'");
        assert_eq!(err("dominfo"), "command 'dominfo' requires <domain> option");
        assert_eq!(err("save test"), "command 'save' requires <file> option");
        assert_eq!(
            err("setmem"),
            "command 'setmem' requires <domain> option\ncommand 'setmem' requires --size option"
        );
    }
}
