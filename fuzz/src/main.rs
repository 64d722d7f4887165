//! virtsh-fuzz: coverage-guided fuzzing of virtsh's parsers on stable Rust.
//!
//! ```text
//! virtsh-fuzz list
//! virtsh-fuzz run TARGET [--seconds N] [--jobs J] [--seed S] [--corpus DIR] [--findings DIR]
//! virtsh-fuzz repro TARGET FILE|DIR...
//! virtsh-fuzz minimize TARGET FILE [OUT]
//! ```
//! `run` reads seeds from fuzz/corpus/TARGET, keeps inputs that reach new
//! coverage in target/fuzz/corpus/TARGET (or --corpus) and saves findings in
//! target/fuzz/findings/TARGET (or --findings); it exits 1 when it saved
//! any. `repro` runs inputs once each and exits 1 when one fails.
//! `minimize` shrinks a failing input while it fails the same way, and
//! writes it to OUT (default FILE.min).

mod alloc;
mod coverage;
mod mutate;
mod targets;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: alloc::CountingAlloc = alloc::CountingAlloc;

const USAGE: &str = "usage: virtsh-fuzz list
       virtsh-fuzz run TARGET [--seconds N] [--jobs J] [--seed S] [--corpus DIR] [--findings DIR]
       virtsh-fuzz repro TARGET FILE|DIR...
       virtsh-fuzz minimize TARGET FILE [OUT]";

fn main() -> ExitCode {
    virtsh::drivers::register();
    virtsh::output::table::init_locale();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("list") => {
            for t in targets::TARGETS {
                println!("{:<12} {}", t.name, t.about);
            }
            Ok(true)
        }
        Some("run") => run(&args[1..]),
        Some("repro") => repro(&args[1..]),
        Some("minimize") => minimize(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn target(name: Option<&String>) -> Result<&'static targets::Target, String> {
    let name = name.ok_or(USAGE)?;
    targets::find(name).ok_or_else(|| format!("no target '{name}' (see virtsh-fuzz list)"))
}

fn run(args: &[String]) -> Result<bool, String> {
    let target = target(args.first())?;
    let root = targets::repo_root();
    let mut seconds = 60;
    let mut jobs = 1;
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let mut corpus = root.join("target/fuzz/corpus").join(target.name);
    let mut findings = root.join("target/fuzz/findings").join(target.name);
    let mut rest = args[1..].iter();
    while let Some(opt) = rest.next() {
        let mut value = || rest.next().cloned().ok_or(format!("{opt} needs a value"));
        match opt.as_str() {
            "--seconds" => seconds = value()?.parse().map_err(|_| "--seconds takes a number")?,
            "--jobs" => jobs = value()?.parse().map_err(|_| "--jobs takes a number")?,
            "--seed" => seed = value()?.parse().map_err(|_| "--seed takes a number")?,
            "--corpus" => corpus = PathBuf::from(value()?),
            "--findings" => findings = PathBuf::from(value()?),
            _ => return Err(format!("unknown option {opt}\n{USAGE}")),
        }
    }
    let jobs: u64 = jobs.max(1);
    println!(
        "{}: fuzzing for {seconds} s with {jobs} job(s), seed {seed}",
        target.name
    );
    let opts = |job: u64| worker::RunOptions {
        seconds,
        seeds: vec![root.join("fuzz/corpus").join(target.name)],
        corpus_dir: corpus.clone(),
        findings_dir: findings.clone(),
        seed: seed.wrapping_add(job.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        progress_secs: if seconds >= 120 { 60 } else { 0 },
    };
    // Jobs are separate processes sharing the corpus directory: each picks
    // up what the others found when its worker next starts.
    let mut children = Vec::new();
    for job in 1..jobs {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let child = std::process::Command::new(exe)
            .args([
                "run",
                target.name,
                "--seconds",
                &seconds.to_string(),
                "--seed",
            ])
            .arg(opts(job).seed.to_string())
            .arg("--corpus")
            .arg(&corpus)
            .arg("--findings")
            .arg(&findings)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        children.push(child);
    }
    let summary =
        worker::run(target, &opts(0)).map_err(|e| format!("cannot prepare the run: {e}"))?;
    let mut clean = true;
    let mut execs = summary.execs;
    for child in children {
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        clean &= out.status.success();
        // The job's closing line: "TARGET: N execs (…".
        let text = String::from_utf8_lossy(&out.stdout);
        execs += text
            .lines()
            .filter_map(|l| l.split(' ').nth(1)?.parse::<u64>().ok())
            .next_back()
            .unwrap_or(0);
        for line in text.lines().filter(|l| l.starts_with("finding: ")) {
            println!("{line}");
        }
    }
    let corpus_now = std::fs::read_dir(&corpus).map_or(0, |d| d.count());
    println!(
        "{}: {} execs ({:.0}/s), corpus {} ({} in {}), edges {}, findings {} ({} worker deaths)",
        target.name,
        execs,
        execs as f64 / seconds.max(1) as f64,
        summary.corpus,
        corpus_now,
        corpus.display(),
        if summary.counters > 0 {
            format!("{} of {}", summary.edges, summary.counters)
        } else {
            "unknown (not instrumented)".to_string()
        },
        summary.findings.len(),
        summary.crashes,
    );
    for path in &summary.findings {
        let note = std::fs::read_to_string(path.with_extension("txt")).unwrap_or_default();
        println!("finding: {} ({})", path.display(), note.trim());
    }
    Ok(summary.findings.is_empty() && clean)
}

fn repro(args: &[String]) -> Result<bool, String> {
    let target = target(args.first())?;
    if args.len() < 2 {
        return Err(USAGE.to_string());
    }
    let mut files = Vec::new();
    for arg in &args[1..] {
        let path = PathBuf::from(arg);
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(&path)
                .map_err(|e| format!("{arg}: {e}"))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "txt"))
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(path);
        }
    }
    let scratch = worker::Scratch::new(target.name).map_err(|e| format!("cannot prepare: {e}"))?;
    let mut ok = true;
    for file in files {
        let data = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        match worker::replay(target, &data, &scratch.0) {
            None => println!("ok: {}", file.display()),
            Some(what) => {
                ok = false;
                println!("FAILED: {} ({what})", file.display());
            }
        }
    }
    Ok(ok)
}

