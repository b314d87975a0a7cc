//! End-to-end: `logs --fold` and `--grep-v` against the real kube-apiserver testbed
//! (KUBE_TESTBED_DIR), whose kubelet stand-in serves the lines the scenario file injects
//! (up to 200 a container). The test makes three pods of one Deployment in a namespace of
//! its own and injects 600 lines of four templates with varying numbers, ids, IPs and
//! durations — one carrying a password — then checks the fold lists each template once with
//! its count and pods, errors first, in a few hundred bytes, the password redacted.
//! Without a testbed these tests fail.

mod support;

use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use support::*;

/// The password in the injected login lines: never in an answer.
const PASSWORD: &str = "Hx7pQ2wZkq";

/// Held while a test writes the shared scenario file.
static SCENARIO: Mutex<()> = Mutex::new(());

fn namespace(what: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    format!(
        "e2e-{what}-{}-{}",
        std::process::id(),
        nanos % 1_000_000_000
    )
}

/// 200 lines for pod `i` (0, 1, 2): ERROR only in pods 0 and 1.
fn lines_for(i: usize) -> Vec<String> {
    (0..200)
        .map(|n| {
            let k = i * 1000 + n;
            match n % 10 {
                0 if i < 2 => format!(
                    "ERROR payment {k} failed for user {k:08x}-2fa1-11d2-883f-0016d3cca427: \
                     upstream 10.0.{i}.{}:8080 timeout after {}ms",
                    n % 250,
                    100 + n
                ),
                1 if i < 2 => format!("login user=bob password={PASSWORD}{k} ok"),
                2..=4 => format!("WARN cache miss for key 0x{:012x}", k * 7919),
                _ => format!("INFO GET /api/orders/{k} 200 {}ms", n % 97),
            }
        })
        .collect()
}

/// A Deployment `api` with three pods on node-1 (whose logs the stand-in serves), each
/// with its lines injected. Returns the namespace.
fn seed(dir: &Path) -> String {
    let ns = namespace("fold");
    raw_create(
        dir,
        "/api/v1/namespaces",
        &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
    );
    let labels = json!({"app": "api"});
    let template = json!({"metadata": {"labels": labels},
        "spec": {"containers": [{"name": "app", "image": "api:1"}]}});
    raw_create(
        dir,
        &format!("/apis/apps/v1/namespaces/{ns}/deployments"),
        &json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "api", "namespace": ns},
                "spec": {"replicas": 3, "selector": {"matchLabels": labels},
                         "template": template}}),
    );
    let _guard = SCENARIO.lock().unwrap_or_else(|e| e.into_inner());
    let path = dir.join("kubelet-scenario.json");
    let mut sc: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| json!({}));
    for (i, pod) in ["api-a", "api-b", "api-c"].iter().enumerate() {
        raw_create(
            dir,
            &format!("/api/v1/namespaces/{ns}/pods"),
            &json!({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": pod, "namespace": ns, "labels": labels},
                    "spec": {"nodeName": "node-1",
                             "containers": [{"name": "app", "image": "api:1"}]}}),
        );
        sc["inject"][format!("{ns}/{pod}/app")] = json!(lines_for(i));
    }
    std::fs::write(&path, sc.to_string()).expect("write the kubelet scenario");
    ns
}

/// Deletes the test's pods and Deployment when dropped (even when the test fails): the
/// testbed runs no controllers, so they would stay, unscheduled-looking, in `triage -A`.
struct Cleanup<'a>(&'a Path, String);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        for p in [
            "/api/v1/namespaces/{}/pods",
            "/apis/apps/v1/namespaces/{}/deployments",
        ] {
            let path = format!("{}?gracePeriodSeconds=0", p.replace("{}", &self.1));
            if let Err(e) = try_admin_request(self.0, "DELETE", &path, None) {
                eprintln!("cleanup of {}: {e}", self.1);
            }
        }
    }
}

