//! The flight recorder (`kubeglass run --record`): watches the scope's pods, events,
//! ReplicaSets, ControllerRevisions and Jobs (and nodes, when cluster-scoped reads are in
//! scope) and keeps a bounded, redacted, in-memory ring of what went wrong — container
//! terminations with the last lines of their log, Warning events deduplicated by object and
//! reason, pods that became Failed or Unschedulable, node conditions that went bad and
//! recovered, rollouts and rollbacks with what their template changed, Jobs that failed —
//! so `history` (and `triage`, `changes`, `describe`) can answer after the API server has
//! dropped the events and the crashed pod is gone.
//!
//! - Memory only: nothing is written anywhere, and the record is lost when the process
//!   restarts (`history` says since when it records).
//! - Bounded: records are compact strings (no objects kept), the ring has a byte budget
//!   (`--record-bytes`) and drops its oldest records first, counting them ([`ring`]).
//! - Redacted at capture: watch events pass the object redactor in the engine before a
//!   record is made of them, captured log lines pass the log redactor ([`watch`]).
//! - Read-only: watches are GETs through the same transport checks as every read.
//!
//! ```text
//! watch (GET ?watch=1) ─▶ Engine::watch ─▶ redact ─▶ extract ─▶ Ring ◀── history (ops)
//! ```

use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

pub mod extract;
pub mod gone;
pub mod ring;
pub mod watch;
pub mod workloads;

pub use ring::Ring;

/// What the recorder watches, as `plural` or `plural.group` (the RBAC it needs:
/// `ops::reads`, checked by tests there). Rollouts of Deployments, StatefulSets and
/// DaemonSets are their new ReplicaSets and ControllerRevisions: the workloads themselves
/// need no watch.
pub const WATCHED: &[&str] = &[
    "pods",
    "events",
    "nodes",
    "replicasets.apps",
    "controllerrevisions.apps",
    "jobs.batch",
];

/// The ring's budget unless `--record-bytes` says otherwise.
pub const DEFAULT_RECORD_BYTES: usize = 2 * 1024 * 1024;
/// What the watchers use beyond the ring (a list page of 100 objects being parsed and
/// redacted, one watch event, read buffers, their threads): set aside from the memory limit
/// before the workers are fitted into it. Measured: +2.7 MiB RSS at 3,000 pods.
pub const WORKING_BYTES: usize = 4 * 1024 * 1024;
/// Most lines `triage`, `changes` and `describe` add from the record.
pub const RECALL_LINES: usize = 5;
/// Longest record text in such a line: five lines stay well inside triage's 4 KB.
const RECALL_TEXT_BYTES: usize = 200;
/// Longest log line quoted in such a line.
const RECALL_LOG_BYTES: usize = 160;
/// The smallest budget accepted: a few dozen records with their log lines.
pub const MIN_RECORD_BYTES: usize = 64 * 1024;

/// The ring, shared by the watchers that fill it and the commands that read it.
#[derive(Debug)]
pub struct Recorder {
    ring: Mutex<Ring>,
    since: SystemTime,
}

impl Recorder {
    /// A recorder of `budget` bytes, recording from `since` (now, at start).
    pub fn new(budget: usize, since: SystemTime) -> Recorder {
        Recorder {
            ring: Mutex::new(Ring::new(budget)),
            since,
        }
    }

    /// When recording began (this process's start: the record is memory only).
    pub fn since(&self) -> SystemTime {
        self.since
    }

