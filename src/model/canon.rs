//! Canonical pass-through of elements libvirt understands but virtsh does
//! not act on: keep only the attributes and children libvirt knows, in the
//! order libvirt writes them, and drop the rest as libvirt does.
//!
//! Schemas are written in a compact notation, parsed once:
//!
//! ```text
//! name[attr1,attr2]*{child … }
//! ```
//! `*` = the element carries text; `{…}` = its children, in output order;
//! `#name` = a text-only child without attributes; `~name` = a child kept
//! verbatim (any attributes, any children, document order); `@address` =
//! a device address, normalised; a verbatim `~alias` keeps user aliases only.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::domain::address::Address;
use super::xml::{esc, Element, Node, Out};
use crate::error::Result;

#[derive(Debug)]
pub struct Spec {
    pub name: String,
    pub attrs: Vec<String>,
    pub text: bool,
    pub verbatim: bool,
    pub address: bool,
    pub kids: Vec<Spec>,
}

impl Spec {
    /// Parses one schema in the notation above.
    pub fn parse(src: &str) -> Spec {
        let mut p = SpecParser {
            s: src.as_bytes(),
            i: 0,
        };
        let spec = p.spec();
        p.ws();
        assert!(
            p.i == p.s.len(),
            "trailing schema text in {src:?} at {}",
            p.i
        );
        spec
    }

    /// The canonical copy of `e`: known attributes and children only, in
    /// schema order. Text is kept where the schema allows it.
    pub fn canon(&self, e: &Element) -> Result<Element> {
        if self.address {
            return Ok(match Address::parse(e, false)? {
                Some(a) => a.to_element(),
                None => Element::new("address"),
            });
        }
        if self.verbatim {
            return Ok(e.clone());
        }
        let mut out = Element {
            name: e.name.clone(),
            ..Default::default()
        };
        for a in &self.attrs {
            if let Some(v) = e.attr(a) {
                out.attrs.push((a.clone(), v.to_string()));
            }
        }
        let has_elems = e.elements().next().is_some();
        if self.text && (self.kids.is_empty() || !has_elems) {
            let t = e.text();
            if !t.is_empty() {
                out.children.push(Node::Text(t));
            }
            return Ok(out);
        }
        for k in &self.kids {
            for c in e.children_named(&k.name) {
                if k.name == "alias" && !c.attr("name").is_some_and(|n| n.starts_with("ua-")) {
                    continue;
                }
                if k.address && c.attr("type").is_none() {
                    continue;
                }
                out.children.push(Node::Elem(k.canon(c)?));
            }
        }
        Ok(out)
    }

    pub fn kid(&self, name: &str) -> Option<&Spec> {
        self.kids.iter().find(|k| k.name == name)
    }
}

struct SpecParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl SpecParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn ident(&mut self) -> String {
        let st = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b':' | b'.') {
                self.i += 1;
            } else {
                break;
            }
        }
        String::from_utf8_lossy(&self.s[st..self.i]).into_owned()
    }
    fn spec(&mut self) -> Spec {
        self.ws();
        let mut spec = Spec {
            name: String::new(),
            attrs: vec![],
            text: false,
            verbatim: false,
            address: false,
            kids: vec![],
        };
        match self.peek() {
            Some(b'@') => {
                self.i += 1;
                spec.address = true;
                spec.name = self.ident();
                return spec;
            }
            Some(b'#') => {
                self.i += 1;
                spec.text = true;
                spec.name = self.ident();
                return spec;
            }
            Some(b'~') => {
                self.i += 1;
                spec.verbatim = true;
                spec.name = self.ident();
                return spec;
            }
            _ => {}
        }
        spec.name = self.ident();
        assert!(!spec.name.is_empty(), "schema name expected at {}", self.i);
        if self.peek() == Some(b'[') {
            self.i += 1;
            loop {
                self.ws();
                let a = self.ident();
                if !a.is_empty() {
                    spec.attrs.push(a);
                }
                self.ws();
                match self.peek() {
                    Some(b',') => self.i += 1,
                    Some(b']') => {
                        self.i += 1;
                        break;
                    }
                    _ => panic!("bad schema attribute list at {}", self.i),
                }
            }
        }
        if self.peek() == Some(b'*') {
            self.i += 1;
            spec.text = true;
        }
        if self.peek() == Some(b'{') {
            self.i += 1;
            loop {
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    break;
                }
                spec.kids.push(self.spec());
            }
        }
        spec
    }
}

/// The registry of schemas by a key (usually the element name, or
/// `parent/name` where a name is ambiguous).
pub fn spec(key: &str) -> &'static Spec {
    static REG: OnceLock<HashMap<&'static str, Spec>> = OnceLock::new();
    let reg = REG.get_or_init(|| {
        super::schemas::SCHEMAS
            .iter()
            .map(|(k, src)| (*k, Spec::parse(src)))
            .collect()
    });
    reg.get(key)
        .unwrap_or_else(|| panic!("no schema for {key}"))
}

/// Writes an element in libvirt's style: single-quoted attributes, an
/// empty element self-closed, text inline, children indented.
pub fn write(out: &mut Out, e: &Element) {
    out.pad();
    out.s.push('<');
    out.s.push_str(&e.name);
    for (k, v) in &e.attrs {
        out.s.push(' ');
        out.s.push_str(k);
        out.s.push_str("='");
        out.s.push_str(&esc(v));
        out.s.push('\'');
    }
    let has_elems = e.children.iter().any(|n| matches!(n, Node::Elem(_)));
    if e.children.is_empty() {
        out.s.push_str("/>\n");
    } else if !has_elems {
        out.s.push('>');
        for n in &e.children {
            if let Node::Text(t) | Node::CData(t) = n {
                out.s.push_str(&esc(t));
            }
        }
        out.s.push_str("</");
        out.s.push_str(&e.name);
        out.s.push_str(">\n");
    } else {
        out.s.push_str(">\n");
        out.indent += 1;
        for n in &e.children {
            if let Node::Elem(c) = n {
                write(out, c);
            }
        }
        out.close(&e.name);
    }
}

/// Canonicalises every child of `parent` named `name` with schema `key`.
pub fn canon_all(parent: &Element, name: &str, key: &str) -> Result<Vec<Element>> {
    let s = spec(key);
    parent.children_named(name).map(|c| s.canon(c)).collect()
}

/// Canonicalises the first child `name` of `parent`, if any.
pub fn canon_child(parent: &Element, name: &str, key: &str) -> Result<Option<Element>> {
    parent.child(name).map(|c| spec(key).canon(c)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::xml::parse_document;

    #[test]
    fn canonical_order_and_drop() {
        let s = Spec::parse("a[x,y]{#t b[k]{~v} c[z]*}");
        let e = parse_document("<a y='2' q='9' x='1'><c z='3'>hi</c><junk/><b k='1' j='2'><v p='1'><w/></v></b><t>tt</t></a>", "u").unwrap();
        let mut out = Out::new(0);
        write(&mut out, &s.canon(&e).unwrap());
        assert_eq!(
            out.s,
            "<a x='1' y='2'>\n  <t>tt</t>\n  <b k='1'>\n    <v p='1'>\n      <w/>\n    </v>\n  </b>\n  <c z='3'>hi</c>\n</a>\n"
        );
    }

    #[test]
    fn all_schemas_parse() {
        for (k, _) in super::super::schemas::SCHEMAS {
            let _ = spec(k);
        }
    }
}
