//! End-to-end, against the real kube-apiserver testbed (KUBE_TESTBED_DIR): a label whose
//! value kubeglass hides cannot be probed with a selector from any command channel, and a
//! Service selecting by such a label still gets its endpoints diagnosis and its triage
//! finding — without the value ever appearing in an answer.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use serde_json::{Value, json};
use support::*;

/// The namespace these tests plant their objects in (the seeded ones stay untouched).
const NS: &str = "select-e2e";
/// The hidden label value: it must never come back.
const HIDDEN: &str = "s3cr3t-label-value";
/// The value a Service selects by that no pod carries: it must never come back either.
const OTHER: &str = "0ther-hidden-value";

fn assert_hidden(what: &str, text: &str) {
    for v in [HIDDEN, OTHER] {
        assert!(!text.contains(v), "{what}: leaks {v}:\n{text}");
    }
}

/// A Service `vault` whose pods (`vault-0`, `vault-1`) carry `api-token: HIDDEN`, and a
/// Service `vault-old` selecting `api-token: OTHER`, which no pod carries.
fn plant(dir: &Path) {
    raw_create(
        dir,
        "/api/v1/namespaces",
        &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}),
    );
    for pod in ["vault-0", "vault-1"] {
        raw_create(
            dir,
            &format!("/api/v1/namespaces/{NS}/pods"),
            &json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": pod, "labels": {"app": "vault", "api-token": HIDDEN}},
                "spec": {"containers": [{"name": "vault", "image": "vault:1.15"}]}}),
        );
    }
    for (name, value) in [("vault", HIDDEN), ("vault-old", OTHER)] {
        raw_create(
            dir,
            &format!("/api/v1/namespaces/{NS}/services"),
            &json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                "spec": {"selector": {"app": "vault", "api-token": value},
                    "ports": [{"port": 8200}]}}),
        );
    }
}

