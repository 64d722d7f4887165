//! The fake host: node facts, capabilities and sysinfo documents, security
//! model, and the non-domain objects (networks, interfaces, pools, node
//! devices) later API groups will serve.

use std::fmt::Write;

use crate::api::{NodeInfo, SecurityModel};

/// libvirt's version number encoding of the fake hypervisor's 0.0.2.
pub const HYPERVISOR_VERSION: u64 = 2;

/// `virConnectGetMaxVcpus` of the test driver, which also bounds setvcpus.
pub const MAX_VCPUS: u32 = 32;

pub fn default_node_info() -> NodeInfo {
    NodeInfo {
        model: "i686".into(),
        memory: 3_145_728,
        cpus: 16,
        mhz: 1400,
        nodes: 2,
        sockets: 2,
        cores: 2,
        threads: 2,
    }
}

pub fn security_model() -> SecurityModel {
    SecurityModel {
        model: "testSecurity".into(),
        doi: String::new(),
    }
}

/// The label every running test domain carries.
pub const SECURITY_LABEL: &str = "libvirt-test";

/// One NUMA cell of the default host: memory and the page pool it lists.
struct Cell {
    memory_kib: u64,
    /// The small-page size this cell reports (the default host mixes 4 and 8 KiB).
    small_page_kib: u64,
}

const DEFAULT_CELLS: [Cell; 2] = [
    Cell {
        memory_kib: 2_097_152,
        small_page_kib: 4,
    },
    Cell {
        memory_kib: 4_194_304,
        small_page_kib: 8,
    },
];

/// CPUs per default cell; ids run on across cells, core ids restart.
const CPUS_PER_CELL: u32 = 8;

/// The capabilities document, byte-equal to libvirt's test driver's.
pub fn capabilities(numa_cells: bool) -> String {
    let mut out = String::from(
        "<capabilities>\n\n  <host>\n    <cpu>\n      <arch>i686</arch>\n      <features>\n        <pae/>\n        <nonpae/>\n      </features>\n      <pages unit='KiB' size='4'/>\n      <pages unit='KiB' size='8'/>\n      <pages unit='KiB' size='2048'/>\n      <pages unit='KiB' size='1048576'/>\n    </cpu>\n    <power_management/>\n    <iommu support='no'/>\n    <topology>\n",
    );
    if numa_cells {
        let _ = writeln!(out, "      <cells num='{}'>", DEFAULT_CELLS.len());
        for (id, cell) in DEFAULT_CELLS.iter().enumerate() {
            let _ = writeln!(out, "        <cell id='{id}'>");
            let _ = writeln!(
                out,
                "          <memory unit='KiB'>{}</memory>",
                cell.memory_kib
            );
            let _ = writeln!(
                out,
                "          <pages unit='KiB' size='{}'>{}</pages>",
                cell.small_page_kib,
                cell.memory_kib / cell.small_page_kib
            );
            out.push_str("          <pages unit='KiB' size='2048'>0</pages>\n");
            out.push_str("          <pages unit='KiB' size='1048576'>0</pages>\n");
            let _ = writeln!(out, "          <cpus num='{CPUS_PER_CELL}'>");
            for core in 0..CPUS_PER_CELL {
                let cpu = id as u32 * CPUS_PER_CELL + core;
                let _ = writeln!(
                    out,
                    "            <cpu id='{cpu}' socket_id='{id}' die_id='0' core_id='{core}' siblings='{cpu}'/>"
                );
            }
            out.push_str("          </cpus>\n        </cell>\n");
        }
    } else {
        out.push_str("      <cells num='0'>\n");
    }
    out.push_str("      </cells>\n    </topology>\n    <secmodel>\n      <model>testSecurity</model>\n      <doi></doi>\n    </secmodel>\n  </host>\n\n");
    for os_type in ["hvm", "xen"] {
        let _ = write!(
            out,
            "  <guest>\n    <os_type>{os_type}</os_type>\n    <arch name='i686'>\n      <wordsize>32</wordsize>\n      <emulator>/usr/bin/test-hv</emulator>\n      <domain type='test'/>\n    </arch>\n    <features>\n      <pae/>\n      <nonpae/>\n    </features>\n  </guest>\n\n"
        );
    }
    out.push_str("</capabilities>\n");
    out
}

pub const SYSINFO: &str = "<sysinfo type='smbios'>
  <bios>
    <entry name='vendor'>LENOVO</entry>
    <entry name='version'>G4ETA1WW (2.61 )</entry>
    <entry name='date'>05/07/2014</entry>
    <entry name='release'>2.61</entry>
  </bios>
</sysinfo>
";

pub use crate::api::host_name;

/// A network or host interface: its document and lifecycle flags.
#[derive(Debug, Clone, PartialEq)]
pub struct HostObject {
    pub xml: String,
    pub active: bool,
    pub persistent: bool,
    pub autostart: bool,
}

