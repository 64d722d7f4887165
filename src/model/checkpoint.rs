//! `<domaincheckpoint>` documents.
//!
//! libvirt validates every checkpoint document against its schema before
//! reading it, so `parse_with` reports schema failures with libxml2's
//! words first, then libvirt's own checks. `align_disks` and
//! `redefine_prep` are the checks libvirt runs before storing one;
//! `build_create_as_xml` is what `checkpoint-create-as --print-xml` prints.

use crate::error::{Error, Result};
use crate::model::domain::{DomainDef, FormatOptions as DomainFormatOptions};
use crate::model::snapshot::{
    bad_enum_attr, check_interleave, disk_is_empty, is_abs_path, is_target_dev, is_unsigned_long,
    no_text, now_secs, plausible_domain, read_root, schema_error, split_spec, text_only, virsh_esc,
    xpath_string, DiskIndex, Group,
};
use crate::model::units::parse_i64;
use crate::model::xml::{Element, Out};
use uuid::Uuid;

/// `checkpoint=` of a disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckpointType {
    /// Not decided yet (only before alignment).
    #[default]
    Default,
    No,
    Bitmap,
}

impl CheckpointType {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckpointType::Default => "default",
            CheckpointType::No => "no",
            CheckpointType::Bitmap => "bitmap",
        }
    }
}

/// One `<disk>` of a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckpointDisk {
    /// Target (`vda`) or, as a user may write it, a source path.
    pub name: String,
    pub checkpoint: CheckpointType,
    /// The dirty bitmap's name; defaults to the checkpoint's name.
    pub bitmap: Option<String>,
    /// Bytes changed since the checkpoint (`--size`), filled by the driver.
    pub size: Option<u64>,
}

/// A checkpoint definition.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckpointDef {
    pub name: String,
    pub description: Option<String>,
    pub parent: Option<String>,
    /// Unix seconds; 0 is not printed.
    pub creation_time: i64,
    pub disks: Vec<CheckpointDisk>,
    pub domain: Option<DomainDef>,
}

/// How to read a checkpoint document.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckpointParseFlags {
    /// `--redefine`: name and creation time required; parent and domain read.
    pub redefine: bool,
    /// Trusted driver metadata: skip the schema check.
    pub skip_validation: bool,
}

/// What to include when formatting (`checkpoint-dumpxml` options).
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckpointFormatOptions {
    /// `--security-info`
    pub secure: bool,
    /// `--no-domain`
    pub no_domain: bool,
    /// `--size`: `size=` on bitmap disks whose size the driver filled in.
    pub size: bool,
}

impl CheckpointDef {
    /// Parses as `checkpoint-create FILE` does.
    pub fn parse(xml: &str) -> Result<CheckpointDef> {
        CheckpointDef::parse_with(xml, CheckpointParseFlags::default())
    }

    /// Parses with libvirt's flags. Without `redefine` the name defaults
    /// to, and the creation time is, the current Unix time; parent,
    /// creation time and domain in the document are ignored.
    pub fn parse_with(xml: &str, flags: CheckpointParseFlags) -> Result<CheckpointDef> {
        let root = read_root(xml, "(domain_checkpoint)", "domaincheckpoint")?;
        if !flags.skip_validation {
            validate_checkpoint(&root)?;
        }
        CheckpointDef::from_element(&root, flags)
    }

