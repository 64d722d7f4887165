//! Running a target: a forked worker executes inputs while the parent
//! watches. The worker keeps the input it is running in memory shared with
//! the parent, so when it dies (a stack overflow, an abort, the allocation
//! limit) or hangs, the parent still has the input: it saves it as a finding
//! and starts a new worker. Panics, and executions that take too long or
//! hold too much memory for their size, the worker saves itself.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::alloc;
use crate::coverage::Coverage;
use crate::mutate::{Mutator, Rng};
use crate::targets::{self, Target};

/// Debug builds (the test suite's) are many times slower than release ones.
const SLOWDOWN: u32 = if cfg!(debug_assertions) { 20 } else { 1 };

/// The time an input of `len` bytes may take: a fixed allowance plus a
/// per-byte one, so work that grows faster than the input shows.
fn time_budget(len: usize) -> Duration {
    (Duration::from_millis(50) + Duration::from_micros(2) * len as u32) * SLOWDOWN
}

/// The memory an execution of an input of `len` bytes may hold at its peak.
fn memory_budget(len: usize) -> usize {
    (64 << 20) + 1024 * len
}

/// Past this a worker is killed: it hangs.
const HANG: Duration = Duration::from_secs(if cfg!(debug_assertions) { 60 } else { 10 });

/// Past this an allocation is refused, which ends the worker.
const HARD_MEMORY_LIMIT: usize = 2 << 30;

/// Findings of one kind saved per run, beyond which they are only counted.
const KEEP_PER_KIND: usize = 10;

/// What the worker and the parent share, at the start of a shared mapping
/// followed by the input bytes.
#[repr(C)]
struct Shared {
    execs: AtomicU64,
    corpus: AtomicU64,
    edges: AtomicU64,
    /// Coverage counters in the worker's binary (0: not instrumented).
    counters: AtomicU64,
    /// The allocation limit refused an allocation.
    refused: AtomicU32,
    /// Monotonic milliseconds at the start of the running execution; 0 idle.
    busy_since: AtomicU64,
    input_len: AtomicUsize,
    /// Findings the worker saved.
    findings: AtomicU64,
    detail_len: AtomicUsize,
    detail: [u8; 4096],
}

struct Mapping {
    shared: &'static Shared,
    input: *mut u8,
    capacity: usize,
}

impl Mapping {
    fn new(capacity: usize) -> Mapping {
        let size = std::mem::size_of::<Shared>() + capacity;
        // SAFETY: a fresh anonymous mapping, zeroed, which every field of
        // `Shared` accepts; it is never unmapped, so 'static holds.
        unsafe {
            let p = libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            assert!(p != libc::MAP_FAILED, "mmap of the shared region failed");
            Mapping {
                shared: &*(p as *const Shared),
                input: (p as *mut u8).add(std::mem::size_of::<Shared>()),
                capacity,
            }
        }
    }

    fn set_input(&self, data: &[u8]) {
        let n = data.len().min(self.capacity);
        // SAFETY: the input area is `capacity` bytes; only this process writes it.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.input, n) };
        self.shared.input_len.store(n, Ordering::Release);
    }

    fn input(&self) -> Vec<u8> {
        let n = self
            .shared
            .input_len
            .load(Ordering::Acquire)
            .min(self.capacity);
        // SAFETY: as above; the writer is dead or stopped when this is read.
        unsafe { std::slice::from_raw_parts(self.input, n).to_vec() }
    }

    fn set_detail(&self, text: &str) {
        let n = text.len().min(self.shared.detail.len());
        // SAFETY: `detail` lies in the writable mapping; the reader waits
        // for this process to end.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), self.shared.detail.as_ptr() as *mut u8, n);
        }
        self.shared.detail_len.store(n, Ordering::Release);
    }

    fn detail(&self) -> String {
        let n = self.shared.detail_len.load(Ordering::Acquire);
        String::from_utf8_lossy(&self.shared.detail[..n]).into_owned()
    }
}

fn now_ms() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000 + 1
}

