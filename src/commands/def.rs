//! How a command is declared. One declaration drives parsing, `help`, the
//! man page and every completer.

use super::session::Session;
use super::CmdResult;

/// The help groups, in virsh's order, with their `help` keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Domain,
    Monitor,
    Host,
    Checkpoint,
    Snapshot,
    Backup,
    Virsh,
}

impl Group {
    pub const ALL: &'static [Group] = &[
        Group::Domain,
        Group::Monitor,
        Group::Host,
        Group::Checkpoint,
        Group::Snapshot,
        Group::Backup,
        Group::Virsh,
    ];

    /// The groups that have commands, in `help` order.
    pub fn listed() -> impl Iterator<Item = Group> {
        Group::ALL
            .iter()
            .copied()
            .filter(|g| super::all().iter().any(|c| c.group == *g))
    }

    pub fn title(self) -> &'static str {
        match self {
            Group::Domain => "Domain Management",
            Group::Monitor => "Domain Monitoring",
            Group::Host => "Host and Hypervisor",
            Group::Checkpoint => "Checkpoint",
            Group::Snapshot => "Snapshot",
            Group::Backup => "Backup",
            Group::Virsh => "Virsh itself",
        }
    }

    pub fn keyword(self) -> &'static str {
        match self {
            Group::Domain => "domain",
            Group::Monitor => "monitor",
            Group::Host => "host",
            Group::Checkpoint => "checkpoint",
            Group::Snapshot => "snapshot",
            Group::Backup => "backup",
            Group::Virsh => "virsh",
        }
    }
}

/// The kind of value an option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptKind {
    /// A flag: present or not.
    Bool,
    /// A string value.
    String,
    /// An integer value (parsed by the command, which reports bad numbers).
    Number,
    /// Every remaining bare word.
    Argv,
    /// A hidden, older spelling of another option (`target`).
    Alias(&'static str),
    /// A hidden flag that stands for another option given a fixed value
    /// (echo's `--hi` is `--string hello`).
    Preset(&'static str, &'static str),
}

impl OptKind {
    /// Aliases and presets: accepted, never listed.
    pub fn is_hidden(self) -> bool {
        matches!(self, OptKind::Alias(_) | OptKind::Preset(..))
    }
}

/// What a completer offers for an option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Complete {
    Nothing,
    /// Names of the domains a listing with these flags (libvirt's
    /// `VIR_CONNECT_LIST_DOMAINS_*`) returns: the ones the command can act on.
    Domain(u32),
    /// UUIDs of every domain.
    DomainUuid,
    /// Disk targets of the domain named earlier on the line, as a
    /// comma-separated list.
    DiskTarget,
    /// A snapshot of the domain named earlier on the line.
    Snapshot,
    /// A checkpoint of the domain named earlier on the line.
    Checkpoint,
    File,
    Directory,
    Uri,
    Command,
    Choices(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy)]
pub struct OptDef {
    pub name: &'static str,
    pub kind: OptKind,
    pub required: bool,
    /// May be filled by a bare word, in declaration order.
    pub positional: bool,
    pub help: &'static str,
    pub complete: Complete,
}

impl OptDef {
    const fn new(name: &'static str, kind: OptKind, help: &'static str) -> OptDef {
        OptDef {
            name,
            kind,
            required: false,
            positional: false,
            help,
            complete: Complete::Nothing,
        }
    }

    /// A required value given by position (`<domain>`).
    pub const fn data(name: &'static str, help: &'static str) -> OptDef {
        OptDef {
            required: true,
            positional: true,
            ..OptDef::new(name, OptKind::String, help)
        }
    }
    /// A required number given by position (`<size>`).
    pub const fn data_number(name: &'static str, help: &'static str) -> OptDef {
        OptDef {
            required: true,
            positional: true,
            ..OptDef::new(name, OptKind::Number, help)
        }
    }
    /// An optional value that a bare word may also fill (`[--mode <string>]`).
    pub const fn string(name: &'static str, help: &'static str) -> OptDef {
        OptDef {
            positional: true,
            ..OptDef::new(name, OptKind::String, help)
        }
    }
    /// An optional value given only by name (`--xpath <string>`).
    pub const fn named(name: &'static str, help: &'static str) -> OptDef {
        OptDef::new(name, OptKind::String, help)
    }
    /// An optional number given only by name (`--period <number>`).
    pub const fn named_number(name: &'static str, help: &'static str) -> OptDef {
        OptDef::new(name, OptKind::Number, help)
    }
    pub const fn flag(name: &'static str, help: &'static str) -> OptDef {
        OptDef::new(name, OptKind::Bool, help)
    }
    /// All remaining words (`[<string>]...`).
    pub const fn argv(name: &'static str, help: &'static str) -> OptDef {
        OptDef {
            positional: true,
            ..OptDef::new(name, OptKind::Argv, help)
        }
    }
    pub const fn alias(name: &'static str, target: &'static str) -> OptDef {
        OptDef::new(name, OptKind::Alias(target), "")
    }
    pub const fn preset(name: &'static str, target: &'static str, value: &'static str) -> OptDef {
        OptDef::new(name, OptKind::Preset(target, value), "")
    }
    pub const fn completes(self, complete: Complete) -> OptDef {
        OptDef { complete, ..self }
    }

    /// The common `<domain>` argument.
    pub const DOMAIN: OptDef =
        OptDef::data("domain", "domain name, id or uuid").completes(Complete::Domain(0));

    /// `<domain>`, completing only the domains a listing with `flags` returns.
    pub const fn domain_where(flags: u32) -> OptDef {
        OptDef::DOMAIN.completes(Complete::Domain(flags))
    }
}

pub type RunFn = fn(&mut Session, &super::Args) -> CmdResult;

pub struct CommandDef {
    pub name: &'static str,
    pub group: Group,
    /// One line for `help` listings.
    pub summary: &'static str,
    /// A sentence or two for `help COMMAND`.
    pub description: &'static str,
    pub options: &'static [OptDef],
    /// Commands that never touch the hypervisor do not open the connection.
    pub needs_connection: bool,
    pub run: RunFn,
}

impl CommandDef {
    pub fn option(&self, name: &str) -> Option<&OptDef> {
        self.options.iter().find(|o| o.name == name)
    }
}
