//! `--json`: every command that prints data prints one JSON document per
//! command, and its facts equal those of the text virsh prints; commands that
//! act print nothing on success; failures are JSON on stderr with libvirt's
//! numbers. Every command in `virtsh::commands::all()` must appear below,
//! either with a data case or among the actions: a new command without one
//! fails `every_command_is_covered`.
//!
//! Run: `cargo test --test all json::`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::harness::{self, Output, Run, Sandbox};

const URI: &str = "test:///default";

/// A node file from `tests/data/node/` as a test-driver URI.
fn node(file: &str) -> String {
    format!("test://{}/node/{file}", harness::data_dir().display())
}

/// `$DATA` in a command string is `tests/data/`.
fn expand(cmds: &str) -> String {
    cmds.replace("$DATA", &harness::data_dir().display().to_string())
}

fn run_virtsh(args: &[&str], env: &[(&str, &str)]) -> Output {
    run_in(&Sandbox::new("json"), args, env)
}

/// Runs virtsh in a given sandbox (its working directory is the sandbox's).
fn run_in(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut full_env = sandbox.base_env();
    full_env.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let args: Vec<String> = args.iter().map(|a| expand(a)).collect();
    harness::run(&Run {
        program: &harness::virtsh_path(),
        args: &args,
        env: &full_env,
        stdin: None,
        cwd: &sandbox.work(),
        timeout: std::time::Duration::from_secs(30),
        merge_stderr: false,
    })
}

/// Every JSON document `virtsh --json -c URI CMDS` prints; the run must succeed quietly.
fn json_docs(uri: &str, cmds: &str) -> Vec<Value> {
    let out = run_virtsh(&["--json", "-c", uri, cmds], &[]);
    assert_eq!(
        out.code,
        Some(0),
        "--json {cmds}: {}\nstderr: {}",
        out.status_text(),
        out.stderr_str()
    );
    assert_eq!(out.stderr_str(), "", "--json {cmds}: stderr");
    parse_docs(&out.stdout_str())
        .unwrap_or_else(|e| panic!("--json {cmds}: {e}\n{}", out.stdout_str()))
}

fn parse_docs(text: &str) -> Result<Vec<Value>, serde_json::Error> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .collect()
}

/// The one JSON document `CMDS` prints (any other commands in it are actions).
fn json(uri: &str, cmds: &str) -> Value {
    let mut docs = json_docs(uri, cmds);
    assert_eq!(
        docs.len(),
        1,
        "--json {cmds}: expected one document, got {docs:#?}"
    );
    docs.remove(0)
}

/// The text `virtsh -q -c URI CMDS` prints (no headers, no success messages).
fn text(uri: &str, cmds: &str) -> String {
    let out = run_virtsh(&["-q", "-c", uri, cmds], &[]);
    assert_eq!(
        out.code,
        Some(0),
        "{cmds}: {}\nstderr: {}",
        out.status_text(),
        out.stderr_str()
    );
    out.stdout_str()
}

/// The non-empty lines of a text output.
fn lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.trim().is_empty()).collect()
}

/// A `Label:   value` block as label → value.
fn fields(text: &str) -> BTreeMap<String, String> {
    lines(text)
        .iter()
        .filter_map(|l| l.split_once(':'))
        .map(|(label, value)| (label.trim().to_string(), value.trim().to_string()))
        .collect()
}

/// The whitespace-separated cells of a table row.
fn cells(row: &str) -> Vec<&str> {
    row.split_whitespace().collect()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn u(v: &Value) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("not an unsigned integer: {v}"))
}

/// A text cell that is `-` for "none" as JSON has it (`null` or the string).
fn or_dash(v: &Value) -> String {
    v.as_str().map_or_else(|| "-".to_string(), str::to_string)
}

/// virsh's label for a JSON state word.
fn state_label(word: &str) -> &'static str {
    match word {
        "nostate" => "no state",
        "running" => "running",
        "blocked" => "idle",
        "paused" => "paused",
        "shutdown" => "in shutdown",
        "shutoff" => "shut off",
        "crashed" => "crashed",
        "pmsuspended" => "pmsuspended",
        "saved" => "saved",
        other => panic!("unknown state word {other:?}"),
    }
}

/// `N KiB` in bytes.
fn kib_text_bytes(text: &str) -> u64 {
    text.strip_suffix(" KiB")
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("not KiB: {text}"))
        * 1024
}

