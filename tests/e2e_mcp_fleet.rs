//! End-to-end: many clusters over SQS — `kubeglass mcp --fleet` driven by the official MCP
//! Python SDK (tests/mcp_fleet_client.py holds those checks) and `kubeglass send --fleet`,
//! against two clusters: `east`, an agent reading kube testbed 1 (`--namespaces
//! shop,load,fleet-ledger`) on the SQS testbed's second standard queue pair, and `west`, an
//! agent reading kube testbed 2 (`--namespaces payments,fleet-ledger`) on its FIFO pair.
//! Both testbeds have the namespace `fleet-ledger`, only testbed 2 its 24 pods `ledger-NN`
//! (planted here and left, as the seed's objects are: idempotent). The backend's side signs with the testbed's
//! admin key. Phases: both agents up; west's agent stopped (SIGTERM, drained); an SQS outage
//! (a proxy stopped, a closed port, an endpoint that is not SQS).
//! Needs KUBE_TESTBED_DIR, KUBE_TESTBED2_DIR, SQS_TESTBED_DIR and the SDK (pip); fails
//! without them.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::json;

use support::*;

/// Pods planted in testbed 2's `fleet-ledger` (enough that west's `get pods -A` passes half
/// of a 4 KiB budget).
const LEDGER_PODS: usize = 24;

/// The namespace `fleet-ledger` on both testbeds (both agents may read it), its pods on
/// testbed 2 only (idempotent: what exists counts as created).
fn plant_ledger(one: &Path, two: &Path) {
    for dir in [one, two] {
        raw_create(
            dir,
            "/api/v1/namespaces",
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "fleet-ledger"}}),
        );
    }
    let dir = two;
    for i in 0..LEDGER_PODS {
        raw_create(
            dir,
            "/api/v1/namespaces/fleet-ledger/pods",
            &json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("ledger-{i:02}"), "labels": {"app": "ledger"}},
                "spec": {"containers": [{"name": "ledger", "image": "registry.example/ledger:1.4"}]}}),
        );
    }
}

/// One phase of tests/mcp_fleet_client.py; fails the test unless it passed.
fn client(env: &HashMap<String, String>, phase: &str, fleet: &Path, extra: &[String]) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = r#"set -eu; . .ci/lib.sh; make_venv "$CI_MCP_VENV" $CI_MCP_PINS >&2; exec "$CI_MCP_VENV/bin/python" tests/mcp_fleet_client.py "$@""#;
    let mut c = Command::new("bash");
    c.args(["-c", script, "mcp_fleet_client", phase])
        .arg(env!("CARGO_BIN_EXE_kubeglass"))
        .arg(fleet)
        .args(extra)
        .current_dir(repo);
    as_backend(&mut c, env);
    let t0 = Instant::now();
    let out = c.output().expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!(
        "--- phase {phase} ({:.1} s)\n{stdout}",
        t0.elapsed().as_secs_f64()
    );
    assert!(
        out.status.success() && stdout.contains(&format!("phase {phase} passed")),
        "the MCP fleet checks of phase {phase} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
}

/// `kubeglass send --fleet FLEET --cluster CLUSTER --timeout T -- WORDS` as a backend:
/// (exit code, stdout, stderr).
fn send(
    env: &HashMap<String, String>,
    fleet: &Path,
    cluster: &str,
    timeout: &str,
    words: &[&str],
) -> (i32, String, String) {
    let mut c = kubeglass();
    as_backend(&mut c, env);
    c.args(["send", "--fleet"])
        .arg(fleet)
        .args(["--cluster", cluster, "--timeout", timeout, "--"])
        .args(words);
    run(c)
}

/// The section of `cluster` in a fan-out's text (`=== cluster NAME ===` headers).
fn section<'a>(text: &'a str, cluster: &str) -> &'a str {
    let head = format!("=== cluster {cluster} ===\n");
    let Some(at) = text.find(&head) else {
        panic!("no section for {cluster}:\n{text}")
    };
    let rest = &text[at + head.len()..];
    &rest[..rest.find("=== cluster ").unwrap_or(rest.len())]
}

/// Empties the test's queues at the start and however it ends: what one run leaves there
/// (a command to a stopped agent, an answer too late) is not the next test's.
struct Purge(Vec<String>);

impl Purge {
    fn now(&self) {
        let sqs = backend(&sqs_env());
        for q in &self.0 {
            let _ = sqs.call("PurgeQueue", &json!({"QueueUrl": q}));
        }
    }
}

impl Drop for Purge {
    fn drop(&mut self) {
        self.now();
    }
}

