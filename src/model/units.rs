//! libvirt's scaled integers (`<memory unit='MiB'>`) and number parsing.

use crate::error::{Error, ErrorCode, ErrorDomain, Result};

/// The byte multiplier for a unit suffix; `default` applies to "".
pub fn scale(unit: &str, default: u64) -> Result<u64> {
    if unit.is_empty() {
        return Ok(default);
    }
    if ["b", "byte", "bytes"]
        .iter()
        .any(|b| unit.eq_ignore_ascii_case(b))
    {
        return Ok(1);
    }
    // Compared as bytes: a suffix may start with any character.
    let b = unit.as_bytes();
    let base: u64 = if b.len() == 1 || b[1..].eq_ignore_ascii_case(b"iB") {
        1024
    } else if b.len() == 2 && b[1].eq_ignore_ascii_case(&b'b') {
        1000
    } else {
        return Err(Error::invalid_arg(format!("unknown suffix '{unit}'")));
    };
    let power = match b[0].to_ascii_lowercase() {
        b'k' => 1,
        b'm' => 2,
        b'g' => 3,
        b't' => 4,
        b'p' => 5,
        b'e' => 6,
        _ => return Err(Error::invalid_arg(format!("unknown suffix '{unit}'"))),
    };
    Ok(base.pow(power))
}

/// Why a scaled integer was refused: libvirt adds a second error line for
/// a bad suffix or an overflow.
#[derive(Debug, PartialEq, Eq)]
pub enum ScaledError {
    Malformed,
    /// `invalid argument: unknown suffix 'Q'`
    UnknownSuffix(String),
    /// `numerical overflow: value too large: TEXT`
    Overflow,
}

/// Parses a scaled integer as virsh reads one from the command line (`10`,
/// `512M`, `2GiB`, `1GB`) into bytes, with `default_unit` applied to a bare
/// number. Leading blanks and `+` are accepted as strtoull accepts them.
pub fn parse_scaled(text: &str, default_unit: u64) -> std::result::Result<u64, ScaledError> {
    let trimmed = text.trim_start_matches([' ', '\t', '\n']);
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    let digits_end = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    if digits_end == 0 {
        return Err(ScaledError::Malformed);
    }
    let number: u64 = body[..digits_end]
        .parse()
        .map_err(|_| ScaledError::Malformed)?;
    let suffix = &body[digits_end..];
    let factor =
        scale(suffix, default_unit).map_err(|_| ScaledError::UnknownSuffix(suffix.to_string()))?;
    number.checked_mul(factor).ok_or(ScaledError::Overflow)
}

/// Parses an unsigned decimal as libvirt's `virStrToLong_ullp` does:
/// leading blanks and `+` allowed, nothing may trail.
pub fn parse_u64(s: &str) -> Option<u64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// Like `parse_u64` but also accepts `0x` hex and leading-0 octal (base 0).
pub fn parse_u64_auto(s: &str) -> Option<u64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let t = t.strip_prefix('+').unwrap_or(t);
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u64::from_str_radix(h, 16).ok();
    }
    if t.len() > 1 && t.starts_with('0') {
        return u64::from_str_radix(&t[1..], 8).ok();
    }
    parse_u64(t)
}

/// Parses a signed decimal (`virStrToLong_i` style).
pub fn parse_i64(s: &str) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i64 = t.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// Largest memory size libvirt accepts, in KiB (what a double holds exactly).
pub const MAX_MEMORY_KIB: u64 = (1 << 53) - 1;

/// A memory-like element's value with its `unit` converted to KiB
/// (rounding up), checked against `max_kib`.
pub fn scaled_kib(text: &str, unit: Option<&str>, xpath: &str, max_kib: u64) -> Result<u64> {
    let v = parse_u64(text).ok_or_else(|| invalid_value(text, xpath))?;
    let sc = scale(unit.unwrap_or(""), 1024)?;
    let max_bytes = max_kib.saturating_mul(1024);
    if v > max_bytes / sc {
        return Err(Error::raw(
            ErrorCode::from_number(OVERFLOW),
            ErrorDomain::None,
            format!("numerical overflow: value too large: {v}"),
        ));
    }
    Ok((v * sc).div_ceil(1024))
}

/// libvirt's VIR_ERR_OVERFLOW (82), which the api enum does not list yet.
const OVERFLOW: i32 = 82;

/// `XML error: Invalid value 'V' for element or attribute 'XPATH'`
pub fn invalid_value(v: &str, xpath: &str) -> Error {
    Error::xml(format!(
        "Invalid value '{v}' for element or attribute '{xpath}'"
    ))
}

/// The largest CPU or vCPU set libvirt parses (`VIR_DOMAIN_CPUMASK_LEN`):
/// bits 0 to 16383.
pub const CPUMASK_LEN: u32 = 16384;

/// Parses a CPU/node set like `0-3,^2,8` (libvirt's bitmap syntax) into a
/// sorted list; `max` bounds the bit numbers. Ranges are merged before any
/// bit is listed, so a long list of wide ranges costs no more than its text
/// and the bits it sets.
pub fn parse_bitmap(s: &str, max: u32) -> Result<Vec<u32>> {
    let bad = || Error::invalid_arg(format!("Failed to parse bitmap '{s}'"));
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    let mut neg = std::collections::HashSet::new();
    for part in s.split(',') {
        let p = part.trim_matches([' ', '\t', '\n']);
        if p.is_empty() {
            return Err(bad());
        }
        if let Some(n) = p.strip_prefix('^') {
            let v: u32 = n.trim().parse().map_err(|_| bad())?;
            neg.insert(v);
            continue;
        }
        let (a, b) = match p.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (p, p),
        };
        let a: u32 = a.parse().map_err(|_| bad())?;
        let b: u32 = b.parse().map_err(|_| bad())?;
        if a > b || b >= max {
            return Err(bad());
        }
        ranges.push((a, b));
    }
    if ranges.is_empty() {
        return Err(bad());
    }
    ranges.sort_unstable();
    let mut bits = Vec::new();
    let mut next = 0u32;
    for (a, b) in ranges {
        for bit in a.max(next)..=b {
            if !neg.contains(&bit) {
                bits.push(bit);
            }
        }
        next = next.max(b + 1);
    }
    Ok(bits)
}

