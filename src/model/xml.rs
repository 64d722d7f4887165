//! A small owned element tree read with quick-xml, plus the escaping and
//! indentation helpers every formatter uses.
//!
//! Well-formedness errors are reported the way libvirt relays libxml2's:
//! `URL:LINE: message`, then the offending line and a caret under the
//! position libxml2 would have reached, so scripts see the same text.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::{Error, ErrorCode, ErrorDomain, Result};

/// One element. Whitespace-only text is dropped where libxml2 (with
/// blanks not kept) would drop it, so formatters never see indentation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    /// The qualified name as written (`prefix:local` or `local`).
    pub name: String,
    /// The namespace URI the prefix (or default namespace) resolves to.
    pub ns: Option<String>,
    /// `xmlns` / `xmlns:p` declarations made on this element.
    pub ns_decls: Vec<(Option<String>, String)>,
    /// Attributes in document order, values unescaped and normalised.
    pub attrs: Vec<(String, String)>,
    /// Namespace URIs of the prefixes used by attributes: (prefix, uri).
    pub attr_ns: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Elem(Element),
    Text(String),
    CData(String),
    Comment(String),
}

impl Element {
    pub fn new(name: &str) -> Element {
        Element {
            name: name.to_string(),
            ..Default::default()
        }
    }

    /// The part of the name after the prefix.
    pub fn local(&self) -> &str {
        match self.name.rfind(':') {
            Some(i) => &self.name[i + 1..],
            None => &self.name,
        }
    }

    pub fn prefix(&self) -> Option<&str> {
        self.name.rfind(':').map(|i| &self.name[..i])
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements in document order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Elem(e) => Some(e),
            _ => None,
        })
    }

    /// The first child element with this name and no namespace, like
    /// libvirt's `./name[1]` XPath lookups.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name && e.ns.is_none())
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements()
            .filter(move |e| e.name == name && e.ns.is_none())
    }

    /// Text content: the concatenation of all descendant text, as
    /// libxml2's `xmlNodeGetContent` returns it.
    pub fn text(&self) -> String {
        let mut s = String::new();
        self.collect_text(&mut s);
        s
    }

    fn collect_text(&self, out: &mut String) {
        for n in &self.children {
            match n {
                Node::Text(t) | Node::CData(t) => out.push_str(t),
                Node::Elem(e) => e.collect_text(out),
                Node::Comment(_) => {}
            }
        }
    }

    /// Text of the first child element `name`, if present.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).map(|e| e.text())
    }

    /// The namespace URI an attribute prefix resolved to.
    pub fn attr_ns_uri(&self, prefix: &str) -> Option<String> {
        self.attr_ns
            .iter()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.clone())
    }

    pub fn push_attr(&mut self, k: &str, v: impl Into<String>) {
        self.attrs.push((k.to_string(), v.into()));
    }
}

/// Parses a whole document. `url` names it in error messages, as libvirt
/// does (`(domain_definition)` for strings, the path for files).
pub fn parse_document(src: &str, url: &str) -> Result<Element> {
    parse_document_with(src, url, false)
}

/// Like `parse_document`; `keep_blanks` keeps every whitespace-only text
/// node, as libvirt's parse of a file (the test driver's node file) does,
/// where a string parse drops them.
pub fn parse_document_with(src: &str, url: &str, keep_blanks: bool) -> Result<Element> {
    parse_document_streaming(src, url, keep_blanks, &mut Some)
}

/// Like `parse_document_with`, but hands each child element of the root to
/// `take` as soon as it is complete: what `take` returns stays in the tree,
/// what it keeps (returning `None`) never joins it. A big document is read
/// one child at a time, without holding the whole tree.
pub fn parse_document_streaming(
    src: &str,
    url: &str,
    keep_blanks: bool,
    take: &mut dyn FnMut(Element) -> Option<Element>,
) -> Result<Element> {
    parse_located(src, url, keep_blanks, take).map_err(|(_, _, e)| e)
}

/// The error libxml2 gives for a document, or `None` when it is well formed
/// (the checks virsh makes of XML it received before looking into it).
pub fn check_well_formed(src: &str, url: &str) -> Option<Error> {
    parse_located(src, url, false, &mut |_| None)
        .err()
        .map(|(_, _, e)| e)
}

/// Where a document stops being well formed and libxml2's words for it
/// (without the place), or `None` when it is well formed.
pub(crate) fn first_error(src: &str) -> Option<(usize, String)> {
    parse_located(src, "", false, &mut |_| None)
        .err()
        .map(|(at, why, _)| (at, why))
}

fn parse_located(
    src: &str,
    url: &str,
    keep_blanks: bool,
    take: &mut dyn FnMut(Element) -> Option<Element>,
) -> std::result::Result<Element, (usize, String, Error)> {
    if src.is_empty() {
        let msg = "Document is empty";
        return Err((0, msg.into(), xml_detail_error(url, src, 0, msg)));
    }
    // libxml2 looks for a byte order mark only in a document of four bytes
    // or more; the reader skips one itself, and positions stay those of the
    // whole text, mark included, as in libxml2's messages.
    if src == "\u{feff}" {
        let msg = "Start tag expected, '<' not found";
        return Err((0, msg.into(), xml_detail_error(url, src, 0, msg)));
    }
    let parser = Parser {
        src,
        url,
        keep_blanks,
        failed_at: Default::default(),
    };
    parser.run(take).map_err(|e| {
        let (at, why) = parser.failed_at.take();
        (at, why, e)
    })
}