/// A storage pool with its volumes' documents.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolObject {
    pub xml: String,
    pub active: bool,
    pub persistent: bool,
    pub autostart: bool,
    pub volumes: Vec<String>,
}

/// The objects other API groups act on; kept as documents until those
/// groups and their models arrive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostObjects {
    pub networks: Vec<HostObject>,
    pub interfaces: Vec<HostObject>,
    pub pools: Vec<PoolObject>,
    pub node_devices: Vec<String>,
}

impl HostObjects {
    /// `test:///default`'s network, interface, pool and node devices.
    pub fn defaults() -> HostObjects {
        let running = |xml: &str| HostObject {
            xml: xml.to_string(),
            active: true,
            persistent: true,
            autostart: false,
        };
        HostObjects {
            networks: vec![running(DEFAULT_NETWORK)],
            interfaces: vec![running(DEFAULT_INTERFACE)],
            pools: vec![PoolObject {
                xml: DEFAULT_POOL.to_string(),
                active: true,
                persistent: true,
                autostart: false,
                volumes: Vec::new(),
            }],
            node_devices: DEFAULT_NODE_DEVICES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

pub const DEFAULT_NETWORK: &str = "<network>
  <name>default</name>
  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
";

pub const DEFAULT_INTERFACE: &str = "<interface type='ethernet' name='eth1'>
  <start mode='onboot'/>
  <mtu size='1492'/>
  <protocol family='ipv4'>
    <ip address='192.168.0.5' prefix='24'/>
    <route gateway='192.168.0.1'/>
  </protocol>
  <mac address='aa:bb:cc:dd:ee:ff'/>
</interface>
";

/// Capacity, allocation and availability are the driver's: 100 GiB, nothing used.
pub const DEFAULT_POOL: &str = "<pool type='dir'>
  <name>default-pool</name>
  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
  <capacity unit='bytes'>107374182400</capacity>
  <allocation unit='bytes'>0</allocation>
  <available unit='bytes'>107374182400</available>
  <source>
  </source>
  <target>
    <path>/default-pool</path>
  </target>
</pool>
";

pub const DEFAULT_NODE_DEVICES: [&str; 4] = [
    "<device>
  <name>computer</name>
  <capability type='system'>
    <hardware>
      <vendor>Libvirt</vendor>
      <version>Test driver</version>
      <serial>123456</serial>
      <uuid>11111111-2222-3333-4444-555555555555</uuid>
    </hardware>
    <firmware>
      <vendor>Libvirt</vendor>
      <version>Test Driver</version>
      <release_date>01/22/2007</release_date>
    </firmware>
  </capability>
</device>
",
    "<device>
  <name>scsi_host1</name>
  <parent>computer</parent>
  <capability type='scsi_host'>
    <host>1</host>
    <unique_id>0</unique_id>
    <capability type='fc_host'>
      <wwnn>2000000012341234</wwnn>
      <wwpn>1000000012341234</wwpn>
      <fabric_wwn>2000000043214321</fabric_wwn>
    </capability>
    <capability type='vport_ops'>
      <max_vports>0</max_vports>
      <vports>0</vports>
    </capability>
  </capability>
</device>
",
    "<device>
  <name>scsi_host2</name>
  <parent>computer</parent>
  <capability type='scsi_host'>
    <host>2</host>
    <unique_id>1</unique_id>
    <capability type='fc_host'>
      <wwnn>2000000056785678</wwnn>
      <wwpn>1000000056785678</wwpn>
      <fabric_wwn>2000000087658765</fabric_wwn>
    </capability>
    <capability type='vport_ops'>
      <max_vports>0</max_vports>
      <vports>0</vports>
    </capability>
  </capability>
</device>
",
    "<device>
  <name>scsi_host11</name>
  <parent>scsi_host1</parent>
  <capability type='scsi_host'>
    <host>11</host>
    <unique_id>10</unique_id>
    <capability type='fc_host'>
      <wwnn>2000000034563456</wwnn>
      <wwpn>1000000034563456</wwpn>
      <fabric_wwn>2000000043214321</fabric_wwn>
    </capability>
  </capability>
</device>
",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_list_two_cells_of_eight_cpus() {
        let caps = capabilities(true);
        assert!(caps.contains("<cells num='2'>"));
        assert!(caps.contains("<cpu id='15' socket_id='1' die_id='0' core_id='7' siblings='15'/>"));
        assert!(caps.contains("<pages unit='KiB' size='8'>524288</pages>"));
        assert!(caps.ends_with("  </guest>\n\n</capabilities>\n"));
    }

    #[test]
    fn node_file_capabilities_have_no_cells() {
        assert!(capabilities(false).contains("<topology>\n      <cells num='0'>\n      </cells>\n"));
    }
}
