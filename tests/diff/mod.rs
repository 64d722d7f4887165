//! Differential tests: every case runs through Debian's virsh (the oracle, `/usr/bin/virsh`)
//! and through our `virtsh`, with identical argv, environment and stdin; stdout, stderr and
//! the exit code must match byte for byte after the same normalisation on both sides.
//!
//! # Case files
//!
//! `tests/diff/NAME.cases`, one `#[test]` per file (so files run in parallel):
//! `cargo test --test all diff::lifecycle` runs just `lifecycle.cases`.
//!
//! One case per line. Blank lines and lines whose first non-blank character is `#` are
//! comments. A line is split into words like a POSIX shell would (the `shell-words`
//! crate: `'…'`, `"…"`, `\`), and the words are the argv after the program name:
//!
//! ```text
//! -c test:///default 'list --all; dominfo test'     # one command-string argument
//! -q -c test:///default list --all                  # argv mode
//! ```
//!
//! A line may start with directives, ended by a word that is exactly `::`:
//!
//! | directive          | meaning |
//! |--------------------|---------|
//! | `env:NAME=VALUE`   | add NAME to the child's (otherwise clean) environment |
//! | `stdin:PATH`       | feed the file's bytes on stdin (default stdin: `/dev/null`) |
//! | `input:TEXT`       | feed TEXT on stdin; `\n`, `\t`, `\\` are escapes (write the word in single quotes) |
//! | `copy:SRC,DST`     | copy file SRC to DST before each run (DST usually under `$TMP`) |
//! | `pad:SRC,DST,N`    | like `copy:`, then newlines up to N bytes (big inputs without big files) |
//! | `file:PATH`        | after the run, also compare the contents of PATH (e.g. a `-l` log) |
//! | `only:A,B,…`       | compare only these aspects: `rc`, `stdout`, `stderr`, `synopsis` |
//! | `timeout:SECS`     | per-program timeout (default 30) |
//! | `merge`            | stderr goes into the stdout pipe (`2>&1`): checks how the two interleave |
//! | `unprivileged`     | run as user `nobody` (through `setpriv`) when the tests run as root, so that the user's own `libvirt.conf` and session socket apply; the sandbox is made writable for it |
//!
//! e.g. `env:LIBVIRT_DEFAULT_URI=test:///default input:'uri\nlist\n' :: -q`
//!
//! Placeholders, replaced inside every word (argv and directives) after splitting:
//! `$DATA` = absolute path of `tests/data/`; `$TMP` = a per-case scratch directory, which
//! is also the child's working directory. Both programs see the *same* `$TMP` path, emptied
//! (and `copy:` files re-copied) before each of the two runs. `$NL`, `$TAB`, `$CR` stand for
//! a newline, a tab and a carriage return (a case is one line, so this is how a command
//! string gets a newline).
//!
//! Environment: only `PATH`, `HOME`, `XDG_CACHE_HOME`, `XDG_CONFIG_HOME`, `XDG_DATA_HOME`,
//! `TMPDIR` (all inside the per-case sandbox), `LC_ALL=C`, plus `env:` directives. No
//! `LIBVIRT_DEFAULT_URI`, `VIRSH_*`, `VIRTSH_*`, `EDITOR` unless a case sets them. Note that
//! virsh reads `VIRSH_DEFAULT_CONNECT_URI` where virtsh reads `VIRTSH_DEFAULT_URI`; cases only
//! use `LIBVIRT_DEFAULT_URI`, which both honour.
//!
//! `only:synopsis` compares the line after `  SYNOPSIS` of `help CMD` output: our help
//! texts are written in our own words, so only the exit code and the synopsis line (which
//! scripts and completion depend on) are held to virsh. `-h`, `-V` and `help` without an
//! argument are compared with `only:rc` for the same reason.
//!
//! The oracle is run with a 3 s timeout and retried up to 10 times when it hangs: virsh
//! 9.0's `save`/`managedsave` sometimes never return (a race in its job-watch loop).
//! virtsh gets the case's full timeout and no retry.
//!
//! # Normalisation (identical on both sides)
//!
//! * `CPU time:` value of dominfo (wall-clock based in the test driver) → `<N>s`;
//! * `(Time: N ms)` of `-t` → `(Time: <T> ms)`;
//! * UUIDs that occur neither in the case nor in any file under `tests/data/` nor among the
//!   test driver's fixed objects (i.e. generated ones) → `<UUID#k>`, numbered by first
//!   appearance, so the same generated UUID printed twice must still be the same;
//! * MACs `52:54:00:xx:xx:xx` not in the input → `52:54:00:<MAC#k>`;
//! * 10-digit numbers within three days of now (Unix times: default snapshot names,
//!   creation times) → `<UNIXTIME>`;
//! * log-line prefixes `[YYYY.MM.DD HH:MM:SS PROG PID]` (virsh `-l`) → `[<TIME> <PROG> <PID>]`,
//!   and `YYYY-MM-DD HH:MM:SS.mmm+ZZZZ: PID: ` (libvirt's own stderr log) → `<LOGTIME>: <PID>: `.
//! * the random name of the temp file `edit` gives the editor (`virshAB12cd.xml`, or
//!   `virtsh…`) → `virshXXXXXX.xml`;
//! * For readability the sandbox paths are shown as `$TMP` / `$ROOT` and the data dir as
//!   `$DATA` (same on both sides, so this changes no verdict).
//!
//! # Helpers for writing cases
//!
//! * `DIFF_PREVIEW=1 cargo test --test all diff::host -- --nocapture` runs only virsh and
//!   prints every case's normalised output (check a new case does what you meant).
//! * `DIFF_FILTER=substring` runs only the cases whose line contains the substring.
//! * `DIFF_VERBOSE=1` also prints matching cases.