fn ok(args: &[&str]) -> String {
    let dir = testbed();
    let (code, out, err) = query(&dir.join("kubeconfig"), &[], args);
    assert_eq!(code, 0, "{args:?}: {err}");
    // The notes (the fold's legend first) are on stderr; here they lead, as on a terminal.
    let out = format!("{err}{out}");
    assert!(
        !out.contains(PASSWORD),
        "{args:?} leaks the password:\n{out}"
    );
    out
}

/// The group headed `head` (its first line starts so) and its lines.
fn group<'a>(out: &'a str, head: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(head))
        .unwrap_or_else(|| panic!("no group {head:?}:\n{out}"));
    let end = lines[at + 1..]
        .iter()
        .position(|l| !l.starts_with("  "))
        .map_or(lines.len(), |p| at + 1 + p);
    lines[at..end].to_vec()
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn fold_lists_each_template_once_with_counts_and_pods_and_keeps_secrets_redacted() {
    let dir = testbed();
    let ns = seed(&dir);
    let _cleanup = Cleanup(&dir, ns.clone());
    let out = ok(&["logs", "deploy/api", "-n", &ns, "--fold"]);
    assert!(
        out.starts_with(
            "[kubeglass: 600 lines from 3 container log(s) of 3 pod(s) folded into 4 templates"
        ),
        "{out}"
    );
    assert!(out.len() < 1200, "{} bytes:\n{out}", out.len());
    let error = group(&out, "40x ERROR ");
    assert!(error[0].ends_with("pods: api-a,api-b"), "{out}");
    assert_eq!(
        error[1],
        "  ERROR payment <n> failed for user <uuid>: upstream <ip> timeout after <dur>"
    );
    assert!(error[2].starts_with("  e.g. ERROR payment "), "{out}");
    let warn = group(&out, "180x WARN ");
    assert!(warn[0].ends_with("pods: api-a,api-b,api-c"), "{out}");
    assert_eq!(warn[1], "  WARN cache miss for key <hex>");
    let get = group(&out, "340x - ");
    assert_eq!(get[1], "  INFO GET /api/orders/<n> <n> <dur>");
    let login = group(&out, "40x - ");
    assert!(login[0].ends_with("pods: api-a,api-b"), "{out}");
    // Nothing varies once the password is hidden: the template is its own example.
    assert_eq!(
        login[1..],
        ["  login user=bob password=<redacted> ok"],
        "{out}"
    );
    // Errors first, warnings next, then by count.
    let order: Vec<usize> = ["40x ERROR", "180x WARN", "340x -", "40x -"]
        .iter()
        .map(|h| out.find(h).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{out}");

    // A selector reads the same pods; --grep-v drops a template before folding.
    let out = ok(&[
        "logs", "-l", "app=api", "-n", &ns, "--fold", "--grep-v", "GET /api",
    ]);
    assert!(out.contains("260 lines from 3 container log(s)"), "{out}");
    assert!(!out.contains("INFO GET"), "{out}");
    // The fan-out bound holds for folding too.
    let out = ok(&[
        "logs",
        "deploy/api",
        "-n",
        &ns,
        "--fold",
        "--max-log-requests",
        "2",
    ]);
    assert!(out.contains("reading the first 2"), "{out}");
    assert!(out.contains("of 2 pod(s)"), "{out}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn grep_v_leaves_out_matching_lines_after_redaction() {
    let dir = testbed();
    let ns = seed(&dir);
    let _cleanup = Cleanup(&dir, ns.clone());
    let out = ok(&[
        "logs",
        "api-a",
        "-n",
        &ns,
        "--tail",
        "-1",
        "--grep-v",
        "INFO|WARN",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 40, "{out}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("ERROR") || l.starts_with("login"))
    );
    // Matched on the redacted line: the password's characters cannot be probed.
    let hit = ok(&[
        "logs",
        "api-a",
        "-n",
        &ns,
        "--tail",
        "-1",
        "--grep-v",
        "password=H",
    ]);
    let miss = ok(&[
        "logs",
        "api-a",
        "-n",
        &ns,
        "--tail",
        "-1",
        "--grep-v",
        "password=Q",
    ]);
    assert_eq!(hit, miss);
}
