//! Test harness: runs a program with a given argv, environment and stdin, in a clean
//! environment rooted in a per-run temporary directory, with a timeout, and captures
//! stdout, stderr and the exit status.
//!
//! The environment is *not* inherited. A child sees only:
//! `PATH` (inherited, so editor scripts can run `sed`), `HOME=<root>/home`,
//! `XDG_CACHE_HOME`, `XDG_CONFIG_HOME`, `XDG_DATA_HOME` (under that home),
//! `TMPDIR=<root>/tmp`, `LC_ALL=C`, and whatever the caller adds.
//! In particular no `LIBVIRT_DEFAULT_URI`, `VIRSH_*`, `VIRTSH_*`, `TERM`, `EDITOR`.

#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Path of our binary, as built by cargo for this test binary.
pub fn virtsh_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_virtsh"))
}

/// Path of the oracle.
pub const VIRSH: &str = "/usr/bin/virsh";

/// Returns the oracle's path, or panics with a clear message if it is not installed.
/// Differential tests must fail (not skip) without it: CI installs it.
pub fn virsh_path() -> PathBuf {
    let p = PathBuf::from(VIRSH);
    if !p.exists() {
        panic!(
            "the oracle {VIRSH} is not installed: differential tests need Debian's virsh \
             (apt-get install -y --no-install-recommends libvirt-clients)"
        );
    }
    p
}

/// Absolute path of `tests/data/`.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
}

/// What a run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Exit code; `None` if killed by a signal or timed out.
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
}

impl Output {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    /// Human description of how the process ended.
    pub fn status_text(&self) -> String {
        if self.timed_out {
            "timed out (killed)".to_string()
        } else if let Some(c) = self.code {
            format!("exit {c}")
        } else if let Some(s) = self.signal {
            format!("killed by signal {s}")
        } else {
            "unknown status".to_string()
        }
    }
}

/// A per-run sandbox directory: `root/{home,tmp,work}`.
pub struct Sandbox {
    pub root: PathBuf,
}

static SANDBOX_SEQ: AtomicUsize = AtomicUsize::new(0);

impl Sandbox {
    /// A fresh, unique sandbox under the system temp dir.
    pub fn new(label: &str) -> Sandbox {
        let n = SANDBOX_SEQ.fetch_add(1, Ordering::SeqCst);
        let label: String = label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let root = std::env::temp_dir().join(format!(
            "virtsh-test-{}-{}-{}",
            std::process::id(),
            label,
            n
        ));
        let sb = Sandbox { root };
        sb.reset();
        sb
    }

    /// Remove everything and recreate the empty layout (same paths).
    pub fn reset(&self) {
        let _ = fs::remove_dir_all(&self.root);
        for d in [
            self.home(),
            self.home().join(".cache"),
            self.home().join(".config"),
            self.home().join(".local").join("share"),
            self.tmpdir(),
            self.work(),
        ] {
            fs::create_dir_all(&d).unwrap_or_else(|e| panic!("cannot create {}: {e}", d.display()));
        }
    }

    pub fn home(&self) -> PathBuf {
        self.root.join("home")
    }
    /// `$TMPDIR` of the child.
    pub fn tmpdir(&self) -> PathBuf {
        self.root.join("tmp")
    }
    /// The scratch dir given to cases as `$TMP`; also the child's working directory.
    pub fn work(&self) -> PathBuf {
        // Not a prefix of any other sandbox path (the normaliser replaces it textually).
        self.root.join("work")
    }

