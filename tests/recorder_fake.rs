//! The flight recorder's watch loop against an in-process fake API (no testbed): it lists,
//! watches from the list's resourceVersion with bookmarks, resumes from the last one it saw,
//! lists again on `410 Gone` (an HTTP 410 and a 410 `ERROR` event in the stream), reads a
//! terminated container's log once, redacted, and records each termination once however
//! often it is listed again; and a watch that stalls (the server keeps the connection open
//! and sends nothing) is cut and resumed from the last resourceVersion it delivered, a
//! bookmark's; and a rollback (a Deployment's old ReplicaSet, a StatefulSet's or DaemonSet's
//! old ControllerRevision given the next revision number) made after recording began is
//! recorded once with its image change, one made before it is not, and relists add nothing.
//! Driven through `kubeglass run --stdio --record`.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::fake_api::{FakeApi, STALL, Seen};

/// Planted in the crashed container's log: must not come back.
const CANARY: &str = "hunter2-rec-fake-91x";

static POD_LISTS: AtomicUsize = AtomicUsize::new(0);
static POD_WATCHES: AtomicUsize = AtomicUsize::new(0);

fn pod(name: &str, finished: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": "shop", "uid": format!("uid-{name}"), "resourceVersion": "1"},
           "spec": {"nodeName": "node-1"},
           "status": {"phase": "Running", "containerStatuses": [{"name": "api", "restartCount": 2,
               "state": {"waiting": {"reason": "CrashLoopBackOff"}},
               "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": finished}}}]}})
}

fn list(rv: &str, items: Vec<Value>) -> (u16, String) {
    let v = json!({"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": rv}, "items": items});
    (200, v.to_string())
}

fn gone() -> (u16, String) {
    let v = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Expired",
        "message": "too old resource version: 100 (150)", "code": 410});
    (410, v.to_string())
}

fn unavailable() -> (u16, String) {
    (
        503,
        json!({"kind": "Status", "code": 503, "message": "later"}).to_string(),
    )
}

/// The scenario: list (rv 100) → watch answers 410 → list again (rv 200) → watch streams
/// api-2's crash and a bookmark (rv 250), then ends → watch from 250 sends a 410 ERROR
/// event → list again (rv 300) → later watches are refused (the watcher backs off).
fn answer(s: &Seen) -> Option<(u16, String)> {
    let url = s.url.as_str();
    if url.starts_with("/api/v1/namespaces/shop/pods/") && url.contains("/log?") {
        let log = format!("starting\nconnecting to db\npanic: login failed password={CANARY}\n");
        return Some((200, log));
    }
    if url.starts_with("/api/v1/events") {
        return Some(if url.contains("watch=1") {
            unavailable()
        } else {
            (
                200,
                json!({"kind": "EventList", "metadata": {"resourceVersion": "1"}, "items": []})
                    .to_string(),
            )
        });
    }
    if !url.starts_with("/api/v1/pods") {
        return None;
    }
    let crashed = || vec![pod("api-1", "2026-12-07T03:12:00Z")];
    let both = || {
        vec![
            pod("api-1", "2026-12-07T03:12:00Z"),
            pod("api-2", "2026-12-07T03:20:00Z"),
        ]
    };
    if !url.contains("watch=1") {
        return Some(match POD_LISTS.fetch_add(1, Ordering::SeqCst) {
            0 => list("100", crashed()),
            1 => list("200", crashed()),
            _ => list("300", both()),
        });
    }
    POD_WATCHES.fetch_add(1, Ordering::SeqCst);
    Some(if url.contains("resourceVersion=100") {
        gone()
    } else if url.contains("resourceVersion=200") {
        let mut p = pod("api-2", "2026-12-07T03:20:00Z");
        p["metadata"]["resourceVersion"] = json!("220");
        let stream = [
            json!({"type": "MODIFIED", "object": p}),
            json!({"type": "BOOKMARK", "object": {"kind": "Pod", "metadata": {"resourceVersion": "250"}}}),
        ];
        (200, stream.iter().map(|e| format!("{e}\n")).collect())
    } else if url.contains("resourceVersion=250") {
        let err = json!({"type": "ERROR", "object": {"kind": "Status", "code": 410, "reason": "Expired",
            "message": "too old resource version: 250 (280)"}});
        (200, format!("{err}\n"))
    } else {
        unavailable()
    })
}

