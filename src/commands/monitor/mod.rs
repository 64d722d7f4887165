//! Domain monitoring commands (help keyword `monitor`).

pub mod domblkinfo;
pub mod domblklist;
pub mod domiflist;
pub mod dominfo;
pub mod dommemstat;
pub mod domstate;
pub mod list;

use crate::api::flags::xml;
use crate::api::Domain;
use crate::commands::Session;
use crate::model::domain::DomainDef;

/// The domain's definition as the driver reports it (live, or next-boot with `inactive`).
pub(crate) fn domain_def(
    session: &mut Session,
    dom: &Domain,
    inactive: bool,
) -> Result<DomainDef, crate::commands::CmdError> {
    let flags = if inactive { xml::INACTIVE } else { 0 };
    domain_def_with(session.conn()?, dom, flags)
}

/// The domain's definition with explicit XML flags.
pub(crate) fn domain_def_with(
    conn: &crate::api::Connection,
    dom: &Domain,
    flags: u32,
) -> Result<DomainDef, crate::commands::CmdError> {
    let text = conn.domain_get_xml_desc(dom, flags)?;
    Ok(DomainDef::parse(&text)?)
}
