//! Chains: findings linked by the relations the API states (a Service and the pods it
//! selects, a pod and its claim, node, ConfigMap or Secret, a log or event line dialling a
//! Service), printed once each, root cause first, symptoms folded under it.
//!
//! [`build`] is pure and generic over finding indices: each finding gets at most one parent
//! (its most severe cause that does not close a cycle — other causes are named as `also`),
//! so the result is a forest; roots come in the findings' own order (most severe first) and
//! each parent shows at most a few symptoms, the rest counted.

use std::collections::BTreeSet;

/// A finding's identity for linking: `(namespace, subject)` (`("orders", "svc/order-db")`;
/// nodes have no namespace).
pub type Id = (String, String);

/// Most relations remembered (each is two short names); past it, no more are linked.
const MAX_LINKS: usize = 10_000;
/// Deepest symptom shown under a root; deeper ones are counted.
const MAX_DEPTH: usize = 4;

/// Cause → symptom relations seen while reading, between findings that may not exist.
#[derive(Debug, Default)]
pub struct Links {
    edges: BTreeSet<(Id, Id)>,
}

impl Links {
    /// `cause` explains `symptom` (kept only when both turn out to be findings).
    pub fn add(&mut self, cause: Id, symptom: Id) {
        if cause != symptom && self.edges.len() < MAX_LINKS {
            self.edges.insert((cause, symptom));
        }
    }

    /// Every relation, in a fixed order.
    pub fn iter(&self) -> impl Iterator<Item = &(Id, Id)> {
        self.edges.iter()
    }
}

/// One line of the chained report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Finding `index`, `depth` 0 for a root; `also`: its other causes.
    Finding {
        index: usize,
        depth: usize,
        also: Vec<usize>,
    },
    /// `count` more symptoms left out under the line above, at `depth`.
    More { depth: usize, count: usize },
}

/// The forest of `n` findings (indices in display order) under `edges` (cause, symptom),
/// at most `max_children` symptoms shown under any one cause.
pub fn build(n: usize, edges: &[(usize, usize)], max_children: usize) -> Vec<Entry> {
    let mut sorted: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(c, s)| c != s && c < n && s < n)
        .collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parent: Vec<Option<usize>> = vec![None; n];
    let mut also: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(c, s) in &sorted {
        if is_ancestor(&parent, s, c) {
            // A cycle: the later edge is dropped (the first cause found stays the cause).
            continue;
        }
        match parent[s] {
            None => parent[s] = Some(c),
            Some(p) if p != c => also[s].push(c),
            Some(_) => {}
        }
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (s, p) in parent.iter().enumerate() {
        if let Some(p) = p {
            children[*p].push(s);
        }
    }
    let mut out = Vec::new();
    for root in (0..n).filter(|&i| parent[i].is_none()) {
        emit(root, 0, &children, &also, max_children, &mut out);
    }
    out
}

/// Whether `a` is `b` or one of its ancestors.
fn is_ancestor(parent: &[Option<usize>], a: usize, b: usize) -> bool {
    let mut at = Some(b);
    // The parent links form a forest (checked on every insert), so this ends.
    while let Some(i) = at {
        if i == a {
            return true;
        }
        at = parent[i];
    }
    false
}

fn emit(
    i: usize,
    depth: usize,
    children: &[Vec<usize>],
    also: &[Vec<usize>],
    max_children: usize,
    out: &mut Vec<Entry>,
) {
    out.push(Entry::Finding {
        index: i,
        depth,
        also: also[i].clone(),
    });
    let kids = &children[i];
    let shown = if depth + 1 > MAX_DEPTH {
        0
    } else {
        kids.len().min(max_children)
    };
    for &k in &kids[..shown] {
        emit(k, depth + 1, children, also, max_children, out);
    }
    let hidden: usize = kids[shown..]
        .iter()
        .map(|&k| 1 + descendants(k, children))
        .sum();
    if hidden > 0 {
        out.push(Entry::More {
            depth: depth + 1,
            count: hidden,
        });
    }
}

fn descendants(i: usize, children: &[Vec<usize>]) -> usize {
    children[i]
        .iter()
        .map(|&k| 1 + descendants(k, children))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(index: usize, depth: usize) -> Entry {
        Entry::Finding {
            index,
            depth,
            also: Vec::new(),
        }
    }

    #[test]
    fn a_chain_prints_root_first_and_each_finding_once() {
        // 0: a crash elsewhere; 1: the sts pending; 2: the worker crashing; 3: the claim.
        let got = build(4, &[(3, 1), (1, 2)], 5);
        assert_eq!(got, [f(0, 0), f(3, 0), f(1, 1), f(2, 2)]);
    }

    #[test]
    fn a_cycle_is_cut_and_every_finding_still_printed_once() {
        let got = build(3, &[(0, 1), (1, 2), (2, 0)], 5);
        assert_eq!(got, [f(0, 0), f(1, 1), f(2, 2)]);
        let got = build(2, &[(1, 0), (0, 1)], 5);
        assert_eq!(got, [f(0, 0), f(1, 1)]);
    }

    #[test]
    fn fan_in_shows_the_symptom_under_its_first_cause_and_names_the_other() {
        let got = build(3, &[(0, 2), (1, 2)], 5);
        assert_eq!(
            got,
            [
                f(0, 0),
                Entry::Finding {
                    index: 2,
                    depth: 1,
                    also: vec![1]
                },
                f(1, 0)
            ]
        );
    }

    #[test]
    fn many_symptoms_under_one_cause_are_cut_with_a_count_of_all_left_out() {
        let mut edges: Vec<(usize, usize)> = (1..10).map(|s| (0, s)).collect();
        edges.push((9, 10)); // a grandchild of a symptom left out is counted too
        let got = build(11, &edges, 3);
        assert_eq!(
            got,
            [
                f(0, 0),
                f(1, 1),
                f(2, 1),
                f(3, 1),
                Entry::More { depth: 1, count: 7 }
            ]
        );
    }

    #[test]
    fn bad_edges_are_ignored() {
        assert_eq!(build(1, &[(0, 0), (0, 7), (9, 0)], 3), [f(0, 0)]);
        assert_eq!(build(0, &[], 3), []);
    }
}