pub struct RunOptions {
    pub seconds: u64,
    /// Read-only seed directories.
    pub seeds: Vec<PathBuf>,
    /// Where inputs with new coverage go (and are read back from).
    pub corpus_dir: PathBuf,
    pub findings_dir: PathBuf,
    pub seed: u64,
    /// Print progress this often (0: never).
    pub progress_secs: u64,
}

pub struct Summary {
    pub execs: u64,
    pub corpus: u64,
    pub edges: u64,
    /// Coverage counters in the binary (0: not instrumented).
    pub counters: u64,
    pub findings: Vec<PathBuf>,
    pub crashes: u64,
}

/// A failure of one execution.
struct Finding {
    kind: &'static str,
    detail: String,
}

static PANIC: Mutex<String> = Mutex::new(String::new());

fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "(non-string payload)".to_string()
        };
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        *PANIC.lock().unwrap_or_else(|e| e.into_inner()) = format!("{at}: {msg}");
    }));
}

/// The worker's side: executes inputs with the checks.
struct Executor<'a> {
    target: &'static Target,
    map: &'a Mapping,
    coverage: Coverage,
    stderr_fd: i32,
}

impl Executor<'_> {
    fn exec(&mut self, data: &[u8]) -> (Option<Finding>, bool) {
        let (result, elapsed, peak) = self.timed(data);
        let novel = result.is_ok() && self.coverage.novel(false);
        if let Err(msg) = result {
            return (
                Some(Finding {
                    kind: "panic",
                    detail: msg,
                }),
                false,
            );
        }
        if elapsed > time_budget(data.len()) {
            // A loaded machine makes one run slow; the fastest of three counts.
            let best = (0..2)
                .map(|_| self.timed(data).1)
                .min()
                .unwrap_or(elapsed)
                .min(elapsed);
            if best > time_budget(data.len()) {
                let detail = format!(
                    "{} bytes took {:.3} s (budget {:.3} s)",
                    data.len(),
                    best.as_secs_f64(),
                    time_budget(data.len()).as_secs_f64()
                );
                return (
                    Some(Finding {
                        kind: "slow",
                        detail,
                    }),
                    false,
                );
            }
        }
        if peak > memory_budget(data.len()) {
            let detail = format!(
                "{} bytes held {} MiB at the peak (budget {} MiB)",
                data.len(),
                peak >> 20,
                memory_budget(data.len()) >> 20
            );
            return (
                Some(Finding {
                    kind: "memory",
                    detail,
                }),
                false,
            );
        }
        (None, novel)
    }

    /// One execution: its result, time and peak memory above the start.
    fn timed(&mut self, data: &[u8]) -> (Result<(), String>, Duration, usize) {
        let s = self.map.shared;
        self.map.set_input(data);
        if self.stderr_fd >= 0 {
            // SAFETY: our own descriptor, opened for appending.
            unsafe { libc::ftruncate(self.stderr_fd, 0) };
        }
        self.coverage.clear();
        alloc::reset_peak();
        let base = alloc::held();
        s.busy_since.store(now_ms(), Ordering::Release);
        let start = Instant::now();
        let run = self.target.run;
        let result = std::panic::catch_unwind(|| run(data));
        self.coverage.take();
        let elapsed = start.elapsed();
        s.busy_since.store(0, Ordering::Release);
        s.execs.fetch_add(1, Ordering::Relaxed);
        let peak = alloc::peak().saturating_sub(base);
        let result = result
            .map_err(|_| std::mem::take(&mut *PANIC.lock().unwrap_or_else(|e| e.into_inner())));
        (result, elapsed, peak)
    }
}

/// Where the worker's stderr goes, so the parent can quote its last words.
fn stderr_log(scratch: &Path) -> PathBuf {
    scratch.join("worker-stderr.log")
}

