//! Whole-process benchmark of virtsh against virsh, side by side in one run.
//!
//! `cargo bench --bench compare` builds the release binary, generates its
//! inputs in a temporary folder (a 10,000-domain node file, a 1,000-command
//! script), runs virsh and virtsh alternately on each scenario (a warm-up
//! run of each first, whose outputs must agree), and prints wall time
//! (median and minimum), CPU time (user + system, median), peak RSS (the
//! child's `ru_maxrss` from `wait4`) and the ratios against the targets of
//! DESIGN.md's Speed section. The same goes to `target/bench-results.json`.
//!
//! `cargo bench --bench compare -- WORD…` runs only the scenarios whose
//! names contain one of the words (`-- domains`, `-- commands`).
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it runs each
//! scenario once on a small node file: both programs must accept the
//! generated inputs and agree on the output.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const VIRSH: &str = "/usr/bin/virsh";

/// One command line both programs run, and what virtsh must achieve.
struct Scenario {
    name: String,
    args: Vec<String>,
    /// A file fed on stdin (a script), or nothing.
    stdin: Option<PathBuf>,
    /// virtsh's wall time at most this fraction of virsh's.
    time_target: f64,
    /// virtsh's peak memory at most this fraction of virsh's, when set.
    mem_target: Option<f64>,
    virsh_runs: usize,
    virtsh_runs: usize,
    /// Output that differs between the programs by design (the program
    /// name in prompts, the wall clock as CPU time) is blanked before the
    /// outputs are compared.
    volatile_output: bool,
}

/// What one run of a program cost.
struct Run {
    wall: Duration,
    cpu: Duration,
    peak_kib: u64,
}

/// What one program did over the runs of a scenario.
struct Sample {
    runs: Vec<Run>,
    /// Standard output of the warm-up run.
    output: PathBuf,
    failed: Option<String>,
}

impl Sample {
    fn median(&self, of: impl Fn(&Run) -> Duration) -> f64 {
        let mut t: Vec<f64> = self.runs.iter().map(|r| of(r).as_secs_f64()).collect();
        t.sort_by(f64::total_cmp);
        let n = t.len();
        match n {
            0 => f64::NAN,
            _ if n % 2 == 1 => t[n / 2],
            _ => (t[n / 2 - 1] + t[n / 2]) / 2.0,
        }
    }

    fn wall(&self) -> f64 {
        self.median(|r| r.wall)
    }

    fn cpu(&self) -> f64 {
        self.median(|r| r.cpu)
    }

    fn min_wall(&self) -> f64 {
        self.runs
            .iter()
            .map(|r| r.wall.as_secs_f64())
            .fold(f64::INFINITY, f64::min)
    }

    fn peak_mib(&self) -> f64 {
        self.runs.iter().map(|r| r.peak_kib).max().unwrap_or(0) as f64 / 1024.0
    }
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let virtsh = PathBuf::from(env!("CARGO_BIN_EXE_virtsh"));
    let work = std::env::temp_dir().join(format!("virtsh-bench-{}", std::process::id()));
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(work.join("home")).expect("temporary folder");
    let virsh = Path::new(VIRSH).exists().then(|| PathBuf::from(VIRSH));
    if virsh.is_none() {
        eprintln!("compare: {VIRSH} is not installed; measuring virtsh alone");
    }
    // `cargo bench --bench compare -- WORD…` runs the scenarios whose names
    // contain one of the words.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let code = if bench {
        let results: Vec<_> = scenarios(&work, 10_000, true)
            .into_iter()
            .filter(|s| filters.is_empty() || filters.iter().any(|f| s.name.contains(f.as_str())))
            .map(|s| {
                eprintln!("compare: {} …", s.name);
                let samples = measure(&s, virsh.as_deref(), &virtsh, &work);
                (s, samples)
            })
            .collect();
        report(&results, &virtsh);
        0
    } else {
        smoke(&work, virsh.as_deref(), &virtsh)
    };
    let _ = fs::remove_dir_all(&work);
    std::process::exit(code);
}

