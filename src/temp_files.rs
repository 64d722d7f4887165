//! Files virtsh writes appear whole or not at all. Each is written to a
//! temporary file beside it and renamed into place; the temporary files of
//! writes under way are registered here, so that a fatal signal (see
//! `signals`) removes them before the process dies.

use std::cell::UnsafeCell;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};

/// How many temporary files may be registered at once; virtsh writes one
/// or two at a time.
const SLOT_COUNT: usize = 16;
/// Room for a path and its terminating NUL (Linux's PATH_MAX).
const PATH_ROOM: usize = 4096;

const FREE: u8 = 0;
const FILLING: u8 = 1;
const READY: u8 = 2;

/// One registered path, readable from a signal handler: no locks, no
/// allocation, a NUL-terminated copy in static memory.
struct Slot {
    state: AtomicU8,
    path: UnsafeCell<[u8; PATH_ROOM]>,
}

// SAFETY: `path` is written only by the thread that moved `state` from FREE
// to FILLING, and read only while `state` is READY.
unsafe impl Sync for Slot {}

static SLOTS: [Slot; SLOT_COUNT] = [const {
    Slot {
        state: AtomicU8::new(FREE),
        path: UnsafeCell::new([0; PATH_ROOM]),
    }
}; SLOT_COUNT];

/// Removes every registered file. Only async-signal-safe calls: this runs
/// in the fatal-signal handler.
pub fn remove_registered() {
    for slot in &SLOTS {
        if slot.state.load(Ordering::Acquire) == READY {
            // SAFETY: a READY slot holds a NUL-terminated path.
            unsafe {
                libc::unlink((*slot.path.get()).as_ptr().cast());
            }
        }
    }
}

/// A temporary file's path, registered for removal on a fatal signal.
/// Dropping it removes the file; `keep` ends the registration only.
#[derive(Debug)]
pub struct TempPath {
    path: PathBuf,
    slot: Option<usize>,
}

impl TempPath {
    /// Registers `path`, a file this process created.
    pub fn register(path: PathBuf) -> TempPath {
        let bytes = path.as_os_str().as_bytes();
        let slot = (bytes.len() < PATH_ROOM && !bytes.contains(&0))
            .then(|| {
                SLOTS.iter().position(|s| {
                    s.state
                        .compare_exchange(FREE, FILLING, Ordering::Acquire, Ordering::Relaxed)
                        .is_ok()
                })
            })
            .flatten();
        if let Some(i) = slot {
            // SAFETY: this thread owns the slot while it is FILLING.
            let room = unsafe { &mut *SLOTS[i].path.get() };
            room[..bytes.len()].copy_from_slice(bytes);
            room[bytes.len()] = 0;
            SLOTS[i].state.store(READY, Ordering::Release);
        }
        TempPath { path, slot }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file is no longer temporary (renamed into place, or never ours).
    pub fn keep(mut self) {
        self.unregister();
    }

    fn unregister(&mut self) {
        if let Some(i) = self.slot.take() {
            SLOTS[i].state.store(FREE, Ordering::Release);
        }
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if self.slot.is_some() {
            self.unregister();
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Creates `path` exclusively with `mode` and registers it, with the fatal
/// signals held off in between: a signal then finds either no file or a
/// registered one, and never removes a file someone else made.
pub fn create_registered(path: PathBuf, mode: u32) -> io::Result<(File, TempPath)> {
    let _held = HeldSignals::new();
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&path)?;
    Ok((file, TempPath::register(path)))
}

/// The fatal signals (see `signals`) blocked for this thread while it lives.
struct HeldSignals(libc::sigset_t);

impl HeldSignals {
    fn new() -> HeldSignals {
        // SAFETY: sigset operations on local values; pthread_sigmask with
        // valid pointers.
        unsafe {
            let mut fatal: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut fatal);
            for sig in crate::signals::FATAL {
                libc::sigaddset(&mut fatal, sig);
            }
            let mut before: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, &fatal, &mut before);
            HeldSignals(before)
        }
    }
}

impl Drop for HeldSignals {
    fn drop(&mut self) {
        // SAFETY: restores the mask saved by `new`.
        unsafe {
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.0, std::ptr::null_mut());
        }
    }
}

/// A fresh temporary file in `dir` named `PREFIX<pid>-<n>SUFFIX`, created
/// exclusively with `mode`.
pub fn create_in(
    dir: &Path,
    prefix: &str,
    suffix: &str,
    mode: u32,
) -> io::Result<(File, TempPath)> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut attempts = 0;
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut name = OsString::from(prefix);
        name.push(format!("{}-{n}{suffix}", std::process::id()));
        attempts += 1;
        match create_registered(dir.join(name), mode) {
            // A leftover of an earlier process with this pid: try the next name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 100 => continue,
            other => return other,
        }
    }
}

/// Replaces `path` with `bytes` at once: readers see the old file or the
/// new one, never a part. A new file gets `mode`.
pub fn replace_file(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let (mut file, temp) = create_in(dir, &hidden_prefix(path), ".tmp", mode)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(temp.path(), path)?;
    temp.keep();
    Ok(())
}

/// `.NAME.virtsh-`: a temporary file beside NAME, hidden from listings.
fn hidden_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.virtsh-")
}

/// Which step of `write_file` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Open,
    Write,
    Sync,
}

