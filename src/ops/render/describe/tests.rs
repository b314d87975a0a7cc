//! Describe output from objects recorded on the testbed (tests/fixtures/describe/).

use serde_json::{Value, json};

use super::*;
use crate::redact::shown;

/// The renderer, given a fixture redacted as the fetch layer would.
fn render(obj: &Value, related: &Related, now: SystemTime) -> String {
    super::render(&shown(obj.clone()), related, now)
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/describe/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn with_kind(mut v: Value, kind: &str) -> Value {
    v["kind"] = json!(kind);
    v
}

fn list(name: &str) -> Vec<Redacted<Value>> {
    let items = fixture(name).as_array().cloned().unwrap_or_default();
    items.into_iter().map(shown).collect()
}

fn now() -> SystemTime {
    SystemTime::now()
}

#[test]
fn crash_looping_pod_shows_state_last_termination_and_backoff() {
    let related = Related {
        events: list("pod-api-events"),
        ..Related::default()
    };
    let out = render(&with_kind(fixture("pod-api"), "Pod"), &related, now());
    for want in [
        "Name:",
        "Status:",
        "Containers:",
        "State:",
        "Reason:",
        "CrashLoopBackOff",
        "Last State:",
        "Exit Code:",
        "Restart Count:",
        "Conditions:",
        "Events:",
        "BackOff",
        "Controlled By:",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    let exit = out
        .lines()
        .find(|l| l.trim_start().starts_with("Exit Code:"))
        .unwrap_or_default();
    assert!(
        exit.ends_with(" 2"),
        "last termination exit code 2: {exit:?}"
    );
}

#[test]
fn not_ready_node_shows_conditions_and_pods() {
    let pod = fixture("pod-api");
    let related = Related {
        events: list("node-2-events"),
        node_pods: vec![shown(pod)],
        ..Related::default()
    };
    let out = render(&with_kind(fixture("node-2"), "Node"), &related, now());
    for want in [
        "Conditions:",
        "Ready",
        "MemoryPressure",
        "Capacity:",
        "Allocatable:",
        "Non-terminated Pods:",
        "(1 in total)",
        "Allocated resources:",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
}

#[test]
fn deployment_lists_replicas_and_replica_sets() {
    let related = Related {
        replica_sets: list("deploy-api-rs"),
        ..Related::default()
    };
    let out = render(
        &with_kind(fixture("deploy-api"), "Deployment"),
        &related,
        now(),
    );
    for want in [
        "Replicas:",
        "desired |",
        "StrategyType:",
        "Pod Template:",
        "NewReplicaSet:",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("Selector:") && l.ends_with("app=api")),
        "{out}"
    );
}

#[test]
fn failed_job_service_and_custom_resource() {
    let out = render(
        &with_kind(fixture("job-failed"), "Job"),
        &Related::default(),
        now(),
    );
    assert!(
        out.contains("Pods Statuses:") && out.contains("BackoffLimitExceeded"),
        "{out}"
    );
    let related = Related {
        endpoints: Some(shown(fixture("ep-web"))),
        ..Related::default()
    };
    let out = render(&with_kind(fixture("svc-web"), "Service"), &related, now());
    assert!(
        out.contains("Endpoints:") && out.contains("10.244."),
        "{out}"
    );
    let out = render(&fixture("widget"), &Related::default(), now());
    assert!(
        out.contains("Kind:") && out.contains("Widget") && out.contains("Spec:"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("Events:") && l.ends_with("<none>")),
        "{out}"
    );
}

#[test]
fn secrets_say_their_data_is_not_read() {
    let s = json!({"kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}});
    let out = render(&s, &Related::default(), now());
    assert!(
        out.contains("not read: kubeglass reads only the metadata"),
        "{out}"
    );
    assert!(!needs("Secret").events);
    let cells = crate::redact::shown(json!({"kind": "Opaque", "keys": "2"})).map(|v| SecretCells {
        kind: v["kind"].as_str().unwrap_or_default().into(),
        keys: v["keys"].as_str().unwrap_or_default().into(),
    });
    let related = Related {
        secret: Some(cells),
        ..Related::default()
    };
    let out = render(&s, &related, now());
    assert!(out.contains("\nType:"), "{out}");
    assert!(
        out.contains("Opaque") && out.contains("2 keys (names and values not read"),
        "{out}"
    );
}

#[test]
fn hostile_objects_do_not_panic() {
    for kind in [
        "Pod",
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
        "Service",
        "Node",
        "Namespace",
        "ConfigMap",
        "Secret",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "Ingress",
        "HorizontalPodAutoscaler",
        "Widget",
    ] {
        for body in [
            json!({"kind": kind}),
            json!({"kind": kind, "metadata": 5, "spec": [], "status": "x"}),
            json!({"kind": kind, "metadata": {"labels": {"a": null}}, "spec": {"containers": [null, 3, {"env": "x"}],
                   "selector": {"matchExpressions": [{}]}, "ports": [{}], "rules": [{"http": {"paths": [{}]}}]},
                   "status": {"conditions": [null], "containerStatuses": [{"state": {}}]}}),
        ] {
            let out = render(
                &body,
                &Related {
                    events: vec![shown(json!(null)), shown(json!({"count": "x"}))],
                    ..Related::default()
                },
                now(),
            );
            assert!(out.contains("Name:"), "{kind}: {out}");
        }
    }
    let deep = (0..50).fold(json!(1), |acc, _| json!({"a": acc}));
    let out = render(
        &json!({"kind": "X", "spec": deep}),
        &Related::default(),
        now(),
    );
    assert!(out.contains('…'));
}