/// How many elements may be open around another one: libxml2 (without
/// `XML_PARSE_HUGE`) refuses an element inside more than 256 others. Every
/// walk over an element tree recurses at most this deep.
pub const MAX_DEPTH: usize = 256;

/// A namespace declaration: (prefix, URI); no prefix = default namespace.
type NsDecl = (Option<String>, String);

struct Parser<'a> {
    src: &'a str,
    url: &'a str,
    keep_blanks: bool,
    /// The position and the words of the last error made.
    failed_at: Cell<(usize, String)>,
}

/// An open element while reading: the element, where its start tag began,
/// and where its children start on
/// the parser's child stack.
struct Open {
    elem: Element,
    start: usize,
    first_kid: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, pos: usize, msg: impl AsRef<str>) -> Error {
        self.failed_at.set((pos, msg.as_ref().to_string()));
        xml_detail_error(self.url, self.src, pos, msg.as_ref())
    }

    /// libxml2 stops at the `<` of the element one level too deep.
    fn excessive_depth(&self, pos: usize) -> Error {
        self.err(
            pos,
            format!("Excessive depth in document: {MAX_DEPTH} use XML_PARSE_HUGE option"),
        )
    }

    fn line_of(&self, pos: usize) -> usize {
        1 + self.src.as_bytes()[..pos.min(self.src.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    }

    fn run(&self, take: &mut dyn FnMut(Element) -> Option<Element>) -> Result<Element> {
        let src = self.src;
        let bytes = src.as_bytes();
        // The reader gets the text after a byte order mark (it would drop
        // one without counting it); positions here are in the whole text.
        let body = if src.starts_with('\u{feff}') { 3 } else { 0 };
        if src[body..].starts_with('\u{feff}') {
            // A second mark is text before the root (the reader would drop it).
            return Err(self.err(body, "Start tag expected, '<' not found"));
        }
        let mut reader = Reader::from_str(&src[body..]);
        {
            let c = reader.config_mut();
            c.check_end_names = false;
            c.allow_unmatched_ends = true;
            c.expand_empty_elements = false;
            c.trim_text(false);
            c.check_comments = false;
        }
        let mut stack: Vec<Open> = Vec::new();
        // Children of the open elements, innermost last: an element takes
        // its own (from its `first_kid` on) when it closes, into a vector of
        // just their number, rather than growing one of its own.
        let mut kids: Vec<Node> = Vec::new();
        let mut scopes = Scopes::default();
        let mut root: Option<Element> = None;

        loop {
            let before = body + reader.buffer_position() as usize;
            let ev = match reader.read_event() {
                Ok(ev) => ev,
                Err(quick_xml::Error::Syntax(quick_xml::errors::SyntaxError::UnclosedComment))
                    if root.is_some() =>
                {
                    return Err(self.err(src.len(), "Comment not terminated"));
                }
                Err(_) if root.is_some() => {
                    let off = src[before..].find(|c: char| !is_blank(c)).unwrap_or(0);
                    return Err(self.err(before + off, "Extra content at the end of the document"));
                }
                Err(e) => return Err(self.map_reader_error(e, before, &stack)),
            };
            let after = body + reader.buffer_position() as usize;
            match ev {
                Event::Start(ref s) | Event::Empty(ref s) => {
                    let empty = matches!(ev, Event::Empty(_));
                    if root.is_some() {
                        return Err(self.err(before, "Extra content at the end of the document"));
                    }
                    if stack.len() > MAX_DEPTH {
                        return Err(self.excessive_depth(before));
                    }
                    let (mut elem, decls) = self.start_tag(s, before)?;
                    scopes.push(&decls);
                    elem.ns_decls = decls;
                    elem.ns = scopes.resolve(elem.prefix());
                    let mut prefixes_seen = HashSet::new();
                    for (k, _) in &elem.attrs {
                        if let Some(i) = k.find(':') {
                            let p = &k[..i];
                            if let Some(u) = scopes.resolve(Some(p)) {
                                if prefixes_seen.insert(p) {
                                    elem.attr_ns.push((p.to_string(), u));
                                }
                            }
                        }
                    }
                    if empty {
                        scopes.pop(&elem.ns_decls);
                        match stack.len() {
                            0 => root = Some(elem),
                            depth => attach(&mut kids, elem, depth == 1, take),
                        }
                    } else {
                        stack.push(Open {
                            elem,
                            start: before,
                            first_kid: kids.len(),
                        });
                    }
                }
                Event::End(ref e) => {
                    let name = std::str::from_utf8(e.name().into_inner()).unwrap_or("");
                    if root.is_some() || stack.is_empty() {
                        return Err(self.err(before, "Extra content at the end of the document"));
                    }
                    if name.starts_with(|c: char| c.is_ascii_whitespace()) || name.is_empty() {
                        let ws = name.len() - name.trim_start().len();
                        return Err(self.err(before + 2 + ws, "expected '>'"));
                    }
                    let open = stack.pop().expect("checked non-empty");
                    let name = name.trim_end();
                    if name != open.elem.name {
                        return Err(self.err(
                            after,
                            format!(
                                "Opening and ending tag mismatch: {} line {} and {}",
                                open.elem.name,
                                self.line_of(open.start),
                                name
                            ),
                        ));
                    }
                    scopes.pop(&open.elem.ns_decls);
                    let mut elem = open.elem;
                    elem.children = kids.drain(open.first_kid..).collect();
                    match stack.len() {
                        0 => root = Some(elem),
                        depth => attach(&mut kids, elem, depth == 1, take),
                    }
                }
                Event::Text(_) => {
                    let raw = &src[before..after];
                    match stack.last_mut() {
                        None => {
                            if let Some(off) = raw.find(|c: char| !is_blank(c)) {
                                let msg = if root.is_some() {
                                    "Extra content at the end of the document"
                                } else {
                                    "Start tag expected, '<' not found"
                                };
                                return Err(self.err(before + off, msg));
                            }
                        }
                        Some(open) => {
                            // Whitespace-only text (no references) is decided
                            // on before allocating anything.
                            let blank = raw
                                .bytes()
                                .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
                            if blank && !self.keep_blanks {
                                // libxml2 without kept blanks keeps whitespace
                                // only next to other text, or as the sole
                                // content of an element.
                                let siblings = &kids[open.first_kid..];
                                let next_is_end = bytes.get(after) == Some(&b'<')
                                    && bytes.get(after + 1) == Some(&b'/');
                                let keep = (siblings.is_empty() && next_is_end)
                                    || matches!(siblings.last(), Some(Node::Text(_)))
                                    || matches!(siblings.first(), Some(Node::Text(_)));
                                if !keep {
                                    continue;
                                }
                            }
                            let text = unescape(raw, before, self)?;
                            match kids[open.first_kid..].last_mut() {
                                Some(Node::Text(prev)) => prev.push_str(&text),
                                _ => kids.push(Node::Text(text)),
                            }
                        }
                    }
                }
                Event::CData(c) => {
                    let text = String::from_utf8_lossy(&c.into_inner()).into_owned();
                    match stack.last() {
                        Some(_) => kids.push(Node::CData(text)),
                        None => {
                            let msg = if root.is_some() {
                                "Extra content at the end of the document"
                            } else {
                                "Start tag expected, '<' not found"
                            };
                            return Err(self.err(before, msg));
                        }
                    }
                }
                Event::Comment(c) => {
                    if !stack.is_empty() {
                        let text = String::from_utf8_lossy(&c.into_inner()).into_owned();
                        kids.push(Node::Comment(text));
                    }
                }
                Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
                Event::Eof => {
                    if let Some(open) = stack.last() {
                        return Err(self.err(
                            src.len(),
                            format!(
                                "Premature end of data in tag {} line {}",
                                open.elem.name,
                                self.line_of(open.start)
                            ),
                        ));
                    }
                    return match root {
                        Some(r) => Ok(r),
                        None => Err(self.err(src.len(), "Start tag expected, '<' not found")),
                    };
                }
            }
        }
    }

    fn map_reader_error(&self, e: quick_xml::Error, before: usize, stack: &[Open]) -> Error {
        use quick_xml::errors::SyntaxError as S;
        let end = self.src.len();
        match e {
            quick_xml::Error::Syntax(S::UnclosedComment) => self.err(end, "Comment not terminated"),
            quick_xml::Error::Syntax(S::UnclosedCData) => {
                let body = self.src.get(before + 9..).unwrap_or("");
                self.err(end, format!("CData section not finished\n{body}"))
            }
            quick_xml::Error::Syntax(S::UnclosedTag) => {
                let rest = &self.src[before..];
                if rest.starts_with("</") {
                    self.err(end, "expected '>'")
                } else if stack.len() > MAX_DEPTH {
                    self.excessive_depth(before)
                } else {
                    let name: String = rest[1..]
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
                        .collect();
                    self.err(
                        end,
                        format!(
                            "Couldn't find end of Start Tag {} line {}",
                            name,
                            self.line_of(before)
                        ),
                    )
                }
            }
            quick_xml::Error::Syntax(S::UnclosedPIOrXmlDecl) => {
                self.err(end, "ParsePI: PI xml never end ...")
            }
            quick_xml::Error::Syntax(S::UnclosedDoctype) => {
                self.err(end, "DOCTYPE improperly terminated")
            }
            quick_xml::Error::Syntax(S::InvalidBangMarkup) => {
                if stack.is_empty() {
                    self.err(before, "Start tag expected, '<' not found")
                } else {
                    self.err(before + 2, "StartTag: invalid element name")
                }
            }
            other => self.err(before, other.to_string()),
        }
    }

    /// Reads a start tag: name check, attributes, namespace declarations.
    fn start_tag(&self, s: &BytesStart, start: usize) -> Result<(Element, Vec<NsDecl>)> {
        // The reader hands out slices of `src`, which is already UTF-8:
        // take the same bytes from `src` instead of re-validating them.
        let name_len = s.name().into_inner().len();
        let name = self.src.get(start + 1..start + 1 + name_len).unwrap_or("");
        if !valid_name(name) {
            return Err(self.err(start + 1, "StartTag: invalid element name"));
        }
        let attrs_len = s.attributes_raw().len();
        let raw = self
            .src
            .get(start + 1 + name_len..start + 1 + name_len + attrs_len)
            .unwrap_or("");
        let base = start + 1 + name.len();
        let mut elem = Element {
            name: name.to_string(),
            ..Default::default()
        };
        let mut decls = Vec::new();
        // Attribute names so far, once there are many.
        let mut names: HashSet<String> = HashSet::new();
        let b = raw.as_bytes();
        let mut i = 0;
        loop {
            let ws_start = i;
            while i < b.len() && is_blank(b[i] as char) {
                i += 1;
            }
            if i >= b.len() {
                break;
            }
            if i == ws_start {
                return Err(self.err(base + i, "attributes construct error"));
            }
            let name_start = i;
            while i < b.len() && !is_blank(b[i] as char) && b[i] != b'=' {
                i += 1;
            }
            let aname = &raw[name_start..i];
            if !valid_name(aname) {
                return Err(self.err(base + name_start, "attributes construct error"));
            }
            while i < b.len() && is_blank(b[i] as char) {
                i += 1;
            }
            if i >= b.len() || b[i] != b'=' {
                return Err(self.err(
                    base + name_start + aname.len(),
                    format!("Specification mandates value for attribute {aname}"),
                ));
            }
            i += 1;
            while i < b.len() && is_blank(b[i] as char) {
                i += 1;
            }
            let q = b.get(i).copied();
            if q != Some(b'\'') && q != Some(b'"') {
                return Err(self.err(base + i, "AttValue: \" or ' expected"));
            }
            let q = q.expect("checked");
            let vstart = i + 1;
            let Some(len) = b[vstart..].iter().position(|&c| c == q) else {
                return Err(self.err(base + b.len(), "AttValue: ' expected"));
            };
            let vraw = &raw[vstart..vstart + len];
            if let Some(lt) = vraw.find('<') {
                return Err(self.err(
                    base + vstart + lt,
                    "Unescaped '<' not allowed in attributes values",
                ));
            }
            i = vstart + len + 1;
            // Attribute-value normalisation: literal whitespace becomes a space.
            let norm: std::borrow::Cow<str> = if vraw.contains(['\t', '\n', '\r']) {
                vraw.replace("\r\n", " ")
                    .replace(['\t', '\n', '\r'], " ")
                    .into()
            } else {
                vraw.into()
            };
            let value = unescape(&norm, base + vstart, self)?;
            if aname == "xmlns" {
                decls.push((None, value));
                continue;
            }
            if let Some(p) = aname.strip_prefix("xmlns:") {
                decls.push((Some(p.to_string()), value));
                continue;
            }
            // A short list is scanned; a long one is hashed.
            let redefined = if elem.attrs.len() < 16 {
                elem.attrs.iter().any(|(k, _)| k == aname)
            } else {
                if names.is_empty() {
                    names.extend(elem.attrs.iter().map(|(k, _)| k.clone()));
                }
                !names.insert(aname.to_string())
            };
            if redefined {
                return Err(self.err(base + i, format!("Attribute {aname} redefined")));
            }
            elem.attrs.push((aname.to_string(), value));
        }
        Ok((elem, decls))
    }
}

/// Adds a complete element to its parent's children; a child of the root
/// goes through `take` first.
fn attach(
    kids: &mut Vec<Node>,
    elem: Element,
    parent_is_root: bool,
    take: &mut dyn FnMut(Element) -> Option<Element>,
) {
    let elem = if parent_is_root {
        take(elem)
    } else {
        Some(elem)
    };
    if let Some(elem) = elem {
        kids.push(Node::Elem(elem));
    }
}

/// The namespace bindings in scope: for each prefix (`""` for the default
/// namespace, which no prefix can be), the URIs bound to it by the open
/// elements, innermost last.
#[derive(Default)]
struct Scopes(HashMap<String, Vec<String>>);

impl Scopes {
    fn push(&mut self, decls: &[NsDecl]) {
        for (p, u) in decls {
            let key = p.as_deref().unwrap_or("");
            match self.0.get_mut(key) {
                Some(uris) => uris.push(u.clone()),
                None => {
                    self.0.insert(key.to_string(), vec![u.clone()]);
                }
            }
        }
    }

    /// Undoes `push` of the same declarations.
    fn pop(&mut self, decls: &[NsDecl]) {
        for (p, _) in decls {
            if let Some(uris) = self.0.get_mut(p.as_deref().unwrap_or("")) {
                uris.pop();
            }
        }
    }

    fn resolve(&self, prefix: Option<&str>) -> Option<String> {
        if prefix == Some("xml") {
            return Some("http://www.w3.org/XML/1998/namespace".to_string());
        }
        self.0
            .get(prefix.unwrap_or(""))
            .and_then(|uris| uris.last())
            .filter(|u| !u.is_empty())
            .cloned()
    }
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' || c == ':' || !c.is_ascii() => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '.' | '-') || !c.is_ascii())
}

/// Resolves entity and character references, with libxml2's messages.
/// `base` is the byte offset of `raw` in the document.
fn unescape(raw: &str, base: usize, p: &Parser) -> Result<String> {
    if !raw.contains('&') {
        return Ok(if raw.contains('\r') {
            raw.replace("\r\n", "\n")
        } else {
            raw.to_string()
        });
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    let mut off = 0;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after_amp = &rest[i + 1..];
        let pos = base + off + i + 1;
        let name_len = after_amp
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '#' | '_' | '-' | '.' | ':')))
            .unwrap_or(after_amp.len());
        let name = &after_amp[..name_len];
        if name.is_empty() {
            return Err(p.err(pos, "xmlParseEntityRef: no name"));
        }
        if !after_amp[name_len..].starts_with(';') {
            let what = if name.starts_with('#') {
                "xmlParseCharRef: invalid decimal value"
            } else {
                "EntityRef: expecting ';'"
            };
            return Err(p.err(pos + name_len, what));
        }
        let end = pos + name_len + 1;
        if let Some(num) = name.strip_prefix('#') {
            let v = if let Some(h) = num.strip_prefix('x') {
                u32::from_str_radix(h, 16).ok()
            } else {
                num.parse::<u32>().ok()
            };
            match v.and_then(char::from_u32) {
                Some(c) if c != '\0' && (c >= ' ' || matches!(c, '\t' | '\n' | '\r')) => {
                    out.push(c)
                }
                _ => {
                    return Err(p.err(
                        end,
                        format!("xmlParseCharRef: invalid xmlChar value {}", v.unwrap_or(0)),
                    ))
                }
            }
        } else {
            match name {
                "lt" => out.push('<'),
                "gt" => out.push('>'),
                "amp" => out.push('&'),
                "apos" => out.push('\''),
                "quot" => out.push('"'),
                _ => return Err(p.err(end, format!("Entity '{name}' not defined"))),
            }
        }
        let consumed = i + 1 + name_len + 1;
        rest = &rest[consumed..];
        off += consumed;
    }
    out.push_str(rest);
    Ok(out)
}

