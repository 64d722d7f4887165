//! virsh's tables: a header row, a dash line, then rows. Every cell is one
//! space plus its text; all but the last are padded to the column width + 2.

use unicode_width::UnicodeWidthStr;

pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.into_iter().map(|c| escape_unprintable(&c)).collect());
    }

    /// Renders the table; `quiet` drops the header and dash line (and their widths).
    pub fn render(&self, quiet: bool) -> String {
        let columns = self.header.len();
        let mut widths = vec![0usize; columns];
        let shown_header = (!quiet).then_some(&self.header);
        for row in shown_header.into_iter().chain(self.rows.iter()) {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width());
            }
        }
        let mut out = String::new();
        let line = |out: &mut String, row: &[String]| {
            for (i, cell) in row.iter().enumerate() {
                out.push(' ');
                out.push_str(cell);
                if i + 1 < columns {
                    out.extend(std::iter::repeat_n(' ', widths[i] + 2 - cell.width()));
                }
            }
            out.push('\n');
        };
        if let Some(h) = shown_header {
            if super::style::get().stdout_color {
                // Bold header for people; padding is measured on the plain text.
                let mut plain = String::new();
                line(&mut plain, h);
                out.push_str(&super::style::bold(plain.trim_end_matches('\n')));
                out.push('\n');
            } else {
                line(&mut out, h);
            }
            let dashes: usize = widths.iter().map(|w| w + 3).sum();
            out.extend(std::iter::repeat_n('-', dashes));
            out.push('\n');
        }
        for row in &self.rows {
            line(&mut out, row);
        }
        out
    }
}

/// Control characters are shown as `\xNN`, as virsh does. Outside a UTF-8
/// locale virsh cannot print other characters either and shows each of
/// their bytes as `\xff`.
fn escape_unprintable(text: &str) -> String {
    let utf8 = locale_is_utf8();
    if text
        .chars()
        .all(|c| !c.is_control() && (utf8 || c.is_ascii()))
    {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if c.is_control() && (c as u32) < 0x80 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else if !utf8 && !c.is_ascii() {
            out.extend(std::iter::repeat_n("\\xff", c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether the character-type locale (LC_ALL, LC_CTYPE, LANG) is UTF-8.
pub fn locale_is_utf8() -> bool {
    static UTF8: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *UTF8.get_or_init(|| {
        // SAFETY: nl_langinfo returns a pointer to a NUL-terminated string
        // owned by the C library, valid until the locale changes.
        let codeset = unsafe { std::ffi::CStr::from_ptr(libc::nl_langinfo(libc::CODESET)) };
        codeset.to_bytes().eq_ignore_ascii_case(b"UTF-8")
    })
}

/// Adopts the user's locale as virsh does at start; an unknown locale is
/// reported as virsh reports it (`setlocale: …`) and the C locale stays.
pub fn init_locale() {
    // SAFETY: called once at start-up before any other thread exists; the
    // empty string asks for the environment's locale.
    let applied = unsafe { libc::setlocale(libc::LC_ALL, c"".as_ptr()) };
    if applied.is_null() {
        crate::stdio::err(&format!(
            "setlocale: {}\n",
            crate::error::os_error_text(&std::io::Error::last_os_error())
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virsh_layout() {
        let mut t = Table::new(&["Id", "Name", "State"]);
        t.row(vec!["1".into(), "test".into(), "running".into()]);
        assert_eq!(
            t.render(false),
            " Id   Name   State\n----------------------\n 1    test   running\n"
        );
        assert_eq!(t.render(true), " 1   test   running\n");
    }

    #[test]
    fn empty_last_cell_keeps_padding() {
        let mut t = Table::new(&["A", "B"]);
        t.row(vec!["x".into(), String::new()]);
        assert_eq!(t.render(true), " x   \n");
    }
}
