//! Bounds for inputs virsh has no usable answer to (it hangs, runs out of memory, or
//! prints bytes that are not text): virtsh must end with a clear error or a result,
//! never a panic, a stack overflow or an unbounded read, and print no more than the
//! input calls for. The inputs are generated here; the oracle's own answers to the
//! classes are in `tests/diff/hardening.cases`.
//!
//! Run: `cargo test --test all hardening::`.

use std::fs;
use std::path::Path;
use std::time::Duration;

use crate::harness::{self, Output, Run, Sandbox};

/// Runs virtsh in the sandbox (its working directory), with `stdin` if given.
fn virtsh(sb: &Sandbox, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    harness::run(&Run {
        program: &harness::virtsh_path(),
        args: &args,
        env: &sb.base_env(),
        stdin,
        cwd: &sb.work(),
        // A hang guard, not a speed check.
        timeout: Duration::from_secs(120),
        merge_stderr: false,
    })
}

/// The run ended by itself with `code`: not killed, not a panic (101), not an abort.
fn assert_exit(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.code,
        Some(code),
        "{what}: {}\nstderr: {}",
        out.status_text(),
        String::from_utf8_lossy(&out.stderr[..out.stderr.len().min(2000)])
    );
    assert!(
        !out.stderr_str().contains("panicked"),
        "{what}: {}",
        out.stderr_str()
    );
}

fn domain(name: &str, inner: &str) -> String {
    format!(
        "<domain type='test'><name>{name}</name><memory>1048576</memory><vcpu>4</vcpu>\
         <os><type>hvm</type></os>{inner}</domain>\n"
    )
}

fn write(sb: &Sandbox, file: &str, bytes: impl AsRef<[u8]>) -> String {
    let path = sb.work().join(file);
    fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

#[test]
fn a_million_levels_deep_is_refused_at_the_257th() {
    let sb = Sandbox::new("deep");
    let n = 1_000_000;
    let doc = domain("deep", &format!("{}{}", "<a>".repeat(n), "</a>".repeat(n)));
    let file = write(&sb, "deep.xml", &doc);
    let out = virtsh(
        &sb,
        &["-c", "test:///default", &format!("define {file}")],
        None,
    );
    assert_exit(&out, 1, "define");
    let err = out.stderr_str();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[0],
        format!("error: Failed to define domain from {file}")
    );
    assert_eq!(
        lines[1],
        "error: (domain_definition):1: Excessive depth in document: 256 use XML_PARSE_HUGE option"
    );
    // The caret stands under the `<` of the 258th level.
    let prefix = doc.find("<a>").unwrap();
    assert_eq!(lines[3].len(), prefix + 3 * 256 + 1);
    // The one line of context is the document's single line: nothing more.
    assert!(out.stderr.len() < 2 * doc.len() + 1000);

    // A node file alike, and the domain files it names.
    let node = write(&sb, "node.xml", format!("<node>\n{doc}</node>\n"));
    let out = virtsh(&sb, &["-c", &format!("test://{node}"), "list"], None);
    assert_exit(&out, 1, "node file");
    assert!(out.stderr_str().contains(":2: Excessive depth in document"));
}

#[test]
fn endless_and_oversized_files_are_not_read_to_the_end() {
    let sb = Sandbox::new("endless");
    // A FIFO whose writer never stops: virsh's 10 MiB limit ends the read.
    let fifo = sb.work().join("endless.xml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let Ok(mut f) = fs::OpenOptions::new().write(true).open(&fifo) else {
                return;
            };
            let chunk = vec![b' '; 1 << 16];
            // Ends when the reader closes its end (EPIPE).
            while f.write_all(&chunk).is_ok() {}
        })
    };
    let out = virtsh(&sb, &["-c", "test:///default", "define endless.xml"], None);
    assert_exit(&out, 1, "define from a FIFO");
    assert_eq!(
        out.stderr_str(),
        "error: Failed to read file 'endless.xml': Value too large for defined data type\n"
    );
    writer.join().unwrap();

    // A node file of endless zeros is an empty document.
    let out = virtsh(&sb, &["-c", "test:///dev/zero", "list"], None);
    assert_exit(&out, 1, "node file /dev/zero");
    assert!(out.stderr_str().contains("/dev/zero:1: Document is empty"));
}