#[test]
#[ignore = "needs both kube testbeds (KUBE_TESTBED_DIR, KUBE_TESTBED2_DIR), the SQS testbed (SQS_TESTBED_DIR) and the MCP Python SDK (pip)"]
fn two_clusters_over_their_own_queue_pairs_answer_apart_and_say_which_did_not_answer() {
    let env = sqs_env();
    let (one, two) = (testbed(), testbed2());
    let east = (
        env["SQS_TESTBED_COMMAND_QUEUE_B_URL"].clone(),
        env["SQS_TESTBED_RESPONSE_QUEUE_B_URL"].clone(),
    );
    let west = (
        env["SQS_TESTBED_COMMAND_FIFO_QUEUE_URL"].clone(),
        env["SQS_TESTBED_RESPONSE_FIFO_QUEUE_URL"].clone(),
    );
    // Declared before the agents: purged after they stopped.
    let purge = Purge(vec![
        east.0.clone(),
        east.1.clone(),
        west.0.clone(),
        west.1.clone(),
    ]);
    purge.now();
    plant_ledger(&one, &two);
    let _east_agent = SqsAgent::start_on(
        &one.join("kubeconfig"),
        (&east.0, &east.1),
        &[
            "--cluster-name",
            "east",
            "--namespaces",
            "shop,load,fleet-ledger",
        ],
    );
    let west_agent = SqsAgent::start_on(
        &two.join("kubeconfig"),
        (&west.0, &west.1),
        &[
            "--cluster-name",
            "west",
            "--namespaces",
            "payments,fleet-ledger",
        ],
    );
    let dir: PathBuf =
        std::env::temp_dir().join(format!("kubeglass-e2e-fleet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let fleet = dir.join("fleet.yaml");
    std::fs::write(
        &fleet,
        format!(
            "clusters:\n  - name: east\n    commandQueueUrl: {}\n    responseQueueUrl: {}\n  \
             - name: west\n    commandQueueUrl: {}\n    responseQueueUrl: {}\n",
            east.0, east.1, west.0, west.1
        ),
    )
    .expect("write the fleet file");

    client(&env, "up", &fleet, &[]);

    // send --fleet, one cluster and every cluster: each answer from its own testbed.
    let (code, out, err) = send(
        &env,
        &fleet,
        "west",
        "30s",
        &["get", "pods", "-n", "fleet-ledger"],
    );
    assert_eq!(code, 0, "send --cluster west: {err}");
    assert_eq!(out.matches("ledger-").count(), LEDGER_PODS, "{out}");
    let (code, out, err) = send(
        &env,
        &fleet,
        "east",
        "30s",
        &["get", "pods", "-n", "fleet-ledger"],
    );
    assert_eq!(code, 0, "send --cluster east: {err}");
    assert!(!out.contains("ledger-"), "{out}");
    let (code, out, err) = send(&env, &fleet, "*", "30s", &["get", "ns"]);
    assert_eq!(code, 0, "send --cluster '*': {err}\n{out}");
    let (e, w) = (section(&out, "east"), section(&out, "west"));
    assert!(out.find("=== cluster east").unwrap() < out.find("=== cluster west").unwrap());
    assert!(
        e.contains("load") && e.contains("shop") && !e.contains("payments"),
        "{out}"
    );
    assert!(
        w.contains("fleet-ledger") && w.contains("payments") && !w.contains("shop"),
        "{out}"
    );
    let (code, out, err) = send(&env, &fleet, "west", "30s", &["get", "pods", "-n", "shop"]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("error: OutOfScope: "), "{err}");
    println!("ok: send --fleet: west, east and '*' each from their own testbed; west refuses shop");

    // West's agent stopped as an operator stops it (SIGTERM, its long poll drained).
    drop(west_agent);
    client(&env, "down", &fleet, &[]);
    let t0 = Instant::now();
    let (code, out, err) = send(&env, &fleet, "*", "5s", &["get", "ns"]);
    let took = t0.elapsed();
    assert_eq!(code, 1, "not every cluster answered: {out}\n{err}");
    assert!(section(&out, "east").contains("shop"), "{out}");
    assert!(
        section(&out, "west").starts_with("error: Timeout: no agent answered within 5 s"),
        "{out}"
    );
    assert!(took.as_secs() < 10, "{took:?}");
    println!(
        "ok: send --fleet --cluster '*' with west down: east's answer, west's line ({took:?})"
    );

    let queues = json!({"east": [east.0, east.1], "west": [west.0, west.1]}).to_string();
    client(&env, "outage", &fleet, &[queues]);
    let _ = std::fs::remove_dir_all(&dir);
}
