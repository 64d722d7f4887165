//! The listing snapshot-list and checkpoint-list print: a table (with a
//! State column for snapshots), names only, or a tree; in JSON an array.

use serde::Serialize;

use crate::output::render::{rfc3339, Render};
use crate::output::table::Table;
use crate::output::tree::{forest, write_forest, TreeNode};

/// One listed snapshot or checkpoint. Details come from its XML, which the
/// tree and name layouts do not need (so text output does not ask for it there).
#[derive(Serialize)]
pub struct MomentEntry {
    pub name: String,
    #[serde(serialize_with = "time_json")]
    pub creation_time: Option<i64>,
    /// Snapshots only: the domain state the snapshot recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub parent: Option<String>,
    /// The parent as the tree is drawn: none for a root, or for `--from`'s start.
    #[serde(skip)]
    pub tree_parent: Option<String>,
}

impl MomentEntry {
    pub fn new(name: &str, tree_parent: Option<String>) -> MomentEntry {
        MomentEntry {
            name: name.to_string(),
            creation_time: None,
            state: None,
            parent: None,
            tree_parent,
        }
    }
}

fn time_json<S: serde::Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    t.map(rfc3339).serialize(s)
}

#[derive(Clone, Copy, PartialEq)]
pub enum Layout {
    Table { parent: bool },
    Names,
    Tree,
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct MomentListing {
    pub entries: Vec<MomentEntry>,
    #[serde(skip)]
    pub layout: Layout,
    /// Snapshot tables have a State column; checkpoint tables do not.
    #[serde(skip)]
    pub with_state: bool,
}

impl MomentListing {
    fn tree_nodes(&self) -> Vec<TreeNode<'_>> {
        self.entries
            .iter()
            .map(|e| TreeNode {
                name: &e.name,
                parent: e.tree_parent.as_deref(),
            })
            .collect()
    }
}

impl Render for MomentListing {
    fn write_text(&self, quiet: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self.layout {
            // A deep tree's text grows with the square of its depth.
            Layout::Tree => write_forest(&self.tree_nodes(), out),
            _ => out.write_all(self.text(quiet).as_bytes()),
        }
    }

    fn text(&self, quiet: bool) -> String {
        match self.layout {
            Layout::Tree => forest(&self.tree_nodes()),
            Layout::Names => self
                .entries
                .iter()
                .map(|e| format!("{}\n", e.name))
                .collect(),
            Layout::Table { parent } => {
                let mut header = vec!["Name", "Creation Time"];
                if self.with_state {
                    header.push("State");
                }
                if parent {
                    header.push("Parent");
                }
                let mut table = Table::new(&header);
                // virsh leaves out an entry whose XML it could not read.
                for e in &self.entries {
                    let Some(time) = e.creation_time else {
                        continue;
                    };
                    let mut row = vec![
                        e.name.clone(),
                        crate::output::time::local(time, "%Y-%m-%d %H:%M:%S %z"),
                    ];
                    if self.with_state {
                        let Some(state) = &e.state else { continue };
                        row.push(state.clone());
                    }
                    if parent {
                        row.push(e.parent.clone().unwrap_or_default());
                    }
                    table.row(row);
                }
                table.render(quiet)
            }
        }
    }
}