/// Builds the error libvirt reports for a libxml2 parse failure at byte
/// `pos`: `URL:LINE: msg`, the line's text (or `(null)` when empty), and a
/// caret line of dashes.
pub fn xml_detail_error(url: &str, src: &str, pos: usize, msg: &str) -> Error {
    let b = src.as_bytes();
    let pos = pos.min(b.len());
    let line = 1 + b[..pos].iter().filter(|&&c| c == b'\n').count();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut cur = pos;
    while cur > 0 && matches!(at(cur), b'\n' | b'\r') {
        cur -= 1;
    }
    while cur > 0 && !matches!(at(cur), b'\n' | b'\r') {
        cur -= 1;
    }
    if matches!(at(cur), b'\n' | b'\r') {
        cur += 1;
    }
    let col = pos.saturating_sub(cur);
    let mut end = cur;
    while end < b.len() && !matches!(b[end], b'\n' | b'\r') {
        end += 1;
    }
    let content = String::from_utf8_lossy(&b[cur..end]);
    let mut caret = String::new();
    for &c in b[cur..end].iter().take(col) {
        caret.push(if c == b'\t' { '\t' } else { '-' });
    }
    caret.push('^');
    let content = if content.is_empty() {
        "(null)".into()
    } else {
        content
    };
    Error::raw(
        ErrorCode::XmlDetail,
        ErrorDomain::Xml,
        format!("{url}:{line}: {msg}\n{content}\n{caret}"),
    )
}

