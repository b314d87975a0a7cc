//! The ring of incident records: compact records in arrival order within a byte budget,
//! the oldest dropped first and counted. Pure data, no I/O: the watchers put records in,
//! `history` reads them out.

use std::collections::VecDeque;
use std::time::SystemTime;

/// The most bytes of one record's summary text (a longer event message is cut).
pub const MAX_TEXT_BYTES: usize = 512;
/// What one record costs beyond its strings (the struct, the deque slot, allocations),
/// counted so a budget of many tiny records still bounds memory.
const RECORD_OVERHEAD: usize = 160;
/// What each kept log line costs beyond its bytes.
const LINE_OVERHEAD: usize = 32;

/// What a record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A container terminated (crashed, was OOM-killed, or exited).
    Termination,
    /// Warning events of one object with one reason, deduplicated.
    Warning,
    /// A pod that became Failed (Evicted, …) or could not be scheduled.
    PodFailed,
    /// A node condition (Ready, a pressure) that went bad, or recovered.
    NodeCondition,
    /// A workload rolled out (a new ReplicaSet or ControllerRevision) or rolled back (an old
    /// one given the next revision number), with what its pod template changed.
    Rollout,
    /// A Job that failed (its `Failed` condition).
    JobFailed,
}

impl Kind {
    /// The kind's name in `history`'s JSON form and table.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Termination => "termination",
            Kind::Warning => "warning",
            Kind::PodFailed => "pod-failed",
            Kind::NodeCondition => "node-condition",
            Kind::Rollout => "rollout",
            Kind::JobFailed => "job-failed",
        }
    }
}

/// One incident, made of redacted text only.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// What it is about.
    pub kind: Kind,
    /// What makes it the same incident (dedup): a termination's pod, container and finish
    /// time; a warning's object and reason; a failed pod's uid.
    pub key: String,
    /// The namespace (empty for cluster-scoped objects).
    pub namespace: String,
    /// The object, `kind/name` in lower case (`pod/api-1`, `deployment/web`).
    pub object: String,
    /// The reason (`OOMKilled`, `BackOff`, `Evicted`).
    pub reason: String,
    /// One line: what happened.
    pub text: String,
    /// When it first happened.
    pub first: SystemTime,
    /// When it last happened (a warning repeats).
    pub last: SystemTime,
    /// How many times (a warning's event count; 1 otherwise).
    pub count: u64,
    /// The last lines of the terminated container's log, redacted, oldest first.
    pub log: Vec<String>,
    /// Whether the API no longer has it, as the watches saw: the pod or Job was deleted,
    /// the event expired, the container crashed again (its `lastState` moved on), the node
    /// condition changed. What `triage`, `changes` and `describe` add from the record.
    pub gone: bool,
}

impl Record {
    /// An incident seen once, at `when` (a warning's count and first/last come from its
    /// events instead); `text` is already redacted and cut.
    pub fn once(
        kind: Kind,
        key: String,
        namespace: String,
        object: String,
        reason: String,
        text: String,
        when: SystemTime,
    ) -> Record {
        Record {
            kind,
            key,
            namespace,
            object,
            reason,
            text,
            first: when,
            last: when,
            count: 1,
            log: Vec::new(),
            gone: false,
        }
    }

    /// What this record counts against the budget.
    pub fn cost(&self) -> usize {
        RECORD_OVERHEAD
            + self.key.len()
            + self.namespace.len()
            + self.object.len()
            + self.reason.len()
            + self.text.len()
            + self
                .log
                .iter()
                .map(|l| l.len() + LINE_OVERHEAD)
                .sum::<usize>()
    }
}

/// Records within a byte budget, oldest first.
#[derive(Debug)]
pub struct Ring {
    records: VecDeque<Record>,
    bytes: usize,
    budget: usize,
    dropped: u64,
}

impl Ring {
    /// An empty ring of `budget` bytes.
    pub fn new(budget: usize) -> Ring {
        Ring {
            records: VecDeque::new(),
            bytes: 0,
            budget,
            dropped: 0,
        }
    }

    /// Whether a record with `key` is held (so a termination's log is read only once).
    pub fn contains(&self, key: &str) -> bool {
        self.records.iter().rev().any(|r| r.key == key)
    }

