//! What is worth recording in a watched object, as compact records: pure functions of the
//! (already redacted) object and the clock, so they are tested without a cluster.

use std::time::SystemTime;

use serde_json::Value;

use super::ring::{Kind, MAX_TEXT_BYTES, Record};
use crate::ops::engine::Revisions;
use crate::timefmt::parse_rfc3339;

/// A container termination seen in a pod, before its log is read.
#[derive(Debug, Clone, PartialEq)]
pub struct Termination {
    /// The record, its `log` still empty.
    pub record: Record,
    /// The pod's name and the container's, for the log request.
    pub pod: String,
    /// The container.
    pub container: String,
    /// Whether the log to read is the previous run's (`lastState`) or the current one's
    /// (`state`: a container that terminated and was not restarted).
    pub previous: bool,
}

fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

/// `text` cut to [`MAX_TEXT_BYTES`] on a char boundary.
pub fn cut(text: &str) -> String {
    cut_to(text, MAX_TEXT_BYTES)
}

/// `text` cut to `max` bytes (at least 3) on a char boundary, ending in `...` when cut.
pub fn cut_to(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let end = text.floor_char_boundary(max.saturating_sub(3));
    format!("{}...", &text[..end])
}

/// Every container termination `pod` shows (`lastState.terminated` of a restarted
/// container, `state.terminated` of one that stopped), keyed by pod uid, container and
/// finish time, so the same termination seen again (a relist, a later update) is one.
pub fn terminations(pod: &Value, now: SystemTime) -> Vec<Termination> {
    let ns = s(pod, "/metadata/namespace");
    let name = s(pod, "/metadata/name");
    let uid = s(pod, "/metadata/uid");
    let mut found = Vec::new();
    for list in ["initContainerStatuses", "containerStatuses"] {
        let Some(statuses) = pod
            .pointer(&format!("/status/{list}"))
            .and_then(Value::as_array)
        else {
            continue;
        };
        for st in statuses {
            let container = s(st, "/name");
            let restarts = st.get("restartCount").and_then(Value::as_u64).unwrap_or(0);
            for (ptr, previous) in [
                ("/lastState/terminated", true),
                ("/state/terminated", false),
            ] {
                let Some(t) = st.pointer(ptr) else {
                    continue;
                };
                let reason = s(t, "/reason");
                let exit = t.get("exitCode").and_then(Value::as_i64).unwrap_or(0);
                let finished = s(t, "/finishedAt");
                let when = parse_rfc3339(finished).unwrap_or(now);
                let mut text = format!(
                    "container {container} terminated: {} (exit {exit}), restarts {restarts}",
                    if reason.is_empty() { "-" } else { reason }
                );
                let message = s(t, "/message");
                if !message.is_empty() {
                    text.push_str(": ");
                    text.push_str(message);
                }
                found.push(Termination {
                    record: Record::once(
                        Kind::Termination,
                        format!("t/{uid}/{container}/{finished}/{exit}"),
                        ns.to_string(),
                        format!("pod/{name}"),
                        reason.to_string(),
                        cut(&text),
                        when,
                    ),
                    pod: name.to_string(),
                    container: container.to_string(),
                    previous,
                });
            }
        }
    }
    found
}

/// A record of `pod` when it is Failed (evicted, or its containers failed for good).
pub fn failed_pod(pod: &Value, now: SystemTime) -> Option<Record> {
    if s(pod, "/status/phase") != "Failed" {
        return None;
    }
    let reason = s(pod, "/status/reason");
    let message = s(pod, "/status/message");
    let mut text = format!(
        "pod failed: {}",
        if reason.is_empty() { "Failed" } else { reason }
    );
    if !message.is_empty() {
        text.push_str(": ");
        text.push_str(message);
    }
    let node = s(pod, "/spec/nodeName");
    if !node.is_empty() {
        text.push_str(&format!(" (node {node})"));
    }
    Some(Record::once(
        Kind::PodFailed,
        format!("f/{}", s(pod, "/metadata/uid")),
        s(pod, "/metadata/namespace").to_string(),
        format!("pod/{}", s(pod, "/metadata/name")),
        reason.to_string(),
        cut(&text),
        now,
    ))
}

