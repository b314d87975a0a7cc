//! Workload records: a rollout (a new ReplicaSet of a Deployment, a new ControllerRevision
//! of a StatefulSet or DaemonSet) or a rollback (an existing one given the next revision
//! number) with what its pod template changed, and a Job that failed.
//!
//! A rollback creates nothing: `kubectl rollout undo` (or applying an earlier template again)
//! makes the controller reuse the revision with that template and give it the next number
//! (a ReplicaSet's `deployment.kubernetes.io/revision` annotation, the old number appended to
//! `…/revision-history`; a ControllerRevision's `revision`). Neither the object nor its
//! annotations say *when*: a ReplicaSet listed at start that carries a revision-history was
//! rolled back at some time before, which is no news. So each revision watcher remembers the
//! number of every revision it has seen ([`Numbers`]) and records a rollback only when it sees
//! a revision it knew with a higher number — a watch event, or a relist after `410 Gone` that
//! shows a rollback made while the watch was down. The first list only fills the memory. The
//! record is keyed by uid and the new number (`r/{uid}/{number}`): a later status update of
//! the same ReplicaSet, or a relist, finds the key in the ring (or the number unchanged) and
//! adds nothing.
//!
//! The change summary is the one `changes` and `rollout diff` compute
//! ([`crate::ops::render::diff::summary`]): the two templates are read once, when the new
//! revision is first seen, redacted together ([`crate::redact::pair`]), and only the summary
//! is kept — never a template.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use serde_json::Value;

use super::Recorder;
use super::extract;
use crate::error::Code;
use crate::ops::Engine;
use crate::ops::engine::Revisions;
use crate::ops::render::diff;
use crate::redact::Redacted;
use std::time::SystemTime;

/// Revisions remembered per watcher (one watcher per revision kind and namespace, or one
/// for all namespaces): past it, a revision not yet known is not remembered, so a rollback
/// to it is not recorded (a rollout still is: it is told by its creation time), until a
/// deletion frees room or a relist after `410 Gone` keeps only what still exists. 4,096
/// covers about 370 Deployments keeping the default 10 old ReplicaSets; at the cap it costs
/// about 140 KiB (a 64-bit hash and a number each, not the uid string), and 70 KiB more
/// while a relist runs.
pub const MAX_REVISION_NUMBERS: usize = 4096;

/// The revision number each revision object had when last seen, by a hash of its uid: what
/// tells a rollback (a known revision with a higher number) from an old one seen again.
#[derive(Debug, Default)]
pub struct Numbers {
    /// uid hash → revision number.
    known: HashMap<u64, i64>,
    /// The uids a list in progress has shown: when it ends, the others (deleted while the
    /// watch was down) are forgotten.
    listed: Option<HashSet<u64>>,
    /// Whether the cap was reached (logged once).
    full: bool,
}

impl Numbers {
    /// A list begins: remember which uids it shows.
    pub fn list_begins(&mut self) {
        self.listed = Some(HashSet::new());
    }

    /// A list ended: forget the revisions it did not show (deleted meanwhile).
    pub fn list_ended(&mut self) {
        if let Some(listed) = self.listed.take() {
            self.known.retain(|uid, _| listed.contains(uid));
        }
    }

    /// Remember that `uid` has revision `number`; the number it had before when it was
    /// known with a lower one (a rollback), else `None`.
    pub fn seen(&mut self, uid: &str, number: i64) -> Option<i64> {
        let h = hash(uid);
        let before = self.known.get(&h).copied();
        if before.is_none() && self.known.len() >= MAX_REVISION_NUMBERS {
            if !self.full {
                log::warn!(
                    "recorder: more than {MAX_REVISION_NUMBERS} revisions in one watch: \
                     rollbacks to the ones past it are not recorded"
                );
                self.full = true;
            }
            return None;
        }
        self.known.insert(h, number);
        // Only what is remembered is marked listed: the set stays within the cap.
        if let Some(listed) = &mut self.listed {
            listed.insert(h);
        }
        before.filter(|b| *b < number)
    }

    /// `uid` was deleted.
    pub fn forget(&mut self, uid: &str) {
        self.known.remove(&hash(uid));
    }
}

/// A uid's 64-bit hash: two uids of the at most [`MAX_REVISION_NUMBERS`] remembered collide
/// with a chance of about 1 in 10^12, and a collision at worst records one rollback wrongly
/// or misses one.
fn hash(uid: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    uid.hash(&mut h);
    h.finish()
}

