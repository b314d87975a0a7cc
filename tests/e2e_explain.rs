//! End-to-end: answers that lead to the next step (issue 30), against the real kube-apiserver
//! testbed (KUBE_TESTBED_DIR). The tests write their own objects in namespace
//! `kg-explain-e2e` (names `kgx-…`) and the statuses the missing controllers would have
//! written, and read container logs through the fake kubelet's scenario.

mod support;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

use serde_json::{Value, json};
use support::*;

const NS: &str = "kg-explain-e2e";
/// The operative clause of an HPA's "unable to compute" message: a 160-character cut once
/// removed it.
const CAUSE: &str = "the server could not find the requested resource (get pods.metrics.k8s.io)";
/// When the crashed container's last run ended (written into its pod status).
const FINISHED: &str = "2026-12-07T10:00:00Z";

fn admin() -> (PathBuf, PathBuf) {
    let dir = testbed();
    let kc = dir.join("kubeconfig");
    setup(&dir);
    (dir, kc)
}

/// Merge `body` into the object at `path` as admin (statuses no controller writes here).
fn merge_patch(dir: &Path, path: &str, body: &Value) {
    admin_request(dir, "PATCH", path, Some(body));
}

fn pod(name: &str, app: &str, node: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": NS, "labels": {"app": app}},
        "spec": {"nodeName": node, "containers": [{"name": "app", "image": "busybox",
            "ports": [{"name": "http", "containerPort": 8080}]}]}})
}

fn hpa_message() -> String {
    format!(
        "the HPA was unable to compute the replica count: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: {CAUSE}"
    )
}

/// The objects, once per run (tests run in parallel threads; creating twice is harmless,
/// an object already there counts as created).
fn setup(dir: &Path) {
    static DONE: Once = Once::new();
    DONE.call_once(|| {
        let node = "node-1";
        let api = format!("/api/v1/namespaces/{NS}");
        raw_create(
            dir,
            "/api/v1/namespaces",
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}),
        );
        for (name, app) in [
            ("kgx-crash", "kgx-crash"),
            ("kgx-tail", "kgx-tail"),
            ("kgx-web-1", "kgx-web"),
        ] {
            raw_create(dir, &format!("{api}/pods"), &pod(name, app, node));
        }
        merge_patch(
            dir,
            &format!("{api}/pods/kgx-crash/status"),
            &json!({"status": {"phase": "Running", "containerStatuses": [{"name": "app",
                "image": "busybox", "imageID": "", "ready": false, "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 2, "reason": "Error",
                    "startedAt": "2026-12-07T09:59:00Z", "finishedAt": FINISHED}}}]}}),
        );
        merge_patch(
            dir,
            &format!("{api}/pods/kgx-web-1/status"),
            &json!({"status": {"phase": "Running", "podIP": "10.244.9.21",
                "conditions": [{"type": "Ready", "status": "True"}]}}),
        );
        raw_create(
            dir,
            &format!("{api}/services"),
            &json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kgx-web"},
                "spec": {"selector": {"app": "kgx-web"},
                    "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}),
        );
        // What the endpoints controller would write, without `nodeName` (as hand-written
        // Endpoints and older controllers have them).
        raw_create(
            dir,
            &format!("{api}/endpoints"),
            &json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "kgx-web"},
                "subsets": [{"addresses": [{"ip": "10.244.9.21",
                    "targetRef": {"kind": "Pod", "name": "kgx-web-1", "namespace": NS}}],
                    "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}]}),
        );
        // A Deployment at revision 3 whose only ReplicaSet is revision 3.
        let apps = format!("/apis/apps/v1/namespaces/{NS}");
        let labels = json!({"app": "kgx-api"});
        raw_create(
            dir,
            &format!("{apps}/deployments"),
            &json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "kgx-api",
                    "annotations": {"deployment.kubernetes.io/revision": "3"}},
                "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                    "template": {"metadata": {"labels": labels},
                        "spec": {"containers": [{"name": "app", "image": "busybox"}]}}}}),
        );
        let deploy = raw_get(dir, &format!("{apps}/deployments/kgx-api"));
        let uid = deploy["metadata"]["uid"].as_str().expect("deployment uid");
        raw_create(
            dir,
            &format!("{apps}/replicasets"),
            &json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": "kgx-api-7d9f8", "labels": labels,
                    "annotations": {"deployment.kubernetes.io/revision": "3"},
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                        "name": "kgx-api", "uid": uid, "controller": true}]},
                "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                    "template": {"metadata": {"labels": labels},
                        "spec": {"containers": [{"name": "app", "image": "busybox"}]}}}}),
        );
        // An HPA unable to compute, with the metrics API's message.
        raw_create(
            dir,
            &format!("/apis/autoscaling/v2beta2/namespaces/{NS}/horizontalpodautoscalers"),
            &json!({"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "kgx-hpa"},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                        "name": "kgx-api"}, "minReplicas": 1, "maxReplicas": 4,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70}}}]}}),
        );
        merge_patch(
            dir,
            &format!(
                "/apis/autoscaling/v2beta2/namespaces/{NS}/horizontalpodautoscalers/kgx-hpa/status"
            ),
            &json!({"status": {"currentReplicas": 1, "desiredReplicas": 1, "conditions": [
                {"type": "AbleToScale", "status": "True", "reason": "SucceededGetScale",
                 "message": "the HPA controller was able to get the target's current scale",
                 "lastTransitionTime": "2026-12-07T09:00:00Z"},
                {"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric",
                 "message": hpa_message(), "lastTransitionTime": "2026-12-07T09:00:00Z"}]}}),
        );
    });
}