/// The worker's process state: quiet standard streams, its directory, a
/// clean environment for commands, the allocation limit.
fn enter_worker(map: &Mapping, scratch: &Path) -> i32 {
    // SAFETY: plain descriptor juggling on this process's own streams.
    unsafe {
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        libc::dup2(null, 0);
        libc::dup2(null, 1);
        libc::close(null);
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(stderr_log(scratch));
    let fd = match log {
        Ok(f) => {
            let fd = f.as_raw_fd();
            // SAFETY: as above; the file stays open as fd 2.
            unsafe { libc::dup2(fd, 2) };
            2
        }
        Err(_) => -1,
    };
    let _ = std::env::set_current_dir(scratch);
    alloc::set_limit(HARD_MEMORY_LIMIT, &map.shared.refused);
    quiet_panics();
    fd
}

/// Sets the environment commands see: nothing of the user's, a home inside
/// the scratch directory, an editor that changes nothing.
fn clean_environment(scratch: &Path) {
    for (k, _) in std::env::vars_os() {
        if k != "PATH" {
            std::env::remove_var(k);
        }
    }
    let home = scratch.join("home");
    std::env::set_var("HOME", &home);
    std::env::set_var("XDG_CONFIG_HOME", home.join(".config"));
    std::env::set_var("XDG_CACHE_HOME", home.join(".cache"));
    std::env::set_var("TMPDIR", scratch);
    std::env::set_var("LC_ALL", "C");
    std::env::set_var("EDITOR", "true");
}

fn content_hash(data: &[u8]) -> String {
    let mut h = std::hash::DefaultHasher::new();
    data.hash(&mut h);
    format!("{:016x}", h.finish())
}

fn read_inputs(dirs: &[PathBuf], max_len: usize) -> Vec<Vec<u8>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|e| e == "txt") || !p.is_file() {
                continue;
            }
            if let Ok(mut data) = std::fs::read(&p) {
                data.truncate(max_len);
                if seen.insert(content_hash(&data)) {
                    out.push(data);
                }
            }
        }
    }
    if out.is_empty() {
        out.push(Vec::new());
    }
    out
}

/// Saves a finding's input and a note of what happened; the input's path.
fn save_finding(dir: &Path, kind: &str, detail: &str, data: &[u8]) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let path = dir.join(format!("{kind}-{}", content_hash(data)));
    let _ = std::fs::write(&path, data);
    let _ = std::fs::write(path.with_extension("txt"), format!("{kind}: {detail}\n"));
    path
}

