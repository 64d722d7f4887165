//! virsh's `--tree` listings (snapshot-list, checkpoint-list): every root of
//! a forest with its descendants below it, drawn with `|` and `+-`.

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
    let mut out = String::new();
    for (i, node) in nodes.iter().enumerate() {
        if node.parent.is_none() {
            let mut indent = String::new();
            let mut path = Vec::new();
            draw(nodes, i, true, true, &mut indent, &mut path, &mut out);
        }
    }
    out
}

/// Draws node `at` and its subtree. `indent` is the prefix the node's own
/// line gets; `last` says whether it is the last child of its parent (a root
/// counts as last). `path` holds the nodes being drawn, so a cycle in bad
/// data ends instead of recursing forever.
fn draw(
    nodes: &[TreeNode<'_>],
    at: usize,
    root: bool,
    last: bool,
    indent: &mut String,
    path: &mut Vec<usize>,
    out: &mut String,
) {
    let name = nodes[at].name;
    out.push_str(indent);
    if !root {
        out.push_str("+- ");
    }
    out.push_str(name);
    out.push('\n');
    if !root {
        indent.push(if last { ' ' } else { '|' });
        indent.push(' ');
    }
    path.push(at);
    let children: Vec<usize> = (0..nodes.len())
        .filter(|&i| nodes[i].parent == Some(name) && !path.contains(&i))
        .collect();
    if !children.is_empty() {
        out.push_str(indent);
        out.push_str("  |\n");
    }
    indent.push_str("  ");
    for (k, &child) in children.iter().enumerate() {
        draw(
            nodes,
            child,
            false,
            k + 1 == children.len(),
            indent,
            path,
            out,
        );
    }
    indent.truncate(indent.len() - 2);
    // A leaf that ends a sibling list is followed by a line of its indent alone.
    if children.is_empty() && last {
        out.push_str(indent);
        out.push('\n');
    }
    path.pop();
    if !root {
        indent.truncate(indent.len() - 2);
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
    fn empty() {
        assert_eq!(forest(&[]), "");
    }
}
