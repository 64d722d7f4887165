//! The driver through the API, with libvirt 9.0's answers (each checked
//! against `virsh -c test:///default` and direct API calls on libvirt.so).

use std::sync::{Arc, Mutex, Weak};

use super::*;
use crate::api::flags::{affect, list, mem, metadata, save, undefine, vcpu, xml};

fn conn() -> Connection {
    Connection::new(Arc::new(TestDriver::private_default()), false)
}

fn test_dom(c: &Connection) -> Domain {
    c.domain_lookup_by_name("test").expect("domain test")
}

fn err<T: std::fmt::Debug>(r: Result<T>) -> String {
    r.expect_err("the call should fail").message
}

fn state(c: &Connection, d: &Domain) -> (DomainState, i32) {
    c.domain_get_state(d, 0).expect("state")
}

/// An inactive domain with two unnamed interfaces, one named, and a disk
/// without a source.
const A_XML: &str = "<domain type='test'>
  <name>a</name>
  <uuid>11111111-1111-1111-1111-111111111111</uuid>
  <memory>1048576</memory><currentMemory>524288</currentMemory>
  <vcpu current='1'>4</vcpu>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><source file='/img/a.img'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>
    <interface type='network'><source network='default'/></interface>
    <interface type='network'><source network='default'/></interface>
    <interface type='bridge'><source bridge='br0'/><target dev='mytap'/></interface>
  </devices>
</domain>";

fn a_xml_with(name: &str, uuid_tail: &str) -> String {
    A_XML
        .replace("<name>a</name>", &format!("<name>{name}</name>"))
        .replace("1111-111111111111", &format!("1111-{uuid_tail}"))
}

fn define_a(c: &Connection) -> Domain {
    c.domain_define_xml(A_XML, 0).expect("define a")
}

const RUNNING: (DomainState, i32) = (DomainState::Running, reason::RUNNING_BOOTED);

/// Opens a URI through the api with every driver registered, as the program does.
fn open_uri(uri: Option<&str>, flags: u32) -> crate::api::Result<crate::api::Connection> {
    crate::drivers::register();
    crate::api::open(uri, flags)
}

#[test]
fn default_domain_is_running_with_unknown_reason() {
    let c = conn();
    let d = test_dom(&c);
    assert_eq!(d.id, 1);
    assert_eq!(d.uuid.to_string(), "6695eb01-f6a4-8304-79aa-97f2502e193f");
    assert_eq!(state(&c, &d), (DomainState::Running, reason::UNKNOWN));
    assert!(c.domain_is_persistent(&d).unwrap());
    assert!(!c.domain_get_autostart(&d).unwrap());
    assert!(!c.domain_has_managed_save_image(&d, 0).unwrap());
    let info = c.domain_get_info(&d).unwrap();
    assert_eq!(
        (info.max_mem, info.memory, info.nr_virt_cpu),
        (8388608, 2097152, 2)
    );
    assert!(info.cpu_time > 1_600_000_000 * 1_000_000_000);
    assert_eq!(c.domain_get_os_type(&d).unwrap(), "linux");
}

#[test]
fn default_domain_xml_round_trips() {
    let c = conn();
    let d = test_dom(&c);
    let live = c.domain_get_xml_desc(&d, 0).unwrap();
    assert_eq!(
        live,
        default::DEFAULT_DOMAIN_XML.replacen(
            "<domain type='test'>",
            "<domain type='test' id='1'>",
            1
        )
    );
    assert_eq!(
        c.domain_get_xml_desc(&d, xml::INACTIVE).unwrap(),
        default::DEFAULT_DOMAIN_XML
    );
    assert_eq!(
        err(c.domain_get_xml_desc(&d, xml::UPDATE_CPU)),
        "unsupported flags (0x4) in function testDomainGetXMLDesc"
    );
}

#[test]
fn host_facts() {
    let c = conn();
    assert_eq!(c.get_type().unwrap(), "TEST");
    assert_eq!(c.get_version().unwrap(), 2);
    assert_eq!(c.get_hostname().unwrap(), host::host_name());
    let node = c.node_get_info().unwrap();
    assert_eq!(
        (node.model.as_str(), node.cpus, node.mhz, node.memory),
        ("i686", 16, 1400, 3145728)
    );
    assert_eq!(
        (node.nodes, node.sockets, node.cores, node.threads),
        (2, 2, 2, 2)
    );
    assert_eq!(c.node_get_security_model().unwrap().model, "testSecurity");
    assert!(c
        .get_sysinfo(0)
        .unwrap()
        .starts_with("<sysinfo type='smbios'>\n  <bios>\n"));
    assert_eq!(
        err(c.get_sysinfo(1)),
        "unsupported flags (0x1) in function testConnectGetSysinfo"
    );
    assert!(c.get_capabilities().unwrap().contains("<cells num='2'>"));
}

#[test]
fn lookups_and_their_errors() {
    let c = conn();
    assert_eq!(c.domain_lookup_by_id(1).unwrap().name, "test");
    let uuid = Uuid::parse_str("6695eb01-f6a4-8304-79aa-97f2502e193f").unwrap();
    assert_eq!(c.domain_lookup_by_uuid(&uuid).unwrap().name, "test");
    assert_eq!(err(c.domain_lookup_by_id(7)), "Domain not found");
    assert_eq!(err(c.domain_lookup_by_name("nosuch")), "Domain not found");
    assert_eq!(
        err(c.domain_lookup_by_uuid(&Uuid::nil())),
        "Domain not found"
    );
    let a = define_a(&c);
    assert_eq!(err(c.domain_lookup_by_id(-1)), "Domain not found");
    c.domain_undefine(&a, 0).unwrap();
    assert_eq!(
        err(c.domain_is_active(&a)),
        "Domain not found: no domain with matching uuid '11111111-1111-1111-1111-111111111111' (a)"
    );
}

#[test]
fn uri_forms() {
    let open = |u: &str| open_uri(Some(u), 0).map(|c| c.uri());
    assert_eq!(
        err(open("test:///")),
        "invalid argument: testOpen: supply a path or use test:///default"
    );
    assert_eq!(
        err(open("test://")),
        "invalid argument: testOpen: supply a path or use test:///default"
    );
    let canonical = |name: &str| canonical_uri(&Uri::parse(name).unwrap(), name);
    assert_eq!(canonical("test:/default"), "test:///default");
    assert_eq!(canonical("test:x.xml"), "test://x.xml");
    assert_eq!(
        canonical("test:///default?a=%20b&c#f"),
        "test:///default?a=%20b&c#f"
    );
    assert_eq!(canonical("test:///default?"), "test:///default?");
    assert_eq!(
        canonical("test:///tmp/st%61tes%20x.xml"),
        "test:///tmp/states%20x.xml"
    );
}

#[test]
fn shared_state_lives_while_a_connection_does() {
    static SLOT: Mutex<Weak<Mutex<State>>> = Mutex::new(Weak::new());
    let open = || {
        let state = shared_state(&SLOT, default::state).unwrap();
        Connection::new(
            Arc::new(TestDriver {
                state,
                uri: "test:///default".into(),
            }),
            false,
        )
    };
    let first = open();
    let second = open();
    first.domain_destroy(&test_dom(&first), 0).unwrap();
    assert!(!second.domain_is_active(&test_dom(&second)).unwrap());
    drop(first);
    drop(second);
    let third = open();
    assert!(third.domain_is_active(&test_dom(&third)).unwrap());
}

#[test]
fn define_names_interfaces_and_starts_inactive() {
    let c = conn();
    let a = define_a(&c);
    assert_eq!(a.id, -1);
    assert_eq!(state(&c, &a), (DomainState::Shutoff, reason::UNKNOWN));
    let xml = c.domain_get_xml_desc(&a, 0).unwrap();
    assert!(xml.starts_with("<domain type='test'>"));
    let targets: Vec<&str> = xml.lines().filter(|l| l.contains("<target dev=")).collect();
    assert_eq!(
        targets,
        [
            "      <target dev='vda' bus='virtio'/>",
            "      <target dev='hdc' bus='ide'/>",
            "      <target dev='testnet0'/>",
            "      <target dev='testnet1'/>",
            "      <target dev='mytap'/>"
        ]
    );
}

#[test]
fn define_clashes() {
    let c = conn();
    define_a(&c);
    assert_eq!(
        err(c.domain_define_xml(&a_xml_with("a", "333333333333"), 0)),
        "operation failed: domain 'a' already exists with uuid 11111111-1111-1111-1111-111111111111"
    );
    assert_eq!(
        err(c.domain_define_xml(&a_xml_with("c", "111111111111"), 0)),
        "operation failed: domain 'a' is already defined with uuid 11111111-1111-1111-1111-111111111111"
    );
    assert_eq!(
        err(c.domain_create_xml(&a_xml_with("a", "333333333333"), 0)),
        "operation failed: domain 'a' already exists with uuid 11111111-1111-1111-1111-111111111111"
    );
    assert_eq!(
        err(c.domain_define_xml(A_XML, 2)),
        "unsupported flags (0x2) in function testDomainDefineXMLFlags"
    );
}

#[test]
fn redefining_a_running_domain_changes_only_the_next_boot() {
    let c = conn();
    let d = test_dom(&c);
    let changed = default::DEFAULT_DOMAIN_XML.replace(">2097152<", ">1097152<");
    let again = c.domain_define_xml(&changed, 0).unwrap();
    assert_eq!(again.id, 1);
    assert!(c.domain_get_xml_desc(&d, 0).unwrap().contains(">2097152<"));
    assert!(c
        .domain_get_xml_desc(&d, xml::INACTIVE)
        .unwrap()
        .contains(">1097152<"));
    assert_eq!(c.domain_get_info(&d).unwrap().memory, 2097152);
    c.domain_destroy(&d, 0).unwrap();
    assert_eq!(c.domain_get_info(&d).unwrap().memory, 1097152);
}

