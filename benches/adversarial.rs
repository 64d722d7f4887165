//! Whole-process benchmark of inputs made to hurt: 10 MB documents and command
//! strings (deep nesting, many attributes, many disks, long words, huge numbers,
//! thousands of commands on a line, snapshot chains…), fed to virtsh and, side by
//! side, to virsh where virsh gives an answer in time.
//!
//! `cargo bench --bench adversarial` generates the inputs in a temporary folder,
//! runs virtsh three times on each (its median wall and CPU time, and the peak RSS
//! of the child from `wait4`) and virsh once, under a time limit. A row shows both, the
//! exit statuses, and whether the two printed the same; a virsh that runs out of
//! time shows as `>LIMIT`. `cargo bench --bench adversarial -- WORD…` runs the
//! scenarios whose names contain one of the words. The table also goes to
//! `target/adversarial-results.json`.
//!
//! Under `cargo test --all-targets` (no `--bench`) every scenario runs once on a
//! small input: virtsh must end with the expected status, and print what virsh
//! prints where virsh answers.

use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const VIRSH: &str = "/usr/bin/virsh";
const MB: usize = 1_000_000;

/// One adversarial input and the command line that takes it.
struct Scenario {
    name: String,
    /// Bytes of the generated input.
    size: usize,
    args: Vec<String>,
    /// The script fed on stdin, if the input is a command line.
    stdin: Option<PathBuf>,
    /// virtsh's exit status: 0 for an input it accepts, 1 for one it refuses.
    status: i32,
    /// Whether virsh's output is expected to be virtsh's (program names and
    /// the CPU time aside); false where they differ by design.
    same_as_virsh: bool,
    /// Whether virsh is run at all: not where it is known to run for hours.
    virsh_answers: bool,
}

/// What one run cost and printed.
struct Outcome {
    wall: Duration,
    /// User and system time: what the run itself cost on a shared machine.
    cpu: Duration,
    peak_kib: u64,
    status: Option<i32>,
    output: PathBuf,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // The inputs are made by a child of this process: a child's peak RSS
    // never falls below its parent's at spawn, so the measuring process
    // stays small.
    if let [_, flag, work, size] = args.as_slice() {
        if flag == "--generate" {
            let size = size.parse().expect("a size");
            let manifest = scenarios(Path::new(work), size)
                .iter()
                .map(Scenario::to_json)
                .collect::<Vec<_>>();
            println!("{}", serde_json::Value::Array(manifest));
            return;
        }
    }
    let bench = args.iter().any(|a| a == "--bench");
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let virtsh = PathBuf::from(env!("CARGO_BIN_EXE_virtsh"));
    let virsh = Path::new(VIRSH).exists().then(|| PathBuf::from(VIRSH));
    let work = std::env::temp_dir().join(format!("virtsh-adversarial-{}", std::process::id()));
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(work.join("home")).expect("temporary folder");
    let scale = if bench { 10 * MB } else { 10_000 };
    let limit = if bench {
        Duration::from_secs(30)
    } else {
        Duration::from_secs(20)
    };
    let mut rows = Vec::new();
    let mut failures = 0;
    for s in generate(&work, scale) {
        if !filters.is_empty() && !filters.iter().any(|f| s.name.contains(f.as_str())) {
            continue;
        }
        if bench {
            eprintln!("adversarial: {} …", s.name);
        }
        let runs = if bench { 3 } else { 1 };
        let ours: Vec<Outcome> = (0..runs)
            .map(|i| run(&s, &virtsh, &work, &format!("virtsh{i}"), limit * 4))
            .collect();
        let theirs = virsh
            .as_deref()
            .filter(|_| s.virsh_answers)
            .map(|p| run(&s, p, &work, "virsh", limit));
        let problem = check(&s, &ours[0], theirs.as_ref(), limit);
        if let Some(p) = &problem {
            failures += 1;
            eprintln!("adversarial: {}: {p}", s.name);
        }
        rows.push((s, ours, theirs, problem));
    }
    if bench {
        report(&rows, limit, &virtsh);
    } else if failures == 0 {
        println!("adversarial smoke: every scenario ends as it should (`cargo bench --bench adversarial` measures)");
    }
    let _ = fs::remove_dir_all(&work);
    std::process::exit(if failures == 0 { 0 } else { 1 });
}