#[test]
fn bytes_that_are_not_utf8_fail_as_libxml2_reports_them() {
    let sb = Sandbox::new("encoding");
    let latin1 = write(
        &sb,
        "latin1.xml",
        b"<domain type='test'><name>b\xe9</name><memory>1024</memory></domain>",
    );
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(domain("u", "").encode_utf16().flat_map(u16::to_le_bytes));
    let utf16 = write(&sb, "utf16.xml", utf16);
    for (file, want) in [
        (
            &latin1,
            "error: (domain_definition):1: Input is not proper UTF-8, indicate encoding !\nBytes: 0xE9 0x3C 0x2F 0x6E\n",
        ),
        (
            &utf16,
            "error: (domain_definition):1: Start tag expected, '<' not found\n",
        ),
    ] {
        for cmd in ["define", "create"] {
            let out = virtsh(&sb, &["-c", "test:///default", &format!("{cmd} {file}")], None);
            assert_exit(&out, 1, cmd);
            // The context line shows the bad bytes as U+FFFD where virsh shows them raw.
            let err = out.stderr_str();
            let second = err.split_once('\n').unwrap().1;
            assert!(second.starts_with(want), "{cmd} {file}: {err}");
        }
        let out = virtsh(
            &sb,
            &["-c", "test:///default", &format!("snapshot-create test {file}")],
            None,
        );
        assert_exit(&out, 1, "snapshot-create");
        assert!(out.stderr_str().starts_with("error: (domain_snapshot):1: "));
    }
}

#[test]
fn implicit_controllers_are_bounded() {
    let sb = Sandbox::new("controllers");
    // sdzzzzz would need 1.7 million SCSI controllers; libvirt adds them one at a time.
    let disk = "<devices><disk type='file' device='disk'><source file='/x.img'/>\
                <target dev='sdzzzzz' bus='scsi'/></disk></devices>";
    let file = write(&sb, "sdz.xml", domain("sdz", disk));
    let out = virtsh(
        &sb,
        &["-c", "test:///default", &format!("define {file}")],
        None,
    );
    assert_exit(&out, 1, "define sdzzzzz");
    assert!(
        out.stderr_str()
            .contains("unsupported configuration: a drive address on scsi controller 1765232"),
        "{}",
        out.stderr_str()
    );
    let address = "<devices><disk type='file' device='disk'><source file='/x.img'/>\
                   <target dev='sda' bus='scsi'/>\
                   <address type='drive' controller='4294967295' bus='0' target='0' unit='0'/>\
                   </disk></devices>";
    let file = write(&sb, "addr.xml", domain("addr", address));
    let out = virtsh(
        &sb,
        &["-c", "test:///default", &format!("define {file}")],
        None,
    );
    assert_exit(&out, 1, "define controller 4294967295");
}

#[test]
fn ten_thousand_disks_and_a_hundred_thousand_attributes() {
    let sb = Sandbox::new("many");
    let letters = |mut i: usize| {
        let mut s = Vec::new();
        i += 1;
        while i > 0 {
            i -= 1;
            s.push(b'a' + (i % 26) as u8);
            i /= 26;
        }
        s.reverse();
        String::from_utf8(s).unwrap()
    };
    let disks: String = (0..10_000)
        .rev()
        .map(|i| {
            format!(
                "<disk type='file' device='disk'><source file='/img/{i}.img'/>\
                 <target dev='sd{}' bus='scsi'/></disk>",
                letters(i)
            )
        })
        .collect();
    let file = write(
        &sb,
        "disks.xml",
        domain("disks", &format!("<devices>{disks}</devices>")),
    );
    let out = virtsh(
        &sb,
        &[
            "-c",
            "test:///default",
            &format!("define {file}; dumpxml disks --xpath 'count(//disk)'; dumpxml disks"),
        ],
        None,
    );
    assert_exit(&out, 0, "10,000 disks");
    let text = out.stdout_str();
    // Sorted by target, and one SCSI controller per seven disks.
    let first = text.find("<target dev='sda'").unwrap();
    let second = text.find("<target dev='sdb'").unwrap();
    assert!(first < second);
    assert_eq!(
        text.matches("<controller type='scsi'").count(),
        10_000usize.div_ceil(7)
    );

    let attrs: String = (0..100_000).map(|i| format!(" a{i}='x'")).collect();
    let doc = format!(
        "<domain type='test'{attrs}><name>attrs</name><memory>1024</memory>\
         <os><type>hvm</type></os></domain>"
    );
    let file = write(&sb, "attrs.xml", &doc);
    let out = virtsh(
        &sb,
        &["-c", "test:///default", &format!("define {file}")],
        None,
    );
    assert_exit(&out, 0, "100,000 attributes");
    let doc = doc.replace(" a99999='x'", " a99999='x' a5='y'");
    let file = write(&sb, "dup.xml", &doc);
    let out = virtsh(
        &sb,
        &["-c", "test:///default", &format!("define {file}")],
        None,
    );
    assert_exit(&out, 1, "a redefined attribute");
    assert!(out.stderr_str().contains(": Attribute a5 redefined\n"));
}