use crate::harness::{self, Output, Run, Sandbox};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

// ---------------------------------------------------------------------------------------
// One test per case file.

macro_rules! case_files {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run_file(stringify!($name));
            }
        )*
        const CASE_FILES: &[&str] = &[$(stringify!($name)),*];
    };
}

case_files!(
    host,
    frontend,
    tokenizer,
    global_opts,
    list,
    lifecycle,
    info,
    memory_vcpu,
    xml,
    save,
    jobs_desc,
    nodefile,
    errors,
    interactive,
    edit,
    help,
    snapshot,
    checkpoint,
    backup,
    uri,
    virshtest,
    hardening,
);

/// Every `.cases` file must be wired to a test, and every test to a file.
#[test]
fn every_case_file_has_a_test() {
    let dir = cases_dir();
    let mut on_disk: Vec<String> = fs::read_dir(&dir)
        .expect("read tests/diff")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let p = e.path();
            (p.extension().and_then(|x| x.to_str()) == Some("cases"))
                .then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    on_disk.sort();
    let mut wired: Vec<String> = CASE_FILES.iter().map(|s| s.to_string()).collect();
    wired.sort();
    assert_eq!(
        on_disk, wired,
        "tests/diff/*.cases and the case_files! list in tests/diff/mod.rs disagree"
    );
}

