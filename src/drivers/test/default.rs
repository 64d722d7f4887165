//! `test:///default`: libvirt's built-in fake host with one running domain.

use crate::api::{reason, DomainState, Result};
use crate::model::domain::DomainDef;

use super::host::{default_node_info, HostObjects};
use super::state::{DomainObj, State};

/// The definition of domain `test`, as libvirt's test driver holds it.
pub const DEFAULT_DOMAIN_XML: &str = "<domain type='test'>
  <name>test</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  <memory unit='KiB'>8388608</memory>
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='i686'>hvm</type>
    <boot dev='hd'/>
  </os>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <source file='/guest/diskimage1'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </disk>
    <interface type='network'>
      <mac address='aa:bb:cc:dd:ee:ff'/>
      <source network='default'/>
      <target dev='testnet0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>
    </interface>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
    </memballoon>
  </devices>
</domain>
";

/// A fresh default world: `test` running as id 1 (reason unknown, as
/// libvirt leaves it), persistent, not autostarted.
pub fn state() -> Result<State> {
    let mut state = State::new(default_node_info(), true);
    state.host = HostObjects::defaults();
    let def = DomainDef::parse(DEFAULT_DOMAIN_XML)?;
    let index = state.push_domain(DomainObj::defined(def));
    state.start(index, DomainState::Running, reason::UNKNOWN);
    Ok(state)
}
