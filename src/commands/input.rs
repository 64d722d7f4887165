//! Standard input as virsh's C library sees it. Credentials are read through
//! stdio's buffer, which takes a block of input at a time and keeps what it
//! took: lines after the credentials in a pipe are gone for the command
//! reader, as with virsh. `complete` closes the descriptor outright.

use std::io::{self, BufRead};
use std::sync::Mutex;

use crate::api::auth::{Authenticator, Credential, CredentialKind};

/// How much one refill of stdio's buffer takes (the pipe's block size).
const STDIO_BLOCK: usize = 4096;
/// The longest user name the prompt takes in one answer (`fgets` into 1 KiB).
const NAME_MAX: usize = 1023;

struct Stdio {
    buffer: Vec<u8>,
    closed: bool,
}

static STDIO: Mutex<Stdio> = Mutex::new(Stdio {
    buffer: Vec::new(),
    closed: false,
});

fn stdio() -> std::sync::MutexGuard<'static, Stdio> {
    STDIO.lock().unwrap_or_else(|e| e.into_inner())
}

/// Closes standard input for the rest of the process; false when it was
/// closed already (libvirt then logs a warning). What comes after reads as
/// the end of input.
pub fn close() -> bool {
    let mut stdio = stdio();
    if stdio.closed {
        return false;
    }
    stdio.closed = true;
    stdio.buffer.clear();
    // Not a real close: the descriptor would be handed to the next file
    // opened. /dev/null in its place reads as the end of input.
    if let Ok(null) = std::fs::File::open("/dev/null") {
        use std::os::fd::AsRawFd;
        // SAFETY: both descriptors are valid; dup2 replaces descriptor 0.
        unsafe { libc::dup2(null.as_raw_fd(), 0) };
    }
    true
}

/// Whether `close` ran: the command reader stops.
pub fn is_closed() -> bool {
    stdio().closed
}

/// A line as `fgets` reads it, newline dropped: `Some("")` at the end of
/// input, `None` once standard input is closed.
fn read_line(limit: Option<usize>) -> Option<String> {
    let mut stdio = stdio();
    if stdio.closed {
        return None;
    }
    let mut line = Vec::new();
    loop {
        if stdio.buffer.is_empty() && !refill(&mut stdio.buffer) {
            break;
        }
        let room = limit.map_or(usize::MAX, |l| l - line.len());
        let upto = stdio.buffer.len().min(room);
        match stdio.buffer[..upto].iter().position(|&b| b == b'\n') {
            Some(i) => {
                line.extend(stdio.buffer.drain(..=i));
                line.pop();
                break;
            }
            None => {
                line.extend(stdio.buffer.drain(..upto));
                if limit == Some(line.len()) {
                    break;
                }
            }
        }
    }
    Some(String::from_utf8_lossy(&line).into_owned())
}

/// One byte, as `getchar` reads it; `None` at the end of input or once
/// standard input is closed.
pub fn read_byte() -> Option<u8> {
    let mut stdio = stdio();
    if stdio.closed || (stdio.buffer.is_empty() && !refill(&mut stdio.buffer)) {
        return None;
    }
    Some(stdio.buffer.remove(0))
}

/// Takes the next block of input, as stdio does; false at its end.
fn refill(buffer: &mut Vec<u8>) -> bool {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    loop {
        match input.fill_buf() {
            Ok([]) => return false,
            Ok(block) => {
                let n = block.len().min(STDIO_BLOCK);
                buffer.extend_from_slice(&block[..n]);
                input.consume(n);
                return true;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
}

/// libvirt's default answers for a program at a terminal: the prompt on
/// stdout, a user name from standard input, a password from the terminal
/// with echo off (from standard input when there is no terminal).
pub struct TerminalAuth {
    /// Prompts go to stderr instead, so stdout stays one JSON document.
    pub prompt_on_stderr: bool,
}

impl Authenticator for TerminalAuth {
    fn answer(&mut self, credential: &Credential) -> Option<String> {
        let prompt = format!("{}: ", credential.prompt);
        if self.prompt_on_stderr {
            crate::stdio::err(&prompt);
        } else {
            crate::stdio::out(&prompt);
        }
        match credential.kind {
            CredentialKind::AuthName => read_line(Some(NAME_MAX)),
            CredentialKind::Passphrase => match tty::read_secret() {
                Some(secret) => Some(secret),
                None => read_line(None),
            },
        }
    }
}

mod tty {
    //! A secret typed at the controlling terminal, as `getpass` reads it.

    use std::fs::OpenOptions;
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;

    /// The line typed, echo and signals off while typing; `None` without a
    /// controlling terminal.
    pub fn read_secret() -> Option<String> {
        let mut tty = OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()?;
        let fd = tty.as_raw_fd();
        // SAFETY: termios is plain data, filled in by tcgetattr.
        let mut saved: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd is an open terminal descriptor; saved is valid to write.
        let quiet = unsafe { libc::tcgetattr(fd, &mut saved) } == 0 && {
            let mut t = saved;
            t.c_lflag &= !(libc::ECHO | libc::ISIG);
            // SAFETY: as above; t is a valid termios.
            unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &t) == 0 }
        };
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        let ended = loop {
            match tty.read(&mut byte) {
                Ok(1) if byte[0] == b'\n' => break true,
                Ok(1) => line.push(byte[0]),
                Ok(_) => break false,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break false,
            }
        };
        if quiet {
            if ended {
                let _ = tty.write_all(b"\n");
            }
            // SAFETY: restores the settings read above on the same descriptor.
            unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &saved) };
        }
        Some(String::from_utf8_lossy(&line).into_owned())
    }
}