// --- the data commands --------------------------------------------------

type Case = fn();

/// Every command that prints data, with the check that its JSON says what its text says.
const DATA: &[(&str, Case)] = &[
    ("desc", desc),
    ("domhostname", domhostname),
    ("domid", domid),
    ("domjobinfo", domjobinfo),
    ("domname", domname),
    ("domuuid", domuuid),
    ("dumpxml", dumpxml),
    ("vcpucount", vcpucount),
    ("domblkinfo", domblkinfo),
    ("domblklist", domblklist),
    ("domiflist", domiflist),
    ("dominfo", dominfo),
    ("dommemstat", dommemstat),
    ("domstate", domstate),
    ("list", list),
    ("capabilities", capabilities),
    ("hostname", hostname),
    ("nodeinfo", nodeinfo),
    ("sysinfo", sysinfo),
    ("uri", uri),
    ("version", version),
    ("echo", echo),
    ("help", help),
    ("pwd", pwd),
    ("snapshot-create-as", snapshot_create_as),
    ("snapshot-current", snapshot_current),
    ("snapshot-dumpxml", snapshot_dumpxml),
    ("snapshot-info", snapshot_info),
    ("snapshot-list", snapshot_list),
    ("snapshot-parent", snapshot_parent),
    ("checkpoint-create-as", checkpoint_create_as),
    ("checkpoint-dumpxml", checkpoint_dumpxml),
    ("checkpoint-info", checkpoint_info),
    ("checkpoint-list", checkpoint_list),
    ("checkpoint-parent", checkpoint_parent),
    ("backup-dumpxml", backup_dumpxml),
];

fn desc() {
    for (opt, key) in [("", "description"), ("--title", "title")] {
        assert_eq!(
            json(URI, &format!("desc test {opt}")),
            serde_json::json!({ key: "" })
        );
        let set = format!("desc test {opt} 'a new text'; desc test {opt}");
        assert_eq!(s(&json(URI, &set)[key]), text(URI, &set));
    }
}

fn domhostname() {
    assert_eq!(
        s(&json(URI, "domhostname test")["hostname"]),
        text(URI, "domhostname test").trim_end()
    );
}

fn domid() {
    let running = json(URI, "domid test");
    assert_eq!(
        running["id"].as_i64().unwrap().to_string(),
        text(URI, "domid test").trim_end()
    );
    assert_eq!(s(&running["name"]), "test");
    let stopped = json(URI, "destroy test; domid test");
    assert!(stopped["id"].is_null());
    assert_eq!(text(URI, "destroy test; domid test").trim_end(), "-");
}

fn domjobinfo() {
    // The test driver keeps no jobs: the failure is the JSON document.
    let out = run_virtsh(&["--json", "-c", URI, "domjobinfo test"], &[]);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stdout_str(), "");
    let (code, _) = error_numbers(&out);
    assert_eq!(code, 3, "VIR_ERR_NO_SUPPORT");
}

fn domname() {
    let doc = json(URI, "domname 1");
    assert_eq!(s(&doc["name"]), text(URI, "domname 1").trim_end());
    assert_eq!(u(&doc["id"]), 1);
}

fn domuuid() {
    let doc = json(URI, "domuuid test");
    assert_eq!(s(&doc["uuid"]), text(URI, "domuuid test").trim_end());
}

fn dumpxml() {
    for cmd in [
        "dumpxml test",
        "dumpxml --inactive test",
        "dumpxml test --xpath //disk",
        "dumpxml test --xpath //name --wrap",
    ] {
        assert_eq!(s(&json(URI, cmd)["xml"]), text(URI, cmd), "{cmd}");
    }
}

fn vcpucount() {
    for cmds in ["vcpucount test", "destroy test; vcpucount test"] {
        let doc = json(URI, cmds);
        let mut expected = Vec::new();
        for which in ["maximum", "current"] {
            for place in ["config", "live"] {
                if let Some(n) = doc[which][place].as_u64() {
                    expected.push(format!("{which} {place} {n}"));
                }
            }
        }
        let shown: Vec<String> = lines(&text(URI, cmds))
            .iter()
            .map(|l| cells(l).join(" "))
            .collect();
        assert_eq!(shown, expected, "{cmds}");
    }
    let selected = json(URI, "vcpucount test --maximum --config");
    assert_eq!(
        u(&selected).to_string(),
        text(URI, "vcpucount test --maximum --config").trim_end()
    );
}