    /// Whether a record whose key starts with `prefix` is held.
    pub fn contains_prefix(&self, prefix: &str) -> bool {
        self.records.iter().rev().any(|r| r.key.starts_with(prefix))
    }

    /// Add `rec`; a record with the same key is merged into it instead (a warning seen
    /// again: `count` added, first/last widened, the newest text kept) and moved to the
    /// newest end. The oldest records are dropped, and counted, until the budget holds.
    pub fn add(&mut self, mut rec: Record) {
        if let Some(i) = self.records.iter().rposition(|r| r.key == rec.key)
            && let Some(old) = self.records.remove(i)
        {
            self.bytes -= old.cost();
            rec.count = old.count.saturating_add(rec.count);
            rec.first = rec.first.min(old.first);
            rec.last = rec.last.max(old.last);
            if rec.log.is_empty() {
                rec.log = old.log;
            }
        }
        self.bytes += rec.cost();
        self.records.push_back(rec);
        while self.bytes > self.budget {
            let Some(old) = self.records.pop_front() else {
                break;
            };
            self.bytes -= old.cost();
            self.dropped += 1;
        }
    }

    /// Mark the records `which` selects as gone from the API ([`Record::gone`]).
    pub fn mark_gone(&mut self, which: impl Fn(&Record) -> bool) {
        for r in self.records.iter_mut().filter(|r| !r.gone && which(r)) {
            r.gone = true;
        }
    }

    /// The records, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Record> {
        self.records.iter().rev()
    }

    /// How many records are held.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no record is held.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// What the held records cost.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The budget.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// How many records were dropped to stay within the budget.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(s: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + s)
    }

    fn warning(key: &str, t: u64, count: u64) -> Record {
        Record {
            kind: Kind::Warning,
            key: key.into(),
            namespace: "shop".into(),
            object: "pod/api-1".into(),
            reason: "BackOff".into(),
            text: format!("back-off restarting failed container ({t})"),
            first: at(t),
            last: at(t),
            count,
            log: Vec::new(),
            gone: false,
        }
    }

    #[test]
    fn the_ring_stays_within_its_budget_dropping_the_oldest_and_counting_them() {
        let one = warning("k0", 0, 1).cost();
        let mut ring = Ring::new(one * 10 + one / 2);
        for i in 0..25 {
            ring.add(warning(&format!("k{i}"), i, 1));
            assert!(ring.bytes() <= ring.budget(), "{i}: {}", ring.bytes());
        }
        assert_eq!(ring.len(), 10);
        assert_eq!(ring.dropped(), 15);
        let keys: Vec<&str> = ring.newest_first().map(|r| r.key.as_str()).collect();
        assert_eq!(keys.first(), Some(&"k24"));
        assert_eq!(keys.last(), Some(&"k15"), "the oldest went first");
    }

    #[test]
    fn warnings_with_the_same_key_merge_with_counts_and_first_and_last_seen() {
        let mut ring = Ring::new(1 << 20);
        ring.add(warning("shop/pod/api-1/BackOff", 10, 3));
        ring.add(warning("other", 20, 1));
        ring.add(warning("shop/pod/api-1/BackOff", 30, 2));
        assert_eq!(ring.len(), 2);
        let newest = ring.newest_first().next().unwrap();
        assert_eq!(
            newest.key, "shop/pod/api-1/BackOff",
            "a repeat is the newest"
        );
        assert_eq!(newest.count, 5);
        assert_eq!((newest.first, newest.last), (at(10), at(30)));
        assert!(newest.text.contains("(30)"), "the newest text is kept");
        let total: usize = ring.newest_first().map(Record::cost).sum();
        assert_eq!(
            ring.bytes(),
            total,
            "a merge does not count the old record twice"
        );
    }

    #[test]
    fn a_record_larger_than_the_budget_is_not_kept() {
        let mut ring = Ring::new(100);
        let mut big = warning("k", 0, 1);
        big.log = vec!["x".repeat(200)];
        ring.add(big);
        assert!(ring.is_empty());
        assert_eq!((ring.bytes(), ring.dropped()), (0, 1));
        assert!(!ring.contains("k"));
    }
}
