//! End-to-end, on the kube testbed (KUBE_TESTBED_DIR, seeded with `--pods` in `load`): what
//! `kubeglass query` writes where, and with which exit status (docs/cli.md) — notes on
//! stderr with the answer alone on stdout, a cut answer exits 3 and says so on stderr, a
//! container that is not there is `NotFound` naming those that are, and a `get all` cut
//! inside its first type names the types it never read.

mod support;

use support::*;

fn kc() -> std::path::PathBuf {
    testbed().join("kubeconfig")
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn logs_of_a_workload_print_log_lines_on_stdout_and_the_pick_on_stderr() {
    let (code, out, err) = query(&kc(), &[], &["logs", "deploy/web", "-n", "shop"]);
    assert_eq!(code, 0, "{err}");
    // The seed's 3 pods, or more where other tests re-seeded the shared testbed.
    assert!(
        err.starts_with("[kubeglass: deploy/web has ") && err.contains(" pods; showing pod/web-"),
        "{err}"
    );
    assert!(!out.is_empty() && !out.contains("[kubeglass:"), "{out}");
    // --json (what the agent and MCP send) keeps the note in the text.
    let (code, out, err) = query(&kc(), &["--json"], &["logs", "deploy/web", "-n", "shop"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("the result object");
    let text = v["output"].as_str().unwrap_or_default();
    assert!(text.starts_with("[kubeglass: deploy/web has "), "{text}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn a_container_that_is_not_there_is_not_found_naming_those_that_are() {
    let (code, out, err) = query(
        &kc(),
        &[],
        &["logs", "deploy/web", "-n", "shop", "-c", "nosuch"],
    );
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("NotFound")),
        "{out}{err}"
    );
    assert!(err.contains("its containers: web"), "{err}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn a_cut_json_list_exits_3_and_says_the_cut_on_stderr() {
    let (code, out, err) = query(
        &kc(),
        &["--max-output-bytes", "65536"],
        &["get", "pods", "-n", "load", "-o", "json"],
    );
    assert_eq!(code, 3, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    let note = v["metadata"]["kubeglass.truncated"]
        .as_str()
        .unwrap_or_default();
    assert!(
        note.starts_with("kubeglass: output cut at 65536 bytes"),
        "{v}"
    );
    assert_eq!(err.trim_end(), format!("[{note}]"));
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn get_all_cut_inside_its_first_type_names_the_types_it_never_read() {
    let (code, out, err) = query(
        &kc(),
        &["--max-output-bytes", "4096"],
        &["get", "all", "-A"],
    );
    assert_eq!(code, 3, "{err}");
    assert!(out.starts_with("NAMESPACE"), "{out}");
    let note = err.lines().last().unwrap_or_default();
    assert!(
        note.contains("more rows:")
            && note.contains("not read at all: replicationcontroller, service,")
            && note.contains("deployment.apps"),
        "{note}"
    );
}