fn domblkinfo() {
    let doc = json(URI, "domblkinfo test vda");
    let f = fields(&text(URI, "domblkinfo test vda"));
    for key in ["capacity", "allocation", "physical"] {
        let label = format!("{}{}", key[..1].to_uppercase(), &key[1..]);
        assert_eq!(u(&doc[key]).to_string(), f[&label], "{key}");
    }
    // --human changes only the text.
    assert_eq!(json(URI, "domblkinfo test vda --human"), doc);
    let all = json(URI, "domblkinfo test --all");
    let rows = text(URI, "domblkinfo test --all");
    let rows = lines(&rows);
    assert_eq!(all.as_array().unwrap().len(), rows.len());
    for (disk, row) in all.as_array().unwrap().iter().zip(rows) {
        let shown: Vec<String> = ["target", "capacity", "allocation", "physical"]
            .iter()
            .map(|k| match &disk[*k] {
                Value::Null => "-".to_string(),
                Value::String(t) => t.clone(),
                n => n.to_string(),
            })
            .collect();
        assert_eq!(shown, cells(row));
    }
}

fn domblklist() {
    let cmds = "define $DATA/domains/full.xml; domblklist full --details";
    let doc = json(URI, cmds);
    let out = text(URI, cmds);
    let rows = lines(&out);
    let disks = doc.as_array().unwrap();
    assert_eq!(disks.len(), rows.len());
    for (disk, row) in disks.iter().zip(rows) {
        let shown = [
            s(&disk["type"]).to_string(),
            s(&disk["device"]).to_string(),
            s(&disk["target"]).to_string(),
            or_dash(&disk["source"]),
        ];
        assert_eq!(cells(row), shown);
    }
    // Without --details the JSON is the same.
    assert_eq!(
        json(URI, "define $DATA/domains/full.xml; domblklist full"),
        doc
    );
}

fn domiflist() {
    let cmds = "define $DATA/domains/full.xml; domiflist full";
    let doc = json(URI, cmds);
    let out = text(URI, cmds);
    let rows = lines(&out);
    let nics = doc.as_array().unwrap();
    assert_eq!(nics.len(), rows.len());
    for (nic, row) in nics.iter().zip(rows) {
        let shown = [
            or_dash(&nic["interface"]),
            s(&nic["type"]).to_string(),
            or_dash(&nic["source"]),
            or_dash(&nic["model"]),
            s(&nic["mac"]).to_string(),
        ];
        assert_eq!(cells(row), shown);
    }
}

fn dominfo() {
    check_dominfo(URI, "test");
    check_dominfo(URI, "destroy test; dominfo test");
    for name in [
        "web",
        "db",
        "saved",
        "ephemeral",
        "crashed",
        "sleeper",
        "stopping",
    ] {
        check_dominfo(&node("basic.xml"), name);
    }
    for name in ["relay", "legacy", "plain", "cold"] {
        check_dominfo(&node("tainted.xml"), name);
    }
}

/// `dominfo` of CMDS (a name, or a command string ending with dominfo).
fn check_dominfo(uri: &str, what: &str) {
    let cmds = if what.contains(' ') {
        what.to_string()
    } else {
        format!("dominfo {what}")
    };
    let doc = json(uri, &cmds);
    let f = fields(&text(uri, &cmds));
    let id = doc["id"]
        .as_i64()
        .map_or("-".to_string(), |i| i.to_string());
    assert_eq!(id, f["Id"], "{cmds}");
    assert_eq!(s(&doc["name"]), f["Name"]);
    assert_eq!(s(&doc["uuid"]), f["UUID"]);
    assert_eq!(s(&doc["os_type"]), f["OS Type"]);
    assert_eq!(state_label(s(&doc["state"])), f["State"]);
    assert_eq!(u(&doc["cpus"]).to_string(), f["CPU(s)"]);
    assert!(doc["cpu_time"].is_number());
    match doc["max_memory"].as_u64() {
        Some(bytes) => assert_eq!(bytes, kib_text_bytes(&f["Max memory"])),
        None => assert_eq!(f["Max memory"], "no limit"),
    }
    assert_eq!(u(&doc["used_memory"]), kib_text_bytes(&f["Used memory"]));
    let yes_no = |b: &Value| if b.as_bool().unwrap() { "yes" } else { "no" };
    assert_eq!(yes_no(&doc["persistent"]), f["Persistent"]);
    assert_eq!(
        if doc["autostart"].as_bool().unwrap() {
            "enable"
        } else {
            "disable"
        },
        f["Autostart"]
    );
    assert_eq!(yes_no(&doc["managed_save"]), f["Managed save"]);
    assert_eq!(s(&doc["security"]["model"]), f["Security model"]);
    assert_eq!(s(&doc["security"]["doi"]), f["Security DOI"]);
    if let Some(label) = doc["security"]["label"].as_str() {
        let mode = if doc["security"]["enforcing"].as_bool().unwrap() {
            "enforcing"
        } else {
            "permissive"
        };
        assert_eq!(format!("{label} ({mode})"), f["Security label"]);
    }
    // `Messages:` heads a block of lines indented to the value column.
    let out = text(uri, &cmds);
    let shown: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("Messages:"))
        .take_while(|l| !l.is_empty())
        .map(|l| l[16..].trim_end())
        .collect();
    let messages: Vec<&str> = doc["messages"].as_array().unwrap().iter().map(s).collect();
    assert_eq!(messages, shown, "{cmds}");
}

