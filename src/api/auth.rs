//! Credentials a driver asks for while a connection opens, as libvirt's
//! `virConnectAuth` has them: the auth file answers first (`LIBVIRT_AUTH_FILE`,
//! else the URI's `authfile` parameter, else `auth.conf` in the user's or the
//! system's libvirt folder), then the client's `Authenticator` (virsh asks on
//! its terminal).

use std::path::PathBuf;

use super::uri::Uri;
use crate::error::{Error, ErrorCode, ErrorDomain, Result};

/// What a driver asks for (`virConnectCredentialType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// A user name, shown as typed.
    AuthName,
    /// A secret, not shown.
    Passphrase,
}

/// One request, with libvirt's prompt (no trailing `: `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub kind: CredentialKind,
    pub prompt: String,
}

/// The client's side of authentication (`virConnectAuthCallbackPtr`).
pub trait Authenticator {
    /// The answer to one request; `None` when none can be had.
    fn answer(&mut self, credential: &Credential) -> Option<String>;
}

/// A user name for `service` on `host` (`virAuthGetUsername`).
pub fn username(
    uri: &Uri,
    auth: Option<&mut (dyn Authenticator + '_)>,
    service: &str,
    host: &str,
) -> Result<String> {
    if let Some(name) = from_auth_file(uri, service, host, "username")? {
        return Ok(name);
    }
    let auth = auth.ok_or_else(missing_credentials)?;
    let request = Credential {
        kind: CredentialKind::AuthName,
        prompt: format!("Enter username for {host}"),
    };
    auth.answer(&request).ok_or_else(|| {
        Error::new(
            ErrorCode::AuthFailed,
            ErrorDomain::Auth,
            "Username request failed",
        )
    })
}

/// `user`'s password for `service` on `host` (`virAuthGetPassword`).
pub fn password(
    uri: &Uri,
    auth: Option<&mut (dyn Authenticator + '_)>,
    service: &str,
    user: &str,
    host: &str,
) -> Result<String> {
    if let Some(secret) = from_auth_file(uri, service, host, "password")? {
        return Ok(secret);
    }
    let auth = auth.ok_or_else(missing_credentials)?;
    let request = Credential {
        kind: CredentialKind::Passphrase,
        prompt: format!("Enter {user}'s password for {host}"),
    };
    auth.answer(&request).ok_or_else(|| {
        Error::new(
            ErrorCode::OperationFailed,
            ErrorDomain::Auth,
            "failed to retrieve user response for authentication callback",
        )
    })
}

fn missing_credentials() -> Error {
    Error::new(
        ErrorCode::InvalidArg,
        ErrorDomain::Auth,
        "Missing authentication credentials",
    )
}

/// The auth file in effect, if any.
fn auth_file(uri: &Uri) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("LIBVIRT_AUTH_FILE") {
        return Some(path.into());
    }
    if let Some((_, path)) = uri.params.iter().find(|(k, _)| k == "authfile") {
        return Some(path.into());
    }
    let user = match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".config"),
    };
    [
        user.join("libvirt/auth.conf"),
        "/etc/libvirt/auth.conf".into(),
    ]
    .into_iter()
    .find(|p| std::fs::File::open(p).is_ok())
}

/// `credname` from the auth file: `[auth-SERVICE-HOST]` (else
/// `[auth-SERVICE-default]`) names a `[credentials-NAME]` group.
fn from_auth_file(uri: &Uri, service: &str, host: &str, credname: &str) -> Result<Option<String>> {
    let Some(path) = auth_file(uri) else {
        return Ok(None);
    };
    // A file that cannot be read or parsed fails without a word of why.
    let unknown = || {
        Error::raw(
            ErrorCode::InternalError,
            ErrorDomain::None,
            "An error occurred, but the cause is unknown",
        )
    };
    // Bounded as virsh bounds the files it reads, so /dev/zero cannot hang us.
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_AUTH_FILE + 1), &mut bytes)
        })
        .map_err(|_| unknown())?;
    if bytes.len() as u64 > MAX_AUTH_FILE {
        return Err(unknown());
    }
    let text = String::from_utf8(bytes).map_err(|_| unknown())?;
    let file = KeyFile::parse(&text).ok_or_else(unknown)?;
    let auth_group = [
        format!("auth-{service}-{host}"),
        format!("auth-{service}-default"),
    ]
    .into_iter()
    .find(|g| file.has_group(g));
    let Some(auth_group) = auth_group else {
        return Ok(None);
    };
    let path = path.display();
    let syntax = |detail: String| Error::new(ErrorCode::ConfSyntax, ErrorDomain::None, detail);
    let Some(name) = file.get(&auth_group, "credentials") else {
        return Err(syntax(format!(
            "Missing item 'credentials' in group '{auth_group}' in '{path}'"
        )));
    };
    let cred_group = format!("credentials-{name}");
    if !file.has_group(&cred_group) {
        return Err(syntax(format!(
            "Missing group '{cred_group}' referenced from group '{auth_group}' in '{path}'"
        )));
    }
    Ok(file.get(&cred_group, credname).map(str::to_string))
}

/// The largest auth file read: the cap virsh puts on the files it reads.
const MAX_AUTH_FILE: u64 = 10 << 20;

/// A GLib key file: `[group]` lines, `key=value` lines, `#` comments.
pub struct KeyFile {
    groups: Vec<(String, Vec<(String, String)>)>,
}

impl KeyFile {
    /// `None` when a line is none of those (or a key comes before any group).
    pub fn parse(text: &str) -> Option<KeyFile> {
        let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for line in text.lines() {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(name) = trimmed.strip_prefix('[') {
                groups.push((name.trim_end().strip_suffix(']')?.to_string(), Vec::new()));
                continue;
            }
            let (key, value) = trimmed.split_once('=')?;
            let (_, entries) = groups.last_mut()?;
            // The key loses its blanks; the value only those it starts with.
            entries.push((key.trim().to_string(), unescape(value.trim_start())));
        }
        Some(KeyFile { groups })
    }

    pub fn has_group(&self, name: &str) -> bool {
        self.groups.iter().any(|(g, _)| g == name)
    }

    /// The last value of `key` in the groups called `group`.
    pub fn get(&self, group: &str, key: &str) -> Option<&str> {
        self.groups
            .iter()
            .filter(|(g, _)| g == group)
            .flat_map(|(_, entries)| entries)
            .rfind(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// GLib's escapes in a value: `\s`, `\n`, `\t`, `\r`, `\\`.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push(' '),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_groups_keys_and_escapes() {
        let file = KeyFile::parse(
            "# comment\n[auth-test-localhost]\n  credentials = lab  \n\n[credentials-lab]\n\
             username=alice\\sb\npassword=x\npassword=y\n",
        )
        .unwrap();
        assert!(file.has_group("auth-test-localhost"));
        assert_eq!(
            file.get("auth-test-localhost", "credentials"),
            Some("lab  ")
        );
        assert_eq!(file.get("credentials-lab", "username"), Some("alice b"));
        assert_eq!(file.get("credentials-lab", "password"), Some("y"));
        assert!(KeyFile::parse("key=before-any-group\n").is_none());
        assert!(KeyFile::parse("[g]\nno pair here\n").is_none());
    }
}