/// The scenarios of the issue; `domains` sizes the node file, `full`
/// chooses real run counts over one run each.
fn scenarios(work: &Path, domains: usize, full: bool) -> Vec<Scenario> {
    let node = work.join("nodes.xml");
    write_node_file(&node, domains).expect("node file");
    let commands = script(1000);
    let script_file = work.join("script.vsh");
    fs::write(&script_file, commands.join("\n") + "\n").expect("script");
    let node_uri = format!("test://{}", node.display());
    let words = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let runs = |n: usize| if full { n } else { 1 };
    let scenario = |name: String, args: Vec<String>, time_target: f64| Scenario {
        name,
        args,
        stdin: None,
        time_target,
        mem_target: None,
        virsh_runs: runs(30),
        virtsh_runs: runs(30),
        volatile_output: false,
    };
    // virsh needs seconds for the big node file: fewer runs of it.
    let big = |s: Scenario| Scenario {
        mem_target: Some(0.5),
        virsh_runs: runs(3),
        virtsh_runs: runs(10),
        ..s
    };
    let script_runs = |s: Scenario| Scenario {
        virsh_runs: runs(15),
        virtsh_runs: runs(15),
        volatile_output: true,
        ..s
    };
    vec![
        scenario(
            "list --all (test:///default)".into(),
            words(&["-c", "test:///default", "list", "--all"]),
            0.25,
        ),
        Scenario {
            volatile_output: true,
            ..scenario(
                "dominfo test (test:///default)".into(),
                words(&["-c", "test:///default", "dominfo", "test"]),
                0.25,
            )
        },
        big(scenario(
            format!("list --all ({domains} domains)"),
            words(&["-c", &node_uri, "list", "--all"]),
            0.1,
        )),
        big(scenario(
            format!("list --all --name ({domains} domains)"),
            words(&["-c", &node_uri, "list", "--all", "--name"]),
            0.1,
        )),
        script_runs(scenario(
            "1000 commands in one string".into(),
            vec!["-c".into(), "test:///default".into(), commands.join("; ")],
            0.2,
        )),
        script_runs(Scenario {
            stdin: Some(script_file),
            ..scenario(
                "1000 commands on stdin".into(),
                words(&["-c", "test:///default"]),
                0.2,
            )
        }),
    ]
}

/// A node file of `n` domains as a host might hold them: a disk and a
/// network interface each, every other one shut off (the rest running).
/// Written as it is made, so this process stays small (see `run_once`).
fn write_node_file(path: &Path, n: usize) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(fs::File::create(path)?);
    out.write_all(b"<node>\n")?;
    for i in 0..n {
        let runstate = if i % 2 == 1 {
            "    <test:runstate>5</test:runstate>\n"
        } else {
            ""
        };
        write!(
            out,
            "  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>guest{i:05}</name>
    <uuid>5a1e0000-0000-4000-8000-{i:012x}</uuid>
    <memory unit='KiB'>1048576</memory>
    <currentMemory unit='KiB'>524288</currentMemory>
    <vcpu placement='static'>2</vcpu>
    <os>
      <type arch='x86_64'>hvm</type>
      <boot dev='hd'/>
    </os>
    <features>
      <acpi/>
      <apic/>
    </features>
    <clock offset='utc'/>
    <on_poweroff>destroy</on_poweroff>
    <on_reboot>restart</on_reboot>
    <on_crash>destroy</on_crash>
    <devices>
      <disk type='file' device='disk'>
        <driver name='qemu' type='qcow2'/>
        <source file='/var/lib/libvirt/images/guest{i:05}.qcow2'/>
        <target dev='vda' bus='virtio'/>
      </disk>
      <interface type='network'>
        <mac address='52:54:00:{:02x}:{:02x}:{:02x}'/>
        <source network='default'/>
        <model type='virtio'/>
      </interface>
    </devices>
{runstate}  </domain>
",
            (i >> 16) & 0xff,
            (i >> 8) & 0xff,
            i & 0xff
        )?;
    }
    out.write_all(b"</node>\n")?;
    out.flush()
}

/// `n` commands against `test:///default`'s domain `test`: queries,
/// listings, memory changes and suspend/resume cycles.
fn script(n: usize) -> Vec<String> {
    let cycle = |i: usize| -> Vec<String> {
        vec![
            "dominfo test".into(),
            "domstate test".into(),
            "list --all".into(),
            format!("setmem test {} --live", 1_048_576 + (i % 64) * 1024),
            "suspend test".into(),
            "domstate --reason test".into(),
            "resume test".into(),
            "domid test".into(),
            "domuuid test".into(),
            "list --all --name".into(),
            "domiflist test".into(),
            "domblklist test".into(),
            "dumpxml test".into(),
            "vcpucount test".into(),
            "dommemstat test".into(),
            "domname 1".into(),
            "list --inactive".into(),
            "nodeinfo".into(),
            "dominfo 1".into(),
            "domstate 6695eb01-f6a4-8304-79aa-97f2502e193f".into(),
        ]
    };
    (0..).flat_map(cycle).take(n).collect()
}

/// Runs one scenario: a warm-up run of each program, whose output is kept
/// for comparison, then the measured runs, alternating the programs.
fn measure(
    s: &Scenario,
    virsh: Option<&Path>,
    virtsh: &Path,
    work: &Path,
) -> (Option<Sample>, Sample) {
    let mut a = virsh.map(|p| warm_up(s, p, work, "virsh"));
    let mut b = warm_up(s, virtsh, work, "virtsh");
    for i in 0..s.virsh_runs.max(s.virtsh_runs) {
        if let (Some(a), Some(p)) = (a.as_mut(), virsh) {
            if i < s.virsh_runs {
                record(a, s, p, work);
            }
        }
        if i < s.virtsh_runs {
            record(&mut b, s, virtsh, work);
        }
    }
    (a, b)
}

