//! Writing to the standard streams as C's stdio does for virsh: a stream
//! that cannot take the bytes (a full disk, a closed descriptor) is
//! ignored, and a pipe whose reader has gone ends the process by SIGPIPE.
//! Every byte virtsh prints goes through here or through a writer whose
//! errors go to `write_failed`; `print!` and friends would panic instead.

use std::io::{self, Write};

/// Writes `text` to stdout, flushed.
pub fn out(text: &str) {
    let mut stdout = io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        write_failed(&e);
    }
}

/// Writes `text` to stderr (which is not buffered).
pub fn err(text: &str) {
    if let Err(e) = io::stderr().lock().write_all(text.as_bytes()) {
        write_failed(&e);
    }
}

/// What a failed write to stdout or stderr means: a closed pipe ends the
/// process as virsh's ends; anything else is ignored, as stdio ignores it.
pub fn write_failed(e: &io::Error) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        crate::signals::die_of(libc::SIGPIPE);
    }
}