fn dommemstat() {
    let doc = json(URI, "dommemstat test");
    let out = text(URI, "dommemstat test");
    let stats = doc.as_object().unwrap();
    let shown = lines(&out);
    assert_eq!(stats.len(), shown.len());
    for line in shown {
        let (name, text_value) = line.split_once(' ').unwrap();
        let value = &stats[name];
        let n: u64 = text_value.parse().unwrap();
        match name {
            "major_fault" | "minor_fault" | "hugetlb_pgalloc" | "hugetlb_pgfail" => {
                assert_eq!(u(value), n)
            }
            "last_update" => assert!(s(value).ends_with('Z'), "RFC 3339: {value}"),
            _ => assert_eq!(u(value), n * 1024, "{name} in bytes"),
        }
    }
    // Setting the period is an action.
    assert!(json_docs(URI, "dommemstat test --period 5").is_empty());
}

fn domstate() {
    let uri = node("basic.xml");
    for name in [
        "web", "db", "saved", "crashed", "sleeper", "blocked", "stopping", "nostate",
    ] {
        let doc = json(&uri, &format!("domstate {name}"));
        assert_eq!(
            state_label(s(&doc["state"])),
            text(&uri, &format!("domstate {name}")).trim_end()
        );
        let with_reason = text(&uri, &format!("domstate {name} --reason"));
        let reason = with_reason
            .trim_end()
            .rsplit_once(" (")
            .unwrap()
            .1
            .trim_end_matches(')');
        let word: String = reason
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        assert_eq!(s(&doc["reason"]), word, "{name}");
    }
}

fn list() {
    for uri in [URI.to_string(), node("basic.xml")] {
        let doc = json(&uri, "list --all");
        let names: Vec<&str> = doc
            .as_array()
            .unwrap()
            .iter()
            .map(|d| s(&d["name"]))
            .collect();
        assert_eq!(names, lines(&text(&uri, "list --all --name")));
        let table = text(&uri, "list --all");
        for (entry, row) in doc.as_array().unwrap().iter().zip(lines(&table)) {
            let c = cells(row);
            assert_eq!(
                entry["id"]
                    .as_i64()
                    .map_or("-".to_string(), |i| i.to_string()),
                c[0]
            );
            assert_eq!(s(&entry["name"]), c[1]);
            assert_eq!(state_label(s(&entry["state"])), c[2..].join(" "));
        }
        let uuids: Vec<&str> = doc
            .as_array()
            .unwrap()
            .iter()
            .map(|d| s(&d["uuid"]))
            .collect();
        assert_eq!(uuids, lines(&text(&uri, "list --all --uuid")));
        // The layout options change only the text.
        assert_eq!(json(&uri, "list --all --name"), doc);
    }
}

fn capabilities() {
    assert_eq!(
        format!("{}\n", s(&json(URI, "capabilities")["xml"])),
        text(URI, "capabilities")
    );
}

fn hostname() {
    assert_eq!(
        s(&json(URI, "hostname")["hostname"]),
        text(URI, "hostname").trim_end()
    );
}