fn warm_up(s: &Scenario, program: &Path, work: &Path, tag: &str) -> Sample {
    let scenario: String = s
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let output = work.join(format!("out-{scenario}-{tag}"));
    let failed = run_once(s, program, work, Some(&output)).err();
    Sample {
        runs: Vec::new(),
        output,
        failed,
    }
}

fn record(sample: &mut Sample, s: &Scenario, program: &Path, work: &Path) {
    match run_once(s, program, work, None) {
        Ok(run) => sample.runs.push(run),
        Err(e) => sample.failed = Some(e),
    }
}

/// One run, timed from spawn to reaping, in an environment of its own;
/// standard output goes to `capture`, else to /dev/null.
///
/// A child's `ru_maxrss` never falls below what its parent held when it
/// was spawned (exec keeps the high-water mark), so this process keeps no
/// large buffers: inputs and outputs stay in files.
fn run_once(
    s: &Scenario,
    program: &Path,
    work: &Path,
    capture: Option<&Path>,
) -> Result<Run, String> {
    let home = work.join("home");
    let mut cmd = Command::new(program);
    cmd.args(&s.args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("LC_ALL", "C")
        .stderr(Stdio::null());
    cmd.stdin(match &s.stdin {
        Some(p) => Stdio::from(fs::File::open(p).map_err(|e| e.to_string())?),
        None => Stdio::null(),
    });
    cmd.stdout(match capture {
        Some(p) => Stdio::from(fs::File::create(p).map_err(|e| e.to_string())?),
        None => Stdio::null(),
    });
    let start = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: reaps our own child; std's Child is never waited on afterwards.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if pid < 0 {
        return Err(format!("wait4: {}", std::io::Error::last_os_error()));
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!(
            "{} exited with status {status:#x}",
            program.display()
        ));
    }
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Ok(Run {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        peak_kib: usage.ru_maxrss as u64,
    })
}

/// Whether two captured outputs agree, line by line, once what
/// legitimately differs is blanked (when `volatile`): the program's name
/// and the CPU time the test driver derives from the wall clock.
fn same_output(a: &Path, b: &Path, volatile: bool) -> bool {
    use std::io::BufRead;
    let lines = |p: &Path| fs::File::open(p).map(|f| std::io::BufReader::new(f).split(b'\n'));
    let (Ok(a), Ok(b)) = (lines(a), lines(b)) else {
        return false;
    };
    let normal = |l: std::io::Result<Vec<u8>>| -> Option<String> {
        let l = String::from_utf8_lossy(&l.ok()?).into_owned();
        Some(if !volatile {
            l
        } else if l.starts_with("CPU time:") {
            "CPU time:".into()
        } else {
            l.replace("virtsh", "virsh")
        })
    };
    a.map(normal).eq(b.map(normal))
}

/// What the runs of one scenario show.
struct Verdict {
    time_ratio: Option<f64>,
    cpu_ratio: Option<f64>,
    mem_ratio: Option<f64>,
    same_output: Option<bool>,
    failure: Option<String>,
    pass: bool,
}

fn verdict(s: &Scenario, a: Option<&Sample>, b: &Sample) -> Verdict {
    let measured = a.filter(|a| !a.runs.is_empty() && !b.runs.is_empty());
    let time_ratio = measured.map(|a| b.wall() / a.wall());
    let mem_ratio = measured.map(|a| b.peak_mib() / a.peak_mib());
    let same_output = a.map(|a| same_output(&a.output, &b.output, s.volatile_output));
    let failure = a
        .and_then(|a| a.failed.as_ref().map(|e| format!("virsh: {e}")))
        .or(b.failed.as_ref().map(|e| format!("virtsh: {e}")));
    let pass = failure.is_none()
        && same_output != Some(false)
        && time_ratio.is_some_and(|r| r <= s.time_target)
        && s.mem_target
            .is_none_or(|t| mem_ratio.is_some_and(|r| r <= t));
    Verdict {
        time_ratio,
        cpu_ratio: measured.map(|a| b.cpu() / a.cpu()),
        mem_ratio,
        same_output,
        failure,
        pass,
    }
}