    /// The clean base environment for a child.
    pub fn base_env(&self) -> Vec<(String, String)> {
        let home = self.home();
        let mut env = vec![
            ("HOME".to_string(), home.display().to_string()),
            (
                "XDG_CACHE_HOME".to_string(),
                home.join(".cache").display().to_string(),
            ),
            (
                "XDG_CONFIG_HOME".to_string(),
                home.join(".config").display().to_string(),
            ),
            (
                "XDG_DATA_HOME".to_string(),
                home.join(".local").join("share").display().to_string(),
            ),
            ("TMPDIR".to_string(), self.tmpdir().display().to_string()),
            ("LC_ALL".to_string(), "C".to_string()),
        ];
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".to_string());
        env.push(("PATH".to_string(), path));
        env
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// One invocation.
pub struct Run<'a> {
    pub program: &'a Path,
    pub args: &'a [String],
    /// Complete environment (the child inherits nothing else).
    pub env: &'a [(String, String)],
    /// Bytes for stdin; `None` = stdin is /dev/null.
    pub stdin: Option<&'a [u8]>,
    pub cwd: &'a Path,
    pub timeout: Duration,
    /// Send stderr into the same pipe as stdout (like `2>&1`), so the interleaving of the
    /// two streams is observable; everything then appears in `Output::stdout`.
    pub merge_stderr: bool,
}

/// Run a program and capture everything. Never panics on the child's behaviour;
/// panics only if the program cannot be spawned at all.
pub fn run(r: &Run) -> Output {
    let mut cmd = Command::new(r.program);
    cmd.args(r.args)
        .env_clear()
        .envs(r.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(r.cwd)
        .stdin(if r.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    // Own session, hence own process group, so a timeout kills the whole tree
    // (e.g. an editor script); and no controlling terminal, so neither program
    // asks the terminal the tests run from for a password.
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setsid is async-signal-safe and touches no memory.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let merged_reader = if r.merge_stderr {
        let (reader, writer) = std::io::pipe().expect("pipe");
        let writer2 = writer.try_clone().expect("dup pipe");
        cmd.stdout(writer).stderr(writer2);
        Some(reader)
    } else {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        None
    };
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", r.program.display()));
    // Our copies of the pipe's write end went into `cmd`; drop them so EOF can arrive.
    drop(cmd);

    let stdin_thread = r.stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        let bytes = bytes.to_vec();
        thread::spawn(move || {
            // The child may exit without reading; ignore EPIPE.
            let _ = pipe.write_all(&bytes);
        })
    });
    let out_pipe: Box<dyn Read + Send> = match merged_reader {
        Some(reader) => Box::new(reader),
        None => Box::new(child.stdout.take().expect("stdout pipe")),
    };
    let err_pipe: Option<Box<dyn Read + Send>> = child
        .stderr
        .take()
        .map(|p| Box::new(p) as Box<dyn Read + Send>);
    let out_thread = thread::spawn(move || {
        let mut out_pipe = out_pipe;
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err_thread = thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(mut p) = err_pipe {
            let _ = p.read_to_end(&mut v);
        }
        v
    });

    let start = Instant::now();
    let mut timed_out = false;
    let status: ExitStatus = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) => {
                if start.elapsed() > r.timeout {
                    timed_out = true;
                    let pid = child.id() as i32;
                    // Kill the process group we created (pid == pgid), then the child.
                    unsafe_kill_group(pid);
                    let _ = child.kill();
                    break child.wait().expect("wait after kill");
                }
                thread::sleep(Duration::from_millis(2));
            }
            Err(e) => panic!("wait for {}: {e}", r.program.display()),
        }
    };
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    if let Some(t) = stdin_thread {
        let _ = t.join();
    }
    use std::os::unix::process::ExitStatusExt;
    Output {
        stdout,
        stderr,
        code: if timed_out { None } else { status.code() },
        signal: status.signal(),
        timed_out,
    }
}

/// The user unprivileged runs use: `nobody`.
const NOBODY: u32 = 65534;

/// How to run `program` as a user other than root: through `setpriv` as
/// `nobody` when the tests run as root (`tree`, the sandbox, is then made
/// writable for it), directly otherwise.
pub fn unprivileged(tree: &Path, program: &Path, args: &[String]) -> (PathBuf, Vec<String>) {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return (program.to_path_buf(), args.to_vec());
    }
    open_up(tree);
    let mut wrapped = vec![
        format!("--reuid={NOBODY}"),
        format!("--regid={NOBODY}"),
        "--clear-groups".to_string(),
        "--".to_string(),
        program.display().to_string(),
    ];
    wrapped.extend(args.iter().cloned());
    (PathBuf::from("/usr/bin/setpriv"), wrapped)
}

/// Makes every directory under `dir` writable and every file readable by all.
fn open_up(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o777));
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => open_up(&path),
            Ok(t) if t.is_file() => {
                let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o644));
            }
            _ => {}
        }
    }
}

/// Send SIGKILL to the process group we created for our child (its id is the child's
/// pid). Called only before the child is reaped, so the id cannot have been reused.
fn unsafe_kill_group(pgid: i32) {
    if pgid > 1 {
        // SAFETY: plain syscall with integer arguments.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}