/// The case-file parser itself.
#[test]
fn parse_case_lines() {
    let ctx = Placeholders {
        data: "/D".into(),
        tmp: "/T".into(),
    };
    let c = parse_case(
        "x.cases",
        1,
        "env:A=b input:'u\\nv' only:rc,stdout :: -c test:///default 'list --all' $DATA/x",
        &ctx,
    )
    .unwrap();
    assert_eq!(c.env, vec![("A".to_string(), "b".to_string())]);
    assert_eq!(c.stdin.as_deref(), Some(&b"u\nv"[..]));
    assert_eq!(
        c.args,
        vec!["-c", "test:///default", "list --all", "/D/x"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    );
    assert!(c.compares(Aspect::Rc) && c.compares(Aspect::Stdout) && !c.compares(Aspect::Stderr));
    let c = parse_case("x.cases", 2, "pad:$DATA/a,$TMP/b,10 :: x", &ctx).unwrap();
    assert_eq!(c.pads, vec![("/D/a".to_string(), "/T/b".to_string(), 10)]);
    let c = parse_case("x.cases", 2, "echo :: a", &ctx).unwrap();
    assert_eq!(c.args, vec!["echo", "::", "a"]);
    assert!(parse_case("x.cases", 3, "'unterminated", &ctx).is_err());
}

#[test]
fn normaliser() {
    let known: HashSet<String> = ["6695eb01-f6a4-8304-79aa-97f2502e193f".to_string()]
        .into_iter()
        .collect();
    let n = Normaliser::new(&known, &[]);
    let s = "CPU time:       1795392268.1s\n6695eb01-f6a4-8304-79aa-97f2502e193f \
             aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee \
             12345678-1234-1234-1234-123456789abc\n(Time: 0.030 ms)\n\
             52:54:00:12:34:56 52:54:00:12:34:56 aa:bb:cc:dd:ee:ff\n";
    let out = n.apply(s);
    assert_eq!(
        out,
        "CPU time:       <N>s\n6695eb01-f6a4-8304-79aa-97f2502e193f <UUID#1> <UUID#1> \
         <UUID#2>\n(Time: <T> ms)\n52:54:00:<MAC#1> 52:54:00:<MAC#1> aa:bb:cc:dd:ee:ff\n"
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(
        n.apply(&format!("<creationTime>{now}</creationTime> 1000000000")),
        "<creationTime><UNIXTIME></creationTime> 1000000000"
    );
    assert_eq!(
        n.apply("[2026.11.23 00:04:29 virsh 4651] ERROR x"),
        "[<TIME> <PROG> <PID>] ERROR x"
    );
    assert_eq!(
        n.apply("(/e /tmp/virshCQ97Y3.xml) x /tmp/virtshAbC123.xml virsh virshabc.xml"),
        "(/e /tmp/virshXXXXXX.xml) x /tmp/virshXXXXXX.xml virsh virshabc.xml"
    );
    assert_eq!(
        n.apply("2026-11-23 00:26:16.235+0000: 25124: warning : x\n"),
        "<LOGTIME>: <PID>: warning : x\n"
    );
}

/// Where virtsh's bytes differ from virsh's by design: the interactive
/// banner and prompts carry the program's own name, and `version` does not
/// claim to be compiled against or linked with libvirt (its first line names
/// virtsh's own version instead; what scripts parse stays in place).
fn program_name(s: &str) -> String {
    let s = s
        .replace("Welcome to virtsh, the", "Welcome to virsh, the")
        .replace("virtsh # ", "virsh # ")
        .replace("virtsh > ", "virsh > ");
    let own_version = format!("virtsh {} implementing library:", env!("CARGO_PKG_VERSION"));
    s.replace(&own_version, "Compiled against library:")
        .replace("Using library: built-in ", "Using library: libvirt ")
}

#[test]
fn program_names_in_prompts() {
    assert_eq!(
        program_name(
            "Welcome to virtsh, the virtualization interactive terminal.\nvirtsh # uri\nvirtsh > "
        ),
        "Welcome to virsh, the virtualization interactive terminal.\nvirsh # uri\nvirsh > "
    );
    let version = format!(
        "virtsh {} implementing library: libvirt 9.0.0\nUsing library: built-in 9.0.0\n",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(
        program_name(&version),
        "Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\n"
    );
}

// ---------------------------------------------------------------------------------------
// Case files.

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("diff")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Aspect {
    Rc,
    Stdout,
    Stderr,
    Synopsis,
}

#[derive(Debug, Clone)]
struct Case {
    file: String,
    line_no: usize,
    text: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
    copies: Vec<(String, String)>,
    /// Copies grown with newlines to a size: (src, dst, bytes).
    pads: Vec<(String, String, u64)>,
    files: Vec<String>,
    only: Option<Vec<Aspect>>,
    timeout: Duration,
    merge: bool,
    unprivileged: bool,
}

impl Case {
    fn compares(&self, a: Aspect) -> bool {
        match &self.only {
            None => a != Aspect::Synopsis,
            Some(v) => v.contains(&a),
        }
    }
    fn location(&self) -> String {
        format!("{}:{}", self.file, self.line_no)
    }
}

struct Placeholders {
    data: String,
    tmp: String,
}

impl Placeholders {
    fn subst(&self, s: &str) -> String {
        s.replace("$DATA", &self.data)
            .replace("$TMP", &self.tmp)
            .replace("$NL", "\n")
            .replace("$TAB", "\t")
            .replace("$CR", "\r")
    }
}

const DIRECTIVES: &[&str] = &[
    "env:", "stdin:", "input:", "copy:", "pad:", "file:", "only:", "timeout:",
];

fn is_directive(w: &str) -> bool {
    w == "merge" || w == "unprivileged" || DIRECTIVES.iter().any(|d| w.starts_with(d))
}

fn unescape_input(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push(b'\n'),
                Some('t') => out.push(b'\t'),
                Some('\\') => out.push(b'\\'),
                Some(o) => {
                    out.push(b'\\');
                    let mut b = [0; 4];
                    out.extend_from_slice(o.encode_utf8(&mut b).as_bytes());
                }
                None => out.push(b'\\'),
            }
        } else {
            let mut b = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
        }
    }
    out
}

fn parse_case(file: &str, line_no: usize, line: &str, ph: &Placeholders) -> Result<Case, String> {
    let words = shell_words::split(line).map_err(|e| format!("{file}:{line_no}: {e}"))?;
    let mut case = Case {
        file: file.to_string(),
        line_no,
        text: line.trim().to_string(),
        args: Vec::new(),
        env: Vec::new(),
        stdin: None,
        copies: Vec::new(),
        pads: Vec::new(),
        files: Vec::new(),
        only: None,
        timeout: Duration::from_secs(30),
        merge: false,
        unprivileged: false,
    };
    let mut rest: &[String] = &words;
    if let Some(sep) = words.iter().position(|w| w == "::") {
        if sep > 0 && words[..sep].iter().all(|w| is_directive(w)) {
            for d in &words[..sep] {
                let d = ph.subst(d);
                let bad = || format!("{file}:{line_no}: bad directive {d:?}");
                if d == "merge" {
                    case.merge = true;
                } else if d == "unprivileged" {
                    case.unprivileged = true;
                } else if let Some(v) = d.strip_prefix("env:") {
                    let (k, val) = v.split_once('=').ok_or_else(bad)?;
                    case.env.push((k.to_string(), val.to_string()));
                } else if let Some(v) = d.strip_prefix("stdin:") {
                    let bytes =
                        fs::read(v).map_err(|e| format!("{file}:{line_no}: stdin {v}: {e}"))?;
                    case.stdin = Some(bytes);
                } else if let Some(v) = d.strip_prefix("input:") {
                    case.stdin = Some(unescape_input(v));
                } else if let Some(v) = d.strip_prefix("copy:") {
                    let (a, b) = v.split_once(',').ok_or_else(bad)?;
                    case.copies.push((a.to_string(), b.to_string()));
                } else if let Some(v) = d.strip_prefix("pad:") {
                    let mut parts = v.splitn(3, ',');
                    let (Some(a), Some(b), Some(n)) = (parts.next(), parts.next(), parts.next())
                    else {
                        return Err(bad());
                    };
                    let n = n.parse().map_err(|_| bad())?;
                    case.pads.push((a.to_string(), b.to_string(), n));
                } else if let Some(v) = d.strip_prefix("file:") {
                    case.files.push(v.to_string());
                } else if let Some(v) = d.strip_prefix("only:") {
                    let mut aspects = Vec::new();
                    for a in v.split(',') {
                        aspects.push(match a {
                            "rc" => Aspect::Rc,
                            "stdout" => Aspect::Stdout,
                            "stderr" => Aspect::Stderr,
                            "synopsis" => Aspect::Synopsis,
                            _ => return Err(bad()),
                        });
                    }
                    case.only = Some(aspects);
                } else if let Some(v) = d.strip_prefix("timeout:") {
                    case.timeout = Duration::from_secs(v.parse().map_err(|_| bad())?);
                }
            }
            rest = &words[sep + 1..];
        }
    }
    case.args = rest.iter().map(|w| ph.subst(w)).collect();
    Ok(case)
}