/// Runs `--generate` in a child and reads back what it made.
fn generate(work: &Path, size: usize) -> Vec<Scenario> {
    let exe = std::env::current_exe().expect("this benchmark's path");
    let out = Command::new(exe)
        .arg("--generate")
        .arg(work)
        .arg(size.to_string())
        .stderr(Stdio::inherit())
        .output()
        .expect("generate the inputs");
    assert!(out.status.success(), "generating the inputs failed");
    let manifest: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the inputs' manifest");
    manifest
        .as_array()
        .expect("a list")
        .iter()
        .map(Scenario::from_json)
        .collect()
}

impl Scenario {
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "size": self.size,
            "args": self.args,
            "stdin": self.stdin,
            "status": self.status,
            "same_as_virsh": self.same_as_virsh,
            "virsh_answers": self.virsh_answers,
        })
    }

    fn from_json(v: &serde_json::Value) -> Scenario {
        Scenario {
            name: v["name"].as_str().expect("name").to_string(),
            size: v["size"].as_u64().expect("size") as usize,
            args: v["args"]
                .as_array()
                .expect("args")
                .iter()
                .map(|a| a.as_str().expect("an argument").to_string())
                .collect(),
            stdin: v["stdin"].as_str().map(PathBuf::from),
            status: v["status"].as_i64().expect("status") as i32,
            same_as_virsh: v["same_as_virsh"].as_bool().expect("same_as_virsh"),
            virsh_answers: v["virsh_answers"].as_bool().expect("virsh_answers"),
        }
    }
}

/// virtsh ended as expected, and where virsh answered in time, alike.
fn check(
    s: &Scenario,
    ours: &Outcome,
    theirs: Option<&Outcome>,
    limit: Duration,
) -> Option<String> {
    if ours.status != Some(s.status) {
        return Some(format!(
            "virtsh ended with {:?}, expected exit {}",
            ours.status, s.status
        ));
    }
    let theirs = theirs.filter(|t| t.wall < limit && t.status.is_some())?;
    if !s.same_as_virsh {
        return None;
    }
    if theirs.status != ours.status {
        return Some(format!(
            "virsh exit {:?}, virtsh exit {:?}",
            theirs.status, ours.status
        ));
    }
    (!same_output(&theirs.output, &ours.output)).then(|| "outputs differ".to_string())
}

