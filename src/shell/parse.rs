//! virsh's option syntax, applied to a command's declaration: `--opt value`,
//! `--opt=value`, bare words filling positional options in declaration order,
//! `--` ending options, and `--help` anywhere turning the command into help.

use crate::commands::{self, Args, CommandDef, OptKind};

/// A command ready to run.
pub struct ParsedCommand {
    pub def: &'static CommandDef,
    pub args: Args,
}

/// Parses one command's words. Errors carry virsh's message.
pub fn parse_command(words: &[String]) -> Result<ParsedCommand, String> {
    let name = &words[0];
    let def = commands::find(name).ok_or_else(|| format!("unknown command: '{name}'"))?;
    let mut args = Args::default();
    let mut filled = vec![false; def.options.len()];
    let mut data_only = false;
    let mut wants_help = false;
    let mut rest = words[1..].iter();
    while let Some(word) = rest.next() {
        if !data_only && word == "--" {
            data_only = true;
            continue;
        }
        if !data_only && word.starts_with("--") && word.len() > 2 {
            let (opt_name, inline) = match word[2..].split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (&word[2..], None),
            };
            if opt_name == "help" {
                wants_help = true;
                continue;
            }
            let mut index = def
                .options
                .iter()
                .position(|o| o.name == opt_name)
                .ok_or_else(|| format!("command '{}' doesn't support option --{opt_name}", def.name))?;
            if let OptKind::Alias(target) = def.options[index].kind {
                index = def.options.iter().position(|o| o.name == target).expect("alias target");
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
                continue;
            }
            let value = match inline {
                Some(v) => v,
                None => rest.next().cloned().ok_or_else(|| {
                    let kind = if opt.kind == OptKind::Number { "number" } else { "string" };
                    format!("expected syntax: --{} <{kind}>", opt.name)
                })?,
            };
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
        args.push(def.options[index].name, word.clone());
    }
    if wants_help {
        let help = commands::find("help").expect("help command");
        let mut help_args = Args::default();
        help_args.push("command", def.name.to_string());
        return Ok(ParsedCommand { def: help, args: help_args });
    }
    for (i, opt) in def.options.iter().enumerate() {
        if opt.required && !filled[i] {
            return Err(if opt.positional {
                format!("command '{}' requires <{}> option", def.name, opt.name)
            } else {
                format!("command '{}' requires --{} option", def.name, opt.name)
            });
        }
    }
    Ok(ParsedCommand { def, args })
}
