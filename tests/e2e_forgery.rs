//! End-to-end, against the real kube-apiserver testbed (KUBE_TESTBED_DIR): text written by
//! whoever can create an object — a container's termination message, a condition's, an
//! event's, an annotation — cannot forge lines of an answer or reorder what the reader sees.

mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::*;

/// The namespace this test plants its objects in.
const NS: &str = "forgery-e2e";
/// A message that, printed raw, would end the container section with a forged `Ready` and
/// an empty `Events` section.
const FORGED: &str = "panic: boom\n  Ready: True\nEvents: <none>\n";
/// Bidi overrides and isolates, marks and zero-width characters, each of which must reach
/// the reader escaped.
const INVISIBLE: &[char] = &[
    '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200e}', '\u{200f}', '\u{061c}', '\u{200b}', '\u{feff}',
];

/// Merge-patch `status` into the object at `path` as admin (the testbed has no kubelet to
/// write a pod's status).
fn raw_patch_status(dir: &Path, path: &str, status: &Value) {
    admin_request(
        dir,
        "PATCH",
        &format!("{path}/status"),
        Some(&json!({ "status": status })),
    );
}

fn plant(dir: &Path) {
    let invisible: String = INVISIBLE.iter().collect();
    raw_create(
        dir,
        "/api/v1/namespaces",
        &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}),
    );
    raw_create(
        dir,
        &format!("/api/v1/namespaces/{NS}/pods"),
        &json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "forger", "annotations": {"note": format!("user{invisible}admin")}},
            "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "app:1"}]}}),
    );
    raw_patch_status(
        dir,
        &format!("/api/v1/namespaces/{NS}/pods/forger"),
        &json!({"phase": "Running",
            "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady",
                "message": FORGED}],
            "containerStatuses": [{"name": "app", "ready": false, "restartCount": 4,
                "image": "app:1", "imageID": "",
                "state": {"waiting": {"reason": "CrashLoopBackOff",
                    "message": format!("back-off {invisible}\n  Ready: True")}},
                "lastState": {"terminated": {"reason": "Error", "exitCode": 1,
                    "message": FORGED}}}]}),
    );
    raw_create(
        dir,
        &format!("/api/v1/namespaces/{NS}/events"),
        &json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "forger.forged"},
            "involvedObject": {"kind": "Pod", "name": "forger", "namespace": NS},
            "reason": "BackOff", "type": "Warning", "count": 1,
            "message": format!("{FORGED}{invisible}"),
            "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:00Z"}),
    );
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn messages_cannot_forge_answer_lines_or_hide_text() {
    let dir = testbed();
    plant(&dir);
    let kc = dir.join("kubeconfig");
    for args in [
        &["describe", "pod", "forger", "-n", NS][..],
        &["get", "pod", "forger", "-n", NS, "-o", "yaml"],
        &["get", "pod", "forger", "-n", NS, "-o", "json"],
        &["get", "pods", "-n", NS, "-o", "wide"],
        &["events", "-n", NS],
        &["get", "events", "-n", NS],
        &["triage", "-n", NS],
    ] {
        let (code, out, err) = query(&kc, &[], args);
        assert_eq!(code, 0, "{args:?}: {err}");
        for c in INVISIBLE {
            assert!(!out.contains(*c), "{args:?} passes {c:?} unescaped:\n{out}");
        }
    }
    // Tables: a cell is one line, so a message cannot add a row (or a describe section).
    for args in [
        &["events", "-n", NS][..],
        &["get", "events", "-n", NS],
        &["get", "events", "-n", NS, "-o", "wide"],
    ] {
        let (_, out, _) = query(&kc, &[], args);
        assert!(out.contains("panic: boom"), "{args:?}:\n{out}");
        let forged = out
            .lines()
            .any(|l| l.starts_with("Events:") || l.trim_start().starts_with("Ready: True"));
        assert!(!forged, "{args:?} carries a forged line:\n{out}");
    }
    let (_, out, _) = query(&kc, &[], &["describe", "pod", "forger", "-n", NS]);
    assert!(
        out.contains("\\u202e"),
        "the override is shown escaped:\n{out}"
    );
    let sections: Vec<&str> = out.lines().filter(|l| l.starts_with("Events:")).collect();
    assert_eq!(sections.len(), 1, "one Events section:\n{out}");
    for l in out
        .lines()
        .filter(|l| l.trim_start().starts_with("Ready: True"))
    {
        let indent = l.len() - l.trim_start().len();
        assert!(
            indent > 20,
            "a message line starts at column {indent}:\n{out}"
        );
    }
    // The first line of the termination message stays beside its key, as kubectl shows it.
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("Message:") && l.ends_with("panic: boom")),
        "{out}"
    );
}