fn load_cases(name: &str, ph: &Placeholders) -> Vec<Case> {
    let file = format!("{name}.cases");
    let path = cases_dir().join(&file);
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        match parse_case(&file, i + 1, line, ph) {
            Ok(c) => cases.push(c),
            Err(e) => errors.push(e),
        }
    }
    assert!(
        errors.is_empty(),
        "malformed case lines:\n{}",
        errors.join("\n")
    );
    assert!(!cases.is_empty(), "{file} has no cases");
    cases
}

// ---------------------------------------------------------------------------------------
// Normalisation.

/// UUIDs of the test driver's built-in objects (test:///default).
const FIXED_UUIDS: &[&str] = &[
    "6695eb01-f6a4-8304-79aa-97f2502e193f",
    "dd8fe884-6c02-601e-7551-cca97df1c5df",
    "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566",
    "11111111-2222-3333-4444-555555555555",
];

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// Find UUID-shaped substrings (8-4-4-4-12 hex), returned as (start, end).
fn find_uuids(s: &str) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let groups = [8usize, 4, 4, 4, 12];
    let mut out = Vec::new();
    let mut i = 0;
    while i + 36 <= b.len() {
        if (i > 0 && (is_hex(b[i - 1]) || b[i - 1] == b'-')) || !is_hex(b[i]) {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut ok = true;
        for (gi, g) in groups.iter().enumerate() {
            if !b[j..j + g].iter().all(|&c| is_hex(c)) {
                ok = false;
                break;
            }
            j += g;
            if gi < 4 {
                if b[j] != b'-' {
                    ok = false;
                    break;
                }
                j += 1;
            }
        }
        if ok && (j == b.len() || !(is_hex(b[j]) || b[j] == b'-')) {
            out.push((i, j));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// All UUIDs found in a text, lower-cased.
fn uuids_in(s: &str) -> impl Iterator<Item = String> + '_ {
    find_uuids(s)
        .into_iter()
        .map(move |(a, b)| s[a..b].to_ascii_lowercase())
}

/// Every UUID and MAC written in any file under tests/data (the "input" side).
fn known_from_data() -> (HashSet<String>, HashSet<String>) {
    fn walk(p: &Path, texts: &mut Vec<String>) {
        if let Ok(rd) = fs::read_dir(p) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, texts);
                } else if let Ok(t) = fs::read(&p) {
                    texts.push(String::from_utf8_lossy(&t).into_owned());
                }
            }
        }
    }
    let mut texts = Vec::new();
    walk(&harness::data_dir(), &mut texts);
    let mut uuids: HashSet<String> = FIXED_UUIDS.iter().map(|s| s.to_string()).collect();
    let mut macs = HashSet::new();
    for t in &texts {
        uuids.extend(uuids_in(t));
        macs.extend(macs_in(t));
    }
    (uuids, macs)
}

fn macs_in(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let prefix = b"52:54:00:";
    let mut i = 0;
    while i + 17 <= b.len() {
        if b[i..i + 9].eq_ignore_ascii_case(prefix)
            && is_hex(b[i + 9])
            && is_hex(b[i + 10])
            && b[i + 11] == b':'
            && is_hex(b[i + 12])
            && is_hex(b[i + 13])
            && b[i + 14] == b':'
            && is_hex(b[i + 15])
            && is_hex(b[i + 16])
        {
            out.push(s[i..i + 17].to_ascii_lowercase());
            i += 17;
        } else {
            i += 1;
        }
    }
    out
}

struct Normaliser<'a> {
    known_uuids: &'a HashSet<String>,
    known_macs: HashSet<String>,
    /// (literal, replacement) pairs applied first, longest first.
    paths: Vec<(String, String)>,
    now: u64,
}

