//! libvirt's error model, shared by every layer: every failure carries libvirt's numeric code and
//! domain so it can cross the wire unchanged and print exactly as virsh does.

use std::fmt;

/// libvirt's `virErrorNumber` values that virtsh raises or receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ErrorCode {
    Ok = 0,
    InternalError = 1,
    NoMemory = 2,
    NoSupport = 3,
    UnknownHost = 4,
    NoConnect = 5,
    InvalidConn = 6,
    InvalidDomain = 7,
    InvalidArg = 8,
    OperationFailed = 9,
    NoSource = 19,
    NoTarget = 20,
    NoName = 21,
    XmlError = 27,
    DomExist = 28,
    OperationDenied = 29,
    OpenFailed = 30,
    ReadFailed = 31,
    ParseFailed = 32,
    ConfSyntax = 33,
    WriteFailed = 34,
    XmlDetail = 35,
    SystemError = 38,
    Rpc = 39,
    NoDomain = 42,
    NoNetwork = 43,
    AuthFailed = 45,
    NoStoragePool = 49,
    NoStorageVol = 50,
    OperationInvalid = 55,
    ConfigUnsupported = 67,
    OperationTimeout = 68,
    NoDomainSnapshot = 72,
    ArgumentUnsupported = 74,
    SnapshotRevertRisky = 77,
    OperationAborted = 78,
    NoDomainMetadata = 80,
    Overflow = 82,
    OperationUnsupported = 84,
    ResourceBusy = 87,
    XmlInvalidSchema = 92,
    NoDomainCheckpoint = 103,
    NoDomainBackup = 104,
    NoHostname = 108,
}

impl ErrorCode {
    /// The category text libvirt puts in front of the detail.
    fn category(self) -> Option<&'static str> {
        use ErrorCode::*;
        Some(match self {
            InternalError => "internal error",
            NoSupport => "this function is not supported by the connection driver",
            NoConnect => "no connection driver available for",
            InvalidArg => "invalid argument",
            OperationFailed => "operation failed",
            XmlError => "XML error",
            DomExist => "operation failed",
            OperationDenied => "operation forbidden",
            OpenFailed => "cannot open",
            ReadFailed => "cannot read",
            ParseFailed => "failed to parse",
            ConfSyntax => "configuration file syntax error",
            WriteFailed => "cannot write",
            Rpc => "RPC error",
            NoDomain => "Domain not found",
            NoNetwork => "Network not found",
            AuthFailed => "authentication failed",
            NoStoragePool => "Storage pool not found",
            NoStorageVol => "Storage volume not found",
            OperationInvalid => "Requested operation is not valid",
            ConfigUnsupported => "unsupported configuration",
            OperationTimeout => "Timed out during operation",
            NoDomainSnapshot => "Domain snapshot not found",
            ArgumentUnsupported => "argument unsupported",
            SnapshotRevertRisky => "revert requires force",
            OperationAborted => "operation aborted",
            NoDomainMetadata => "metadata not found",
            Overflow => "numerical overflow",
            NoSource => "missing source information for",
            NoTarget => "missing target information for",
            NoName => "missing name information in",
            OperationUnsupported => "Operation not supported",
            ResourceBusy => "resource busy",
            XmlInvalidSchema => "XML document failed to validate against schema",
            NoDomainCheckpoint => "Domain checkpoint not found",
            NoDomainBackup => "Domain backup job id not found",
            NoHostname => "no hostname found",
            _ => return None,
        })
    }

    pub fn from_number(n: i32) -> ErrorCode {
        use ErrorCode::*;
        const ALL: &[ErrorCode] = &[
            Ok,
            InternalError,
            NoMemory,
            NoSupport,
            UnknownHost,
            NoConnect,
            InvalidConn,
            InvalidDomain,
            InvalidArg,
            OperationFailed,
            NoSource,
            NoTarget,
            NoName,
            XmlError,
            DomExist,
            OperationDenied,
            OpenFailed,
            ReadFailed,
            ParseFailed,
            ConfSyntax,
            WriteFailed,
            XmlDetail,
            SystemError,
            Rpc,
            NoDomain,
            NoNetwork,
            AuthFailed,
            NoStoragePool,
            NoStorageVol,
            OperationInvalid,
            ConfigUnsupported,
            OperationTimeout,
            NoDomainSnapshot,
            ArgumentUnsupported,
            SnapshotRevertRisky,
            OperationAborted,
            NoDomainMetadata,
            Overflow,
            OperationUnsupported,
            ResourceBusy,
            XmlInvalidSchema,
            NoDomainCheckpoint,
            NoDomainBackup,
            NoHostname,
        ];
        ALL.iter()
            .copied()
            .find(|c| *c as i32 == n)
            .unwrap_or(InternalError)
    }
}

