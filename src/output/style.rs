//! Help for people at a terminal: colour and "did you mean" hints. When
//! output is not a terminal (scripts), nothing here changes a byte.

use std::io::IsTerminal;
use std::sync::RwLock;

/// What the current process may decorate.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub stdout_color: bool,
    pub stderr_color: bool,
    /// Suggestions after errors: only when a person reads stderr.
    pub hints: bool,
}

static STYLE: RwLock<Option<Style>> = RwLock::new(None);

/// Decides from `--color=auto|always|never`, `NO_COLOR` and whether
/// stdout/stderr are terminals: at start for the run, and again for a
/// command given its own `--color` or `--json`.
pub fn init(color: Option<&str>, json: bool) {
    let stderr_tty = std::io::stderr().is_terminal();
    let stdout_tty = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (out, err) = match color {
        Some("always") => (true, true),
        Some("never") => (false, false),
        _ if no_color => (false, false),
        _ => (stdout_tty, stderr_tty),
    };
    set(Style {
        stdout_color: out && !json,
        stderr_color: err && !json,
        hints: stderr_tty && !json,
    });
}

/// Puts a style (back) in force.
pub fn set(style: Style) {
    *STYLE.write().unwrap_or_else(|e| e.into_inner()) = Some(style);
}

pub fn get() -> Style {
    STYLE
        .read()
        .map(|s| s.unwrap_or_default())
        .unwrap_or_default()
}

pub fn bold(text: &str) -> String {
    format!("\x1b[1m{text}\x1b[0m")
}

pub fn red(text: &str) -> String {
    format!("\x1b[1;31m{text}\x1b[0m")
}

pub fn cyan(text: &str) -> String {
    format!("\x1b[36m{text}\x1b[0m")
}

/// The candidate closest to `word` (edit distance at most 2, or a prefix
/// either way), for "did you mean" hints. Names whose lengths differ from
/// the word's by more than 2 are never measured, and the others only near
/// the diagonal, so a long word costs time in proportion to its length,
/// not to its length times every name's.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    const MAX_EDITS: usize = 2;
    let word_lower: Vec<char> = word.to_lowercase().chars().collect();
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .filter_map(|c| {
            let lower: Vec<char> = c.to_lowercase().chars().collect();
            let prefix = word_lower.len() >= 3
                && (lower.starts_with(&word_lower) || word_lower.starts_with(&lower));
            let distance = if prefix {
                usize::from(lower != word_lower)
            } else {
                edit_distance_within(&word_lower, &lower, MAX_EDITS)?
            };
            (distance <= MAX_EDITS).then_some((distance, c))
        })
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// Levenshtein distance with adjacent transpositions counted as one edit,
/// kept in three rolling rows; `None` when it is more than `max`. Only the
/// cells within `max` of the diagonal can stay within `max`, so two long
/// names of like length cost their length times `2 * max + 1`, not the
/// square of it.
fn edit_distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    // Anything past `max` is as good as infinite.
    let over = max + 1;
    let cap = |d: usize| d.min(over);
    let mut before: Vec<usize> = vec![over; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).map(cap).collect();
    let mut current: Vec<usize> = vec![over; b.len() + 1];
    for i in 1..=a.len() {
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(b.len());
        // The cells just outside the band read as too far.
        current[lo - 1] = if lo == 1 { cap(i) } else { over };
        let mut row_best = current[lo - 1];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = cap(best);
            row_best = row_best.min(current[j]);
        }
        if hi < b.len() {
            current[hi + 1] = over;
        }
        if row_best > max {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b.len()]).filter(|&d| d <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let cmds = ["list", "dominfo", "domstate", "destroy", "start"];
        assert_eq!(closest("lsit", cmds), Some("list"));
        assert_eq!(closest("dominf", cmds), Some("dominfo"));
        assert_eq!(closest("strat", cmds), Some("start"));
        assert_eq!(closest("xyzzy", cmds), None);
        assert_eq!(closest(&"q".repeat(1 << 20), cmds), None);
        assert_eq!(
            closest(&format!("list{}", "x".repeat(1 << 20)), cmds),
            Some("list")
        );
        assert_eq!(
            closest("WEB01", ["web01", "web02"].into_iter()),
            Some("web01")
        );
        // Two names of a megabyte each, alike in length: measured near the
        // diagonal only.
        let long = "a".repeat(1 << 20);
        let typo = format!("{}b{}", "a".repeat(1 << 19), "a".repeat((1 << 19) - 1));
        assert_eq!(closest(&typo, [long.as_str()]), Some(long.as_str()));
        assert_eq!(closest(&"b".repeat(1 << 20), [long.as_str()]), None);
    }

    /// The whole table, as the reference for the banded one.
    fn full_distance(a: &[char], b: &[char]) -> usize {
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = best;
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn banded_distance_agrees_with_the_whole_table() {
        let mut seed = 0x9e37_79b9_u64;
        let mut rnd = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for _ in 0..5000 {
            let word = |rnd: &mut dyn FnMut(u64) -> u64| -> Vec<char> {
                let len = rnd(9) as usize;
                (0..len).map(|_| (b'a' + rnd(3) as u8) as char).collect()
            };
            let (a, b) = (word(&mut rnd), word(&mut rnd));
            for max in 0..4 {
                let full = full_distance(&a, &b);
                let want = (full <= max).then_some(full);
                assert_eq!(edit_distance_within(&a, &b, max), want, "{a:?} {b:?} {max}");
            }
        }
    }
}
