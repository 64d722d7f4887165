//! One value, two renderings: virsh's text, or a JSON document.

use serde::Serialize;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// A command's result. The JSON form is the value's serde serialisation
/// (snake_case keys, sizes in bytes, times in RFC 3339, states in lower case).
pub trait Render: Serialize {
    /// Exactly what virsh prints (`quiet` is `-q`).
    fn text(&self, quiet: bool) -> String;

    /// Writes the text; a value whose text can dwarf the value itself
    /// writes it piece by piece instead of building it first.
    fn write_text(&self, quiet: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(self.text(quiet).as_bytes())
    }
}

/// The JSON document for a value, pretty-printed, with a final newline.
pub fn json_document<T: Serialize + ?Sized>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".to_string());
    text.push('\n');
    text
}

/// Seconds since the epoch as RFC 3339 in UTC (`2026-11-22T23:06:17Z`).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
