//! End-to-end: the flight recorder (`run --record`) between the real SQS and kube testbeds.
//! A crash (a pod status with a terminated last state and a previous log holding a planted
//! credential), a Warning event with a planted credential, then the pod deleted: `history`
//! over SQS still shows both records, with the captured log lines, redacted. Then the API
//! server restarts mid-watch: a Warning written just before it stopped, and a crash and a
//! Warning written as it came back, are all recorded (nothing the API had is lost). Needs
//! SQS_TESTBED_DIR and KUBE_TESTBED_DIR; fails without them.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use kubeglass::testing::protocol;
use kubeglass::testing::sqs::Sqs;
use serde_json::{Value, json};

use support::*;

/// Planted in the crashed container's last log line: must never come back.
const LOG_CANARY: &str = "Rec32LogPw-7b1e9q";
/// Planted in the Warning event's message: must never come back.
const EVENT_CANARY: &str = "Rec32EvTok-4c2d8w";

/// One admin request to the testbed's API (`PATCH` is a merge patch).
fn raw(dir: &Path, method: &str, path: &str, body: Option<&Value>) {
    admin_request(dir, method, path, body);
}

/// The agent with the recorder (SIGTERMed and drained when the test ends or fails).
fn start_agent(log: &Path) -> SqsAgent {
    let alive =
        std::env::temp_dir().join(format!("kubeglass-e2e-rec-alive-{}", std::process::id()));
    SqsAgent::start_logged(
        &testbed().join("kubeconfig"),
        &[
            "--record",
            "--record-bytes",
            "256Ki",
            "--cluster-name",
            "e2e-recorder",
            "--health-file",
            &alive.to_string_lossy(),
        ],
        log,
    )
}

/// A pod in shop whose container `api` terminated (`reason`, exit 137) and waits to restart.
fn crashed_pod(dir: &Path, pod: &str, reason: &str) {
    raw(
        dir,
        "POST",
        "/api/v1/namespaces/shop/pods",
        Some(&json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": pod, "namespace": "shop"},
            "spec": {"nodeName": "node-1", "containers": [{"name": "api", "image": "shop/api:1.2.3"}]}})),
    );
    let now = rfc3339_now();
    raw(
        dir,
        "PATCH",
        &format!("/api/v1/namespaces/shop/pods/{pod}/status"),
        Some(
            &json!({"status": {"phase": "Running", "containerStatuses": [{
            "name": "api", "image": "shop/api:1.2.3", "imageID": "", "ready": false,
            "restartCount": 4,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"exitCode": 137, "reason": reason,
                "startedAt": now, "finishedAt": now}}}]}}),
        ),
    );
}

/// Ask `history` (kubectl form) over SQS and wait for its whole answer.
fn history(
    sqs: &Sqs,
    env: &std::collections::HashMap<String, String>,
    id: &str,
    kubectl: &str,
) -> String {
    let (cmd, resp) = (
        &env["SQS_TESTBED_COMMAND_QUEUE_URL"],
        &env["SQS_TESTBED_RESPONSE_QUEUE_URL"],
    );
    let body = json!({"version": 1, "id": id, "kubectl": kubectl});
    sqs.send(cmd, &body.to_string(), None).expect("send");
    let end = Instant::now() + Duration::from_secs(60);
    let mut parts: Vec<Value> = Vec::new();
    while Instant::now() < end {
        for m in sqs.receive(resp, 10, 2, 60).expect("receive") {
            sqs.delete(resp, &m.receipt_handle).expect("delete");
            let v: Value = serde_json::from_str(&m.body).expect("a JSON response");
            if v["type"] == "result" && v["id"] == id {
                parts.push(v);
            }
        }
        if parts
            .first()
            .is_some_and(|p| p["parts"].as_u64() == Some(parts.len() as u64))
        {
            assert_eq!(parts[0]["status"], "ok", "{}", parts[0]);
            return protocol::join_parts(&parts).expect("the parts join");
        }
    }
    panic!("no answer to {id} ({kubectl}) within 60 s");
}