impl<'a> Normaliser<'a> {
    fn new(known_uuids: &'a HashSet<String>, paths: &[(String, String)]) -> Self {
        let mut paths = paths.to_vec();
        paths.sort_by_key(|(a, _)| std::cmp::Reverse(a.len()));
        Normaliser {
            known_uuids,
            known_macs: HashSet::new(),
            paths,
            now: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        }
    }

    fn apply(&self, s: &str) -> String {
        let mut s = s.to_string();
        for (a, b) in &self.paths {
            if !a.is_empty() {
                s = s.replace(a.as_str(), b);
            }
        }
        let s = self.cpu_time(&s);
        let s = self.timing(&s);
        let s = self.uuids(&s);
        let s = self.macs(&s);
        let s = self.unix_times(&s);
        let s = self.editor_temp_files(&s);
        let s = program_name(&s);
        self.log_prefix(&s)
    }

    /// `virshAB12cd.xml` (the temp file `edit` hands to the editor; `virtsh…` too) →
    /// `virshXXXXXX.xml`.
    fn editor_temp_files(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        loop {
            let at = match (rest.find("virsh"), rest.find("virtsh")) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => break,
            };
            let prefix_len = if rest[at..].starts_with("virtsh") {
                6
            } else {
                5
            };
            let after = &rest[at + prefix_len..];
            let ok = after.len() >= 10
                && after.as_bytes()[..6]
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric())
                && after[6..].starts_with(".xml");
            out.push_str(&rest[..at]);
            if ok {
                out.push_str("virshXXXXXX.xml");
                rest = &after[10..];
            } else {
                out.push_str(&rest[at..at + prefix_len]);
                rest = after;
            }
        }
        out.push_str(rest);
        out
    }

    fn cpu_time(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for line in s.split_inclusive('\n') {
            if let Some(rest) = line.strip_prefix("CPU time:") {
                let ws = rest.len() - rest.trim_start_matches(' ').len();
                let val = &rest[ws..];
                let body = val.trim_end_matches('\n');
                if body.ends_with('s')
                    && body[..body.len() - 1]
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '.')
                    && body.len() > 1
                {
                    out.push_str("CPU time:");
                    out.push_str(&rest[..ws]);
                    out.push_str("<N>s");
                    out.push_str(&val[body.len()..]);
                    continue;
                }
            }
            out.push_str(line);
        }
        out
    }

    fn timing(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(p) = rest.find("(Time: ") {
            out.push_str(&rest[..p + 7]);
            let after = &rest[p + 7..];
            let num_len = after
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(after.len());
            if num_len > 0 && after[num_len..].starts_with(" ms)") {
                out.push_str("<T>");
                rest = &after[num_len..];
            } else {
                rest = after;
            }
        }
        out.push_str(rest);
        out
    }

    fn uuids(&self, s: &str) -> String {
        let mut map: HashMap<String, usize> = HashMap::new();
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for (a, b) in find_uuids(s) {
            let u = s[a..b].to_ascii_lowercase();
            if self.known_uuids.contains(&u) {
                continue;
            }
            let n = map.len() + 1;
            let k = *map.entry(u).or_insert(n);
            out.push_str(&s[last..a]);
            let _ = write!(out, "<UUID#{k}>");
            last = b;
        }
        out.push_str(&s[last..]);
        out
    }

    fn macs(&self, s: &str) -> String {
        let mut map: HashMap<String, usize> = HashMap::new();
        let mut out = String::with_capacity(s.len());
        let b = s.as_bytes();
        let mut i = 0;
        let mut last = 0;
        while i + 17 <= b.len() {
            let cand = &s.get(i..i + 17);
            if let Some(c) = cand {
                let found = macs_in(c);
                if found.len() == 1 {
                    let m = found[0].clone();
                    if !self.known_macs.contains(&m) {
                        let n = map.len() + 1;
                        let k = *map.entry(m).or_insert(n);
                        out.push_str(&s[last..i]);
                        let _ = write!(out, "52:54:00:<MAC#{k}>");
                        i += 17;
                        last = i;
                        continue;
                    }
                }
            }
            i += 1;
        }
        out.push_str(&s[last..]);
        out
    }

    fn unix_times(&self, s: &str) -> String {
        let b = s.as_bytes();
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        let mut last = 0;
        while i < b.len() {
            if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
                let mut j = i;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                if j - i == 10 {
                    let v: u64 = s[i..j].parse().unwrap_or(0);
                    if v + 3 * 86400 >= self.now && v <= self.now + 3 * 86400 {
                        out.push_str(&s[last..i]);
                        out.push_str("<UNIXTIME>");
                        last = j;
                    }
                }
                i = j;
            } else {
                i += 1;
            }
        }
        out.push_str(&s[last..]);
        out
    }

    /// `[2026.11.23 00:04:29 virsh 4651]` → `[<TIME> <PROG> <PID>]` (virsh `-l` log lines);
    /// `2026-11-23 00:26:16.235+0000: 25124: ` → `<LOGTIME>: <PID>: ` (libvirt's own log
    /// lines on stderr, e.g. warnings while loading a node file).
    fn log_prefix(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for line in s.split_inclusive('\n') {
            if let Some(rest) = libvirt_log_line(line) {
                out.push_str("<LOGTIME>: <PID>: ");
                out.push_str(rest);
                continue;
            }
            if let Some(end) = line.find(']') {
                let inner = &line[..end];
                if let Some(inner) = inner.strip_prefix('[') {
                    let parts: Vec<&str> = inner.split(' ').collect();
                    let looks = parts.len() == 4
                        && parts[0].len() == 10
                        && parts[0].chars().all(|c| c.is_ascii_digit() || c == '.')
                        && parts[1].len() == 8
                        && parts[1].chars().all(|c| c.is_ascii_digit() || c == ':')
                        && !parts[3].is_empty()
                        && parts[3].chars().all(|c| c.is_ascii_digit());
                    if looks {
                        out.push_str("[<TIME> <PROG> <PID>]");
                        out.push_str(&line[end + 1..]);
                        continue;
                    }
                }
            }
            out.push_str(line);
        }
        out
    }
}

