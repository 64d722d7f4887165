//! The test driver: an in-memory hypervisor faithful to libvirt's.
//!
//! `test:///default` is libvirt's fixed fake host; every connection to it in
//! one process shares one state, which lives as long as some connection
//! does. `test:///PATH.xml` loads a node file into a state private to the
//! connection.

mod checkpoint;
mod default;
mod domain;
mod errors;
mod host;
mod metadata;
mod moments;
mod nodefile;
mod save;
mod snapshot;
mod state;
mod taint;
mod tunables;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard, Weak};

use crate::api::auth::{self, Authenticator};
use crate::api::uri::Uri;
use crate::api::*;

use state::State;

/// The default state of this process, while some connection holds it.
static DEFAULT_STATE: Mutex<Weak<Mutex<State>>> = Mutex::new(Weak::new());

pub fn open(uri: &Uri, name: &str) -> Result<Arc<dyn Driver>> {
    if uri.path.is_empty() || uri.path == "/" {
        return Err(errors::invalid_arg(
            "testOpen: supply a path or use test:///default",
        ));
    }
    let state = if uri.path == "/default" {
        shared_state(&DEFAULT_STATE, default::state)?
    } else {
        Arc::new(Mutex::new(nodefile::load(&uri.path)?))
    };
    Ok(Arc::new(TestDriver {
        state,
        uri: canonical_uri(uri, name),
    }))
}

/// Joins the state in `slot`, or creates it when no connection holds one,
/// so it resets once the last connection closes.
fn shared_state(
    slot: &Mutex<Weak<Mutex<State>>>,
    create: impl FnOnce() -> Result<State>,
) -> Result<Arc<Mutex<State>>> {
    let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(state) = slot.upgrade() {
        return Ok(state);
    }
    let state = Arc::new(Mutex::new(create()?));
    *slot = Arc::downgrade(&state);
    Ok(state)
}