#[test]
fn create_makes_transient_domains_with_new_ids() {
    let c = conn();
    let b = c
        .domain_create_xml(&a_xml_with("b", "222222222222"), 0)
        .unwrap();
    assert_eq!(b.id, 2);
    assert_eq!(state(&c, &b), RUNNING);
    assert!(!c.domain_is_persistent(&b).unwrap());
    assert!(c
        .domain_get_xml_desc(&b, 0)
        .unwrap()
        .starts_with("<domain type='test' id='2'>"));
    // A transient domain's "inactive" XML is its live one, without the id.
    assert!(c
        .domain_get_xml_desc(&b, xml::INACTIVE)
        .unwrap()
        .starts_with("<domain type='test'>"));
    assert_eq!(
        err(c.domain_create_xml(&a_xml_with("b", "222222222222"), 0)),
        "Requested operation is not valid: domain 'b' is already active"
    );
    assert_eq!(
        err(c.domain_create_xml(A_XML, 1)),
        "unsupported flags (0x1) in function testDomainCreateXML"
    );
    c.domain_destroy(&b, 0).unwrap();
    assert_eq!(err(c.domain_lookup_by_name("b")), "Domain not found");
}

#[test]
fn create_xml_boots_an_inactive_persistent_domain() {
    let c = conn();
    let a = define_a(&c);
    let started = c.domain_create_xml(A_XML, 0).unwrap();
    assert_eq!(started.id, 2);
    assert!(c.domain_is_persistent(&a).unwrap());
    assert_eq!(state(&c, &a), RUNNING);
}

#[test]
fn start_assigns_increasing_ids() {
    let c = conn();
    let a = define_a(&c);
    assert_eq!(c.domain_create(&a, 0).unwrap().id, 2);
    assert_eq!(state(&c, &a), RUNNING);
    assert_eq!(
        err(c.domain_create(&a, 0)),
        "internal error: Domain 'a' is already running"
    );
    c.domain_destroy(&a, 0).unwrap();
    assert_eq!(c.domain_create(&a, 0).unwrap().id, 3);
    let t = test_dom(&c);
    c.domain_destroy(&t, 0).unwrap();
    assert_eq!(c.domain_create(&t, 0).unwrap().id, 4);
    assert_eq!(
        err(c.domain_create(&t, 1)),
        "unsupported flags (0x1) in function testDomainCreateWithFlags"
    );
}

#[test]
fn lifecycle_transitions_and_reasons() {
    let c = conn();
    let t = test_dom(&c);
    c.domain_suspend(&t).unwrap();
    assert_eq!(state(&c, &t), (DomainState::Paused, reason::PAUSED_USER));
    assert_eq!(
        err(c.domain_suspend(&t)),
        "internal error: domain 'test' not running"
    );
    c.domain_resume(&t).unwrap();
    assert_eq!(
        state(&c, &t),
        (DomainState::Running, reason::RUNNING_UNPAUSED)
    );
    assert_eq!(
        err(c.domain_resume(&t)),
        "internal error: domain 'test' not paused"
    );
    c.domain_suspend(&t).unwrap();
    c.domain_reboot(&t, 0).unwrap();
    assert_eq!(state(&c, &t), RUNNING);
    assert_eq!(c.domain_lookup_by_name("test").unwrap().id, 1);
    c.domain_suspend(&t).unwrap();
    c.domain_reset(&t, 0).unwrap();
    assert_eq!(state(&c, &t), (DomainState::Paused, reason::PAUSED_USER));
    c.domain_shutdown(&t, 0).unwrap();
    assert_eq!(
        state(&c, &t),
        (DomainState::Shutoff, reason::SHUTOFF_SHUTDOWN)
    );
    assert_eq!(c.domain_lookup_by_name("test").unwrap().id, -1);
    c.domain_create(&t, 0).unwrap();
    c.domain_destroy(&t, destroy_graceful()).unwrap();
    assert_eq!(
        state(&c, &t),
        (DomainState::Shutoff, reason::SHUTOFF_DESTROYED)
    );
}

fn destroy_graceful() -> u32 {
    crate::api::flags::destroy::GRACEFUL
}

#[test]
fn lifecycle_errors_on_a_shut_off_domain() {
    let c = conn();
    let a = define_a(&c);
    let not_running = "Requested operation is not valid: domain is not running";
    assert_eq!(
        err(c.domain_shutdown(&a, 0)),
        "internal error: domain 'a' not running"
    );
    assert_eq!(err(c.domain_reboot(&a, 0)), not_running);
    assert_eq!(err(c.domain_reset(&a, 0)), not_running);
    assert_eq!(err(c.domain_destroy(&a, 0)), not_running);
    assert_eq!(
        err(c.domain_suspend(&a)),
        "internal error: domain 'a' not running"
    );
    assert_eq!(
        err(c.domain_resume(&a)),
        "internal error: domain 'a' not paused"
    );
    assert_eq!(
        err(c.domain_save(&a, "/nonexistent/x", None, 0)),
        not_running
    );
    assert_eq!(err(c.domain_managed_save(&a, 0)), not_running);
    assert_eq!(err(c.domain_memory_stats(&a, 0)), not_running);
    assert_eq!(err(c.domain_get_hostname(&a, 0)), not_running);
    assert_eq!(err(c.domain_get_max_vcpus(&a)), not_running);
}

#[test]
fn lifecycle_flag_checks() {
    let c = conn();
    let t = test_dom(&c);
    assert_eq!(
        err(c.domain_shutdown(&t, 1)),
        "unsupported flags (0x1) in function testDomainShutdownFlags"
    );
    assert_eq!(
        err(c.domain_reboot(&t, 0x20)),
        "unsupported flags (0x20) in function testDomainReboot"
    );
    c.domain_reboot(&t, 0x1f).unwrap();
    assert_eq!(
        err(c.domain_reset(&t, 1)),
        "unsupported flags (0x1) in function testDomainReset"
    );
    assert_eq!(
        err(c.domain_destroy(&t, 2)),
        "unsupported flags (0x2) in function testDomainDestroyFlags"
    );
    assert_eq!(
        err(c.domain_get_state(&t, 1)),
        "unsupported flags (0x1) in function testDomainGetState"
    );
}

#[test]
fn transient_domains_vanish_when_stopped() {
    let c = conn();
    let t = test_dom(&c);
    c.domain_undefine(&t, 0).unwrap();
    assert!(!c.domain_is_persistent(&t).unwrap());
    assert!(c.domain_is_active(&t).unwrap());
    c.domain_shutdown(&t, 0).unwrap();
    assert_eq!(err(c.domain_lookup_by_name("test")), "Domain not found");
}

#[test]
fn undefine_and_managed_save() {
    let c = conn();
    let t = test_dom(&c);
    c.domain_managed_save(&t, 0).unwrap();
    assert_eq!(state(&c, &t), (DomainState::Shutoff, reason::SHUTOFF_SAVED));
    assert!(c.domain_has_managed_save_image(&t, 0).unwrap());
    let saved = c.list_all_domains(list::MANAGEDSAVE).unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(
        err(c.domain_undefine(&t, 0)),
        "Requested operation is not valid: Refusing to undefine while domain managed save image exists"
    );
    // Starting drops the image and boots afresh.
    assert_eq!(c.domain_create(&t, 0).unwrap().id, 2);
    assert_eq!(state(&c, &t), RUNNING);
    assert!(!c.domain_has_managed_save_image(&t, 0).unwrap());
    c.domain_managed_save(&t, save::PAUSED).unwrap();
    assert_eq!(
        err(c.domain_managed_save(&t, save::RUNNING | save::PAUSED)),
        "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are mutually exclusive"
    );
    c.domain_undefine(&t, undefine::MANAGED_SAVE).unwrap();
    assert_eq!(err(c.domain_lookup_by_name("test")), "Domain not found");
    assert_eq!(
        err(c.domain_undefine(&define_a(&c), undefine::NVRAM)),
        "unsupported flags (0x4) in function testDomainUndefineFlags"
    );
}

#[test]
fn managed_save_remove_and_transient_refusal() {
    let c = conn();
    let t = test_dom(&c);
    c.domain_managed_save(&t, 0).unwrap();
    c.domain_managed_save_remove(&t, 0).unwrap();
    assert!(!c.domain_has_managed_save_image(&t, 0).unwrap());
    let b = c
        .domain_create_xml(&a_xml_with("b", "222222222222"), 0)
        .unwrap();
    assert_eq!(
        err(c.domain_managed_save(&b, 0)),
        "Requested operation is not valid: cannot do managed save for transient domain"
    );
    c.domain_managed_save_remove(&b, 0).unwrap();
}

#[test]
fn list_filters() {
    let c = conn();
    let a = define_a(&c);
    c.domain_set_autostart(&a, true).unwrap();
    c.domain_create_xml(&a_xml_with("b", "222222222222"), 0)
        .unwrap();
    let names = |flags| -> Vec<String> {
        c.list_all_domains(flags)
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect()
    };
    assert_eq!(names(0), ["test", "b", "a"]);
    assert_eq!(names(list::ACTIVE), ["test", "b"]);
    assert_eq!(names(list::INACTIVE), ["a"]);
    assert_eq!(names(list::ACTIVE | list::INACTIVE), ["test", "b", "a"]);
    assert_eq!(names(list::TRANSIENT), ["b"]);
    assert_eq!(names(list::PERSISTENT), ["test", "a"]);
    assert_eq!(names(list::SHUTOFF), ["a"]);
    assert_eq!(names(list::RUNNING | list::PERSISTENT), ["test"]);
    assert_eq!(names(list::OTHER), Vec::<String>::new());
    assert_eq!(names(list::AUTOSTART), ["a"]);
    assert_eq!(names(list::NO_AUTOSTART), ["test", "b"]);
    assert_eq!(names(list::HAS_SNAPSHOT), Vec::<String>::new());
    assert_eq!(names(list::NO_SNAPSHOT).len(), 3);
    assert_eq!(names(list::NO_CHECKPOINT).len(), 3);
    assert_eq!(names(list::NO_MANAGEDSAVE).len(), 3);
    assert_eq!(
        err(c.list_all_domains(1 << 16)),
        "unsupported flags (0x10000) in function testConnectListAllDomains"
    );
}

#[test]
fn transient_autostart_is_allowed() {
    let c = conn();
    let b = c
        .domain_create_xml(&a_xml_with("b", "222222222222"), 0)
        .unwrap();
    c.domain_set_autostart(&b, true).unwrap();
    assert!(c.domain_get_autostart(&b).unwrap());
}

#[test]
fn undefine_keeps_autostart_of_a_running_domain() {
    let c = conn();
    let t = test_dom(&c);
    c.domain_set_autostart(&t, true).unwrap();
    c.domain_undefine(&t, 0).unwrap();
    assert!(c.domain_get_autostart(&t).unwrap());
}