/// If `line` starts with `YYYY-MM-DD HH:MM:SS.mmm+ZZZZ: PID: `, the rest of the line.
fn libvirt_log_line(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let shape = b"dddd-dd-dd dd:dd:dd.ddd+dddd: ";
    if b.len() < shape.len() {
        return None;
    }
    for (i, &c) in shape.iter().enumerate() {
        let ok = if c == b'd' {
            b[i].is_ascii_digit()
        } else {
            b[i] == c
        };
        if !ok {
            return None;
        }
    }
    let rest = &line[shape.len()..];
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    if digits == 0 {
        return None;
    }
    rest[digits..].strip_prefix(": ")
}

/// The synopsis line of `help CMD` output (the first non-empty line after `SYNOPSIS`).
fn synopsis(stdout: &str) -> String {
    let mut lines = stdout.lines();
    while let Some(l) = lines.next() {
        if l.trim() == "SYNOPSIS" {
            for l in lines.by_ref() {
                if !l.trim().is_empty() {
                    return l.trim().to_string();
                }
            }
        }
    }
    "<no SYNOPSIS section>".to_string()
}

// ---------------------------------------------------------------------------------------
// Running.

/// What we compare of one run, after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observed {
    status: String,
    stdout: String,
    stderr: String,
    files: Vec<(String, String)>,
    stdout_utf8: bool,
    stderr_utf8: bool,
}

fn run_one(program: &Path, case: &Case, sb: &Sandbox, norm: &Normaliser) -> Observed {
    sb.reset();
    for (src, dst) in &case.copies {
        if let Some(parent) = Path::new(dst).parent() {
            let _ = fs::create_dir_all(parent);
        }
        fs::copy(src, dst)
            .unwrap_or_else(|e| panic!("{}: copy {src} -> {dst}: {e}", case.location()));
    }
    for (src, dst, size) in &case.pads {
        let mut bytes =
            fs::read(src).unwrap_or_else(|e| panic!("{}: pad {src}: {e}", case.location()));
        bytes.resize(*size as usize, b'\n');
        fs::write(dst, bytes).unwrap_or_else(|e| panic!("{}: pad -> {dst}: {e}", case.location()));
    }
    let mut env = sb.base_env();
    for (k, v) in &case.env {
        env.retain(|(ek, _)| ek != k);
        env.push((k.clone(), v.clone()));
    }
    let (program, args) = if case.unprivileged {
        harness::unprivileged(&sb.root, program, &case.args)
    } else {
        (program.to_path_buf(), case.args.clone())
    };
    let out: Output = harness::run(&Run {
        program: &program,
        args: &args,
        env: &env,
        stdin: case.stdin.as_deref(),
        cwd: &sb.work(),
        timeout: case.timeout,
        merge_stderr: case.merge,
    });
    let files = case
        .files
        .iter()
        .map(|f| {
            let content = match fs::read(f) {
                Ok(b) => norm.apply(&String::from_utf8_lossy(&b)),
                Err(e) => format!("<cannot read: {}>", e.kind()),
            };
            (norm.apply(f), content)
        })
        .collect();
    Observed {
        status: out.status_text(),
        stdout: norm.apply(&out.stdout_str()),
        stderr: norm.apply(&out.stderr_str()),
        files,
        stdout_utf8: std::str::from_utf8(&out.stdout).is_ok(),
        stderr_utf8: std::str::from_utf8(&out.stderr).is_ok(),
    }
}