/// A record of `pod` when the scheduler cannot place it (`PodScheduled` False,
/// `Unschedulable`), keyed by uid and the condition's transition time.
pub fn unschedulable_pod(pod: &Value, now: SystemTime) -> Option<Record> {
    if s(pod, "/status/phase") != "Pending" {
        return None;
    }
    let cond = pod
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| s(c, "/type") == "PodScheduled" && s(c, "/status") == "False")?;
    if s(cond, "/reason") != "Unschedulable" {
        return None;
    }
    let since = s(cond, "/lastTransitionTime");
    let when = parse_rfc3339(since).unwrap_or(now);
    Some(Record::once(
        Kind::PodFailed,
        format!("u/{}/{since}", s(pod, "/metadata/uid")),
        s(pod, "/metadata/namespace").to_string(),
        format!("pod/{}", s(pod, "/metadata/name")),
        "Unschedulable".to_string(),
        cut(&format!("pod unschedulable: {}", s(cond, "/message"))),
        when,
    ))
}

/// The node conditions worth a record: Ready and the pressures.
const NODE_CONDITIONS: &[&str] = &[
    "Ready",
    "MemoryPressure",
    "DiskPressure",
    "PIDPressure",
    "NetworkUnavailable",
];

/// A node condition as it stands: the record, whether it is bad (Ready not True, a
/// pressure True), and the key prefix of its earlier transitions. Keyed by the condition's
/// `lastTransitionTime`, so each transition is one record however often it is seen.
pub fn node_conditions(node: &Value, now: SystemTime) -> Vec<(Record, bool, String)> {
    let name = s(node, "/metadata/name");
    let Some(conds) = node.pointer("/status/conditions").and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for c in conds {
        let ty = s(c, "/type");
        if !NODE_CONDITIONS.contains(&ty) {
            continue;
        }
        let status = s(c, "/status");
        let bad = if ty == "Ready" {
            status != "True"
        } else {
            status == "True"
        };
        let since = s(c, "/lastTransitionTime");
        let when = parse_rfc3339(since).unwrap_or(now);
        let reason = s(c, "/reason");
        let mut text = format!("node {ty}={status}");
        if !reason.is_empty() {
            text.push_str(&format!(" ({reason})"));
        }
        let message = s(c, "/message");
        if !message.is_empty() {
            text.push_str(": ");
            text.push_str(message);
        }
        let prefix = format!("n/{name}/{ty}/");
        found.push((
            Record::once(
                Kind::NodeCondition,
                format!("{prefix}{status}/{since}"),
                String::new(),
                format!("node/{name}"),
                reason.to_string(),
                cut(&text),
                when,
            ),
            bad,
            prefix,
        ));
    }
    found
}

/// A Warning event as a record keyed by its object and reason, with `count` as given (the
/// caller passes how much the event's own count grew since it last saw it); `None` for
/// other events.
pub fn warning(event: &Value, count: u64, now: SystemTime) -> Option<Record> {
    if s(event, "/type") != "Warning" {
        return None;
    }
    let ns = s(event, "/involvedObject/namespace");
    let ns = if ns.is_empty() {
        s(event, "/metadata/namespace")
    } else {
        ns
    };
    let object = format!(
        "{}/{}",
        s(event, "/involvedObject/kind").to_ascii_lowercase(),
        s(event, "/involvedObject/name")
    );
    let reason = s(event, "/reason");
    let time = |ptr: &str| parse_rfc3339(s(event, ptr));
    let last = time("/lastTimestamp")
        .or_else(|| time("/eventTime"))
        .unwrap_or(now);
    let first = time("/firstTimestamp").unwrap_or(last);
    Some(Record {
        kind: Kind::Warning,
        key: format!("w/{ns}/{object}/{reason}"),
        namespace: ns.to_string(),
        object,
        reason: reason.to_string(),
        text: cut(s(event, "/message").trim()),
        first,
        last,
        count,
        log: Vec::new(),
        gone: false,
    })
}

/// An event's own count (core/v1 `count`, events.k8s.io `series.count`; 1 when absent).
pub fn event_count(event: &Value) -> u64 {
    event
        .get("count")
        .and_then(Value::as_u64)
        .or_else(|| event.pointer("/series/count").and_then(Value::as_u64))
        .unwrap_or(1)
        .max(1)
}

/// A new revision of a workload (a ReplicaSet of a Deployment, a ControllerRevision of a
/// StatefulSet or DaemonSet), before its template change is read.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// The record, its text still without the change summary.
    pub record: Record,
    /// The owner's uid (its revisions are listed by it).
    pub owner_uid: String,
    /// The revision number.
    pub number: i64,
}

