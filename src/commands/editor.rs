//! Editing text in the user's editor (`$VISUAL`, `$EDITOR`, else `vi`), as
//! `edit`, `desc --edit` and the other `*-edit` commands do.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::CmdError;

/// A temporary file holding the text being edited; removed when dropped.
pub struct EditFile {
    path: PathBuf,
}

impl EditFile {
    /// Writes `text` to `$TMPDIR/virtshXXXXXX.xml`.
    pub fn create(text: &str) -> Result<EditFile, CmdError> {
        let dir = std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".to_string());
        for attempt in 0..100u32 {
            let tag = unique_tag(attempt);
            let path = Path::new(&dir).join(format!("virtsh{tag}.xml"));
            let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
            match file {
                Ok(mut f) => {
                    f.write_all(text.as_bytes()).map_err(|e| write_error(&path, &e))?;
                    return Ok(EditFile { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(write_error(&path, &e)),
            }
        }
        Err(CmdError::msg(format!("failed to create temporary file in {dir}")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs the editor on the file and reads back what the user saved.
    pub fn edit(&self) -> Result<String, CmdError> {
        run_editor(&self.path)?;
        std::fs::read_to_string(&self.path).map_err(|e| {
            CmdError::msg(format!(
                "failed to read '{}': {}",
                self.path.display(),
                crate::output::os_error_text(&e)
            ))
        })
    }
}

impl Drop for EditFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn write_error(path: &Path, e: &std::io::Error) -> CmdError {
    CmdError::msg(format!("failed to write '{}': {}", path.display(), crate::output::os_error_text(e)))
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
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            CHARS[(x >> 33) as usize % CHARS.len()] as char
        })
        .collect()
}

/// Runs the editor. A plain command line is split on blanks and run
/// directly; one with shell syntax in it goes through `sh -c`.
fn run_editor(file: &Path) -> Result<(), CmdError> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "vi".to_string());
    let file_text = file.display().to_string();
    let plain = editor.chars().all(|c| c.is_ascii_alphanumeric() || " _-+/.,=@:%^".contains(c));
    let mut words: Vec<String> = if plain {
        editor.split_whitespace().map(str::to_string).collect()
    } else {
        vec!["sh".into(), "-c".into(), format!("{editor} {file_text}")]
    };
    if plain {
        words.push(file_text);
    }
    let described = words.join(" ");
    let status = Command::new(&words[0]).args(&words[1..]).status().map_err(|e| {
        // libvirt's child-process helper reports the exec failure in its own format.
        eprintln!(
            "libvirt:  error : cannot execute binary {}: {}",
            words[0],
            crate::output::os_error_text(&e)
        );
        CmdError::msg(format!("internal error: Child process ({described}) unexpected exit status 127"))
    })?;
    if !status.success() {
        let code = status.code().unwrap_or(255);
        return Err(CmdError::msg(format!(
            "internal error: Child process ({described}) unexpected exit status {code}"
        )));
    }
    Ok(())
}

/// What the user chose at the retry prompt after a failed save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    Again,
    Discard,
    /// Save without validating the XML.
    IgnoreValidation,
    Force,
}

/// Asks virsh's `Failed. Try again? [y,n,i,f,?]:` question on a terminal.
/// Without one, the answer is always "discard".
pub fn ask_retry(reason: &str, allow_ignore: bool) -> Retry {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Retry::Discard;
    }
    let choices = if allow_ignore { "[y,n,i,f,?]" } else { "[y,n,f,?]" };
    loop {
        print!("{reason} Try again? {choices}: ");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        if stdin.lock().read_line(&mut line).unwrap_or(0) == 0 {
            return Retry::Discard;
        }
        match line.trim() {
            "y" => return Retry::Again,
            "n" => return Retry::Discard,
            "i" if allow_ignore => return Retry::IgnoreValidation,
            "f" => return Retry::Force,
            _ => {
                println!("y - yes, start editor again");
                println!("n - no, throw away my changes");
                if allow_ignore {
                    println!("i - turn off validation and try to redefine again");
                }
                println!("f - force, try to redefine again");
                println!("? - print this help");
            }
        }
    }
}
