//! libvirt connection URIs:
//! `driver[+transport]://[user@][host][:port]/[path][?param=value&…]`.

use super::{Error, ErrorCode, ErrorDomain, Result};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Uri {
    /// The hypervisor driver (`test`, `qemu`, …).
    pub driver: String,
    /// The transport after `+` (`unix`, `tcp`, `tls`, `ssh`, `ext`, `libssh2`, `libssh`).
    pub transport: Option<String>,
    pub user: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    /// Path including the leading `/`; empty when absent.
    pub path: String,
    /// Query parameters in order, percent-decoded.
    pub params: Vec<(String, String)>,
}

const TRANSPORTS: &[&str] = &["unix", "tcp", "tls", "ssh", "ext", "libssh2", "libssh"];

fn malformed(uri: &str) -> Error {
    Error::new(
        ErrorCode::InternalError,
        ErrorDomain::Uri,
        format!("Unable to parse URI {uri}"),
    )
}

impl Uri {
    pub fn parse(text: &str) -> Result<Uri> {
        let (scheme, rest) = text.split_once(':').ok_or_else(|| malformed(text))?;
        let scheme_ok = scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if !scheme_ok {
            return Err(malformed(text));
        }
        let (driver, transport) = match scheme.split_once('+') {
            Some((d, t)) => (d.to_string(), Some(t.to_string())),
            None => (scheme.to_string(), None),
        };
        if let Some(t) = &transport {
            if !TRANSPORTS.contains(&t.as_str()) {
                return Err(Error::new(
                    ErrorCode::InvalidArg,
                    ErrorDomain::Remote,
                    "transport in URL not recognised (should be tls|unix|ssh|ext|tcp|libssh2|libssh)",
                ));
            }
        }
        let mut uri = Uri {
            driver,
            transport,
            ..Uri::default()
        };
        let (before_query, query) = match rest.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (rest, None),
        };
        let hier = before_query.split('#').next().unwrap_or("");
        if let Some(after) = hier.strip_prefix("//") {
            let (authority, path) = match after.find('/') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            };
            uri.path = percent_decode(path).ok_or_else(|| malformed(text))?;
            let host_port = match authority.rsplit_once('@') {
                Some((user, hp)) => {
                    uri.user = Some(percent_decode(user).ok_or_else(|| malformed(text))?);
                    hp
                }
                None => authority,
            };
            let (host, port) = split_host_port(host_port).ok_or_else(|| malformed(text))?;
            uri.host = host;
            uri.port = port;
        } else {
            uri.path = percent_decode(hier).ok_or_else(|| malformed(text))?;
        }
        if let Some(q) = query {
            let q = q.split('#').next().unwrap_or("");
            for pair in q.split(['&', ';']).filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let k = percent_decode(&k.replace('+', " ")).ok_or_else(|| malformed(text))?;
                let v = percent_decode(&v.replace('+', " ")).ok_or_else(|| malformed(text))?;
                uri.params.push((k, v));
            }
        }
        Ok(uri)
    }

    /// The value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when the URI names a remote daemon rather than an embedded driver.
    pub fn is_remote(&self) -> bool {
        self.transport.is_some() || self.host.is_some()
    }
}

/// Splits `host[:port]`, accepting `[v6addr]:port`.
fn split_host_port(text: &str) -> Option<(Option<String>, Option<u16>)> {
    if text.is_empty() {
        return Some((None, None));
    }
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        match after {
            "" => (h, None),
            p => (h, Some(p.strip_prefix(':')?)),
        }
    } else {
        match text.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (text, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(p) => Some(p.parse::<u16>().ok()?),
    };
    let host = percent_decode(host)?;
    Some(((!host.is_empty()).then_some(host), port))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_test_uri() {
        let u = Uri::parse("test:///default").unwrap();
        assert_eq!(u.driver, "test");
        assert_eq!(u.path, "/default");
        assert!(u.host.is_none() && !u.is_remote());
    }

    #[test]
    fn remote_uri_with_everything() {
        let u =
            Uri::parse("qemu+ssh://root@host.example:2222/system?keyfile=/k%20x&no_tty=1").unwrap();
        assert_eq!(u.transport.as_deref(), Some("ssh"));
        assert_eq!(u.user.as_deref(), Some("root"));
        assert_eq!(u.host.as_deref(), Some("host.example"));
        assert_eq!(u.port, Some(2222));
        assert_eq!(u.path, "/system");
        assert_eq!(u.param("keyfile"), Some("/k x"));
        assert_eq!(u.param("no_tty"), Some("1"));
        assert!(u.is_remote());
    }

    #[test]
    fn ipv6_host() {
        let u = Uri::parse("test+tcp://[::1]:16509/default").unwrap();
        assert_eq!(u.host.as_deref(), Some("::1"));
        assert_eq!(u.port, Some(16509));
    }

    #[test]
    fn unix_socket_param() {
        let u = Uri::parse("qemu+unix:///system?socket=/run/x.sock").unwrap();
        assert_eq!(u.param("socket"), Some("/run/x.sock"));
        assert!(u.is_remote());
    }

    #[test]
    fn malformed_uris_are_refused() {
        for bad in [
            "http://[fe",
            "no-colon",
            "1abc:///x",
            "test://h:99999/x",
            "test:///%zz",
        ] {
            let e = Uri::parse(bad).unwrap_err();
            assert!(
                e.message.starts_with("internal error: Unable to parse URI"),
                "{bad}: {e}"
            );
        }
        let e = Uri::parse("test+bogus:///default").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArg);
    }
}
