//! virtsh's own command-line options, parsed as virsh's getopt_long does:
//! clustered short options, `--long[=value]` with unambiguous prefixes, and
//! parsing stops at the first word that is not an option.

use crate::commands::Complete;

/// What the global options asked for.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Globals {
    pub connect: Option<String>,
    pub debug: Option<i32>,
    pub escape: Option<String>,
    pub keepalive_interval: Option<i32>,
    pub keepalive_count: Option<i32>,
    pub log_file: Option<String>,
    pub quiet: bool,
    pub readonly: bool,
    pub timing: bool,
    /// `--json`: data as JSON documents, errors as JSON on stderr.
    pub json: bool,
    /// `--color=auto|always|never`
    pub color: Option<String>,
}

/// The result of reading the command line.
#[derive(Debug, PartialEq)]
pub enum Invocation {
    /// Run: the options, and the words after them (none = interactive).
    Run(Globals, Vec<String>),
    Help,
    /// `-v` / `--version[=short]`
    ShortVersion,
    /// `-V` / `--version=long`
    LongVersion,
}

/// One global option; the table drives parsing, `-h` and completions.
pub struct GlobalOpt {
    pub short: char,
    pub long: &'static str,
    pub arg: ArgKind,
    /// How `-h` shows it, e.g. `-c | --connect=URI`.
    pub usage: &'static str,
    pub help: &'static str,
    /// What completers offer for its value.
    pub complete: Complete,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    None,
    Required,
    Optional,
}

pub const GLOBAL_OPTS: &[GlobalOpt] = &[
    GlobalOpt {
        short: 'c',
        long: "connect",
        arg: ArgKind::Required,
        usage: "-c | --connect=URI",
        help: "hypervisor connection URI",
        complete: Complete::Uri,
    },
    GlobalOpt {
        short: 'd',
        long: "debug",
        arg: ArgKind::Required,
        usage: "-d | --debug=NUM",
        help: "debug level [0-4]",
        complete: Complete::Choices(&["0", "1", "2", "3", "4"]),
    },
    GlobalOpt {
        short: 'e',
        long: "escape",
        arg: ArgKind::Required,
        usage: "-e | --escape <char>",
        help: "set escape sequence for console",
        complete: Complete::Nothing,
    },
    GlobalOpt {
        short: 'h',
        long: "help",
        arg: ArgKind::None,
        usage: "-h | --help",
        help: "this help",
        complete: Complete::Nothing,
    },
    GlobalOpt {
        short: 'k',
        long: "keepalive-interval",
        arg: ArgKind::Required,
        usage: "-k | --keepalive-interval=NUM",
        help: "keepalive interval in seconds, 0 to disable",
        complete: Complete::Nothing,
    },
    GlobalOpt {
        short: 'K',
        long: "keepalive-count",
        arg: ArgKind::Required,
        usage: "-K | --keepalive-count=NUM",
        help: "missed keepalive replies before giving up",
        complete: Complete::Nothing,
    },
    GlobalOpt {
        short: 'l',
        long: "log",
        arg: ArgKind::Required,
        usage: "-l | --log=FILE",
        help: "append a log to FILE",
        complete: Complete::File,
    },
    GlobalOpt {
        short: 'q',
        long: "quiet",
        arg: ArgKind::None,
        usage: "-q | --quiet",
        help: "print results only",
        complete: Complete::Nothing,
    },
    GlobalOpt {
        short: 'r',
        long: "readonly",
        arg: ArgKind::None,
        usage: "-r | --readonly",
        help: "open the connection read-only",
        complete: Complete::Nothing,
    },
    GlobalOpt {
        short: 't',
        long: "timing",
        arg: ArgKind::None,
        usage: "-t | --timing",
        help: "print how long each command took",
        complete: Complete::Nothing,
    },
    GlobalOpt {
        short: 'v',
        long: "version",
        arg: ArgKind::Optional,
        usage: "-v | --version[=TYPE]",
        help: "version: TYPE short (default) or long",
        complete: Complete::Choices(&["short", "long"]),
    },
    GlobalOpt {
        short: 'V',
        long: "",
        arg: ArgKind::None,
        usage: "-V",
        help: "long version",
        complete: Complete::Nothing,
    },
    GlobalOpt {
        short: NO_SHORT,
        long: "json",
        arg: ArgKind::None,
        usage: "     --json",
        help: "print data as JSON (also VIRTSH_OUTPUT=json)",
        complete: Complete::Nothing,
    },
    GlobalOpt {
        short: NO_SHORT,
        long: "color",
        arg: ArgKind::Optional,
        usage: "     --color[=WHEN]",
        help: "colour on a terminal: auto (default), always, never",
        complete: Complete::Choices(COLOR_CHOICES),
    },
];

/// The values of `--color`.
pub const COLOR_CHOICES: &[&str] = &["auto", "always", "never"];

