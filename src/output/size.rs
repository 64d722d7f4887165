//! Human-readable sizes.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_sizes() {
        assert_eq!(pretty2(0), "0.00 B");
        assert_eq!(pretty2(107374182400), "100.00 GiB");
        assert_eq!(pretty3(1536), "1.500 KiB");
    }
}
