//! The fuzz targets: one per parser of outside input, each a function of the
//! input's bytes that must return (errors are fine) without panicking,
//! overflowing its stack, or taking time or memory out of proportion.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use virtsh::model::backup::{BackupDef, BackupFormatOptions, BackupParseFlags};
use virtsh::model::checkpoint::{CheckpointDef, CheckpointFormatOptions, CheckpointParseFlags};
use virtsh::model::domain::{DomainDef, FormatOptions};
use virtsh::model::snapshot::{SnapshotDef, SnapshotFormatOptions, SnapshotParseFlags};
use virtsh::model::{node, units, xml};

pub struct Target {
    pub name: &'static str,
    pub about: &'static str,
    /// Inputs grow to at most this many bytes.
    pub max_len: usize,
    /// Words the mutator inserts, beyond those taken from the seeds.
    pub words: fn() -> Vec<String>,
    pub run: fn(&[u8]),
}

pub const TARGETS: &[Target] = &[
    Target {
        name: "xml",
        about: "the XML reader: parse (both blank modes), clone, serialise, drop",
        max_len: 64 * 1024,
        words: xml_words,
        run: run_xml,
    },
    Target {
        name: "domain",
        about: "domain XML: parse, format, and the formatted text parsed again",
        max_len: 64 * 1024,
        words: xml_words,
        run: run_domain,
    },
    Target {
        name: "snapshot",
        about: "snapshot XML with every combination of parse flags, then format",
        max_len: 64 * 1024,
        words: xml_words,
        run: run_snapshot,
    },
    Target {
        name: "checkpoint",
        about: "checkpoint XML with every combination of parse flags, then format",
        max_len: 64 * 1024,
        words: xml_words,
        run: run_checkpoint,
    },
    Target {
        name: "backup",
        about: "backup XML, as given and as status XML, then format",
        max_len: 64 * 1024,
        words: xml_words,
        run: run_backup,
    },
    Target {
        name: "node",
        about: "the test driver's node file, loaded from a file beside tests/data's",
        max_len: 64 * 1024,
        words: xml_words,
        run: run_node,
    },
    Target {
        name: "lexer",
        about: "the command-string tokenizer",
        max_len: 16 * 1024,
        words: command_words,
        run: run_lexer,
    },
    Target {
        name: "options",
        about: "the option parser, on each command the tokenizer splits off",
        max_len: 16 * 1024,
        words: command_words,
        run: run_options,
    },
    Target {
        name: "uri",
        about: "connection URIs",
        max_len: 4 * 1024,
        words: uri_words,
        run: run_uri,
    },
    Target {
        name: "units",
        about: "scaled integers, unit suffixes, plain numbers and bitmaps (TEXT, or TEXT NUL UNIT)",
        max_len: 4 * 1024,
        words: unit_words,
        run: run_units,
    },
    Target {
        name: "xpath",
        about: "XPath expressions, evaluated against the default test domain's XML",
        max_len: 8 * 1024,
        words: xpath_words,
        run: run_xpath,
    },
    Target {
        name: "libvirt_conf",
        about: "libvirt.conf: parse, then read uri_default and resolve an alias",
        max_len: 16 * 1024,
        words: conf_words,
        run: run_libvirt_conf,
    },
    Target {
        name: "auth_conf",
        about: "auth.conf key files: parse, then look up groups and keys",
        max_len: 16 * 1024,
        words: conf_words,
        run: run_auth_conf,
    },
    Target {
        name: "command",
        about: "a whole command string (or NUL-separated argv) run against test:///default",
        max_len: 16 * 1024,
        words: command_words,
        run: run_command,
    },
];

/// Not listed: fails on purpose, so the tests can check that each kind of
/// failure is caught and reported.
const SELFTEST: Target = Target {
    name: "selftest",
    about: "fails as told: panic, stack, abort, slow, memory",
    max_len: 64,
    words: Vec::new,
    run: run_selftest,
};

pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().chain([&SELFTEST]).find(|t| t.name == name)
}

fn run_selftest(data: &[u8]) {
    fn recurse(n: u64) -> u64 {
        if n == u64::MAX {
            return 0;
        }
        let pad = std::hint::black_box([n; 64]);
        pad[n as usize % 64] + recurse(n + 1)
    }
    match data {
        b"panic" => panic!("planted"),
        b"stack" => {
            std::hint::black_box(recurse(0));
        }
        b"abort" => std::process::abort(),
        b"slow" => std::thread::sleep(std::time::Duration::from_secs(if cfg!(debug_assertions) {
            2
        } else {
            1
        })),
        b"memory" => {
            std::hint::black_box(vec![0u8; 512 << 20]);
        }
        _ => {}
    }
}