fn report(results: &[(Scenario, (Option<Sample>, Sample))], virtsh: &Path) {
    let mut table = String::new();
    let row = |t: &mut String, cells: [&str; 12]| {
        let _ = writeln!(
            t,
            "{:<34} {:>17} {:>17} {:>6} {:>6} {:>8} {:>8} {:>6} {:>7} {:>7} {:>6} {:>6}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            cells[5],
            cells[6],
            cells[7],
            cells[8],
            cells[9],
            cells[10],
            cells[11],
        );
    };
    row(
        &mut table,
        [
            "scenario",
            "virsh ms (min)",
            "virtsh ms (min)",
            "ratio",
            "target",
            "virsh cpu",
            "virtsh cpu",
            "ratio",
            "virsh MiB",
            "virtsh MiB",
            "ratio",
            "target",
        ],
    );
    let mut json = Vec::new();
    let mut all_pass = true;
    for (s, (a, b)) in results {
        let v = verdict(s, a.as_ref(), b);
        all_pass &= v.pass;
        let wall = |x: &Sample| {
            if x.runs.is_empty() {
                "-".to_string()
            } else {
                format!("{:.1} ({:.1})", x.wall() * 1e3, x.min_wall() * 1e3)
            }
        };
        let cpu = |x: &Sample| format!("{:.1}", x.cpu() * 1e3);
        let ratio = |r: Option<f64>| r.map_or("-".to_string(), |r| format!("{r:.3}"));
        let dash = || "-".to_string();
        let cells = [
            s.name.clone(),
            a.as_ref().map_or_else(dash, wall),
            wall(b),
            ratio(v.time_ratio),
            format!("≤{}", s.time_target),
            a.as_ref().map_or_else(dash, cpu),
            cpu(b),
            ratio(v.cpu_ratio),
            a.as_ref()
                .map_or_else(dash, |a| format!("{:.1}", a.peak_mib())),
            format!("{:.1}", b.peak_mib()),
            ratio(v.mem_ratio),
            s.mem_target.map_or_else(dash, |t| format!("≤{t}")),
        ];
        row(&mut table, cells.each_ref().map(String::as_str));
        let status = match (&v.failure, v.same_output) {
            (Some(e), _) => format!("FAIL ({e})"),
            (None, Some(false)) => "FAIL (outputs differ)".into(),
            _ if v.pass => "meets its targets".into(),
            _ => "misses a target".into(),
        };
        let _ = writeln!(table, "{:<34} → {status}", "");
        json.push(serde_json::json!({
            "scenario": s.name,
            "args": s.args.iter().map(|a| shorten(a)).collect::<Vec<_>>(),
            "stdin": s.stdin.is_some(),
            "virsh": a.as_ref().map(sample_json),
            "virtsh": sample_json(b),
            "time_ratio": v.time_ratio,
            "time_target": s.time_target,
            "cpu_ratio": v.cpu_ratio,
            "memory_ratio": v.mem_ratio,
            "memory_target": s.mem_target,
            "same_output": v.same_output,
            "failure": v.failure,
            "pass": v.pass,
        }));
    }
    print!("{table}");
    println!(
        "{}",
        if all_pass {
            "every target met"
        } else {
            "some targets missed"
        }
    );
    // target/release/virtsh → target/
    let target = virtsh
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf);
    let path = target.join("bench-results.json");
    let doc = serde_json::json!({ "scenarios": json, "all_pass": all_pass });
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    match fs::write(&path, text) {
        Ok(()) => println!("results: {}", path.display()),
        Err(e) => eprintln!("compare: cannot write {}: {e}", path.display()),
    }
}

/// A long argument (the 1000-command string) cut for the JSON report.
fn shorten(arg: &str) -> String {
    match arg.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &arg[..i]),
        None => arg.to_string(),
    }
}

fn sample_json(s: &Sample) -> serde_json::Value {
    let measured = !s.runs.is_empty();
    serde_json::json!({
        "runs": s.runs.len(),
        "median_ms": measured.then(|| s.wall() * 1e3),
        "min_ms": measured.then(|| s.min_wall() * 1e3),
        "cpu_median_ms": measured.then(|| s.cpu() * 1e3),
        "peak_rss_mib": s.peak_mib(),
    })
}

/// Without `--bench`: every scenario once on a small node file, both
/// programs succeeding with the same output. Takes about a second.
fn smoke(work: &Path, virsh: Option<&Path>, virtsh: &Path) -> i32 {
    let mut failures = 0;
    for s in scenarios(work, 20, false) {
        let (a, b) = measure(&s, virsh, virtsh, work);
        let v = verdict(&s, a.as_ref(), &b);
        let problem = match (v.failure, v.same_output) {
            (Some(e), _) => Some(e),
            (None, Some(false)) => Some("outputs differ".to_string()),
            _ => None,
        };
        if let Some(p) = problem {
            failures += 1;
            eprintln!("compare smoke: {}: {p}", s.name);
        }
    }
    if failures == 0 {
        println!("compare smoke: every scenario runs (`cargo bench --bench compare` measures)");
        0
    } else {
        1
    }
}