    /// Reads an already-parsed (and validated) `<domaincheckpoint>`.
    pub fn from_element(root: &Element, flags: CheckpointParseFlags) -> Result<CheckpointDef> {
        let mut def = CheckpointDef::default();
        let name = xpath_string(root, "name");
        if name.is_none() && flags.redefine {
            return Err(Error::xml("a redefined checkpoint must have a name"));
        }
        def.description = xpath_string(root, "description");
        if flags.redefine {
            def.name = name.unwrap_or_default();
            def.creation_time = xpath_string(root, "creationTime")
                .and_then(|t| parse_i64(&t))
                .ok_or_else(|| Error::internal("missing creationTime from existing checkpoint"))?;
            def.parent = root.child("parent").and_then(|p| xpath_string(p, "name"));
            if let Some(d) = root.child("domain") {
                def.domain = Some(DomainDef::from_element(d)?);
            }
        } else {
            let now = now_secs();
            def.name = name.unwrap_or_else(|| now.to_string());
            def.creation_time = now;
        }
        if let Some(disks) = root.child("disks") {
            for d in disks.elements() {
                let checkpoint = match d.attr("checkpoint") {
                    None | Some("bitmap") => CheckpointType::Bitmap,
                    Some("no") => CheckpointType::No,
                    Some(v) => return Err(bad_enum_attr("checkpoint", "disk", v)),
                };
                def.disks.push(CheckpointDisk {
                    name: d.attr("name").unwrap_or_default().to_string(),
                    checkpoint,
                    bitmap: d.attr("bitmap").map(str::to_string),
                    size: None,
                });
            }
        }
        Ok(def)
    }

    /// Formats as `virDomainCheckpointDefFormat` does.
    pub fn format(&self, opts: CheckpointFormatOptions) -> String {
        let mut out = Out::new(0);
        out.line("<domaincheckpoint>");
        out.indent += 1;
        out.text_elem("name", &self.name);
        if let Some(d) = &self.description {
            out.text_elem("description", d);
        }
        if let Some(p) = &self.parent {
            out.line("<parent>");
            out.indent += 1;
            out.text_elem("name", p);
            out.close("parent");
        }
        if self.creation_time != 0 {
            out.text_elem("creationTime", &self.creation_time.to_string());
        }
        if !self.disks.is_empty() {
            out.line("<disks>");
            out.indent += 1;
            for d in self.disks.iter().filter(|d| !d.name.is_empty()) {
                let mut t = out.open("disk").attr("name", &d.name);
                if d.checkpoint != CheckpointType::Default {
                    t = t.attr("checkpoint", d.checkpoint.as_str());
                }
                if let Some(b) = &d.bitmap {
                    t = t.attr("bitmap", b);
                    if opts.size {
                        if let Some(sz) = d.size {
                            t = t.attr_display("size", sz);
                        }
                    }
                }
                t.empty();
            }
            out.close("disks");
        }
        if let (Some(d), false) = (&self.domain, opts.no_domain) {
            let dopts = DomainFormatOptions {
                id: None,
                secure: opts.secure,
            };
            d.format_nested(dopts, "domain", &mut out);
        }
        out.indent -= 1;
        out.line("</domaincheckpoint>");
        out.s
    }

    /// Bitmap disks without a bitmap name get the checkpoint's name.
    pub fn assign_bitmap_names(&mut self) {
        for d in &mut self.disks {
            if d.checkpoint == CheckpointType::Bitmap && d.bitmap.is_none() {
                d.bitmap = Some(self.name.clone());
            }
        }
    }

