use crate::commands::values::Single;
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};

pub static DEF: CommandDef = CommandDef {
    name: "echo",
    group: Group::Virsh,
    summary: "print its arguments",
    description: "Print the arguments joined by spaces, optionally quoted for a shell \
or escaped for XML.",
    options: &[
        OptDef::flag("shell", "quote each argument for a POSIX shell"),
        OptDef::flag("xml", "escape each argument for XML"),
        OptDef::flag(
            "split",
            "split each argument at ',' (',,' is a literal comma)",
        ),
        OptDef::flag("err", "write to standard error instead"),
        // Hidden spellings virsh keeps for its own tests.
        OptDef::alias("str", "string"),
        OptDef::preset("hi", "string", "hello"),
        OptDef::argv("string", "the words to print"),
    ],
    needs_connection: false,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    args.exclusive("shell", "xml")?;
    args.exclusive("shell", "split")?;
    args.exclusive("xml", "split")?;
    // Looked up once: each lookup scans every word given.
    let (shell, xml, split) = (args.has("shell"), args.has("xml"), args.has("split"));
    let words: Vec<String> = args
        .all("string")
        .into_iter()
        .map(|word| {
            if shell {
                shell_quote(word)
            } else if xml {
                xml_escape(word)
            } else if split {
                split_commas(word)
                    .iter()
                    .map(|piece| format!("{piece}\n"))
                    .collect()
            } else {
                word.to_string()
            }
        })
        .collect();
    let text = words.join(" ");
    if args.has("err") {
        // Printed as an error line, yet the command succeeds.
        if !text.is_empty() {
            session.print_error_lines(&[text]);
        }
        return Ok(());
    }
    // No newline: the separator after the command ends the line.
    session.emit(&Single::bare("text", text));
    Ok(())
}

/// Leaves plain words alone; anything a shell would interpret goes in single quotes.
fn shell_quote(word: &str) -> String {
    const SPECIAL: &str = "\r\t\n !\"#$&'()*;<>?[\\]^`{|}~";
    if word.is_empty() {
        return "''".to_string();
    }
    if !word.chars().any(|c| SPECIAL.contains(c)) {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', "'\\''"))
}

fn xml_escape(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Splits at single commas; a doubled comma stands for a literal one.
pub fn split_commas(text: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ',' {
            if chars.peek() == Some(&',') {
                chars.next();
                parts.last_mut().expect("non-empty").push(',');
            } else {
                parts.push(String::new());
            }
        } else {
            parts.last_mut().expect("non-empty").push(c);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("plain"), "plain");
        assert_eq!(xml_escape("<a&b>'"), "&lt;a&amp;b&gt;&apos;");
        assert_eq!(split_commas("a,b,,c"), vec!["a", "b,c"]);
    }
}