/// Formats a sorted bit list as ranges (`0-1,3`), as `virBitmapFormat` does.
pub fn format_bitmap(bits: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < bits.len() {
        let start = bits[i];
        let mut end = start;
        while i + 1 < bits.len() && bits[i + 1] == end + 1 {
            i += 1;
            end = bits[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}-{end}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmaps() {
        assert_eq!(
            format_bitmap(&parse_bitmap("0-3,^2", 1024).unwrap()),
            "0-1,3"
        );
        assert_eq!(
            format_bitmap(&parse_bitmap("5,1,2", 1024).unwrap()),
            "1-2,5"
        );
        assert!(parse_bitmap("x", 1024).is_err());
        assert_eq!(
            format_bitmap(&parse_bitmap("4-6,0-5,^1,2", 1024).unwrap()),
            "0,2-6"
        );
        // Overlapping ranges are counted once, however many there are.
        let many = vec!["0-16383"; 200_000].join(",");
        assert_eq!(parse_bitmap(&many, CPUMASK_LEN).unwrap().len(), 16384);
        assert_eq!(
            parse_bitmap("x", 1024).unwrap_err().message,
            "invalid argument: Failed to parse bitmap 'x'"
        );
    }

    #[test]
    fn units() {
        assert_eq!(scaled_kib("1", Some("b"), "x", MAX_MEMORY_KIB).unwrap(), 1);
        assert_eq!(
            scaled_kib("1025", Some("bytes"), "x", MAX_MEMORY_KIB).unwrap(),
            2
        );
        assert_eq!(
            scaled_kib("1000", Some("KB"), "x", MAX_MEMORY_KIB).unwrap(),
            977
        );
        assert_eq!(
            scaled_kib("1", Some("Mb"), "x", MAX_MEMORY_KIB).unwrap(),
            977
        );
        assert_eq!(
            scaled_kib("1", Some("mib"), "x", MAX_MEMORY_KIB).unwrap(),
            1024
        );
        assert_eq!(
            scaled_kib("1", Some("E"), "x", MAX_MEMORY_KIB).unwrap(),
            1125899906842624
        );
        assert_eq!(scaled_kib("+12", None, "x", MAX_MEMORY_KIB).unwrap(), 12);
        assert_eq!(scaled_kib("012", None, "x", MAX_MEMORY_KIB).unwrap(), 12);
        assert_eq!(
            scaled_kib("9007199254740991", None, "x", MAX_MEMORY_KIB).unwrap(),
            MAX_MEMORY_KIB
        );
        assert_eq!(
            scaled_kib("9007199254740992", None, "x", MAX_MEMORY_KIB)
                .unwrap_err()
                .message,
            "numerical overflow: value too large: 9007199254740992"
        );
        assert_eq!(
            scaled_kib(" 12 ", None, "./memory[1]", MAX_MEMORY_KIB)
                .unwrap_err()
                .message,
            "XML error: Invalid value ' 12 ' for element or attribute './memory[1]'"
        );
        assert_eq!(
            scaled_kib("1", Some("X"), "x", MAX_MEMORY_KIB)
                .unwrap_err()
                .message,
            "invalid argument: unknown suffix 'X'"
        );
        assert!(scaled_kib("0x10", None, "x", MAX_MEMORY_KIB).is_err());
        assert!(scaled_kib("-5", None, "x", MAX_MEMORY_KIB).is_err());
    }
}

#[cfg(test)]
mod scaled_tests {
    use super::*;

    #[test]
    fn command_line_sizes() {
        assert_eq!(parse_scaled("10", 1024), Ok(10240));
        assert_eq!(parse_scaled(" +10", 1024), Ok(10240));
        assert_eq!(parse_scaled("1M", 1), Ok(1 << 20));
        assert_eq!(parse_scaled("1MB", 1), Ok(1_000_000));
        assert_eq!(parse_scaled("2GiB", 1), Ok(2 << 30));
        assert_eq!(parse_scaled("4kIB", 1), Ok(4096));
        assert_eq!(parse_scaled("5B", 1024), Ok(5));
        assert_eq!(parse_scaled("5BYTES", 1024), Ok(5));
        assert_eq!(parse_scaled("abc", 1), Err(ScaledError::Malformed));
        assert_eq!(parse_scaled("-5", 1), Err(ScaledError::Malformed));
        assert_eq!(
            parse_scaled("1Q", 1),
            Err(ScaledError::UnknownSuffix("Q".into()))
        );
        assert_eq!(
            parse_scaled("1.5G", 1),
            Err(ScaledError::UnknownSuffix(".5G".into()))
        );
        assert_eq!(parse_scaled("99999999999E", 1), Err(ScaledError::Overflow));
        assert_eq!(
            parse_scaled("99999999999999999999", 1),
            Err(ScaledError::Malformed)
        );
    }
}
