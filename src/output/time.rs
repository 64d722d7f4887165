//! Local-time formatting through the C library, as virsh prints times.

/// Formats `secs` since the epoch in local time with a strftime pattern.
pub fn local(secs: i64, pattern: &str) -> String {
    let t: libc::time_t = secs as libc::time_t;
    // SAFETY: localtime_r fills the zeroed tm we own; strftime writes at most
    // buf.len() bytes and returns how many it wrote.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return String::new();
        }
        let fmt = std::ffi::CString::new(pattern).unwrap_or_default();
        let mut buf = [0u8; 128];
        let n = libc::strftime(buf.as_mut_ptr().cast(), buf.len(), fmt.as_ptr(), &tm);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
}

/// The current local time in a strftime pattern.
pub fn local_stamp(pattern: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    local(now, pattern)
}
