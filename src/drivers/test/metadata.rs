//! A domain's description, title and `<metadata>` elements, on its live
//! definition, its persistent one, or both.

use crate::api::flags::{affect, metadata};
use crate::api::{Domain, Error, ErrorCode, ErrorDomain, Result};
use crate::model::domain::DomainDef;
use crate::model::xml::{dump_libxml, parse_document, Element, Node};

use super::errors::{check_flags, check_live_config_exclusive};
use super::state::State;

fn not_found() -> Error {
    Error::new(
        ErrorCode::NoDomainMetadata,
        ErrorDomain::Domain,
        "Requested metadata element is not present",
    )
}

fn unknown_type(kind: i32) -> Error {
    Error::new(
        ErrorCode::InvalidArg,
        ErrorDomain::Domain,
        format!("unknown metadata type '{kind}'"),
    )
}

/// The public API's rule: an element needs its namespace URI (and, to set
/// it, a prefix); description and title take neither.
fn check_args(
    kind: i32,
    key: Option<&str>,
    uri: Option<&str>,
    setting: bool,
    api: &str,
) -> Result<()> {
    let arg_error = |arg: &str, rule: &str| {
        Error::raw(
            ErrorCode::InvalidArg,
            ErrorDomain::Domain,
            format!("{arg} in {api} must {rule}"),
        )
    };
    if kind == metadata::ELEMENT {
        if setting && key.is_none() {
            return Err(arg_error("key", "not be NULL"));
        }
        if uri.is_none() {
            return Err(arg_error("uri", "not be NULL"));
        }
    } else {
        if key.is_some() {
            return Err(arg_error("key", "be NULL"));
        }
        if uri.is_some() {
            return Err(arg_error("uri", "be NULL"));
        }
    }
    Ok(())
}

impl State {
    pub fn get_metadata(
        &self,
        dom: &Domain,
        kind: i32,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<String> {
        check_live_config_exclusive(flags)?;
        check_args(kind, None, uri, false, "virDomainGetMetadata")?;
        check_flags(
            flags,
            affect::LIVE | affect::CONFIG,
            "testDomainGetMetadata",
        )?;
        let obj = self.get(dom)?;
        let def = obj.def_for(obj.affected(flags)?);
        let value = match kind {
            metadata::DESCRIPTION => def.description.clone(),
            metadata::TITLE => def.title.clone(),
            metadata::ELEMENT => element_text(def, uri.unwrap_or_default()),
            other => return Err(unknown_type(other)),
        };
        value.ok_or_else(not_found)
    }

    /// Sets or removes a description, title (empty or absent text removes
    /// them) or metadata element (absent text removes it). LIVE and CONFIG
    /// together change both definitions.
    pub fn set_metadata(
        &mut self,
        dom: &Domain,
        kind: i32,
        value: Option<&str>,
        key: Option<&str>,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        check_args(kind, key, uri, value.is_some(), "virDomainSetMetadata")?;
        if kind == metadata::TITLE && value.is_some_and(|v| v.contains('\n')) {
            return Err(Error::raw(
                ErrorCode::InvalidArg,
                ErrorDomain::Domain,
                "metadata title can't contain newlines",
            ));
        }
        check_flags(
            flags,
            affect::LIVE | affect::CONFIG,
            "testDomainSetMetadata",
        )?;
        if !(metadata::DESCRIPTION..=metadata::ELEMENT).contains(&kind) {
            return Err(unknown_type(kind));
        }
        let element = match (kind, value) {
            (metadata::ELEMENT, Some(xml)) => Some(namespaced_element(
                xml,
                key.unwrap_or_default(),
                uri.unwrap_or_default(),
            )?),
            _ => None,
        };
        let obj = self.get_mut(dom)?;
        let which = obj.affected(flags)?;
        let text = value.filter(|v| !v.is_empty()).map(str::to_string);
        for def in obj.defs_mut(which) {
            match kind {
                metadata::DESCRIPTION => def.description = text.clone(),
                metadata::TITLE => def.title = text.clone(),
                _ => {
                    let uri = uri.unwrap_or_default();
                    let elements = def.metadata.get_or_insert_with(Vec::new);
                    elements.retain(|e| e.ns.as_deref() != Some(uri));
                    elements.extend(element.clone());
                }
            }
        }
        Ok(())
    }
}

/// Parses a metadata element and puts it, and every descendant without a
/// namespace of its own, into `uri` under `prefix`.
fn namespaced_element(xml: &str, prefix: &str, uri: &str) -> Result<Element> {
    let mut root = parse_document(xml, "(metadata_xml)")?;
    let valid_prefix = prefix
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && prefix
            .chars()
            .all(|c| c.is_alphanumeric() || "_-.".contains(c));
    if !valid_prefix {
        return Err(Error::new(
            ErrorCode::InternalError,
            ErrorDomain::Xml,
            "failed to validate prefix for a new XML namespace",
        ));
    }
    fn inject(e: &mut Element, prefix: &str, uri: &str) {
        if e.ns.is_none() {
            e.ns = Some(uri.to_string());
            e.name = format!("{prefix}:{}", e.name);
        }
        for child in e.children.iter_mut() {
            if let Node::Elem(c) = child {
                inject(c, prefix, uri);
            }
        }
    }
    inject(&mut root, prefix, uri);
    root.ns_decls
        .push((Some(prefix.to_string()), uri.to_string()));
    Ok(root)
}

/// The element in namespace `uri`, printed without that namespace.
fn element_text(def: &DomainDef, uri: &str) -> Option<String> {
    let found = def
        .metadata
        .as_ref()?
        .iter()
        .find(|e| e.ns.as_deref() == Some(uri))?;
    fn strip(e: &mut Element, uri: &str) {
        if e.ns.as_deref() == Some(uri) {
            e.ns = None;
            e.name = e.local().to_string();
        }
        e.ns_decls.retain(|(_, u)| u != uri);
        for child in e.children.iter_mut() {
            if let Node::Elem(c) = child {
                strip(c, uri);
            }
        }
    }
    let mut copy = found.clone();
    strip(&mut copy, uri);
    let mut out = String::new();
    dump_libxml(&copy, 0, &[], &mut out);
    Some(out)
}