#[test]
fn info_of_an_inactive_domain() {
    let c = conn();
    let a = define_a(&c);
    let info = c.domain_get_info(&a).unwrap();
    assert_eq!(info.state, DomainState::Shutoff);
    assert_eq!(
        (info.max_mem, info.memory, info.nr_virt_cpu),
        (1048576, 524288, 1)
    );
    assert!(info.cpu_time > 0);
    assert_eq!(
        c.domain_get_security_label(&a).unwrap(),
        SecurityLabel::default()
    );
    let label = c.domain_get_security_label(&test_dom(&c)).unwrap();
    assert_eq!(
        (label.label.as_str(), label.enforcing),
        ("libvirt-test", true)
    );
}

#[test]
fn block_info() {
    let c = conn();
    let t = test_dom(&c);
    let info = c.domain_get_block_info(&t, "vda", 0).unwrap();
    assert_eq!(
        (info.capacity, info.allocation, info.physical),
        (1099506450432, 1099511627776, 1099511627776)
    );
    assert_eq!(
        c.domain_get_block_info(&t, "/guest/diskimage1", 0).unwrap(),
        info
    );
    assert_eq!(
        err(c.domain_get_block_info(&t, "vdb", 0)),
        "invalid argument: invalid path vdb not assigned to domain"
    );
    let a = define_a(&c);
    assert_eq!(c.domain_get_block_info(&a, "vda", 0).unwrap(), info);
    assert_eq!(
        err(c.domain_get_block_info(&a, "hdc", 0)),
        "invalid argument: disk 'hdc' does not currently have a source assigned"
    );
    assert_eq!(
        err(c.domain_get_block_info(&a, "", 0)),
        "string disk in virDomainGetBlockInfo must not be empty"
    );
    assert_eq!(
        err(c.domain_get_block_info(&a, "vda", 1)),
        "unsupported flags (0x1) in function testDomainGetBlockInfo"
    );
}

#[test]
fn rename() {
    let c = conn();
    let t = test_dom(&c);
    let a = define_a(&c);
    assert_eq!(
        err(c.domain_rename(&t, "x", 0)),
        "Requested operation is not valid: cannot rename active domain"
    );
    assert_eq!(
        err(c.domain_rename(&a, "test", 0)),
        "Requested operation is not valid: domain with name 'test' already exists"
    );
    assert_eq!(
        err(c.domain_rename(&a, "a", 0)),
        "Requested operation is not valid: Can't rename domain to itself"
    );
    assert_eq!(
        err(c.domain_rename(&a, "", 0)),
        "string new_name in virDomainRename must not be empty"
    );
    assert_eq!(
        err(c.domain_rename(&a, "b", 1)),
        "unsupported flags (0x1) in function testDomainRename"
    );
    let renamed = c.domain_rename(&a, "renamed", 0).unwrap();
    assert_eq!(renamed.name, "renamed");
    // The old handle still works: domains are found by UUID.
    assert!(c
        .domain_get_xml_desc(&a, 0)
        .unwrap()
        .contains("<name>renamed</name>"));
    assert_eq!(err(c.domain_lookup_by_name("a")), "Domain not found");
}