/// A rollout record of `obj`, a ReplicaSet or ControllerRevision created at or after
/// `since` (recording began: an older revision is no news) and controlled by a workload;
/// keyed by its uid, so a relist or a later update of the same revision is one record.
pub fn revision(obj: &Value, kind: Revisions, since: SystemTime) -> Option<Revision> {
    let created = parse_rfc3339(s(obj, "/metadata/creationTimestamp"))?;
    if created < since {
        return None;
    }
    let number = kind.number(obj)?;
    let name = s(obj, "/metadata/name");
    let (object, owner_uid) = owner(obj)?;
    Some(Revision {
        record: Record::once(
            Kind::Rollout,
            format!("r/{}", s(obj, "/metadata/uid")),
            s(obj, "/metadata/namespace").to_string(),
            object,
            "Rollout".to_string(),
            cut(&format!("rollout to revision {number} ({name})")),
            created,
        ),
        owner_uid,
        number,
    })
}

/// A rollback record of `obj`, a ReplicaSet or ControllerRevision that had revision number
/// `from` and now has a higher one: its workload went back to its template (`kubectl
/// rollout undo`, or the same template applied again: the controller reuses the revision and
/// gives it the next number). Keyed by uid and the new number, so the one rollback is one
/// record however often the object is seen with it; seen at `now` (the object does not say
/// when its number changed).
pub fn rollback(obj: &Value, kind: Revisions, from: i64, now: SystemTime) -> Option<Revision> {
    let number = kind.number(obj)?;
    if number <= from {
        return None;
    }
    let name = s(obj, "/metadata/name");
    let (object, owner_uid) = owner(obj)?;
    Some(Revision {
        record: Record::once(
            Kind::Rollout,
            format!("r/{}/{number}", s(obj, "/metadata/uid")),
            s(obj, "/metadata/namespace").to_string(),
            object,
            "Rollback".to_string(),
            cut(&format!(
                "rollback to revision {from} as revision {number} ({name})"
            )),
            now,
        ),
        owner_uid,
        number,
    })
}

/// The workload controlling `obj` (its controller owner, else its first), as `kind/name`
/// in lower case, and its uid; `None` for an object no workload owns.
pub fn owner(obj: &Value) -> Option<(String, String)> {
    let owners = obj.pointer("/metadata/ownerReferences")?.as_array()?;
    let owner = owners
        .iter()
        .find(|o| o.get("controller") == Some(&Value::Bool(true)))
        .or(owners.first())?;
    let owner_kind = match s(owner, "/kind") {
        "" => "Deployment",
        k => k,
    };
    Some((
        format!("{}/{}", owner_kind.to_ascii_lowercase(), s(owner, "/name")),
        s(owner, "/uid").to_string(),
    ))
}