/// Writes `bytes` to `path` as `open(path, O_WRONLY|O_CREAT|O_TRUNC, mode)`
/// and a write would — the same errors for the same paths — but a regular
/// file is replaced whole: the data goes to a temporary file beside it that
/// is renamed over it. Devices and pipes are written directly, and so is a
/// file in a directory where no temporary file can be made.
pub fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), (Step, io::Error)> {
    // Opening without truncating checks what the plain open would check
    // while leaving an existing file's contents alone.
    match create_registered(path.to_path_buf(), mode) {
        Ok((file, created)) => {
            // The new, empty file stays registered until the data is in place.
            write_regular(path, file, bytes, mode)?;
            created.keep();
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            match OpenOptions::new().write(true).open(path) {
                Ok(file) => write_existing(path, file, bytes, mode),
                Err(e) => Err((Step::Open, e)),
            }
        }
        Err(e) => Err((Step::Open, e)),
    }
}

fn write_existing(
    path: &Path,
    file: File,
    bytes: &[u8],
    mode: u32,
) -> Result<(), (Step, io::Error)> {
    let meta = file.metadata().map_err(|e| (Step::Open, e))?;
    if !meta.file_type().is_file() {
        // A device or pipe takes the bytes as they come; there is nothing to sync.
        let mut file = file;
        return file.write_all(bytes).map_err(|e| (Step::Write, e));
    }
    write_regular(path, file, bytes, mode)
}

/// Writes a regular file through a renamed temporary file, keeping the
/// file's permissions and (where allowed) owner.
fn write_regular(
    path: &Path,
    target: File,
    bytes: &[u8],
    mode: u32,
) -> Result<(), (Step, io::Error)> {
    let meta = target.metadata().map_err(|e| (Step::Open, e))?;
    // Through a symbolic link, the file it names is replaced, not the link.
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = match real.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (mut file, temp) = match create_in(&dir, &hidden_prefix(&real), ".tmp", mode) {
        Ok(t) => t,
        Err(_) => return write_in_place(target, bytes),
    };
    let _ = file.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777));
    // SAFETY: plain syscall on an open descriptor; failure is harmless.
    unsafe {
        use std::os::fd::AsRawFd;
        libc::fchown(file.as_raw_fd(), meta.uid(), meta.gid());
    }
    file.write_all(bytes).map_err(|e| (Step::Write, e))?;
    file.sync_all().map_err(|e| (Step::Sync, e))?;
    std::fs::rename(temp.path(), &real).map_err(|e| (Step::Write, e))?;
    temp.keep();
    Ok(())
}

/// The fallback when no temporary file can be made beside the target.
fn write_in_place(mut target: File, bytes: &[u8]) -> Result<(), (Step, io::Error)> {
    target.set_len(0).map_err(|e| (Step::Write, e))?;
    target.write_all(bytes).map_err(|e| (Step::Write, e))?;
    target.sync_all().map_err(|e| (Step::Sync, e))
}

/// The registered paths, for tests.
#[cfg(test)]
fn registered() -> Vec<PathBuf> {
    SLOTS
        .iter()
        .filter(|s| s.state.load(Ordering::Acquire) == READY)
        .map(|s| {
            // SAFETY: a READY slot holds a NUL-terminated path.
            let room = unsafe { &*s.path.get() };
            let end = room.iter().position(|&b| b == 0).unwrap_or(PATH_ROOM);
            use std::os::unix::ffi::OsStringExt;
            PathBuf::from(OsString::from_vec(room[..end].to_vec()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("virtsh-temp-files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn registered_files_are_removed_by_the_handler_routine() {
        let dir = scratch("handler");
        let path = dir.join("half-written");
        let temp = TempPath::register(path.clone());
        std::fs::write(&path, "partial").unwrap();
        assert!(registered().contains(&path));
        remove_registered();
        assert!(!path.exists());
        temp.keep();
        assert!(!registered().contains(&path));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn dropping_removes_and_keep_does_not() {
        let dir = scratch("drop");
        let (_, dropped) = create_in(&dir, "a-", ".xml", 0o600).unwrap();
        let dropped_path = dropped.path().to_path_buf();
        let (_, kept) = create_in(&dir, "a-", ".xml", 0o600).unwrap();
        let kept_path = kept.path().to_path_buf();
        assert_ne!(dropped_path, kept_path);
        drop(dropped);
        kept.keep();
        assert!(!dropped_path.exists());
        assert!(kept_path.exists());
        assert!(!registered().contains(&kept_path));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn replace_file_leaves_only_the_new_file() {
        let dir = scratch("replace");
        let path = dir.join("history");
        replace_file(&path, b"one\n", 0o600).unwrap();
        replace_file(&path, b"two\n", 0o600).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two\n");
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(entries(&dir), ["history"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn write_file_keeps_the_target_mode_and_follows_links() {
        let dir = scratch("write");
        let path = dir.join("image");
        std::fs::write(&path, "old contents, longer than the new").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::os::unix::fs::symlink("image", dir.join("link")).unwrap();
        write_file(&dir.join("link"), b"new", 0o600).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert!(std::fs::symlink_metadata(dir.join("link"))
            .unwrap()
            .file_type()
            .is_symlink());
        write_file(&dir.join("fresh"), b"x", 0o600).unwrap();
        assert_eq!(entries(&dir), ["fresh", "image", "link"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn write_file_reports_the_open_step_as_a_plain_open_would() {
        let dir = scratch("errors");
        let (step, e) = write_file(&dir.join("missing/x"), b"x", 0o600).unwrap_err();
        assert_eq!((step, e.kind()), (Step::Open, io::ErrorKind::NotFound));
        let (step, e) = write_file(&dir, b"x", 0o600).unwrap_err();
        assert_eq!(step, Step::Open);
        assert_eq!(e.raw_os_error(), Some(libc::EISDIR));
        write_file(Path::new("/dev/null"), b"x", 0o600).unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