/// The repository the fuzz crate belongs to.
pub fn repo_root() -> PathBuf {
    let up = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    up.canonicalize().unwrap_or(up)
}

/// A worker's own directory: a copy of tests/data under `data/`, the working
/// directory of the command target and home of the node target's files.
static SCRATCH: OnceLock<PathBuf> = OnceLock::new();

/// Prepares `scratch` (an empty directory the caller removes) for targets.
pub fn prepare(scratch: &Path) -> std::io::Result<()> {
    copy_tree(&repo_root().join("tests/data"), &scratch.join("data"))?;
    std::fs::create_dir_all(scratch.join("home"))?;
    let _ = SCRATCH.set(scratch.to_path_buf());
    Ok(())
}

fn scratch() -> &'static Path {
    SCRATCH.get().expect("targets::prepare runs first")
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

fn run_xml(data: &[u8]) {
    let src = text(data);
    for keep_blanks in [false, true] {
        if let Ok(root) = xml::parse_document_with(&src, "(fuzz)", keep_blanks) {
            let copy = root.clone();
            let mut out = String::new();
            xml::dump_libxml(&copy, 0, &[], &mut out);
            drop(copy);
            drop(root);
        }
    }
}

fn run_domain(data: &[u8]) {
    if let Ok(def) = DomainDef::parse(&text(data)) {
        let _ = def.format(FormatOptions {
            id: Some(1),
            secure: false,
        });
        if let Err(e) = def.reparsed() {
            panic!(
                "a parsed definition, formatted, does not parse again: {}",
                e.message
            );
        }
    }
}

fn run_snapshot(data: &[u8]) {
    let src = text(data);
    // The default flags, and one other combination chosen by the input.
    let other = data
        .iter()
        .fold(0u8, |a, &b| a.wrapping_mul(31).wrapping_add(b))
        % 32;
    for bits in [0, other] {
        let flags = SnapshotParseFlags {
            redefine: bits & 1 != 0,
            internal: bits & 2 != 0,
            validate: bits & 4 != 0,
            offline: bits & 8 != 0,
            cookie: bits & 16 != 0,
        };
        if let Ok(def) = SnapshotDef::parse_with(&src, flags) {
            let opts = SnapshotFormatOptions {
                secure: true,
                internal: flags.internal,
                current: bits & 1 != 0,
                domain_uuid: None,
            };
            let _ = def.format(&opts);
        }
    }
}

fn run_checkpoint(data: &[u8]) {
    let src = text(data);
    for bits in 0..4u8 {
        let flags = CheckpointParseFlags {
            redefine: bits & 1 != 0,
            skip_validation: bits & 2 != 0,
        };
        if let Ok(def) = CheckpointDef::parse_with(&src, flags) {
            let _ = def.format(CheckpointFormatOptions {
                secure: true,
                no_domain: false,
                size: true,
            });
        }
    }
}

fn run_backup(data: &[u8]) {
    let src = text(data);
    for internal in [false, true] {
        if let Ok(def) = BackupDef::parse_with(&src, BackupParseFlags { internal }) {
            let _ = def.format(BackupFormatOptions { internal });
        }
    }
}

fn run_node(data: &[u8]) {
    // Beside tests/data/node's files, so that `file=` references resolve.
    let path = scratch().join("data/node/fuzz-input.xml");
    if std::fs::write(&path, data).is_ok() {
        let _ = node::load(&path);
    }
}

fn run_lexer(data: &[u8]) {
    let _ = virtsh::shell::lexer::split_commands(&text(data));
}

fn run_options(data: &[u8]) {
    let src = text(data);
    let commands = match virtsh::shell::lexer::split_commands(&src) {
        Ok(c) => c,
        Err(_) => vec![src.split_whitespace().map(str::to_string).collect()],
    };
    for words in commands.iter().filter(|w| !w.is_empty()) {
        let _ = virtsh::shell::parse::parse_command(words);
    }
}

fn run_uri(data: &[u8]) {
    if let Ok(uri) = virtsh::api::uri::Uri::parse(&text(data)) {
        let _ = uri.is_remote();
        let _ = uri.param("socket");
    }
}

fn run_libvirt_conf(data: &[u8]) {
    use virtsh::api::config::Config;
    if let Ok(config) = Config::parse("(fuzz)", data) {
        let _ = config.string("uri_default");
        let _ = config.string_list("uri_aliases");
        let _ = config.resolve_alias("hail");
    }
}

fn run_auth_conf(data: &[u8]) {
    if let Some(file) = virtsh::api::auth::KeyFile::parse(&text(data)) {
        let _ = file.has_group("auth-libvirt-localhost");
        let _ = file.get("credentials-test", "username");
    }
}