/// Held while a test reads a log whose scenario it wrote (tests run in parallel threads).
static SCENARIO: Mutex<()> = Mutex::new(());

/// Make `lines` the whole current log of `pod`'s container `app` (the fake kubelet spreads
/// injected lines through its 200; 200 of them replace every line).
fn set_log(dir: &Path, pod: &str, lines: &[String]) {
    assert_eq!(lines.len(), 200, "200 lines replace the whole log");
    let path = dir.join("kubelet-scenario.json");
    let mut sc: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| json!({}));
    sc["inject"][format!("{NS}/{pod}/app")] = json!(lines);
    std::fs::write(&path, sc.to_string()).expect("write the kubelet scenario");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn previous_log_gone_is_not_found_and_points_at_the_last_run() {
    let (_dir, kc) = admin();
    let (code, out, err) = query(&kc, &[], &["logs", "kgx-crash", "-n", NS, "--previous"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("NotFound")),
        "stdout: {out}\nstderr: {err}"
    );
    assert!(
        err.contains(&format!(
            "its last run ended with exit 2 (Error) at {FINISHED}, 4 restarts"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("logs kgx-crash -n {NS} -c app")),
        "{err}"
    );
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn a_tail_window_without_errors_counts_the_errors_read_just_above_it() {
    let (dir, kc) = admin();
    let _scenario = SCENARIO.lock().unwrap_or_else(|e| e.into_inner());
    let lines: Vec<String> = (1..=200)
        .map(|i| match i {
            140..=142 => format!("ERROR upstream answered 503 (request {i})"),
            _ => format!("INFO request {i} served"),
        })
        .collect();
    set_log(&dir, "kgx-tail", &lines);
    // --tail 50 shows 151-200; the read holds 64 lines more (87-150), three of them ERROR.
    let (code, out, err) = query(&kc, &[], &["logs", "kgx-tail", "-n", NS, "--tail", "50"]);
    assert_eq!(code, 0, "{err}");
    // A note: on stderr, the log lines alone on stdout.
    let first = err.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "[kubeglass: no line shown holds ERROR/WARN/FATAL/panic, but 3 of the 64 earlier lines read with them do (only those were read); --grep 'ERROR|WARN|FATAL|panic' searches the whole log]",
        "{out}"
    );
    assert_eq!(out.lines().count(), 50, "the 50 lines: {out}");
    assert!(out.ends_with("INFO request 200 served\n"), "{out}");
    // A window that shows one says nothing; the --grep the note names finds all three.
    let (code, out, err) = query(&kc, &[], &["logs", "kgx-tail", "-n", NS, "--tail", "60"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !out.contains("[kubeglass:") && !err.contains("[kubeglass:"),
        "{out}{err}"
    );
    let (code, out, err) = query(
        &kc,
        &[],
        &[
            "logs",
            "kgx-tail",
            "-n",
            NS,
            "--grep",
            "ERROR|WARN|FATAL|panic",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 3, "{out}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn endpoints_name_the_node_of_an_address_from_its_pod() {
    let (_dir, kc) = admin();
    let (code, out, err) = query(&kc, &[], &["endpoints", "kgx-web", "-n", NS]);
    assert_eq!(code, 0, "{err}");
    let row = out
        .lines()
        .find(|l| l.contains("10.244.9.21"))
        .unwrap_or_else(|| panic!("no address row: {out}"));
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["10.244.9.21", "true", "kgx-web-1", "node-1"],
        "{out}"
    );
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn rollout_history_says_which_revisions_are_gone() {
    let (_dir, kc) = admin();
    let (code, out, err) = query(
        &kc,
        &[],
        &["rollout", "history", "deploy/kgx-api", "-n", NS],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3 (current)   kgx-api-7d9f8"), "{out}");
    // A note: on stderr, the history alone on stdout.
    assert!(
        err.lines().last().unwrap_or_default().starts_with(
            "[kubeglass: revisions 1-2 not kept: not pruned by spec.revisionHistoryLimit 10"
        ) && !out.contains("[kubeglass:"),
        "{out}\n---\n{err}"
    );
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn an_hpa_message_keeps_its_cause_in_triage_and_describe() {
    let (dir, kc) = admin();
    // The message as the API holds it. (kubectl cannot be the oracle here: against this
    // 1.20 server it describes the autoscaling/v1 form, which shows no conditions.)
    let hpa = raw_get(
        &dir,
        &format!("/apis/autoscaling/v2beta2/namespaces/{NS}/horizontalpodautoscalers/kgx-hpa"),
    );
    let message = hpa["status"]["conditions"][1]["message"]
        .as_str()
        .expect("the ScalingActive message");
    assert!(message.ends_with(CAUSE) && message.len() > 160, "{message}");
    let (code, out, err) = query(&kc, &[], &["triage", "-n", NS]);
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.contains("hpa/kgx-hpa"))
        .unwrap_or_else(|| panic!("no hpa finding: {out}"));
    assert!(line.contains(message), "quoted whole: {line}");
    let (code, out, err) = query(&kc, &[], &["describe", "hpa", "kgx-hpa", "-n", NS]);
    assert_eq!(code, 0, "{err}");
    let row = out
        .lines()
        .find(|l| l.contains("FailedGetResourceMetric"))
        .unwrap_or_else(|| panic!("no condition row: {out}"));
    assert!(
        row.ends_with(&format!("   {message}")),
        "shown whole: {out}"
    );
}
