//! Implementations of the API, chosen by URI.

pub mod test;

use std::sync::Arc;

use crate::api::uri::Uri;
use crate::api::{Driver, Error, ErrorCode, ErrorDomain, Result};

/// The local daemon's socket, which libvirt's remote driver tries for any
/// URI no embedded driver claims.
const DAEMON_SOCKET: &str = "/var/run/libvirt/libvirt-sock";

/// Opens the driver a URI names. `name` is the URI as the user wrote it.
pub fn open(uri: &Uri, name: &str) -> Result<Arc<dyn Driver>> {
    if !uri.is_remote() && uri.driver == "test" {
        return test::open(uri, name);
    }
    Err(remote_unavailable(uri, name))
}

/// What a URI for a daemon gets until the remote driver exists: the same
/// socket error virsh reports when no daemon listens, or "no driver" when one does.
fn remote_unavailable(uri: &Uri, name: &str) -> Error {
    let socket = match uri.param("socket") {
        Some(s) if uri.host.is_none() => s.to_string(),
        _ => DAEMON_SOCKET.to_string(),
    };
    match std::os::unix::net::UnixStream::connect(&socket) {
        Err(e) if uri.host.is_none() => Error::system(format!(
            "Failed to connect socket to '{socket}': {}",
            crate::output::os_error_text(&e)
        )),
        _ => Error::new(ErrorCode::NoConnect, ErrorDomain::None, name),
    }
}