fn run_units(data: &[u8]) {
    let src = text(data);
    let (number, unit) = match src.split_once('\0') {
        Some((n, u)) => (n, Some(u)),
        None => (&*src, None),
    };
    let _ = units::parse_scaled(number, 1);
    let _ = units::parse_scaled(number, 1024);
    let _ = units::scale(unit.unwrap_or(number), 1024);
    let _ = units::parse_u64(number);
    let _ = units::parse_u64_auto(number);
    let _ = units::parse_i64(number);
    let _ = units::scaled_kib(number, unit, "./memory[1]", units::MAX_MEMORY_KIB);
    if let Ok(bits) = units::parse_bitmap(number, 4096) {
        let _ = units::format_bitmap(&bits);
    }
}

/// The default test domain's XML, as `dumpxml test` prints it.
fn default_domain_xml() -> &'static str {
    static XML: OnceLock<String> = OnceLock::new();
    XML.get_or_init(|| {
        let conn = virtsh::api::open(Some("test:///default"), 0).expect("test:///default opens");
        let dom = conn
            .domain_lookup_by_name("test")
            .expect("the default domain exists");
        conn.domain_get_xml_desc(&dom, 0).expect("its XML")
    })
}

fn run_xpath(data: &[u8]) {
    let expr = text(data);
    let xml = default_domain_xml();
    let _ = virtsh::output::xpath::evaluate(xml, &expr, false);
    if data.len().is_multiple_of(2) {
        let _ = virtsh::output::xpath::select(xml, &expr, true);
    }
}

fn run_command(data: &[u8]) {
    let src = text(data);
    let mut argv = vec!["-c".to_string(), "test:///default".to_string()];
    if src.contains('\0') {
        let words: Vec<String> = src.split('\0').map(str::to_string).collect();
        if !words.iter().all(|w| safe_word(w)) {
            return;
        }
        argv.extend(words);
    } else {
        let safe = match virtsh::shell::lexer::split_commands(&src) {
            Ok(commands) => commands.iter().flatten().all(|w| safe_word(w)),
            Err(_) => true,
        };
        if !safe {
            return;
        }
        argv.push(src.into_owned());
    }
    virtsh::shell::run_argv(&argv, false);
    // `cd` moves the process; the next input starts where this one did.
    let _ = std::env::set_current_dir(scratch());
}

/// Whether a word keeps a command inside the worker's directory: commands
/// such as `save` write where they are told, as root on this machine, and
/// reading a device like /dev/kmsg would block. Words naming other places
/// (absolute paths, `..`, node-file URIs) are not run.
fn safe_word(word: &str) -> bool {
    if word.contains("..") {
        return false;
    }
    word.split('=').all(|piece| {
        let path = match piece.split_once("://") {
            Some((_, rest)) => match rest.find('/') {
                Some(i) => &rest[i..],
                None => "",
            },
            None => piece,
        };
        let path = path.split(['?', '#']).next().unwrap_or("");
        !path.starts_with('/') || path == "/default" || path == "/dev/null"
    })
}

