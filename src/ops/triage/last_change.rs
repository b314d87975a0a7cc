//! The last change of each workload triage has a finding about: its newest revision when
//! created within [`WINDOW`], with what its pod template changed against the revision before
//! (`last change 10:12: image api: 2.4.0 → 2.4.1`), said at the end of the finding.
//!
//! Bounded: in at most [`MAX_NAMESPACES`] namespaces (the first by name), at most two
//! lists each — the namespace's ReplicaSets when
//! a Deployment has a finding, its ControllerRevisions when a StatefulSet or DaemonSet does —
//! walked page by page, holding the two newest templates of the workloads with findings
//! only ([`Engine::latest_rollouts`]). Both templates pass the redactor together, so a hidden
//! value that changed is named `~NAME`, never shown. A rollback reuses an older revision:
//! its change is dated by that revision's creation and may fall outside the window.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use crate::error::Code;
use crate::timefmt::format_rfc3339;

use super::super::engine::{Engine, Owner, Revisions};
use super::super::render::diff;
use super::Triage;

/// How recent a change must be to be named: "since about an hour ago", with room.
pub const WINDOW: Duration = Duration::from_secs(2 * 3600);
/// Most namespaces whose revisions are read (two lists each at most).
pub const MAX_NAMESPACES: usize = 10;
/// Longest change summary on a finding (cut with `…`): the causes must fit the budget.
const MAX_SUMMARY: usize = 120;

/// Read the last change of each workload `t` has a finding about and hand it to `t`.
/// A list this identity may not read is named in `unread`; a failing API server stops
/// the reads (the report is worth more than the changes), as do the previous logs.
pub fn read(e: &Engine, t: &mut Triage, now: SystemTime, unread: &mut Vec<String>) {
    let since = now.checked_sub(WINDOW).unwrap_or(SystemTime::UNIX_EPOCH);
    let subjects = t.workload_subjects();
    let mut refused: BTreeSet<String> = BTreeSet::new();
    for (ns, subjects) in subjects.iter().take(MAX_NAMESPACES) {
        for (kind, owners) in owners_by_list(subjects) {
            let (typed, plural) = match kind {
                Revisions::ReplicaSets => ("replicasets.apps", "replicasets"),
                Revisions::ControllerRevisions => {
                    ("controllerrevisions.apps", "controllerrevisions")
                }
            };
            if refused.contains(plural) {
                continue;
            }
            let found = e.scope().check_namespace(ns).and_then(|()| {
                let list = e.resolve_type(typed)?;
                e.latest_rollouts(&list.path(Some(ns), None), kind, &owners, since)
            });
            match found {
                Ok(found) => {
                    for ((owner_kind, name), latest) in found {
                        let subject = format!("{}/{name}", crate::object::short_kind(&owner_kind));
                        let p = &latest.pair;
                        let summary = diff::latest(p.from, p.to, &p.old, &p.new);
                        t.last_change(ns, &subject, say(latest.created, &summary));
                    }
                }
                Err(err) if matches!(err.code, Code::Forbidden | Code::NotFound) => {
                    refused.insert(plural.to_string());
                    unread.push(format!("{plural} for last changes ({})", err.code));
                }
                Err(err) => {
                    log::info!("last changes of workloads not read: {err}");
                    return;
                }
            }
        }
    }
    if subjects.len() > MAX_NAMESPACES {
        log::debug!(
            "last changes read in {MAX_NAMESPACES} of {} namespaces",
            subjects.len()
        );
    }
}

/// The workloads of `subjects` (`deploy/api`, `sts/db`) by the list their revisions are in.
fn owners_by_list(subjects: &BTreeSet<String>) -> Vec<(Revisions, BTreeSet<Owner>)> {
    let mut by: BTreeMap<bool, BTreeSet<Owner>> = BTreeMap::new();
    for s in subjects {
        let Some((short, name)) = s.split_once('/') else {
            continue;
        };
        let kind = match short {
            "deploy" => "Deployment",
            "sts" => "StatefulSet",
            "ds" => "DaemonSet",
            _ => continue,
        };
        by.entry(kind == "Deployment")
            .or_default()
            .insert((kind.to_string(), name.to_string()));
    }
    by.into_iter()
        .rev()
        .map(|(rs, owners)| match rs {
            true => (Revisions::ReplicaSets, owners),
            false => (Revisions::ControllerRevisions, owners),
        })
        .collect()
}

/// `HH:MM: summary` (UTC; the window is shorter than a day), the summary cut.
fn say(at: SystemTime, summary: &str) -> String {
    let t = format_rfc3339(at);
    let clock = t.get(11..16).unwrap_or(&t);
    format!("{clock}: {}", diff::cut_at(summary, MAX_SUMMARY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployments_read_replica_sets_and_the_others_controller_revisions() {
        let subjects: BTreeSet<String> = ["deploy/api", "sts/db", "ds/agent", "job/x"]
            .map(String::from)
            .into();
        let by = owners_by_list(&subjects);
        assert_eq!(by.len(), 2);
        assert_eq!(by[0].0, Revisions::ReplicaSets);
        assert_eq!(
            by[0].1,
            [("Deployment".to_string(), "api".to_string())].into()
        );
        assert_eq!(by[1].0, Revisions::ControllerRevisions);
        assert_eq!(
            by[1].1,
            [
                ("DaemonSet".to_string(), "agent".to_string()),
                ("StatefulSet".to_string(), "db".to_string())
            ]
            .into()
        );
        assert!(owners_by_list(&["job/x".to_string()].into()).is_empty());
    }

    #[test]
    fn a_change_is_its_utc_clock_and_a_summary_cut_to_fit() {
        let at = crate::timefmt::parse_rfc3339("2026-12-07T10:12:59Z").unwrap();
        assert_eq!(
            say(at, "image api: 2.4.0 → 2.4.1"),
            "10:12: image api: 2.4.0 → 2.4.1"
        );
        let long = say(at, &"x".repeat(500));
        assert!(long.len() <= "10:12: ".len() + MAX_SUMMARY + "…".len());
        assert!(long.ends_with('…'));
    }
}
