//! Implementations of the API, chosen by URI.

pub mod test;

use crate::api::uri::Uri;
use crate::api::{DriverEntry, Error, ErrorCode, ErrorDomain};

/// The local daemon's socket, which libvirt's remote driver tries for any
/// URI no embedded driver claims.
const DAEMON_SOCKET: &str = "/var/run/libvirt/libvirt-sock";

/// Every driver, in the order they are asked to claim a URI: embedded
/// drivers first, the daemon's socket for whatever is left.
pub const ALL: &[DriverEntry] = &[
    DriverEntry {
        name: "test",
        open: |uri, name| (!uri.is_remote() && uri.driver == "test").then(|| test::open(uri, name)),
    },
    DriverEntry {
        name: "remote",
        open: |uri, name| Some(Err(remote_unavailable(uri, name))),
    },
];

/// Registers every driver with the api, so `api::open` can choose among them.
pub fn register() {
    crate::api::register_drivers(ALL);
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
            crate::error::os_error_text(&e)
        )),
        _ => Error::new(ErrorCode::NoConnect, ErrorDomain::None, name),
    }
}
