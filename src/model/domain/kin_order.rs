//! The order libvirt's parser leaves disks and controllers in.
//!
//! libvirt inserts each parsed device next to its kin (disks on the same
//! bus, controllers of the same type): before the first kin with a larger
//! number, else after the last kin, else at the end of the list. Done with
//! a scan per device that is quadratic in the device count; here each
//! placement is a lookup in the kin's number-ordered index and an insertion
//! into a linked list, so n devices cost O(n log n).

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

const NIL: usize = usize::MAX;

/// The devices of one kind, placed one at a time; `order` gives their final
/// positions.
pub struct KinOrder<G> {
    next: Vec<usize>,
    prev: Vec<usize>,
    head: usize,
    tail: usize,
    kin: HashMap<G, Kin>,
}

/// One group of kin: its numbered members by (number, arrival), and the one
/// that stands last in the list.
struct Kin {
    by_number: BTreeMap<(i64, usize), usize>,
    last: usize,
}

impl<G: Hash + Eq> KinOrder<G> {
    pub fn new() -> KinOrder<G> {
        KinOrder {
            next: Vec::new(),
            prev: Vec::new(),
            head: NIL,
            tail: NIL,
            kin: HashMap::new(),
        }
    }

    /// Places the next device (its id is the count placed before it).
    /// Numbered members of a group always stand in number order, so the
    /// first with a larger number is the first one in the index above it.
    /// An unnumbered device (`None`) goes after the last of its kin and is
    /// never "larger" than a later one.
    pub fn place(&mut self, group: G, number: Option<i64>) {
        let id = self.next.len();
        self.next.push(NIL);
        self.prev.push(NIL);
        match self.kin.get_mut(&group) {
            None => {
                self.link_after(self.tail, id);
                let mut kin = Kin {
                    by_number: BTreeMap::new(),
                    last: id,
                };
                if let Some(n) = number {
                    kin.by_number.insert((n, id), id);
                }
                self.kin.insert(group, kin);
            }
            Some(kin) => {
                let larger = number.and_then(|n| {
                    let above = n.checked_add(1)?;
                    kin.by_number.range((above, 0)..).next().map(|(_, &at)| at)
                });
                let last = kin.last;
                if let Some(n) = number {
                    kin.by_number.insert((n, id), id);
                }
                match larger {
                    Some(at) => self.link_before(at, id),
                    None => {
                        kin.last = id;
                        self.link_after(last, id);
                    }
                }
            }
        }
    }

    /// The ids in list order.
    pub fn order(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.next.len());
        let mut at = self.head;
        while at != NIL {
            out.push(at);
            at = self.next[at];
        }
        out
    }

    /// Links `id` after `at` (`NIL`: into an empty list).
    fn link_after(&mut self, at: usize, id: usize) {
        if at == NIL {
            self.head = id;
            self.tail = id;
            return;
        }
        let after = self.next[at];
        self.prev[id] = at;
        self.next[id] = after;
        self.next[at] = id;
        if after == NIL {
            self.tail = id;
        } else {
            self.prev[after] = id;
        }
    }

    fn link_before(&mut self, at: usize, id: usize) {
        let before = self.prev[at];
        self.next[id] = at;
        self.prev[id] = before;
        self.prev[at] = id;
        if before == NIL {
            self.head = id;
        } else {
            self.next[before] = id;
        }
    }
}

/// Puts `items` in the order `ids` gives (each id once).
pub fn arrange<T>(items: Vec<T>, ids: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    ids.iter().filter_map(|&i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// libvirt's own scan, as the reference.
    fn by_scan(items: &[(u8, Option<i64>)]) -> Vec<usize> {
        let mut list: Vec<(usize, u8, i64)> = Vec::new();
        for (id, &(group, number)) in items.iter().enumerate() {
            let mut at: Option<usize> = None;
            for i in (0..list.len()).rev() {
                if list[i].1 != group {
                    continue;
                }
                let Some(n) = number else {
                    at = Some(i + 1);
                    break;
                };
                if list[i].2 > n {
                    at = Some(i);
                } else if at.is_none() {
                    at = Some(i + 1);
                }
            }
            let entry = (id, group, number.unwrap_or(-1));
            match at {
                Some(i) => list.insert(i, entry),
                None => list.push(entry),
            }
        }
        list.into_iter().map(|e| e.0).collect()
    }

    fn by_kin(items: &[(u8, Option<i64>)]) -> Vec<usize> {
        let mut k = KinOrder::new();
        for &(g, n) in items {
            k.place(g, n);
        }
        k.order()
    }

    #[test]
    fn agrees_with_libvirts_scan() {
        // A small deterministic generator covers groups, repeats and gaps.
        let mut seed = 0x2545_f491_u64;
        let mut rnd = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for _ in 0..500 {
            let len = rnd(12) as usize;
            let items: Vec<(u8, Option<i64>)> = (0..len)
                .map(|_| {
                    let g = rnd(3) as u8;
                    let n = match rnd(5) {
                        0 => None,
                        1 => Some(-1),
                        _ => Some(rnd(6) as i64),
                    };
                    (g, n)
                })
                .collect();
            assert_eq!(by_kin(&items), by_scan(&items), "{items:?}");
        }
    }

    #[test]
    fn many_devices_in_reverse_order() {
        let items: Vec<(u8, Option<i64>)> = (0..100_000).rev().map(|n| (0, Some(n))).collect();
        let order = by_kin(&items);
        assert_eq!(order.first(), Some(&99_999));
        assert_eq!(order.last(), Some(&0));
    }

    #[test]
    fn arrange_follows_the_order() {
        assert_eq!(
            arrange(vec!['a', 'b', 'c'], &[2, 0, 1]),
            vec!['c', 'a', 'b']
        );
    }
}
