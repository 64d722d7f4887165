//! Editing text in the user's editor (`$VISUAL`, `$EDITOR`, else `vi`), as
//! `edit`, `desc --edit` and the other `*-edit` commands do.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::CmdError;
use crate::temp_files::TempPath;

/// A temporary file holding the text being edited; removed when dropped,
/// or by the fatal-signal handler if virtsh dies while the editor runs.
pub struct EditFile {
    temp: TempPath,
}

impl EditFile {
    /// Writes `text` to `$TMPDIR/virtshXXXXXX.xml`.
    pub fn create(text: &str) -> Result<EditFile, CmdError> {
        let dir = std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".to_string());
        for attempt in 0..100u32 {
            let tag = unique_tag(attempt);
            let path = Path::new(&dir).join(format!("virtsh{tag}.xml"));
            match crate::temp_files::create_registered(path.clone(), 0o600) {
                Ok((mut f, temp)) => {
                    f.write_all(text.as_bytes())
                        .map_err(|e| write_error(&path, &e))?;
                    return Ok(EditFile { temp });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(write_error(&path, &e)),
            }
        }
        Err(CmdError::msg(format!(
            "failed to create temporary file in {dir}"
        )))
    }

    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// Runs the editor on the file and reads back what the user saved.
    /// What the session printed goes out first: the editor writes to the
    /// same terminal or file.
    pub fn edit(&self, session: &mut super::Session) -> Result<String, CmdError> {
        session.flush();
        run_editor(self.temp.path())?;
        self.read_back()
    }

    /// What the file holds now. On failure: virsh's own line, then libvirt's.
    pub fn read_back(&self) -> Result<String, CmdError> {
        let path = self.temp.path().display();
        std::fs::read_to_string(self.temp.path()).map_err(|e| {
            let why = crate::error::os_error_text(&e);
            CmdError::msg(format!("{path}: failed to read temporary file: {why}"))
                .also(format!("Failed to open file '{path}': {why}"))
        })
    }
}

fn write_error(path: &Path, e: &std::io::Error) -> CmdError {
    CmdError::msg(format!(
        "failed to write '{}': {}",
        path.display(),
        crate::error::os_error_text(e)
    ))
}

fn unique_tag(attempt: u32) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
        ^ (u64::from(std::process::id()) << 20)
        ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut x = seed;
    (0..6)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            CHARS[(x >> 33) as usize % CHARS.len()] as char
        })
        .collect()
}

/// The editor command: `$VISUAL`, then `$EDITOR`, else Debian's
/// `sensible-editor` where it exists and `vi` elsewhere.
fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| {
            let sensible = Path::new("/usr/bin/sensible-editor").exists();
            if sensible { "sensible-editor" } else { "vi" }.to_string()
        })
}

/// Runs the editor: its command line is split into words as a shell would
/// (quotes and backslashes, no expansion), the program is looked up in
/// `PATH`, and the file name is the last argument.
fn run_editor(file: &Path) -> Result<(), CmdError> {
    let editor = editor_command();
    let mut words = split_words(&editor);
    if words.is_empty() {
        words.push(editor.clone());
    }
    let program = find_program(&words[0]).ok_or_else(|| {
        CmdError::msg(format!(
            "Cannot find '{}' in path: No such file or directory",
            words[0]
        ))
    })?;
    words.push(file.display().to_string());
    let described = words.join(" ");
    let status = Command::new(&program)
        .args(&words[1..])
        .status()
        .map_err(|e| {
            // libvirt's child-process helper reports the exec failure in its own format.
            crate::stdio::err(&format!(
                "libvirt:  error : cannot execute binary {}: {}\n",
                words[0],
                crate::error::os_error_text(&e)
            ));
            CmdError::msg(format!(
                "internal error: Child process ({described}) unexpected exit status 127"
            ))
        })?;
    if !status.success() {
        let code = status.code().unwrap_or(255);
        return Err(CmdError::msg(format!(
            "internal error: Child process ({described}) unexpected exit status {code}"
        )));
    }
    Ok(())
}

/// A program named with a slash is used as it is; a bare name is searched in `PATH`.
fn find_program(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        return Some(PathBuf::from(name));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Splits a command line into words the way a POSIX shell quotes them.
fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                w.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => w.extend(chars.next()),
                        _ => w.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            _ => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// What the user chose at the retry prompt after a failed save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// `y`: edit again.
    Again,
    /// `n`: throw the changes away; the command fails.
    Discard,
    /// `i`: save again without validating the XML.
    IgnoreValidation,
    /// `f`: save the same text again.
    Force,
    /// No terminal to ask at: virsh says `error: REASON` and carries on as
    /// if the save had worked.
    Unasked,
}

