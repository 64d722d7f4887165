use crate::api::flags::list;
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::api::flags::job_stats;
use crate::api::{ErrorCode, JobInfo, JobType, TypedParam, TypedValue};
use crate::commands::{Args, CmdError, CmdResult, CommandDef, Group, OptDef, Session};
use crate::output::render::Render;
use crate::output::size::pretty3;

pub static DEF: CommandDef = CommandDef {
    name: "domjobinfo",
    group: Group::Domain,
    summary: "show a domain's job progress",
    description: "Print the type, progress and statistics of the domain's current \
(or last completed) job.",
    options: &[
        OptDef::domain_where(list::ACTIVE),
        OptDef::flag("completed", "the last completed job instead"),
        OptDef::flag("keep-completed", "keep the completed job's statistics"),
        OptDef::flag("anystats", "print statistics whatever the job's state"),
        OptDef::flag(
            "rawstats",
            "print the statistics as the hypervisor reports them",
        ),
    ],
    needs_connection: true,
    run,
};

const JOB_TYPES: [&str; 6] = [
    "None",
    "Bounded",
    "Unbounded",
    "Completed",
    "Failed",
    "Cancelled",
];
const OPERATIONS: [&str; 11] = [
    "Unknown",
    "Start",
    "Save",
    "Restore",
    "Incoming migration",
    "Outgoing migration",
    "Snapshot",
    "Snapshot revert",
    "Dump",
    "Backup",
    "Snapshot delete",
];

fn run(session: &mut Session, args: &Args) -> CmdResult {
    args.requires("keep-completed", "completed")?;
    let dom = session.lookup_domain(args, "domain")?;
    let conn = session.conn()?.clone();
    let flags = args.flags(&[
        ("completed", job_stats::COMPLETED),
        ("keep-completed", job_stats::KEEP_COMPLETED),
    ]);
    let (job_type, params) = match conn.domain_get_job_stats(&dom, flags) {
        Ok((t, params)) => (t, params),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::NoSupport | ErrorCode::ArgumentUnsupported
            ) =>
        {
            if flags != 0 || args.has("rawstats") {
                return Err(CmdError::from(e)
                    .context("Optional flags or --rawstats are not supported by the daemon"));
            }
            let info = conn.domain_get_job_info(&dom)?;
            (info.job_type as i32, info_params(&info))
        }
        Err(e) => return Err(e.into()),
    };
    let show_stats = args.has("anystats")
        || job_type == JobType::Bounded as i32
        || job_type == JobType::Unbounded as i32
        || (job_type == JobType::Completed as i32 && args.has("completed"));
    session.emit(&JobReport {
        job_type,
        params,
        raw: args.has("rawstats"),
        show_stats,
    });
    Ok(())
}

/// A job and its statistics. JSON: the type and operation as lower-case
/// words, and every statistic under libvirt's field name with its value as
/// the hypervisor gave it (times in ms, amounts in bytes).
struct JobReport {
    job_type: i32,
    params: Vec<TypedParam>,
    /// `--rawstats`: the text lists the fields as they are.
    raw: bool,
    /// The text shows the statistics (the job runs, or --anystats/--completed).
    show_stats: bool,
}

/// A label as a JSON word: `Outgoing migration` → `outgoing_migration`.
fn word(label: &str) -> String {
    label.to_lowercase().replace(' ', "_")
}

impl JobReport {
    fn type_name(&self) -> &'static str {
        JOB_TYPES
            .get(self.job_type as usize)
            .copied()
            .unwrap_or("Unknown")
    }
    fn operation(&self) -> Option<&'static str> {
        uint(&self.params, "operation")
            .map(|op| OPERATIONS.get(op as usize).copied().unwrap_or("Unknown"))
    }
}

impl Serialize for JobReport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let statistics: serde_json::Map<String, serde_json::Value> = self
            .params
            .iter()
            .map(|p| (p.field.clone(), json_value(&p.value)))
            .collect();
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("type", &word(self.type_name()))?;
        map.serialize_entry("operation", &self.operation().map(word))?;
        map.serialize_entry("statistics", &statistics)?;
        map.end()
    }
}

impl Render for JobReport {
    fn text(&self, _quiet: bool) -> String {
        let mut t = String::new();
        if self.raw {
            t.push_str(&format!("Job type: {}\n\n", self.job_type));
            for p in &self.params {
                t.push_str(&format!("{}: {}\n", p.field, value_text(&p.value)));
            }
            return t;
        }
        t.push_str(&format!("{:<17} {:<12}\n", "Job type:", self.type_name()));
        if self.job_type == JobType::None as i32 {
            return t;
        }
        if let Some(op) = self.operation() {
            t.push_str(&format!("{:<17} {:<12}\n", "Operation:", op));
        }
        if self.show_stats {
            stats_lines(&mut t, &self.params);
        }
        if let Some(TypedValue::String(msg)) = self
            .params
            .iter()
            .find(|p| p.field == "errmsg")
            .map(|p| &p.value)
        {
            t.push_str(&format!("{:<17} {}\n", "Error message:", msg));
        }
        t
    }
}

fn json_value(v: &TypedValue) -> serde_json::Value {
    match v {
        TypedValue::Int(x) => (*x).into(),
        TypedValue::UInt(x) => (*x).into(),
        TypedValue::LLong(x) => (*x).into(),
        TypedValue::ULLong(x) => (*x).into(),
        TypedValue::Double(x) => (*x).into(),
        TypedValue::Boolean(x) => (*x).into(),
        TypedValue::String(x) => x.clone().into(),
    }
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
    params
        .iter()
        .find(|p| p.field == field)
        .and_then(|p| match p.value {
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
        .map(|(f, v)| TypedParam {
            field: f.to_string(),
            value: TypedValue::ULLong(*v),
        })
        .collect()
}