    /// libvirt's `virDomainCheckpointAlignDisks`: one entry per domain
    /// disk in domain order, named by target. Without `<disks>` every
    /// writable disk with media gets a bitmap; with it, unlisted disks get
    /// none. Empty or read-only disks never get one.
    pub fn align_disks(&mut self) -> Result<()> {
        let Some(dom) = self.domain.as_ref() else {
            return Err(Error::internal("missing domain in checkpoint"));
        };
        if self.disks.len() > dom.disks.len() {
            return Err(Error::config_unsupported(
                "too many disk checkpoint requests for domain",
            ));
        }
        if dom.disks.is_empty() {
            return Err(Error::config_unsupported(
                "domain must have at least one disk to perform checkpoints",
            ));
        }
        let default = if self.disks.is_empty() {
            CheckpointType::Bitmap
        } else {
            CheckpointType::No
        };
        let mut by_index: Vec<Option<CheckpointDisk>> = vec![None; dom.disks.len()];
        let disk_index = DiskIndex::new(dom);
        for mut cd in std::mem::take(&mut self.disks) {
            let Some(idx) = disk_index.find(&cd.name) else {
                return Err(Error::config_unsupported(format!(
                    "no disk named '{}'",
                    cd.name
                )));
            };
            if by_index[idx].is_some() {
                return Err(Error::config_unsupported(format!(
                    "disk '{}' specified twice",
                    cd.name
                )));
            }
            let dd = &dom.disks[idx];
            if (disk_is_empty(dd) || dd.readonly) && cd.checkpoint != CheckpointType::No {
                return Err(Error::config_unsupported(format!(
                    "disk '{}' is empty or readonly",
                    cd.name
                )));
            }
            cd.name = dd.target_dev.clone();
            by_index[idx] = Some(cd);
        }
        let disks = by_index
            .into_iter()
            .zip(&dom.disks)
            .map(|(cd, dd)| {
                cd.unwrap_or_else(|| CheckpointDisk {
                    name: dd.target_dev.clone(),
                    checkpoint: if disk_is_empty(dd) || dd.readonly {
                        CheckpointType::No
                    } else {
                        default
                    },
                    bitmap: None,
                    size: None,
                })
            })
            .collect();
        self.disks = disks;
        self.assign_bitmap_names();
        Ok(())
    }

    /// libvirt's checks before a redefinition is stored: the embedded
    /// domain must be this one; disks are aligned when there is a domain,
    /// else only bitmap names are filled in.
    pub fn redefine_prep(&mut self, domain_uuid: &Uuid) -> Result<()> {
        if let Some(d) = &self.domain {
            if d.uuid != *domain_uuid {
                return Err(Error::invalid_arg(format!(
                    "definition for checkpoint {} must use uuid {}",
                    self.name, domain_uuid
                )));
            }
            self.align_disks()
        } else {
            self.assign_bitmap_names();
            Ok(())
        }
    }
}

/// What `checkpoint-create-as` builds from its options (virsh's own text,
/// printed by `--print-xml`). On a bad spec, the `error: ` lines virsh prints.
pub fn build_create_as_xml(
    name: Option<&str>,
    description: Option<&str>,
    diskspecs: &[&str],
) -> std::result::Result<String, Vec<String>> {
    let mut out = String::from("<domaincheckpoint>\n");
    if let Some(n) = name {
        out.push_str(&format!("  <name>{}</name>\n", virsh_esc(n)));
    }
    if let Some(d) = description {
        out.push_str(&format!("  <description>{}</description>\n", virsh_esc(d)));
    }
    if !diskspecs.is_empty() {
        out.push_str("  <disks>\n");
        for spec in diskspecs {
            let items = split_spec(spec);
            let (mut checkpoint, mut bitmap) = (None, None);
            for it in items.iter().skip(1) {
                if checkpoint.is_none() && it.starts_with("checkpoint=") {
                    checkpoint = Some(&it["checkpoint=".len()..]);
                } else if bitmap.is_none() && it.starts_with("bitmap=") {
                    bitmap = Some(&it["bitmap=".len()..]);
                } else {
                    return Err(vec![format!("unable to parse diskspec: {spec}")]);
                }
            }
            out.push_str("    ");
            if let Some(n) = items.first() {
                out.push_str(&format!("<disk name='{}'", virsh_esc(n)));
            }
            // virsh writes these two without escaping.
            if let Some(c) = checkpoint {
                out.push_str(&format!(" checkpoint='{c}'"));
            }
            if let Some(b) = bitmap {
                out.push_str(&format!(" bitmap='{b}'"));
            }
            out.push_str("/>\n");
        }
        out.push_str("  </disks>\n");
    }
    out.push_str("</domaincheckpoint>\n");
    Ok(out)
}

// ---------------------------------------------------------------------
// domaincheckpoint.rng, at the level of detail libxml2 reports.

/// `checkpointName`: no leading dot, no slash or newline.
fn is_checkpoint_name(s: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut it = s.chars();
    matches!(it.next(), Some(c) if ok(c)) && it.all(|c| ok(c) || c == '.')
}

