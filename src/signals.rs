//! Fatal signals end virtsh as they end virsh: the process dies of the
//! signal, so a shell sees the same status (130 for SIGINT, 141 for a
//! closed pipe, 143 for SIGTERM). Before it dies, the temporary files of
//! writes under way are removed, so no half-written file is left behind.

use std::ffi::c_int;

/// The signals that end the process; a write to a pipe whose reader has
/// gone raises SIGPIPE, which is how virtsh stops when `| head` has read
/// enough.
pub const FATAL: [c_int; 4] = [libc::SIGHUP, libc::SIGINT, libc::SIGPIPE, libc::SIGTERM];

/// Installs the handler for every fatal signal. A signal the parent set to
/// be ignored (`nohup`, a background job) stays ignored — except SIGPIPE,
/// which Rust's runtime ignores before `main` while virsh, a C program,
/// dies of it.
pub fn install() {
    for sig in FATAL {
        // SAFETY: sigaction with valid pointers to initialised structures;
        // the handler does only async-signal-safe work.
        unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            libc::sigaction(sig, std::ptr::null(), &mut current);
            if current.sa_sigaction == libc::SIG_IGN && sig != libc::SIGPIPE {
                continue;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_fatal_signal as *const () as libc::sighandler_t;
            // The default action is back as the handler starts, and the
            // signal it raises again is delivered at once.
            action.sa_flags = libc::SA_RESETHAND | libc::SA_NODEFER;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

extern "C" fn on_fatal_signal(sig: c_int) {
    crate::temp_files::remove_registered();
    // SAFETY: raise is async-signal-safe; the disposition is the default.
    unsafe {
        libc::raise(sig);
    }
}

/// Ends the process by `sig` with its default action (after removing
/// temporary files), for a failure noticed by an error code rather than
/// by the signal itself, e.g. EPIPE while the handler was not installed.
pub fn die_of(sig: c_int) -> ! {
    crate::temp_files::remove_registered();
    // SAFETY: resetting a disposition, unblocking and raising are plain
    // syscalls on valid arguments.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    // Only if the signal could not end the process: the status a shell
    // would have shown.
    std::process::exit(128 + sig)
}
