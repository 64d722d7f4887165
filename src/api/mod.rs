//! The hypervisor API, shaped like libvirt's public API. Everything above
//! (commands, the daemon) speaks it; every driver implements it.

pub mod auth;
pub mod config;
pub mod flags;
pub mod log;
pub mod types;
pub mod uri;

pub use crate::error::{Error, ErrorCode, ErrorDomain, Result};
pub use types::*;

use std::sync::{Arc, OnceLock};

/// Whether a call may run on a read-only connection.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

/// One table declares every API call once: its method, libvirt's public name
/// (used in "not supported" and "read only" errors) and whether it changes
/// state. From it come the `Driver` trait (each call defaults to "not
/// supported") and the `Connection` wrapper that enforces read-only access.
///
/// `"virXFlags" | "virX" if flags == 0` names the older call virsh makes when
/// no flag is set, so errors name the same function virsh's do; `secure(flags)`
/// marks a read that a read-only connection may not make with the secure flag;
/// `requires(flags: A, B)` refuses flag A without flag B and `exclusive(flags:
/// A, B)` the two together, as libvirt's public API does before any driver.
macro_rules! api_calls {
    ($( $access:ident $api:literal $(| $plain:literal if $flag:ident == 0)? $(secure($secure:ident))?
        $(requires($rflags:ident: $ra:path = $ran:literal, $rb:path = $rbn:literal))*
        $(exclusive($xflags:ident: $xa:path = $xan:literal, $xb:path = $xbn:literal))*
        fn $name:ident(&self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        /// An implementation of the hypervisor API. Drivers override what they support.
        pub trait Driver: Send + Sync {
            /// The canonical URI of this connection, as `uri` prints it.
            fn uri(&self) -> String;
            /// Asks for the credentials the hypervisor wants before the
            /// connection may be used; most want none.
            #[allow(unused_variables)]
            fn authenticate(&self, uri: &uri::Uri, auth: Option<&mut dyn auth::Authenticator>) -> Result<()> {
                Ok(())
            }
            $(
                #[allow(unused_variables)]
                fn $name(&self $(, $arg: $ty)*) -> Result<$ret> {
                    let api: &str = $api;
                    $( let api: &str = if $flag == 0 { $plain } else { api }; )?
                    Err(Error::no_support(api))
                }
            )*
        }

        impl Connection {
            $(
                pub fn $name(&self $(, $arg: $ty)*) -> Result<$ret> {
                    let api: &str = $api;
                    $( let api: &str = if $flag == 0 { $plain } else { api }; )?
                    self.check_access(Access::$access, api)?;
                    $( self.check_secure($secure, api)?; )?
                    $( check_requires($rflags, $ra, $ran, $rb, $rbn)?; )*
                    $( check_exclusive($xflags, $xa, $xan, $xb, $xbn)?; )*
                    self.driver.$name($($arg),*)
                }
            )*
        }
    };
}

api_calls! {
    Read "virConnectGetType" fn get_type(&self) -> String;
    Read "virConnectGetVersion" fn get_version(&self) -> u64;
    Read "virConnectGetHostname" fn get_hostname(&self) -> String;
    Read "virConnectGetCapabilities" fn get_capabilities(&self) -> String;
    Read "virConnectGetSysinfo" fn get_sysinfo(&self, flags: u32) -> String;
    Read "virNodeGetInfo" fn node_get_info(&self) -> NodeInfo;
    Read "virNodeGetSecurityModel" fn node_get_security_model(&self) -> SecurityModel;
    Read "virConnectSetKeepAlive" fn set_keep_alive(&self, interval: i32, count: u32) -> ();

    Read "virConnectListAllDomains" fn list_all_domains(&self, flags: u32) -> Vec<Domain>;
    Read "virDomainLookupByID" fn domain_lookup_by_id(&self, id: i32) -> Domain;
    Read "virDomainLookupByUUID" fn domain_lookup_by_uuid(&self, uuid: &Uuid) -> Domain;
    Read "virDomainLookupByName" fn domain_lookup_by_name(&self, name: &str) -> Domain;
    Write "virDomainDefineXMLFlags" | "virDomainDefineXML" if flags == 0 fn domain_define_xml(&self, xml: &str, flags: u32) -> Domain;
    Write "virDomainCreateXML" fn domain_create_xml(&self, xml: &str, flags: u32) -> Domain;
    Write "virDomainUndefineFlags" fn domain_undefine(&self, dom: &Domain, flags: u32) -> ();
    Write "virDomainCreateWithFlags" | "virDomainCreate" if flags == 0 fn domain_create(&self, dom: &Domain, flags: u32) -> Domain;
    Write "virDomainShutdownFlags" | "virDomainShutdown" if flags == 0 fn domain_shutdown(&self, dom: &Domain, flags: u32) -> ();
    Write "virDomainReboot" fn domain_reboot(&self, dom: &Domain, flags: u32) -> ();
    Write "virDomainReset" fn domain_reset(&self, dom: &Domain, flags: u32) -> ();
    Write "virDomainDestroyFlags" | "virDomainDestroy" if flags == 0 fn domain_destroy(&self, dom: &Domain, flags: u32) -> ();
    Write "virDomainSuspend" fn domain_suspend(&self, dom: &Domain) -> ();
    Write "virDomainResume" fn domain_resume(&self, dom: &Domain) -> ();
    Read "virDomainGetInfo" fn domain_get_info(&self, dom: &Domain) -> DomainInfo;
    Read "virDomainGetState" fn domain_get_state(&self, dom: &Domain, flags: u32) -> (DomainState, i32);
    Read "virDomainGetXMLDesc" secure(flags) fn domain_get_xml_desc(&self, dom: &Domain, flags: u32) -> String;
    Read "virDomainGetOSType" fn domain_get_os_type(&self, dom: &Domain) -> String;
    Read "virDomainGetAutostart" fn domain_get_autostart(&self, dom: &Domain) -> bool;
    Write "virDomainSetAutostart" fn domain_set_autostart(&self, dom: &Domain, autostart: bool) -> ();
    Read "virDomainIsActive" fn domain_is_active(&self, dom: &Domain) -> bool;
    Read "virDomainIsPersistent" fn domain_is_persistent(&self, dom: &Domain) -> bool;
    Read "virDomainHasManagedSaveImage" fn domain_has_managed_save_image(&self, dom: &Domain, flags: u32) -> bool;
    Read "virDomainGetSecurityLabel" fn domain_get_security_label(&self, dom: &Domain) -> SecurityLabel;
    Read "virDomainGetMessages" fn domain_get_messages(&self, dom: &Domain, flags: u32) -> Vec<String>;
    Write "virDomainSetMemoryFlags" fn domain_set_memory_flags(&self, dom: &Domain, kib: u64, flags: u32) -> ();
    Write "virDomainSetMaxMemory" fn domain_set_max_memory(&self, dom: &Domain, kib: u64) -> ();
    Write "virDomainSetVcpus" fn domain_set_vcpus(&self, dom: &Domain, count: u32) -> ();
    Write "virDomainSetVcpusFlags" fn domain_set_vcpus_flags(&self, dom: &Domain, count: u32, flags: u32) -> ();
    Read "virDomainGetVcpusFlags" fn domain_get_vcpus_flags(&self, dom: &Domain, flags: u32) -> i32;
    Read "virDomainGetMaxVcpus" fn domain_get_max_vcpus(&self, dom: &Domain) -> i32;
    Read "virDomainGetBlockInfo" fn domain_get_block_info(&self, dom: &Domain, disk: &str, flags: u32) -> BlockInfo;
    Write "virDomainRename" fn domain_rename(&self, dom: &Domain, new_name: &str, flags: u32) -> Domain;
    Write "virDomainSaveFlags" | "virDomainSave" if flags == 0
        exclusive(flags: flags::save::RUNNING = "VIR_DOMAIN_SAVE_RUNNING", flags::save::PAUSED = "VIR_DOMAIN_SAVE_PAUSED") fn domain_save(&self, dom: &Domain, path: &str, dxml: Option<&str>, flags: u32) -> ();
    Write "virDomainRestoreFlags" | "virDomainRestore" if flags == 0
        exclusive(flags: flags::save::RUNNING = "VIR_DOMAIN_SAVE_RUNNING", flags::save::PAUSED = "VIR_DOMAIN_SAVE_PAUSED") fn domain_restore(&self, path: &str, dxml: Option<&str>, flags: u32) -> ();
    Write "virDomainManagedSave"
        exclusive(flags: flags::save::RUNNING = "VIR_DOMAIN_SAVE_RUNNING", flags::save::PAUSED = "VIR_DOMAIN_SAVE_PAUSED") fn domain_managed_save(&self, dom: &Domain, flags: u32) -> ();
    Write "virDomainManagedSaveRemove" fn domain_managed_save_remove(&self, dom: &Domain, flags: u32) -> ();
    Read "virDomainGetJobInfo" fn domain_get_job_info(&self, dom: &Domain) -> JobInfo;
    Read "virDomainGetJobStats" fn domain_get_job_stats(&self, dom: &Domain, flags: u32) -> (i32, Vec<TypedParam>);
    Write "virDomainAbortJobFlags" | "virDomainAbortJob" if flags == 0 fn domain_abort_job(&self, dom: &Domain, flags: u32) -> ();
    Read "virDomainGetMetadata" fn domain_get_metadata(&self, dom: &Domain, kind: i32, uri: Option<&str>, flags: u32) -> String;
    Write "virDomainSetMetadata" fn domain_set_metadata(&self, dom: &Domain, kind: i32, value: Option<&str>, key: Option<&str>, uri: Option<&str>, flags: u32) -> ();
    Write "virDomainGetHostname" fn domain_get_hostname(&self, dom: &Domain, flags: u32) -> String;
    Read "virDomainMemoryStats" fn domain_memory_stats(&self, dom: &Domain, flags: u32) -> Vec<MemoryStat>;
    Write "virDomainSetMemoryStatsPeriod" fn domain_set_memory_stats_period(&self, dom: &Domain, period: i32, flags: u32) -> ();

    Write "virDomainSnapshotCreateXML"
        requires(flags: flags::snapshot_create::CURRENT = "VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT", flags::snapshot_create::REDEFINE = "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE")
        exclusive(flags: flags::snapshot_create::REDEFINE = "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE", flags::snapshot_create::NO_METADATA = "VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA")
        exclusive(flags: flags::snapshot_create::REDEFINE = "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE", flags::snapshot_create::HALT = "VIR_DOMAIN_SNAPSHOT_CREATE_HALT")
        fn domain_snapshot_create_xml(&self, dom: &Domain, xml: &str, flags: u32) -> DomainSnapshot;
    Read "virDomainSnapshotGetXMLDesc" secure(flags) fn domain_snapshot_get_xml_desc(&self, snap: &DomainSnapshot, flags: u32) -> String;
    Read "virDomainListAllSnapshots" fn domain_list_all_snapshots(&self, dom: &Domain, flags: u32) -> Vec<DomainSnapshot>;
    Read "virDomainSnapshotListAllChildren" fn domain_snapshot_list_all_children(&self, snap: &DomainSnapshot, flags: u32) -> Vec<DomainSnapshot>;
    Read "virDomainSnapshotLookupByName" fn domain_snapshot_lookup_by_name(&self, dom: &Domain, name: &str, flags: u32) -> DomainSnapshot;
    Read "virDomainHasCurrentSnapshot" fn domain_has_current_snapshot(&self, dom: &Domain, flags: u32) -> bool;
    Read "virDomainSnapshotCurrent" fn domain_snapshot_current(&self, dom: &Domain, flags: u32) -> DomainSnapshot;
    Read "virDomainSnapshotGetParent" fn domain_snapshot_get_parent(&self, snap: &DomainSnapshot, flags: u32) -> DomainSnapshot;
    Read "virDomainSnapshotIsCurrent" fn domain_snapshot_is_current(&self, snap: &DomainSnapshot, flags: u32) -> bool;
    Read "virDomainSnapshotHasMetadata" fn domain_snapshot_has_metadata(&self, snap: &DomainSnapshot, flags: u32) -> bool;
    Write "virDomainRevertToSnapshot"
        exclusive(flags: flags::snapshot_revert::RUNNING = "VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING", flags::snapshot_revert::PAUSED = "VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED")
        fn domain_revert_to_snapshot(&self, snap: &DomainSnapshot, flags: u32) -> ();
    Write "virDomainSnapshotDelete"
        exclusive(flags: flags::snapshot_delete::CHILDREN = "VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN", flags::snapshot_delete::CHILDREN_ONLY = "VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY")
        fn domain_snapshot_delete(&self, snap: &DomainSnapshot, flags: u32) -> ();

    Write "virDomainCheckpointCreateXML"
        requires(flags: flags::checkpoint_create::REDEFINE_VALIDATE = "VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE", flags::checkpoint_create::REDEFINE = "VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE")
        exclusive(flags: flags::checkpoint_create::REDEFINE = "VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE", flags::checkpoint_create::QUIESCE = "VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE")
        fn domain_checkpoint_create_xml(&self, dom: &Domain, xml: &str, flags: u32) -> DomainCheckpoint;
    Read "virDomainCheckpointGetXMLDesc" secure(flags) fn domain_checkpoint_get_xml_desc(&self, cp: &DomainCheckpoint, flags: u32) -> String;
    Read "virDomainListAllCheckpoints" fn domain_list_all_checkpoints(&self, dom: &Domain, flags: u32) -> Vec<DomainCheckpoint>;
    Read "virDomainCheckpointListAllChildren" fn domain_checkpoint_list_all_children(&self, cp: &DomainCheckpoint, flags: u32) -> Vec<DomainCheckpoint>;
    Read "virDomainCheckpointLookupByName" fn domain_checkpoint_lookup_by_name(&self, dom: &Domain, name: &str, flags: u32) -> DomainCheckpoint;
    Read "virDomainCheckpointGetParent" fn domain_checkpoint_get_parent(&self, cp: &DomainCheckpoint, flags: u32) -> DomainCheckpoint;
    Write "virDomainCheckpointDelete"
        exclusive(flags: flags::checkpoint_delete::CHILDREN = "VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN", flags::checkpoint_delete::CHILDREN_ONLY = "VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY")
        fn domain_checkpoint_delete(&self, cp: &DomainCheckpoint, flags: u32) -> ();

    Write "virDomainBackupBegin" fn domain_backup_begin(&self, dom: &Domain, backup_xml: Option<&str>, checkpoint_xml: Option<&str>, flags: u32) -> ();
    Read "virDomainBackupGetXMLDesc" fn domain_backup_get_xml_desc(&self, dom: &Domain, flags: u32) -> String;
}

/// libvirt refuses two flags that contradict each other before any driver sees them.
fn check_exclusive(flags: u32, a: u32, a_name: &str, b: u32, b_name: &str) -> Result<()> {
    if flags & a != 0 && flags & b != 0 {
        return Err(Error::raw(
            ErrorCode::InvalidArg,
            ErrorDomain::None,
            format!("Flags '{a_name}' and '{b_name}' are mutually exclusive"),
        ));
    }
    Ok(())
}

/// libvirt refuses a flag that only makes sense with another one.
fn check_requires(flags: u32, a: u32, a_name: &str, b: u32, b_name: &str) -> Result<()> {
    if flags & a != 0 && flags & b == 0 {
        return Err(Error::raw(
            ErrorCode::InvalidArg,
            ErrorDomain::None,
            format!("Flag '{b_name}' is required by flag '{a_name}'"),
        ));
    }
    Ok(())
}

/// An open connection to a hypervisor, through whichever driver the URI chose.
#[derive(Clone)]
pub struct Connection {
    driver: Arc<dyn Driver>,
    read_only: bool,
}

impl Connection {
    pub fn new(driver: Arc<dyn Driver>, read_only: bool) -> Connection {
        Connection { driver, read_only }
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub fn uri(&self) -> String {
        self.driver.uri()
    }

    /// A read-only connection may not see secrets (`virDomainGetXMLDesc with secure flag`).
    fn check_secure(&self, flags: u32, api: &str) -> Result<()> {
        if self.read_only && flags & flags::xml::SECURE != 0 {
            return Err(Error::new(
                ErrorCode::OperationDenied,
                ErrorDomain::None,
                format!("{api} with secure flag"),
            ));
        }
        Ok(())
    }

    fn check_access(&self, access: Access, api: &str) -> Result<()> {
        if access == Access::Write && self.read_only {
            return Err(Error::read_only(api));
        }
        Ok(())
    }
}

/// Flags for opening a connection.
pub const CONNECT_RO: u32 = 1;

/// What `open` asks of a driver: the URI (parsed, and as resolved), or
/// none at all — the local daemon then decides, as libvirt's does.
pub struct OpenRequest<'a> {
    pub uri: Option<(&'a uri::Uri, &'a str)>,
    pub read_only: bool,
}

/// Opens a driver for a request, or answers `None` for a URI the driver
/// does not serve.
pub type DriverOpen = fn(&OpenRequest) -> Option<Result<Arc<dyn Driver>>>;

/// A driver's claim on URIs.
pub struct DriverEntry {
    pub name: &'static str,
    pub open: DriverOpen,
}

/// The drivers `open` chooses from, in order. The api never names a driver
/// itself: the program registers them (see `drivers::register`).
static DRIVERS: OnceLock<&'static [DriverEntry]> = OnceLock::new();

/// Makes `drivers` the ones `open` chooses from; later calls change nothing.
pub fn register_drivers(drivers: &'static [DriverEntry]) {
    let _ = DRIVERS.set(drivers);
}

/// Opens `uri` as libvirt's `virConnectOpen` does. Without a URI (`None`
/// or empty) the URI is `LIBVIRT_DEFAULT_URI`, else `uri_default` from
/// `libvirt.conf`, else none — which only the local daemon serves. Aliases
/// from `libvirt.conf` apply to every URI, and a broken `libvirt.conf`
/// fails every open.
pub fn open(uri: Option<&str>, flags: u32) -> Result<Connection> {
    open_auth(uri, flags, None)
}

/// Like `open`, answering the driver's requests for credentials with `auth`.
pub fn open_auth(
    uri: Option<&str>,
    flags: u32,
    auth: Option<&mut dyn auth::Authenticator>,
) -> Result<Connection> {
    let config = config::Config::load()?;
    let name = uri.filter(|u| !u.is_empty());
    let uristr = match name {
        Some(n) => Some(n.to_string()),
        None => default_uri(config.as_ref())?,
    };
    let resolved = match (&uristr, &config) {
        (Some(u), Some(c)) => c.resolve_alias(u)?.or(uristr),
        _ => uristr,
    };
    let parsed = match &resolved {
        Some(text) if !text.contains(':') => {
            return Err(Error::new(
                ErrorCode::NoConnect,
                ErrorDomain::None,
                // libvirt names the URI it was given, "(null)" for a default one.
                format!(
                    "URI '{}' does not include a driver name",
                    name.unwrap_or("(null)")
                ),
            ));
        }
        Some(text) => Some(uri::Uri::parse(text)?),
        None => None,
    };
    let request = OpenRequest {
        uri: parsed.as_ref().zip(resolved.as_deref()),
        read_only: flags & CONNECT_RO != 0,
    };
    let drivers: &[DriverEntry] = DRIVERS.get().copied().unwrap_or_default();
    let driver = drivers
        .iter()
        .find_map(|entry| (entry.open)(&request))
        .unwrap_or_else(|| {
            Err(Error::new(
                ErrorCode::NoConnect,
                ErrorDomain::None,
                name.unwrap_or("(null)"),
            ))
        })?;
    if let Some(parsed) = &parsed {
        driver.authenticate(parsed, auth)?;
    }
    Ok(Connection::new(driver, request.read_only))
}

/// The URI a connection opened without one uses, if any is configured:
/// `LIBVIRT_DEFAULT_URI`, then `uri_default` from `libvirt.conf`.
pub fn default_uri(config: Option<&config::Config>) -> Result<Option<String>> {
    if let Some(v) = std::env::var("LIBVIRT_DEFAULT_URI")
        .ok()
        .filter(|v| !v.is_empty())
    {
        return Ok(Some(v));
    }
    match config {
        Some(c) => Ok(c.string("uri_default")?.map(str::to_string)),
        None => Ok(None),
    }
}

/// This machine's host name (`localhost` if it cannot be read).
pub fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates
    // when the name fits, and the last byte stays 0 otherwise.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
    if rc != 0 {
        return "localhost".into();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}