// ---------------------------------------------------------------------
// Output helpers

/// Escapes text or a single-quoted attribute value as libvirt's
/// `virBufferEscapeString` does: all five special characters.
pub fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['<', '>', '&', '\'', '"']) {
        return s.into();
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '\'' => o.push_str("&apos;"),
            '"' => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    o.into()
}

/// An indenting output buffer, two spaces per level.
#[derive(Default)]
pub struct Out {
    pub s: String,
    pub indent: usize,
}

impl Out {
    pub fn new(indent: usize) -> Out {
        Out {
            s: String::new(),
            indent,
        }
    }
    pub fn pad(&mut self) {
        for _ in 0..self.indent {
            self.s.push_str("  ");
        }
    }
    /// Writes an indented line (without escaping) and a newline.
    pub fn line(&mut self, text: &str) {
        self.pad();
        self.s.push_str(text);
        self.s.push('\n');
    }
    /// `<name>escaped text</name>`
    pub fn text_elem(&mut self, name: &str, text: &str) {
        self.pad();
        self.s.push('<');
        self.s.push_str(name);
        self.s.push('>');
        self.s.push_str(&esc(text));
        self.s.push_str("</");
        self.s.push_str(name);
        self.s.push_str(">\n");
    }
    /// Opens `<name attrs…` without finishing it.
    pub fn open(&mut self, name: &str) -> Tag<'_> {
        self.pad();
        self.s.push('<');
        self.s.push_str(name);
        Tag {
            out: self,
            name: name.to_string(),
        }
    }
    pub fn close(&mut self, name: &str) {
        self.indent -= 1;
        self.pad();
        self.s.push_str("</");
        self.s.push_str(name);
        self.s.push_str(">\n");
    }
    pub fn push_raw(&mut self, s: &str) {
        self.s.push_str(s);
    }
}

