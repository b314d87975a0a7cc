//! Workload records: a rollout (a new ReplicaSet of a Deployment, a new ControllerRevision
//! of a StatefulSet or DaemonSet) with what its pod template changed, and a Job that failed.
//!
//! The change summary is the one `changes` and `rollout diff` compute
//! ([`crate::ops::render::diff::summary`]): the two templates are read once, when the new
//! revision is first seen, redacted together ([`crate::redact::pair`]), and only the summary
//! is kept — never a template.

use serde_json::Value;

use super::Recorder;
use super::extract;
use crate::error::Code;
use crate::ops::Engine;
use crate::ops::engine::Revisions;
use crate::ops::render::diff;
use crate::redact::Redacted;
use std::time::SystemTime;

/// Record `obj` (a ReplicaSet or ControllerRevision, redacted) when it is a revision made
/// since recording began and not yet recorded, with its template change against the
/// revision before it.
pub fn revision(engine: &Engine, recorder: &Recorder, obj: &Redacted<Value>, kind: Revisions) {
    let Some(mut rev) = extract::revision(obj, kind, recorder.since()) else {
        return;
    };
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
