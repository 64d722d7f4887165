//! Implementations of the API, chosen by URI.

pub mod test;

use std::sync::Arc;

use crate::api::uri::Uri;
use crate::api::{Driver, Error, ErrorCode, ErrorDomain, Result};

/// Opens the driver a URI names. `name` is the URI as the user wrote it.
pub fn open(uri: &Uri, name: &str) -> Result<Arc<dyn Driver>> {
    if uri.is_remote() {
        return Err(Error::new(
            ErrorCode::NoConnect,
            ErrorDomain::None,
            format!("{name}"),
        ));
    }
    match uri.driver.as_str() {
        "test" => test::open(uri, name),
        _ => Err(Error::new(ErrorCode::NoConnect, ErrorDomain::None, name)),
    }
}
