//! The bytes of a document, made text as libxml2 makes them.
//!
//! A document libvirt gets as a string (virsh read the file, up to its first
//! NUL) must be UTF-8; a document the test driver reads from a file (the
//! node file and the files it names) may also be UTF-16 or declared
//! ISO-8859-1, and ends at its first NUL character. Where the bytes go
//! wrong, the error is libxml2's: the first well-formedness error before
//! that point if there is one, else what libxml2 says about the bytes.
//!
//! Error messages hold text, so bytes that are not UTF-8 show as U+FFFD in
//! their context line where libvirt shows them as they are.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::xml::{first_error, xml_detail_error};

/// The text of a document passed as a string.
pub fn string_document(bytes: &[u8], url: &str) -> Result<String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => Err(not_utf8(bytes, e.valid_up_to(), url)),
    }
}

/// Reads a document file as libxml2 does: its encoding from a byte order
/// mark, from its first bytes or from its declaration, and nothing after the
/// first NUL (so a device of endless zeros reads as an empty document).
pub fn read_document_file(path: &Path, url: &str) -> Result<String> {
    let unreadable = || Error::xml(format!("failed to parse xml document '{url}'"));
    let file = std::fs::File::open(path).map_err(|_| unreadable())?;
    let mut reader = std::io::BufReader::new(file);
    let mut head = Vec::with_capacity(4);
    (&mut reader)
        .take(4)
        .read_to_end(&mut head)
        .map_err(|_| unreadable())?;
    let encoding = Encoding::detect(&head);
    let mut bytes = head;
    let unit = encoding.unit();
    let mut buf = [0u8; 8192];
    let mut ended_at_nul = false;
    if let Some(at) = first_nul(&bytes, unit) {
        bytes.truncate(at);
        ended_at_nul = true;
    }
    while !ended_at_nul {
        // Only the new part can hold a NUL: the search stays linear.
        let searched = bytes.len() - bytes.len() % unit;
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(unreadable()),
        };
        bytes.extend_from_slice(&buf[..n]);
        if let Some(at) = first_nul(&bytes[searched..], unit) {
            bytes.truncate(searched + at);
            ended_at_nul = true;
            break;
        }
    }
    let text = match encoding {
        Encoding::Utf16 { big_endian } => decode_utf16(&bytes, big_endian),
        Encoding::Utf8 if declares_latin1(&bytes) => bytes.iter().map(|&b| b as char).collect(),
        Encoding::Utf8 => string_document(&bytes, url)?,
    };
    if ended_at_nul {
        check_before_nul(&text, url)?;
    }
    Ok(text)
}

#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    Utf8,
    Utf16 { big_endian: bool },
}

impl Encoding {
    /// libxml2's look at the first four bytes.
    fn detect(head: &[u8]) -> Encoding {
        match head {
            [0xFF, 0xFE, ..] | [b'<', 0, b'?', 0] => Encoding::Utf16 { big_endian: false },
            [0xFE, 0xFF, ..] | [0, b'<', 0, b'?'] => Encoding::Utf16 { big_endian: true },
            _ => Encoding::Utf8,
        }
    }

    /// Bytes per code unit: a NUL character is a whole unit of zeros.
    fn unit(self) -> usize {
        match self {
            Encoding::Utf8 => 1,
            Encoding::Utf16 { .. } => 2,
        }
    }
}

fn first_nul(bytes: &[u8], unit: usize) -> Option<usize> {
    bytes
        .chunks_exact(unit)
        .position(|c| c.iter().all(|&b| b == 0))
        .map(|i| i * unit)
}