/// Record `obj` (a ReplicaSet or ControllerRevision, redacted, seen in a list or a watch
/// event) when it is a revision made since recording began and not yet recorded (a
/// rollout), or a known revision given a higher number (a rollback), with its template
/// change against the revision before it.
pub fn revision(
    engine: &Engine,
    recorder: &Recorder,
    numbers: &mut Numbers,
    obj: &Redacted<Value>,
    kind: Revisions,
    now: SystemTime,
) {
    let uid = obj
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    // Only revisions a workload owns can be rolled back to: the others are not remembered.
    let number = kind.number(obj).filter(|_| !uid.is_empty());
    if let Some(number) = number.filter(|_| extract::owner(obj).is_some())
        && let Some(from) = numbers.seen(uid, number)
        && let Some(rev) = extract::rollback(obj, kind, from, now)
    {
        record(engine, recorder, rev, kind);
    }
    if let Some(rev) = extract::revision(obj, kind, recorder.since()) {
        record(engine, recorder, rev, kind);
    }
}

/// Add `rev` to the ring with its change summary, unless its key is held already.
fn record(engine: &Engine, recorder: &Recorder, mut rev: extract::Revision, kind: Revisions) {
    if recorder.ring().contains(&rev.record.key) {
        return;
    }
    let summary = change(engine, &rev, kind);
    rev.record.text = extract::cut(&format!("{}: {summary}", rev.record.text));
    recorder.ring().add(rev.record);
}

/// What revision `rev` changed against the one before it, in a few words (an image
/// change names both images); a read that fails says so instead.
fn change(engine: &Engine, rev: &extract::Revision, kind: Revisions) -> String {
    let plural = match kind {
        Revisions::ReplicaSets => "replicasets",
        Revisions::ControllerRevisions => "controllerrevisions",
    };
    let list = format!("/apis/apps/v1/namespaces/{}/{plural}", rev.record.namespace);
    let number = rev.number;
    let pair = engine.template_pair(&list, &rev.owner_uid, kind, |numbers| {
        let older = numbers.iter().rev().find(|n| **n < number).copied();
        Ok((older.unwrap_or(number), number))
    });
    match pair {
        Ok(p) => diff::latest(p.from, p.to, &p.old, &p.new),
        Err(e) if e.code == Code::NotFound => "the revision is gone".to_string(),
        Err(e) => format!("template change not read ({})", e.message),
    }
}

/// Record `job` (redacted) when it failed, once.
pub fn job(recorder: &Recorder, job: &Redacted<Value>, now: SystemTime) {
    if let Some(r) = extract::failed_job(job, now) {
        let mut ring = recorder.ring();
        if !ring.contains(&r.key) {
            ring.add(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_known_revision_seen_with_a_higher_number_is_a_rollback() {
        let mut n = Numbers::default();
        n.list_begins();
        assert_eq!(n.seen("rs-a", 3), None, "the first list only remembers");
        assert_eq!(n.seen("rs-b", 2), None);
        n.list_ended();
        assert_eq!(n.seen("rs-b", 2), None, "a status update");
        assert_eq!(n.seen("rs-b", 4), Some(2), "rolled back");
        assert_eq!(n.seen("rs-b", 4), None, "seen again");
        assert_eq!(n.seen("rs-c", 5), None, "new: a rollout, not a rollback");
        // A relist that no longer shows rs-a forgets it: a new object reusing nothing.
        n.list_begins();
        assert_eq!(
            n.seen("rs-b", 6),
            Some(4),
            "rolled back while the watch was down"
        );
        n.list_ended();
        assert_eq!(
            n.seen("rs-a", 7),
            None,
            "forgotten: deleted while the watch was down"
        );
        n.forget("rs-b");
        assert_eq!(n.seen("rs-b", 8), None, "forgotten: deleted");
    }

    #[test]
    fn past_the_cap_new_revisions_are_not_remembered_and_known_ones_still_are() {
        let mut n = Numbers::default();
        for i in 0..MAX_REVISION_NUMBERS {
            assert_eq!(n.seen(&format!("rs-{i}"), 1), None);
        }
        assert_eq!(n.seen("one-too-many", 1), None);
        assert_eq!(n.seen("one-too-many", 2), None, "not remembered");
        assert_eq!(n.known.len(), MAX_REVISION_NUMBERS);
        assert_eq!(
            n.seen("rs-7", 2),
            Some(1),
            "a known one still tells a rollback"
        );
        // A relist past the cap marks only what is remembered: its set stays within the cap.
        n.list_begins();
        for i in 0..MAX_REVISION_NUMBERS + 100 {
            n.seen(&format!("listed-{i}"), 1);
        }
        assert!(
            n.listed
                .as_ref()
                .is_some_and(|l| l.len() <= MAX_REVISION_NUMBERS)
        );
        n.list_ended();
        n.forget("rs-7");
        assert_eq!(n.seen("one-too-many", 2), None);
        assert_eq!(n.seen("one-too-many", 3), Some(2), "a deletion made room");
    }
}