fn xml_words() -> Vec<String> {
    [
        "<",
        ">",
        "</",
        "/>",
        "='",
        "=\"",
        "'",
        "\"",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<?xml version='1.0' encoding='UTF-8'?>",
        "<?xml version=\"1.0\"?>",
        "<!DOCTYPE domain>",
        "<!DOCTYPE x [<!ENTITY e 'v'>]>",
        "&amp;",
        "&lt;",
        "&gt;",
        "&quot;",
        "&apos;",
        "&#10;",
        "&#x10FFFF;",
        "&#0;",
        "&#xD800;",
        "&e;",
        "&",
        "xmlns='urn:x'",
        "xmlns:a='urn:a'",
        "a:",
        "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'",
        "<?pi x?>",
        "\u{feff}",
        "unit='",
        "unit='KiB'",
        "unit='é'",
        "file='",
        "file='inc/minimal.xml'",
        "index='40000'",
        "dev='sdzzzzz'",
        "vcpus='0-4095'",
        "<disk type='file' device='disk'><target dev='sda'/></disk>",
        "<controller type='scsi' index='40000'/>",
        "<vcpusched vcpus='0-4095' scheduler='fifo'/>",
        "<domainsnapshot><name>s</name><parent><name>p</name></parent></domainsnapshot>",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn command_words() -> Vec<String> {
    let mut words: Vec<String> = [
        " ",
        ";",
        "\n",
        "'",
        "\"",
        "\\",
        "\\\n",
        "#",
        "--",
        "=",
        "--help",
        "--help=x",
        "-",
        "test",
        "1",
        "6695eb01-f6a4-8304-79aa-97f2502e193f",
        "data/domains/full.xml",
        "data/node/basic.xml",
        "data/snapshot/",
        "data/checkpoint/",
        "data/backup/push.xml",
        "test:///default",
        "1é",
        "1KiB",
        "99999999999999999999",
        "-1",
        "0x10",
        "--all",
        "--json",
        "--xpath",
        "//disk",
        "--wrap",
        "--tree",
        "--name",
        "--current",
        "x",
        "/dev/null",
        "save.img",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for def in virtsh::commands::all() {
        words.push(def.name.to_string());
        for opt in def.options {
            words.push(format!("--{}", opt.name));
        }
    }
    words
}

fn uri_words() -> Vec<String> {
    [
        "test",
        "qemu",
        "lxc",
        "xen",
        "vbox",
        "+ssh",
        "+unix",
        "+tcp",
        "+tls",
        "+libssh2",
        "://",
        ":///",
        ":///default",
        "/system",
        "/session",
        "?",
        "&",
        "=",
        "socket=",
        "no_verify=1",
        "name=",
        "keyfile=",
        "%",
        "%2F",
        "%00",
        "%zz",
        "%e9",
        "@",
        "user@",
        "[::1]",
        "[",
        "]",
        ":",
        ":0",
        ":65535",
        ":65536",
        ":99999999999",
        "localhost",
        "#frag",
        "//",
        "/",
        "é",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn conf_words() -> Vec<String> {
    [
        "uri_default",
        "uri_aliases",
        "=",
        "\"",
        "'",
        "[",
        "]",
        ",",
        "#",
        "\n",
        "\\",
        "\\s",
        "[auth-libvirt-localhost]",
        "[auth-libvirt-default]",
        "[credentials-test]",
        "credentials=test",
        "username=fred",
        "password=123456",
        "0x10",
        "-1",
        "\u{feff}",
    ]
    .iter()
    .map(|w| w.to_string())
    .collect()
}

fn unit_words() -> Vec<String> {
    [
        "b",
        "byte",
        "bytes",
        "k",
        "K",
        "KB",
        "kb",
        "KiB",
        "kib",
        "M",
        "MB",
        "MiB",
        "G",
        "GB",
        "GiB",
        "T",
        "TB",
        "TiB",
        "P",
        "PB",
        "PiB",
        "E",
        "EB",
        "EiB",
        "iB",
        "B",
        "\0",
        "-",
        ",",
        "^",
        " ",
        "+",
        "é",
        "ı",
        "K\u{301}",
        "\u{212a}iB",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn xpath_words() -> Vec<String> {
    let mut words: Vec<String> = [
        "/",
        "//",
        ".",
        "..",
        "@",
        "*",
        "@*",
        "[",
        "]",
        "(",
        ")",
        "|",
        ",",
        "'",
        "\"",
        "$x",
        "::",
        "child::",
        "descendant::",
        "descendant-or-self::",
        "parent::",
        "ancestor::",
        "ancestor-or-self::",
        "following::",
        "following-sibling::",
        "preceding::",
        "preceding-sibling::",
        "attribute::",
        "namespace::",
        "self::",
        "node()",
        "text()",
        "comment()",
        "processing-instruction()",
        "processing-instruction('x')",
        "last()",
        "position()",
        "count(",
        "id(",
        "local-name(",
        "namespace-uri(",
        "name(",
        "string(",
        "concat(",
        "starts-with(",
        "contains(",
        "substring-before(",
        "substring-after(",
        "substring(",
        "string-length(",
        "normalize-space(",
        "translate(",
        "boolean(",
        "not(",
        "true()",
        "false()",
        "lang(",
        "number(",
        "sum(",
        "floor(",
        "ceiling(",
        "round(",
        " and ",
        " or ",
        " div ",
        " mod ",
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "-0",
        "1e9",
        "NaN",
        "0.5",
        "a:b",
        "p:*",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    words.extend(element_words(default_domain_xml()));
    words
}

/// The element and attribute names of an XML text, as words: `<name`,
/// `</name>`, ` attr='`, `name`.
pub fn element_words(src: &str) -> Vec<String> {
    let mut words = std::collections::BTreeSet::new();
    let bytes = src.as_bytes();
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b"_-:.".contains(&b);
    let mut i = 0;
    while i < bytes.len() {
        if is_name(bytes[i]) && (i == 0 || !is_name(bytes[i - 1])) {
            let start = i;
            while i < bytes.len() && is_name(bytes[i]) {
                i += 1;
            }
            let name = &src[start..i];
            if start > 0 && bytes[start - 1] == b'<' {
                words.insert(format!("<{name}"));
                words.insert(format!("</{name}>"));
                words.insert(name.to_string());
            } else if bytes.get(i) == Some(&b'=') && start > 0 && bytes[start - 1] == b' ' {
                words.insert(format!(" {name}='"));
                words.insert(name.to_string());
            }
        } else {
            i += 1;
        }
    }
    words.into_iter().collect()
}
