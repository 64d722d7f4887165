//! The library's own diagnostics on stderr, which virsh users see beside
//! virsh's errors: libvirt's default log output (warnings, the first one
//! preceded by two lines naming the library and host) and the lines libxml2
//! prints while reading a file. Drivers report through here rather than
//! printing, so this is the one place such text is written.

use std::sync::Once;
use std::time::{SystemTime, UNIX_EPOCH};

/// The library libvirt's log header names; the oracle's.
const LIBRARY: &str = "libvirt version: 9.0.0, package: 9.0.0-4+deb12u2 (Debian)";

static HEADER: Once = Once::new();

/// Writes `warning : SOURCE : MESSAGE` as libvirt's stderr log output.
pub fn warning(source: &str, message: &str) {
    // Asked of the system once: a node file of many snapshots warns once each.
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let pid = *PID.get_or_init(std::process::id);
    let stamp = timestamp();
    HEADER.call_once(|| {
        crate::stdio::err(&format!(
            "{stamp}: {pid}: info : {LIBRARY}\n{stamp}: {pid}: info : hostname: {}\n",
            crate::api::host_name()
        ));
    });
    crate::stdio::err(&format!("{stamp}: {pid}: warning : {source} : {message}\n"));
}

/// A line libxml2 writes itself (`I/O warning : failed to load external entity …`).
pub fn xml_parser(line: &str) {
    crate::stdio::err(&format!("{line}\n"));
}

/// `YYYY-MM-DD HH:MM:SS.mmm+0000`, in UTC as libvirt logs.
fn timestamp() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:03}+0000",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        now.subsec_millis()
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_780), (2026, 11, 23));
    }
}
