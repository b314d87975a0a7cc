//! End-to-end: `changes` and `rollout diff` against the real kube-apiserver testbed
//! (KUBE_TESTBED_DIR). The testbed runs no controllers, so the test writes the history
//! itself in a namespace of its own: a Deployment and three ReplicaSets at revisions 1–3
//! with different templates, a ConfigMap written by `kubectl apply` and by a server-side
//! apply (two managers), backdated events, and a container terminated in a pod's status.
//! Without a testbed these tests fail.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use support::*;

/// Env values the templates hold: none may appear in any answer.
const ENV_VALUES: &[&str] = &["db-one-4471", "db-two-4472", "pw-one-88a1", "pw-two-88a2"];

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// RFC 3339 of now − `ago`.
fn ago(ago: Duration) -> String {
    let secs = now_secs() - ago.as_secs();
    let out = Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("date");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Wait (polling, with a deadline) until the clock's second changes, so objects written
/// one after the other carry distinct creation times.
fn next_second() {
    let start = now_secs();
    let deadline = Instant::now() + Duration::from_secs(3);
    while now_secs() == start {
        assert!(Instant::now() < deadline, "the clock did not move");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn kubectl(kc: &Path, args: &[&str], stdin: Option<&str>) {
    let mut c = Command::new("kubectl");
    c.arg("--kubeconfig").arg(kc).args(args);
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("kubectl");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("kubectl");
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// PUT `body` to `path` as admin (the status subresource).
fn raw_put(dir: &Path, path: &str, body: &Value) {
    admin_request(dir, "PUT", path, Some(body));
}

fn template(rev: u32, env: Value, args: Value) -> Value {
    json!({
        "metadata": {"labels": {"app": "api", "pod-template-hash": format!("h{rev}")}},
        "spec": {"containers": [{"name": "api", "image": format!("shop/api:2.4.{rev}"),
                                  "args": args, "env": env}]}
    })
}

/// Write the history into a fresh namespace (named for `tag`, the pid and the clock); returns
/// its name.
fn write_history(dir: &Path, kc: &Path, tag: &str) -> String {
    // Tests of one run share the pid and may start in the same second: the tag tells them apart.
    let ns = format!("chg-{tag}-{}-{}", std::process::id(), now_secs() % 100_000);
    kubectl(kc, &["create", "namespace", &ns], None);
    // A Warning first seen 90 minutes ago: inside 2h, outside 1h.
    let event = |name: &str,
                 kind: &str,
                 obj: &str,
                 reason: &str,
                 ty: &str,
                 first: Duration,
                 last: Duration,
                 msg: &str| {
        json!({"metadata": {"name": name, "namespace": ns},
               "involvedObject": {"kind": kind, "name": obj, "namespace": ns},
               "reason": reason, "type": ty, "message": msg, "count": 3,
               "firstTimestamp": ago(first), "lastTimestamp": ago(last),
               "source": {"component": "e2e-writer"}})
    };
    let events = format!("/api/v1/namespaces/{ns}/events");
    raw_create(
        dir,
        &events,
        &event(
            "old-warning",
            "Pod",
            "api-h1-aaaaa",
            "FailedMount",
            "Warning",
            Duration::from_secs(90 * 60),
            Duration::from_secs(80 * 60),
            "old mount failure",
        ),
    );
    raw_create(
        dir,
        &events,
        &event(
            "backoff",
            "Pod",
            "api-h3-ccccc",
            "BackOff",
            "Warning",
            Duration::from_secs(10 * 60),
            Duration::from_secs(120),
            "Back-off restarting failed container",
        ),
    );
    raw_create(
        dir,
        &events,
        &event(
            "scaled",
            "Deployment",
            "api",
            "ScalingReplicaSet",
            "Normal",
            Duration::from_secs(5 * 60),
            Duration::from_secs(5 * 60),
            "Scaled up replica set api-h3 to 2",
        ),
    );
    let deploy = json!({"metadata": {"name": "api", "namespace": ns,
            "annotations": {"deployment.kubernetes.io/revision": "3"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "api"}},
                 "template": {"metadata": {"labels": {"app": "api"}},
                              "spec": {"containers": [{"name": "api", "image": "shop/api:2.4.3"}]}}}});
    raw_create(
        dir,
        &format!("/apis/apps/v1/namespaces/{ns}/deployments"),
        &deploy,
    );
    let uid = raw_get(
        dir,
        &format!("/apis/apps/v1/namespaces/{ns}/deployments/api"),
    )["metadata"]["uid"]
        .as_str()
        .expect("uid")
        .to_string();
    // A StatefulSet and two ControllerRevisions (its revisions live there, not in
    // ReplicaSets), the image changed between them.
    let sts = json!({"metadata": {"name": "db", "namespace": ns},
        "spec": {"serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                 "template": {"metadata": {"labels": {"app": "db"}},
                              "spec": {"containers": [{"name": "db", "image": "postgres:16"}]}}}});
    raw_create(
        dir,
        &format!("/apis/apps/v1/namespaces/{ns}/statefulsets"),
        &sts,
    );
    let sts_uid = raw_get(
        dir,
        &format!("/apis/apps/v1/namespaces/{ns}/statefulsets/db"),
    )["metadata"]["uid"]
        .as_str()
        .expect("uid")
        .to_string();
    for (rev, image) in [(1, "postgres:15"), (2, "postgres:16")] {
        next_second();
        let cr = json!({"metadata": {"name": format!("db-r{rev}"), "namespace": ns, "labels": {"app": "db"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db",
                                     "uid": sts_uid, "controller": true}]},
            "revision": rev,
            "data": {"spec": {"template": {"$patch": "replace", "metadata": {"labels": {"app": "db"}},
                     "spec": {"containers": [{"name": "db", "image": image}]}}}}});
        raw_create(
            dir,
            &format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions"),
            &cr,
        );
    }
    let templates = [
        template(
            1,
            json!([{"name": "DB_HOST", "value": "db-one-4471"}, {"name": "DB_PASSWORD", "value": "pw-one-88a1"}]),
            json!(["--port", "8080"]),
        ),
        template(
            2,
            json!([{"name": "DB_HOST", "value": "db-two-4472"}, {"name": "DB_PASSWORD", "value": "pw-two-88a2"}]),
            json!(["--port", "8080"]),
        ),
        template(
            3,
            json!([{"name": "DB_HOST", "value": "db-two-4472"}, {"name": "DB_PASSWORD", "value": "pw-two-88a2"}, {"name": "CACHE", "value": "on"}]),
            json!(["--port", "9090"]),
        ),
    ];
    for (i, t) in templates.into_iter().enumerate() {
        let rev = i + 1;
        next_second();
        let rs = json!({"metadata": {"name": format!("api-h{rev}"), "namespace": ns,
                "labels": {"app": "api", "pod-template-hash": format!("h{rev}")},
                "annotations": {"deployment.kubernetes.io/revision": rev.to_string()},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "api",
                                     "uid": uid, "controller": true}]},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "api", "pod-template-hash": format!("h{rev}")}},
                     "template": t}});
        raw_create(
            dir,
            &format!("/apis/apps/v1/namespaces/{ns}/replicasets"),
            &rs,
        );
    }
    next_second();
    let cm = |data: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: order-config\n  namespace: {ns}\ndata:\n{data}"
        )
    };
    // The server-side apply first: kubectl's `apply --server-side` takes over the fields of
    // an earlier client-side apply (its CSA→SSA migration), which would leave one manager.
    kubectl(
        kc,
        &[
            "apply",
            "--server-side",
            "--field-manager=e2e-ssa",
            "-f",
            "-",
        ],
        Some(&cm("  FEATURE_X: \"on\"\n")),
    );
    next_second();
    kubectl(kc, &["apply", "-f", "-"], Some(&cm("  LOG_LEVEL: info\n")));
    next_second();
    let pod = json!({"metadata": {"name": "api-h3-ccccc", "namespace": ns, "labels": {"app": "api", "pod-template-hash": "h3"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-h3", "uid": "0000", "controller": true}]},
        "spec": {"containers": [{"name": "api", "image": "shop/api:2.4.3"}]}});
    raw_create(dir, &format!("/api/v1/namespaces/{ns}/pods"), &pod);
    let mut pod = raw_get(dir, &format!("/api/v1/namespaces/{ns}/pods/api-h3-ccccc"));
    pod["status"] = json!({"phase": "Running", "containerStatuses": [{
        "name": "api", "image": "shop/api:2.4.3", "imageID": "", "ready": false, "restartCount": 4,
        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                      "startedAt": ago(Duration::from_secs(90)), "finishedAt": ago(Duration::from_secs(60))}}}]});
    raw_put(
        dir,
        &format!("/api/v1/namespaces/{ns}/pods/api-h3-ccccc/status"),
        &pod,
    );
    ns
}

