//! Help for people at a terminal: colour and "did you mean" hints. When
//! output is not a terminal (scripts), nothing here changes a byte.

use std::io::IsTerminal;
use std::sync::OnceLock;

/// What the current process may decorate.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub stdout_color: bool,
    pub stderr_color: bool,
    /// Suggestions after errors: only when a person reads stderr.
    pub hints: bool,
}

static STYLE: OnceLock<Style> = OnceLock::new();

/// Decides once, from `--color=auto|always|never`, `NO_COLOR` and whether
/// stdout/stderr are terminals.
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
    let _ = STYLE.set(Style {
        stdout_color: out && !json,
        stderr_color: err && !json,
        hints: stderr_tty && !json,
    });
}

pub fn get() -> Style {
    STYLE.get().copied().unwrap_or_default()
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
/// the word's by more than 2 are never measured, so a long word costs
/// time in proportion to its length, not to its length times every name's.
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
            } else if lower.len().abs_diff(word_lower.len()) > MAX_EDITS {
                return None;
            } else {
                edit_distance(&word_lower, &lower)
            };
            (distance <= MAX_EDITS).then_some((distance, c))
        })
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// Levenshtein distance with adjacent transpositions counted as one edit,
/// kept in three rolling rows.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
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
    }
}
