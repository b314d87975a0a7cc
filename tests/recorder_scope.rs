//! The flight recorder watches exactly the scope (no testbed: an in-process fake API): with
//! `--namespaces shop,web --no-cluster-resources`, pods, events, ReplicaSets,
//! ControllerRevisions and Jobs in each of those namespaces and nothing else (no node, no
//! cluster-wide list); with neither flag, each of those cluster-wide and the nodes. The
//! chart's RBAC grants `watch` on exactly these types (`src/ops/reads.rs`,
//! `tests/chart_rbac.rs`).

mod support;

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;
use support::fake_api::{FakeApi, Seen};
use support::kubeglass;

/// Lists answer empty; watches answer 503 (the watcher backs off: no tight loop here).
fn answer(s: &Seen) -> Option<(u16, String)> {
    let path = s.url.split('?').next().unwrap_or("");
    let watched = [
        "pods",
        "events",
        "replicasets",
        "controllerrevisions",
        "jobs",
        "nodes",
    ];
    if !watched.iter().any(|w| path.ends_with(&format!("/{w}"))) {
        return None;
    }
    Some(if s.url.contains("watch=1") {
        (
            503,
            json!({"kind": "Status", "code": 503, "message": "later"}).to_string(),
        )
    } else {
        (
            200,
            json!({"kind": "List", "metadata": {"resourceVersion": "1"}, "items": []}).to_string(),
        )
    })
}

/// The paths the recorder of `kubeglass run --stdio --record EXTRA` watches, once `want`
/// of them have been seen (or 20 s have passed).
fn watched(extra: &[&str], want: usize) -> BTreeSet<String> {
    let api = FakeApi::start_with(answer);
    let mut agent = kubeglass()
        .args(["run", "--stdio", "--record", "--kubeconfig"])
        .arg(api.kubeconfig())
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the agent");
    let end = Instant::now() + Duration::from_secs(20);
    let paths = loop {
        let paths: BTreeSet<String> = api
            .requests()
            .iter()
            .filter(|r| r.url.contains("watch=1"))
            .map(|r| r.url.split('?').next().unwrap_or("").to_string())
            .collect();
        if paths.len() >= want || Instant::now() > end {
            break paths;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // A little longer: a watch beyond the expected ones would show now.
    std::thread::sleep(Duration::from_millis(500));
    let more: BTreeSet<String> = api
        .requests()
        .iter()
        .filter(|r| r.url.contains("watch=1"))
        .map(|r| r.url.split('?').next().unwrap_or("").to_string())
        .collect();
    let _ = agent.kill();
    let _ = agent.wait();
    assert!(
        api.requests().iter().all(|r| r.method == "GET"),
        "{:?}",
        api.requests()
    );
    paths.union(&more).cloned().collect()
}

#[test]
fn the_recorder_watches_its_types_in_the_allowed_namespaces_only() {
    let got = watched(&["--namespaces", "shop,web", "--no-cluster-resources"], 10);
    let mut want = BTreeSet::new();
    for ns in ["shop", "web"] {
        for p in [
            format!("/api/v1/namespaces/{ns}/pods"),
            format!("/api/v1/namespaces/{ns}/events"),
            format!("/apis/apps/v1/namespaces/{ns}/replicasets"),
            format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions"),
            format!("/apis/batch/v1/namespaces/{ns}/jobs"),
        ] {
            want.insert(p);
        }
    }
    assert_eq!(got, want);
}

#[test]
fn without_a_namespace_list_the_recorder_watches_cluster_wide_and_the_nodes() {
    let got = watched(&[], 6);
    let want: BTreeSet<String> = [
        "/api/v1/pods",
        "/api/v1/events",
        "/api/v1/nodes",
        "/apis/apps/v1/replicasets",
        "/apis/apps/v1/controllerrevisions",
        "/apis/batch/v1/jobs",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(got, want);
}
