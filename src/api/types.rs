//! Values that cross the API: handles and the records calls return.

pub use uuid::Uuid;

/// A domain handle, as libvirt's wire type carries it: name, UUID and id
/// (-1 while inactive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub name: String,
    pub uuid: Uuid,
    pub id: i32,
}

impl Domain {
    pub fn is_active(&self) -> bool {
        self.id >= 0
    }
}

/// A snapshot handle: its domain and its name, as the wire type carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainSnapshot {
    pub domain: Domain,
    pub name: String,
}

/// A checkpoint handle: its domain and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCheckpoint {
    pub domain: Domain,
    pub name: String,
}

/// libvirt's `virDomainState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum DomainState {
    NoState = 0,
    Running = 1,
    Blocked = 2,
    Paused = 3,
    Shutdown = 4,
    Shutoff = 5,
    Crashed = 6,
    PmSuspended = 7,
}

impl DomainState {
    pub fn from_number(n: i32) -> Option<DomainState> {
        use DomainState::*;
        [
            NoState,
            Running,
            Blocked,
            Paused,
            Shutdown,
            Shutoff,
            Crashed,
            PmSuspended,
        ]
        .get(usize::try_from(n).ok()?)
        .copied()
    }

    /// The word virsh prints for this state.
    pub fn label(self) -> &'static str {
        match self {
            DomainState::NoState => "no state",
            DomainState::Running => "running",
            DomainState::Blocked => "idle",
            DomainState::Paused => "paused",
            DomainState::Shutdown => "in shutdown",
            DomainState::Shutoff => "shut off",
            DomainState::Crashed => "crashed",
            DomainState::PmSuspended => "pmsuspended",
        }
    }

    /// One lower-case word for the state, as JSON output names it.
    pub fn word(self) -> &'static str {
        match self {
            DomainState::NoState => "nostate",
            DomainState::Running => "running",
            DomainState::Blocked => "blocked",
            DomainState::Paused => "paused",
            DomainState::Shutdown => "shutdown",
            DomainState::Shutoff => "shutoff",
            DomainState::Crashed => "crashed",
            DomainState::PmSuspended => "pmsuspended",
        }
    }

    /// The words virsh prints for a state reason, by state.
    pub fn reason_label(self, reason: i32) -> &'static str {
        let reasons: &[&str] = match self {
            DomainState::Running => &[
                "unknown",
                "booted",
                "migrated",
                "restored",
                "from snapshot",
                "unpaused",
                "migration canceled",
                "save canceled",
                "event wakeup",
                "crashed",
                "post-copy",
                "post-copy failed",
            ],
            DomainState::Paused => &[
                "unknown",
                "user",
                "migrating",
                "saving",
                "dumping",
                "I/O error",
                "watchdog",
                "from snapshot",
                "shutting down",
                "creating snapshot",
                "crashed",
                "starting up",
                "post-copy",
                "post-copy failed",
                "api error",
            ],
            DomainState::Shutoff => &[
                "unknown",
                "shutdown",
                "destroyed",
                "crashed",
                "migrated",
                "saved",
                "failed",
                "from snapshot",
                "daemon",
            ],
            DomainState::Shutdown => &["unknown", "user"],
            DomainState::Crashed => &["unknown", "panicked"],
            DomainState::PmSuspended => &["unknown"],
            DomainState::NoState | DomainState::Blocked => &["unknown"],
        };
        usize::try_from(reason)
            .ok()
            .and_then(|i| reasons.get(i))
            .copied()
            .unwrap_or("unknown")
    }
}

/// State reasons used by the drivers (libvirt's numbers).
pub mod reason {
    pub const UNKNOWN: i32 = 0;
    pub const RUNNING_BOOTED: i32 = 1;
    pub const RUNNING_RESTORED: i32 = 3;
    pub const RUNNING_FROM_SNAPSHOT: i32 = 4;
    pub const RUNNING_UNPAUSED: i32 = 5;
    pub const PAUSED_USER: i32 = 1;
    pub const PAUSED_FROM_SNAPSHOT: i32 = 7;
    pub const PAUSED_STARTING_UP: i32 = 11;
    pub const SHUTOFF_SHUTDOWN: i32 = 1;
    pub const SHUTOFF_DESTROYED: i32 = 2;
    pub const SHUTOFF_CRASHED: i32 = 3;
    pub const SHUTOFF_SAVED: i32 = 5;
    pub const SHUTOFF_FROM_SNAPSHOT: i32 = 7;
}

/// `virDomainInfo`: memory in KiB, CPU time in nanoseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainInfo {
    pub state: DomainState,
    pub max_mem: u64,
    pub memory: u64,
    pub nr_virt_cpu: u32,
    pub cpu_time: u64,
}

/// `virNodeInfo`: memory in KiB, frequency in MHz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    pub model: String,
    pub memory: u64,
    pub cpus: u32,
    pub mhz: u32,
    pub nodes: u32,
    pub sockets: u32,
    pub cores: u32,
    pub threads: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityModel {
    pub model: String,
    pub doi: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityLabel {
    pub label: String,
    pub enforcing: bool,
}

/// `virDomainBlockInfo`, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockInfo {
    pub capacity: u64,
    pub allocation: u64,
    pub physical: u64,
}

/// libvirt's `virDomainJobType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum JobType {
    None = 0,
    Bounded = 1,
    Unbounded = 2,
    Completed = 3,
    Failed = 4,
    Cancelled = 5,
}

/// `virDomainJobInfo`: times in ms, amounts in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobInfo {
    pub job_type: JobType,
    pub time_elapsed: u64,
    pub time_remaining: u64,
    pub data_total: u64,
    pub data_processed: u64,
    pub data_remaining: u64,
    pub mem_total: u64,
    pub mem_processed: u64,
    pub mem_remaining: u64,
    pub file_total: u64,
    pub file_processed: u64,
    pub file_remaining: u64,
}

/// A typed parameter (`virTypedParameter`), as job statistics return them.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedParam {
    pub field: String,
    pub value: TypedValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypedValue {
    Int(i32),
    UInt(u32),
    LLong(i64),
    ULLong(u64),
    Double(f64),
    Boolean(bool),
    String(String),
}

/// One memory statistic: libvirt's tag number and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryStat {
    pub tag: i32,
    pub value: u64,
}

/// libvirt's `virDomainMemoryStatTags`, named as virsh prints them.
pub const MEMORY_STAT_NAMES: &[&str] = &[
    "swap_in",
    "swap_out",
    "major_fault",
    "minor_fault",
    "unused",
    "available",
    "actual",
    "rss",
    "usable",
    "last_update",
    "disk_caches",
    "hugetlb_pgalloc",
    "hugetlb_pgfail",
];