/// Runs virsh. virsh 9.0's `save`/`managedsave` sometimes hang forever in its job-watch
/// loop (observed: up to ~40% of runs for `managedsave test --running` or
/// `save … --bypass-cache` against test:///default). A hang is never the answer we want
/// from the oracle, so it is run with a short timeout and retried.
fn run_oracle(virsh: &Path, case: &Case, sb: &Sandbox, norm: &Normaliser) -> Observed {
    const ATTEMPTS: usize = 10;
    let short = Case {
        timeout: case.timeout.min(Duration::from_secs(3)),
        ..case.clone()
    };
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let obs = run_one(virsh, &short, sb, norm);
        if !obs.status.starts_with("timed out") {
            return obs;
        }
        last = Some(obs);
    }
    let mut obs = last.expect("at least one attempt");
    obs.status = format!("virsh timed out {ATTEMPTS} times in a row (oracle hang)");
    obs
}

fn run_file(name: &str) {
    let virsh = harness::virsh_path();
    let virtsh = harness::virtsh_path();
    let preview = std::env::var_os("DIFF_PREVIEW").is_some();
    let verbose = std::env::var_os("DIFF_VERBOSE").is_some();
    let filter = std::env::var("DIFF_FILTER").ok();

    let sb = Sandbox::new(name);
    let data = harness::data_dir().display().to_string();
    let tmp = sb.work().display().to_string();
    let ph = Placeholders {
        data: data.clone(),
        tmp: tmp.clone(),
    };
    let cases = load_cases(name, &ph);
    let (data_uuids, data_macs) = known_from_data();

    let mut report = String::new();
    let mut failed = 0;
    let mut ran = 0;
    for case in &cases {
        if let Some(f) = &filter {
            if !case.text.contains(f.as_str()) {
                continue;
            }
        }
        ran += 1;
        // UUIDs / MACs written in the case itself count as input.
        let mut known = data_uuids.clone();
        let mut macs = data_macs.clone();
        let mut inputs: Vec<String> = case.args.clone();
        inputs.extend(case.env.iter().map(|(_, v)| v.clone()));
        if let Some(s) = &case.stdin {
            inputs.push(String::from_utf8_lossy(s).into_owned());
        }
        for t in &inputs {
            known.extend(uuids_in(t));
            macs.extend(macs_in(t));
        }
        let mut norm = Normaliser::new(
            &known,
            &[
                (tmp.clone(), "$TMP".to_string()),
                (sb.root.display().to_string(), "$ROOT".to_string()),
                (data.clone(), "$DATA".to_string()),
            ],
        );
        norm.known_macs = macs;

        let expected = run_oracle(&virsh, case, &sb, &norm);
        if preview {
            println!("=== {}: {}", case.location(), case.text);
            println!("--- {}", expected.status);
            print!("{}", show_stream("stdout", &expected.stdout));
            print!("{}", show_stream("stderr", &expected.stderr));
            for (f, c) in &expected.files {
                print!("{}", show_stream(&format!("file {f}"), c));
            }
            continue;
        }
        let actual = run_one(&virtsh, case, &sb, &norm);
        let mismatch = compare(case, &expected, &actual);
        if mismatch.is_empty() {
            if verbose {
                println!("ok {}: {}", case.location(), case.text);
            }
        } else {
            failed += 1;
            let _ = writeln!(report, "\n=== {}: {}", case.location(), case.text);
            report.push_str(&mismatch);
        }
    }
    if preview {
        println!("({ran} cases previewed; virtsh not run)");
        return;
    }
    if failed > 0 {
        panic!(
            "{failed} of {ran} cases in {name}.cases differ from virsh \
             (- = virsh, + = virtsh):\n{report}\n{failed} of {ran} cases in {name}.cases differ"
        );
    }
}

fn show_stream(label: &str, s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let mut out = format!("--- {label}:\n");
    for l in s.split_inclusive('\n') {
        let _ = writeln!(out, "  |{}", visible(l));
    }
    if !s.ends_with('\n') {
        out.push_str("  (no newline at end)\n");
    }
    out
}

fn compare(case: &Case, e: &Observed, a: &Observed) -> String {
    let mut out = String::new();
    if case.compares(Aspect::Rc) && e.status != a.status {
        let _ = writeln!(
            out,
            "  exit status: virsh {}, virtsh {}",
            e.status, a.status
        );
    }
    if case.compares(Aspect::Stdout) {
        if e.stdout != a.stdout {
            let _ = writeln!(out, "  stdout:");
            out.push_str(&diff_text(&e.stdout, &a.stdout));
        } else if e.stdout_utf8 != a.stdout_utf8 {
            let _ = writeln!(out, "  stdout: UTF-8 validity differs");
        }
    }
    if case.compares(Aspect::Stderr) {
        if e.stderr != a.stderr {
            let _ = writeln!(out, "  stderr:");
            out.push_str(&diff_text(&e.stderr, &a.stderr));
        } else if e.stderr_utf8 != a.stderr_utf8 {
            let _ = writeln!(out, "  stderr: UTF-8 validity differs");
        }
    }
    if case.compares(Aspect::Synopsis) {
        let (se, sa) = (synopsis(&e.stdout), synopsis(&a.stdout));
        if se != sa {
            let _ = writeln!(out, "  SYNOPSIS:\n    - {se}\n    + {sa}");
        }
    }
    for ((f, ce), (_, ca)) in e.files.iter().zip(&a.files) {
        if ce != ca {
            let _ = writeln!(out, "  file {f}:");
            out.push_str(&diff_text(ce, ca));
        }
    }
    out
}