/// The worker's loop: fuzz until the deadline, then exit 0.
fn worker_main(
    target: &'static Target,
    opts: &RunOptions,
    map: &Mapping,
    scratch: &Path,
    deadline: Instant,
    crashed: &HashSet<String>,
) -> ! {
    let stderr_fd = enter_worker(map, scratch);
    let mut ex = Executor {
        target,
        map,
        coverage: Coverage::new(),
        stderr_fd,
    };
    let s = map.shared;
    s.counters
        .store(ex.coverage.counters() as u64, Ordering::Relaxed);
    let mut rng =
        Rng::new(opts.seed ^ (std::process::id() as u64) << 32 ^ s.execs.load(Ordering::Relaxed));
    let mut dirs = opts.seeds.clone();
    dirs.push(opts.corpus_dir.clone());
    let mut dict: Vec<Vec<u8>> = (target.words)()
        .into_iter()
        .map(String::into_bytes)
        .collect();
    let mut corpus = Vec::new();
    let mut kept: std::collections::HashMap<String, usize> = Default::default();
    let mut report = |finding: Finding, data: &[u8]| {
        // Panics count once per place; the other kinds up to a few per run.
        let key = match finding.kind {
            "panic" => finding.detail.split(": ").next().unwrap_or("").to_string(),
            k => k.to_string(),
        };
        let n = kept.entry(key).or_default();
        *n += 1;
        if *n == 1 || (finding.kind != "panic" && *n <= KEEP_PER_KIND) {
            save_finding(&opts.findings_dir, finding.kind, &finding.detail, data);
            s.findings.fetch_add(1, Ordering::Relaxed);
        }
    };
    for data in read_inputs(&dirs, target.max_len) {
        // An input that killed an earlier worker would kill this one too.
        if crashed.contains(&content_hash(&data)) {
            continue;
        }
        if let Ok(text) = std::str::from_utf8(&data) {
            if data.first() == Some(&b'<') {
                dict.extend(
                    targets::element_words(text)
                        .into_iter()
                        .map(String::into_bytes),
                );
            }
        }
        let (finding, novel) = ex.exec(&data);
        match finding {
            Some(f) => report(f, &data),
            None => {
                if novel || corpus.is_empty() || !ex.coverage.instrumented() {
                    ex.coverage.novel(true);
                    corpus.push(data);
                }
            }
        }
    }
    dict.sort();
    dict.dedup();
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    s.corpus.store(corpus.len() as u64, Ordering::Relaxed);
    s.edges.store(ex.coverage.edges() as u64, Ordering::Relaxed);
    let _ = std::fs::create_dir_all(&opts.corpus_dir);
    while Instant::now() < deadline {
        let base = &corpus[rng.below(corpus.len())];
        let other = &corpus[rng.below(corpus.len())];
        let mut data = base.clone();
        Mutator {
            rng: &mut rng,
            dict: &dict,
            max_len: target.max_len,
        }
        .mutate(&mut data, other);
        let (finding, novel) = ex.exec(&data);
        if let Some(f) = finding {
            report(f, &data);
        } else if novel {
            ex.coverage.novel(true);
            let _ = std::fs::write(opts.corpus_dir.join(content_hash(&data)), &data);
            corpus.push(data);
            s.corpus.store(corpus.len() as u64, Ordering::Relaxed);
            s.edges.store(ex.coverage.edges() as u64, Ordering::Relaxed);
        }
    }
    // SAFETY: ends the worker without running the parent's exit handlers.
    unsafe { libc::_exit(0) }
}

fn fork() -> libc::pid_t {
    let _ = std::io::stdout().flush();
    // SAFETY: the fuzzer runs no other threads; the child only touches its
    // own copy of the process.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    pid
}

/// How a worker ended, in words.
fn describe_status(status: i32) -> String {
    if libc::WIFSIGNALED(status) {
        let sig = libc::WTERMSIG(status);
        // SAFETY: strsignal returns a static string for any number.
        let name = unsafe { std::ffi::CStr::from_ptr(libc::strsignal(sig)) };
        format!("killed by signal {sig} ({})", name.to_string_lossy())
    } else {
        format!("exited with status {}", libc::WEXITSTATUS(status))
    }
}

/// The last lines the worker wrote on stderr.
fn last_words(scratch: &Path) -> String {
    let text = std::fs::read(stderr_log(scratch)).unwrap_or_default();
    let tail = &text[text.len().saturating_sub(600)..];
    String::from_utf8_lossy(tail).trim().replace('\n', " | ")
}

