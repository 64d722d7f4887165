//! A domain's snapshots or checkpoints ("moments"): a forest kept with a
//! parent→children index, so listings, trees and child queries walk only
//! what they return.
//!
//! The order of walks is libvirt's: a moment linked under a parent goes in
//! front of its siblings, and descendants are visited depth first, parents
//! before children. `--topological` listings show exactly that order.

use std::collections::HashMap;

/// One moment and its place in the tree.
#[derive(Debug, Clone)]
struct Node<D> {
    name: String,
    def: D,
    parent: Option<usize>,
    /// In link order; walks visit them newest first.
    children: Vec<usize>,
}

/// Where a walk starts: the whole forest, or below one moment.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every moment, or only the roots.
    All { roots_only: bool },
    /// The moment's children, or all its descendants.
    Below { name: &'a str, descendants: bool },
}

/// A forest of named moments with one of them possibly current.
#[derive(Debug, Clone)]
pub struct MomentTree<D> {
    /// Slots of removed moments are reused.
    nodes: Vec<Option<Node<D>>>,
    free: Vec<usize>,
    by_name: HashMap<String, usize>,
    /// The roots, in link order.
    roots: Vec<usize>,
    current: Option<usize>,
}

impl<D> Default for MomentTree<D> {
    fn default() -> Self {
        MomentTree {
            nodes: Vec::new(),
            free: Vec::new(),
            by_name: HashMap::new(),
            roots: Vec::new(),
            current: None,
        }
    }
}

impl<D> MomentTree<D> {
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    fn node(&self, id: usize) -> &Node<D> {
        self.nodes[id].as_ref().expect("live moment id")
    }

    fn node_mut(&mut self, id: usize) -> &mut Node<D> {
        self.nodes[id].as_mut().expect("live moment id")
    }

    pub fn get(&self, name: &str) -> Option<&D> {
        self.by_name.get(name).map(|&id| &self.node(id).def)
    }

    pub fn current(&self) -> Option<&str> {
        self.current.map(|id| self.node(id).name.as_str())
    }

    /// Makes `name` current (`None`: no current moment). Unknown names
    /// clear it.
    pub fn set_current(&mut self, name: Option<&str>) {
        self.current = name.and_then(|n| self.by_name.get(n).copied());
    }

    pub fn is_current(&self, name: &str) -> bool {
        self.current.is_some() && self.by_name.get(name).copied() == self.current
    }

    pub fn parent(&self, name: &str) -> Option<&str> {
        let id = *self.by_name.get(name)?;
        self.node(id).parent.map(|p| self.node(p).name.as_str())
    }

    pub fn child_count(&self, name: &str) -> usize {
        self.by_name
            .get(name)
            .map_or(0, |&id| self.node(id).children.len())
    }

