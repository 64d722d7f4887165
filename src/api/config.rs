//! `libvirt.conf`, the client configuration libvirt reads on every connection
//! open: `uri_default` (the URI when none is given) and `uri_aliases` (short
//! names for URIs). Read from the same place and in the same syntax as
//! libvirt's config parser, with its error messages and line numbers:
//!
//! ```text
//! # a comment
//! uri_default = "qemu:///system"          # strings in "…", '…' or """…"""
//! uri_aliases = [ "hail=qemu+ssh://root@hail.example.com/system",
//!                 "sleet=qemu+ssh://root@sleet.example.com/system", ]
//! ```
//!
//! Statements end at a newline or `;`; values are strings, integers and
//! lists of values.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Error, ErrorCode, ErrorDomain, Result};

/// libvirt refuses configuration files larger than this.
const MAX_SIZE: u64 = 10 * 1024 * 1024;

/// The characters an alias may be made of.
fn is_alias_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Str(String),
    Number(i64),
    List(Vec<Item>),
}

/// An item of a list: a string, or something else (a number, a list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Str(String),
    Other,
}

/// A parsed configuration file: its entries in order (the first of two
/// entries with one name is the one that counts).
#[derive(Debug)]
pub struct Config {
    path: String,
    entries: Vec<(String, Value)>,
}

/// Where libvirt looks: `/etc/libvirt/libvirt.conf` for root, else
/// `libvirt/libvirt.conf` in the user's configuration directory
/// (`$XDG_CONFIG_HOME`, else `~/.config`).
pub fn path() -> Option<PathBuf> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        return Some(PathBuf::from("/etc/libvirt/libvirt.conf"));
    }
    let config_home = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".config")))?;
    Some(config_home.join("libvirt").join("libvirt.conf"))
}

impl Config {
    /// The user's configuration, if the file exists.
    pub fn load() -> Result<Option<Config>> {
        match path() {
            Some(p) if p.exists() => Config::read(&p).map(Some),
            _ => Ok(None),
        }
    }

    pub fn read(path: &Path) -> Result<Config> {
        let shown = path.display().to_string();
        let system = |what: &str, e: &std::io::Error| {
            Error::system(format!(
                "Failed to {what} file '{shown}': {}",
                crate::error::os_error_text(e)
            ))
        };
        let file = std::fs::File::open(path).map_err(|e| system("open", &e))?;
        let mut bytes = Vec::new();
        file.take(MAX_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| system("read", &e))?;
        if bytes.len() as u64 > MAX_SIZE {
            let e = std::io::Error::from_raw_os_error(libc::EOVERFLOW);
            return Err(system("read", &e));
        }
        Config::parse(&shown, &bytes)
    }