fn nodeinfo() {
    let doc = json(URI, "nodeinfo");
    let f = fields(&text(URI, "nodeinfo"));
    assert_eq!(s(&doc["cpu_model"]), f["CPU model"]);
    assert_eq!(u(&doc["cpus"]).to_string(), f["CPU(s)"]);
    assert_eq!(format!("{} MHz", u(&doc["cpu_mhz"])), f["CPU frequency"]);
    assert_eq!(u(&doc["sockets"]).to_string(), f["CPU socket(s)"]);
    assert_eq!(
        u(&doc["cores_per_socket"]).to_string(),
        f["Core(s) per socket"]
    );
    assert_eq!(
        u(&doc["threads_per_core"]).to_string(),
        f["Thread(s) per core"]
    );
    assert_eq!(u(&doc["numa_cells"]).to_string(), f["NUMA cell(s)"]);
    assert_eq!(u(&doc["memory"]), kib_text_bytes(&f["Memory size"]));
}

fn sysinfo() {
    assert_eq!(s(&json(URI, "sysinfo")["xml"]), text(URI, "sysinfo"));
}

fn uri() {
    assert_eq!(s(&json(URI, "uri")["uri"]), text(URI, "uri").trim_end());
}

fn version() {
    for cmd in ["version", "version --daemon"] {
        let doc = json(URI, cmd);
        let f = fields(&text(URI, cmd));
        let first = text(URI, cmd)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        assert_eq!(
            format!(
                "virtsh {} implementing library: libvirt {}",
                s(&doc["virtsh"]),
                s(&doc["libvirt"])
            ),
            first
        );
        assert_eq!(
            format!("built-in {}", s(&doc["libvirt"])),
            f["Using library"]
        );
        let hv = s(&doc["hypervisor"]["type"]);
        assert_eq!(format!("{hv} {}", s(&doc["api"])), f["Using API"]);
        assert_eq!(
            format!("{hv} {}", s(&doc["hypervisor"]["version"])),
            f["Running hypervisor"]
        );
        assert_eq!(
            doc["daemon"].as_str(),
            f.get("Running against daemon").map(String::as_str)
        );
    }
}

fn echo() {
    for cmd in [
        "echo hello world",
        "echo --shell 'a b' c",
        "echo --xml '<a>'",
    ] {
        assert_eq!(s(&json(URI, cmd)["text"]), text(URI, cmd), "{cmd}");
    }
}

fn help() {
    let index = json(URI, "help");
    let listed: Vec<&str> = index["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| {
            g["commands"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| s(&c["name"]))
        })
        .collect();
    let out = text(URI, "help");
    let shown: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("    "))
        .map(|l| cells(l)[0])
        .collect();
    assert_eq!(listed, shown);
    let registered: Vec<&str> = virtsh::commands::all().iter().map(|c| c.name).collect();
    let mut sorted_listed = listed.clone();
    let mut sorted_registered = registered.clone();
    sorted_listed.sort_unstable();
    sorted_registered.sort_unstable();
    assert_eq!(sorted_listed, sorted_registered);

    let group = json(URI, "help monitor");
    assert_eq!(s(&group["keyword"]), "monitor");
    let group_names: Vec<&str> = group["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| s(&c["name"]))
        .collect();
    let out = text(URI, "help monitor");
    let shown: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("    "))
        .map(|l| cells(l)[0])
        .collect();
    assert_eq!(group_names, shown);

    for name in ["dominfo", "list", "undefine", "echo"] {
        let doc = json(URI, &format!("help {name}"));
        let out = text(URI, &format!("help {name}"));
        let mut text_lines = out.lines();
        text_lines.find(|l| l.trim() == "SYNOPSIS");
        assert_eq!(
            s(&doc["synopsis"]),
            text_lines.next().unwrap().trim(),
            "{name}"
        );
        let def = virtsh::commands::find(name).unwrap();
        assert_eq!(s(&doc["summary"]), def.summary);
        let options: Vec<&str> = doc["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| s(&o["name"]))
            .collect();
        for option in &options {
            let shown =
                out.contains(&format!("--{option}")) || out.contains(&format!("<{option}>"));
            assert!(shown, "{name}: option {option} in the text");
        }
        for opt in doc["options"].as_array().unwrap() {
            assert!(["bool", "string", "number", "argv"].contains(&s(&opt["kind"])));
            assert!(opt["required"].is_boolean() && opt["positional"].is_boolean());
        }
    }
}

