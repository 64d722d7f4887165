//! The test driver: an in-memory hypervisor faithful to libvirt's.

use std::sync::Arc;

use crate::api::uri::Uri;
use crate::api::{Driver, Error, Result};

pub fn open(uri: &Uri, _name: &str) -> Result<Arc<dyn Driver>> {
    let _ = uri;
    Err(Error::invalid_arg("testOpen: supply a path or use test:///default"))
}
