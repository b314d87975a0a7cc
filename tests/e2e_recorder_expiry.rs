//! End-to-end: the flight recorder keeps what the API server no longer has. On the second
//! kube testbed (events live 2 minutes there, `KUBE_TESTBED_EVENT_TTL=2m`) an agent with
//! `--record` over the real SQS testbed sees a crash (a terminated last state and a previous
//! log whose last line holds a planted credential), a Warning event, an eviction, a node
//! condition that flips and flips back, rollouts (a Deployment's new ReplicaSet and a
//! StatefulSet's new ControllerRevision changing the image), rollbacks (each workload's first
//! revision given revision number 3, as `rollout undo` has the controllers do, then a status
//! update of the ReplicaSet) and a Job that failed. Then the
//! events expire (checked: the API no longer lists them), the pods and the Job are deleted;
//! `history`, `triage` and `changes` over SQS still show each record with its time and the captured
//! log line, redacted, and `describe node` says what the node's conditions no longer do.
//! Needs SQS_TESTBED_DIR and KUBE_TESTBED2_DIR; fails without them.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};

use support::*;

/// Planted in the crashed container's last log line: must never come back.
const LOG_CANARY: &str = "Rec32bLogPw-9x2k7m";
/// Planted in the Warning event's message: must never come back.
const EVENT_CANARY: &str = "Rec32bEvTok-3h8q1z";
/// How long the test waits for the events to expire. Measured on the testbed: 120-122 s
/// after they are written (the 2-minute TTL; etcd's lease checks add about a second, and
/// the API server may share one lease among events created within a minute, so up to
/// 60 s more); the rest is room for a busy machine.
const EXPIRY_DEADLINE: Duration = Duration::from_secs(240);

fn rfc3339(secs_from_now: i64) -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64
        + secs_from_now;
    // Through `date`, to keep the test free of a calendar.
    let out = Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("date");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `send ARGS` until `want` holds, within `timeout`; the last answer either way.