/// What identifies a failure across inputs: its kind, and for a panic the
/// place.
fn signature(what: &str) -> String {
    match what.strip_prefix("panic: ") {
        Some(rest) => format!("panic: {}", rest.split(": ").next().unwrap_or("")),
        None => what.split([':', ',']).next().unwrap_or("").to_string(),
    }
}

fn minimize(args: &[String]) -> Result<bool, String> {
    let target = target(args.first())?;
    let file = args.get(1).ok_or(USAGE)?;
    let out = args.get(2).cloned().unwrap_or(format!("{file}.min"));
    let mut data = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let scratch = worker::Scratch::new(target.name).map_err(|e| format!("cannot prepare: {e}"))?;
    let Some(what) = worker::replay(target, &data, &scratch.0) else {
        return Err(format!("{file} does not fail"));
    };
    let wanted = signature(&what);
    println!("{file}: {} bytes, {what}", data.len());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    let mut chunk = data.len().next_power_of_two() / 2;
    while chunk >= 1 && std::time::Instant::now() < deadline {
        let mut at = 0;
        while at < data.len() && std::time::Instant::now() < deadline {
            let end = (at + chunk).min(data.len());
            let mut shorter = data[..at].to_vec();
            shorter.extend_from_slice(&data[end..]);
            match worker::replay(target, &shorter, &scratch.0) {
                Some(w) if signature(&w) == wanted => data = shorter,
                _ => at += chunk,
            }
        }
        chunk /= 2;
    }
    std::fs::write(&out, &data).map_err(|e| format!("{out}: {e}"))?;
    println!("{out}: {} bytes", data.len());
    Ok(true)
}