/// The lines of a `changes` answer after its header (the header names the clock).
fn body(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with("Changes ") && !l.starts_with("Note: "))
        .map(str::to_string)
        .collect()
}

fn assert_no_env_value(what: &str, text: &str) {
    for v in ENV_VALUES {
        assert!(!text.contains(v), "{what} shows env value {v}:\n{text}");
    }
}

/// Ask `kubeglass mcp` for the text of tool calls, in order.
fn mcp_texts(kc: &Path, calls: &[(&str, Value)]) -> Vec<String> {
    let mut input = vec![
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "0"}}}).to_string(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
    ];
    for (i, (tool, args)) in calls.iter().enumerate() {
        input.push(json!({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call", "params": {"name": tool, "arguments": args}}).to_string());
    }
    let mut c = kubeglass();
    c.args(["mcp", "--kubeconfig"]).arg(kc);
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("kubeglass mcp");
    let text = input.join("\n") + "\n";
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(text.as_bytes());
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    let messages: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    (1..=calls.len())
        .map(|id| {
            let m = messages
                .iter()
                .find(|m| m["id"] == id)
                .unwrap_or_else(|| panic!("no answer {id}: {messages:?}"));
            assert_eq!(m["result"]["isError"], false, "{m}");
            m["result"]["content"][0]["text"]
                .as_str()
                .expect("text")
                .to_string()
        })
        .collect()
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn changes_and_rollout_diff_tell_what_the_history_changed_newest_first_without_values() {
    let dir = testbed();
    let kc = dir.join("kubeconfig");
    let ns = write_history(&dir, &kc, "q");

    // rollout diff: exactly the changed template fields; the hidden value only as changed.
    let (code, diff, err) = query(&kc, &[], &["rollout", "diff", "deploy/api", "-n", &ns]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        diff,
        "deployment.apps/api: revision 2 → 3\n\
         - spec.containers[api].args: [\"--port\",\"8080\"]\n\
         + spec.containers[api].args: [\"--port\",\"9090\"]\n\
         + spec.containers[api].env[CACHE]: on\n\
         - spec.containers[api].image: shop/api:2.4.2\n\
         + spec.containers[api].image: shop/api:2.4.3\n"
    );
    let (code, diff12, err) = query(
        &kc,
        &[],
        &[
            "rollout",
            "diff",
            "deploy/api",
            "-n",
            &ns,
            "--revision",
            "2",
            "--to",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        diff12.contains("~ spec.containers[api].env[DB_PASSWORD]: changed (value hidden)\n"),
        "{diff12}"
    );
    assert!(
        diff12.contains("- spec.containers[api].env[DB_HOST]: <redacted>")
            || diff12.contains("- spec.containers[api].env[DB_HOST]: db-one"),
        "{diff12}"
    );
    assert_no_env_value(
        "rollout diff 2→1 (the secret-looking ones)",
        &diff12.replace("db-one-4471", "").replace("db-two-4472", ""),
    );

    // changes: every change the test made, newest first, managers and field names.
    let (code, out, err) = query(&kc, &[], &["changes", "-n", &ns, "--since", "1h"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(&format!("Changes in {ns} in the last 1h (")),
        "{out}"
    );
    assert!(
        !out.contains("Note: events expire"),
        "1h is within the event TTL:\n{out}"
    );
    assert_no_env_value("changes", &out);
    let lines = body(&out);
    let find = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?}:\n{out}"))
    };
    let term =
        find("pod/api-h3-ccccc  container api terminated: OOMKilled (exit code 137, restarts 4)");
    let backoff = find(
        "pod/api-h3-ccccc  BackOff (first seen, ×3): Back-off restarting failed container  (e2e-writer)",
    );
    let scaled =
        find("deploy/api  ScalingReplicaSet: Scaled up replica set api-h3 to 2  (e2e-writer)");
    let ssa = find("cm/order-config  created (Apply: data.FEATURE_X)  (e2e-ssa)");
    let csa =
        find("cm/order-config  updated (Update: data.LOG_LEVEL)  (kubectl-client-side-apply)");
    let r3 = find(
        "deploy/api  rollout to revision 3 (api-h3): api args changed; image api: shop/api:2.4.2 → shop/api:2.4.3; api env +CACHE",
    );
    let r2 = find(
        "deploy/api  rollout to revision 2 (api-h2): image api: shop/api:2.4.1 → shop/api:2.4.2; api env ~DB_HOST ~DB_PASSWORD",
    );
    let r1 = find("deploy/api  rollout to revision 1 (api-h1): no earlier revision to compare");
    let s2 = find("sts/db  rollout to revision 2 (db-r2): image db: postgres:15 → postgres:16");
    find("sts/db  rollout to revision 1 (db-r1): no earlier revision to compare");
    assert!(
        lines[csa].contains("(kubectl-client-side-apply)"),
        "{}",
        lines[csa]
    );
    // Newest first: the times never grow down the list, and the writes are in their order.
    let times: Vec<&str> = lines.iter().map(|l| &l[..8]).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{out}");
    // Written last to first: the client-side apply, the server-side one, revisions 3..1,
    // the StatefulSet's revision 2 (seconds ago); then what the test backdated: the
    // termination (1m), scaling (5m), BackOff (10m).
    let order = [csa, ssa, r3, r2, r1, s2, term, scaled, backoff];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}:\n{out}");
    assert!(
        !out.contains("FailedMount"),
        "first seen 90m ago, outside 1h:\n{out}"
    );

    // A wider window reaches the older Warning and says events may have expired.
    let (code, wide, err) = query(&kc, &[], &["changes", "-n", &ns, "--since", "2h"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        wide.contains("FailedMount (first seen, ×3): old mount failure"),
        "{wide}"
    );
    assert!(wide.contains("Note: events expire after 1h"), "{wide}");

    // --for narrows to the Deployment and what it owns.
    let (code, only, err) = query(
        &kc,
        &[],
        &["changes", "-n", &ns, "--since", "1h", "--for", "deploy/api"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!only.contains("cm/order-config"), "{only}");
    assert!(
        only.contains("rollout to revision 3") && only.contains("OOMKilled"),
        "{only}"
    );

    // A cut keeps the newest lines and counts what it left out by kind.
    let (code, cut, err) = query(
        &kc,
        &["--max-output-bytes", "1024"],
        &["changes", "-n", &ns, "--since", "1h"],
    );
    assert_eq!(code, 3, "a cut answer: {err}");
    assert!(cut.len() <= 1024 + 1, "{}", cut.len());
    let kept = body(&cut)
        .into_iter()
        .filter(|l| !l.starts_with('['))
        .count();
    // The cut note is on stderr (docs/cli.md, "Notes go to stderr").
    let note = err.lines().last().unwrap_or_default();
    let left = lines.len() - kept;
    assert!(
        note.contains(&format!("{left} older changes (")),
        "{left} left out:\n{cut}"
    );
    let counted: usize = note
        .split(['(', ')'])
        .nth(1)
        .unwrap_or("")
        .split(", ")
        .filter_map(|p| p.split(' ').next()?.parse::<usize>().ok())
        .sum();
    assert_eq!(counted, left, "{note}");
    assert_eq!(body(&cut)[..kept], lines[..kept], "the newest are kept");

    // The JSON form and the MCP tools give the same text as the kubectl form.
    let json_cmd = json!({"op": "changes", "namespace": ns, "since": "1h"}).to_string();
    let mut c = kubeglass();
    c.args(["query", "--kubeconfig"])
        .arg(&kc)
        .args(["--command-json", &json_cmd]);
    let (code, via_json, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert_eq!(body(&via_json), lines);
    let texts = mcp_texts(
        &kc,
        &[
            ("changes", json!({"namespace": ns, "since": "1h"})),
            (
                "rollout_diff",
                json!({"resource": "deploy/api", "namespace": ns}),
            ),
        ],
    );
    assert_eq!(body(&texts[0]), lines, "changes through MCP");
    assert_eq!(texts[1], diff, "rollout diff through MCP");
    let (code, sts_diff, err) = query(&kc, &[], &["rollout", "diff", "sts/db", "-n", &ns]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        sts_diff,
        "statefulset.apps/db: revision 1 → 2\n\
         - spec.containers[db].image: postgres:15\n\
         + spec.containers[db].image: postgres:16\n"
    );
    let (code, as_json, err) = query(
        &kc,
        &[],
        &["changes", "-n", &ns, "--since", "1h", "-o", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&as_json).expect("one JSON document");
    assert_eq!(
        v["items"].as_array().map(Vec::len),
        Some(lines.len()),
        "{as_json}"
    );
    assert_eq!(v["items"][r3]["kind"], "rollout");
    assert_no_env_value("changes -o json", &as_json);

    triage_and_describe_name_each_workloads_last_rollout(&kc, &ns);
}

/// `triage` ends each workload finding with its last rollout, and `describe` shows it, on the
/// history of `ns` (checked inside the test that wrote it: another namespace of findings
/// would crowd the shared testbed's 4 KB triage of `e2e_triage_chains`).
fn triage_and_describe_name_each_workloads_last_rollout(kc: &Path, ns: &str) {
    let (kc, ns) = (kc.to_path_buf(), ns.to_string());
    // The history was written seconds ago: inside triage's 2 h.
    let clock = regex_lite::Regex::new(r"— last change \d\d:\d\d: ").expect("regex");

    let (code, out, err) = query(&kc, &[], &["triage", "-n", &ns]);
    assert_eq!(code, 0, "{err}");
    assert_no_env_value("triage", &out);
    let line = |needle: &str| {
        out.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?}:\n{out}"))
    };
    let api = line("deploy/api: CrashLoopBackOff");
    assert!(
        clock.is_match(api)
            && api.ends_with(
                ": api args changed; image api: shop/api:2.4.2 → shop/api:2.4.3; api env +CACHE"
            ),
        "the Deployment's finding ends with its last rollout:\n{out}"
    );
    let db = line("sts/db: 0/1 ready");
    assert!(
        clock.is_match(db) && db.ends_with(": image db: postgres:15 → postgres:16"),
        "the StatefulSet's finding ends with its last rollout:\n{out}"
    );
    assert!(
        !out.lines().any(|l| l.starts_with("not read:")) && !out.contains("output cut"),
        "{out}"
    );
    let (code, json, err) = query(&kc, &[], &["triage", "-n", &ns, "-o", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        json.contains("image db: postgres:15 → postgres:16"),
        "the JSON form says it too:\n{json}"
    );

    let (code, out, err) = query(&kc, &[], &["describe", "deploy", "api", "-n", &ns]);
    assert_eq!(code, 0, "{err}");
    assert_no_env_value("describe deploy", &out);
    let rollout = regex_lite::Regex::new(
        r"(?m)^Last Rollout: +revision 2 → 3 \(\S+ ago\): api args changed; image api: shop/api:2.4.2 → shop/api:2.4.3; api env \+CACHE$",
    )
    .expect("regex");
    assert!(rollout.is_match(&out), "{out}");
    let (code, out, err) = query(&kc, &[], &["describe", "sts", "db", "-n", &ns]);
    assert_eq!(code, 0, "{err}");
    let rollout = regex_lite::Regex::new(
        r"(?m)^Last Rollout: +revision 1 → 2 \(\S+ ago\): image db: postgres:15 → postgres:16$",
    )
    .expect("regex");
    assert!(rollout.is_match(&out), "{out}");
}

#[test]
#[ignore = "needs the SQS and kube testbeds (SQS_TESTBED_DIR, KUBE_TESTBED_DIR)"]
fn changes_and_rollout_diff_answer_the_same_text_through_the_sqs_agent() {
    let dir = testbed();
    let kc = dir.join("kubeconfig");
    let ns = write_history(&dir, &kc, "sqs");
    let agent = SqsAgent::start(&kc, &["--cluster-name", "e2e-changes"]);
    let send = |args: &[&str]| agent.send(args);
    let (code, local, err) = query(&kc, &[], &["changes", "-n", &ns, "--since", "1h"]);
    assert_eq!(code, 0, "{err}");
    let remote = send(&["changes", "-n", &ns, "--since", "1h"]);
    assert!(remote.contains("rollout to revision 3"), "{remote}");
    assert_eq!(body(&remote), body(&local), "changes through SQS");
    assert_no_env_value("changes through SQS", &remote);
    let (code, local, err) = query(&kc, &[], &["rollout", "diff", "deploy/api", "-n", &ns]);
    assert_eq!(code, 0, "{err}");
    let remote = send(&["rollout", "diff", "deploy/api", "-n", &ns]);
    assert_eq!(
        remote.trim_end(),
        local.trim_end(),
        "rollout diff through SQS"
    );
}
