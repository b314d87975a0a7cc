//! End-to-end: what the flight recorder captures from a terminated container's log keeps the
//! redactor's promise on the real API server and kubelet stand-in (over SQS, `history` table
//! and JSON). A YAML `password: |` block that opened above the newest 20 lines, and a URL
//! whose password the kubelet's old `limitBytes` cut (8 KiB) fell inside, before its `@`,
//! both stay hidden: the recorder reads 64 lines of context above the lines it keeps and
//! sends no `limitBytes` (`tests/recorder_log_capture.rs` is the same with a fake API).
//! Needs SQS_TESTBED_DIR and KUBE_TESTBED_DIR; fails without them.

mod support;

use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};

use support::*;

/// Filler (419 bytes): 19 of them and their newlines put the newest line at byte 7980 of a
/// 20-line tail.
fn filler(i: usize) -> String {
    let mut l = format!("INFO request {i:03} served");
    while l.len() < 419 {
        l.push_str(" ok");
    }
    l.truncate(419);
    l
}

#[test]
#[ignore = "needs the SQS and kube testbeds (SQS_TESTBED_DIR, KUBE_TESTBED_DIR)"]
fn captured_log_lines_hide_a_block_opened_above_them_and_a_url_the_byte_cut_split() {
    let dir = testbed();
    let run = format!(
        "reccap-{}",
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() % 100_000)
    );
    let (block, url) = (format!("Blk{run}Pw"), format!("Url{run}Pw"));
    let pod = format!("{run}-api");
    let agent = SqsAgent::start(&dir.join("kubeconfig"), &["--record"]);
    // The agent answers (its watches start before its first poll).
    let first = agent.send(&["--", "history", "-n", "shop"]);
    assert!(first.starts_with("recording since "), "{first}");

    // The kubelet stand-in's current logs (200 injected lines each, the whole log).
    let mut yaml: Vec<String> = (0..200).map(filler).collect();
    yaml[170] = "db:".into();
    yaml[171] = "  password: |".into();
    for l in yaml.iter_mut().skip(172) {
        *l = format!("    {block}");
    }
    let mut cut: Vec<String> = (0..200).map(filler).collect();
    cut[199] = format!(
        "{:<185}postgres://app:{url}@db:5432/shop",
        "WARN retrying the database at"
    );
    let scenario = dir.join("kubelet-scenario.json");
    let mut sc: Value = std::fs::read_to_string(&scenario)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| json!({}));
    sc["inject"][format!("shop/{pod}/yaml")] = json!(yaml);
    sc["inject"][format!("shop/{pod}/cut")] = json!(cut);
    std::fs::write(&scenario, sc.to_string()).expect("write the kubelet scenario");

    // Both containers stopped and were not restarted: their current log is read.
    admin_request(
        &dir,
        "POST",
        "/api/v1/namespaces/shop/pods",
        Some(&json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": pod, "namespace": "shop"},
            "spec": {"nodeName": "node-1", "restartPolicy": "Never", "containers": [
                {"name": "yaml", "image": "shop/api:1"}, {"name": "cut", "image": "shop/api:1"}]}})),
    );
    let status = |c: &str| {
        json!({"name": c, "image": "shop/api:1", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"terminated": {"exitCode": 1, "reason": "Error",
                "startedAt": "2026-12-07T03:00:00Z", "finishedAt": "2026-12-07T03:12:00Z"}}})
    };
    admin_request(
        &dir,
        "PATCH",
        &format!("/api/v1/namespaces/shop/pods/{pod}/status"),
        Some(&json!({"status": {"phase": "Failed",
            "containerStatuses": [status("yaml"), status("cut")]}})),
    );

    let end = Instant::now() + Duration::from_secs(60);
    let mut table = String::new();
    while Instant::now() < end {
        table = agent.send(&[
            "--",
            "history",
            "-n",
            "shop",
            "--for",
            &format!("pod/{pod}"),
        ]);
        if table.contains("container yaml terminated") && table.contains("container cut terminated")
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let json_form = agent.send(&[
        "--",
        "history",
        "-n",
        "shop",
        "-o",
        "json",
        "--for",
        &format!("pod/{pod}"),
    ]);
    for c in ["yaml", "cut"] {
        assert!(
            table.contains(&format!("container {c} terminated")),
            "{c}: {table}"
        );
    }
    for (what, secret) in [("yaml block", &block), ("cut url", &url)] {
        assert!(
            !table.contains(secret.as_str()) && !json_form.contains(secret.as_str()),
            "{what} leaked:\n{table}\n{json_form}"
        );
    }
    // The newest lines are what the record shows, the value hidden.
    assert!(table.contains("    |     <redacted>"), "{table}");
    assert!(table.contains("postgres://app:<redacted>@db"), "{table}");
    admin_request(
        &dir,
        "DELETE",
        &format!("/api/v1/namespaces/shop/pods/{pod}?gracePeriodSeconds=0"),
        None,
    );
}