/// A start tag being written; finish it with `empty()`, `start()` or `text()`.
pub struct Tag<'a> {
    out: &'a mut Out,
    name: String,
}

impl<'a> Tag<'a> {
    pub fn attr(self, k: &str, v: &str) -> Tag<'a> {
        self.out.s.push(' ');
        self.out.s.push_str(k);
        self.out.s.push_str("='");
        self.out.s.push_str(&esc(v));
        self.out.s.push('\'');
        self
    }
    pub fn attr_opt(self, k: &str, v: Option<&str>) -> Tag<'a> {
        match v {
            Some(v) => self.attr(k, v),
            None => self,
        }
    }
    pub fn attr_display(self, k: &str, v: impl std::fmt::Display) -> Tag<'a> {
        let v = v.to_string();
        self.attr(k, &v)
    }
    /// `/>`
    pub fn empty(self) {
        self.out.s.push_str("/>\n");
    }
    /// `>` and a newline; children follow one level deeper.
    pub fn start(self) {
        self.out.s.push_str(">\n");
        self.out.indent += 1;
    }
    /// `>text</name>`
    pub fn text(self, t: &str) {
        self.out.s.push('>');
        self.out.s.push_str(&esc(t));
        self.out.s.push_str("</");
        self.out.s.push_str(&self.name);
        self.out.s.push_str(">\n");
    }
}