#[test]
fn save_and_restore_round_trip() {
    let dir = std::env::temp_dir().join(format!("virtsh-test-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("test.sav");
    let path = path.to_str().unwrap();
    let c = conn();
    let t = test_dom(&c);
    c.domain_save(&t, path, None, 0).unwrap();
    assert_eq!(state(&c, &t), (DomainState::Shutoff, reason::SHUTOFF_SAVED));
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"TestGuestMagic\0"));
    let len = i32::from_ne_bytes(bytes[15..19].try_into().unwrap()) as usize;
    assert_eq!(bytes.len(), 19 + len);
    assert!(bytes[19..].starts_with(b"<domain type='test' id='1'>"));
    c.domain_restore(path, None, 0).unwrap();
    assert_eq!(
        state(&c, &t),
        (DomainState::Running, reason::RUNNING_RESTORED)
    );
    assert_eq!(c.domain_lookup_by_name("test").unwrap().id, 2);
    assert!(c.domain_is_persistent(&t).unwrap());
    assert_eq!(
        err(c.domain_restore(path, None, 0)),
        "Requested operation is not valid: domain 'test' is already active"
    );
    assert_eq!(
        err(c.domain_save(&t, path, Some("<domain/>"), 0)),
        "argument unsupported: xml modification unsupported"
    );
    assert_eq!(
        err(c.domain_restore(path, Some("<domain/>"), 0)),
        "argument unsupported: xml modification unsupported"
    );
    assert_eq!(
        err(c.domain_restore(path, None, 1)),
        "unsupported flags (0x1) in function testDomainRestoreFlags"
    );
    assert_eq!(
        err(c.domain_save(&t, path, None, 1)),
        "unsupported flags (0x1) in function testDomainSaveFlags"
    );
    // A transient domain disappears once saved and comes back transient.
    c.domain_undefine(&t, 0).unwrap();
    c.domain_save(&t, path, None, 0).unwrap();
    assert_eq!(err(c.domain_lookup_by_name("test")), "Domain not found");
    c.domain_restore(path, None, 0).unwrap();
    assert!(!c.domain_is_persistent(&t).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn restore_errors() {
    let dir = std::env::temp_dir().join(format!("virtsh-test-restore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    };
    let c = conn();
    let restore = |p: &str| err(c.domain_restore(p, None, 0));
    let missing = dir.join("missing.sav");
    let missing = missing.to_str().unwrap();
    assert_eq!(
        restore(missing),
        format!("cannot read domain image '{missing}': No such file or directory")
    );
    let d = dir.to_str().unwrap();
    assert_eq!(
        restore(d),
        format!("incomplete save header in '{d}': Is a directory")
    );
    let short = file("short", b"Test");
    assert_eq!(
        restore(&short),
        format!("incomplete save header in '{short}': Success")
    );
    let garbage = file("garbage", b"<domain type='test'><name>x</name></domain>");
    assert_eq!(restore(&garbage), "internal error: mismatched header magic");
    let no_len = file("nolen", b"TestGuestMagic\0");
    assert_eq!(
        restore(&no_len),
        format!("failed to read metadata length in '{no_len}': Success")
    );
    let mut header = b"TestGuestMagic\0".to_vec();
    header.extend_from_slice(&0i32.to_ne_bytes());
    assert_eq!(
        restore(&file("zero", &header)),
        "internal error: length of metadata out of range"
    );
    let mut big = b"TestGuestMagic\0".to_vec();
    big.extend_from_slice(&8193i32.to_ne_bytes());
    assert_eq!(
        restore(&file("big", &big)),
        "internal error: length of metadata out of range"
    );
    let mut trunc = b"TestGuestMagic\0".to_vec();
    trunc.extend_from_slice(&16i32.to_ne_bytes());
    trunc.extend_from_slice(b"<dom");
    let trunc = file("trunc", &trunc);
    assert_eq!(
        restore(&trunc),
        format!("incomplete metadata in '{trunc}': Success")
    );
    let t = test_dom(&c);
    assert_eq!(
        err(c.domain_save(&t, "/nonexistent/dir/x", None, 0)),
        "saving domain 'test' to '/nonexistent/dir/x': open failed: No such file or directory"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn set_memory() {
    let c = conn();
    let t = test_dom(&c);
    let a = define_a(&c);
    let cur = |d: &Domain, f: u32| {
        let x = c.domain_get_xml_desc(d, f).unwrap();
        let start = x.find("<currentMemory unit='KiB'>").unwrap() + 26;
        x[start..start + x[start..].find('<').unwrap()].to_string()
    };
    c.domain_set_memory_flags(&t, 1000000, affect::CURRENT)
        .unwrap();
    assert_eq!(
        (cur(&t, 0).as_str(), cur(&t, xml::INACTIVE).as_str()),
        ("1000000", "2097152")
    );
    c.domain_set_memory_flags(&t, 1500000, affect::CONFIG)
        .unwrap();
    assert_eq!(
        (cur(&t, 0).as_str(), cur(&t, xml::INACTIVE).as_str()),
        ("1000000", "1500000")
    );
    assert_eq!(
        err(c.domain_set_memory_flags(&t, 9000000, 0)),
        "invalid argument: cannot set memory higher than max memory"
    );
    assert_eq!(
        err(c.domain_set_memory_flags(&t, 0, 0)),
        "memory in virDomainSetMemoryFlags must not be zero"
    );
    assert_eq!(
        err(c.domain_set_memory_flags(&t, 1, affect::LIVE | affect::CONFIG)),
        "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive"
    );
    assert_eq!(
        err(c.domain_set_memory_flags(&t, 1, mem::MAXIMUM)),
        "Requested operation is not valid: cannot resize the maximum memory on an active domain"
    );
    assert_eq!(
        err(c.domain_set_max_memory(&t, 1000)),
        "Requested operation is not valid: cannot resize the maximum memory on an active domain"
    );
    assert_eq!(
        err(c.domain_set_memory_flags(&a, 1, affect::LIVE)),
        "Requested operation is not valid: domain is not running"
    );
    // The maximum of a persistent definition may change; current follows it down.
    c.domain_set_memory_flags(&t, 1000, affect::CONFIG | mem::MAXIMUM)
        .unwrap();
    assert_eq!(cur(&t, xml::INACTIVE), "1000");
    c.domain_set_max_memory(&a, 1000).unwrap();
    assert_eq!(cur(&a, 0), "1000");
    c.domain_set_max_memory(&a, 2000000).unwrap();
    assert_eq!(c.domain_get_info(&a).unwrap().max_mem, 2000000);
    assert_eq!(cur(&a, 0), "1000");
    assert_eq!(
        err(c.domain_set_max_memory(&a, 0)),
        "memory in virDomainSetMaxMemory must not be zero"
    );
    let b = c
        .domain_create_xml(&a_xml_with("b", "222222222222"), 0)
        .unwrap();
    assert_eq!(
        err(c.domain_set_memory_flags(&b, 1000, affect::CONFIG)),
        "Requested operation is not valid: transient domains do not have any persistent config"
    );
}

#[test]
fn set_vcpus() {
    let c = conn();
    let t = test_dom(&c);
    let a = define_a(&c);
    let get = |d: &Domain, f: u32| c.domain_get_vcpus_flags(d, f).unwrap();
    assert_eq!(
        err(c.domain_set_vcpus_flags(&t, 3, 0)),
        "invalid argument: requested cpu amount exceeds maximum (3 > 2)"
    );
    assert_eq!(
        err(c.domain_set_vcpus_flags(&t, 100000, 0)),
        "invalid argument: requested cpu amount exceeds maximum supported amount (100000 > 32)"
    );
    assert_eq!(
        err(c.domain_set_vcpus_flags(&t, 0, 0)),
        "nvcpus in virDomainSetVcpusFlags must not be zero"
    );
    assert_eq!(
        err(c.domain_set_vcpus_flags(&t, 1, vcpu::MAXIMUM)),
        "Flag 'VIR_DOMAIN_AFFECT_CONFIG' is required by flag 'VIR_DOMAIN_VCPU_MAXIMUM'"
    );
    assert_eq!(
        err(c.domain_set_vcpus_flags(&t, 1, vcpu::GUEST)),
        "unsupported flags (0x8) in function testDomainSetVcpusFlags"
    );
    assert_eq!(
        err(c.domain_set_vcpus_flags(&a, 1, affect::LIVE)),
        "Requested operation is not valid: domain is not running"
    );
    // Config maximum 4, config current 3, live current 1.
    c.domain_set_vcpus_flags(&t, 4, affect::CONFIG | vcpu::MAXIMUM)
        .unwrap();
    c.domain_set_vcpus_flags(&t, 3, affect::CONFIG).unwrap();
    c.domain_set_vcpus_flags(&t, 1, affect::LIVE).unwrap();
    assert_eq!(get(&t, 0), 1);
    assert_eq!(get(&t, affect::LIVE), 1);
    assert_eq!(get(&t, affect::CONFIG), 3);
    assert_eq!(get(&t, vcpu::MAXIMUM), 2);
    assert_eq!(get(&t, affect::CONFIG | vcpu::MAXIMUM), 4);
    assert_eq!(c.domain_get_max_vcpus(&t).unwrap(), 2);
    assert_eq!(c.domain_get_info(&t).unwrap().nr_virt_cpu, 1);
    assert_eq!(
        err(c.domain_get_vcpus_flags(&t, affect::LIVE | affect::CONFIG)),
        "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive"
    );
    assert_eq!(
        err(c.domain_get_vcpus_flags(&t, vcpu::GUEST)),
        "unsupported flags (0x8) in function testDomainGetVcpusFlags"
    );
    // LIVE|CONFIG checks the live maximum first, then sets both.
    assert_eq!(
        err(c.domain_set_vcpus_flags(&t, 3, affect::LIVE | affect::CONFIG)),
        "invalid argument: requested cpu amount exceeds maximum (3 > 2)"
    );
    c.domain_set_vcpus_flags(&t, 2, affect::LIVE | affect::CONFIG)
        .unwrap();
    assert_eq!((get(&t, affect::LIVE), get(&t, affect::CONFIG)), (2, 2));
    // Lowering the maximum pulls the current count down.
    c.domain_set_vcpus_flags(&a, 1, affect::CONFIG | vcpu::MAXIMUM)
        .unwrap();
    c.domain_set_vcpus_flags(&a, 3, affect::CONFIG | vcpu::MAXIMUM)
        .unwrap();
    assert_eq!((get(&a, 0), get(&a, vcpu::MAXIMUM)), (1, 3));
    assert_eq!(
        err(c.domain_get_vcpus_flags(&a, affect::LIVE)),
        "Requested operation is not valid: domain is not running"
    );
    let b = c
        .domain_create_xml(&a_xml_with("b", "222222222222"), 0)
        .unwrap();
    assert_eq!(
        err(c.domain_set_vcpus_flags(&b, 1, affect::CONFIG)),
        "Requested operation is not valid: transient domains do not have any persistent config"
    );
}

#[test]
fn metadata() {
    let c = conn();
    let t = test_dom(&c);
    let missing = "metadata not found: Requested metadata element is not present";
    assert_eq!(
        err(c.domain_get_metadata(&t, metadata::DESCRIPTION, None, 0)),
        missing
    );
    c.domain_set_metadata(
        &t,
        metadata::DESCRIPTION,
        Some("live desc"),
        None,
        None,
        affect::LIVE,
    )
    .unwrap();
    assert_eq!(
        c.domain_get_metadata(&t, metadata::DESCRIPTION, None, 0)
            .unwrap(),
        "live desc"
    );
    assert_eq!(
        err(c.domain_get_metadata(&t, metadata::DESCRIPTION, None, affect::CONFIG)),
        missing
    );
    c.domain_set_metadata(&t, metadata::TITLE, Some("cfg"), None, None, affect::CONFIG)
        .unwrap();
    assert_eq!(
        c.domain_get_metadata(&t, metadata::TITLE, None, affect::CONFIG)
            .unwrap(),
        "cfg"
    );
    c.domain_set_metadata(&t, metadata::TITLE, Some(""), None, None, affect::CONFIG)
        .unwrap();
    assert_eq!(
        err(c.domain_get_metadata(&t, metadata::TITLE, None, affect::CONFIG)),
        missing
    );
    assert_eq!(
        err(c.domain_set_metadata(&t, metadata::TITLE, Some("a\nb"), None, None, 0)),
        "metadata title can't contain newlines"
    );
    assert_eq!(
        err(c.domain_get_metadata(&t, 3, None, 0)),
        "invalid argument: unknown metadata type '3'"
    );
    c.domain_set_metadata(
        &t,
        metadata::DESCRIPTION,
        Some("both"),
        None,
        None,
        affect::LIVE | affect::CONFIG,
    )
    .unwrap();
    assert_eq!(
        c.domain_get_metadata(&t, metadata::DESCRIPTION, None, affect::CONFIG)
            .unwrap(),
        "both"
    );
    assert_eq!(
        err(c.domain_get_metadata(
            &t,
            metadata::DESCRIPTION,
            None,
            affect::LIVE | affect::CONFIG
        )),
        "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive"
    );
    c.domain_set_metadata(
        &t,
        metadata::ELEMENT,
        Some("<foo/>"),
        Some("k"),
        Some("http://x/"),
        0,
    )
    .unwrap();
    assert_eq!(
        c.domain_get_metadata(&t, metadata::ELEMENT, Some("http://x/"), 0)
            .unwrap(),
        "<foo/>"
    );
    let a = define_a(&c);
    c.domain_set_metadata(&a, metadata::DESCRIPTION, Some("a <&> desc"), None, None, 0)
        .unwrap();
    assert!(c
        .domain_get_xml_desc(&a, 0)
        .unwrap()
        .contains("<description>a &lt;&amp;&gt; desc</description>"));
    assert_eq!(
        err(c.domain_set_metadata(
            &a,
            metadata::DESCRIPTION,
            Some("x"),
            None,
            None,
            affect::LIVE
        )),
        "Requested operation is not valid: domain is not running"
    );
}

#[test]
fn memory_stats_and_period() {
    let c = conn();
    let t = test_dom(&c);
    let stats: Vec<(i32, u64)> = c
        .domain_memory_stats(&t, 0)
        .unwrap()
        .into_iter()
        .map(|s| (s.tag, s.value))
        .collect();
    assert_eq!(
        stats,
        [
            (6, 2097152),
            (0, 0),
            (1, 0),
            (2, 0),
            (3, 0),
            (4, 1048576),
            (5, 2097152),
            (8, 1048576),
            (9, 627319920),
            (10, 262144),
            (11, 0),
            (12, 0),
            (7, 1048576)
        ]
    );
    c.domain_set_memory_flags(&t, 1000001, 0).unwrap();
    assert_eq!(c.domain_memory_stats(&t, 0).unwrap()[5].value, 500000);
    // No balloon: no statistics, and no period to set.
    let b = c
        .domain_create_xml(&a_xml_with("b", "222222222222"), 0)
        .unwrap();
    assert!(c.domain_memory_stats(&b, 0).unwrap().is_empty());
    assert_eq!(
        err(c.domain_set_memory_stats_period(&b, 5, 0)),
        "internal error: No memory balloon device configured, can not set the collection period"
    );
    c.domain_set_memory_stats_period(&t, 5, 0).unwrap();
    assert_eq!(
        err(c.domain_set_memory_stats_period(&t, -1, 0)),
        "period in virDomainSetMemoryStatsPeriod must be zero or greater"
    );
    assert_eq!(
        err(c.domain_set_memory_stats_period(&t, 5, affect::LIVE | affect::CONFIG)),
        "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive"
    );
    assert_eq!(
        err(c.domain_set_memory_stats_period(&b, 5, affect::CONFIG)),
        "Requested operation is not valid: transient domains do not have any persistent config"
    );
}

#[test]
fn guest_hostname_and_unsupported_jobs() {
    let c = conn();
    let t = test_dom(&c);
    assert_eq!(c.domain_get_hostname(&t, 0).unwrap(), "testhost");
    assert_eq!(
        err(c.domain_get_hostname(&t, crate::api::flags::hostname::LEASE)),
        "unsupported flags (0x1) in function testDomainGetHostname"
    );
    assert_eq!(
        err(c.domain_get_job_info(&t)),
        "this function is not supported by the connection driver: virDomainGetJobInfo"
    );
    assert_eq!(
        err(c.domain_abort_job(&t, 0)),
        "this function is not supported by the connection driver: virDomainAbortJob"
    );
}

#[test]
fn read_only_connections_refuse_changes() {
    let c = Connection::new(Arc::new(TestDriver::private_default()), true);
    let t = test_dom(&c);
    assert_eq!(
        err(c.domain_destroy(&t, 0)),
        "operation forbidden: read only access prevents virDomainDestroy"
    );
    assert!(c.domain_is_active(&t).unwrap());
}

#[test]
fn balloon_period_shows_in_the_xml() {
    let c = conn();
    let t = test_dom(&c);
    c.domain_set_memory_stats_period(&t, 5, 0).unwrap();
    let live = c.domain_get_xml_desc(&t, 0).unwrap();
    assert!(live.contains(
        "    <memballoon model='virtio'>\n      <stats period='5'/>\n      <address type='pci'"
    ));
    assert!(!c
        .domain_get_xml_desc(&t, xml::INACTIVE)
        .unwrap()
        .contains("<stats"));
    c.domain_set_memory_stats_period(&t, 0, 0).unwrap();
    assert!(!c.domain_get_xml_desc(&t, 0).unwrap().contains("<stats"));
    c.domain_set_memory_stats_period(&t, 3, affect::CONFIG)
        .unwrap();
    assert!(c
        .domain_get_xml_desc(&t, xml::INACTIVE)
        .unwrap()
        .contains("<stats period='3'/>"));
}

#[test]
fn metadata_elements() {
    let c = conn();
    let t = test_dom(&c);
    let set = |value: Option<&str>, key: Option<&str>, uri: Option<&str>| {
        c.domain_set_metadata(&t, metadata::ELEMENT, value, key, uri, 0)
    };
    set(
        Some("<foo a=\"1\"><bar>t</bar></foo>"),
        Some("k"),
        Some("http://x/"),
    )
    .unwrap();
    assert_eq!(
        c.domain_get_metadata(&t, metadata::ELEMENT, Some("http://x/"), 0)
            .unwrap(),
        "<foo a=\"1\">\n  <bar>t</bar>\n</foo>"
    );
    set(Some("<z/>"), Some("k"), Some("http://y/")).unwrap();
    let xml = c.domain_get_xml_desc(&t, 0).unwrap();
    assert!(xml.contains(
        "  <metadata>\n    <k:foo xmlns:k=\"http://x/\" a=\"1\">\n      <k:bar>t</k:bar>\n    </k:foo>\n    <k:z xmlns:k=\"http://y/\"/>\n  </metadata>\n"
    ), "{xml}");
    set(None, None, Some("http://x/")).unwrap();
    set(None, None, Some("http://y/")).unwrap();
    assert!(c
        .domain_get_xml_desc(&t, 0)
        .unwrap()
        .contains("  <metadata/>\n"));
    assert_eq!(
        err(set(Some("<foo/>"), None, Some("http://x/"))),
        "key in virDomainSetMetadata must not be NULL"
    );
    assert_eq!(
        err(set(Some("<foo/>"), Some("k"), None)),
        "uri in virDomainSetMetadata must not be NULL"
    );
    assert_eq!(
        err(set(Some("<foo/>"), Some("k:x"), Some("http://x/"))),
        "internal error: failed to validate prefix for a new XML namespace"
    );
    assert_eq!(
        err(c.domain_set_metadata(&t, metadata::DESCRIPTION, Some("d"), Some("k"), None, 0)),
        "key in virDomainSetMetadata must be NULL"
    );
    assert_eq!(
        err(c.domain_get_metadata(&t, metadata::ELEMENT, None, 0)),
        "uri in virDomainGetMetadata must not be NULL"
    );
}

#[test]
fn lifecycle_actions_decide_what_shutdown_and_reboot_do() {
    let c = conn();
    let xml = |name: &str, uuid: &str, poweroff: &str, reboot: &str| {
        a_xml_with(name, uuid).replace(
            "<devices>",
            &format!(
                "<on_poweroff>{poweroff}</on_poweroff><on_reboot>{reboot}</on_reboot><devices>"
            ),
        )
    };
    let r = c
        .domain_define_xml(&xml("r", "333333333333", "restart", "destroy"), 0)
        .unwrap();
    c.domain_create(&r, 0).unwrap();
    c.domain_shutdown(&r, 0).unwrap();
    assert_eq!(state(&c, &r), RUNNING);
    assert_eq!(c.domain_lookup_by_name("r").unwrap().id, 3);
    c.domain_reboot(&r, 0).unwrap();
    assert_eq!(
        state(&c, &r),
        (DomainState::Shutoff, reason::SHUTOFF_SHUTDOWN)
    );
    let p = c
        .domain_create_xml(&xml("p", "444444444444", "destroy", "preserve"), 0)
        .unwrap();
    c.domain_reboot(&p, 0).unwrap();
    assert_eq!(err(c.domain_lookup_by_name("p")), "Domain not found");
}

/// Writes `files` into a fresh folder and opens the first as a node file.
fn open_node_file(tag: &str, files: &[(&str, &str)]) -> (Result<Connection>, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("virtsh-node-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let uri = format!("test://{}/{}", dir.display(), files[0].0);
    (open_uri(Some(&uri), 0), dir)
}

const NS: &str = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'";

fn node_domain(name: &str, extra: &str) -> String {
    format!(
        "<domain type='test' {NS}><name>{name}</name><memory>1024</memory><os><type>hvm</type></os>\
         <devices><interface type='user'/></devices>{extra}</domain>"
    )
}

#[test]
fn node_file_domains_and_host() {
    let node = format!(
        "<node><cpu><mhz>2000</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets>\
         <cores>4</cores><threads>2</threads><active>6</active></cpu><memory>16777216</memory>{}{}{}{}{}\
         <domain file='inc.xml'/><network><name>n</name></network></node>",
        node_domain("run", ""),
        node_domain("off", "<test:runstate>5</test:runstate>"),
        node_domain("paused", "<test:runstate>3</test:runstate><test:transient/>"),
        node_domain("saved", "<test:runstate>5</test:runstate><test:hasmanagedsave/>"),
        node_domain(
            "snap",
            "<test:runstate>5</test:runstate><test:domainsnapshot><name>s</name><state>shutoff</state>\
             <creationTime>1</creationTime><active>1</active></test:domainsnapshot>"
        ),
    );
    let (c, dir) = open_node_file(
        "ok",
        &[("node.xml", &node), ("inc.xml", &node_domain("inc", ""))],
    );
    let c = c.unwrap();
    assert_eq!(c.uri(), format!("test://{}/node.xml", dir.display()));
    let node = c.node_get_info().unwrap();
    assert_eq!(
        (node.model.as_str(), node.cpus, node.mhz, node.nodes),
        ("x86_64", 6, 2000, 1)
    );
    assert_eq!(node.memory, 16777216);
    assert!(c
        .get_capabilities()
        .unwrap()
        .contains("<cells num='0'>\n      </cells>"));
    let find = |n: &str| c.domain_lookup_by_name(n).unwrap();
    assert_eq!(
        (
            find("run").id,
            find("paused").id,
            find("inc").id,
            find("off").id
        ),
        (1, 2, 3, -1)
    );
    assert_eq!(
        state(&c, &find("run")),
        (DomainState::Running, reason::UNKNOWN)
    );
    assert_eq!(
        state(&c, &find("paused")),
        (DomainState::Paused, reason::UNKNOWN)
    );
    assert!(!c.domain_is_persistent(&find("paused")).unwrap());
    assert!(c.domain_has_managed_save_image(&find("saved"), 0).unwrap());
    assert!(c
        .domain_get_xml_desc(&find("run"), 0)
        .unwrap()
        .contains("<target dev='testnet0'/>"));
    let with_snapshots: Vec<String> = c
        .list_all_domains(list::HAS_SNAPSHOT)
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(with_snapshots, ["snap"]);
    assert_eq!(
        err(c.domain_undefine(&find("snap"), 0)),
        "Requested operation is not valid: cannot delete inactive domain with 1 snapshots"
    );
    c.domain_undefine(&find("snap"), undefine::SNAPSHOTS_METADATA)
        .unwrap();
    // New domains continue the numbering.
    assert_eq!(c.domain_create(&find("off"), 0).unwrap().id, 4);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn node_file_errors() {
    let open = |tag: &str, text: &str| {
        let (c, dir) = open_node_file(tag, &[("node.xml", text)]);
        std::fs::remove_dir_all(&dir).unwrap();
        err(c.map(|c| c.uri()))
    };
    assert_eq!(
        open("root", "<domain/>"),
        "XML error: expecting root element of 'node', not 'domain'"
    );
    assert_eq!(
        open("mhz", "<node><cpu><mhz>0x10</mhz></cpu></node>"),
        "XML error: invalid node cpu mhz value"
    );
    assert_eq!(
        open("mem", "<node><memory>-1</memory></node>"),
        "XML error: invalid node memory value"
    );
    assert_eq!(
        open(
            "model",
            "<node><cpu><model>abcdefghijklmnopqrstuvwxyz012345</model></cpu></node>"
        ),
        "internal error: Model abcdefghijklmnopqrstuvwxyz012345 too big for destination"
    );
    assert_eq!(
        open(
            "transient",
            &format!(
                "<node>{}</node>",
                node_domain("x", "<test:transient/><test:runstate>5</test:runstate>")
            )
        ),
        "XML error: transient domain cannot have runstate 'shutoff'"
    );
    let twice = format!(
        "<node>{}{}</node>",
        node_domain("x", "").replace(
            "<name>x</name>",
            "<name>x</name><uuid>11111111-1111-1111-1111-111111111111</uuid>"
        ),
        node_domain("y", "").replace(
            "<name>y</name>",
            "<name>y</name><uuid>11111111-1111-1111-1111-111111111111</uuid>"
        ),
    );
    assert_eq!(
        open("clash", &twice),
        "operation failed: domain 'x' is already defined with uuid 11111111-1111-1111-1111-111111111111"
    );
    let missing = open("missing", "<node><domain file='nosuch.xml'/></node>");
    assert!(
        missing.starts_with("XML error: failed to parse xml document '/"),
        "{missing}"
    );
    assert!(missing.ends_with("/nosuch.xml'"), "{missing}");
}

#[test]
fn node_file_cpu_count_is_capped_by_active() {
    let (c, dir) = open_node_file(
        "cap",
        &[("node.xml", "<node><cpu><active>100</active></cpu></node>")],
    );
    assert_eq!(c.unwrap().node_get_info().unwrap().cpus, 16);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn save_and_restore_check_running_with_paused() {
    let c = conn();
    let t = test_dom(&c);
    let both = save::RUNNING | save::PAUSED;
    let msg = "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are mutually exclusive";
    assert_eq!(err(c.domain_save(&t, "/nonexistent", None, both)), msg);
    assert_eq!(err(c.domain_restore("/nonexistent", None, both)), msg);
    assert_eq!(
        err(c.domain_save(&t, "/nonexistent", None, save::RUNNING)),
        "unsupported flags (0x2) in function testDomainSaveFlags"
    );
}

#[test]
fn validate_refuses_unknown_top_level_elements() {
    let c = conn();
    let bad = A_XML.replace("<devices>", "<frobnicate/><devices>");
    assert_eq!(
        err(c.domain_define_xml(&bad, crate::api::flags::define::VALIDATE)),
        "XML document failed to validate against schema: Unable to validate doc against \
         /usr/share/libvirt/schemas/domain.rng\nElement domain has extra content: frobnicate\n"
    );
    assert!(
        err(c.domain_create_xml(&bad, crate::api::flags::start::VALIDATE)).contains("frobnicate")
    );
    c.domain_define_xml(&bad, 0).unwrap();
    c.domain_define_xml(A_XML, crate::api::flags::define::VALIDATE)
        .unwrap();
}

#[test]
fn starting_keeps_a_reparsed_copy_as_the_config() {
    let c = conn();
    let vc = "<domain type='test'><name>vc</name><memory>1024</memory><os><type>hvm</type></os>\
              <devices><serial type='pty'/><console type='pty'><target type='virtio' port='0'/></console>\
              </devices></domain>";
    let d = c.domain_define_xml(vc, 0).unwrap();
    let console_port = |flags| {
        let x = c.domain_get_xml_desc(&d, flags).unwrap();
        x.contains("<target type='virtio' port='1'/>")
    };
    assert!(!console_port(0));
    c.domain_create(&d, 0).unwrap();
    assert!(!console_port(0), "the live definition is the one defined");
    assert!(console_port(xml::INACTIVE), "the config is libvirt's copy");
    c.domain_destroy(&d, 0).unwrap();
    assert!(console_port(0));
}

#[test]
fn each_node_file_connection_has_its_own_state() {
    let node = format!("<node>{}</node>", node_domain("web", ""));
    let (first, dir) = open_node_file("private", &[("node.xml", &node)]);
    let first = first.unwrap();
    let second = open_uri(Some(&first.uri()), 0).unwrap();
    let web = first.domain_lookup_by_name("web").unwrap();
    first.domain_destroy(&web, 0).unwrap();
    assert!(second
        .domain_is_active(&second.domain_lookup_by_name("web").unwrap())
        .unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------
// Snapshots and checkpoints (libvirt 9.0's answers, checked with virsh and
// direct calls on libvirt.so).

use crate::api::flags::{
    checkpoint_create, checkpoint_delete, checkpoint_list, checkpoint_xml, snapshot_create,
    snapshot_delete, snapshot_list, snapshot_revert,
};

fn snap(c: &Connection, d: &Domain, name: &str) -> DomainSnapshot {
    let xml = format!("<domainsnapshot><name>{name}</name></domainsnapshot>");
    c.domain_snapshot_create_xml(d, &xml, 0).expect("snapshot")
}

fn snap_names(list: Result<Vec<DomainSnapshot>>) -> Vec<String> {
    list.expect("listing").into_iter().map(|s| s.name).collect()
}

fn cp(c: &Connection, d: &Domain, name: &str) -> DomainCheckpoint {
    let xml = format!("<domaincheckpoint><name>{name}</name></domaincheckpoint>");
    c.domain_checkpoint_create_xml(d, &xml, 0)
        .expect("checkpoint")
}

fn cp_names(list: Result<Vec<DomainCheckpoint>>) -> Vec<String> {
    list.expect("listing").into_iter().map(|s| s.name).collect()
}

fn snapshot_handle(c: &Connection, d: &Domain, name: &str) -> DomainSnapshot {
    c.domain_snapshot_lookup_by_name(d, name, 0)
        .expect("lookup")
}

#[test]
fn snapshot_of_running_domain_keeps_its_definition() {
    let c = conn();
    let d = test_dom(&c);
    let s1 = snap(&c, &d, "s1");
    let s2 = snap(&c, &d, "s2");
    let xml = c.domain_snapshot_get_xml_desc(&s2, 0).unwrap();
    assert!(xml.starts_with(
        "<domainsnapshot>\n  <name>s2</name>\n  <state>running</state>\n  <parent>\n    <name>s1</name>\n  </parent>\n  <creationTime>"
    ));
    assert!(xml.contains("  <memory snapshot='internal'/>\n  <disks>\n    <disk name='vda' snapshot='internal'/>\n  </disks>\n  <domain type='test'>\n    <name>test</name>\n"));
    // The embedded domain is the inactive form of the running definition.
    let inactive = c.domain_get_xml_desc(&d, xml::INACTIVE).unwrap();
    let indented: String = inactive.lines().map(|l| format!("  {l}\n")).collect();
    assert!(xml.contains(&indented));
    assert!(c.domain_snapshot_is_current(&s2, 0).unwrap());
    assert!(!c.domain_snapshot_is_current(&s1, 0).unwrap());
    assert_eq!(c.domain_snapshot_get_parent(&s2, 0).unwrap().name, "s1");
    assert_eq!(
        err(c.domain_snapshot_get_parent(&s1, 0)),
        "Domain snapshot not found: snapshot 's1' does not have a parent"
    );
    assert!(c.domain_snapshot_has_metadata(&s1, 0).unwrap());
    assert_eq!(
        err(c.domain_snapshot_lookup_by_name(&d, "x", 0)),
        "Domain snapshot not found: no domain snapshot with matching name 'x'"
    );
    let named = c
        .domain_snapshot_create_xml(&d, "<domainsnapshot/>", 0)
        .unwrap();
    assert!(named.name.parse::<u64>().unwrap() > 1_600_000_000);
}

#[test]
fn snapshot_states_follow_the_domain() {
    let c = conn();
    let d = test_dom(&c);
    c.domain_suspend(&d).unwrap();
    let p = snap(&c, &d, "p");
    let px = c.domain_snapshot_get_xml_desc(&p, 0).unwrap();
    assert!(px.contains("<state>paused</state>") && px.contains("<memory snapshot='internal'/>"));
    c.domain_destroy(&d, 0).unwrap();
    let off = snap(&c, &d, "off");
    let ox = c.domain_snapshot_get_xml_desc(&off, 0).unwrap();
    assert!(ox.contains("<state>shutoff</state>") && ox.contains("<memory snapshot='no'/>"));
    assert!(ox.contains("<disk name='vda' snapshot='internal'/>"));
    assert_eq!(
        snap_names(c.domain_list_all_snapshots(&d, snapshot_list::INACTIVE)),
        ["off"]
    );
    assert_eq!(
        snap_names(c.domain_list_all_snapshots(&d, snapshot_list::ACTIVE)),
        ["p"]
    );
    assert!(snap_names(c.domain_list_all_snapshots(&d, snapshot_list::DISK_ONLY)).is_empty());
    assert!(snap_names(c.domain_list_all_snapshots(&d, snapshot_list::NO_METADATA)).is_empty());
    assert!(snap_names(c.domain_list_all_snapshots(&d, snapshot_list::EXTERNAL)).is_empty());
    assert_eq!(
        snap_names(c.domain_list_all_snapshots(
            &d,
            snapshot_list::METADATA | snapshot_list::NO_METADATA | snapshot_list::INTERNAL
        ))
        .len(),
        2
    );
    assert_eq!(
        err(c.domain_list_all_snapshots(&d, 0x800)),
        "unsupported flags (0x800) in function testDomainListAllSnapshots"
    );
}

#[test]
fn snapshot_create_flags_as_libvirt() {
    let c = conn();
    let d = test_dom(&c);
    for (flags, text) in [
        (snapshot_create::NO_METADATA, "unsupported flags (0x4) in function testDomainSnapshotCreateXML"),
        (snapshot_create::DISK_ONLY, "unsupported flags (0x10) in function testDomainSnapshotCreateXML"),
        (snapshot_create::REUSE_EXT, "unsupported flags (0x20) in function testDomainSnapshotCreateXML"),
        (
            snapshot_create::CURRENT,
            "Flag 'VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE' is required by flag 'VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT'",
        ),
        (
            snapshot_create::REDEFINE | snapshot_create::HALT,
            "Flags 'VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE' and 'VIR_DOMAIN_SNAPSHOT_CREATE_HALT' are mutually exclusive",
        ),
    ] {
        assert_eq!(err(c.domain_snapshot_create_xml(&d, "<domainsnapshot/>", flags)), text);
    }
    let manual =
        "<domainsnapshot><disks><disk name='vda' snapshot='manual'/></disks></domainsnapshot>";
    assert_eq!(
        err(c.domain_snapshot_create_xml(&d, manual, 0)),
        "Operation not supported: 'manual' snapshot mode is not supported by the test driver"
    );
    // HALT, LIVE, QUIESCE and ATOMIC are accepted; HALT stops the domain.
    let flags = snapshot_create::HALT
        | snapshot_create::LIVE
        | snapshot_create::QUIESCE
        | snapshot_create::ATOMIC;
    let s = c
        .domain_snapshot_create_xml(&d, "<domainsnapshot><name>h</name></domainsnapshot>", flags)
        .unwrap();
    assert_eq!(s.domain.id, -1);
    assert_eq!(
        state(&c, &d),
        (DomainState::Shutoff, reason::SHUTOFF_FROM_SNAPSHOT)
    );
    assert!(c
        .domain_snapshot_get_xml_desc(&s, 0)
        .unwrap()
        .contains("<state>running</state>"));
    assert_eq!(
        err(c.domain_snapshot_create_xml(&d, "<domainsnapshot><name>h</name></domainsnapshot>", 0)),
        "operation failed: domain moment h already exists"
    );
    // A transient domain may not halt.
    let t = c
        .domain_create_xml(&a_xml_with("t", "222222222222"), 0)
        .unwrap();
    assert_eq!(
        err(c.domain_snapshot_create_xml(&t, "<domainsnapshot/>", snapshot_create::HALT)),
        "Requested operation is not valid: cannot halt after transient domain snapshot"
    );
}

/// `<domainsnapshot>` as snapshot-dumpxml printed it, renamed, for `--redefine`.
fn redefinition(c: &Connection, d: &Domain, name: &str, parent: Option<&str>, time: u32) -> String {
    let base = snap(c, d, "base");
    let xml = c.domain_snapshot_get_xml_desc(&base, 0).unwrap();
    c.domain_snapshot_delete(&base, 0).unwrap();
    let parent = parent.map_or(String::new(), |p| {
        format!("<parent><name>{p}</name></parent>")
    });
    let start = xml.find("<creationTime>").unwrap();
    let end = xml.find("</creationTime>").unwrap() + "</creationTime>".len();
    format!(
        "{}{parent}<creationTime>{time}</creationTime>{}",
        &xml[..start],
        &xml[end..]
    )
    .replace("<name>base</name>", &format!("<name>{name}</name>"))
}

#[test]
fn snapshot_redefinitions() {
    let c = conn();
    let d = test_dom(&c);
    let r1 = redefinition(&c, &d, "r1", None, 1000);
    let r3 = redefinition(&c, &d, "r3", Some("r1"), 3000);
    let r2 = redefinition(&c, &d, "r2", Some("nope"), 2000);
    let own = redefinition(&c, &d, "r1", Some("r1"), 1000);
    let redefine = snapshot_create::REDEFINE;
    c.domain_snapshot_create_xml(&d, &r1, redefine).unwrap();
    // Without CURRENT a redefinition leaves "current" alone.
    assert!(!c.domain_has_current_snapshot(&d, 0).unwrap());
    assert_eq!(
        err(c.domain_snapshot_current(&d, 0)),
        "Domain snapshot not found: the domain does not have a current snapshot"
    );
    assert_eq!(
        err(c.domain_snapshot_create_xml(&d, &r2, redefine)),
        "invalid argument: parent nope for moment r2 not found"
    );
    assert_eq!(
        err(c.domain_snapshot_create_xml(&d, &own, redefine)),
        "invalid argument: cannot set moment r1 as its own parent"
    );
    c.domain_snapshot_create_xml(&d, &r3, redefine | snapshot_create::CURRENT)
        .unwrap();
    assert_eq!(c.domain_snapshot_current(&d, 0).unwrap().name, "r3");
    let cycle = redefinition(&c, &d, "r1", Some("r3"), 1000);
    assert_eq!(
        err(c.domain_snapshot_create_xml(&d, &cycle, redefine)),
        "invalid argument: parent r3 would create cycle to r1"
    );
    // Redefining an existing snapshot keeps its children.
    c.domain_snapshot_create_xml(&d, &r1, redefine).unwrap();
    let r1h = snapshot_handle(&c, &d, "r1");
    assert_eq!(
        snap_names(c.domain_snapshot_list_all_children(&r1h, 0)),
        ["r3"]
    );
    let offline = r1
        .replace("<state>running</state>", "<state>shutoff</state>")
        .replace("<memory snapshot='internal'/>", "");
    assert_eq!(
        err(c.domain_snapshot_create_xml(&d, &offline, redefine)),
        "invalid argument: cannot change between online and offline snapshot state in snapshot r1"
    );
    assert_eq!(
        err(c.domain_snapshot_create_xml(
            &d,
            "<domainsnapshot><name>old</name><state>shutoff</state><creationTime>1</creationTime></domainsnapshot>",
            redefine
        )),
        "internal error: missing domain in snapshot"
    );
}

#[test]
fn snapshot_tree_walks_as_libvirt() {
    let c = conn();
    let d = test_dom(&c);
    snap(&c, &d, "a");
    snap(&c, &d, "b");
    let a = snapshot_handle(&c, &d, "a");
    c.domain_revert_to_snapshot(&a, 0).unwrap();
    snap(&c, &d, "c");
    snap(&c, &d, "d");
    c.domain_revert_to_snapshot(&a, 0).unwrap();
    snap(&c, &d, "e");
    assert_eq!(
        snap_names(c.domain_list_all_snapshots(&d, snapshot_list::TOPOLOGICAL)),
        ["a", "e", "c", "d", "b"]
    );
    assert_eq!(
        snap_names(c.domain_list_all_snapshots(&d, snapshot_list::ROOTS)),
        ["a"]
    );
    assert_eq!(
        snap_names(c.domain_list_all_snapshots(&d, snapshot_list::LEAVES)),
        ["e", "d", "b"]
    );
    assert_eq!(
        snap_names(c.domain_list_all_snapshots(&d, snapshot_list::NO_LEAVES)),
        ["a", "c"]
    );
    assert!(snap_names(
        c.domain_list_all_snapshots(&d, snapshot_list::LEAVES | snapshot_list::NO_LEAVES)
    )
    .is_empty());
    assert_eq!(
        snap_names(c.domain_snapshot_list_all_children(&a, 0)),
        ["e", "c", "b"]
    );
    assert_eq!(
        snap_names(c.domain_snapshot_list_all_children(&a, snapshot_list::DESCENDANTS)),
        ["e", "c", "d", "b"]
    );
    assert_eq!(
        snap_names(c.domain_snapshot_list_all_children(
            &a,
            snapshot_list::DESCENDANTS | snapshot_list::LEAVES
        )),
        ["e", "d", "b"]
    );
    let listed = c.list_all_domains(list::HAS_SNAPSHOT).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(c.list_all_domains(list::HAS_CHECKPOINT).unwrap().is_empty());
}

#[test]
fn snapshot_delete_moves_children_and_current() {
    let c = conn();
    let d = test_dom(&c);
    for n in ["a", "b", "c"] {
        snap(&c, &d, n);
    }
    let h = |n: &str| snapshot_handle(&c, &d, n);
    c.domain_snapshot_delete(&h("b"), 0).unwrap();
    assert_eq!(c.domain_snapshot_get_parent(&h("c"), 0).unwrap().name, "a");
    assert_eq!(c.domain_snapshot_current(&d, 0).unwrap().name, "c");
    c.domain_snapshot_delete(&h("c"), 0).unwrap();
    assert_eq!(c.domain_snapshot_current(&d, 0).unwrap().name, "a");
    snap(&c, &d, "d");
    snap(&c, &d, "e");
    c.domain_snapshot_delete(&h("d"), snapshot_delete::CHILDREN_ONLY)
        .unwrap();
    assert_eq!(c.domain_snapshot_current(&d, 0).unwrap().name, "d");
    assert_eq!(
        snap_names(c.domain_list_all_snapshots(&d, snapshot_list::TOPOLOGICAL)),
        ["a", "d"]
    );
    assert_eq!(
        err(c.domain_snapshot_delete(&h("d"), snapshot_delete::METADATA_ONLY)),
        "unsupported flags (0x2) in function testDomainSnapshotDelete"
    );
    c.domain_snapshot_delete(&h("a"), snapshot_delete::CHILDREN)
        .unwrap();
    assert!(snap_names(c.domain_list_all_snapshots(&d, 0)).is_empty());
    assert!(!c.domain_has_current_snapshot(&d, 0).unwrap());
}

#[test]
fn revert_restarts_or_stops_as_libvirt_9() {
    let c = conn();
    let d = test_dom(&c);
    let running = snap(&c, &d, "running");
    c.domain_suspend(&d).unwrap();
    let paused = snap(&c, &d, "paused");
    c.domain_destroy(&d, 0).unwrap();
    let off = snap(&c, &d, "off");
    c.domain_create(&d, 0).unwrap();
    let id = |c: &Connection| c.domain_lookup_by_name("test").unwrap().id;
    // Running or paused snapshots boot afresh with a new id.
    let before = id(&c);
    c.domain_revert_to_snapshot(&running, 0).unwrap();
    assert_eq!(
        state(&c, &d),
        (DomainState::Running, reason::RUNNING_FROM_SNAPSHOT)
    );
    assert_eq!(id(&c), before + 1);
    c.domain_revert_to_snapshot(&running, snapshot_revert::PAUSED)
        .unwrap();
    assert_eq!(
        state(&c, &d),
        (DomainState::Paused, reason::PAUSED_FROM_SNAPSHOT)
    );
    c.domain_revert_to_snapshot(&paused, 0).unwrap();
    assert_eq!(
        state(&c, &d),
        (DomainState::Paused, reason::PAUSED_FROM_SNAPSHOT)
    );
    c.domain_revert_to_snapshot(&paused, snapshot_revert::RUNNING)
        .unwrap();
    assert_eq!(
        state(&c, &d),
        (DomainState::Running, reason::RUNNING_FROM_SNAPSHOT)
    );
    // An inactive snapshot stops the domain; RUNNING starts nothing in 9.0.
    c.domain_revert_to_snapshot(&off, snapshot_revert::RUNNING)
        .unwrap();
    assert_eq!(
        state(&c, &d),
        (DomainState::Shutoff, reason::SHUTOFF_FROM_SNAPSHOT)
    );
    c.domain_revert_to_snapshot(&running, 0).unwrap();
    assert_eq!(
        state(&c, &d),
        (DomainState::Running, reason::RUNNING_FROM_SNAPSHOT)
    );
    assert_eq!(c.domain_snapshot_current(&d, 0).unwrap().name, "running");
    assert_eq!(
        err(c.domain_revert_to_snapshot(&running, snapshot_revert::RESET_NVRAM)),
        "unsupported flags (0x8) in function testDomainRevertToSnapshot"
    );
    // The snapshot's definition replaces both definitions.
    c.domain_set_memory_flags(&d, 4_000_000, mem::MAXIMUM | affect::CONFIG)
        .unwrap();
    c.domain_revert_to_snapshot(&running, 0).unwrap();
    assert!(c
        .domain_get_xml_desc(&d, xml::INACTIVE)
        .unwrap()
        .contains("<memory unit='KiB'>8388608</memory>"));
}

#[test]
fn transient_domains_and_snapshots() {
    let c = conn();
    let t = c
        .domain_create_xml(&a_xml_with("t", "222222222222"), 0)
        .unwrap();
    let s = snap(&c, &t, "s");
    c.domain_revert_to_snapshot(&s, 0).unwrap();
    let t = c.domain_lookup_by_name("t").unwrap();
    assert_eq!(
        state(&c, &t),
        (DomainState::Running, reason::RUNNING_FROM_SNAPSHOT)
    );
    // An inactive snapshot of a transient domain.
    let xml = c
        .domain_snapshot_get_xml_desc(&s, 0)
        .unwrap()
        .replace("<name>s</name>", "<name>off</name>")
        .replace("<state>running</state>", "<state>shutoff</state>")
        .replace("  <memory snapshot='internal'/>\n", "");
    let off = c
        .domain_snapshot_create_xml(&t, &xml, snapshot_create::REDEFINE)
        .unwrap();
    assert_eq!(
        err(c.domain_revert_to_snapshot(&off, 0)),
        "Requested operation is not valid: transient domain needs to request run or pause to revert to inactive snapshot"
    );
    // libvirt 9.0 leaves it shut off yet transient.
    c.domain_revert_to_snapshot(&off, snapshot_revert::RUNNING)
        .unwrap();
    assert_eq!(
        state(&c, &t),
        (DomainState::Shutoff, reason::SHUTOFF_FROM_SNAPSHOT)
    );
    assert!(!c.domain_is_persistent(&t).unwrap());
    assert_eq!(
        err(c.domain_create_xml(&a_xml_with("t", "222222222222"), 0)),
        "Requested operation is not valid: domain 't' is already being started"
    );
    c.domain_create(&t, 0).unwrap();
    c.domain_destroy(&t, 0).unwrap();
    assert_eq!(err(c.domain_lookup_by_name("t")), "Domain not found");
    // Recreated, it has no snapshots left.
    let t = c
        .domain_create_xml(&a_xml_with("t", "222222222222"), 0)
        .unwrap();
    assert!(snap_names(c.domain_list_all_snapshots(&t, 0)).is_empty());
}

#[test]
fn undefine_and_rename_with_snapshots() {
    let c = conn();
    let d = test_dom(&c);
    snap(&c, &d, "a");
    c.domain_destroy(&d, 0).unwrap();
    assert_eq!(
        err(c.domain_undefine(&d, 0)),
        "Requested operation is not valid: cannot delete inactive domain with 1 snapshots"
    );
    let x = c.domain_rename(&d, "x", 0).unwrap();
    assert_eq!(snap_names(c.domain_list_all_snapshots(&x, 0)), ["a"]);
    assert_eq!(
        err(c.domain_undefine(&x, undefine::CHECKPOINTS_METADATA)),
        "unsupported flags (0x10) in function testDomainUndefineFlags"
    );
    c.domain_undefine(&x, undefine::SNAPSHOTS_METADATA).unwrap();
    assert!(c.list_all_domains(0).unwrap().is_empty());
}

#[test]
fn checkpoints_as_libvirt() {
    let c = conn();
    let d = test_dom(&c);
    let c1 = cp(&c, &d, "c1");
    let c2 = cp(&c, &d, "c2");
    let xml = c.domain_checkpoint_get_xml_desc(&c2, 0).unwrap();
    assert!(xml.starts_with(
        "<domaincheckpoint>\n  <name>c2</name>\n  <parent>\n    <name>c1</name>\n  </parent>\n  <creationTime>"
    ));
    assert!(xml.contains("  <disks>\n    <disk name='vda' checkpoint='bitmap' bitmap='c2'/>\n  </disks>\n  <domain type='test'>"));
    let bare = c
        .domain_checkpoint_get_xml_desc(&c2, checkpoint_xml::NO_DOMAIN | checkpoint_xml::SIZE)
        .unwrap();
    assert!(bare.ends_with("  </disks>\n</domaincheckpoint>\n") && !bare.contains("size="));
    assert_eq!(c.domain_checkpoint_get_parent(&c2, 0).unwrap().name, "c1");
    assert_eq!(
        err(c.domain_checkpoint_get_parent(&c1, 0)),
        "Domain checkpoint not found: checkpoint 'c1' does not have a parent"
    );
    assert_eq!(
        err(c.domain_checkpoint_lookup_by_name(&d, "x", 0)),
        "Domain checkpoint not found: no domain checkpoint with matching name 'x'"
    );
    assert_eq!(
        err(c.domain_snapshot_create_xml(&d, "<domainsnapshot/>", 0)),
        "Operation not supported: cannot create snapshot while checkpoint exists"
    );
    assert_eq!(
        err(c.domain_checkpoint_create_xml(&d, "<domaincheckpoint/>", checkpoint_create::REDEFINE_VALIDATE)),
        "Flag 'VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE' is required by flag 'VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE'"
    );
    assert_eq!(
        err(c.domain_checkpoint_create_xml(
            &d,
            "<domaincheckpoint/>",
            checkpoint_create::REDEFINE | checkpoint_create::REDEFINE_VALIDATE
        )),
        "unsupported flags (0x4) in function testDomainCheckpointCreateXML"
    );
    cp(&c, &d, "c3");
    let c1 = c.domain_checkpoint_lookup_by_name(&d, "c1", 0).unwrap();
    assert_eq!(
        cp_names(c.domain_checkpoint_list_all_children(&c1, checkpoint_list::DESCENDANTS)),
        ["c2", "c3"]
    );
    assert_eq!(
        cp_names(c.domain_list_all_checkpoints(&d, checkpoint_list::LEAVES)),
        ["c3"]
    );
    assert_eq!(
        err(c.domain_list_all_checkpoints(&d, 0x10)),
        "unsupported flags (0x10) in function testDomainListAllCheckpoints"
    );
    assert_eq!(c.list_all_domains(list::HAS_CHECKPOINT).unwrap().len(), 1);
    // Deleting the current checkpoint makes its parent current.
    let c3 = c.domain_checkpoint_lookup_by_name(&d, "c3", 0).unwrap();
    c.domain_checkpoint_delete(&c3, checkpoint_delete::METADATA_ONLY)
        .unwrap();
    let n = cp(&c, &d, "n");
    assert_eq!(c.domain_checkpoint_get_parent(&n, 0).unwrap().name, "c2");
    c.domain_destroy(&d, 0).unwrap();
    assert_eq!(
        err(c.domain_checkpoint_get_xml_desc(&n, checkpoint_xml::SIZE)),
        "Requested operation is not valid: domain is not running"
    );
    assert_eq!(
        err(c.domain_checkpoint_create_xml(&d, "<domaincheckpoint/>", 0)),
        "Operation not supported: cannot create checkpoint for inactive domain"
    );
    // Checkpoints do not hold back undefine in libvirt 9.0's test driver.
    c.domain_undefine(&d, 0).unwrap();
}

#[test]
fn checkpoint_redefinitions_set_current_as_libvirt() {
    let c = conn();
    let d = test_dom(&c);
    let redefine = checkpoint_create::REDEFINE;
    let doc = |name: &str, parent: Option<&str>| {
        let parent = parent.map_or(String::new(), |p| {
            format!("<parent><name>{p}</name></parent>")
        });
        format!("<domaincheckpoint><name>{name}</name>{parent}<creationTime>5</creationTime></domaincheckpoint>")
    };
    // The first redefinition becomes current, and so does a child of the
    // current one; others leave it.
    for (name, parent) in [
        ("cp1", None),
        ("cp2", Some("cp1")),
        ("cpb", Some("cp1")),
        ("alpha", None),
    ] {
        c.domain_checkpoint_create_xml(&d, &doc(name, parent), redefine)
            .unwrap();
    }
    let n = cp(&c, &d, "new");
    assert_eq!(c.domain_checkpoint_get_parent(&n, 0).unwrap().name, "cp2");
    assert_eq!(
        err(c.domain_checkpoint_create_xml(&d, &doc("x", Some("nope")), redefine)),
        "invalid argument: parent nope for moment x not found"
    );
    assert_eq!(
        err(c.domain_checkpoint_create_xml(&d, &doc("new", None), 0)),
        "operation failed: domain moment new already exists"
    );
    let x = c
        .domain_checkpoint_get_xml_desc(
            &c.domain_checkpoint_lookup_by_name(&d, "alpha", 0).unwrap(),
            0,
        )
        .unwrap();
    assert_eq!(
        x,
        "<domaincheckpoint>\n  <name>alpha</name>\n  <creationTime>5</creationTime>\n</domaincheckpoint>\n"
    );
}

#[test]
fn backups_are_not_supported() {
    let c = conn();
    let d = test_dom(&c);
    assert_eq!(
        err(c.domain_backup_begin(&d, None, None, 0)),
        "this function is not supported by the connection driver: virDomainBackupBegin"
    );
    assert_eq!(
        err(c.domain_backup_get_xml_desc(&d, 0)),
        "this function is not supported by the connection driver: virDomainBackupGetXMLDesc"
    );
}

#[test]
fn node_file_snapshots() {
    let snapshot = |body: &str| format!("<test:domainsnapshot>{body}</test:domainsnapshot>");
    let ok = node_domain(
        "a",
        &(snapshot("<name>s1</name><state>running</state><creationTime>20</creationTime><active>1</active>")
            + &snapshot(
                "<name>s2</name><state>disk-snapshot</state><creationTime>30</creationTime>\
                 <parent><name>s1</name></parent><active>0</active>",
            )),
    );
    let (c, _) = open_node_file("snaps", &[("node.xml", &format!("<node>{ok}</node>"))]);
    let c = c.unwrap();
    let a = c.domain_lookup_by_name("a").unwrap();
    assert_eq!(c.domain_snapshot_current(&a, 0).unwrap().name, "s1");
    let s1 = c.domain_snapshot_lookup_by_name(&a, "s1", 0).unwrap();
    let xml = c.domain_snapshot_get_xml_desc(&s1, 0).unwrap();
    assert!(
        xml.contains("  <memory snapshot='internal'/>\n  <domain>\n    <uuid>"),
        "{xml}"
    );
    assert_eq!(
        snap_names(c.domain_list_all_snapshots(&a, snapshot_list::DISK_ONLY)),
        ["s2"]
    );
    assert_eq!(
        err(c.domain_revert_to_snapshot(&s1, snapshot_revert::FORCE)),
        "revert requires force: snapshot 's1' lacks domain 'a' rollback info"
    );
    for (tag, body, text) in [
        (
            "twocur",
            snapshot("<name>x</name><state>shutoff</state><creationTime>1</creationTime><active>1</active>")
                + &snapshot("<name>y</name><state>shutoff</state><creationTime>1</creationTime><active>1</active>"),
            "internal error: more than one snapshot claims to be active",
        ),
        (
            "orphan",
            snapshot(
                "<name>y</name><state>shutoff</state><creationTime>1</creationTime>\
                 <parent><name>x</name></parent><active>1</active>",
            ),
            "internal error: Snapshots have inconsistent relations for domain a",
        ),
        (
            "noactive",
            snapshot("<name>x</name><state>shutoff</state><creationTime>1</creationTime>"),
            "internal error: Could not find 'active' element",
        ),
    ] {
        let node = format!("<node>{}</node>", node_domain("a", &body));
        let (c, _) = open_node_file(tag, &[("node.xml", &node)]);
        assert_eq!(c.err().map(|e| e.message).as_deref(), Some(text), "{tag}");
    }
}