/// Make control characters and trailing blanks visible in a report line.
fn visible(line: &str) -> String {
    let body = line.strip_suffix('\n').unwrap_or(line);
    let mut s = String::new();
    for c in body.chars() {
        match c {
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(s, "\\x{:02x}", c as u32);
            }
            c => s.push(c),
        }
    }
    if body.ends_with(' ') {
        s.push('⏎');
    }
    s
}

/// A compact line diff (LCS), with two lines of context; lines that lack a final newline
/// are marked.
fn diff_text(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.split_inclusive('\n').collect();
    let a: Vec<&str> = actual.split_inclusive('\n').collect();
    let (n, m) = (e.len(), a.len());
    let mut out = String::new();
    if n * m > 4_000_000 {
        let _ = writeln!(out, "    (outputs too large to diff: {n} vs {m} lines)");
        return out;
    }
    // lcs[i][j] = LCS length of e[i..], a[j..]
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if e[i] == a[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // Edit script: (' ', line) | ('-', line) | ('+', line)
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && e[i] == a[j] {
            ops.push((' ', e[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', e[i]));
            i += 1;
        } else {
            ops.push(('+', a[j]));
            j += 1;
        }
    }
    const CONTEXT: usize = 2;
    const MAX_LINES: usize = 60;
    let changed: Vec<bool> = ops.iter().map(|(k, _)| *k != ' ').collect();
    let mut shown = 0;
    let mut last_printed: Option<usize> = None;
    for idx in 0..ops.len() {
        let near =
            (idx.saturating_sub(CONTEXT)..=(idx + CONTEXT).min(ops.len() - 1)).any(|k| changed[k]);
        if !near {
            continue;
        }
        if let Some(lp) = last_printed {
            if idx > lp + 1 {
                out.push_str("    ...\n");
            }
        } else if idx > 0 {
            out.push_str("    ...\n");
        }
        if shown >= MAX_LINES {
            out.push_str("    (diff truncated)\n");
            return out;
        }
        let (k, l) = ops[idx];
        let mark = if l.ends_with('\n') {
            ""
        } else {
            "  (no newline at end)"
        };
        let _ = writeln!(out, "    {k} {}{mark}", visible(l));
        shown += 1;
        last_printed = Some(idx);
    }
    if let Some(lp) = last_printed {
        if lp + 1 < ops.len() {
            out.push_str("    ...\n");
        }
    }
    if expected.is_empty() {
        out.push_str("    (virsh printed nothing)\n");
    }
    if actual.is_empty() {
        out.push_str("    (virtsh printed nothing)\n");
    }
    out
}

/// A domain definition read from a FIFO that holds more than a pipe's buffer
/// (140 KiB of blanks first): both programs read it whole, as libvirt's own
/// virsh tests check.
#[test]
fn define_reads_a_big_document_from_a_fifo() {
    let sandbox = Sandbox::new("big-fifo");
    let fifo = sandbox.work().join("domain.fifo");
    let document = format!(
        "{}<domain type='test'>\n  <name>piped</name>\n  \
         <uuid>004b96e1-2d78-c30f-5aa5-0000000000f1</uuid>\n  <memory>8388608</memory>\n  \
         <vcpu>2</vcpu>\n  <os>\n    <type>xen</type>\n  </os>\n</domain>\n",
        " ".repeat(140 * 1024)
    );
    let args = vec![
        "-c".to_string(),
        "test:///default".to_string(),
        format!("define {} ; list --all", fifo.display()),
    ];
    let run = |program: &Path| {
        let _ = fs::remove_file(&fifo);
        let c_path = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo");
        let writer = {
            let (fifo, document) = (fifo.clone(), document.clone());
            std::thread::spawn(move || {
                // Blocks until the program opens the FIFO for reading.
                let _ = fs::write(fifo, document);
            })
        };
        let out = harness::run(&Run {
            program,
            args: &args,
            env: &sandbox.base_env(),
            stdin: None,
            cwd: &sandbox.work(),
            timeout: Duration::from_secs(30),
            merge_stderr: true,
        });
        // A program that never opened the FIFO leaves the writer waiting for a
        // reader: one that opens and closes at once releases it.
        if !writer.is_finished() {
            use std::os::unix::fs::OpenOptionsExt;
            let _ = fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&fifo);
        }
        writer.join().expect("writer");
        out
    };
    let virsh = run(&harness::virsh_path());
    let ours = run(&harness::virtsh_path());
    assert!(
        ours.stdout_str().contains(" -    piped   shut off"),
        "{}",
        ours.stdout_str()
    );
    assert_eq!(ours.stdout_str(), virsh.stdout_str());
    assert_eq!(ours.code, virsh.code);
}