// ---------------------------------------------------------------------
// libxml2-style serialisation of kept-verbatim subtrees (metadata)

/// libxml2 indents a formatted dump by at most 60 columns (`MAX_INDENT`):
/// thirty levels of two spaces.
const LIBXML_MAX_INDENT_LEVELS: usize = 30;

/// Serialises `e` as libxml2's formatted node dump does: double-quoted
/// attributes, children indented only when the element has no text child.
/// `extra_decls` are namespace declarations to add on this element.
pub fn dump_libxml(
    e: &Element,
    indent: usize,
    extra_decls: &[(Option<String>, String)],
    out: &mut String,
) {
    out.push('<');
    out.push_str(&e.name);
    for (p, u) in e.ns_decls.iter().chain(extra_decls.iter()) {
        match p {
            Some(p) => {
                out.push_str(" xmlns:");
                out.push_str(p);
            }
            None => out.push_str(" xmlns"),
        }
        out.push_str("=\"");
        out.push_str(&esc_libxml_attr(u));
        out.push('"');
    }
    for (k, v) in &e.attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        out.push_str(&esc_libxml_attr(v));
        out.push('"');
    }
    if e.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    let format = !e
        .children
        .iter()
        .any(|n| matches!(n, Node::Text(_) | Node::CData(_)));
    for n in &e.children {
        if format {
            out.push('\n');
            for _ in 0..(indent + 1).min(LIBXML_MAX_INDENT_LEVELS) {
                out.push_str("  ");
            }
        }
        match n {
            Node::Elem(c) => dump_libxml(c, if format { indent + 1 } else { indent }, &[], out),
            Node::Text(t) => out.push_str(&esc_libxml_text(t)),
            Node::CData(t) => {
                out.push_str("<![CDATA[");
                out.push_str(t);
                out.push_str("]]>");
            }
            Node::Comment(t) => {
                out.push_str("<!--");
                out.push_str(t);
                out.push_str("-->");
            }
        }
    }
    if format {
        out.push('\n');
        for _ in 0..indent.min(LIBXML_MAX_INDENT_LEVELS) {
            out.push_str("  ");
        }
    }
    out.push_str("</");
    out.push_str(&e.name);
    out.push('>');
}

fn esc_libxml_text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '\r' => o.push_str("&#13;"),
            c => o.push(c),
        }
    }
    o
}