fn send_until(
    agent: &SqsAgent,
    args: &[&str],
    timeout: Duration,
    want: impl Fn(&str) -> bool,
) -> String {
    let end = Instant::now() + timeout;
    loop {
        let out = agent.send(args);
        if want(&out) || Instant::now() > end {
            return out;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// `kubeglass send ARGS` as the backend (the admin key): exit code, stdout, stderr — for a
/// command that fails (`SqsAgent::send` asserts success).
fn send_any(args: &[&str]) -> (i32, String, String) {
    let env = sqs_env();
    let mut c = send_command(
        &env,
        &env["SQS_TESTBED_COMMAND_QUEUE_URL"],
        &env["SQS_TESTBED_RESPONSE_QUEUE_URL"],
    );
    c.args(["--timeout", "150s"]).args(args);
    run(c)
}

/// The text of the `history` tool's answer for `ns`, called through `kubeglass mcp --fleet`
/// whose one cluster is the SQS testbed's standard queue pair (the agent's).
fn mcp_fleet_history(ns: &str) -> String {
    use std::io::Write;
    let env = sqs_env();
    let fleet = std::env::temp_dir().join(format!(
        "kubeglass-e2e-rec-fleet-{}.yaml",
        std::process::id()
    ));
    std::fs::write(
        &fleet,
        format!(
            "clusters:\n  - name: rec\n    commandQueueUrl: {}\n    responseQueueUrl: {}\n",
            env["SQS_TESTBED_COMMAND_QUEUE_URL"], env["SQS_TESTBED_RESPONSE_QUEUE_URL"]
        ),
    )
    .expect("write the fleet file");
    let input = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "e2e", "version": "0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "history",
            "arguments": {"cluster": "rec", "namespace": ns}}}),
    ]
    .iter()
    .map(|v| format!("{v}\n"))
    .collect::<String>();
    let mut mcp = kubeglass();
    let mut child = as_backend(&mut mcp, &env)
        .args(["mcp", "--fleet"])
        .arg(&fleet)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start kubeglass mcp --fleet");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write to mcp");
    let out = child.wait_with_output().expect("wait for mcp");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let answer: Value = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|m| m["id"] == 2)
        .unwrap_or_else(|| {
            panic!(
                "no answer to the history call:\n{stdout}\n--- stderr\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    assert_eq!(answer["result"]["isError"], false, "{answer}");
    answer["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Deletes what the test made when it ends (or fails): each object first (the testbed runs
/// no namespace controller or garbage collector to do it), then the namespace and the node.
struct Cleanup<'a> {
    dir: &'a Path,
    ns: String,
    node: String,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let (ns, run) = (&self.ns, &self.ns);
        let mut paths = vec![
            format!("/apis/apps/v1/namespaces/{ns}/deployments/{run}-web"),
            format!("/apis/apps/v1/namespaces/{ns}/statefulsets/{run}-db"),
            format!("/apis/batch/v1/namespaces/{ns}/jobs/{run}-migrate"),
            format!("/api/v1/namespaces/{ns}/pods/{run}-api"),
            format!("/api/v1/namespaces/{ns}/pods/{run}-evicted"),
            format!("/api/v1/namespaces/{ns}/events/{run}-api.mount"),
        ];
        for r in [1, 2] {
            paths.push(format!(
                "/apis/apps/v1/namespaces/{ns}/replicasets/{run}-web-r{r}"
            ));
            paths.push(format!(
                "/apis/apps/v1/namespaces/{ns}/controllerrevisions/{run}-db-r{r}"
            ));
        }
        paths.push(format!("/api/v1/namespaces/{ns}"));
        paths.push(format!("/api/v1/nodes/{}", self.node));
        for p in paths {
            let _ = try_admin_request(
                self.dir,
                "DELETE",
                &format!("{p}?propagationPolicy=Background&gracePeriodSeconds=0"),
                None,
            );
        }
    }
}

#[test]
#[ignore = "needs the SQS testbed and the second kube testbed (SQS_TESTBED_DIR, KUBE_TESTBED2_DIR)"]
fn history_triage_changes_and_describe_keep_what_the_api_dropped_crash_warning_eviction_node_flip_rollouts_failed_job_redacted()
 {
    let started = Instant::now();
    let dir = testbed2();
    let run = format!(
        "t32-{}",
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() % 100_000)
    );
    let (ns, node) = (run.clone(), format!("{run}-node"));
    let _cleanup = Cleanup {
        dir: &dir,
        ns: ns.clone(),
        node: node.clone(),
    };
    admin_request(
        &dir,
        "POST",
        "/api/v1/namespaces",
        Some(&json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})),
    );
    let agent = SqsAgent::start(
        &dir.join("kubeconfig"),
        &["--record", "--cluster-name", "e2e-recorder-expiry"],
    );
    let first = agent.send(&["--", "history", "-n", &ns]);
    assert!(first.starts_with("recording since "), "{first}");

    // The crash: a pod whose container ran before, its previous log's last line a credential.
    let pod = format!("{run}-api");
    admin_request(
        &dir,
        "POST",
        &format!("/api/v1/namespaces/{ns}/pods"),
        Some(
            &json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": pod},
            "spec": {"nodeName": "node-1", "containers": [{"name": "api", "image": "shop/api:1.2.3"}]}}),
        ),
    );
    let scenario = dir.join("kubelet-scenario.json");
    let mut sc: Value = std::fs::read_to_string(&scenario)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| json!({}));
    let key = format!("{ns}/{pod}/api");
    sc["previous"][&key] = json!(true);
    sc["last_line"][&key] = json!(format!(
        "panic: login to orders-db failed password={LOG_CANARY}"
    ));
    std::fs::write(&scenario, sc.to_string()).expect("write the kubelet scenario");
    let crashed_at = rfc3339(0);
    admin_request(
        &dir,
        "PATCH",
        &format!("/api/v1/namespaces/{ns}/pods/{pod}/status"),
        Some(
            &json!({"status": {"phase": "Running", "containerStatuses": [{
            "name": "api", "image": "shop/api:1.2.3", "imageID": "", "ready": false,
            "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                "startedAt": crashed_at, "finishedAt": crashed_at}}}]}}),
        ),
    );
    // A Warning event, which the API server drops after 2 minutes.
    admin_request(
        &dir,
        "POST",
        &format!("/api/v1/namespaces/{ns}/events"),
        Some(&json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": format!("{pod}.mount")},
            "involvedObject": {"kind": "Pod", "name": pod, "namespace": ns, "apiVersion": "v1"},
            "type": "Warning", "reason": "FailedMount", "count": 3,
            "message": format!("MountVolume.SetUp failed: token={EVENT_CANARY} rejected"),
            "firstTimestamp": crashed_at, "lastTimestamp": crashed_at,
            "source": {"component": "kubelet", "host": "node-1"}})),
    );
    let event_written = Instant::now();
    // An eviction.
    let evicted = format!("{run}-evicted");
    admin_request(
        &dir,
        "POST",
        &format!("/api/v1/namespaces/{ns}/pods"),
        Some(
            &json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": evicted},
            "spec": {"nodeName": "node-1", "containers": [{"name": "w", "image": "shop/w:1"}]}}),
        ),
    );
    admin_request(
        &dir,
        "PATCH",
        &format!("/api/v1/namespaces/{ns}/pods/{evicted}/status"),
        Some(&json!({"status": {"phase": "Failed", "reason": "Evicted",
            "message": "The node was low on resource: memory."}})),
    );
    // A node condition that goes bad.
    admin_request(
        &dir,
        "POST",
        "/api/v1/nodes",
        Some(&json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": node}})),
    );
    let cond = |status: &str, reason: &str, at: &str| {
        json!({"status": {"conditions": [{"type": "Ready", "status": status, "reason": reason,
            "message": format!("kubelet {reason}"), "lastHeartbeatTime": at, "lastTransitionTime": at}]}})
    };
    admin_request(
        &dir,
        "PATCH",
        &format!("/api/v1/nodes/{node}/status"),
        Some(&cond("False", "KubeletNotReady", &rfc3339(-60))),
    );
    // A rollout: a Deployment's second ReplicaSet changes the image.
    let deploy = format!("{run}-web");
    admin_request(
        &dir,
        "POST",
        &format!("/apis/apps/v1/namespaces/{ns}/deployments"),
        Some(
            &json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": deploy},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "shop/web:1.1"}]}}}}),
        ),
    );
    let uid = raw_get(
        &dir,
        &format!("/apis/apps/v1/namespaces/{ns}/deployments/{deploy}"),
    )["metadata"]["uid"]
        .as_str()
        .expect("uid")
        .to_string();
    for (rev, image) in [(1, "shop/web:1.0"), (2, "shop/web:1.1")] {
        admin_request(
            &dir,
            "POST",
            &format!("/apis/apps/v1/namespaces/{ns}/replicasets"),
            Some(&json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": format!("{deploy}-r{rev}"),
                    "labels": {"app": "web", "rev": rev.to_string()},
                    "annotations": {"deployment.kubernetes.io/revision": rev.to_string()},
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                        "name": deploy, "uid": uid, "controller": true}]},
                "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web", "rev": rev.to_string()}},
                    "template": {"metadata": {"labels": {"app": "web", "rev": rev.to_string()}},
                        "spec": {"containers": [{"name": "web", "image": image}]}}}})),
        );
    }

    // A StatefulSet's rollout: its second ControllerRevision changes the image.
    let sts = format!("{run}-db");
    admin_request(
        &dir,
        "POST",
        &format!("/apis/apps/v1/namespaces/{ns}/statefulsets"),
        Some(
            &json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": sts},
            "spec": {"serviceName": sts, "selector": {"matchLabels": {"app": "db"}}, "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {"containers": [{"name": "db", "image": "shop/db:14.1"}]}}}}),
        ),
    );
    let sts_uid = raw_get(
        &dir,
        &format!("/apis/apps/v1/namespaces/{ns}/statefulsets/{sts}"),
    )["metadata"]["uid"]
        .as_str()
        .expect("uid")
        .to_string();
    for (rev, image) in [(1, "shop/db:14.0"), (2, "shop/db:14.1")] {
        admin_request(
            &dir,
            "POST",
            &format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions"),
            Some(
                &json!({"apiVersion": "apps/v1", "kind": "ControllerRevision",
                "metadata": {"name": format!("{sts}-r{rev}"),
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet",
                        "name": sts, "uid": sts_uid, "controller": true}]},
                "revision": rev,
                "data": {"spec": {"template": {"metadata": {"labels": {"app": "db"}},
                    "spec": {"containers": [{"name": "db", "image": image}]}}}}}),
            ),
        );
    }
    // A Job that failed.
    let job = format!("{run}-migrate");
    admin_request(
        &dir,
        "POST",
        &format!("/apis/batch/v1/namespaces/{ns}/jobs"),
        Some(
            &json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": job},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                "containers": [{"name": "m", "image": "shop/migrate:3"}]}}}}),
        ),
    );
    admin_request(
        &dir,
        "PATCH",
        &format!("/apis/batch/v1/namespaces/{ns}/jobs/{job}/status"),
        Some(
            &json!({"status": {"failed": 6, "conditions": [{"type": "Failed", "status": "True",
            "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit",
            "lastProbeTime": crashed_at, "lastTransitionTime": crashed_at}]}}),
        ),
    );

    // Everything is recorded while the API still has it.
    let all = ["--", "history", "-A", "--since", "1h"];
    let seen = send_until(&agent, &all, Duration::from_secs(90), |o| {
        o.contains("OOMKilled")
            && o.contains("FailedMount")
            && o.contains("Evicted")
            && o.contains(&format!("node/{node}"))
            && o.contains(&format!("deployment/{deploy}  rollout"))
            && o.contains(&format!("statefulset/{sts}  rollout"))
            && o.contains("BackoffLimitExceeded")
    });
    for want in [
        "container api terminated: OOMKilled (exit 137), restarts 4",
        "FailedMount",
        "pod failed: Evicted: The node was low on resource: memory.",
        "node Ready=False (KubeletNotReady)",
        "rollout to revision 2",
        "image db: shop/db:14.0 → shop/db:14.1",
        "job failed: BackoffLimitExceeded (6 failed pods)",
    ] {
        assert!(seen.contains(want), "{want:?} not recorded:\n{seen}");
    }
    // Rollbacks: each first revision is given the next number, as the controllers do on
    // `rollout undo`; then the ReplicaSet's status changes (no new record).
    admin_request(
        &dir,
        "PATCH",
        &format!("/apis/apps/v1/namespaces/{ns}/replicasets/{deploy}-r1"),
        Some(
            &json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "3",
            "deployment.kubernetes.io/revision-history": "1"}}}),
        ),
    );
    admin_request(
        &dir,
        "PATCH",
        &format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions/{sts}-r1"),
        Some(&json!({"revision": 3})),
    );
    admin_request(
        &dir,
        "PATCH",
        &format!("/apis/apps/v1/namespaces/{ns}/replicasets/{deploy}-r1/status"),
        Some(&json!({"status": {"replicas": 1, "observedGeneration": 1}})),
    );
    // (The test's templates differ in a label too: `metadata.labels changed; image …`.)
    let rollbacks = [
        (
            format!(
                "deployment/{deploy}  rollout  rollback to revision 1 as revision 3 ({deploy}-r1): "
            ),
            "image web: shop/web:1.1 → shop/web:1.0",
        ),
        (
            format!(
                "statefulset/{sts}  rollout  rollback to revision 1 as revision 3 ({sts}-r1): "
            ),
            "image db: shop/db:14.1 → shop/db:14.0",
        ),
    ];
    let recorded = |out: &str, (what, change): &(String, &str)| {
        out.lines()
            .filter(|l| l.contains(what.as_str()) && l.contains(change))
            .count()
    };
    let rolled = send_until(&agent, &all, Duration::from_secs(60), |o| {
        rollbacks.iter().all(|r| recorded(o, r) > 0)
    });
    for r in &rollbacks {
        assert_eq!(recorded(&rolled, r), 1, "{r:?} recorded once:\n{rolled}");
    }
    // The node recovers: its bad transition is no longer in the API.
    admin_request(
        &dir,
        "PATCH",
        &format!("/api/v1/nodes/{node}/status"),
        Some(&cond("True", "KubeletReady", &rfc3339(0))),
    );
    // The pods go away (no kubelet here to finish a graceful deletion: at once).
    for p in [&pod, &evicted] {
        admin_request(
            &dir,
            "DELETE",
            &format!("/api/v1/namespaces/{ns}/pods/{p}?gracePeriodSeconds=0"),
            None,
        );
    }
    admin_request(
        &dir,
        "DELETE",
        // Not orphaning (batch/v1's default): no garbage collector here removes the finalizer.
        &format!("/apis/batch/v1/namespaces/{ns}/jobs/{job}?propagationPolicy=Background"),
        None,
    );
    let jobs = raw_get(&dir, &format!("/apis/batch/v1/namespaces/{ns}/jobs"));
    assert_eq!(jobs["items"].as_array().map(Vec::len), Some(0), "{jobs}");
    let pods = raw_get(&dir, &format!("/api/v1/namespaces/{ns}/pods"));
    assert_eq!(pods["items"].as_array().map(Vec::len), Some(0), "{pods}");
    // The events expire: the API server no longer lists any in the namespace.
    let expiry_end = event_written + EXPIRY_DEADLINE;
    loop {
        let events = raw_get(&dir, &format!("/api/v1/namespaces/{ns}/events"));
        let left = events["items"].as_array().map_or(0, Vec::len);
        if left == 0 {
            break;
        }
        assert!(
            Instant::now() < expiry_end,
            "{left} events still listed after {EXPIRY_DEADLINE:?}: is KUBE_TESTBED2_DIR's \
             event TTL 2m?"
        );
        std::thread::sleep(Duration::from_secs(2));
    }
    eprintln!(
        "the events expired {:.0} s after they were written",
        event_written.elapsed().as_secs_f64()
    );

    // history: every record, with its time and the captured log lines, redacted.
    let hist = send_until(
        &agent,
        &["--", "history", "-n", &ns],
        Duration::from_secs(30),
        |o| o.contains("FailedMount"),
    );
    let day = &crashed_at[..10];
    for want in [
        format!("{crashed_at}  {ns}  pod/{pod}  termination"),
        "    | panic: login to orders-db failed password=".to_string(),
        format!("    | INFO {ns}/{pod}/api previous line 199"),
        "warning x3".to_string(),
        "MountVolume.SetUp failed: token=".to_string(),
        format!("pod/{evicted}  pod-failed"),
        format!("deployment/{deploy}  rollout"),
        "image web: shop/web:1.0 → shop/web:1.1".to_string(),
        day.to_string(),
    ] {
        assert!(hist.contains(&want), "history lacks {want:?}:\n{hist}");
    }
    // Each rollback once, whatever the ReplicaSet's status update and the watches since.
    for r in &rollbacks {
        assert_eq!(recorded(&hist, r), 1, "{r:?} once:\n{hist}");
    }
    let nodes = agent.send(&["--", "history", "-A", "--for", &format!("node/{node}")]);
    assert!(
        nodes.contains("node Ready=False (KubeletNotReady)")
            && nodes.contains("node Ready=True (KubeletReady)"),
        "{nodes}"
    );

    // triage: what the API no longer has, from the record.
    let triage = agent.send(&["--", "triage", "-n", &ns]);
    let clock = &crashed_at[11..16];
    for want in [
        format!(
            "recorded {clock} {ns} pod/{pod}: container api terminated: OOMKilled (exit 137), \
             restarts 4; last log: \"panic: login to orders-db failed password="
        ),
        format!("{ns} pod/{pod}: FailedMount: MountVolume.SetUp failed: token="),
        format!("{ns} pod/{evicted}: pod failed: Evicted"),
        format!("{ns} job/{job}: job failed: BackoffLimitExceeded"),
    ] {
        assert!(triage.contains(&want), "triage lacks {want:?}:\n{triage}");
    }
    // changes: the same, within its window.
    let changes = agent.send(&["--", "changes", "-n", &ns, "--since", "1h"]);
    for want in [
        format!("recorded {clock} {ns} pod/{pod}: container api terminated: OOMKilled"),
        format!("{ns} pod/{evicted}: pod failed: Evicted"),
    ] {
        assert!(
            changes.contains(&want),
            "changes lacks {want:?}:\n{changes}"
        );
    }
    // describe: the node's earlier condition, which its status no longer shows.
    let described = agent.send(&["--", "describe", "node", &node]);
    assert!(
        described.contains(&format!("Recorded for node/{node} (no longer in the API):"))
            && described.contains(&format!("node/{node}: node Ready=False (KubeletNotReady)")),
        "{described}"
    );
    // describe of the pod that is gone: NotFound, with what the recorder kept of it.
    let (code, gone_pod, err) = send_any(&["--", "describe", "pod", &pod, "-n", &ns]);
    assert_ne!(code, 0, "{gone_pod}");
    assert!(err.contains("NotFound"), "{err}");
    assert!(
        gone_pod.contains(&format!("Recorded for pod/{pod} (no longer in the API):"))
            && gone_pod.contains("container api terminated: OOMKilled (exit 137)")
            && gone_pod.contains("; last log: \"panic: login to orders-db failed password="),
        "{gone_pod}"
    );
    // MCP over a fleet: the `history` tool travels to the agent, which has the recorder.
    let mcp = mcp_fleet_history(&ns);
    assert!(
        mcp.contains(&format!("pod/{pod}  termination"))
            && mcp.contains("    | panic: login to orders-db failed password="),
        "{mcp}"
    );
    for (what, text) in [
        ("history", &hist),
        ("triage", &triage),
        ("describe", &described),
        ("changes", &changes),
        ("describe pod", &gone_pod),
        ("mcp --fleet history", &mcp),
    ] {
        for canary in [LOG_CANARY, EVENT_CANARY] {
            assert!(!text.contains(canary), "{canary} leaked in {what}:\n{text}");
        }
    }
    eprintln!("wall time {:.0} s", started.elapsed().as_secs_f64());
}