/// The value of `--color[=WHEN]`: bare `--color` means always.
pub fn color_choice(value: Option<String>) -> Result<String, String> {
    let when = value.unwrap_or_else(|| "always".to_string());
    if !COLOR_CHOICES.contains(&when.as_str()) {
        return Err(format!(
            "invalid argument '{when}' for '--color': use auto, always or never"
        ));
    }
    Ok(when)
}

/// Marks options that exist only in long form (virtsh's own additions).
pub const NO_SHORT: char = '\0';

/// Reads argv (without the program name). Errors carry virsh's message;
/// warnings (e.g. an out-of-range debug level) are printed and parsing goes on.
pub fn parse(argv: &[String], warn: &mut dyn FnMut(String)) -> Result<Invocation, String> {
    let mut g = Globals::default();
    let mut i = 0;
    while i < argv.len() {
        let word = &argv[i];
        if word == "--" {
            i += 1;
            break;
        }
        if !word.starts_with('-') || word == "-" {
            break;
        }
        i += 1;
        // Collect (option, value, spelled-long) occurrences from this word.
        if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let opt = match_long(name)
                .ok_or_else(|| format!("unsupported option '{word}'. See --help."))?;
            let value = match opt.arg {
                ArgKind::None if inline.is_some() && opt.short == NO_SHORT => {
                    return Err(format!("unsupported option '--{}'. See --help.", opt.long))
                }
                ArgKind::None if inline.is_some() => {
                    return Err(format!("unsupported option '-{}'. See --help.", opt.short))
                }
                ArgKind::None => None,
                ArgKind::Optional => inline,
                ArgKind::Required => match inline {
                    Some(v) => Some(v),
                    None => {
                        let v = argv.get(i).cloned().ok_or_else(|| missing_arg(opt))?;
                        i += 1;
                        Some(v)
                    }
                },
            };
            if let Some(done) = apply(&mut g, opt, value, true, warn)? {
                return Ok(done);
            }
        } else {
            let shorts: Vec<char> = word[1..].chars().collect();
            let mut j = 0;
            while j < shorts.len() {
                let c = shorts[j];
                j += 1;
                let opt = GLOBAL_OPTS
                    .iter()
                    .find(|o| o.short == c && c != NO_SHORT)
                    .ok_or_else(|| format!("unsupported option '-{c}'. See --help."))?;
                let value = if opt.arg == ArgKind::Required {
                    let rest: String = shorts[j..].iter().collect();
                    j = shorts.len();
                    if rest.is_empty() {
                        let v = argv.get(i).cloned().ok_or_else(|| missing_arg(opt))?;
                        i += 1;
                        Some(v)
                    } else {
                        Some(rest)
                    }
                } else {
                    None
                };
                if let Some(done) = apply(&mut g, opt, value, false, warn)? {
                    return Ok(done);
                }
            }
        }
    }
    Ok(Invocation::Run(g, argv[i..].to_vec()))
}

/// The URI to connect to: `-c`, else `VIRTSH_DEFAULT_URI` (virtsh's name
/// for virsh's `VIRSH_DEFAULT_CONNECT_URI`). `None` leaves the choice to
/// the api: `LIBVIRT_DEFAULT_URI`, then `libvirt.conf`, then the local
/// daemon — never an embedded driver nobody asked for.
pub fn connect_uri(given: Option<String>) -> Option<String> {
    given.or_else(|| {
        std::env::var("VIRTSH_DEFAULT_URI")
            .ok()
            .filter(|v| !v.is_empty())
    })
}

/// getopt_long accepts any unambiguous prefix of a long option.
pub fn match_long(name: &str) -> Option<&'static GlobalOpt> {
    let long_opts = || GLOBAL_OPTS.iter().filter(|o| !o.long.is_empty());
    if let Some(exact) = long_opts().find(|o| o.long == name) {
        return Some(exact);
    }
    let mut candidates = long_opts().filter(|o| !name.is_empty() && o.long.starts_with(name));
    let first = candidates.next()?;
    candidates.next().is_none().then_some(first)
}

fn missing_arg(opt: &GlobalOpt) -> String {
    format!(
        "option '-{}'/'--{}' requires an argument",
        opt.short, opt.long
    )
}