fn esc_libxml_attr(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\n' => o.push_str("&#10;"),
            '\r' => o.push_str("&#13;"),
            '\t' => o.push_str("&#9;"),
            c if !c.is_ascii() => o.push_str(&format!("&#x{:X};", c as u32)),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perr(s: &str) -> String {
        parse_document(s, "(domain_definition)")
            .unwrap_err()
            .message
    }

    #[test]
    fn parses_tree() {
        let e = parse_document("<a x='1' y=\"&lt;\">\n  <b>t&amp;</b>\n  <c/>\n</a>", "u").unwrap();
        assert_eq!(e.name, "a");
        assert_eq!(e.attr("y"), Some("<"));
        assert_eq!(e.children.len(), 2);
        assert_eq!(e.child_text("b").as_deref(), Some("t&"));
    }

    #[test]
    fn streaming_hands_over_children_of_the_root() {
        let mut taken = Vec::new();
        let root = parse_document_streaming(
            "<r>\n <d n='1'><x>t</x></d>\n <k/>\n <d n='2'/>\n</r>",
            "u",
            true,
            &mut |e| {
                if e.name == "d" {
                    taken.push(e.attr("n").unwrap_or("").to_string());
                    None
                } else {
                    Some(e)
                }
            },
        )
        .unwrap();
        assert_eq!(taken, ["1", "2"]);
        let kept: Vec<&str> = root.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(kept, ["k"]);
        // Only children of the root are offered; the grandchild stayed put.
        let parsed = parse_document("<r><d><x>t</x></d></r>", "u").unwrap();
        assert_eq!(
            parsed.child("d").unwrap().child_text("x").as_deref(),
            Some("t")
        );
        // A malformed rest still fails the document.
        let e = parse_document_streaming("<r><d/><d>", "u", true, &mut |_| None).unwrap_err();
        assert!(e.message.contains("Premature end of data"), "{}", e.message);
    }

    #[test]
    fn children_take_no_more_room_than_they_need() {
        let e = parse_document("<a><b/><c>x</c><d/><e/><f/></a>", "u").unwrap();
        assert_eq!(e.children.capacity(), 5);
        assert_eq!(e.child("c").unwrap().children.capacity(), 1);
    }

    #[test]
    fn namespaces_resolve() {
        let e = parse_document("<a xmlns:t='urn:t'><t:b/><b/></a>", "u").unwrap();
        let kids: Vec<_> = e.elements().collect();
        assert_eq!(kids[0].ns.as_deref(), Some("urn:t"));
        assert_eq!(kids[0].local(), "b");
        assert_eq!(kids[1].ns, None);
    }

    #[test]
    fn libxml_error_texts() {
        assert_eq!(
            perr("<domain type='test'><name>x</name><memory>1</memory><os><type>hvm</type></os></domainx>"),
            "(domain_definition):1: Opening and ending tag mismatch: domain line 1 and domainx\n\
             <domain type='test'><name>x</name><memory>1</memory><os><type>hvm</type></os></domainx>\n\
             ---------------------------------------------------------------------------------------^"
        );
        assert_eq!(
            perr("<domain type='test'><name>x</name><memory>1</memory><os><type>hvm</type></os>\n"),
            "(domain_definition):2: Premature end of data in tag domain line 1\n(null)\n^"
        );
        assert_eq!(
            perr("\n"),
            "(domain_definition):2: Start tag expected, '<' not found\n(null)\n^"
        );
        assert_eq!(
            perr(""),
            "(domain_definition):1: Document is empty\n(null)\n^"
        );
        assert_eq!(
            perr("garbage\n"),
            "(domain_definition):1: Start tag expected, '<' not found\ngarbage\n^"
        );
        assert_eq!(perr("<domain type='test' a='1' a='2'><name>x</name></domain>"),
            "(domain_definition):1: Attribute a redefined\n<domain type='test' a='1' a='2'><name>x</name></domain>\n-------------------------------^");
        assert_eq!(perr("<domain type='test'><name>x&foo;</name></domain>"),
            "(domain_definition):1: Entity 'foo' not defined\n<domain type='test'><name>x&foo;</name></domain>\n--------------------------------^");
        assert_eq!(perr("<domain type='test'><name>x</name></domain><x/>"),
            "(domain_definition):1: Extra content at the end of the document\n<domain type='test'><name>x</name></domain><x/>\n-------------------------------------------^");
        assert_eq!(perr("<domain type=test><name>x</name></domain>"),
            "(domain_definition):1: AttValue: \" or ' expected\n<domain type=test><name>x</name></domain>\n-------------^");
        assert_eq!(
            perr("<domain type='test'>\n  <name>x</name>\n</domain>\n  <junk"),
            "(domain_definition):4: Extra content at the end of the document\n  <junk\n--^"
        );
        assert_eq!(perr("<domain type='test' a><name>x</name></domain>"),
            "(domain_definition):1: Specification mandates value for attribute a\n<domain type='test' a><name>x</name></domain>\n---------------------^");
        assert_eq!(perr("<domain type='test'><1a/></domain>"),
            "(domain_definition):1: StartTag: invalid element name\n<domain type='test'><1a/></domain>\n---------------------^");
        assert_eq!(perr("<domain type='test'><name>a & b</name></domain>"),
            "(domain_definition):1: xmlParseEntityRef: no name\n<domain type='test'><name>a & b</name></domain>\n-----------------------------^");
        assert_eq!(perr("<domain type='test'><name a='<'>a</name></domain>"),
            "(domain_definition):1: Unescaped '<' not allowed in attributes values\n<domain type='test'><name a='<'>a</name></domain>\n-----------------------------^");
        assert_eq!(perr("<domain type='test'><name>x</name></domain></domain>"),
            "(domain_definition):1: Extra content at the end of the document\n<domain type='test'><name>x</name></domain></domain>\n-------------------------------------------^");
        assert_eq!(
            perr("<domain type='test'\n"),
            "(domain_definition):2: Couldn't find end of Start Tag domain line 1\n(null)\n^"
        );
        assert_eq!(
            perr("<domain type='test'><name>x</name><!-- c\n"),
            "(domain_definition):2: Comment not terminated\n(null)\n^"
        );
        assert_eq!(perr("<domain type='test'><name>&#0;</name></domain>"),
            "(domain_definition):1: xmlParseCharRef: invalid xmlChar value 0\n<domain type='test'><name>&#0;</name></domain>\n------------------------------^");
        assert_eq!(perr("<domain type='test'><name>x</name></ domain>"),
            "(domain_definition):1: expected '>'\n<domain type='test'><name>x</name></ domain>\n-------------------------------------^");
    }

    #[test]
    fn refuses_elements_nested_deeper_than_libxml2_allows() {
        let nested = |n: usize| format!("<r>{}{}</r>", "<a>".repeat(n), "</a>".repeat(n));
        // The root and 256 more open elements are fine.
        assert!(parse_document(&nested(256), "u").is_ok());
        let msg = perr(&nested(257));
        let (head, rest) = msg.split_once('\n').unwrap();
        assert_eq!(
            head,
            "(domain_definition):1: Excessive depth in document: 256 use XML_PARSE_HUGE option"
        );
        // The caret stands under the `<` of the element one too deep.
        let caret = rest.split('\n').nth(1).unwrap();
        assert_eq!(caret.len(), 3 + 3 * 256 + 1);
        // Empty elements and unfinished start tags count alike.
        let empty = format!("<r>{}<b/>{}</r>", "<a>".repeat(256), "</a>".repeat(256));
        assert!(perr(&empty).contains("Excessive depth"));
        let open = format!("<r>{}<b", "<a>".repeat(256));
        assert!(perr(&open).contains("Excessive depth"));
        // A million levels cost no stack: the reader stops at the limit.
        assert!(perr(&nested(1_000_000)).contains("Excessive depth"));
    }

    #[test]
    fn byte_order_marks_as_libxml2_reads_them() {
        assert!(parse_document("\u{feff}<a/>", "u").is_ok());
        // A mark alone is too short for libxml2 to recognise.
        assert_eq!(
            perr("\u{feff}"),
            "(domain_definition):1: Start tag expected, '<' not found\n\u{feff}\n^"
        );
        assert_eq!(
            perr("\u{feff}\n"),
            "(domain_definition):2: Start tag expected, '<' not found\n(null)\n^"
        );
        // Positions count the mark's three bytes.
        assert_eq!(
            perr("\u{feff}\u{feff}<a/>"),
            "(domain_definition):1: Start tag expected, '<' not found\n\u{feff}\u{feff}<a/>\n---^"
        );
        assert_eq!(
            perr("\u{feff}<a></b>"),
            "(domain_definition):1: Opening and ending tag mismatch: a line 1 and b\n\u{feff}<a></b>\n----------^"
        );
        // Anywhere else a mark is a character like any other.
        assert_eq!(
            parse_document("<a>\u{feff}</a>", "u").unwrap().text(),
            "\u{feff}"
        );
    }

    #[test]
    fn never_panics_on_junk() {
        let samples = [
            "",
            "<",
            "<>",
            "</>",
            "<a",
            "<a b",
            "<a b=",
            "<a b='",
            "<a/><",
            "<!",
            "<!-",
            "<![CDATA[",
            "<?",
            "<?xml",
            "&",
            "<a>&",
            "<a>&#",
            "<a>&#x;</a>",
            "<a>&#99999999999;</a>",
            "<a:b:c/>",
            "<a xmlns:=''/>",
            "\u{feff}<a/>",
            "<a>\u{0}</a>",
            "<a></b></a>",
            "<a><b></a>",
        ];
        for s in samples {
            let _ = parse_document(s, "x");
        }
    }

    #[test]
    fn libxml_dump_matches_libvirt_metadata() {
        let e = parse_document(
            "<m><app:a xmlns:app='http://a/' y='q &quot;x&quot; \u{e9}'>v&amp;l &gt;</app:a><app:c xmlns:app='http://a/'> <app:d/>t </app:c></m>",
            "u",
        )
        .unwrap();
        let mut s = String::new();
        dump_libxml(&e, 1, &[], &mut s);
        assert_eq!(
            s,
            "<m>\n    <app:a xmlns:app=\"http://a/\" y=\"q &quot;x&quot; &#xE9;\">v&amp;l &gt;</app:a>\n    <app:c xmlns:app=\"http://a/\"><app:d/>t </app:c>\n  </m>"
        );
    }
}