    /// Parses `content`; `path` names the file in error messages.
    pub fn parse(path: &str, content: &[u8]) -> Result<Config> {
        let mut parser = Parser {
            path,
            text: content,
            at: 0,
            line: 1,
        };
        let mut entries = Vec::new();
        while parser.at < parser.text.len() {
            if let Some(entry) = parser.statement()? {
                entries.push(entry);
            }
            parser.separator()?;
        }
        Ok(Config {
            path: path.to_string(),
            entries,
        })
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// A string setting; any other type is an error.
    pub fn string(&self, name: &str) -> Result<Option<&str>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s)),
            Some(_) => Err(Error::internal(format!(
                "{}: expected a string for '{name}' parameter",
                self.path
            ))),
        }
    }

    /// A list-of-strings setting; anything else is an error.
    pub fn string_list(&self, name: &str) -> Result<Option<Vec<&str>>> {
        let expected = || {
            format!(
                "{}: expected a string list for '{name}' parameter",
                self.path
            )
        };
        match self.get(name) {
            None => Ok(None),
            Some(Value::List(items)) => items
                .iter()
                .map(|item| match item {
                    Item::Str(s) => Ok(s.as_str()),
                    Item::Other => Err(syntax_error(expected())),
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(_) => Err(Error::internal(expected())),
        }
    }

    /// The URI `uri_aliases` gives `name`, if any. Entries are checked in
    /// order up to the match, as libvirt checks them.
    pub fn resolve_alias(&self, name: &str) -> Result<Option<String>> {
        let Some(aliases) = self.string_list("uri_aliases")? else {
            return Ok(None);
        };
        for entry in aliases {
            let Some((alias, uri)) = entry.split_once('=') else {
                return Err(syntax_error(format!(
                    "Malformed 'uri_aliases' config entry '{entry}', expected 'alias=uri://host/path'"
                )));
            };
            if !alias.bytes().all(is_alias_char) {
                return Err(syntax_error(format!(
                    "Malformed 'uri_aliases' config entry '{entry}', aliases may only contain 'a-Z, 0-9, _, -'"
                )));
            }
            if alias == name {
                return Ok(Some(uri.to_string()));
            }
        }
        Ok(None)
    }
}

fn syntax_error(detail: String) -> Error {
    Error::new(ErrorCode::ConfSyntax, ErrorDomain::Conf, detail)
}

/// A cursor over the file's bytes. Past the end it reads NUL, as libvirt's
/// parser reads the terminator of its buffer.
struct Parser<'a> {
    path: &'a str,
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl Parser<'_> {
    fn cur(&self) -> u8 {
        self.text.get(self.at).copied().unwrap_or(0)
    }

    fn at_end(&self) -> bool {
        self.at >= self.text.len()
    }

    fn next(&mut self) {
        if !self.at_end() {
            self.at += 1;
        }
    }

    fn error(&self, info: &str) -> Error {
        syntax_error(format!("{}:{}: {info}", self.path, self.line))
    }

    fn skip_blanks(&mut self) {
        while matches!(self.cur(), b' ' | b'\t') && !self.at_end() {
            self.at += 1;
        }
    }

    fn skip_blanks_and_eols(&mut self) {
        while matches!(self.cur(), b' ' | b'\t' | b'\n' | b'\r') && !self.at_end() {
            if self.cur() == b'\n' {
                self.line += 1;
            }
            self.at += 1;
        }
    }

    fn skip_to_eol(&mut self) {
        while !self.at_end() && !matches!(self.cur(), b'\n' | b'\r') {
            self.at += 1;
        }
    }

    /// `name = value [# comment]`, or a comment line (`None`).
    fn statement(&mut self) -> Result<Option<(String, Value)>> {
        self.skip_blanks_and_eols();
        if self.cur() == b'#' {
            self.skip_to_eol();
            return Ok(None);
        }
        let name = self.name()?;
        self.skip_blanks();
        if self.cur() != b'=' {
            return Err(self.error("expecting an assignment"));
        }
        self.next();
        self.skip_blanks();
        let value = self.value()?;
        self.skip_blanks();
        if self.cur() == b'#' {
            self.skip_to_eol();
        }
        Ok(Some((name, value)))
    }

    fn name(&mut self) -> Result<String> {
        self.skip_blanks();
        let start = self.at;
        if !self.cur().is_ascii_alphabetic() {
            return Err(self.error("expecting a name"));
        }
        while !self.at_end() && (self.cur().is_ascii_alphanumeric() || self.cur() == b'_') {
            self.at += 1;
        }
        Ok(String::from_utf8_lossy(&self.text[start..self.at]).into_owned())
    }

    /// A value. Lists nest without recursion, and only the outermost
    /// list's items are kept (what lies deeper only has to be well formed),
    /// so depth costs neither stack nor memory.
    fn value(&mut self) -> Result<Value> {
        // How many lists are open, and the items of the outermost one.
        let mut depth = 0usize;
        let mut items: Vec<Item> = Vec::new();
        'element: loop {
            self.skip_blanks();
            if self.at_end() {
                return Err(self.error("expecting a value"));
            }
            let mut done = match self.cur() {
                b'"' | b'\'' => Value::Str(self.string()?),
                b'[' => {
                    self.next();
                    self.skip_blanks_and_eols();
                    if !self.at_end() && self.cur() != b']' {
                        depth += 1;
                        continue 'element;
                    }
                    self.close_list()?;
                    Value::List(Vec::new())
                }
                c if c.is_ascii_digit() || c == b'-' || c == b'+' => Value::Number(self.number()?),
                _ => return Err(self.error("expecting a value")),
            };
            // A finished value joins its list; a list that ends joins its own.
            loop {
                match depth {
                    0 => return Ok(done),
                    1 => items.push(match done {
                        Value::Str(s) => Item::Str(s),
                        _ => Item::Other,
                    }),
                    _ => {}
                }
                self.skip_blanks_and_eols();
                if !self.at_end() && self.cur() != b']' {
                    if self.cur() != b',' {
                        return Err(self.error("expecting a separator in list"));
                    }
                    self.next();
                    self.skip_blanks_and_eols();
                    if self.cur() != b']' {
                        continue 'element;
                    }
                }
                self.close_list()?;
                depth -= 1;
                done = if depth == 0 {
                    Value::List(std::mem::take(&mut items))
                } else {
                    Value::List(Vec::new())
                };
            }
        }
    }

    fn close_list(&mut self) -> Result<()> {
        if self.cur() == b']' {
            self.next();
            Ok(())
        } else {
            Err(self.error("list is not closed with ]"))
        }
    }

    fn number(&mut self) -> Result<i64> {
        let negative = self.cur() == b'-';
        if matches!(self.cur(), b'-' | b'+') {
            self.next();
        }
        if self.at_end() || !self.cur().is_ascii_digit() {
            return Err(self.error("unterminated number"));
        }
        let mut n: i64 = 0;
        while !self.at_end() && self.cur().is_ascii_digit() {
            n = n
                .wrapping_mul(10)
                .wrapping_add(i64::from(self.cur() - b'0'));
            self.at += 1;
        }
        Ok(if negative { n.wrapping_neg() } else { n })
    }

    /// `'…'` or `"…"` on one line, or `"""…"""` across lines.
    fn string(&mut self) -> Result<String> {
        let rest = &self.text[self.at..];
        let start;
        let end;
        if rest.len() > 6 && rest.starts_with(b"\"\"\"") {
            self.at += 3;
            start = self.at;
            while self.at + 2 < self.text.len() && !self.text[self.at..].starts_with(b"\"\"\"") {
                if self.cur() == b'\n' {
                    self.line += 1;
                }
                self.at += 1;
            }
            if !self.text[self.at..].starts_with(b"\"\"\"") {
                return Err(self.error("unterminated string"));
            }
            end = self.at;
            self.at += 3;
        } else {
            let quote = self.cur();
            self.next();
            start = self.at;
            while !self.at_end() && self.cur() != quote && !matches!(self.cur(), b'\n' | b'\r') {
                self.at += 1;
            }
            if self.cur() != quote {
                return Err(self.error("unterminated string"));
            }
            end = self.at;
            self.next();
        }
        Ok(String::from_utf8_lossy(&self.text[start..end]).into_owned())
    }

    /// Between statements: a newline or `;` (then any blank lines), or the end.
    fn separator(&mut self) -> Result<()> {
        self.skip_blanks();
        if self.at_end() {
            return Ok(());
        }
        match self.cur() {
            b'\n' | b'\r' => self.skip_blanks_and_eols(),
            b';' => {
                self.next();
                self.skip_blanks_and_eols();
            }
            _ => return Err(self.error("expecting a separator")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<Config, String> {
        Config::parse("f.conf", text.as_bytes()).map_err(|e| e.message)
    }

    fn err(text: &str) -> String {
        parse(text).unwrap_err()
    }

    #[test]
    fn settings_and_comments() {
        let c = parse(
            "# comment\nuri_default = \"test:///default\" # trailing\n\
             x = 'single'; y = -12\nlist = [ \"a\",\n  'b', ]\nuri_default = \"second\"\n\
             t = \"\"\"multi\nline\"\"\"\n",
        )
        .unwrap();
        assert_eq!(c.string("uri_default").unwrap(), Some("test:///default"));
        assert_eq!(c.get("x"), Some(&Value::Str("single".into())));
        assert_eq!(c.get("y"), Some(&Value::Number(-12)));
        assert_eq!(c.string_list("list").unwrap(), Some(vec!["a", "b"]));
        assert_eq!(c.get("t"), Some(&Value::Str("multi\nline".into())));
        assert_eq!(c.get("missing"), None);
        assert!(parse("").unwrap().entries.is_empty());
        assert!(parse("a=1\n\n  ").is_ok());
        assert!(parse("a=[[1],[2,[3]]]").is_ok());
        assert!(parse("a=[]\rb=2").is_ok());
    }

    #[test]
    fn syntax_errors_carry_libvirts_messages_and_lines() {
        let e = |info: &str, line: usize| {
            format!("configuration file syntax error: f.conf:{line}: {info}")
        };
        assert_eq!(
            err("uri_default = test:///default\n"),
            e("expecting a value", 1)
        );
        assert_eq!(err("uri_default = \"test"), e("unterminated string", 1));
        assert_eq!(
            err("\n\nuri_default = \"x\"\nfoo\n"),
            e("expecting an assignment", 4)
        );
        assert_eq!(err("a = 1 b = 2"), e("expecting a separator", 1));
        assert_eq!(err("\n\n"), e("expecting a name", 3));
        assert_eq!(err("   "), e("expecting a name", 1));
        assert_eq!(err("a=1;;"), e("expecting a name", 1));
        assert_eq!(err("\u{feff}a=1"), e("expecting a name", 1));
        assert_eq!(err("_a=1"), e("expecting a name", 1));
        assert_eq!(err("a-b=1"), e("expecting an assignment", 1));
        assert_eq!(err("a=+"), e("unterminated number", 1));
        assert_eq!(err("a=[1 2]"), e("expecting a separator in list", 1));
        assert_eq!(err("a = [1, 2\n"), e("list is not closed with ]", 2));
        assert_eq!(err("a=[,]"), e("expecting a value", 1));
        assert_eq!(err("a=\n1"), e("expecting a value", 1));
        assert_eq!(err("a='x\ny'"), e("unterminated string", 1));
        assert_eq!(err("a=\"\"\"\"\"\""), e("expecting a separator", 1));
        assert_eq!(
            err("a = \"\"\"x\n\ny\"\"\"\nb=\n"),
            e("expecting a value", 4)
        );
        assert_eq!(err("a=1\0x"), e("expecting a separator", 1));
    }

    #[test]
    fn deep_lists_cost_no_stack() {
        let depth = 1_000_000;
        let text = format!("a={}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse(&text).is_ok());
        let open = format!("a={}", "[".repeat(depth));
        assert!(err(&open).ends_with("list is not closed with ]"));
    }

    #[test]
    fn typed_lookups() {
        let c = parse("n = 5\nl = [\"a\"]\ns = \"x\"\nbad = [5]\n").unwrap();
        assert_eq!(
            c.string("n").unwrap_err().message,
            "internal error: f.conf: expected a string for 'n' parameter"
        );
        assert_eq!(
            c.string("l").unwrap_err().message,
            "internal error: f.conf: expected a string for 'l' parameter"
        );
        assert_eq!(
            c.string_list("s").unwrap_err().message,
            "internal error: f.conf: expected a string list for 's' parameter"
        );
        assert_eq!(
            c.string_list("bad").unwrap_err().message,
            "configuration file syntax error: f.conf: expected a string list for 'bad' parameter"
        );
    }

    #[test]
    fn aliases() {
        let c = parse("uri_aliases = [\"t=test:///default\", \"u-2=qemu:///system\", \"bad\"]")
            .unwrap();
        assert_eq!(
            c.resolve_alias("t").unwrap().as_deref(),
            Some("test:///default")
        );
        assert_eq!(
            c.resolve_alias("u-2").unwrap().as_deref(),
            Some("qemu:///system")
        );
        assert_eq!(
            c.resolve_alias("other").unwrap_err().message,
            "configuration file syntax error: Malformed 'uri_aliases' config entry 'bad', \
             expected 'alias=uri://host/path'"
        );
        let c = parse("uri_aliases = [\"t.x=test:///default\"]").unwrap();
        assert_eq!(
            c.resolve_alias("test:///default").unwrap_err().message,
            "configuration file syntax error: Malformed 'uri_aliases' config entry \
             't.x=test:///default', aliases may only contain 'a-Z, 0-9, _, -'"
        );
        assert_eq!(parse("x = 1").unwrap().resolve_alias("t").unwrap(), None);
    }
}
