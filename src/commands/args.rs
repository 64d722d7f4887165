//! A parsed command's option values, read by name.

use super::CmdError;

#[derive(Debug, Default, Clone)]
pub struct Args {
    values: Vec<(&'static str, String)>,
    flags: Vec<&'static str>,
}

impl Args {
    pub fn push(&mut self, name: &'static str, value: String) {
        self.values.push((name, value));
    }
    pub fn set_flag(&mut self, name: &'static str) {
        self.flags.push(name);
    }

    /// Whether a flag (or a valued option) was given.
    pub fn has(&self, name: &str) -> bool {
        self.flags.contains(&name) || self.values.iter().any(|(n, _)| *n == name)
    }

    /// The raw value of an option, empty strings included.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A string option; an empty value is refused as virsh does.
    pub fn get(&self, name: &str) -> Result<Option<&str>, CmdError> {
        match self.raw(name) {
            Some("") => Err(CmdError::msg(format!(
                "Failed to get option '{name}': Option argument is empty"
            ))),
            other => Ok(other),
        }
    }

    /// A required string option (the parser has checked its presence).
    pub fn req(&self, name: &str) -> Result<&str, CmdError> {
        Ok(self.get(name)?.unwrap_or_default())
    }

    /// Every value of a repeated or argv option, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// An integer option; malformed values get virsh's message.
    pub fn int<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, CmdError> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) => parse_int(v).map(Some).ok_or_else(|| {
                CmdError::msg(format!(
                    "Numeric value '{v}' for <{name}> option is malformed or out of range"
                ))
            }),
        }
    }

    /// A scaled integer (`512M`, `2GiB`), in bytes, with `default_unit` for bare numbers.
    pub fn scaled(&self, name: &str, default_unit: u64) -> Result<Option<u64>, CmdError> {
        use crate::model::units::{parse_scaled, ScaledError};
        let Some(v) = self.raw(name) else {
            return Ok(None);
        };
        parse_scaled(v, default_unit).map(Some).map_err(|why| {
            let mut e = CmdError::msg(format!(
                "Scaled numeric value '{v}' for <{name}> option is malformed or out of range"
            ));
            match why {
                ScaledError::Malformed => {}
                ScaledError::UnknownSuffix(s) => e
                    .lines
                    .push(format!("invalid argument: unknown suffix '{s}'")),
                ScaledError::Overflow => e
                    .lines
                    .push(format!("numerical overflow: value too large: {v}")),
            }
            e
        })
    }

    /// Fails when two options that exclude each other were both given.
    pub fn exclusive(&self, a: &str, b: &str) -> Result<(), CmdError> {
        if self.has(a) && self.has(b) {
            return Err(CmdError::msg(format!(
                "Options --{a} and --{b} are mutually exclusive"
            )));
        }
        Ok(())
    }

    /// Fails when `dependent` was given without `required`.
    pub fn requires(&self, dependent: &str, required: &str) -> Result<(), CmdError> {
        if self.has(dependent) && !self.has(required) {
            return Err(CmdError::msg(format!(
                "Option --{required} is required by option --{dependent}"
            )));
        }
        Ok(())
    }

    /// ORs together the flag value of each option given.
    pub fn flags(&self, table: &[(&str, u32)]) -> u32 {
        table
            .iter()
            .filter(|(n, _)| self.has(n))
            .fold(0, |acc, (_, f)| acc | f)
    }
}

/// Parses a base-10 integer as strtol does: optional leading blanks and sign,
/// then digits and nothing else.
fn parse_int<T: std::str::FromStr>(text: &str) -> Option<T> {
    let trimmed = text.trim_start_matches([' ', '\t', '\n']);
    let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    trimmed.strip_prefix('+').unwrap_or(trimmed).parse().ok()
}