/// The URI as libvirt prints it: an empty authority (`test:/default` and
/// `test:///default` both become `test:///default`, `test:x.xml`
/// `test://x.xml`), the path re-escaped, query and fragment as written.
fn canonical_uri(uri: &Uri, name: &str) -> String {
    let mut out = String::from("test://");
    for b in uri.path.bytes() {
        // libxml2 leaves unreserved and path-reserved characters alone.
        if b.is_ascii_alphanumeric() || b"-_.!~*'()/;:@&=+$,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    let (before_fragment, fragment) = match name.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (name, None),
    };
    if let Some((_, query)) = before_fragment.split_once('?') {
        out.push('?');
        out.push_str(query);
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// One connection to the test driver.
pub struct TestDriver {
    state: Arc<Mutex<State>>,
    uri: String,
}

impl TestDriver {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; go on.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A connection to a fresh default state of its own, for tests that
    /// must not see other tests' changes.
    #[cfg(test)]
    fn private_default() -> TestDriver {
        TestDriver {
            state: Arc::new(Mutex::new(default::state().expect("default state"))),
            uri: "test:///default".into(),
        }
    }
}

impl Driver for TestDriver {
    fn uri(&self) -> String {
        self.uri.clone()
    }

    /// A node file with `<auth>` users wants a user name, and a password
    /// unless that user has none; an unknown user is asked for one too.
    fn authenticate(&self, uri: &Uri, mut auth: Option<&mut dyn Authenticator>) -> Result<()> {
        let users = self.lock().auth_users.clone();
        if users.is_empty() {
            return Ok(());
        }
        let name = auth::username(uri, auth.as_deref_mut(), "test", "localhost")?;
        let user = users.iter().find(|u| u.name == name);
        let password = match user {
            Some(u) if u.password.is_none() => None,
            _ => Some(auth::password(uri, auth, "test", &name, "localhost")?),
        };
        match user {
            Some(u) if u.password == password => Ok(()),
            _ => Err(Error::new(
                ErrorCode::AuthFailed,
                ErrorDomain::Test,
                "authentication failed, see test XML for the correct username/password",
            )),
        }
    }

    fn get_type(&self) -> Result<String> {
        Ok("TEST".into())
    }

    fn get_version(&self) -> Result<u64> {
        Ok(host::HYPERVISOR_VERSION)
    }

    fn get_hostname(&self) -> Result<String> {
        Ok(host::host_name())
    }

    fn get_capabilities(&self) -> Result<String> {
        Ok(host::capabilities(self.lock().numa_cells))
    }

    fn get_sysinfo(&self, flags: u32) -> Result<String> {
        errors::check_flags(flags, 0, "testConnectGetSysinfo")?;
        Ok(host::SYSINFO.into())
    }

    fn node_get_info(&self) -> Result<NodeInfo> {
        Ok(self.lock().node.clone())
    }

    fn node_get_security_model(&self) -> Result<SecurityModel> {
        Ok(host::security_model())
    }

    fn list_all_domains(&self, flags: u32) -> Result<Vec<Domain>> {
        self.lock().list_all_domains(flags)
    }

    fn domain_lookup_by_id(&self, id: i32) -> Result<Domain> {
        self.lock().lookup_by_id(id)
    }

    fn domain_lookup_by_uuid(&self, uuid: &Uuid) -> Result<Domain> {
        self.lock().lookup_by_uuid(uuid)
    }

    fn domain_lookup_by_name(&self, name: &str) -> Result<Domain> {
        self.lock().lookup_by_name(name)
    }

    fn domain_define_xml(&self, xml: &str, flags: u32) -> Result<Domain> {
        self.lock().define_xml(xml, flags)
    }

    fn domain_create_xml(&self, xml: &str, flags: u32) -> Result<Domain> {
        self.lock().create_xml(xml, flags)
    }

    fn domain_undefine(&self, dom: &Domain, flags: u32) -> Result<()> {
        self.lock().undefine(dom, flags)
    }

    fn domain_create(&self, dom: &Domain, flags: u32) -> Result<Domain> {
        self.lock().create(dom, flags)
    }

    fn domain_shutdown(&self, dom: &Domain, flags: u32) -> Result<()> {
        self.lock().shutdown(dom, flags)
    }

    fn domain_reboot(&self, dom: &Domain, flags: u32) -> Result<()> {
        self.lock().reboot(dom, flags)
    }

    fn domain_reset(&self, dom: &Domain, flags: u32) -> Result<()> {
        self.lock().reset(dom, flags)
    }

    fn domain_destroy(&self, dom: &Domain, flags: u32) -> Result<()> {
        self.lock().destroy(dom, flags)
    }

    fn domain_suspend(&self, dom: &Domain) -> Result<()> {
        self.lock().suspend(dom)
    }

    fn domain_resume(&self, dom: &Domain) -> Result<()> {
        self.lock().resume(dom)
    }

    fn domain_get_info(&self, dom: &Domain) -> Result<DomainInfo> {
        self.lock().info(dom)
    }

    fn domain_get_state(&self, dom: &Domain, flags: u32) -> Result<(DomainState, i32)> {
        self.lock().state_of(dom, flags)
    }

    fn domain_get_xml_desc(&self, dom: &Domain, flags: u32) -> Result<String> {
        self.lock().xml_desc(dom, flags)
    }

    /// libvirt's test driver names every guest OS "linux".
    fn domain_get_os_type(&self, dom: &Domain) -> Result<String> {
        self.lock().get(dom)?;
        Ok("linux".into())
    }

    fn domain_get_autostart(&self, dom: &Domain) -> Result<bool> {
        self.lock().autostart(dom)
    }

    fn domain_set_autostart(&self, dom: &Domain, autostart: bool) -> Result<()> {
        self.lock().set_autostart(dom, autostart)
    }

    fn domain_is_active(&self, dom: &Domain) -> Result<bool> {
        Ok(self.lock().get(dom)?.is_active())
    }

    fn domain_is_persistent(&self, dom: &Domain) -> Result<bool> {
        Ok(self.lock().get(dom)?.is_persistent())
    }

    fn domain_has_managed_save_image(&self, dom: &Domain, flags: u32) -> Result<bool> {
        self.lock().has_managed_save(dom, flags)
    }

    fn domain_get_security_label(&self, dom: &Domain) -> Result<SecurityLabel> {
        self.lock().security_label(dom)
    }

    fn domain_get_messages(&self, dom: &Domain, flags: u32) -> Result<Vec<String>> {
        taint::messages(self.lock().get(dom)?, flags)
    }

    fn domain_set_memory_flags(&self, dom: &Domain, kib: u64, flags: u32) -> Result<()> {
        self.lock().set_memory_flags(dom, kib, flags)
    }

    fn domain_set_max_memory(&self, dom: &Domain, kib: u64) -> Result<()> {
        self.lock().set_max_memory(dom, kib)
    }

    /// The flag-less call changes the running domain, as libvirt's does.
    fn domain_set_vcpus(&self, dom: &Domain, count: u32) -> Result<()> {
        self.lock()
            .set_vcpus_flags(dom, count, crate::api::flags::affect::LIVE)
    }

    fn domain_set_vcpus_flags(&self, dom: &Domain, count: u32, flags: u32) -> Result<()> {
        self.lock().set_vcpus_flags(dom, count, flags)
    }

    fn domain_get_vcpus_flags(&self, dom: &Domain, flags: u32) -> Result<i32> {
        self.lock().get_vcpus_flags(dom, flags)
    }

    fn domain_get_max_vcpus(&self, dom: &Domain) -> Result<i32> {
        self.lock().max_vcpus(dom)
    }

    fn domain_get_block_info(&self, dom: &Domain, disk: &str, flags: u32) -> Result<BlockInfo> {
        self.lock().block_info(dom, disk, flags)
    }

    fn domain_rename(&self, dom: &Domain, new_name: &str, flags: u32) -> Result<Domain> {
        self.lock().rename(dom, new_name, flags)
    }

    fn domain_save(&self, dom: &Domain, path: &str, dxml: Option<&str>, flags: u32) -> Result<()> {
        self.lock().save(dom, path, dxml, flags)
    }

    fn domain_restore(&self, path: &str, dxml: Option<&str>, flags: u32) -> Result<()> {
        self.lock().restore(path, dxml, flags)
    }

    fn domain_managed_save(&self, dom: &Domain, flags: u32) -> Result<()> {
        self.lock().managed_save(dom, flags)
    }

    fn domain_managed_save_remove(&self, dom: &Domain, flags: u32) -> Result<()> {
        self.lock().managed_save_remove(dom, flags)
    }

    fn domain_get_metadata(
        &self,
        dom: &Domain,
        kind: i32,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<String> {
        self.lock().get_metadata(dom, kind, uri, flags)
    }

    fn domain_set_metadata(
        &self,
        dom: &Domain,
        kind: i32,
        value: Option<&str>,
        key: Option<&str>,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        self.lock().set_metadata(dom, kind, value, key, uri, flags)
    }

    fn domain_get_hostname(&self, dom: &Domain, flags: u32) -> Result<String> {
        self.lock().guest_hostname(dom, flags)
    }

    fn domain_memory_stats(&self, dom: &Domain, flags: u32) -> Result<Vec<MemoryStat>> {
        self.lock().memory_stats(dom, flags)
    }

    fn domain_set_memory_stats_period(&self, dom: &Domain, period: i32, flags: u32) -> Result<()> {
        self.lock().set_memory_stats_period(dom, period, flags)
    }

    fn domain_snapshot_create_xml(
        &self,
        dom: &Domain,
        xml: &str,
        flags: u32,
    ) -> Result<DomainSnapshot> {
        self.lock().snapshot_create_xml(dom, xml, flags)
    }

    fn domain_snapshot_get_xml_desc(&self, snap: &DomainSnapshot, flags: u32) -> Result<String> {
        self.lock().snapshot_get_xml_desc(snap, flags)
    }

    fn domain_list_all_snapshots(&self, dom: &Domain, flags: u32) -> Result<Vec<DomainSnapshot>> {
        self.lock().list_all_snapshots(dom, flags)
    }

    fn domain_snapshot_list_all_children(
        &self,
        snap: &DomainSnapshot,
        flags: u32,
    ) -> Result<Vec<DomainSnapshot>> {
        self.lock().snapshot_list_children(snap, flags)
    }

    fn domain_snapshot_lookup_by_name(
        &self,
        dom: &Domain,
        name: &str,
        flags: u32,
    ) -> Result<DomainSnapshot> {
        self.lock().snapshot_lookup_by_name(dom, name, flags)
    }

    fn domain_has_current_snapshot(&self, dom: &Domain, flags: u32) -> Result<bool> {
        self.lock().has_current_snapshot(dom, flags)
    }

    fn domain_snapshot_current(&self, dom: &Domain, flags: u32) -> Result<DomainSnapshot> {
        self.lock().snapshot_current(dom, flags)
    }

    fn domain_snapshot_get_parent(
        &self,
        snap: &DomainSnapshot,
        flags: u32,
    ) -> Result<DomainSnapshot> {
        self.lock().snapshot_parent(snap, flags)
    }

    fn domain_snapshot_is_current(&self, snap: &DomainSnapshot, flags: u32) -> Result<bool> {
        self.lock().snapshot_is_current(snap, flags)
    }

    fn domain_snapshot_has_metadata(&self, snap: &DomainSnapshot, flags: u32) -> Result<bool> {
        self.lock().snapshot_has_metadata(snap, flags)
    }

    fn domain_revert_to_snapshot(&self, snap: &DomainSnapshot, flags: u32) -> Result<()> {
        self.lock().revert_to_snapshot(snap, flags)
    }

    fn domain_snapshot_delete(&self, snap: &DomainSnapshot, flags: u32) -> Result<()> {
        self.lock().snapshot_delete(snap, flags)
    }

    fn domain_checkpoint_create_xml(
        &self,
        dom: &Domain,
        xml: &str,
        flags: u32,
    ) -> Result<DomainCheckpoint> {
        self.lock().checkpoint_create_xml(dom, xml, flags)
    }

    fn domain_checkpoint_get_xml_desc(&self, cp: &DomainCheckpoint, flags: u32) -> Result<String> {
        self.lock().checkpoint_get_xml_desc(cp, flags)
    }

    fn domain_list_all_checkpoints(
        &self,
        dom: &Domain,
        flags: u32,
    ) -> Result<Vec<DomainCheckpoint>> {
        self.lock().list_all_checkpoints(dom, flags)
    }

    fn domain_checkpoint_list_all_children(
        &self,
        cp: &DomainCheckpoint,
        flags: u32,
    ) -> Result<Vec<DomainCheckpoint>> {
        self.lock().checkpoint_list_children(cp, flags)
    }

    fn domain_checkpoint_lookup_by_name(
        &self,
        dom: &Domain,
        name: &str,
        flags: u32,
    ) -> Result<DomainCheckpoint> {
        self.lock().checkpoint_lookup_by_name(dom, name, flags)
    }

    fn domain_checkpoint_get_parent(
        &self,
        cp: &DomainCheckpoint,
        flags: u32,
    ) -> Result<DomainCheckpoint> {
        self.lock().checkpoint_parent(cp, flags)
    }

    fn domain_checkpoint_delete(&self, cp: &DomainCheckpoint, flags: u32) -> Result<()> {
        self.lock().checkpoint_delete(cp, flags)
    }
}