    /// Adds a moment under `parent` (a root when `None` or unknown).
    /// The caller has checked the name is free.
    pub fn insert(&mut self, name: &str, def: D, parent: Option<&str>) {
        let node = Node {
            name: name.to_string(),
            def,
            parent: None,
            children: Vec::new(),
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.nodes[id] = Some(node);
                id
            }
            None => {
                self.nodes.push(Some(node));
                self.nodes.len() - 1
            }
        };
        self.by_name.insert(name.to_string(), id);
        self.link(id, parent);
    }

    /// Replaces a moment's definition and moves it under `parent`,
    /// keeping its children (a redefinition).
    pub fn replace(&mut self, name: &str, def: D, parent: Option<&str>) {
        let Some(&id) = self.by_name.get(name) else {
            self.insert(name, def, parent);
            return;
        };
        self.unlink(id);
        self.node_mut(id).def = def;
        self.link(id, parent);
    }

    fn link(&mut self, id: usize, parent: Option<&str>) {
        let parent = parent.and_then(|p| self.by_name.get(p).copied());
        self.node_mut(id).parent = parent;
        match parent {
            Some(p) => self.node_mut(p).children.push(id),
            None => self.roots.push(id),
        }
    }

    fn unlink(&mut self, id: usize) {
        let siblings = match self.node(id).parent {
            Some(p) => &mut self.node_mut(p).children,
            None => &mut self.roots,
        };
        siblings.retain(|&c| c != id);
        self.node_mut(id).parent = None;
    }

    /// Links moments inserted as roots under their parents, in order, in
    /// one pass: a link to an unknown parent, to itself or into its own
    /// subtree is refused, and `refused` hears of it. Each name links once.
    pub fn link_roots<'n>(
        &mut self,
        links: impl IntoIterator<Item = (&'n str, &'n str)>,
        mut refused: impl FnMut(&'n str, &'n str),
    ) {
        // Each tree of the forest as a disjoint set: linking a root under a
        // moment of its own tree would close a loop.
        let mut set: Vec<usize> = (0..self.nodes.len()).collect();
        fn find(set: &mut [usize], mut x: usize) -> usize {
            while set[x] != x {
                set[x] = set[set[x]];
                x = set[x];
            }
            x
        }
        let mut linked = vec![false; self.nodes.len()];
        for (name, parent) in links {
            let ids = (self.by_name.get(name), self.by_name.get(parent));
            let (Some(&child), Some(&up)) = ids else {
                refused(name, parent);
                continue;
            };
            let (child_set, up_set) = (find(&mut set, child), find(&mut set, up));
            if child == up || child_set == up_set || linked[child] {
                refused(name, parent);
                continue;
            }
            set[child_set] = up_set;
            linked[child] = true;
            self.node_mut(child).parent = Some(up);
            self.node_mut(up).children.push(child);
        }
        self.roots.retain(|&r| !linked[r]);
    }

    /// Whether making `parent` the parent of `name` closes a loop: the
    /// ancestor of `parent` that already has `name` as its parent.
    pub fn cycle_through(&self, name: &str, parent: &str) -> Option<&str> {
        let mut at = *self.by_name.get(parent)?;
        loop {
            let up = self.node(at).parent?;
            if self.node(up).name == name {
                return Some(self.node(at).name.as_str());
            }
            at = up;
        }
    }

    /// Names in walk order: depth first, parents before children, the
    /// most recently linked sibling first.
    pub fn walk(&self, scope: Scope<'_>) -> Vec<&str> {
        let (start, deep): (&[usize], bool) = match scope {
            Scope::All { roots_only } => (&self.roots, !roots_only),
            Scope::Below { name, descendants } => match self.by_name.get(name) {
                Some(&id) => (&self.node(id).children, descendants),
                None => (&[], false),
            },
        };
        let mut out = Vec::new();
        let mut stack: Vec<usize> = start.to_vec();
        while let Some(id) = stack.pop() {
            let node = self.node(id);
            out.push(node.name.as_str());
            if deep {
                stack.extend(node.children.iter().copied());
            }
        }
        out
    }

    /// The definitions along a walk, with whether each is a leaf.
    pub fn walk_defs(&self, scope: Scope<'_>) -> Vec<(&str, &D, bool)> {
        self.walk(scope)
            .into_iter()
            .map(|n| {
                let id = self.by_name[n];
                let node = self.node(id);
                (n, &node.def, node.children.is_empty())
            })
            .collect()
    }

    /// Removes every descendant of `name`; true when the current moment
    /// was among them.
    pub fn remove_descendants(&mut self, name: &str) -> bool {
        let Some(&id) = self.by_name.get(name) else {
            return false;
        };
        let mut hit_current = false;
        let mut stack = std::mem::take(&mut self.node_mut(id).children);
        while let Some(c) = stack.pop() {
            let node = self.nodes[c].take().expect("live moment id");
            self.by_name.remove(&node.name);
            self.free.push(c);
            hit_current |= self.current == Some(c);
            stack.extend(node.children);
        }
        if hit_current {
            self.current = None;
        }
        hit_current
    }

    /// Moves the children of `name` to its parent (or to the roots), in
    /// front of the parent's own children.
    pub fn reparent_children(&mut self, name: &str) {
        let Some(&id) = self.by_name.get(name) else {
            return;
        };
        let parent = self.node(id).parent;
        let children = std::mem::take(&mut self.node_mut(id).children);
        for &c in &children {
            self.node_mut(c).parent = parent;
        }
        match parent {
            Some(p) => self.node_mut(p).children.extend(children),
            None => self.roots.extend(children),
        }
    }

    /// Removes one moment (its children must have gone or moved).
    pub fn remove(&mut self, name: &str) -> Option<D> {
        let id = *self.by_name.get(name)?;
        self.unlink(id);
        for c in std::mem::take(&mut self.node_mut(id).children) {
            self.node_mut(c).parent = None;
            self.roots.push(c);
        }
        if self.current == Some(id) {
            self.current = None;
        }
        self.by_name.remove(name);
        self.free.push(id);
        self.nodes[id].take().map(|n| n.def)
    }

    pub fn clear(&mut self) {
        *self = MomentTree::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(links: &[(&str, Option<&str>)]) -> MomentTree<()> {
        let mut t = MomentTree::default();
        for (n, p) in links {
            t.insert(n, (), *p);
        }
        t
    }

    #[test]
    fn walks_newest_sibling_first_depth_first() {
        // libvirt 9.0: a; b under a; c, d under c... listed a e c d b.
        let t = tree(&[
            ("a", None),
            ("b", Some("a")),
            ("c", Some("a")),
            ("d", Some("c")),
            ("e", Some("a")),
        ]);
        assert_eq!(
            t.walk(Scope::All { roots_only: false }),
            ["a", "e", "c", "d", "b"]
        );
        assert_eq!(
            t.walk(Scope::Below {
                name: "a",
                descendants: false
            }),
            ["e", "c", "b"]
        );
        assert_eq!(
            t.walk(Scope::Below {
                name: "a",
                descendants: true
            }),
            ["e", "c", "d", "b"]
        );
        assert_eq!(t.cycle_through("a", "d"), Some("c"));
        assert_eq!(t.cycle_through("x", "d"), None);
    }

    #[test]
    fn linking_all_at_once_refuses_loops_and_unknowns() {
        let mut t: MomentTree<()> = MomentTree::default();
        for n in ["a", "b", "c", "d"] {
            t.insert(n, (), None);
        }
        let mut refused = Vec::new();
        t.link_roots(
            [("b", "a"), ("c", "b"), ("a", "c"), ("d", "x"), ("d", "d")],
            |n, p| refused.push(format!("{n}>{p}")),
        );
        assert_eq!(refused, ["a>c", "d>x", "d>d"]);
        assert_eq!(
            t.walk(Scope::All { roots_only: false }),
            ["d", "a", "b", "c"]
        );
        assert_eq!(t.parent("c"), Some("b"));
    }

    #[test]
    fn a_long_chain_links_in_one_pass() {
        let mut t: MomentTree<()> = MomentTree::default();
        let names: Vec<String> = (0..200_000).map(|i| format!("s{i}")).collect();
        for n in &names {
            t.insert(n, (), None);
        }
        t.link_roots(
            names.windows(2).map(|w| (w[1].as_str(), w[0].as_str())),
            |n, p| panic!("{n} refused under {p}"),
        );
        let walk = t.walk(Scope::All { roots_only: false });
        assert_eq!(
            (walk.len(), walk[0], walk[199_999]),
            (200_000, "s0", "s199999")
        );
        t.remove_descendants("s0");
        assert_eq!(t.walk(Scope::All { roots_only: false }), ["s0"]);
    }

    #[test]
    fn reparenting_puts_orphans_first() {
        let mut t = tree(&[
            ("a", None),
            ("b", Some("a")),
            ("c", Some("b")),
            ("d", Some("a")),
        ]);
        t.reparent_children("b");
        t.remove("b");
        assert_eq!(t.walk(Scope::All { roots_only: false }), ["a", "c", "d"]);
        assert_eq!(t.parent("c"), Some("a"));
        t.set_current(Some("c"));
        assert!(t.remove_descendants("a"));
        assert_eq!(t.current(), None);
        assert_eq!(t.len(), 1);
    }
}
