//! Saving a running domain to a file and restoring it, and the managed-save
//! image libvirt keeps for a persistent domain (only a flag here).
//!
//! The file holds the live definition behind a small header, as libvirt's
//! test driver writes it: the magic `TestGuestMagic` with its terminating
//! NUL, the XML length as a native-endian 32-bit integer, then the XML.

use std::fs::File;
use std::io::{ErrorKind, Read};

use crate::api::flags::save;
use crate::api::{reason, Domain, DomainState, Error, ErrorCode, ErrorDomain, Result};
use crate::model::domain::{DomainDef, FormatOptions};
use crate::temp_files::{self, Step};

use super::errors::{self, check_flags};
use super::state::State;

const MAGIC: &[u8] = b"TestGuestMagic\0";

/// libvirt refuses to read a saved definition longer than this.
const MAX_XML_LEN: i32 = 8192;

fn xml_modification_unsupported() -> Error {
    Error::new(
        ErrorCode::ArgumentUnsupported,
        ErrorDomain::Test,
        "xml modification unsupported",
    )
}

/// A short read: libvirt reports it with errno's text, "Success" when the
/// file simply ended.
fn short_read(what: &str, path: &str, err: Option<&std::io::Error>) -> Error {
    let why = match err {
        Some(e) => errors::strerror(e),
        None => "Success".to_string(),
    };
    Error::raw(
        ErrorCode::SystemError,
        ErrorDomain::Test,
        format!("{what} in '{path}': {why}"),
    )
}

/// Reads exactly `buf.len()` bytes; `Ok(false)` when the file ends first.
fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<bool> {
    let mut done = 0;
    while done < buf.len() {
        match file.read(&mut buf[done..]) {
            Ok(0) => return Ok(false),
            Ok(n) => done += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn read_exact_or(file: &mut File, buf: &mut [u8], what: &str, path: &str) -> Result<()> {
    match read_full(file, buf) {
        Ok(true) => Ok(()),
        Ok(false) => Err(short_read(what, path, None)),
        Err(e) => Err(short_read(what, path, Some(&e))),
    }
}

/// Reads a save file back into a definition.
fn read_save_file(path: &str) -> Result<DomainDef> {
    let mut file = File::open(path)
        .map_err(|e| errors::system(format!("cannot read domain image '{path}'"), &e))?;
    let mut magic = [0u8; MAGIC.len()];
    read_exact_or(&mut file, &mut magic, "incomplete save header", path)?;
    if magic != MAGIC {
        return Err(errors::internal("mismatched header magic"));
    }
    let mut len = [0u8; 4];
    read_exact_or(&mut file, &mut len, "failed to read metadata length", path)?;
    let len = i32::from_ne_bytes(len);
    if !(1..=MAX_XML_LEN).contains(&len) {
        return Err(errors::internal("length of metadata out of range"));
    }
    let mut xml = vec![0u8; len as usize];
    read_exact_or(&mut file, &mut xml, "incomplete metadata", path)?;
    // libvirt reads the text as a C string: it ends at the first NUL.
    let end = xml.iter().position(|&b| b == 0).unwrap_or(xml.len());
    let text = crate::model::xml_input::string_document(&xml[..end], "(domain_definition)")?;
    DomainDef::parse(&text)
}

fn write_save_file(path: &str, name: &str, xml: &str) -> Result<()> {
    let fail = |what: &str, e: &std::io::Error| {
        errors::system(format!("saving domain '{name}' to '{path}': {what}"), e)
    };
    let len = xml.len() as i32;
    let mut data = Vec::with_capacity(MAGIC.len() + 4 + xml.len());
    data.extend_from_slice(MAGIC);
    data.extend_from_slice(&len.to_ne_bytes());
    data.extend_from_slice(xml.as_bytes());
    // A saved image is there whole or not at all, even if virtsh is killed.
    temp_files::write_file(std::path::Path::new(path), &data, 0o600).map_err(|(step, e)| {
        let what = match step {
            Step::Open => "open failed",
            Step::Write => "write failed",
            Step::Sync => "fsync failed",
        };
        fail(what, &e)
    })
}

/// libvirt's public API refuses RUNNING with PAUSED before any driver runs.
fn check_running_paused_exclusive(flags: u32) -> Result<()> {
    if flags & save::RUNNING != 0 && flags & save::PAUSED != 0 {
        return Err(errors::exclusive_flags(
            "VIR_DOMAIN_SAVE_RUNNING",
            "VIR_DOMAIN_SAVE_PAUSED",
        ));
    }
    Ok(())
}

impl State {
    /// Writes the live definition to `path` and stops the domain (reason
    /// saved; a transient domain goes away).
    pub fn save(&mut self, dom: &Domain, path: &str, dxml: Option<&str>, flags: u32) -> Result<()> {
        check_running_paused_exclusive(flags)?;
        check_flags(flags, 0, "testDomainSaveFlags")?;
        if dxml.is_some() {
            return Err(xml_modification_unsupported());
        }
        let index = self.index_of(dom)?;
        let obj = &self.domains[index];
        if !obj.is_active() {
            return Err(errors::not_running());
        }
        let xml = obj.def().format(FormatOptions {
            id: Some(obj.id),
            secure: true,
        });
        write_save_file(path, obj.name(), &xml)?;
        self.stop(index, reason::SHUTOFF_SAVED);
        Ok(())
    }

    /// Starts the domain a save file describes (reason restored).
    pub fn restore(&mut self, path: &str, dxml: Option<&str>, flags: u32) -> Result<()> {
        check_running_paused_exclusive(flags)?;
        check_flags(flags, 0, "testDomainRestoreFlags")?;
        if dxml.is_some() {
            return Err(xml_modification_unsupported());
        }
        let def = read_save_file(path)?;
        let index = self.add_live(def)?;
        self.start(index, DomainState::Running, reason::RUNNING_RESTORED);
        Ok(())
    }

    /// Stops a persistent domain, remembering that it has an image.
    pub fn managed_save(&mut self, dom: &Domain, flags: u32) -> Result<()> {
        check_running_paused_exclusive(flags)?;
        check_flags(
            flags,
            save::BYPASS_CACHE | save::RUNNING | save::PAUSED,
            "testDomainManagedSave",
        )?;
        let index = self.index_of(dom)?;
        let obj = &self.domains[index];
        if !obj.is_active() {
            return Err(errors::not_running());
        }
        if !obj.is_persistent() {
            return Err(errors::operation_invalid(
                "cannot do managed save for transient domain",
            ));
        }
        self.stop(index, reason::SHUTOFF_SAVED);
        self.domains[index].has_managed_save = true;
        Ok(())
    }

    pub fn managed_save_remove(&mut self, dom: &Domain, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testDomainManagedSaveRemove")?;
        self.get_mut(dom)?.has_managed_save = false;
        Ok(())
    }
}
