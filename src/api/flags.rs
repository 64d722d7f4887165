//! Flag values, numerically equal to libvirt's so they cross the wire unchanged.

/// `virConnectListAllDomainsFlags`
pub mod list {
    pub const ACTIVE: u32 = 1 << 0;
    pub const INACTIVE: u32 = 1 << 1;
    pub const PERSISTENT: u32 = 1 << 2;
    pub const TRANSIENT: u32 = 1 << 3;
    pub const RUNNING: u32 = 1 << 4;
    pub const PAUSED: u32 = 1 << 5;
    pub const SHUTOFF: u32 = 1 << 6;
    pub const OTHER: u32 = 1 << 7;
    pub const MANAGEDSAVE: u32 = 1 << 8;
    pub const NO_MANAGEDSAVE: u32 = 1 << 9;
    pub const AUTOSTART: u32 = 1 << 10;
    pub const NO_AUTOSTART: u32 = 1 << 11;
    pub const HAS_SNAPSHOT: u32 = 1 << 12;
    pub const NO_SNAPSHOT: u32 = 1 << 13;
    pub const HAS_CHECKPOINT: u32 = 1 << 14;
    pub const NO_CHECKPOINT: u32 = 1 << 15;
}

/// `virDomainXMLFlags`
pub mod xml {
    pub const SECURE: u32 = 1 << 0;
    pub const INACTIVE: u32 = 1 << 1;
    pub const UPDATE_CPU: u32 = 1 << 2;
    pub const MIGRATABLE: u32 = 1 << 3;
}

/// `virDomainModificationImpact`
pub mod affect {
    pub const CURRENT: u32 = 0;
    pub const LIVE: u32 = 1 << 0;
    pub const CONFIG: u32 = 1 << 1;
}

/// `virDomainVcpuFlags` (beyond the affect flags)
pub mod vcpu {
    pub const MAXIMUM: u32 = 1 << 2;
    pub const GUEST: u32 = 1 << 3;
    pub const HOTPLUGGABLE: u32 = 1 << 4;
}

/// `virDomainMemoryModFlags` (beyond the affect flags)
pub mod mem {
    pub const MAXIMUM: u32 = 1 << 2;
}

/// `virDomainUndefineFlagsValues`
pub mod undefine {
    pub const MANAGED_SAVE: u32 = 1 << 0;
    pub const SNAPSHOTS_METADATA: u32 = 1 << 1;
    pub const NVRAM: u32 = 1 << 2;
    pub const KEEP_NVRAM: u32 = 1 << 3;
    pub const CHECKPOINTS_METADATA: u32 = 1 << 4;
    pub const TPM: u32 = 1 << 5;
    pub const KEEP_TPM: u32 = 1 << 6;
}

/// `virDomainCreateFlags`
pub mod start {
    pub const PAUSED: u32 = 1 << 0;
    pub const AUTODESTROY: u32 = 1 << 1;
    pub const BYPASS_CACHE: u32 = 1 << 2;
    pub const FORCE_BOOT: u32 = 1 << 3;
    pub const VALIDATE: u32 = 1 << 4;
    pub const RESET_NVRAM: u32 = 1 << 5;
}

/// `virDomainDefineFlags`
pub mod define {
    pub const VALIDATE: u32 = 1 << 0;
}

/// `virDomainShutdownFlagValues` / `virDomainRebootFlagValues`
pub mod shutdown {
    pub const ACPI_POWER_BTN: u32 = 1 << 0;
    pub const GUEST_AGENT: u32 = 1 << 1;
    pub const INITCTL: u32 = 1 << 2;
    pub const SIGNAL: u32 = 1 << 3;
    pub const PARAVIRT: u32 = 1 << 4;
}

/// `virDomainDestroyFlagsValues`
pub mod destroy {
    pub const GRACEFUL: u32 = 1 << 0;
    pub const REMOVE_LOGS: u32 = 1 << 1;
}

/// `virDomainSaveRestoreFlags`
pub mod save {
    pub const BYPASS_CACHE: u32 = 1 << 0;
    pub const RUNNING: u32 = 1 << 1;
    pub const PAUSED: u32 = 1 << 2;
    pub const RESET_NVRAM: u32 = 1 << 3;
}

/// `virDomainMetadataType`
pub mod metadata {
    pub const DESCRIPTION: i32 = 0;
    pub const TITLE: i32 = 1;
    pub const ELEMENT: i32 = 2;
}

