use crate::api::flags::job_stats;
use crate::api::{ErrorCode, JobInfo, JobType, TypedParam, TypedValue};
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::size::pretty3;

pub static DEF: CommandDef = CommandDef {
    name: "domjobinfo",
    group: Group::Domain,
    summary: "show a domain's job progress",
    description: "Print the type, progress and statistics of the domain's current \
(or last completed) job.",
    options: &[
        OptDef::DOMAIN,
        OptDef::flag("completed", "the last completed job instead"),
        OptDef::flag("keep-completed", "keep the completed job's statistics"),
        OptDef::flag("anystats", "print statistics whatever the job's state"),
        OptDef::flag("rawstats", "print the statistics as the hypervisor reports them"),
    ],
    needs_connection: true,
    run,
};

const JOB_TYPES: [&str; 6] = ["None", "Bounded", "Unbounded", "Completed", "Failed", "Cancelled"];
const OPERATIONS: [&str; 11] = [
    "Unknown", "Start", "Save", "Restore", "Incoming migration", "Outgoing migration",
    "Snapshot", "Snapshot revert", "Dump", "Backup", "Snapshot delete",
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    args.requires("keep-completed", "completed")?;
    let dom = session.lookup_domain(args, "domain")?;
    let conn = session.conn()?.clone();
    let flags = args.flags(&[("completed", job_stats::COMPLETED), ("keep-completed", job_stats::KEEP_COMPLETED)]);
    let (job_type, params) = match conn.domain_get_job_stats(&dom, flags) {
        Ok((t, params)) => (t, params),
        Err(e) if matches!(e.code, ErrorCode::NoSupport | ErrorCode::ArgumentUnsupported) => {
            if flags != 0 || args.has("rawstats") {
                return Err(CmdError::from(e)
                    .context("Optional flags or --rawstats are not supported by the daemon"));
            }
            let info = conn.domain_get_job_info(&dom)?;
            (info.job_type as i32, info_params(&info))
        }
        Err(e) => return Err(e.into()),
    };
    let mut t = String::new();
    if args.has("rawstats") {
        t.push_str(&format!("Job type: {job_type}\n\n"));
        for p in &params {
            t.push_str(&format!("{}: {}\n", p.field, value_text(&p.value)));
        }
        session.print(&t);
        return Ok(());
    }
    let type_name = JOB_TYPES.get(job_type as usize).copied().unwrap_or("Unknown");
    t.push_str(&format!("{:<17} {:<12}\n", "Job type:", type_name));
    if job_type == JobType::None as i32 {
        session.print(&t);
        return Ok(());
    }
    if let Some(op) = uint(&params, "operation") {
        t.push_str(&format!("{:<17} {:<12}\n", "Operation:", OPERATIONS.get(op as usize).copied().unwrap_or("Unknown")));
    }
    let show_stats = args.has("anystats")
        || job_type == JobType::Bounded as i32
        || job_type == JobType::Unbounded as i32
        || (job_type == JobType::Completed as i32 && args.has("completed"));
    if show_stats {
        stats_lines(&mut t, &params);
    }
    if let Some(TypedValue::String(msg)) = params.iter().find(|p| p.field == "errmsg").map(|p| &p.value) {
        t.push_str(&format!("{:<17} {}\n", "Error message:", msg));
    }
    session.print(&t);
    Ok(())
}

fn stats_lines(t: &mut String, params: &[TypedParam]) {
    let ms = |t: &mut String, label: &str, field: &str| {
        if let Some(v) = uint(params, field) {
            t.push_str(&format!("{:<17} {:<12} ms\n", label, v));
        }
    };
    let bytes = |t: &mut String, label: &str, field: &str| {
        if let Some(v) = uint(params, field) {
            t.push_str(&format!("{:<17} {}\n", label, pretty3(v)));
        }
    };
    ms(t, "Time elapsed:", "time_elapsed");
    ms(t, "Time remaining:", "time_remaining");
    bytes(t, "Data processed:", "data_processed");
    bytes(t, "Data remaining:", "data_remaining");
    bytes(t, "Data total:", "data_total");
    bytes(t, "Memory processed:", "memory_processed");
    bytes(t, "Memory remaining:", "memory_remaining");
    bytes(t, "Memory total:", "memory_total");
    bytes(t, "File processed:", "disk_processed");
    bytes(t, "File remaining:", "disk_remaining");
    bytes(t, "File total:", "disk_total");
    bytes(t, "Temporary disk space use:", "disk_temp_used");
    bytes(t, "Temporary disk space total:", "disk_temp_total");
}

fn uint(params: &[TypedParam], field: &str) -> Option<u64> {
    params.iter().find(|p| p.field == field).and_then(|p| match p.value {
        TypedValue::Int(v) => u64::try_from(v).ok(),
        TypedValue::UInt(v) => Some(u64::from(v)),
        TypedValue::LLong(v) => u64::try_from(v).ok(),
        TypedValue::ULLong(v) => Some(v),
        _ => None,
    })
}

fn value_text(v: &TypedValue) -> String {
    match v {
        TypedValue::Int(x) => x.to_string(),
        TypedValue::UInt(x) => x.to_string(),
        TypedValue::LLong(x) => x.to_string(),
        TypedValue::ULLong(x) => x.to_string(),
        TypedValue::Double(x) => format!("{x:.6}"),
        TypedValue::Boolean(x) => (*x as i32).to_string(),
        TypedValue::String(x) => x.clone(),
    }
}

/// The old `virDomainJobInfo` record as statistics, so one printer serves both.
fn info_params(info: &JobInfo) -> Vec<TypedParam> {
    let fields = [
        ("time_elapsed", info.time_elapsed),
        ("time_remaining", info.time_remaining),
        ("data_total", info.data_total),
        ("data_processed", info.data_processed),
        ("data_remaining", info.data_remaining),
        ("memory_total", info.mem_total),
        ("memory_processed", info.mem_processed),
        ("memory_remaining", info.mem_remaining),
        ("disk_total", info.file_total),
        ("disk_processed", info.file_processed),
        ("disk_remaining", info.file_remaining),
    ];
    fields
        .iter()
        .map(|(f, v)| TypedParam { field: f.to_string(), value: TypedValue::ULLong(*v) })
        .collect()
}
