//! Host and hypervisor commands (help keyword `host`).

pub mod capabilities;
pub mod hostname;
pub mod nodeinfo;
pub mod sysinfo;
pub mod uri;
pub mod version;