/// `virDomainGetJobStatsFlags`
pub mod job_stats {
    pub const COMPLETED: u32 = 1 << 0;
    pub const KEEP_COMPLETED: u32 = 1 << 1;
}

/// `virDomainAbortJobFlagsValues`
pub mod abort_job {
    pub const POSTCOPY: u32 = 1 << 0;
}

/// `virDomainGetHostnameFlags`
pub mod hostname {
    pub const LEASE: u32 = 1 << 0;
    pub const AGENT: u32 = 1 << 1;
}

/// `virDomainSnapshotCreateFlags`
pub mod snapshot_create {
    pub const REDEFINE: u32 = 1 << 0;
    pub const CURRENT: u32 = 1 << 1;
    pub const NO_METADATA: u32 = 1 << 2;
    pub const HALT: u32 = 1 << 3;
    pub const DISK_ONLY: u32 = 1 << 4;
    pub const REUSE_EXT: u32 = 1 << 5;
    pub const QUIESCE: u32 = 1 << 6;
    pub const ATOMIC: u32 = 1 << 7;
    pub const LIVE: u32 = 1 << 8;
    pub const VALIDATE: u32 = 1 << 9;
}

/// `virDomainSnapshotListFlags` (ROOTS when listing a domain's snapshots,
/// DESCENDANTS when listing a snapshot's children: the same bit)
pub mod snapshot_list {
    pub const ROOTS: u32 = 1 << 0;
    pub const DESCENDANTS: u32 = 1 << 0;
    pub const METADATA: u32 = 1 << 1;
    pub const LEAVES: u32 = 1 << 2;
    pub const NO_LEAVES: u32 = 1 << 3;
    pub const NO_METADATA: u32 = 1 << 4;
    pub const INACTIVE: u32 = 1 << 5;
    pub const ACTIVE: u32 = 1 << 6;
    pub const DISK_ONLY: u32 = 1 << 7;
    pub const INTERNAL: u32 = 1 << 8;
    pub const EXTERNAL: u32 = 1 << 9;
    pub const TOPOLOGICAL: u32 = 1 << 10;
}

/// `virDomainSnapshotRevertFlags`
pub mod snapshot_revert {
    pub const RUNNING: u32 = 1 << 0;
    pub const PAUSED: u32 = 1 << 1;
    pub const FORCE: u32 = 1 << 2;
    pub const RESET_NVRAM: u32 = 1 << 3;
}

/// `virDomainSnapshotDeleteFlags`
pub mod snapshot_delete {
    pub const CHILDREN: u32 = 1 << 0;
    pub const METADATA_ONLY: u32 = 1 << 1;
    pub const CHILDREN_ONLY: u32 = 1 << 2;
}

/// `virDomainCheckpointCreateFlags`
pub mod checkpoint_create {
    pub const REDEFINE: u32 = 1 << 0;
    pub const QUIESCE: u32 = 1 << 1;
    pub const REDEFINE_VALIDATE: u32 = 1 << 2;
}

/// `virDomainCheckpointXMLFlags`
pub mod checkpoint_xml {
    pub const SECURE: u32 = 1 << 0;
    pub const NO_DOMAIN: u32 = 1 << 1;
    pub const SIZE: u32 = 1 << 2;
}

/// `virDomainCheckpointListFlags`
pub mod checkpoint_list {
    pub const ROOTS: u32 = 1 << 0;
    pub const DESCENDANTS: u32 = 1 << 0;
    pub const TOPOLOGICAL: u32 = 1 << 1;
    pub const LEAVES: u32 = 1 << 2;
    pub const NO_LEAVES: u32 = 1 << 3;
}

/// `virDomainCheckpointDeleteFlags`
pub mod checkpoint_delete {
    pub const CHILDREN: u32 = 1 << 0;
    pub const METADATA_ONLY: u32 = 1 << 1;
    pub const CHILDREN_ONLY: u32 = 1 << 2;
}

/// `virDomainMessageType`
pub mod message {
    pub const DEPRECATION: u32 = 1 << 0;
    pub const TAINTING: u32 = 1 << 1;
}

/// `virDomainBackupBeginFlags`
pub mod backup_begin {
    pub const REUSE_EXTERNAL: u32 = 1 << 0;
}