/// The inputs, each about `size` bytes.
fn scenarios(work: &Path, size: usize) -> Vec<Scenario> {
    let file = |name: &str, text: &[u8]| {
        let path = work.join(name);
        fs::write(&path, text).expect("input");
        path.display().to_string()
    };
    let define = |path: &str, then: &str| {
        vec![
            "-q".to_string(),
            "-c".to_string(),
            "test:///default".to_string(),
            format!("define {path}{then}"),
        ]
    };
    let script = |name: &str, line: &str| {
        let path = work.join(name);
        fs::write(&path, format!("{line}\n")).expect("script");
        path
    };
    let interactive = || {
        vec![
            "-q".to_string(),
            "-c".to_string(),
            "test:///default".to_string(),
        ]
    };
    let domain = |name: &str, inner: &str| {
        format!(
            "<domain type='test'><name>{name}</name><memory>1048576</memory><vcpu>4</vcpu>\
             <os><type>hvm</type></os>{inner}</domain>\n"
        )
    };
    let mut all = Vec::new();
    let mut add = |name: &str, size, args, stdin, status, same_as_virsh| {
        all.push(Scenario {
            name: name.to_string(),
            size,
            args,
            stdin,
            status,
            same_as_virsh,
            virsh_answers: true,
        })
    };

    // Nesting far past libxml2's limit, refused at the 257th level.
    let n = size / 7;
    let deep = domain("deep", &format!("{}{}", "<a>".repeat(n), "</a>".repeat(n)));
    let path = file("deep.xml", deep.as_bytes());
    add("deep nesting", deep.len(), define(&path, ""), None, 1, true);

    // Nesting just within the limit, over and over.
    let block = format!("{}{}", "<b>".repeat(255), "</b>".repeat(255));
    let nested = domain(
        "nested",
        &format!("<metadata>{}</metadata>", block.repeat(size / block.len())),
    );
    let path = file("nested.xml", nested.as_bytes());
    add(
        "256-deep blocks in metadata",
        nested.len(),
        define(&path, "; dominfo nested"),
        None,
        0,
        false,
    );

    // One element with a great many attributes.
    let attrs: String = (0..size / 12).map(|i| format!(" a{i}='x'")).collect();
    let doc = format!(
        "<domain type='test'{attrs}><name>attrs</name><memory>1024</memory>\
         <os><type>hvm</type></os></domain>\n"
    );
    let path = file("attrs.xml", doc.as_bytes());
    add(
        "many attributes",
        doc.len(),
        define(&path, ""),
        None,
        0,
        true,
    );
    let doc = doc.replace("><name>attrs", " a1='y'><name>attrs");
    let path = file("attrs-dup.xml", doc.as_bytes());
    add(
        "many attributes, one twice",
        doc.len(),
        define(&path, ""),
        None,
        1,
        true,
    );

    // Namespaces declared and used by the thousand.
    let decls: String = (0..size / 40)
        .map(|i| format!(" xmlns:p{i}='urn:p{i}' p{i}:a='v'"))
        .collect();
    let doc = domain(
        "ns",
        &format!("<metadata><m:x xmlns:m='urn:m'{decls}/></metadata>"),
    );
    let path = file("ns.xml", doc.as_bytes());
    add(
        "many namespaces",
        doc.len(),
        define(&path, ""),
        None,
        0,
        false,
    );

    // Disks by the ten thousand, in reverse order.
    let letters = |mut i: usize| {
        let mut s = Vec::new();
        i += 1;
        while i > 0 {
            i -= 1;
            s.push(b'a' + (i % 26) as u8);
            i /= 26;
        }
        s.reverse();
        String::from_utf8(s).expect("letters")
    };
    let count = size / 110;
    let disks: String = (0..count)
        .rev()
        .map(|i| {
            format!(
                "<disk type='file' device='disk'><source file='/i/{i}'/>\
                 <target dev='sd{}' bus='scsi'/></disk>",
                letters(i)
            )
        })
        .collect();
    let doc = domain("disks", &format!("<devices>{disks}</devices>"));
    let path = file("disks.xml", doc.as_bytes());
    add(
        "many disks (and their controllers)",
        doc.len(),
        define(&path, "; dumpxml disks"),
        None,
        0,
        true,
    );

    // The most implicit controllers virtsh adds, and a target past them.
    let disk = |dev: &str, address: &str| {
        domain(
            "ctl",
            &format!(
                "<devices><disk type='file' device='disk'><source file='/x'/>\
                 <target dev='{dev}' bus='scsi'/>{address}</disk></devices>"
            ),
        )
    };
    let most = if size < MB { size / 10 } else { 131_071 };
    let doc = disk(
        "sda",
        &format!("<address type='drive' controller='{most}' bus='0' target='0' unit='0'/>"),
    );
    let path = file("controllers.xml", doc.as_bytes());
    add(
        "implicit controllers (131072)",
        doc.len(),
        define(&path, "; dumpxml ctl"),
        None,
        0,
        false,
    );
    let doc = disk("sdzzzzz", "");
    let path = file("sdzzzzz.xml", doc.as_bytes());
    add(
        "target sdzzzzz",
        doc.len(),
        define(&path, ""),
        None,
        1,
        false,
    );

    // A vCPU set written out at length, for the most vCPUs libvirt names.
    let set: String = (0..size / 12)
        .map(|i| format!("{},", i % 16384))
        .collect::<String>()
        + "0-16383";
    let doc = domain(
        "sched",
        &format!("<cputune><vcpusched vcpus='{set}' scheduler='fifo' priority='1'/></cputune>"),
    )
    .replace("<vcpu>4</vcpu>", "<vcpu>16384</vcpu>");
    let path = file("vcpusched.xml", doc.as_bytes());
    add(
        "vcpusched over 16384 vCPUs",
        doc.len(),
        define(&path, "; dumpxml sched"),
        None,
        0,
        true,
    );

    // A snapshot chain as deep as the file allows, listed, and a shorter
    // one drawn (a tree's text grows with the square of its depth).
    let chain = |n: usize| {
        let mut s = String::from(
            "<node><domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\
             <name>vm</name><memory>1024</memory><os><type>hvm</type></os>\n",
        );
        for i in 0..n {
            let parent = match i {
                0 => String::new(),
                _ => format!("<parent><name>s{}</name></parent>", i - 1),
            };
            let _ = writeln!(
                s,
                "<test:domainsnapshot><name>s{i}</name><state>shutoff</state>{parent}\
                 <creationTime>{}</creationTime><active>0</active></test:domainsnapshot>",
                1_600_000_000 + i
            );
        }
        s + "</domain></node>\n"
    };
    let text = chain(size / 180);
    let path = file("chain.xml", text.as_bytes());
    let uri = format!("test://{path}");
    let words = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    add(
        "snapshot chain: snapshot-list",
        text.len(),
        words(&["-q", "-c", &uri, "snapshot-list vm --name"]),
        None,
        0,
        true,
    );
    let short = chain((size / 1000).min(10_000));
    let path = file("short-chain.xml", short.as_bytes());
    let uri = format!("test://{path}");
    add(
        "snapshot chain: --tree",
        short.len(),
        words(&["-q", "-c", &uri, "snapshot-list vm --tree"]),
        None,
        0,
        true,
    );

    // Command lines, read on stdin (an argument may not pass 128 KiB). Without
    // a TERM, virsh's readline echoes a line wider than 80 columns scrolled
    // (`\r<…`), which virtsh does not copy: these outputs differ.
    let line = vec!["echo x"; size / 7].join(";");
    let stdin = script("commands.vsh", &line);
    add(
        "commands separated by ;",
        line.len(),
        interactive(),
        Some(stdin),
        0,
        false,
    );
    let word = "w".repeat(size);
    let stdin = script("word.vsh", &format!("echo {word}"));
    add("a long word", size, interactive(), Some(stdin), 0, false);
    let stdin = script("quoted.vsh", &format!("echo \"{word} {word}\""));
    add(
        "a long quoted string",
        2 * size,
        interactive(),
        Some(stdin),
        0,
        false,
    );
    let digits = "9".repeat(size);
    let stdin = script("number.vsh", &format!("setmem test {digits}"));
    add("a huge number", size, interactive(), Some(stdin), 0, false);
    let stdin = script("unknown.vsh", &"q".repeat(size));
    add(
        "an unknown command",
        size,
        interactive(),
        Some(stdin),
        0,
        false,
    );
    let parens = size / 2;
    let expr = format!("{}/domain/name{}", "(".repeat(parens), ")".repeat(parens));
    let stdin = script("xpath.vsh", &format!("dumpxml test --xpath '{expr}'"));
    add(
        "an XPath nested in parentheses",
        size,
        interactive(),
        Some(stdin),
        0,
        false,
    );

    // libvirt adds sdzzzzz's 1.7 million controllers one scan at a time.
    for s in all.iter_mut().filter(|s| s.name == "target sdzzzzz") {
        s.virsh_answers = false;
    }
    all
}