fn valid_disk(d: &Element) -> bool {
    if d.name != "disk" || d.elements().next().is_some() || !no_text(d) {
        return false;
    }
    if d.attrs
        .iter()
        .any(|(k, _)| !matches!(k.as_str(), "name" | "checkpoint" | "bitmap" | "size"))
    {
        return false;
    }
    if !d
        .attr("name")
        .is_some_and(|n| is_target_dev(n) || is_abs_path(n))
    {
        return false;
    }
    match d.attr("checkpoint") {
        Some("no") => d.attrs.len() == 2,
        None | Some("bitmap") => d.attr("size").is_none_or(is_unsigned_long),
        _ => false,
    }
}

fn validate_checkpoint(root: &Element) -> Result<()> {
    let groups: &[Group] = &[
        ("name", &|e| text_only(e) && is_checkpoint_name(&e.text())),
        ("description", &|e| text_only(e)),
        ("creationTime", &|e| {
            text_only(e) && is_unsigned_long(&e.text())
        }),
        ("disks", &|e| {
            e.attrs.is_empty()
                && no_text(e)
                && e.elements().next().is_some()
                && e.elements().all(valid_disk)
        }),
        ("domain", &plausible_domain),
        ("parent", &|e| {
            e.attrs.is_empty()
                && no_text(e)
                && e.elements().count() == 1
                && e.child("name")
                    .is_some_and(|n| text_only(n) && is_checkpoint_name(&n.text()))
        }),
    ];
    check_interleave(root, "domaincheckpoint", groups, &[])
        .map_err(|m| schema_error("domaincheckpoint.rng", &m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::snapshot::tests::{fixture_domain, inputs, testdata};

    /// What libvirt's test driver does with `checkpoint-create [--redefine]`
    /// on the running fixture domain.
    fn create(xml: &str, redefine: bool, dom: &DomainDef) -> Result<CheckpointDef> {
        let mut def = CheckpointDef::parse_with(
            xml,
            CheckpointParseFlags {
                redefine,
                ..Default::default()
            },
        )?;
        if redefine {
            def.redefine_prep(&dom.uuid)?;
        } else {
            def.domain = Some(dom.clone());
            def.align_disks()?;
        }
        Ok(def)
    }

    /// Creation times of new checkpoints are "now"; fixtures say NOW.
    fn normalise(s: &str) -> String {
        let mut out = String::new();
        for line in s.split_inclusive('\n') {
            if line.trim_start().starts_with("<creationTime>") {
                out.push_str("  <creationTime>NOW</creationTime>\n");
            } else {
                out.push_str(line);
            }
        }
        out
    }

    #[test]
    fn fixtures_format_as_libvirt() {
        let dom = fixture_domain("checkpoint");
        let mut failed = Vec::new();
        for (name, input) in inputs("checkpoint") {
            let redefine = name.starts_with("redef-");
            let def =
                create(&input, redefine, &dom).unwrap_or_else(|e| panic!("{name}: {}", e.message));
            for (ext, opts) in [
                ("out", CheckpointFormatOptions::default()),
                (
                    "secure",
                    CheckpointFormatOptions {
                        secure: true,
                        ..Default::default()
                    },
                ),
                (
                    "nodomain",
                    CheckpointFormatOptions {
                        no_domain: true,
                        ..Default::default()
                    },
                ),
            ] {
                let Ok(want) =
                    std::fs::read_to_string(testdata("checkpoint").join(format!("{name}.{ext}")))
                else {
                    continue;
                };
                let mut got = def.format(opts);
                if !redefine {
                    got = normalise(&got);
                }
                if got != want {
                    eprintln!("--- {name}.{ext}\nexpected:\n{want}\ngot:\n{got}");
                    failed.push(format!("{name}.{ext}"));
                }
            }
        }
        assert!(failed.is_empty(), "mismatched: {failed:?}");
    }

    #[test]
    fn oracle_error_messages_match() {
        let dom = fixture_domain("checkpoint_errors");
        let mut failed = Vec::new();
        for (name, input) in inputs("checkpoint_errors") {
            let want =
                std::fs::read_to_string(testdata("checkpoint_errors").join(format!("{name}.err")))
                    .unwrap();
            let got = match create(&input, name.starts_with("redef-"), &dom) {
                Ok(_) => "<accepted>".to_string(),
                Err(e) => e.message,
            };
            if got.trim_end_matches('\n') != want.trim_end_matches('\n') {
                eprintln!("--- {name}\nexpected: {want}\ngot:      {got}");
                failed.push(name);
            }
        }
        assert!(failed.is_empty(), "mismatched errors: {failed:?}");
    }

    #[test]
    fn schema_verdicts_match_libxml2() {
        crate::model::snapshot::tests::schema_fixtures("checkpoint_schema", validate_checkpoint);
    }

    #[test]
    fn size_only_on_bitmap_disks_when_asked() {
        let mut def = CheckpointDef::parse_with(
            "<domaincheckpoint><name>c</name><creationTime>1</creationTime><disks><disk name='vda' bitmap='c'/><disk name='vdb' checkpoint='no'/></disks></domaincheckpoint>",
            CheckpointParseFlags { redefine: true, ..Default::default() },
        )
        .unwrap();
        def.disks[0].size = Some(1048576);
        def.disks[1].size = Some(5);
        let want = "<domaincheckpoint>\n  <name>c</name>\n  <creationTime>1</creationTime>\n  <disks>\n    \
                    <disk name='vda' checkpoint='bitmap' bitmap='c' size='1048576'/>\n    <disk name='vdb' checkpoint='no'/>\n  \
                    </disks>\n</domaincheckpoint>\n";
        assert_eq!(
            def.format(CheckpointFormatOptions {
                size: true,
                ..Default::default()
            }),
            want
        );
        assert_eq!(
            def.format(Default::default()),
            want.replace(" size='1048576'", "")
        );
    }

    #[test]
    fn create_ignores_redefine_parts_and_defaults_name() {
        let d = CheckpointDef::parse(
            "<domaincheckpoint><description>d</description></domaincheckpoint>",
        )
        .unwrap();
        assert_eq!(d.name, d.creation_time.to_string());
        assert!(d.parent.is_none() && d.domain.is_none());
        // No schema check for trusted metadata.
        let d = CheckpointDef::parse_with(
            "<domaincheckpoint><name>.x</name><creationTime>3</creationTime><bogus/></domaincheckpoint>",
            CheckpointParseFlags { redefine: true, skip_validation: true },
        )
        .unwrap();
        assert_eq!((d.name.as_str(), d.creation_time), (".x", 3));
    }

    #[test]
    fn domain_without_disks_cannot_checkpoint() {
        let mut d =
            CheckpointDef::parse("<domaincheckpoint><name>c</name></domaincheckpoint>").unwrap();
        d.domain = Some(
            DomainDef::parse(
                "<domain type='test'><name>x</name><memory>1024</memory><os><type>hvm</type></os></domain>",
            )
            .unwrap(),
        );
        assert_eq!(
            d.align_disks().unwrap_err().message,
            "unsupported configuration: domain must have at least one disk to perform checkpoints"
        );
        d.domain = None;
        assert_eq!(
            d.align_disks().unwrap_err().message,
            "internal error: missing domain in checkpoint"
        );
    }

    #[test]
    fn malformed_input_never_panics() {
        for s in [
            "",
            "<",
            "<domaincheckpoint",
            "<domaincheckpoint/>",
            "<domaincheckpoint><disks><disk/></disks></domaincheckpoint>",
            "<domaincheckpoint><domain/></domaincheckpoint>",
            "<domaincheckpoint><name>&x;</name></domaincheckpoint>",
        ] {
            for flags in [
                CheckpointParseFlags::default(),
                CheckpointParseFlags {
                    redefine: true,
                    skip_validation: true,
                },
            ] {
                let _ = CheckpointDef::parse_with(s, flags);
            }
        }
    }
}