/// `query` that also proves nothing hidden came back, on stdout or stderr.
fn ask(kc: &Path, args: &[&str]) -> (i32, String, String) {
    let r = query(kc, &[], args);
    assert_hidden(&format!("{args:?}"), &r.1);
    assert_hidden(&format!("{args:?} (stderr)"), &r.2);
    r
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn a_selector_on_a_hidden_label_value_is_refused_before_any_request() {
    let dir = testbed();
    plant(&dir);
    let kc = dir.join("kubeconfig-audited");
    let audit = dir.join("audit.log");
    let lines = |p: &Path| {
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .lines()
            .count()
    };
    let before = lines(&audit);
    let mut refusals = Vec::new();
    for sel in [
        format!("api-token={HIDDEN}"),
        "api-token=wrong-guess".to_string(),
        format!("api-token in (a,{HIDDEN})"),
        "api-token in (a,wrong-guess)".to_string(),
        format!("api-token!={HIDDEN}"),
        format!("app=vault,api-token notin ({HIDDEN})"),
    ] {
        for args in [
            &["get", "pods", "-n", NS, "-l", &sel][..],
            &["describe", "pods", "-n", NS, "-l", &sel],
            &["logs", "-n", NS, "-l", &sel],
            &["get", "pods", "-n", NS, "-l", &sel, "-o", "json"],
        ] {
            let (code, out, err) = ask(&kc, args);
            assert_ne!(code, 0, "{args:?} answered:\n{out}");
            assert_eq!(
                error_code(&err).as_deref(),
                Some("InvalidCommand"),
                "{args:?}: {err}"
            );
            assert!(err.contains("would reveal"), "{args:?}: {err}");
            refusals.push(err.replace(&sel, "SELECTOR"));
        }
    }
    // A right and a wrong guess get the same answer: the refusal tells nothing.
    assert_eq!(refusals[0..4], refusals[4..8]);
    assert_eq!(refusals[8..12], refusals[12..16]);
    let new = lines(&audit) - before;
    assert_eq!(
        new, 0,
        "refused selectors reached the API server ({new} requests)"
    );
    // Selecting on the key alone stays allowed: the key is shown anyway.
    let (code, out, err) = ask(
        &dir.join("kubeconfig"),
        &["get", "pods", "-n", NS, "-l", "api-token"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(table_names(&out, 0), ["vault-0", "vault-1"], "{out}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn the_json_form_and_mcp_refuse_it_too() {
    let dir = testbed();
    plant(&dir);
    let kc = dir.join("kubeconfig");
    let command = json!({"op": "get", "resource": "pods", "namespace": NS,
        "selector": format!("api-token in ({HIDDEN})")});
    let answers = stdio(
        &kc,
        &[
            &json!({"version": 1, "id": "probe", "command": command}).to_string(),
            &json!({"version": 1, "id": "ep", "command":
                {"op": "endpoints", "names": ["vault"], "namespace": NS}})
            .to_string(),
        ],
    );
    assert_eq!(answers[0]["error"]["code"], "InvalidCommand", "{answers:?}");
    let ep = answers[1]["output"].as_str().unwrap_or_default();
    assert!(ep.contains("2 pods match the selector"), "{answers:?}");

    let mut lines = vec![
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params":
            {"protocolVersion": "2025-06-18", "capabilities": {},
             "clientInfo": {"name": "test", "version": "0"}}})
        .to_string(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
    ];
    for (id, tool, args) in [
        (
            2,
            "get",
            json!({"resource": "pods", "namespace": NS, "selector": format!("api-token={HIDDEN}")}),
        ),
        (3, "endpoints", json!({"names": ["vault"], "namespace": NS})),
    ] {
        lines.push(
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                "params": {"name": tool, "arguments": args}})
            .to_string(),
        );
    }
    let messages = mcp(&kc, &lines);
    let result = |id: u64| {
        let m = messages
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("no answer to {id}: {messages:?}"));
        let r = &m["result"];
        (
            r["content"][0]["text"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            r["isError"].as_bool(),
        )
    };
    let (refused, is_error) = result(2);
    assert_eq!(is_error, Some(true), "{refused}");
    assert!(refused.contains("InvalidCommand"), "{refused}");
    let (ep, is_error) = result(3);
    assert_eq!(is_error, Some(false), "{ep}");
    assert!(ep.contains("2 pods match the selector"), "{ep}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn a_service_selecting_by_a_hidden_label_still_gets_its_diagnosis_and_finding() {
    let dir = testbed();
    plant(&dir);
    let kc = dir.join("kubeconfig");
    let (code, out, err) = ask(&kc, &["endpoints", "vault", "-n", NS]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("api-token=<redacted>"),
        "the selector is shown redacted:\n{out}"
    );
    assert!(out.contains("2 pods match the selector"), "{out}");
    assert!(out.contains("vault-0") && out.contains("vault-1"), "{out}");
    // Nor in the agent's own log, at its most verbose (logs leave the cluster too).
    for args in [&["endpoints", "vault", "-n", NS][..], &["triage", "-n", NS]] {
        let mut c = kubeglass();
        c.env("RUST_LOG", "trace")
            .args(["query", "--kubeconfig"])
            .arg(&kc)
            .arg("--")
            .args(args);
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(err.contains("GET /api/v1/namespaces"), "a trace log: {err}");
        assert_hidden(&format!("{args:?} (trace log)"), &format!("{out}{err}"));
    }
    let (code, out, err) = ask(&kc, &["endpoints", "vault-old", "-n", NS]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("matches no pods"), "{out}");

    let (code, out, err) = ask(&kc, &["triage", "-n", NS]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("svc/vault-old: selects no pod (api-token=<redacted>,app=vault)"),
        "{out}"
    );
    assert!(
        !out.contains("svc/vault:"),
        "vault selects its pods:\n{out}"
    );

    for args in [
        &["get", "svc", "-n", NS, "-o", "yaml"][..],
        &["get", "pods", "-n", NS, "-o", "json"],
        &["get", "pods", "-n", NS, "--show-labels"],
        &["get", "pods", "-n", NS, "-L", "api-token"],
        &["describe", "svc", "vault", "-n", NS],
        &["describe", "pods", "-n", NS],
        &["triage", "-A"],
    ] {
        let (code, _, err) = ask(&kc, args);
        // 3: a cut answer (triage -A on a busy testbed leaves symptoms out), not a refusal.
        assert!(code == 0 || code == 3, "{args:?}: {code} {err}");
    }
}

/// `kubeglass run --stdio` over `lines`; its answers (checked for hidden values).
fn stdio(kc: &Path, lines: &[&str]) -> Vec<Value> {
    let text = feed(kubeglass_with(&["run", "--stdio"], kc), lines);
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON answer"))
        .collect()
}

/// `kubeglass mcp` over `lines`; its messages (checked for hidden values).
fn mcp(kc: &Path, lines: &[String]) -> Vec<Value> {
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let text = feed(kubeglass_with(&["mcp"], kc), &lines);
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON-RPC message"))
        .collect()
}

fn kubeglass_with(sub: &[&str], kc: &Path) -> std::process::Command {
    let mut c = kubeglass();
    c.args(sub).arg("--kubeconfig").arg(kc);
    c
}

/// Run `c` with `lines` on stdin; its stdout, which (with stderr) must hold no hidden value.
fn feed(mut c: std::process::Command, lines: &[&str]) -> String {
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("start kubeglass");
    let mut input = child.stdin.take().expect("stdin");
    let mut text = lines.join("\n");
    text.push('\n');
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(text.as_bytes());
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_hidden("stdout", &stdout);
    assert_hidden("stderr", &String::from_utf8_lossy(&out.stderr));
    stdout
}
