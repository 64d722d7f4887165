//! Human-readable sizes and scaled-integer input.

const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/// The largest binary unit in which `bytes` is at least 1, and the value in it.
pub fn pretty(bytes: u64) -> (f64, &'static str) {
    let mut unit = 0;
    let mut value = bytes as f64;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    (value, UNITS[unit])
}

/// `%.2lf UNIT`, as the pool and volume commands print sizes.
pub fn pretty2(bytes: u64) -> String {
    let (v, u) = pretty(bytes);
    format!("{v:.2} {u}")
}

/// `%.3lf UNIT`, as domblkinfo and domjobinfo print sizes.
pub fn pretty3(bytes: u64) -> String {
    let (v, u) = pretty(bytes);
    format!("{v:.3} {u}")
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

/// Parses a scaled integer (`10`, `512M`, `2GiB`, `1GB`) into bytes, with
/// `default_unit` applied to a bare number. Leading blanks and `+` are
/// accepted as strtoull accepts them.
pub fn parse_scaled(text: &str, default_unit: u64) -> Result<u64, ScaledError> {
    let trimmed = text.trim_start_matches([' ', '\t', '\n']);
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    let digits_end = body.find(|c: char| !c.is_ascii_digit()).unwrap_or(body.len());
    if digits_end == 0 {
        return Err(ScaledError::Malformed);
    }
    let number: u64 = body[..digits_end].parse().map_err(|_| ScaledError::Malformed)?;
    let suffix = &body[digits_end..];
    let scale = unit_scale(suffix, default_unit)
        .ok_or_else(|| ScaledError::UnknownSuffix(suffix.to_string()))?;
    number.checked_mul(scale).ok_or(ScaledError::Overflow)
}

/// The multiplier for a unit suffix: `k`/`KiB` powers of 1024, `KB` powers of 1000.
pub fn unit_scale(suffix: &str, default_unit: u64) -> Option<u64> {
    if suffix.is_empty() {
        return Some(default_unit);
    }
    let lower = suffix.to_ascii_lowercase();
    if lower == "b" || lower == "byte" || lower == "bytes" {
        return Some(1);
    }
    let power = match lower.as_bytes()[0] {
        b'k' => 1,
        b'm' => 2,
        b'g' => 3,
        b't' => 4,
        b'p' => 5,
        b'e' => 6,
        _ => return None,
    };
    let base: u64 = match &lower[1..] {
        "" | "ib" => 1024,
        "b" => 1000,
        _ => return None,
    };
    Some(base.pow(power))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_sizes() {
        assert_eq!(pretty2(0), "0.00 B");
        assert_eq!(pretty2(107374182400), "100.00 GiB");
        assert_eq!(pretty3(1536), "1.500 KiB");
    }

    #[test]
    fn scaled() {
        assert_eq!(parse_scaled("10", 1024), Ok(10240));
        assert_eq!(parse_scaled(" +10", 1024), Ok(10240));
        assert_eq!(parse_scaled("1M", 1), Ok(1 << 20));
        assert_eq!(parse_scaled("1MB", 1), Ok(1_000_000));
        assert_eq!(parse_scaled("2GiB", 1), Ok(2 << 30));
        assert_eq!(parse_scaled("5b", 1024), Ok(5));
        assert_eq!(parse_scaled("abc", 1), Err(ScaledError::Malformed));
        assert_eq!(parse_scaled("-5", 1), Err(ScaledError::Malformed));
        assert_eq!(parse_scaled("1Q", 1), Err(ScaledError::UnknownSuffix("Q".into())));
        assert_eq!(parse_scaled("1.5G", 1), Err(ScaledError::UnknownSuffix(".5G".into())));
        assert_eq!(parse_scaled("99999999999E", 1), Err(ScaledError::Overflow));
        assert_eq!(parse_scaled("99999999999999999999", 1), Err(ScaledError::Malformed));
    }
}
