//! `kubeglass send --fleet FILE --cluster NAME|'*'` without servers: what the fleet file and
//! `--cluster` refuse before anything is sent, and a fan-out to queues nobody serves (a
//! closed port) answering a section per cluster, in the file's order, at once. The same
//! against two real agents is in tests/e2e_mcp_fleet.rs.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use support::*;

/// A fleet file of two clusters behind queues on a closed port and one local context.
fn fleet(test: &str) -> PathBuf {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let dir = std::env::temp_dir().join(format!(
        "kubeglass-send-fleet-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("fleet.yaml");
    let q = |n: &str| format!("http://127.0.0.1:{port}/123456789012/{n}");
    std::fs::write(
        &file,
        format!(
            "clusters:\n- name: west\n  commandQueueUrl: {}\n  responseQueueUrl: {}\n\
             - name: east\n  commandQueueUrl: {}\n  responseQueueUrl: {}\n\
             - name: laptop\n  context: kind-dev\n",
            q("c1"),
            q("r1"),
            q("c2.fifo"),
            q("r2.fifo")
        ),
    )
    .expect("write the fleet file");
    file
}

fn send(file: &PathBuf, args: &[&str]) -> (i32, String, String) {
    let mut c = kubeglass();
    c.env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
        .args(["send", "--fleet"])
        .arg(file)
        .args(args);
    run(c)
}

#[test]
fn a_cluster_the_file_lacks_or_a_local_context_is_refused_before_any_send() {
    let f = fleet("refused");
    let (code, _, err) = send(&f, &["--", "get", "pods"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--fleet needs --cluster NAME (one of west, east, laptop)"),
        "{err}"
    );
    let (code, _, err) = send(&f, &["--cluster", "nope", "--", "get", "pods"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no cluster \"nope\" in ") && err.contains("clusters: west, east, laptop"),
        "{err}"
    );
    let (code, _, err) = send(&f, &["--cluster", "laptop", "--", "get", "pods"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "cluster laptop is the local context kind-dev: use kubeglass query --context kind-dev"
        ),
        "{err}"
    );
    let (code, _, err) = send(&f, &["--cluster", "west", "--id", "x", "--", "get", "pods"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--id and --show-heartbeats do not go with --fleet"),
        "{err}"
    );
}

#[test]
fn a_fan_out_to_unreachable_queues_answers_each_cluster_in_file_order_at_once() {
    let f = fleet("fan-out");
    let t0 = Instant::now();
    let (code, out, err) = send(
        &f,
        &["--cluster", "*", "--timeout", "20s", "--", "get", "pods"],
    );
    let took = t0.elapsed();
    assert_eq!(code, 1, "not every cluster answered: {out}\n{err}");
    let (w, e) = (
        out.find("=== cluster west ===\n").expect(&out),
        out.find("=== cluster east ===\n").expect(&out),
    );
    assert!(w < e, "the file's order: {out}");
    assert!(
        !out.contains("laptop"),
        "a context is not behind queues: {out}"
    );
    for q in ["c1", "c2.fifo"] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("error: QueueUnavailable: ")
                    && l.contains(&format!("/123456789012/{q}: "))),
            "{q}: {out}"
        );
    }
    // Refused at the send: not waited for until the 20 s timeout.
    assert!(took < Duration::from_secs(10), "{took:?}");
}