/// Records one option; returns an invocation when the option ends parsing.
fn apply(
    g: &mut Globals,
    opt: &GlobalOpt,
    value: Option<String>,
    spelled_long: bool,
    warn: &mut dyn FnMut(String),
) -> Result<Option<Invocation>, String> {
    let spelled = if spelled_long {
        format!("--{}", opt.long)
    } else {
        format!("-{}", opt.short)
    };
    match opt.long {
        "json" => g.json = true,
        "color" => g.color = Some(color_choice(value.clone())?),
        _ => {}
    }
    match opt.short {
        NO_SHORT => {}
        'c' => g.connect = value,
        'd' => {
            let v = value.unwrap_or_default();
            // An int, as virsh reads it: a wider number is no number.
            let level = strtol(&v, 10)
                .filter(|l| i32::try_from(*l).is_ok())
                .ok_or_else(|| format!("option {spelled} takes a numeric argument"))?;
            if (0..=4).contains(&level) {
                g.debug = Some(level as i32);
            } else {
                warn(format!("ignoring debug level {level} out of range [0-4]"));
            }
        }
        'e' => {
            let v = value.unwrap_or_default();
            let b = v.as_bytes();
            let ok = (b.len() == 2 && b[0] == b'^' && is_escape_char(b[1]))
                || (b.len() == 1 && b[0] != b'^');
            if !ok {
                return Err(format!("Invalid string '{v}' for escape sequence"));
            }
            g.escape = Some(v);
        }
        'h' => return Ok(Some(Invocation::Help)),
        'k' | 'K' => {
            let v = value.unwrap_or_default();
            let n = strtol(&v, 0)
                .filter(|n| i32::try_from(*n).is_ok())
                .ok_or_else(|| format!("Invalid value for option {spelled}"))?;
            if n < 0 {
                return Err(format!(
                    "option {spelled} requires a positive integer argument"
                ));
            }
            if opt.short == 'k' {
                g.keepalive_interval = Some(n as i32);
            } else {
                g.keepalive_count = Some(n as i32);
            }
        }
        'l' => g.log_file = value,
        'q' => g.quiet = true,
        'r' => g.readonly = true,
        't' => g.timing = true,
        'v' if value.as_deref() != Some("long") => return Ok(Some(Invocation::ShortVersion)),
        'v' | 'V' => return Ok(Some(Invocation::LongVersion)),
        _ => unreachable!("every table entry is handled"),
    }
    Ok(None)
}

/// Characters allowed after `^` in an escape sequence.
fn is_escape_char(c: u8) -> bool {
    c.is_ascii_alphabetic() || matches!(c, b'@' | b'[' | b'\\' | b']' | b'^' | b'_')
}

/// strtol with a whole-string check; base 0 accepts `0x` hex and `0` octal.
fn strtol(text: &str, base: u32) -> Option<i64> {
    let t = text.trim_start();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) = if base == 0 {
        if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, h)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        }
    } else {
        (base, body)
    };
    if digits.is_empty() {
        return None;
    }
    let v = i64::from_str_radix(digits, radix).ok()?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Invocation, String> {
        let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse(&argv, &mut |_| {})
    }

    #[test]
    fn options_stop_at_first_word() {
        let Ok(Invocation::Run(g, rest)) = run(&["-q", "-c", "test:///default", "list", "--all"])
        else {
            panic!()
        };
        assert!(g.quiet);
        assert_eq!(g.connect.as_deref(), Some("test:///default"));
        assert_eq!(rest, vec!["list", "--all"]);
    }

    #[test]
    fn clusters_prefixes_and_attached_values() {
        let Ok(Invocation::Run(g, _)) = run(&["-qrctest:///default", "--conn", "x", "--tim"])
        else {
            panic!()
        };
        assert!(g.quiet && g.readonly && g.timing);
        assert_eq!(g.connect.as_deref(), Some("x"));
    }

    #[test]
    fn virsh_error_messages() {
        assert_eq!(
            run(&["-c"]),
            Err("option '-c'/'--connect' requires an argument".into())
        );
        assert_eq!(
            run(&["-z"]),
            Err("unsupported option '-z'. See --help.".into())
        );
        assert_eq!(
            run(&["--bogus"]),
            Err("unsupported option '--bogus'. See --help.".into())
        );
        assert_eq!(
            run(&["--readonly=1"]),
            Err("unsupported option '-r'. See --help.".into())
        );
        assert_eq!(
            run(&["-d", "x"]),
            Err("option -d takes a numeric argument".into())
        );
        assert_eq!(
            run(&["--debug=x"]),
            Err("option --debug takes a numeric argument".into())
        );
        assert_eq!(
            run(&["-d", "2147483648"]),
            Err("option -d takes a numeric argument".into())
        );
        assert_eq!(
            run(&["-e", "ab"]),
            Err("Invalid string 'ab' for escape sequence".into())
        );
        assert_eq!(run(&["-k", "x"]), Err("Invalid value for option -k".into()));
        assert_eq!(
            run(&["-k", "-1"]),
            Err("option -k requires a positive integer argument".into())
        );
        assert_eq!(
            run(&["--keepalive-count=-2"]),
            Err("option --keepalive-count requires a positive integer argument".into())
        );
        assert_eq!(
            run(&["--k", "1"]),
            Err("unsupported option '--k'. See --help.".into())
        );
    }

    #[test]
    fn versions() {
        assert_eq!(run(&["-v"]), Ok(Invocation::ShortVersion));
        assert_eq!(run(&["--version=x"]), Ok(Invocation::ShortVersion));
        assert_eq!(run(&["--version=long"]), Ok(Invocation::LongVersion));
        assert_eq!(run(&["-V"]), Ok(Invocation::LongVersion));
    }
}