fn pwd() {
    let sandbox = Sandbox::new("json-pwd");
    let doc = run_in(&sandbox, &["--json", "pwd"], &[]).stdout_str();
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(
        s(&doc["directory"]),
        run_in(&sandbox, &["pwd"], &[]).stdout_str().trim_end()
    );
}

/// The two runs being compared are separate processes, so objects they
/// create may be stamped a second apart.
fn untimed(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find("<creationTime>") {
        let (head, tail) = rest.split_at(at + "<creationTime>".len());
        out.push_str(head);
        out.push('T');
        rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

const SNAPSHOTS: &str = "snapshot-create-as test s1; snapshot-create-as test s2";
const CHECKPOINTS: &str = "checkpoint-create-as test c1; checkpoint-create-as test c2";

fn snapshot_create_as() {
    let cmd = "snapshot-create-as test s3 --description d --print-xml";
    assert_eq!(format!("{}\n", s(&json(URI, cmd)["xml"])), text(URI, cmd));
}

fn snapshot_current() {
    let cmds = format!("{SNAPSHOTS}; snapshot-current test --name");
    assert_eq!(s(&json(URI, &cmds)["name"]), text(URI, &cmds).trim_end());
    let xml = format!("{SNAPSHOTS}; snapshot-current test");
    assert_eq!(
        untimed(s(&json(URI, &xml)["xml"])),
        untimed(&text(URI, &xml))
    );
}

fn snapshot_dumpxml() {
    let cmds = format!("{SNAPSHOTS}; snapshot-dumpxml test s1");
    assert_eq!(
        untimed(s(&json(URI, &cmds)["xml"])),
        untimed(&text(URI, &cmds))
    );
}

fn snapshot_info() {
    let cmds = format!("{SNAPSHOTS}; snapshot-info test s2");
    let doc = json(URI, &cmds);
    let f = fields(&text(URI, &cmds));
    assert_eq!(s(&doc["name"]), f["Name"]);
    assert_eq!(s(&doc["domain"]), f["Domain"]);
    assert_eq!(s(&doc["parent"]), f["Parent"]);
    assert_eq!(u(&doc["children"]).to_string(), f["Children"]);
    assert_eq!(u(&doc["descendants"]).to_string(), f["Descendants"]);
}

fn snapshot_list() {
    let cmds = format!("{SNAPSHOTS}; snapshot-list test");
    let doc = json(URI, &cmds);
    let names: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(&e["name"]))
        .collect();
    assert_eq!(names, lines(&text(URI, &format!("{cmds} --name"))));
    let parents: Vec<String> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|e| or_dash(&e["parent"]))
        .collect();
    assert_eq!(parents, ["-", "s1"]);
}

fn snapshot_parent() {
    let cmds = format!("{SNAPSHOTS}; snapshot-parent test s2");
    assert_eq!(s(&json(URI, &cmds)["parent"]), text(URI, &cmds).trim_end());
}

fn checkpoint_create_as() {
    let cmd = "checkpoint-create-as test c3 --print-xml";
    assert_eq!(format!("{}\n", s(&json(URI, cmd)["xml"])), text(URI, cmd));
}

fn checkpoint_dumpxml() {
    let cmds = format!("{CHECKPOINTS}; checkpoint-dumpxml test c1");
    assert_eq!(
        untimed(s(&json(URI, &cmds)["xml"])),
        untimed(&text(URI, &cmds))
    );
}

fn checkpoint_info() {
    let cmds = format!("{CHECKPOINTS}; checkpoint-info test c2");
    let doc = json(URI, &cmds);
    let f = fields(&text(URI, &cmds));
    assert_eq!(s(&doc["name"]), f["Name"]);
    assert_eq!(s(&doc["domain"]), f["Domain"]);
    assert_eq!(s(&doc["parent"]), f["Parent"]);
    assert_eq!(u(&doc["children"]).to_string(), f["Children"]);
}

fn checkpoint_list() {
    let cmds = format!("{CHECKPOINTS}; checkpoint-list test");
    let doc = json(URI, &cmds);
    let names: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(&e["name"]))
        .collect();
    assert_eq!(names, lines(&text(URI, &format!("{cmds} --name"))));
}

fn checkpoint_parent() {
    let cmds = format!("{CHECKPOINTS}; checkpoint-parent test c2");
    assert_eq!(s(&json(URI, &cmds)["parent"]), text(URI, &cmds).trim_end());
}

