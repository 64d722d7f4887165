//! Values that several commands print. A shape written once here is the
//! same JSON wherever it appears (`commands/json.md` documents them).

use std::fmt::Display;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::api::{Domain, DomainState};
use crate::output::render::Render;

/// A domain as its handle names it: `{"id": 1 | null, "name": …, "uuid": …}`
/// (`id` is null while the domain is not running).
#[derive(Debug, Clone, Serialize)]
pub struct DomainRef {
    pub id: Option<i32>,
    pub name: String,
    pub uuid: String,
}

impl From<&Domain> for DomainRef {
    fn from(dom: &Domain) -> DomainRef {
        DomainRef {
            id: dom.is_active().then_some(dom.id),
            name: dom.name.clone(),
            uuid: dom.uuid.to_string(),
        }
    }
}

impl DomainRef {
    /// The id as virsh prints it: `-` for a domain that is not running.
    pub fn id_text(&self) -> String {
        self.id.map_or_else(|| "-".to_string(), |i| i.to_string())
    }
}

/// Which part of a domain's reference `domid`, `domname` and `domuuid` print.
#[derive(Debug, Clone, Copy)]
pub enum DomainPart {
    Id,
    Name,
    Uuid,
}

/// The answer of `domid`/`domname`/`domuuid`: the whole reference in JSON,
/// the part asked for as text.
#[derive(Serialize)]
#[serde(transparent)]
pub struct DomainIdentity {
    pub domain: DomainRef,
    #[serde(skip)]
    pub part: DomainPart,
}

impl Render for DomainIdentity {
    fn text(&self, _quiet: bool) -> String {
        let value = match self.part {
            DomainPart::Id => self.domain.id_text(),
            DomainPart::Name => self.domain.name.clone(),
            DomainPart::Uuid => self.domain.uuid.clone(),
        };
        format!("{value}\n")
    }
}

/// A domain state as JSON names it: one lower-case word (`running`, `shutoff`).
#[derive(Debug, Clone, Copy)]
pub struct StateWord(pub DomainState);

impl Serialize for StateWord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.word())
    }
}

/// A state reason as JSON names it: virsh's words in snake case
/// (`booted`, `from_snapshot`, `i_o_error`).
pub fn reason_word(state: DomainState, reason: i32) -> String {
    state
        .reason_label(reason)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Serialises a KiB amount as bytes (the JSON unit for every size).
pub fn kib_as_bytes<S: Serializer>(kib: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(kib.saturating_mul(1024))
}

/// An XML document: `{"xml": "…"}`; as text the document itself, with a
/// newline added where virsh adds one.
#[derive(Serialize)]
pub struct XmlDocument {
    pub xml: String,
    #[serde(skip)]
    pub add_newline: bool,
}

impl XmlDocument {
    /// A document printed as it is.
    pub fn new(xml: String) -> XmlDocument {
        XmlDocument {
            xml,
            add_newline: false,
        }
    }
    /// A document virsh prints with `%s\n`.
    pub fn line(xml: String) -> XmlDocument {
        XmlDocument {
            xml,
            add_newline: true,
        }
    }
}

impl Render for XmlDocument {
    fn text(&self, _quiet: bool) -> String {
        if self.add_newline {
            format!("{}\n", self.xml)
        } else {
            self.xml.clone()
        }
    }
}

/// A result that is one named value: `{"KEY": VALUE}`; as text the value
/// and a newline (none for [`Single::bare`]).
pub struct Single<T> {
    pub key: &'static str,
    pub value: T,
    pub newline: bool,
}

impl<T: Serialize + Display> Single<T> {
    pub fn line(key: &'static str, value: T) -> Single<T> {
        Single {
            key,
            value,
            newline: true,
        }
    }
    /// Printed without a newline (the separator after the command ends the line).
    pub fn bare(key: &'static str, value: T) -> Single<T> {
        Single {
            key,
            value,
            newline: false,
        }
    }
}

impl<T: Serialize> Serialize for Single<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.key, &self.value)?;
        map.end()
    }
}

impl<T: Serialize + Display> Render for Single<T> {
    fn text(&self, _quiet: bool) -> String {
        if self.newline {
            format!("{}\n", self.value)
        } else {
            self.value.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_in_snake_case() {
        assert_eq!(reason_word(DomainState::Running, 4), "from_snapshot");
        assert_eq!(reason_word(DomainState::Paused, 5), "i_o_error");
        assert_eq!(reason_word(DomainState::Running, 10), "post_copy");
    }

    #[test]
    fn single_value() {
        let v = Single::line("uri", "test:///default");
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"uri":"test:///default"}"#
        );
        assert_eq!(v.text(false), "test:///default\n");
        assert_eq!(Single::bare("text", "a b").text(false), "a b");
    }
}