/// libvirt's `virErrorDomain`: which subsystem raised the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ErrorDomain {
    None = 0,
    Xml = 5,
    Dom = 6,
    Rpc = 7,
    Conf = 9,
    Qemu = 10,
    Test = 12,
    Remote = 13,
    Storage = 18,
    Domain = 20,
    Security = 24,
    DomainSnapshot = 35,
    Uri = 45,
    Auth = 46,
    DomainCheckpoint = 69,
}

/// One failure, as libvirt reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    pub code: ErrorCode,
    pub domain: ErrorDomain,
    /// The full text, category included, exactly as virsh prints it after `error: `.
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error {
    /// Builds an error whose message is libvirt's category for `code` plus `detail`.
    pub fn new(code: ErrorCode, domain: ErrorDomain, detail: impl AsRef<str>) -> Error {
        let detail = detail.as_ref();
        let message = match code.category() {
            Some(cat) if detail.is_empty() => cat.to_string(),
            Some(cat)
                if matches!(
                    code,
                    ErrorCode::NoConnect
                        | ErrorCode::NoSource
                        | ErrorCode::NoTarget
                        | ErrorCode::NoName
                ) =>
            {
                format!("{cat} {detail}")
            }
            Some(cat) => format!("{cat}: {detail}"),
            None => detail.to_string(),
        };
        Error {
            code,
            domain,
            message,
        }
    }

    /// An error whose message is used verbatim (system errors, remote errors).
    pub fn raw(code: ErrorCode, domain: ErrorDomain, message: impl Into<String>) -> Error {
        Error {
            code,
            domain,
            message: message.into(),
        }
    }

    pub fn internal(detail: impl AsRef<str>) -> Error {
        Error::new(ErrorCode::InternalError, ErrorDomain::None, detail)
    }
    pub fn invalid_arg(detail: impl AsRef<str>) -> Error {
        Error::new(ErrorCode::InvalidArg, ErrorDomain::None, detail)
    }
    pub fn operation_invalid(detail: impl AsRef<str>) -> Error {
        Error::new(ErrorCode::OperationInvalid, ErrorDomain::None, detail)
    }
    pub fn operation_failed(detail: impl AsRef<str>) -> Error {
        Error::new(ErrorCode::OperationFailed, ErrorDomain::None, detail)
    }
    pub fn xml(detail: impl AsRef<str>) -> Error {
        Error::new(ErrorCode::XmlError, ErrorDomain::Xml, detail)
    }
    pub fn config_unsupported(detail: impl AsRef<str>) -> Error {
        Error::new(ErrorCode::ConfigUnsupported, ErrorDomain::None, detail)
    }
    pub fn operation_unsupported(detail: impl AsRef<str>) -> Error {
        Error::new(ErrorCode::OperationUnsupported, ErrorDomain::None, detail)
    }
    /// `this function is not supported by the connection driver: virXxx`
    pub fn no_support(api: &str) -> Error {
        Error::new(ErrorCode::NoSupport, ErrorDomain::None, api)
    }
    /// `unsupported flags (0x10) in function testXxx`
    pub fn unsupported_flags(flags: u32, function: &str) -> Error {
        Error::new(
            ErrorCode::InvalidArg,
            ErrorDomain::None,
            format!("unsupported flags (0x{flags:x}) in function {function}"),
        )
        .recategorised("unsupported flags")
    }
    pub fn no_domain(detail: impl AsRef<str>) -> Error {
        Error::new(ErrorCode::NoDomain, ErrorDomain::Dom, detail)
    }
    pub fn read_only(api: &str) -> Error {
        Error::new(
            ErrorCode::OperationDenied,
            ErrorDomain::None,
            format!("read only access prevents {api}"),
        )
    }
    pub fn system(detail: impl Into<String>) -> Error {
        Error::raw(ErrorCode::SystemError, ErrorDomain::None, detail)
    }

    /// libvirt prints some argument errors without a category prefix.
    fn recategorised(mut self, _why: &str) -> Error {
        if let Some(rest) = self.message.strip_prefix("invalid argument: ") {
            self.message = rest.to_string();
        }
        self
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// The C library's text for an I/O error (`No such file or directory`),
/// without Rust's ` (os error N)` suffix.
pub fn os_error_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}