fn backup_dumpxml() {
    // The test driver runs no backups: the failure is the JSON document.
    let out = run_virtsh(&["--json", "-c", URI, "backup-dumpxml test"], &[]);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stdout_str(), "");
    assert_eq!(error_numbers(&out).0, 3, "VIR_ERR_NO_SUPPORT");
}

// --- the actions ----------------------------------------------------------

/// Commands that act rather than report, each with a command string that
/// succeeds: under --json they print nothing at all.
const ACTIONS: &[(&str, &str)] = &[
    ("autostart", "autostart test; autostart --disable test"),
    ("create", "create $DATA/domains/minimal.xml"),
    ("define", "define $DATA/domains/full.xml"),
    ("destroy", "destroy test"),
    ("domjobabort", ""),
    ("domrename", "destroy test; domrename test renamed"),
    ("edit", "edit test"),
    ("managedsave", "managedsave test"),
    (
        "managedsave-remove",
        "managedsave test; managedsave-remove test",
    ),
    ("reboot", "reboot test"),
    ("reset", "reset test"),
    ("restore", "save test $TMP_SAVE; restore $TMP_SAVE"),
    ("resume", "suspend test; resume test"),
    ("save", "save test $TMP_SAVE"),
    ("setmaxmem", "destroy test; setmaxmem test 4G"),
    ("setmem", "setmem test 1G"),
    ("setvcpus", "setvcpus test 1"),
    ("shutdown", "shutdown test"),
    ("start", "destroy test; start test"),
    ("suspend", "suspend test"),
    ("undefine", "destroy test; undefine test"),
    ("cd", ""),
    ("connect", "connect test:///default"),
    ("exit", "exit"),
    ("quit", "quit"),
    ("snapshot-create", "snapshot-create test"),
    ("snapshot-create-as", "snapshot-create-as test s1"),
    (
        "snapshot-current",
        "snapshot-create-as test s1; snapshot-create-as test s2; snapshot-current test s1",
    ),
    (
        "snapshot-delete",
        "snapshot-create-as test s1; snapshot-delete test s1",
    ),
    (
        "snapshot-edit",
        "snapshot-create-as test s1; snapshot-edit test s1",
    ),
    (
        "snapshot-revert",
        "snapshot-create-as test s1; snapshot-revert test s1",
    ),
    ("checkpoint-create", "checkpoint-create test"),
    ("checkpoint-create-as", "checkpoint-create-as test c1"),
    (
        "checkpoint-delete",
        "checkpoint-create-as test c1; checkpoint-delete test c1",
    ),
    (
        "checkpoint-edit",
        "checkpoint-create-as test c1; checkpoint-edit test c1",
    ),
    ("backup-begin", ""),
];

#[test]
fn every_command_is_covered() {
    let data: Vec<&str> = DATA.iter().map(|(n, _)| *n).collect();
    let actions: Vec<&str> = ACTIONS.iter().map(|(n, _)| *n).collect();
    let missing: Vec<&str> = virtsh::commands::all()
        .iter()
        .map(|c| c.name)
        .filter(|n| !data.contains(n) && !actions.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "commands with neither a JSON data case nor an action case: {missing:?}"
    );
    for name in data.iter().chain(&actions) {
        assert!(
            virtsh::commands::find(name).is_some(),
            "{name} is not a command"
        );
    }
}