    /// What the record holds that the API no longer has ([`ring::Record::gone`]), for the
    /// records `wanted` selects: at most [`RECALL_LINES`] lines, newest first
    /// (`recorded 03:12 shop pod/api-1: container api terminated: OOMKilled (exit 137),
    /// restarts 4; last log: "…"`), and how many more there are. Rollouts are left out:
    /// `changes` and `describe` read them from the API.
    pub fn recall(&self, wanted: impl Fn(&ring::Record) -> bool) -> (Vec<String>, usize) {
        let (records, more) = self.recall_records(wanted);
        let mut lines = Vec::new();
        for r in &records {
            let clock = crate::timefmt::format_rfc3339(r.last);
            // A warning's text is the event's message: its reason goes first.
            let reason = match r.reason.is_empty() || r.text.contains(&r.reason) {
                true => String::new(),
                false => format!("{}: ", r.reason),
            };
            let mut line = format!(
                "recorded {} {}{}: {reason}{}",
                clock.get(11..16).unwrap_or(&clock),
                match r.namespace.as_str() {
                    "" => String::new(),
                    ns => format!("{ns} "),
                },
                r.object,
                extract::cut_to(&r.text, RECALL_TEXT_BYTES)
            );
            if r.count > 1 {
                line.push_str(&format!(" (x{})", r.count));
            }
            if let Some(last) = r.log.last() {
                line.push_str(&format!(
                    "; last log: \"{}\"",
                    extract::cut_to(last, RECALL_LOG_BYTES)
                ));
            }
            lines.push(line);
        }
        (lines, more)
    }

    /// The records [`Recorder::recall`] says, copied out (for a JSON answer), and how many
    /// more there are.
    pub fn recall_records(
        &self,
        wanted: impl Fn(&ring::Record) -> bool,
    ) -> (Vec<ring::Record>, usize) {
        let ring = self.ring();
        let mut records = Vec::new();
        let mut more = 0;
        for r in ring
            .newest_first()
            .filter(|r| r.gone && r.kind != ring::Kind::Rollout && wanted(r))
        {
            if records.len() == RECALL_LINES {
                more += 1;
                continue;
            }
            records.push(r.clone());
        }
        (records, more)
    }

    /// The ring, locked (a panic in another holder leaves it usable: records are
    /// independent, and a half-made change is at worst one record).
    pub fn ring(&self) -> MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    #[test]
    fn recall_says_only_what_the_api_no_longer_has_with_its_time_and_last_log_line() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let rec = Recorder::new(1 << 20, now);
        let pod = json!({"metadata": {"name": "api-1", "namespace": "shop", "uid": "u-1"},
            "status": {"containerStatuses": [{"name": "api", "restartCount": 4,
                "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                    "finishedAt": "2026-12-07T03:12:00Z"}}}]}});
        for mut t in extract::terminations(&pod, now) {
            t.record.log = vec!["starting".into(), "panic: password=<redacted>".into()];
            rec.ring().add(t.record);
        }
        assert_eq!(
            rec.recall(|_| true),
            (Vec::new(), 0),
            "the pod is still there"
        );
        gone::pod_deleted(&mut rec.ring(), &pod);
        let (lines, more) = rec.recall(|_| true);
        assert_eq!(
            lines,
            [
                "recorded 03:12 shop pod/api-1: container api terminated: OOMKilled (exit 137), \
              restarts 4; last log: \"panic: password=<redacted>\""
            ]
        );
        assert_eq!(more, 0);
        assert_eq!(rec.recall(|r| r.namespace == "other").0.len(), 0);
    }

    #[test]
    fn recall_is_a_few_short_lines_and_counts_the_rest() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let rec = Recorder::new(1 << 20, now);
        for i in 0..12 {
            let ev = json!({"type": "Warning", "reason": format!("R{i}"), "message": "x".repeat(2000),
                "metadata": {"namespace": "shop"},
                "involvedObject": {"kind": "Pod", "name": "api-1", "namespace": "shop"}});
            let mut r = extract::warning(&ev, 1, now).expect("a warning");
            r.log = vec!["y".repeat(2000)];
            rec.ring().add(r);
            gone::event_deleted(&mut rec.ring(), &ev, now);
        }
        let (lines, more) = rec.recall(|_| true);
        assert_eq!((lines.len(), more), (RECALL_LINES, 12 - RECALL_LINES));
        assert!(lines.iter().all(|l| l.len() < 450), "{lines:?}");
        assert!(lines[0].contains("R11"), "newest first: {}", lines[0]);
    }
}
