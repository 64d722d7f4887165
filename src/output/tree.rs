//! virsh's `--tree` listings (snapshot-list, checkpoint-list): every root of
//! a forest with its descendants below it, drawn with `|` and `+-`.

use std::collections::HashMap;
use std::io::{self, Write};

/// One node of the forest: its name and, unless it is a root, its parent's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeNode<'a> {
    pub name: &'a str,
    pub parent: Option<&'a str>,
}

/// Draws every root (a node without a parent) in list order, each followed by
/// its subtree; children appear in list order too. A node whose parent is not
/// in the list is not drawn, as in virsh.
pub fn forest(nodes: &[TreeNode<'_>]) -> String {
    let mut out = Vec::new();
    write_forest(nodes, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("names are text")
}

/// Like `forest`, written as it is drawn. A tree's lines grow with its depth,
/// so a deep one draws far more text than it has nodes: it is never held
/// whole, and the walk keeps its own stack rather than recursing.
pub fn write_forest(nodes: &[TreeNode<'_>], out: &mut dyn Write) -> io::Result<()> {
    let mut children_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if let Some(parent) = node.parent {
            children_of.entry(parent).or_default().push(i);
        }
    }
    let mut drawer = Drawer {
        nodes,
        children_of,
        on_path: vec![false; nodes.len()],
        indent: String::new(),
        stack: Vec::new(),
        out,
    };
    for (i, node) in nodes.iter().enumerate() {
        if node.parent.is_none() {
            drawer.draw(i)?;
        }
    }
    Ok(())
}

/// One node being drawn: its children (those not already on the path, so a
/// cycle in bad data ends) and how many of them are done.
struct Frame {
    at: usize,
    root: bool,
    last: bool,
    children: Vec<usize>,
    next: usize,
}

struct Drawer<'a, 'w> {
    nodes: &'a [TreeNode<'a>],
    children_of: HashMap<&'a str, Vec<usize>>,
    on_path: Vec<bool>,
    /// The prefix the next node's line gets.
    indent: String,
    stack: Vec<Frame>,
    out: &'w mut dyn Write,
}

impl Drawer<'_, '_> {
    /// Draws the tree below root `at`.
    fn draw(&mut self, at: usize) -> io::Result<()> {
        self.enter(at, true, true)?;
        while let Some(frame) = self.stack.last_mut() {
            if frame.next < frame.children.len() {
                let child = frame.children[frame.next];
                frame.next += 1;
                let last = frame.next == frame.children.len();
                self.enter(child, false, last)?;
            } else {
                let frame = self.stack.pop().expect("a frame");
                self.leave(frame)?;
            }
        }
        Ok(())
    }

    /// The node's line, and the `|` under it when children follow.
    fn enter(&mut self, at: usize, root: bool, last: bool) -> io::Result<()> {
        let name = self.nodes[at].name;
        self.out.write_all(self.indent.as_bytes())?;
        if !root {
            self.out.write_all(b"+- ")?;
        }
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b"\n")?;
        if !root {
            self.indent.push(if last { ' ' } else { '|' });
            self.indent.push(' ');
        }
        self.on_path[at] = true;
        let children: Vec<usize> = self
            .children_of
            .get(name)
            .map(|kids| kids.iter().copied().filter(|&i| !self.on_path[i]).collect())
            .unwrap_or_default();
        if !children.is_empty() {
            self.out.write_all(self.indent.as_bytes())?;
            self.out.write_all(b"  |\n")?;
        }
        self.indent.push_str("  ");
        self.stack.push(Frame {
            at,
            root,
            last,
            children,
            next: 0,
        });
        Ok(())
    }

    /// A leaf that ends a sibling list is followed by a line of its indent
    /// alone.
    fn leave(&mut self, frame: Frame) -> io::Result<()> {
        self.indent.truncate(self.indent.len() - 2);
        if frame.children.is_empty() && frame.last {
            self.out.write_all(self.indent.as_bytes())?;
            self.out.write_all(b"\n")?;
        }
        self.on_path[frame.at] = false;
        if !frame.root {
            self.indent.truncate(self.indent.len() - 2);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes<'a>(pairs: &[(&'a str, Option<&'a str>)]) -> Vec<TreeNode<'a>> {
        pairs
            .iter()
            .map(|&(name, parent)| TreeNode { name, parent })
            .collect()
    }

    #[test]
    fn single_root() {
        assert_eq!(forest(&nodes(&[("s1", None)])), "s1\n\n");
    }

    #[test]
    fn chain() {
        let text = forest(&nodes(&[
            ("s1", None),
            ("s2", Some("s1")),
            ("s3", Some("s2")),
        ]));
        assert_eq!(text, "s1\n  |\n  +- s2\n      |\n      +- s3\n        \n");
    }

    #[test]
    fn branches_as_virsh_draws_them() {
        let text = forest(&nodes(&[
            ("s1", None),
            ("s2", Some("s1")),
            ("s3", Some("s2")),
            ("s4", Some("s1")),
            ("s5", Some("s4")),
            ("s6", Some("s2")),
        ]));
        let expected = "s1\n  |\n  +- s2\n  |   |\n  |   +- s3\n  |   +- s6\n  |     \n  +- s4\n      |\n      +- s5\n        \n";
        assert_eq!(text, expected);
    }

    #[test]
    fn several_roots_in_list_order() {
        let text = forest(&nodes(&[("a", None), ("b", None), ("c", Some("a"))]));
        assert_eq!(text, "a\n  |\n  +- c\n    \nb\n\n");
    }

    #[test]
    fn orphans_are_not_drawn() {
        assert_eq!(forest(&nodes(&[("x", Some("gone")), ("r", None)])), "r\n\n");
    }

    #[test]
    fn cycles_end() {
        let text = forest(&nodes(&[("r", None), ("a", Some("r")), ("a", Some("a"))]));
        assert!(text.starts_with("r\n  |\n  +- a\n"));
    }

    #[test]
    fn a_deep_chain_draws_without_recursing() {
        let names: Vec<String> = (0..3_000).map(|i| format!("s{i}")).collect();
        let nodes: Vec<TreeNode> = names
            .iter()
            .enumerate()
            .map(|(i, name)| TreeNode {
                name,
                parent: i.checked_sub(1).map(|p| names[p].as_str()),
            })
            .collect();
        let mut lines = 0usize;
        let mut bytes = 0usize;
        struct Count<'a>(&'a mut usize, &'a mut usize);
        impl Write for Count<'_> {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                *self.0 += b.iter().filter(|&&c| c == b'\n').count();
                *self.1 += b.len();
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        // A small stack: a recursive walk this deep would overflow it.
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn_scoped(scope, || {
                    write_forest(&nodes, &mut Count(&mut lines, &mut bytes)).unwrap()
                })
                .unwrap()
                .join()
                .unwrap()
        });
        // A line per node, a `|` line per parent, and the closing line.
        assert_eq!(lines, 3_000 * 2);
        // The deepest line is indented four columns per level.
        assert!(bytes > 4 * 3_000 * 2_999 / 2 * 2, "{bytes}");
    }

    #[test]
    fn empty() {
        assert_eq!(forest(&[]), "");
    }
}