#[test]
fn data_commands_print_json_with_the_text_facts() {
    let mut failures = Vec::new();
    for (name, case) in DATA {
        if let Err(e) = std::panic::catch_unwind(case) {
            let why = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
            failures.push(format!("{name}: {}", why.unwrap_or_default()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} JSON case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn actions_print_nothing() {
    let mut failures = Vec::new();
    for (name, cmds) in ACTIONS.iter().filter(|(_, c)| !c.is_empty()) {
        let save =
            std::env::temp_dir().join(format!("virtsh-json-{}-{name}.save", std::process::id()));
        let cmds = cmds.replace("$TMP_SAVE", &save.display().to_string());
        // `edit`s get an editor that changes the document.
        let editor = match *name {
            "snapshot-edit" => {
                "sed -i 's|</domainsnapshot>|<description>x</description></domainsnapshot>|'"
                    .to_string()
            }
            "checkpoint-edit" => {
                "sed -i 's|</domaincheckpoint>|<description>x</description></domaincheckpoint>|'"
                    .to_string()
            }
            _ => harness::data_dir()
                .join("editor")
                .join("set-vcpus.sh")
                .display()
                .to_string(),
        };
        let out = run_virtsh(&["--json", "-c", URI, &cmds], &[("EDITOR", &editor)]);
        let _ = std::fs::remove_file(&save);
        if out.code != Some(0) || !out.stdout.is_empty() || !out.stderr.is_empty() {
            failures.push(format!(
                "{name} ({cmds}): {}\nstdout: {}\nstderr: {}",
                out.status_text(),
                out.stdout_str(),
                out.stderr_str()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// --- errors and documents -------------------------------------------------

/// The `(code, domain)` of the one JSON error document on stderr.
fn error_numbers(out: &Output) -> (i64, i64) {
    let docs = parse_docs(&out.stderr_str())
        .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", out.stderr_str()));
    assert_eq!(docs.len(), 1, "one error document: {}", out.stderr_str());
    let error = &docs[0]["error"];
    assert!(error["message"].is_string(), "{error}");
    (
        error["code"].as_i64().unwrap(),
        error["domain"].as_i64().unwrap(),
    )
}

fn failing(cmds: &str) -> (i64, i64, String) {
    let out = run_virtsh(&["--json", "-c", URI, cmds], &[]);
    assert_eq!(out.code, Some(1), "{cmds}: {}", out.status_text());
    assert_eq!(out.stdout_str(), "", "{cmds}: stdout");
    let (code, domain) = error_numbers(&out);
    let message = parse_docs(&out.stderr_str()).unwrap()[0]["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    (code, domain, message)
}

#[test]
fn errors_are_json_with_libvirts_numbers() {
    // VIR_ERR_NO_DOMAIN from the test driver (VIR_FROM_TEST).
    let (code, domain, message) = failing("dominfo nosuch");
    assert_eq!((code, domain), (42, 12));
    assert!(message.contains("nosuch"), "{message}");
    // VIR_ERR_OPERATION_INVALID.
    assert_eq!(failing("destroy test; managedsave test").0, 55);
    // VIR_ERR_OPERATION_UNSUPPORTED.
    assert_eq!(
        failing("snapshot-create-as test s1; checkpoint-create-as test c1").0,
        84
    );
    // VIR_ERR_NO_SUPPORT.
    assert_eq!(failing("domjobabort test").0, 3);
    // virsh's own checks are invalid arguments.
    assert_eq!(failing("dominfo").0, 8);
    assert_eq!(failing("cd /").0, 8);
    assert_eq!(failing("nosuchcommand").0, 8);
}

#[test]
fn one_document_per_command_and_quiet_changes_nothing() {
    let cmds = "uri; list --all; destroy test; dominfo test; hostname";
    let docs = json_docs(URI, cmds);
    assert_eq!(docs.len(), 4);
    assert_eq!(docs[0]["uri"], "test:///default");
    assert!(docs[1].is_array());
    assert_eq!(docs[2]["state"], "shutoff");
    // cpu_time follows the clock in the test driver.
    let steady = |out: Output| {
        out.stdout_str()
            .lines()
            .filter(|l| !l.contains("cpu_time"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let plain = steady(run_virtsh(&["--json", "-c", URI, cmds], &[]));
    let quiet = steady(run_virtsh(&["-q", "--json", "-c", URI, cmds], &[]));
    assert_eq!(plain, quiet);
    // No separator lines: each document ends with its closing bracket.
    assert!(!plain.contains("\n\n"), "{plain}");
    let env = steady(run_virtsh(&["-c", URI, cmds], &[("VIRTSH_OUTPUT", "json")]));
    assert_eq!(env, plain);
    // Timing lines are not JSON either.
    let timed = run_virtsh(&["-t", "--json", "-c", URI, "uri"], &[]);
    assert_eq!(parse_docs(&timed.stdout_str()).unwrap().len(), 1);
}

#[test]
fn a_failure_between_documents() {
    // As in text mode the next command still runs, and the last one decides the status.
    let out = run_virtsh(&["--json", "-c", URI, "uri; dominfo nosuch; hostname"], &[]);
    assert_eq!(out.code, Some(0));
    let docs = parse_docs(&out.stdout_str()).unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(error_numbers(&out), (42, 12));
}