fn decode_utf16(bytes: &[u8], big_endian: bool) -> String {
    let units = bytes.chunks_exact(2).map(|c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    // The mark is the decoder's, not the document's.
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// Whether an XML declaration at the start names ISO-8859-1 (Latin-1).
fn declares_latin1(bytes: &[u8]) -> bool {
    let Some(decl) = bytes.strip_prefix(b"<?xml") else {
        return false;
    };
    let end = decl
        .windows(2)
        .position(|w| w == b"?>")
        .unwrap_or(decl.len());
    let decl = String::from_utf8_lossy(&decl[..end]).to_ascii_lowercase();
    let Some((_, after)) = decl.split_once("encoding") else {
        return false;
    };
    let name = after
        .trim_start_matches([' ', '\t', '\r', '\n', '='])
        .trim_start_matches(['\'', '"']);
    let name = name.split(['\'', '"']).next().unwrap_or("");
    matches!(name, "iso-8859-1" | "latin1" | "iso_8859-1" | "iso-latin-1")
}

/// A file that ends at a NUL: libxml2 stops there. In element content the
/// NUL is the end of input (after the root element, of nothing amiss); in
/// the middle of a name, a value, a comment or a section it is a character
/// libxml2 refuses.
fn check_before_nul(text: &str, url: &str) -> Result<()> {
    let end = text.len();
    let Some((at, why)) = first_error(text) else {
        return Ok(());
    };
    // A mark alone is a whole document once the NUL counts as its fourth
    // byte.
    if text == "\u{feff}" {
        return Err(xml_detail_error(url, text, end, "Document is empty"));
    }
    if at < end {
        return Err(xml_detail_error(url, text, at, &why));
    }
    let in_start_tag =
        why.starts_with("Couldn't find end of Start Tag") && !in_attribute_value(text);
    let why = match text.chars().last() {
        _ if why.starts_with("Premature end of data")
            || why.starts_with("Start tag expected")
            || why == "Document is empty" =>
        {
            why
        }
        Some(' ' | '\t' | '\n' | '\r') if in_start_tag => why,
        Some('=') if in_start_tag => "AttValue: \" or ' expected".to_string(),
        _ => "Char 0x0 out of allowed range".to_string(),
    };
    Err(xml_detail_error(url, text, end, &why))
}

/// Whether the text ends inside a quoted attribute value of a start tag.
fn in_attribute_value(text: &str) -> bool {
    let Some(lt) = text.rfind('<') else {
        return false;
    };
    let tag = &text[lt..];
    if tag[1..].starts_with(['/', '!', '?']) || tag.contains('>') {
        return false;
    }
    let mut quote = None;
    for c in tag.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    quote.is_some()
}

/// libxml2's error for a document whose bytes stop being UTF-8 at `at`.
fn not_utf8(bytes: &[u8], at: usize, url: &str) -> Error {
    // Offsets up to `at` are the same in the lossy text.
    let text = String::from_utf8_lossy(bytes);
    let prefix = std::str::from_utf8(&bytes[..at]).unwrap_or("");
    let error_at = |pos: usize, msg: &str| xml_detail_error(url, &text, pos, msg);
    let why = match first_error(prefix) {
        // Something before the bad bytes was wrong already.
        Some((pos, why)) if pos < at => return error_at(pos, &why),
        None => "Extra content at the end of the document".to_string(),
        Some((_, why)) if why.starts_with("Start tag expected") || why == "Document is empty" => {
            "Start tag expected, '<' not found".to_string()
        }
        Some((_, why)) => match out_of_range_char(&bytes[at..]) {
            Some(c) => format!("Char 0x{c:X} out of allowed range"),
            // Within the last three bytes libxml2 takes the bad byte for
            // the end of its input.
            None if bytes.len() - at < 4 => {
                if why.starts_with("Premature end of data") {
                    "internal error: detected an error in element content\n".to_string()
                } else {
                    why
                }
            }
            None => {
                let shown: Vec<String> = bytes[at..at + 4]
                    .iter()
                    .map(|b| format!("0x{b:02X}"))
                    .collect();
                format!(
                    "Input is not proper UTF-8, indicate encoding !\nBytes: {}",
                    shown.join(" ")
                )
            }
        },
    };
    error_at(at, &why)
}

/// A well-formed UTF-8 sequence for a code point XML does not allow (a
/// surrogate, or past U+10FFFF), which libxml2 decodes and then refuses.
fn out_of_range_char(bytes: &[u8]) -> Option<u32> {
    let cont = |i: usize| {
        bytes
            .get(i)
            .filter(|&&b| b & 0xC0 == 0x80)
            .map(|&b| u32::from(b & 0x3F))
    };
    let lead = *bytes.first()?;
    let c = match lead {
        0xE0..=0xEF => (u32::from(lead & 0x0F) << 12) | (cont(1)? << 6) | cont(2)?,
        0xF0..=0xF7 => {
            (u32::from(lead & 0x07) << 18) | (cont(1)? << 12) | (cont(2)? << 6) | cont(3)?
        }
        _ => return None,
    };
    ((0xD800..=0xDFFF).contains(&c) || c > 0x10FFFF).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_line(e: Error) -> String {
        e.message.lines().next().unwrap_or("").to_string()
    }

    fn string_err(bytes: &[u8]) -> String {
        first_line(string_document(bytes, "(domain_definition)").unwrap_err())
    }

    #[test]
    fn string_documents_as_libvirt_reports_them() {
        assert_eq!(string_document(b"<a/>", "u").unwrap(), "<a/>");
        let e = string_document(
            b"<domain><name>b\xe9</name></domain>",
            "(domain_definition)",
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "(domain_definition):1: Input is not proper UTF-8, indicate encoding !\n\
             Bytes: 0xE9 0x3C 0x2F 0x6E\n\
             <domain><name>b\u{fffd}</name></domain>\n\
             ---------------^"
        );
        // A UTF-16 mark cut at its first NUL, as virsh hands it on.
        assert_eq!(
            string_err(b"\xff\xfe<"),
            "(domain_definition):1: Start tag expected, '<' not found"
        );
        assert_eq!(
            string_err(b"<domain/>\n  \xe9"),
            "(domain_definition):2: Extra content at the end of the document"
        );
        assert_eq!(
            string_err(b"<domain><a>x</a></b>\xe9"),
            "(domain_definition):1: Opening and ending tag mismatch: domain line 1 and b"
        );
        assert_eq!(
            string_err(b"<domain>\xed\xa0\x80</domain>"),
            "(domain_definition):1: Char 0xD800 out of allowed range"
        );
        assert_eq!(
            string_err(b"<domain>\xf4\x90\x80\x80</domain>"),
            "(domain_definition):1: Char 0x110000 out of allowed range"
        );
        assert_eq!(
            string_err(b"<domain>x\xe9ab"),
            "(domain_definition):1: internal error: detected an error in element content"
        );
        assert_eq!(
            string_err(b"<!-- \xe9 --><domain/>"),
            "(domain_definition):1: Input is not proper UTF-8, indicate encoding !"
        );
    }

    fn with_file(name: &str, bytes: &[u8], check: impl FnOnce(&Path)) {
        let dir = std::env::temp_dir().join(format!("virtsh-xml-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        check(&path);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn files_in_other_encodings() {
        let doc = "<node><name>b\u{e9}</name></node>";
        let mut le = vec![0xFF, 0xFE];
        le.extend(doc.encode_utf16().flat_map(u16::to_le_bytes));
        with_file("le.xml", &le, |p| {
            assert_eq!(read_document_file(p, "u").unwrap(), doc);
        });
        let be: Vec<u8> = "<?xml version='1.0'?><node/>"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        with_file("be.xml", &be, |p| {
            assert_eq!(
                read_document_file(p, "u").unwrap(),
                "<?xml version='1.0'?><node/>"
            );
        });
        with_file(
            "latin1.xml",
            b"<?xml version='1.0' encoding='ISO-8859-1'?><n>\xe9</n>",
            |p| {
                assert!(read_document_file(p, "u")
                    .unwrap()
                    .ends_with("<n>\u{e9}</n>"));
            },
        );
    }

    #[test]
    fn files_end_at_their_first_nul() {
        let read = |bytes: &[u8]| {
            let mut out = None;
            with_file("nul.xml", bytes, |p| out = Some(read_document_file(p, "f")));
            out.unwrap()
        };
        assert_eq!(read(b"<node/>\n\0\0<junk").unwrap(), "<node/>\n");
        let first = |bytes: &[u8]| first_line(read(bytes).unwrap_err());
        assert_eq!(first(b"\0<node/>"), "f:1: Document is empty");
        assert_eq!(first(b"\xef\xbb\xbf\0"), "f:1: Document is empty");
        assert_eq!(
            first(b"<node>\0</node>"),
            "f:1: Premature end of data in tag node line 1"
        );
        assert_eq!(
            first(b"<node><!-- a\0b --></node>"),
            "f:1: Char 0x0 out of allowed range"
        );
        assert_eq!(
            first(b"<node a=\"x\0y\"/>"),
            "f:1: Char 0x0 out of allowed range"
        );
    }

    #[test]
    fn endless_zeros_read_as_an_empty_document() {
        let e = read_document_file(Path::new("/dev/zero"), "/dev/zero").unwrap_err();
        assert_eq!(first_line(e), "/dev/zero:1: Document is empty");
    }
}