/// A node file with one domain and a chain of `n` snapshots.
fn snapshot_chain(sb: &Sandbox, n: usize) -> String {
    let mut s = String::from(
        "<node><domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\
         <name>vm</name><memory>1024</memory><os><type>hvm</type></os>\n",
    );
    for i in 0..n {
        let parent = match i {
            0 => String::new(),
            _ => format!("<parent><name>s{}</name></parent>", i - 1),
        };
        s.push_str(&format!(
            "<test:domainsnapshot><name>s{i}</name><state>shutoff</state>{parent}\
             <creationTime>{}</creationTime><active>0</active></test:domainsnapshot>\n",
            1_600_000_000 + i
        ));
    }
    s.push_str("</domain></node>\n");
    let path = write(sb, "chain.xml", s);
    format!("test://{path}")
}

#[test]
fn a_deep_snapshot_chain_loads_lists_draws_and_deletes() {
    let sb = Sandbox::new("chain");
    let n = 2_000;
    let uri = snapshot_chain(&sb, n);
    let out = virtsh(&sb, &["-q", "-c", &uri, "snapshot-list vm --tree"], None);
    assert_exit(&out, 0, "--tree");
    // A line per snapshot, a `|` line under each parent and one closing line;
    // the deepest line is indented four columns per level.
    assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), 2 * n);
    let last_name = format!("+- s{}\n", n - 1);
    let text = out.stdout_str();
    let at = text.rfind(&last_name).unwrap();
    let indent = at - text[..at].rfind('\n').unwrap() - 1;
    assert_eq!(indent, 4 * (n - 1) - 2);

    let out = virtsh(
        &sb,
        &[
            "-q",
            "-c",
            &uri,
            "snapshot-list vm --name --topological; snapshot-delete vm s1 --children; snapshot-list vm --name",
        ],
        None,
    );
    assert_exit(&out, 0, "delete --children");
    let text = out.stdout_str();
    assert!(text.starts_with("s0\ns1\ns2\n"));
    assert!(
        text.ends_with(&format!("s{}\ns0\n", n - 1)),
        "{}",
        &text[text.len() - 40..]
    );
}

#[test]
fn long_command_strings_and_words() {
    let sb = Sandbox::new("strings");
    // Many commands on one line (an argument may not pass 128 KiB: they go
    // on stdin, which virtsh reads as virsh does, a line a command string).
    let many = format!("{}\n", vec!["echo x"; 100_000].join(";"));
    let out = virtsh(&sb, &["-q", "-c", "test:///default"], Some(many.as_bytes()));
    assert_exit(&out, 0, "100,000 commands");
    // The prompt and the line read, every `x`, and the prompt at the end.
    let prompt = "virtsh # ";
    let want = format!("{prompt}{many}{}{prompt}\n", "x".repeat(100_000));
    assert!(out.stdout == want.as_bytes(), "{} bytes", out.stdout.len());
    // One long quoted word, and one long unquoted word.
    let word = "w".repeat(4 << 20);
    for line in [format!("echo '{word}'\n"), format!("echo {word}\n")] {
        let out = virtsh(&sb, &["-q", "-c", "test:///default"], Some(line.as_bytes()));
        assert_exit(&out, 0, "a 4 MiB word");
        assert_eq!(
            out.stdout.len(),
            prompt.len() * 2 + line.len() + word.len() + 1
        );
    }
    // An unknown command of a megabyte: the hint costs no more than the word.
    let line = format!("{}\n", "q".repeat(1 << 20));
    let out = virtsh(&sb, &["-q", "-c", "test:///default"], Some(line.as_bytes()));
    // The shell reads on after a failed command, and ends well.
    assert_exit(&out, 0, "a 1 MiB command name");
    assert!(out.stderr_str().starts_with("error: unknown command: 'qqq"));
    assert!(out.stderr.len() < (1 << 20) + 1000);
    // Huge numbers and units that are not ASCII.
    let out = virtsh(
        &sb,
        &[
            "-c",
            "test:///default",
            &format!("setmem test {}", "9".repeat(100_000)),
        ],
        None,
    );
    assert_exit(&out, 1, "a 100,000-digit size");
    let out = virtsh(
        &sb,
        &["-c", "test:///default", "setmem test 1\u{1F600}"],
        None,
    );
    assert_exit(&out, 1, "an emoji unit");
}

#[test]
fn node_file_includes_are_read_as_files() {
    let sb = Sandbox::new("include");
    let node = write(
        &sb,
        "node.xml",
        "<node>\n<domain file='/dev/zero'/>\n</node>\n",
    );
    let out = virtsh(&sb, &["-c", &format!("test://{node}"), "list"], None);
    assert_exit(&out, 1, "file='/dev/zero'");
    assert!(out.stderr_str().contains("/dev/zero:1: Document is empty"));
    assert!(Path::new(&node).exists());
}