/// A record of `job` when it failed (its `Failed` condition is True), keyed by uid.
pub fn failed_job(job: &Value, now: SystemTime) -> Option<Record> {
    let cond = job
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| s(c, "/type") == "Failed" && s(c, "/status") == "True")?;
    let reason = s(cond, "/reason");
    let when = parse_rfc3339(s(cond, "/lastTransitionTime")).unwrap_or(now);
    let failed = job
        .pointer("/status/failed")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let mut text = format!(
        "job failed: {} ({failed} failed pods)",
        if reason.is_empty() { "Failed" } else { reason }
    );
    let message = s(cond, "/message");
    if !message.is_empty() {
        text.push_str(": ");
        text.push_str(message);
    }
    Some(Record::once(
        Kind::JobFailed,
        format!("j/{}", s(job, "/metadata/uid")),
        s(job, "/metadata/namespace").to_string(),
        format!("job/{}", s(job, "/metadata/name")),
        reason.to_string(),
        cut(&text),
        when,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    /// A pod as a watch event carries it (the shape the testbed's API server sends).
    fn crashed_pod() -> Value {
        json!({"type": "MODIFIED", "object": {
            "kind": "Pod",
            "metadata": {"name": "api-1", "namespace": "shop", "uid": "u-1", "resourceVersion": "42"},
            "spec": {"nodeName": "node-1"},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "api", "restartCount": 3, "ready": false,
                 "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                 "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                    "startedAt": "2026-12-07T03:10:00Z", "finishedAt": "2026-12-07T03:12:00Z"}}},
                {"name": "sidecar", "restartCount": 0, "state": {"running": {}}}
            ]}
        }})["object"]
            .clone()
    }

    #[test]
    fn a_restarted_container_gives_one_termination_with_its_previous_log_to_read() {
        let found = terminations(&crashed_pod(), now());
        assert_eq!(found.len(), 1, "{found:?}");
        let t = &found[0];
        assert_eq!(
            (t.pod.as_str(), t.container.as_str(), t.previous),
            ("api-1", "api", true)
        );
        assert_eq!(t.record.object, "pod/api-1");
        assert_eq!(t.record.reason, "OOMKilled");
        assert_eq!(
            t.record.text,
            "container api terminated: OOMKilled (exit 137), restarts 3"
        );
        assert_eq!(Some(t.record.first), parse_rfc3339("2026-12-07T03:12:00Z"));
        // The same termination seen again has the same key.
        assert_eq!(
            terminations(&crashed_pod(), now())[0].record.key,
            t.record.key
        );
    }

    #[test]
    fn a_stopped_container_reads_its_current_log() {
        let mut pod = crashed_pod();
        pod["status"]["containerStatuses"][1]["state"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2026-12-07T03:13:00Z"}});
        let found = terminations(&pod, now());
        assert_eq!(found.len(), 2);
        assert!(!found[1].previous);
        assert_ne!(found[0].record.key, found[1].record.key);
    }

    #[test]
    fn an_evicted_pod_is_recorded_and_a_running_one_is_not() {
        assert_eq!(failed_pod(&crashed_pod(), now()), None);
        let mut pod = crashed_pod();
        pod["status"]["phase"] = json!("Failed");
        pod["status"]["reason"] = json!("Evicted");
        pod["status"]["message"] = json!("The node was low on resource: memory.");
        let r = failed_pod(&pod, now()).expect("recorded");
        assert_eq!(r.reason, "Evicted");
        assert_eq!(
            r.text,
            "pod failed: Evicted: The node was low on resource: memory. (node node-1)"
        );
    }

    #[test]
    fn warning_events_are_keyed_by_object_and_reason_and_normal_ones_skipped() {
        let ev = json!({"type": "Warning", "reason": "BackOff", "count": 7,
            "message": "Back-off restarting failed container",
            "metadata": {"name": "api-1.abc", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "name": "api-1", "namespace": "shop"},
            "firstTimestamp": "2026-12-07T03:00:00Z", "lastTimestamp": "2026-12-07T03:12:00Z"});
        let r = warning(&ev, event_count(&ev), now()).expect("a warning");
        assert_eq!(r.key, "w/shop/pod/api-1/BackOff");
        assert_eq!((r.count, r.object.as_str()), (7, "pod/api-1"));
        assert!(r.first < r.last);
        let mut normal = ev.clone();
        normal["type"] = json!("Normal");
        assert_eq!(warning(&normal, 1, now()), None);
    }

    #[test]
    fn node_conditions_are_bad_when_not_ready_or_under_pressure_and_keyed_by_transition() {
        let node = json!({"metadata": {"name": "node-2"}, "status": {"conditions": [
            {"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown",
             "message": "Kubelet stopped posting node status.", "lastTransitionTime": "2026-12-07T03:00:00Z"},
            {"type": "MemoryPressure", "status": "False", "lastTransitionTime": "2026-12-01T00:00:00Z"},
            {"type": "DiskPressure", "status": "True", "lastTransitionTime": "2026-12-07T02:00:00Z"},
            {"type": "Custom", "status": "True"}]}});
        let found = node_conditions(&node, now());
        let bad: Vec<&str> = found
            .iter()
            .filter(|(_, b, _)| *b)
            .map(|(r, _, _)| r.text.as_str())
            .collect();
        assert_eq!(
            bad,
            [
                "node Ready=Unknown (NodeStatusUnknown): Kubelet stopped posting node status.",
                "node DiskPressure=True"
            ]
        );
        assert_eq!(found.len(), 3, "only the known conditions");
        assert_eq!(
            found[0].0.key,
            "n/node-2/Ready/Unknown/2026-12-07T03:00:00Z"
        );
        assert!(found[0].0.key.starts_with(&found[0].2));
    }

    #[test]
    fn an_unschedulable_pod_is_recorded_with_the_schedulers_words() {
        let pod = json!({"metadata": {"name": "db-0", "namespace": "shop", "uid": "u-9"},
            "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
                "reason": "Unschedulable", "lastTransitionTime": "2026-12-07T03:00:00Z",
                "message": "0/3 nodes are available: 3 Insufficient memory."}]}});
        let r = unschedulable_pod(&pod, now()).expect("recorded");
        assert_eq!(
            r.text,
            "pod unschedulable: 0/3 nodes are available: 3 Insufficient memory."
        );
        assert_eq!(r.reason, "Unschedulable");
        assert_eq!(unschedulable_pod(&crashed_pod(), now()), None);
    }

    #[test]
    fn long_messages_are_cut() {
        let long = "é".repeat(1000);
        let c = cut(&long);
        assert!(c.len() <= MAX_TEXT_BYTES && c.ends_with("..."));
    }

    #[test]
    fn a_new_replicaset_is_a_rollout_of_its_deployment_and_an_old_one_is_not() {
        let rs = json!({"metadata": {"name": "web-7d9", "namespace": "shop", "uid": "rs-2",
            "creationTimestamp": "2027-01-15T08:00:10Z",
            "annotations": {"deployment.kubernetes.io/revision": "2"},
            "ownerReferences": [{"kind": "Deployment", "name": "web", "uid": "d-1", "controller": true}]}});
        let r = revision(&rs, Revisions::ReplicaSets, now()).expect("a rollout");
        assert_eq!(
            (r.record.object.as_str(), r.number, r.owner_uid.as_str()),
            ("deployment/web", 2, "d-1")
        );
        assert_eq!(r.record.text, "rollout to revision 2 (web-7d9)");
        assert_eq!(r.record.key, "r/rs-2");
        let later = now() + Duration::from_secs(3600);
        assert_eq!(revision(&rs, Revisions::ReplicaSets, later), None);
        let mut orphan = rs.clone();
        orphan["metadata"]["ownerReferences"] = json!([]);
        assert_eq!(revision(&orphan, Revisions::ReplicaSets, now()), None);
    }

    #[test]
    fn a_revision_given_a_higher_number_is_a_rollback_keyed_by_that_number() {
        let rs = json!({"metadata": {"name": "web-5d9", "namespace": "shop", "uid": "rs-1",
            "creationTimestamp": "2026-01-15T08:00:10Z",
            "annotations": {"deployment.kubernetes.io/revision": "4",
                "deployment.kubernetes.io/revision-history": "2"},
            "ownerReferences": [{"kind": "Deployment", "name": "web", "uid": "d-1", "controller": true}]}});
        let r = rollback(&rs, Revisions::ReplicaSets, 2, now()).expect("a rollback");
        assert_eq!(
            r.record.text,
            "rollback to revision 2 as revision 4 (web-5d9)"
        );
        assert_eq!(
            (r.record.key.as_str(), r.record.object.as_str(), r.number),
            ("r/rs-1/4", "deployment/web", 4)
        );
        assert_eq!(
            (r.record.first, r.record.reason.as_str()),
            (now(), "Rollback")
        );
        assert_eq!(
            rollback(&rs, Revisions::ReplicaSets, 4, now()),
            None,
            "same number"
        );
        let cr = json!({"metadata": {"name": "db-6c8", "namespace": "shop", "uid": "cr-1",
            "ownerReferences": [{"kind": "StatefulSet", "name": "db", "uid": "s-1", "controller": true}]},
            "revision": 3});
        let r = rollback(&cr, Revisions::ControllerRevisions, 1, now()).expect("a rollback");
        assert_eq!(
            (r.record.key.as_str(), r.record.object.as_str()),
            ("r/cr-1/3", "statefulset/db")
        );
    }

    #[test]
    fn a_failed_job_is_recorded_with_its_reason_and_a_running_one_is_not() {
        let mut job = json!({"metadata": {"name": "migrate", "namespace": "shop", "uid": "j-1"},
            "status": {"failed": 6, "conditions": [{"type": "Failed", "status": "True",
                "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit",
                "lastTransitionTime": "2026-12-07T03:12:00Z"}]}});
        let r = failed_job(&job, now()).expect("recorded");
        assert_eq!(
            r.text,
            "job failed: BackoffLimitExceeded (6 failed pods): Job has reached the specified backoff limit"
        );
        assert_eq!(r.object, "job/migrate");
        job["status"]["conditions"][0]["status"] = json!("False");
        assert_eq!(failed_job(&job, now()), None);
    }
}
