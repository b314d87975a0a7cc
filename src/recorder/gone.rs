//! What the API no longer has: records whose object the watches saw deleted (a pod, a Job,
//! a node; an event the API server expired) or whose state moved on (a container that
//! crashed again, a node condition that changed). Those are marked
//! [`Record::gone`](super::ring::Record::gone), and are what `triage`, `changes` and
//! `describe` add from the record ([`super::Recorder::recall`]).

use std::time::SystemTime;

use serde_json::Value;

use super::extract;
use super::ring::{Kind, Ring};

fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

/// A pod was deleted: its terminations and failures are gone from the API.
pub fn pod_deleted(ring: &mut Ring, pod: &Value) {
    let uid = s(pod, "/metadata/uid");
    if uid.is_empty() {
        return;
    }
    let (t, f, u) = (format!("t/{uid}/"), format!("f/{uid}"), format!("u/{uid}/"));
    ring.mark_gone(|r| r.key.starts_with(&t) || r.key == f || r.key.starts_with(&u));
}

/// A pod shows a termination not seen before: the ones it no longer shows (an earlier
/// crash of the same container, replaced in `lastState`) are gone from the API.
pub fn terminations_moved_on(ring: &mut Ring, pod: &Value, now: SystemTime) {
    let uid = s(pod, "/metadata/uid");
    let shown: Vec<String> = extract::terminations(pod, now)
        .into_iter()
        .map(|t| t.record.key)
        .collect();
    let prefix = format!("t/{uid}/");
    ring.mark_gone(|r| r.key.starts_with(&prefix) && !shown.contains(&r.key));
}

/// An event was deleted (expired): its Warning record is gone from the API, unless a newer
/// event of the same object and reason (merged into the same record) is still there.
pub fn event_deleted(ring: &mut Ring, ev: &Value, now: SystemTime) {
    if let Some(w) = extract::warning(ev, 1, now) {
        ring.mark_gone(|r| r.key == w.key && w.last >= r.last);
    }
}

/// A node as it stands: earlier transitions of its conditions are gone from the API; all
/// of them when it was deleted.
pub fn node_seen(ring: &mut Ring, node: &Value, deleted: bool, now: SystemTime) {
    if deleted {
        let object = format!("node/{}", s(node, "/metadata/name"));
        ring.mark_gone(|r| r.kind == Kind::NodeCondition && r.object == object);
        return;
    }
    for (current, _, prefix) in extract::node_conditions(node, now) {
        ring.mark_gone(|r| r.key.starts_with(&prefix) && r.key != current.key);
    }
}

/// A Job was deleted: its failure is gone from the API.
pub fn job_deleted(ring: &mut Ring, job: &Value) {
    let key = format!("j/{}", s(job, "/metadata/uid"));
    ring.mark_gone(|r| r.key == key);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    fn pod(finished: &str) -> Value {
        json!({"metadata": {"name": "api-1", "namespace": "shop", "uid": "u-1"},
            "status": {"phase": "Running", "containerStatuses": [{"name": "api", "restartCount": 2,
                "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": finished}}}]}})
    }

    #[test]
    fn a_crash_is_gone_when_the_container_crashes_again_or_the_pod_is_deleted() {
        let mut ring = Ring::new(1 << 20);
        let first = pod("2026-12-07T03:12:00Z");
        for t in extract::terminations(&first, now()) {
            ring.add(t.record);
        }
        let other = json!({"metadata": {"namespace": "shop", "uid": "u-2"}});
        pod_deleted(&mut ring, &other);
        terminations_moved_on(&mut ring, &first, now());
        assert!(
            ring.newest_first().all(|r| !r.gone),
            "still shown by the API"
        );
        let second = pod("2026-12-07T03:20:00Z");
        for t in extract::terminations(&second, now()) {
            ring.add(t.record);
        }
        terminations_moved_on(&mut ring, &second, now());
        let gone: Vec<bool> = ring.newest_first().map(|r| r.gone).collect();
        assert_eq!(gone, [false, true], "the earlier crash left lastState");
        pod_deleted(&mut ring, &second);
        assert!(ring.newest_first().all(|r| r.gone));
    }

    #[test]
    fn a_warning_is_gone_when_its_event_expires_and_back_when_it_repeats() {
        let ev = json!({"type": "Warning", "reason": "BackOff", "message": "m",
            "metadata": {"namespace": "shop", "uid": "e-1"},
            "involvedObject": {"kind": "Pod", "name": "api-1", "namespace": "shop"}});
        let mut ring = Ring::new(1 << 20);
        ring.add(extract::warning(&ev, 1, now()).unwrap());
        let mut older = ev.clone();
        older["lastTimestamp"] = json!("2020-01-01T00:00:00Z");
        event_deleted(&mut ring, &older, now());
        assert!(
            ring.newest_first().all(|r| !r.gone),
            "a newer event of the same reason is still there"
        );
        event_deleted(&mut ring, &ev, now());
        assert!(ring.newest_first().all(|r| r.gone));
        ring.add(extract::warning(&ev, 1, now()).unwrap());
        assert!(ring.newest_first().all(|r| !r.gone));
    }

    #[test]
    fn a_node_condition_is_gone_when_it_flips_back() {
        let node = |status: &str, at: &str| {
            json!({"metadata": {"name": "node-2"}, "status": {"conditions": [
                {"type": "Ready", "status": status, "lastTransitionTime": at}]}})
        };
        let mut ring = Ring::new(1 << 20);
        let bad = node("False", "2026-12-07T03:00:00Z");
        for (r, _, _) in extract::node_conditions(&bad, now()) {
            ring.add(r);
        }
        node_seen(&mut ring, &bad, false, now());
        assert!(ring.newest_first().all(|r| !r.gone));
        node_seen(
            &mut ring,
            &node("True", "2026-12-07T03:05:00Z"),
            false,
            now(),
        );
        assert!(ring.newest_first().all(|r| r.gone));
    }
}