/// A scratch directory for one run, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(target: &str) -> std::io::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("virtsh-fuzz-{target}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        targets::prepare(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Fuzzes `target` for `opts.seconds`, restarting the worker after each death.
pub fn run(target: &'static Target, opts: &RunOptions) -> std::io::Result<Summary> {
    let scratch = Scratch::new(target.name)?;
    if target.name == "command" {
        clean_environment(&scratch.0);
    }
    let map = Mapping::new(target.max_len);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(opts.seconds);
    let before = listing(&opts.findings_dir);
    let mut crashes = 0u64;
    let mut saved_crashes = 0usize;
    let mut last_progress = Instant::now();
    let mut crashed = HashSet::new();
    'workers: while Instant::now() < deadline {
        map.shared.busy_since.store(0, Ordering::Relaxed);
        map.shared.refused.store(0, Ordering::Relaxed);
        let pid = fork();
        if pid == 0 {
            worker_main(target, opts, &map, &scratch.0, deadline, &crashed);
        }
        loop {
            std::thread::sleep(Duration::from_millis(20));
            let mut status = 0;
            // SAFETY: waits for our own child.
            let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            let hung = {
                let since = map.shared.busy_since.load(Ordering::Acquire);
                since != 0 && now_ms().saturating_sub(since) > HANG.as_millis() as u64
            };
            if done == 0 && hung {
                // SAFETY: kills and reaps our own child.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, &mut status, 0);
                }
                crashes += 1;
                crashed.insert(content_hash(&map.input()));
                if saved_crashes < KEEP_PER_KIND {
                    saved_crashes += 1;
                    let detail = format!("no result after {} s", HANG.as_secs());
                    save_finding(&opts.findings_dir, "hang", &detail, &map.input());
                }
                continue 'workers;
            }
            if done == pid {
                if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
                    break 'workers;
                }
                crashes += 1;
                crashed.insert(content_hash(&map.input()));
                if saved_crashes < KEEP_PER_KIND {
                    saved_crashes += 1;
                    let mut detail = describe_status(status);
                    if map.shared.refused.load(Ordering::Relaxed) != 0 {
                        detail.push_str(&format!(
                            ", after the {} GiB allocation limit refused memory",
                            HARD_MEMORY_LIMIT >> 30
                        ));
                    }
                    let words = last_words(&scratch.0);
                    if !words.is_empty() {
                        detail.push_str(&format!("; stderr: {words}"));
                    }
                    save_finding(&opts.findings_dir, "crash", &detail, &map.input());
                }
                continue 'workers;
            }
            if opts.progress_secs > 0
                && last_progress.elapsed() >= Duration::from_secs(opts.progress_secs)
            {
                last_progress = Instant::now();
                let s = map.shared;
                println!(
                    "{}: {:>5} s  execs {}  corpus {}  edges {}  findings {}",
                    target.name,
                    start.elapsed().as_secs(),
                    s.execs.load(Ordering::Relaxed),
                    s.corpus.load(Ordering::Relaxed),
                    s.edges.load(Ordering::Relaxed),
                    s.findings.load(Ordering::Relaxed) + crashes,
                );
            }
        }
    }
    let after = listing(&opts.findings_dir);
    let s = map.shared;
    Ok(Summary {
        execs: s.execs.load(Ordering::Relaxed),
        corpus: s.corpus.load(Ordering::Relaxed),
        edges: s.edges.load(Ordering::Relaxed),
        counters: s.counters.load(Ordering::Relaxed),
        findings: after.difference(&before).cloned().collect(),
        crashes,
    })
}

fn listing(dir: &Path) -> std::collections::BTreeSet<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_none_or(|e| e != "txt"))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs one input in a worker: `None` when it passed, or what went wrong.
pub fn replay(target: &'static Target, data: &[u8], scratch: &Path) -> Option<String> {
    if target.name == "command" {
        clean_environment(scratch);
    }
    let map = Mapping::new(data.len());
    let pid = fork();
    if pid == 0 {
        let stderr_fd = enter_worker(&map, scratch);
        let mut ex = Executor {
            target,
            map: &map,
            coverage: Coverage::new(),
            stderr_fd,
        };
        let code = match ex.exec(data).0 {
            None => 0,
            Some(f) => {
                map.set_detail(&format!("{}: {}", f.kind, f.detail));
                3
            }
        };
        // SAFETY: ends the worker without the parent's exit handlers.
        unsafe { libc::_exit(code) }
    }
    let start = Instant::now();
    loop {
        let mut status = 0;
        // SAFETY: waits for our own child.
        let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if done == pid {
            if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
                return None;
            }
            if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 3 {
                return Some(map.detail());
            }
            let mut detail = format!("crash: {}", describe_status(status));
            if map.shared.refused.load(Ordering::Relaxed) != 0 {
                detail.push_str(", after the allocation limit refused memory");
            }
            let words = last_words(scratch);
            if !words.is_empty() {
                detail.push_str(&format!("; stderr: {words}"));
            }
            return Some(detail);
        }
        if start.elapsed() > HANG {
            // SAFETY: kills and reaps our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return Some(format!("hang: no result after {} s", HANG.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