/// Ask `history` until `want` holds, within `timeout`; the last answer either way.
fn history_until(
    sqs: &Sqs,
    env: &std::collections::HashMap<String, String>,
    run: &str,
    kubectl: &str,
    timeout: Duration,
    want: impl Fn(&str) -> bool,
) -> String {
    let end = Instant::now() + timeout;
    let mut i = 0;
    loop {
        i += 1;
        let out = history(sqs, env, &format!("{run}-h{i}"), kubectl);
        if want(&out) || Instant::now() > end {
            return out;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn rfc3339_now() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Through `date`, to keep the test free of a calendar.
    let out = Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("date");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn warning_event(name: &str, pod: &str, reason: &str, message: &str) -> Value {
    let now = rfc3339_now();
    json!({"apiVersion": "v1", "kind": "Event",
           "metadata": {"name": name, "namespace": "shop"},
           "involvedObject": {"kind": "Pod", "name": pod, "namespace": "shop", "apiVersion": "v1"},
           "type": "Warning", "reason": reason, "message": message, "count": 3,
           "firstTimestamp": now, "lastTimestamp": now,
           "source": {"component": "kubelet", "host": "node-1"}})
}

#[test]
#[ignore = "needs the SQS and kube testbeds (SQS_TESTBED_DIR, KUBE_TESTBED_DIR)"]
fn the_recorder_keeps_a_crash_and_its_warning_after_the_pod_is_gone_redacted() {
    let env = sqs_env();
    let dir = testbed();
    let sqs = backend(&env);
    let run = format!(
        "rec32-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() % 100_000)
    );
    let pod = format!("{run}-api");
    let log =
        std::env::temp_dir().join(format!("kubeglass-e2e-recorder-{}.log", std::process::id()));
    let agent = start_agent(&log);
    let show_log = || std::fs::read_to_string(&log).unwrap_or_default();

    // The agent answers (its watches start before its first poll).
    let first = history(&sqs, &env, &format!("{run}-first"), "history -n shop");
    assert!(first.starts_with("recording since "), "{first}");
    assert!(first.contains("memory only"), "{first}");

    // The crash: a pod whose container ran before and terminated, with a previous log
    // whose last line holds a credential.
    let scenario = dir.join("kubelet-scenario.json");
    let mut sc: Value = std::fs::read_to_string(&scenario)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| json!({}));
    let key = format!("shop/{pod}/api");
    sc["previous"][&key] = json!(true);
    sc["last_line"][&key] = json!(format!(
        "panic: login to orders-db failed password={LOG_CANARY}"
    ));
    std::fs::write(&scenario, sc.to_string()).expect("write the kubelet scenario");
    crashed_pod(&dir, &pod, "OOMKilled");
    let now = rfc3339_now();
    raw(
        &dir,
        "POST",
        "/api/v1/namespaces/shop/events",
        Some(&warning_event(
            &format!("{pod}.mount"),
            &pod,
            "FailedMount",
            &format!("MountVolume.SetUp failed: token={EVENT_CANARY} rejected by the vault"),
        )),
    );
    // A node condition flips: the recorder keeps the transition.
    let node = format!("{run}-node");
    raw(
        &dir,
        "POST",
        "/api/v1/nodes",
        Some(&json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": node}})),
    );
    raw(
        &dir,
        "PATCH",
        &format!("/api/v1/nodes/{node}/status"),
        Some(&json!({"status": {"conditions": [
            {"type": "Ready", "status": "False", "reason": "KubeletNotReady",
             "message": "container runtime is down", "lastHeartbeatTime": now, "lastTransitionTime": now},
            {"type": "MemoryPressure", "status": "True", "reason": "KubeletHasInsufficientMemory",
             "message": "kubelet has insufficient memory available", "lastHeartbeatTime": now, "lastTransitionTime": now}]}})),
    );
    let for_node = format!("history -A --for node/{node}");
    let nodes = history_until(
        &sqs,
        &env,
        &format!("{run}-n"),
        &for_node,
        Duration::from_secs(60),
        |o| o.contains("MemoryPressure=True"),
    );
    raw(&dir, "DELETE", &format!("/api/v1/nodes/{node}"), None);
    assert!(
        nodes.contains(&format!("-  node/{node}  node-condition  node Ready=False (KubeletNotReady): container runtime is down"))
            && nodes.contains("node MemoryPressure=True (KubeletHasInsufficientMemory)"),
        "{nodes}\n--- agent log:\n{}",
        show_log()
    );

    // Wait until the recorder has the crash (its log is read when it is first seen), then
    // delete the pod: what the API no longer has, the recorder still does.
    let for_pod = format!("history -n shop --for pod/{pod}");
    let seen = history_until(&sqs, &env, &run, &for_pod, Duration::from_secs(60), |o| {
        o.contains("OOMKilled") && o.contains("FailedMount")
    });
    assert!(
        seen.contains("OOMKilled"),
        "{seen}\n--- agent log:\n{}",
        show_log()
    );
    raw(
        &dir,
        "DELETE",
        &format!("/api/v1/namespaces/shop/pods/{pod}?gracePeriodSeconds=0"),
        None,
    );
    raw(
        &dir,
        "DELETE",
        &format!("/api/v1/namespaces/shop/events/{pod}.mount"),
        None,
    );

    let out = history(&sqs, &env, &format!("{run}-after"), &for_pod);
    if std::env::var("E2E_DEBUG").is_ok() {
        eprintln!("{out}");
    }
    assert!(
        out.contains(&format!("pod/{pod}  termination"))
            && out.contains("container api terminated: OOMKilled (exit 137), restarts 4"),
        "{out}"
    );
    assert!(
        out.contains("    | panic: login to orders-db failed password="),
        "{out}"
    );
    assert!(
        out.contains(&format!("    | INFO shop/{pod}/api previous line 199")),
        "{out}"
    );
    assert!(
        out.contains("warning x3") && out.contains("FailedMount"),
        "{out}"
    );
    assert!(out.contains("MountVolume.SetUp failed: token="), "{out}");
    for canary in [LOG_CANARY, EVENT_CANARY] {
        assert!(!out.contains(canary), "{canary} leaked:\n{out}");
    }
    let json_out = history(
        &sqs,
        &env,
        &format!("{run}-json"),
        &format!("history -A --since 1h --for pod/{pod} -o json"),
    );
    let doc: Value = serde_json::from_str(&json_out).expect("one JSON document");
    assert_eq!(doc["metadata"]["kubeglass.memoryOnly"], true, "{doc}");
    let types: Vec<&str> = doc["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["type"].as_str())
        .collect();
    assert!(
        types.contains(&"termination") && types.contains(&"warning"),
        "{doc}"
    );
    for canary in [LOG_CANARY, EVENT_CANARY] {
        assert!(!json_out.contains(canary), "{canary} leaked:\n{json_out}");
    }

    // The API server restarts mid-watch. What was written just before it stopped (the
    // watch may not have delivered it yet) and right after it came back (while the
    // recorder still backs off) is all recorded: resumed from the last resourceVersion or
    // listed again after a 410, the recorder loses nothing the API still has.
    let tb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testbed/kube-testbed");
    let tb = if tb.exists() {
        tb
    } else {
        Path::new("/work/shared/testbed/kube-testbed").to_path_buf()
    };
    raw(
        &dir,
        "POST",
        "/api/v1/namespaces/shop/events",
        Some(&warning_event(
            &format!("{pod}.before"),
            &pod,
            "BeforeStop",
            "written just before the API server stopped",
        )),
    );
    let st = Command::new(&tb)
        .arg("stop-api")
        .arg(&dir)
        .status()
        .expect("stop-api");
    assert!(st.success(), "stop-api");
    std::thread::sleep(Duration::from_secs(2));
    let st = Command::new(&tb)
        .arg("start-api")
        .arg(&dir)
        .status()
        .expect("start-api");
    assert!(st.success(), "start-api");
    let late = format!("{run}-late");
    crashed_pod(&dir, &late, "Error");
    raw(
        &dir,
        "POST",
        "/api/v1/namespaces/shop/events",
        Some(&warning_event(
            &format!("{pod}.after"),
            &pod,
            "AfterRestart",
            "recorded after the API server came back",
        )),
    );
    let after = history_until(
        &sqs,
        &env,
        &format!("{run}-r"),
        &for_pod,
        Duration::from_secs(90),
        |o| o.contains("AfterRestart") && o.contains("BeforeStop"),
    );
    let late_out = history_until(
        &sqs,
        &env,
        &format!("{run}-l"),
        &format!("history -n shop --for pod/{late}"),
        Duration::from_secs(30),
        |o| o.contains(&format!("pod/{late}  termination")),
    );
    if std::env::var("E2E_DEBUG").is_ok() {
        let log = show_log();
        let lines: Vec<&str> = log.lines().filter(|l| l.contains("recorder")).collect();
        eprintln!(
            "{after}\n{late_out}\n--- the recorder's log lines:\n{}",
            lines.join("\n")
        );
    }
    for reason in ["BeforeStop", "AfterRestart", "OOMKilled"] {
        assert!(
            after.contains(reason),
            "{reason} is recorded across the restart: {after}\n--- agent log:\n{}",
            show_log()
        );
    }
    assert!(
        late_out.contains("container api terminated: Error (exit 137), restarts 4"),
        "the crash written while the recorder was reconnecting is recorded: {late_out}\n--- agent log:\n{}",
        show_log()
    );
    // The real API's 410: a restarted API server's watch cache begins at the newest
    // resourceVersion, after the BeforeStop write, and the pods watch last saw the pod's
    // deletion before it — so resuming answers 410 Expired, and the records above came
    // through the relist that follows.
    assert!(
        show_log().contains("recorder: /api/v1/pods expired (watch error 410"),
        "the pods watch was expired by the restarted API server and listed again:\n{}",
        show_log()
    );
    for path in [
        format!("/api/v1/namespaces/shop/events/{pod}.before"),
        format!("/api/v1/namespaces/shop/events/{pod}.after"),
        format!("/api/v1/namespaces/shop/pods/{late}?gracePeriodSeconds=0"),
    ] {
        raw(&dir, "DELETE", &path, None);
    }
    drop(agent);
}