#[test]
fn the_recorder_resumes_relists_on_410_and_records_each_termination_once_redacted() {
    let api = FakeApi::start_with(answer);
    let mut agent = api.recording_agent();
    let mut ask = |i: usize| -> String {
        let v = agent.answer(&format!("h{i}"), "history -A");
        v["output"].as_str().unwrap_or_default().to_string()
    };
    let end = Instant::now() + Duration::from_secs(30);
    let mut out = String::new();
    for i in 0.. {
        out = ask(i);
        if (out.contains("pod/api-2") && POD_LISTS.load(Ordering::SeqCst) >= 3)
            || Instant::now() > end
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let reqs = api.requests();
    let urls: Vec<&str> = reqs.iter().map(|r| r.url.as_str()).collect();
    assert!(reqs.iter().all(|r| r.method == "GET"), "{urls:#?}");
    assert!(
        POD_LISTS.load(Ordering::SeqCst) >= 3,
        "listed again after each 410: {urls:#?}"
    );
    let watches: Vec<&str> = urls
        .iter()
        .copied()
        .filter(|u| u.starts_with("/api/v1/pods?") && u.contains("watch=1"))
        .collect();
    for rv in ["100", "200", "250"] {
        assert!(
            watches
                .iter()
                .any(|u| u.contains(&format!("resourceVersion={rv}"))
                    && u.contains("allowWatchBookmarks=true")
                    && u.contains("timeoutSeconds=")),
            "a watch from {rv} (the list's, then the bookmark's): {watches:#?}"
        );
    }
    // Each termination once, with its log read once, whatever was listed again.
    assert_eq!(out.matches("pod/api-1  termination").count(), 1, "{out}");
    assert_eq!(out.matches("pod/api-2  termination").count(), 1, "{out}");
    let log_reads = urls
        .iter()
        .filter(|u| u.contains("/pods/api-1/log?"))
        .count();
    assert_eq!(log_reads, 1, "{urls:#?}");
    assert!(
        urls.iter()
            .any(|u| u.contains("/pods/api-1/log?") && u.contains("previous=true")),
        "{urls:#?}"
    );
    assert!(
        out.contains("container api terminated: OOMKilled (exit 137), restarts 2"),
        "{out}"
    );
    assert!(
        out.contains("    | panic: login failed password=<redacted>"),
        "{out}"
    );
    assert!(!out.contains(CANARY), "{out}");
}

static STALL_POD_WATCHES: AtomicUsize = AtomicUsize::new(0);

/// The stall: list (rv 100) → the watch from 100 sends a bookmark (rv 150), then nothing
/// while holding the connection open → only a watch from 150 streams api-9's crash; every
/// other watch stalls silent.
fn stalling(s: &Seen) -> Option<(u16, String)> {
    let url = s.url.as_str();
    if url.contains("/log?") {
        return Some((200, "starting\nout of memory\n".to_string()));
    }
    let empty = |kind: &str| {
        let v = json!({"kind": kind, "metadata": {"resourceVersion": "1"}, "items": []});
        (200, v.to_string())
    };
    if !url.contains("watch=1") {
        return Some(if url.starts_with("/api/v1/pods") {
            list("100", vec![])
        } else if url.starts_with("/api/v1/events") {
            empty("EventList")
        } else if url.starts_with("/api/v1/nodes") {
            empty("NodeList")
        } else {
            return None;
        });
    }
    if !url.starts_with("/api/v1/pods?") {
        return Some((STALL, String::new()));
    }
    let n = STALL_POD_WATCHES.fetch_add(1, Ordering::SeqCst);
    Some(if n == 0 && url.contains("resourceVersion=100") {
        let bm = json!({"type": "BOOKMARK", "object": {"kind": "Pod", "metadata": {"resourceVersion": "150"}}});
        (STALL, format!("{bm}\n"))
    } else if url.contains("resourceVersion=150") && !url.contains("resourceVersion=1500") {
        let mut p = pod("api-9", "2026-12-07T03:30:00Z");
        p["metadata"]["resourceVersion"] = json!("160");
        (
            STALL,
            format!("{}\n", json!({"type": "MODIFIED", "object": p})),
        )
    } else {
        (STALL, String::new())
    })
}

#[test]
fn a_stalled_watch_is_cut_and_resumed_from_the_last_bookmark_losing_nothing() {
    let api = FakeApi::start_with(stalling);
    // Watches of 2 s: the transport cuts a silent one after 4 s (240 s → 300 s by default).
    let mut agent = api.recording_agent_with(&[("KUBEGLASS_RECORD_WATCH_SECONDS", "2")]);
    let started = Instant::now();
    let end = started + Duration::from_secs(40);
    let mut out = String::new();
    for i in 0.. {
        let v = agent.answer(&format!("s{i}"), "history -A");
        out = v["output"].as_str().unwrap_or_default().to_string();
        if out.contains("pod/api-9") || Instant::now() > end {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let took = started.elapsed();
    let reqs = api.requests();
    let urls: Vec<&str> = reqs.iter().map(|r| r.url.as_str()).collect();
    let watches: Vec<&str> = urls
        .iter()
        .copied()
        .filter(|u| u.starts_with("/api/v1/pods?") && u.contains("watch=1"))
        .collect();
    assert!(
        out.contains("pod/api-9  termination")
            && out.contains("container api terminated: OOMKilled (exit 137)"),
        "the crash sent after the stall is recorded: {out}\n{watches:#?}"
    );
    assert!(
        watches.len() >= 2
            && watches[0].contains("resourceVersion=100")
            && watches[1].contains("resourceVersion=150")
            && watches[1].contains("allowWatchBookmarks=true"),
        "after the stall the watch resumes from the bookmark's resourceVersion: {watches:#?}"
    );
    assert_eq!(
        urls.iter()
            .filter(|u| u.starts_with("/api/v1/pods?limit="))
            .count(),
        1,
        "a stall is resumed, not listed again: {urls:#?}"
    );
    // The cut comes from the watch's deadline (2 s + 2 s), not from the server.
    assert!(
        took >= Duration::from_secs(4),
        "the recorder waited out the stall's deadline ({took:?})"
    );
}

static RS_LISTS: AtomicUsize = AtomicUsize::new(0);
static CR_LISTS: AtomicUsize = AtomicUsize::new(0);

/// A revision object created long before the test (not a rollout), owned by `owner`.
fn revision_object(name: &str, owner: (&str, &str), image: &str, rs: Option<(i64, &str)>) -> Value {
    let template = json!({"metadata": {"labels": {"app": owner.1}},
        "spec": {"containers": [{"name": owner.1, "image": image}]}});
    let mut v = json!({"metadata": {"name": name, "namespace": "shop", "uid": format!("uid-{name}"),
        "resourceVersion": "1", "creationTimestamp": "2020-01-01T00:00:00Z",
        "ownerReferences": [{"kind": owner.0, "name": owner.1, "uid": format!("uid-{}", owner.1),
            "controller": true}]}});
    match rs {
        Some((number, history)) => {
            let mut ann = json!({"deployment.kubernetes.io/revision": number.to_string()});
            if !history.is_empty() {
                ann["deployment.kubernetes.io/revision-history"] = json!(history);
            }
            v["metadata"]["annotations"] = ann;
            v["spec"] = json!({"replicas": 0, "template": template});
        }
        None => v["data"] = json!({"spec": {"template": template}}),
    }
    v
}

/// Deployment api's ReplicaSets before (`rolled_back` false) and after `rollout undo` to
/// revision 2 (api-b becomes revision 4), and Deployment web's, rolled back before the
/// agent started (web-x carries a revision-history).
fn replicasets(rolled_back: bool) -> Vec<Value> {
    let api = ("Deployment", "api");
    let web = ("Deployment", "web");
    let b = if rolled_back { (4, "2") } else { (2, "") };
    vec![
        revision_object("api-a", api, "api:1.1", Some((1, ""))),
        revision_object("api-b", api, "api:1.2", Some(b)),
        revision_object("api-c", api, "api:1.3", Some((3, ""))),
        revision_object("web-y", web, "web:1.1", Some((2, ""))),
        revision_object("web-x", web, "web:1.0", Some((3, "1"))),
    ]
}

/// StatefulSet db's and DaemonSet agent's ControllerRevisions; `db` and `agent` say whether
/// each was rolled back to revision 1 (which becomes revision 3).
fn controllerrevisions(db: bool, agent: bool) -> Vec<Value> {
    let cr = |name: &str, owner: (&str, &str), image: &str, n: i64| {
        let mut v = revision_object(name, owner, image, None);
        v["revision"] = json!(n);
        v
    };
    let (sts, ds) = (("StatefulSet", "db"), ("DaemonSet", "agent"));
    vec![
        cr("db-1", sts, "db:1", if db { 3 } else { 1 }),
        cr("db-2", sts, "db:2", 2),
        cr("agent-a", ds, "agent:1", if agent { 3 } else { 1 }),
        cr("agent-b", ds, "agent:2", 2),
    ]
}

fn events(list: &[Value]) -> String {
    list.iter().map(|e| format!("{e}\n")).collect()
}

/// The rollbacks: ReplicaSets list (rv 100, before) → the watch from 100 streams api-b made
/// revision 4, a status update of it, and a status update of web-x, then a 410 ERROR → list
/// again (rv 200, after) → the watch from 200 streams api-b's status once more and ends → later
/// watches are refused. ControllerRevisions list (rv 100, before) → the watch from 100 streams
/// db-1 made revision 3, then ends in a 410 ERROR → list again (rv 200): agent-a became
/// revision 3 while the watch was down → the watch from 200 answers 410 → list again (rv 300,
/// the same) → later watches are refused. The namespace's lists (read for the template
/// change) show every revision as it ends.
fn rolling_back(s: &Seen) -> Option<(u16, String)> {
    let url = s.url.as_str();
    let listed = |kind: &str, rv: &str, items: Vec<Value>| {
        let v = json!({"kind": kind, "metadata": {"resourceVersion": rv}, "items": items});
        (200, v.to_string())
    };
    let modified = |obj: Value, rv: &str| {
        let mut obj = obj;
        obj["metadata"]["resourceVersion"] = json!(rv);
        json!({"type": "MODIFIED", "object": obj})
    };
    let expired = json!({"type": "ERROR", "object": {"kind": "Status", "code": 410,
        "reason": "Expired", "message": "too old resource version"}});
    let watch = url.contains("watch=1");
    Some(
        if url.starts_with("/apis/apps/v1/namespaces/shop/replicasets?") {
            listed("ReplicaSetList", "900", replicasets(true))
        } else if url.starts_with("/apis/apps/v1/namespaces/shop/controllerrevisions?") {
            listed(
                "ControllerRevisionList",
                "900",
                controllerrevisions(true, true),
            )
        } else if url.starts_with("/apis/apps/v1/replicasets?") && !watch {
            match RS_LISTS.fetch_add(1, Ordering::SeqCst) {
                0 => listed("ReplicaSetList", "100", replicasets(false)),
                _ => listed("ReplicaSetList", "200", replicasets(true)),
            }
        } else if url.starts_with("/apis/apps/v1/replicasets?") {
            let rs = replicasets(true);
            if url.contains("resourceVersion=100&") {
                let mut status = rs[1].clone();
                status["status"] = json!({"replicas": 3, "readyReplicas": 1});
                let stream = [
                    modified(rs[1].clone(), "110"),
                    modified(status, "120"),
                    modified(rs[4].clone(), "130"),
                    expired,
                ];
                (200, events(&stream))
            } else if url.contains("resourceVersion=200&") {
                (200, events(&[modified(rs[1].clone(), "210")]))
            } else {
                unavailable()
            }
        } else if url.starts_with("/apis/apps/v1/controllerrevisions?") && !watch {
            match CR_LISTS.fetch_add(1, Ordering::SeqCst) {
                0 => listed(
                    "ControllerRevisionList",
                    "100",
                    controllerrevisions(false, false),
                ),
                1 => listed(
                    "ControllerRevisionList",
                    "200",
                    controllerrevisions(true, true),
                ),
                _ => listed(
                    "ControllerRevisionList",
                    "300",
                    controllerrevisions(true, true),
                ),
            }
        } else if url.starts_with("/apis/apps/v1/controllerrevisions?") {
            if url.contains("resourceVersion=100&") {
                let db1 = controllerrevisions(true, false)[0].clone();
                (200, events(&[modified(db1, "110"), expired]))
            } else if url.contains("resourceVersion=200&") {
                gone()
            } else {
                unavailable()
            }
        } else if watch {
            unavailable()
        } else {
            listed("List", "1", vec![])
        },
    )
}

#[test]
fn a_rollback_after_recording_began_is_recorded_once_with_its_image_change() {
    let api = FakeApi::start_with(rolling_back);
    let mut agent = api.recording_agent();
    // Done when every scripted watch was asked for: the one after the ReplicaSets' last
    // stream (from 210) and the one after the ControllerRevisions' last list (from 300) —
    // each asked only once what came before it was recorded.
    let done = |urls: &[String]| {
        let asked = |what: &str, rv: &str| {
            urls.iter().any(|u| {
                u.starts_with(&format!("/apis/apps/v1/{what}?"))
                    && u.contains("watch=1")
                    && u.contains(&format!("resourceVersion={rv}&"))
            })
        };
        asked("replicasets", "210") && asked("controllerrevisions", "300")
    };
    let end = Instant::now() + Duration::from_secs(30);
    let mut urls: Vec<String> = Vec::new();
    while !done(&urls) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
        urls = api.requests().into_iter().map(|r| r.url).collect();
    }
    let v = agent.answer("rb", "history -A");
    let out = v["output"].as_str().unwrap_or_default();
    assert!(done(&urls), "the scripted watches ran: {urls:#?}\n{out}");
    assert!(
        urls.iter()
            .all(|u| !u.contains("watch=1") || u.contains("allowWatchBookmarks")),
        "{urls:#?}"
    );
    for (object, text, change) in [
        (
            "shop  deployment/api",
            "rollback to revision 2 as revision 4 (api-b)",
            "image api: api:1.3 → api:1.2",
        ),
        (
            "shop  statefulset/db",
            "rollback to revision 1 as revision 3 (db-1)",
            "image db: db:2 → db:1",
        ),
        // Rolled back while the watch was down: seen by the relist after the 410.
        (
            "shop  daemonset/agent",
            "rollback to revision 1 as revision 3 (agent-a)",
            "image agent: agent:2 → agent:1",
        ),
    ] {
        let lines: Vec<&str> = out.lines().filter(|l| l.contains(text)).collect();
        assert_eq!(lines.len(), 1, "{text} recorded once:\n{out}");
        assert!(
            lines[0].contains(object) && lines[0].contains(&format!("{text}: {change}")),
            "{out}"
        );
    }
    // web-x was rolled back before the agent started; nothing was created since.
    assert!(!out.contains("deployment/web"), "{out}");
    assert!(!out.contains("rollout to revision"), "{out}");
    assert_eq!(out.matches("rollback to revision").count(), 3, "{out}");
}
