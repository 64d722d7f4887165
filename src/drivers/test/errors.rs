//! The errors the test driver raises, worded and numbered as libvirt's.
//!
//! Two families exist: checks libvirt's public API makes before any driver
//! runs (reported from the "domain" error domain, some without a category
//! prefix), and the test driver's own (reported from the "test" domain).

use crate::api::{Domain, Error, ErrorCode, ErrorDomain};

/// `unsupported flags (0x…) in function NAME` for any bit outside `allowed`.
pub fn check_flags(flags: u32, allowed: u32, function: &str) -> Result<(), Error> {
    let extra = flags & !allowed;
    if extra != 0 {
        let mut err = Error::unsupported_flags(extra, function);
        err.domain = ErrorDomain::Test;
        return Err(err);
    }
    Ok(())
}

/// The handle no longer names a domain (undefined or destroyed meanwhile).
pub fn no_domain_for_handle(dom: &Domain) -> Error {
    Error::new(
        ErrorCode::NoDomain,
        ErrorDomain::Test,
        format!("no domain with matching uuid '{}' ({})", dom.uuid, dom.name),
    )
}

/// A lookup by id, UUID or name found nothing; libvirt 9.0 adds no detail.
pub fn no_domain() -> Error {
    Error::new(ErrorCode::NoDomain, ErrorDomain::Test, "")
}

pub fn not_running() -> Error {
    Error::new(
        ErrorCode::OperationInvalid,
        ErrorDomain::Domain,
        "domain is not running",
    )
}

pub fn transient_has_no_config() -> Error {
    Error::new(
        ErrorCode::OperationInvalid,
        ErrorDomain::Domain,
        "transient domains do not have any persistent config",
    )
}

/// The test driver's own wording for a wrong state: `domain 'X' not running`.
pub fn internal(detail: impl AsRef<str>) -> Error {
    Error::new(ErrorCode::InternalError, ErrorDomain::Test, detail)
}

pub fn invalid_arg(detail: impl AsRef<str>) -> Error {
    Error::new(ErrorCode::InvalidArg, ErrorDomain::Test, detail)
}

pub fn operation_invalid(detail: impl AsRef<str>) -> Error {
    Error::new(ErrorCode::OperationInvalid, ErrorDomain::Test, detail)
}

/// Public-API argument checks print their text without a category.
fn public_arg(message: String) -> Error {
    Error::raw(ErrorCode::InvalidArg, ErrorDomain::Domain, message)
}

pub fn exclusive_flags(a: &str, b: &str) -> Error {
    public_arg(format!("Flags '{a}' and '{b}' are mutually exclusive"))
}

pub fn required_flag(required: &str, by: &str) -> Error {
    public_arg(format!("Flag '{required}' is required by flag '{by}'"))
}

pub fn must_not_be_zero(arg: &str, function: &str) -> Error {
    public_arg(format!("{arg} in {function} must not be zero"))
}

pub fn must_not_be_empty(arg: &str, function: &str) -> Error {
    public_arg(format!("string {arg} in {function} must not be empty"))
}

pub fn must_not_be_negative(arg: &str, function: &str) -> Error {
    public_arg(format!("{arg} in {function} must be zero or greater"))
}

/// A system call failed: libvirt appends strerror to its own text.
pub fn system(detail: String, err: &std::io::Error) -> Error {
    Error::raw(
        ErrorCode::SystemError,
        ErrorDomain::Test,
        format!("{detail}: {}", strerror(err)),
    )
}

/// The C library's text for an I/O error, without Rust's " (os error N)".
pub fn strerror(err: &std::io::Error) -> String {
    let mut text = err.to_string();
    if let Some(i) = text.find(" (os error") {
        text.truncate(i);
    }
    text
}

/// The flags of LIVE/CONFIG pairs, by libvirt's names, for exclusivity errors.
pub const AFFECT_LIVE: &str = "VIR_DOMAIN_AFFECT_LIVE";
pub const AFFECT_CONFIG: &str = "VIR_DOMAIN_AFFECT_CONFIG";

/// LIVE and CONFIG together are refused by some public entry points.
pub fn check_live_config_exclusive(flags: u32) -> Result<(), Error> {
    use crate::api::flags::affect::{CONFIG, LIVE};
    if flags & LIVE != 0 && flags & CONFIG != 0 {
        return Err(exclusive_flags(AFFECT_LIVE, AFFECT_CONFIG));
    }
    Ok(())
}

/// A public-API flag check of a snapshot or checkpoint call, reported from
/// that object's error domain.
pub fn moment_flags(err: Error, domain: ErrorDomain) -> Error {
    Error { domain, ..err }
}

/// `Domain snapshot not found: no domain snapshot with matching name 'X'`
pub fn no_snapshot(name: &str) -> Error {
    Error::new(
        ErrorCode::NoDomainSnapshot,
        ErrorDomain::Test,
        format!("no domain snapshot with matching name '{name}'"),
    )
}

/// `Domain checkpoint not found: no domain checkpoint with matching name 'X'`
pub fn no_checkpoint(name: &str) -> Error {
    Error::new(
        ErrorCode::NoDomainCheckpoint,
        ErrorDomain::Test,
        format!("no domain checkpoint with matching name '{name}'"),
    )
}

pub fn operation_unsupported(detail: impl AsRef<str>) -> Error {
    Error::new(ErrorCode::OperationUnsupported, ErrorDomain::Test, detail)
}

/// Adding a snapshot or checkpoint under a name already taken.
pub fn moment_exists(name: &str, domain: ErrorDomain) -> Error {
    Error::new(
        ErrorCode::OperationFailed,
        domain,
        format!("domain moment {name} already exists"),
    )
}