/// Asks virsh's `REASON Try again? [y,n,i,f,?]:` at a terminal, after the
/// error (`why`) behind it, taking one key at a time as virsh does (the
/// terminal raw meanwhile); other keys ask again, `?` explains the choices.
pub fn ask_retry(why: Option<&str>, reason: &str, allow_ignore: bool) -> Retry {
    if !std::io::stdin().is_terminal() {
        crate::stdio::err(&format!("error: {reason}\n"));
        return Retry::Unasked;
    }
    if let Some(why) = why {
        crate::stdio::err(&format!("error: {why}\n"));
    }
    let choices = if allow_ignore {
        "[y,n,i,f,?]"
    } else {
        "[y,n,f,?]"
    };
    let raw = RawTerminal::enter();
    let answer = loop {
        crate::stdio::out(&format!("\r{reason} Try again? {choices}: "));
        // The end of input would ask forever; it throws the changes away.
        let Some(key) = super::input::read_byte() else {
            break Retry::Discard;
        };
        match key.to_ascii_lowercase() {
            b'y' => break Retry::Again,
            b'n' => break Retry::Discard,
            b'i' if allow_ignore => break Retry::IgnoreValidation,
            b'f' => break Retry::Force,
            b'?' => {
                // Raw output: lines end in CR LF.
                let mut help = String::from("\r\n");
                help.push_str("y - yes, start editor again\r\n");
                help.push_str("n - no, throw away my changes\r\n");
                if allow_ignore {
                    help.push_str("i - turn off validation and try to redefine again\r\n");
                }
                help.push_str("f - force, try to redefine again\r\n");
                help.push_str("? - print this help\r\n");
                crate::stdio::out(&help);
            }
            _ => {}
        }
    };
    drop(raw);
    crate::stdio::out("\r\n");
    answer
}

/// Standard input's terminal in raw mode until dropped, as virsh makes it
/// for the retry question (pending input is discarded both ways).
struct RawTerminal {
    saved: Option<libc::termios>,
}

impl RawTerminal {
    fn enter() -> RawTerminal {
        // SAFETY: termios is plain data, filled in by tcgetattr.
        let mut saved: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: descriptor 0 is a terminal (checked by the caller); the
        // structures are valid for the calls.
        let saved = unsafe {
            if libc::tcgetattr(0, &mut saved) != 0 {
                return RawTerminal { saved: None };
            }
            let mut raw = saved;
            libc::cfmakeraw(&mut raw);
            libc::tcsetattr(0, libc::TCSAFLUSH, &raw);
            Some(saved)
        };
        RawTerminal { saved }
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            // SAFETY: restores settings read from the same descriptor.
            unsafe { libc::tcsetattr(0, libc::TCSAFLUSH, saved) };
        }
    }
}

/// How an edit of a snapshot's or checkpoint's XML ended.
pub enum Edited<T> {
    /// The text came back as it went out.
    Unchanged,
    /// The edited text was defined; what the definition made.
    Defined(T),
}

/// virsh's edit loop for snapshots and checkpoints: fetch the XML, edit it,
/// and define the result, after checking nobody changed the object meanwhile.
/// At a terminal a failure asks whether to edit again, retry or give up.
/// `define` gets the XML as fetched and as edited. Failures end with virsh's
/// `Failed to update NAME` (`failure`); without a terminal a failed define
/// ends at `error: Failed.`, where virsh 9.0 itself crashes.
pub fn edit_object<T>(
    session: &mut super::Session,
    failure: &str,
    redefine_unchanged: bool,
    get_xml: &mut dyn FnMut() -> crate::api::Result<String>,
    define: &mut dyn FnMut(&str, &str) -> crate::api::Result<T>,
) -> Result<Edited<T>, CmdError> {
    let mut doc = get_xml().map_err(|e| CmdError::from(e).context(failure))?;
    let file = EditFile::create(&doc).map_err(|e| e.also(failure))?;
    'edit: loop {
        session.flush();
        run_editor(file.path()).map_err(|e| e.also(failure))?;
        // virsh says at once that it could not read the file, and gives
        // libvirt's reason only after its `Failed to update` line.
        let edited = file.read_back().map_err(|mut e| {
            e.lines.insert(1.min(e.lines.len()), failure.to_string());
            e
        })?;
        if edited == doc && !redefine_unchanged {
            return Ok(Edited::Unchanged);
        }
        loop {
            let reread = get_xml().map_err(|e| CmdError::from(e).context(failure))?;
            let (why, reason) = if reread != doc {
                doc = reread;
                (None, "The XML configuration was changed by another user.")
            } else {
                match define(&doc, &edited) {
                    Ok(made) => return Ok(Edited::Defined(made)),
                    Err(e) => (Some(e.message), "Failed."),
                }
            };
            session.flush();
            match ask_retry(why.as_deref(), reason, false) {
                Retry::Again => continue 'edit,
                Retry::Force => continue,
                Retry::Discard | Retry::IgnoreValidation => return Err(CmdError::msg(failure)),
                Retry::Unasked => return Err(CmdError::silent()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_words() {
        assert_eq!(split_words("sed -i s/a/b/"), vec!["sed", "-i", "s/a/b/"]);
        assert_eq!(
            split_words("ed 'a b' \"c d\" e\\ f"),
            vec!["ed", "a b", "c d", "e f"]
        );
        assert!(split_words("   ").is_empty());
    }
}