/// One run, timed from spawn to reaping, killed past `limit`.
fn run(s: &Scenario, program: &Path, work: &Path, tag: &str, limit: Duration) -> Outcome {
    let home = work.join("home");
    // A fresh home each run: the history a run leaves (a 10 MB line) would be
    // read by the next.
    let _ = fs::remove_dir_all(&home);
    fs::create_dir_all(&home).expect("home folder");
    let output: PathBuf = work.join(format!(
        "out-{}-{tag}",
        s.name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    ));
    let mut cmd = Command::new(program);
    cmd.args(&s.args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("LC_ALL", "C")
        .current_dir(work)
        .stderr(Stdio::null())
        .stdout(Stdio::from(fs::File::create(&output).expect("output file")))
        .stdin(match &s.stdin {
            Some(p) => Stdio::from(fs::File::open(p).expect("script")),
            None => Stdio::null(),
        });
    let start = Instant::now();
    let pid = match cmd.spawn() {
        // Reaped by wait4 below, which also reports its peak memory.
        Ok(child) => child.id() as libc::pid_t,
        Err(e) => panic!("{}: {e}", program.display()),
    };
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut killed = false;
    loop {
        // SAFETY: polls our own child, which std's Child never waits on.
        let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if done == pid {
            break;
        }
        if done < 0 {
            panic!("wait4: {}", std::io::Error::last_os_error());
        }
        if !killed && start.elapsed() > limit {
            // SAFETY: the child is not reaped yet, so the pid is still ours.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Outcome {
        wall: start.elapsed(),
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        peak_kib: usage.ru_maxrss as u64,
        status: (!killed && libc::WIFEXITED(status)).then(|| libc::WEXITSTATUS(status)),
        output,
    }
}

/// Line by line, with the program name, the CPU time and generated UUIDs
/// blanked.
fn same_output(a: &Path, b: &Path) -> bool {
    use std::io::BufRead;
    let lines = |p: &Path| fs::File::open(p).map(|f| std::io::BufReader::new(f).split(b'\n'));
    let (Ok(a), Ok(b)) = (lines(a), lines(b)) else {
        return false;
    };
    let normal = |l: std::io::Result<Vec<u8>>| -> Option<Vec<u8>> {
        let l = l.ok()?;
        Some(if l.starts_with(b"CPU time:") {
            b"CPU time:".to_vec()
        } else if l.starts_with(b"  <uuid>") {
            // Generated for each definition.
            b"  <uuid>".to_vec()
        } else {
            String::from_utf8_lossy(&l)
                .replace("virtsh", "virsh")
                .into_bytes()
        })
    };
    a.map(normal).eq(b.map(normal))
}

/// A scenario, virtsh's runs, virsh's run, and what went wrong.
type Row = (Scenario, Vec<Outcome>, Option<Outcome>, Option<String>);

fn report(rows: &[Row], limit: Duration, virtsh: &Path) {
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<36} {:>6} {:>9} {:>9} {:>7} {:>4} {:>9} {:>9} {:>7} {:>4}  agree",
        "scenario",
        "MB in",
        "virtsh ms",
        "(cpu ms)",
        "MiB",
        "exit",
        "virsh ms",
        "(cpu ms)",
        "MiB",
        "exit"
    );
    let mut json = Vec::new();
    for (s, ours, theirs, problem) in rows {
        let median_ms = |of: &dyn Fn(&Outcome) -> Duration| {
            let mut ms: Vec<f64> = ours.iter().map(|o| of(o).as_secs_f64() * 1e3).collect();
            ms.sort_by(f64::total_cmp);
            ms[ms.len() / 2]
        };
        let median = median_ms(&|o| o.wall);
        let cpu = median_ms(&|o| o.cpu);
        let peak = ours.iter().map(|o| o.peak_kib).max().unwrap_or(0) as f64 / 1024.0;
        let exit = |o: &Outcome| o.status.map_or("-".to_string(), |c| c.to_string());
        let dash = || "-".to_string();
        let (their_ms, their_cpu, their_mib, their_exit) = match theirs {
            Some(t) if t.status.is_some() => (
                format!("{:.1}", t.wall.as_secs_f64() * 1e3),
                format!("{:.1}", t.cpu.as_secs_f64() * 1e3),
                format!("{:.1}", t.peak_kib as f64 / 1024.0),
                exit(t),
            ),
            Some(_) => (format!(">{}s", limit.as_secs()), dash(), dash(), dash()),
            None if !s.virsh_answers => ("(hours)".into(), dash(), dash(), dash()),
            None => (dash(), dash(), dash(), dash()),
        };
        let agree = match (problem, theirs) {
            (Some(p), _) => format!("NO: {p}"),
            (None, Some(t)) if t.status.is_some() && s.same_as_virsh => "same output".into(),
            (None, Some(t)) if t.status.is_some() => "(differs by design)".into(),
            _ => String::new(),
        };
        let _ = writeln!(
            table,
            "{:<36} {:>6.1} {:>9.1} {:>9.1} {:>7.1} {:>4} {:>9} {:>9} {:>7} {:>4}  {agree}",
            s.name,
            s.size as f64 / MB as f64,
            median,
            cpu,
            peak,
            exit(&ours[0]),
            their_ms,
            their_cpu,
            their_mib,
            their_exit,
        );
        json.push(serde_json::json!({
            "scenario": s.name,
            "input_bytes": s.size,
            "virtsh_median_ms": median,
            "virtsh_cpu_median_ms": cpu,
            "virtsh_peak_mib": peak,
            "virtsh_exit": ours[0].status,
            "virsh_ms": theirs.as_ref().filter(|t| t.status.is_some()).map(|t| t.wall.as_secs_f64() * 1e3),
            "virsh_cpu_ms": theirs.as_ref().filter(|t| t.status.is_some()).map(|t| t.cpu.as_secs_f64() * 1e3),
            "virsh_timed_out": theirs.as_ref().is_some_and(|t| t.status.is_none()),
            "virsh_exit": theirs.as_ref().and_then(|t| t.status),
            "problem": problem,
        }));
    }
    print!("{table}");
    let target = virtsh
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf);
    let path = target.join("adversarial-results.json");
    let doc = serde_json::json!({ "virsh_limit_s": limit.as_secs(), "scenarios": json });
    let written = fs::File::create(&path).and_then(|mut f| {
        f.write_all((serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n").as_bytes())
    });
    match written {
        Ok(()) => println!("results: {}", path.display()),
        Err(e) => eprintln!("adversarial: cannot write {}: {e}", path.display()),
    }
}
