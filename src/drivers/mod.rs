//! Implementations of the API, chosen by URI.

pub mod test;

use std::path::{Path, PathBuf};

use crate::api::{DriverEntry, Error, ErrorCode, ErrorDomain, OpenRequest};

/// Every driver, in the order they are asked to claim a URI: embedded
/// drivers first, the local daemon for whatever is left (no URI included).
pub const ALL: &[DriverEntry] = &[
    DriverEntry {
        name: "test",
        open: |request| {
            let (uri, name) = request.uri?;
            (!uri.is_remote() && uri.driver == "test").then(|| test::open(uri, name))
        },
    },
    DriverEntry {
        name: "remote",
        open: |request| Some(Err(remote_unavailable(request))),
    },
];

/// Registers every driver with the api, so `api::open` can choose among them.
pub fn register() {
    crate::api::register_drivers(ALL);
}

/// What a URI for a daemon gets until the remote driver exists: the same
/// socket error virsh reports when no daemon listens, or "no driver" when one does.
fn remote_unavailable(request: &OpenRequest) -> Error {
    let socket = daemon_socket(request);
    let host = request.uri.and_then(|(uri, _)| uri.host.as_deref());
    match std::os::unix::net::UnixStream::connect(&socket) {
        Err(e) if host.is_none() => Error::system(format!(
            "Failed to connect socket to '{}': {}",
            socket.display(),
            crate::error::os_error_text(&e)
        )),
        _ => Error::new(
            ErrorCode::NoConnect,
            ErrorDomain::None,
            request.uri.map_or("(null)", |(_, name)| name),
        ),
    }
}

/// The socket libvirt's remote driver connects to: a `socket=` parameter;
/// else, for a user other than root, the session daemon's (for no URI, a
/// `/session` URI or the test driver over a transport); else the system
/// daemon's, read-only when asked.
fn daemon_socket(request: &OpenRequest) -> PathBuf {
    if let Some(socket) = request
        .uri
        .filter(|(uri, _)| uri.host.is_none())
        .and_then(|(uri, _)| uri.param("socket"))
    {
        return PathBuf::from(socket);
    }
    let session = match request.uri {
        None => true,
        Some((uri, _)) => uri.path == "/session" || uri.transport.is_some() && uri.driver == "test",
    };
    // SAFETY: geteuid cannot fail.
    if session && unsafe { libc::geteuid() } != 0 {
        return user_runtime_dir().join("libvirt").join("libvirt-sock");
    }
    let name = if request.read_only {
        "libvirt-sock-ro"
    } else {
        "libvirt-sock"
    };
    Path::new(SYSTEM_SOCKET_DIR).join(name)
}

/// The system daemon's sockets (`$LOCALSTATEDIR/run/libvirt`, as libvirt names it).
const SYSTEM_SOCKET_DIR: &str = "/var/run/libvirt";

/// GLib's user runtime directory, which libvirt's session sockets live in:
/// `$XDG_RUNTIME_DIR`, else the user's cache directory.
fn user_runtime_dir() -> PathBuf {
    let set = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    set("XDG_RUNTIME_DIR")
        .or_else(|| set("XDG_CACHE_HOME"))
        .or_else(|| dirs::home_dir().map(|h| h.join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"))
}
