//! End-to-end: nothing sensitive leaves, tried as an attacker with only the command channel
//! would, against the real kube-apiserver testbed (KUBE_TESTBED_DIR). Each test plants its
//! own secrets (log lines through the fake kubelet's scenario `inject`, objects created as
//! admin) and proves they do not come back, whatever the command.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;

use serde_json::{Value, json};
use support::*;

/// Values planted by these tests: none may appear in any answer.
const PLANTED: &[&str] = &[
    "Hx7pQ2wZkq",
    "tkQ9v3LmZ8xx",
    "Pw9dbZk2",
    "AKIAZQXJ7KGL3M9P2R8T",
    "MIIEowIBAAKCAQEAqZk3v9Lx",
    "leak-env-",
    "evtTok123456",
    "kapp-canary-3e1",
];

fn assert_nothing_planted(what: &str, text: &str) {
    for p in PLANTED {
        assert!(!text.contains(p), "{what}: leaks {p}:\n{text}");
    }
}

/// The checkout pod (one container, on a node, so its log is served) and its container.
fn checkout_pod(dir: &Path) -> (String, String) {
    let pods = raw_get(
        dir,
        "/api/v1/namespaces/shop/pods?labelSelector=app%3Dcheckout-v2",
    );
    let pod = &pods["items"][0];
    let name = pod["metadata"]["name"].as_str().expect("a checkout pod");
    let c = pod["spec"]["containers"][0]["name"]
        .as_str()
        .expect("container");
    (name.to_string(), c.to_string())
}

/// Held by a test while it reads the log it injected (tests run in parallel threads).
static SCENARIO: Mutex<()> = Mutex::new(());

/// Put `lines` into the checkout container's current log (the scenario is re-read on every
/// request; other containers' entries stay). Hold [`SCENARIO`] while reading it.
fn inject(dir: &Path, lines: &[&str]) -> (String, String) {
    let (pod, c) = checkout_pod(dir);
    let path = dir.join("kubelet-scenario.json");
    let mut sc: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| json!({}));
    sc["inject"][format!("shop/{pod}/{c}")] = json!(lines);
    std::fs::write(&path, sc.to_string()).expect("write the kubelet scenario");
    (pod, c)
}

fn logs(kc: &Path, pod: &str, c: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["logs", pod, "-n", "shop", "-c", c, "--tail", "-1"];
    args.extend_from_slice(extra);
    let r = query(kc, &[], &args);
    assert_nothing_planted(&format!("logs {extra:?}"), &r.1);
    assert_nothing_planted(&format!("logs {extra:?} (stderr)"), &r.2);
    r
}

fn admin() -> (PathBuf, PathBuf) {
    let dir = testbed();
    let kc = dir.join("kubeconfig");
    (dir, kc)
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn log_lines_are_redacted_and_grep_cannot_probe_them() {
    let (dir, kc) = admin();
    let _scenario = SCENARIO.lock().unwrap_or_else(|e| e.into_inner());
    let (pod, c) = inject(
        &dir,
        &[
            "login user=bob password=Hx7pQ2wZkq ok",
            "upstream Authorization: Token tkQ9v3LmZ8xx",
            "db postgres://app:Pw9dbZk2@db:5432/shop",
            "cfg key_AKIAZQXJ7KGL3M9P2R8T loaded",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAqZk3v9Lx\n-----END RSA PRIVATE KEY-----",
        ],
    );
    let (code, all, err) = logs(&kc, &pod, &c, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(all.contains("password=<redacted> ok"), "{all}");
    assert!(all.contains("Authorization: Token <redacted>"), "{all}");
    assert!(all.contains("postgres://app:<redacted>@db"), "{all}");
    // A hit and a miss on the secret's first character give the same answer.
    let probe = |pattern: &str| {
        let (code, out, err) = logs(&kc, &pod, &c, &["--grep", pattern]);
        assert_eq!(code, 0, "{err}");
        out.replace(pattern, "PATTERN")
    };
    for (hit, miss) in [
        ("password=H", "password=Q"),
        ("Token t", "Token q"),
        ("app:P", "app:Q"),
        ("AKIAZ", "AKIAQ"),
        ("MIIE", "NOPE"),
    ] {
        assert_eq!(probe(hit), probe(miss), "--grep {hit:?} vs {miss:?}");
    }
    let (_, shown, _) = logs(&kc, &pod, &c, &["--grep", "password"]);
    assert!(shown.contains("password=<redacted>"), "{shown}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn a_command_cannot_turn_log_redaction_off() {
    let (dir, kc) = admin();
    let (pod, c) = checkout_pod(&dir);
    let (code, _, err) = query(
        &kc,
        &[],
        &["logs", &pod, "-n", "shop", "-c", &c, "--no-redact-logs"],
    );
    assert_eq!(code, 2, "a bad command line: {err}");
    assert_eq!(error_code(&err).as_deref(), Some("InvalidCommand"), "{err}");
    // The same over the agent protocol (stdio): answered InvalidCommand, the next line served.
    let line = json!({"version": 1, "id": "nr", "command": {"op": "logs", "names": [pod],
        "namespace": "shop", "logs": {"container": c, "no_redact": true}}});
    let answers = stdio(
        &kc,
        &[
            &line.to_string(),
            r#"{"version":1,"id":"ok","kubectl":"get ns"}"#,
        ],
    );
    assert_eq!(answers[0]["error"]["code"], "InvalidCommand", "{answers:?}");
    assert_eq!(answers[1]["id"], "ok", "{answers:?}");
    assert!(answers[1].get("error").is_none(), "{answers:?}");
}

/// `kubeglass run --stdio` over `lines`; its answers.
fn stdio(kc: &Path, lines: &[&str]) -> Vec<Value> {
    let mut c = kubeglass();
    c.args(["run", "--stdio", "--kubeconfig"])
        .arg(kc)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("start kubeglass run --stdio");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(lines.join("\n").as_bytes()).expect("write");
    drop(input);
    let out = child.wait_with_output().expect("wait");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_nothing_planted("stdio", &text);
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON answer"))
        .collect()
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn sensitive_env_names_are_redacted_in_every_spelling_and_format() {
    let (dir, kc) = admin();
    let names = [
        "API-KEY",
        "PRIVATEKEY",
        "ACCESSKEY",
        "private.key",
        "STRIPE_KEY",
        "SIGNING_KEY",
        "DB_PASS",
        "PASSPHRASE",
        "AUTH_HEADER",
        "GOOGLE_CREDENTIALS",
        "SENTRY_DSN",
    ];
    let env: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"name": n, "value": format!("leak-env-{i}")}))
        .collect();
    raw_create(
        &dir,
        "/apis/apps/v1/namespaces/shop/deployments",
        &json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "leaky-env", "namespace": "shop"},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "leaky-env"}},
                "template": {"metadata": {"labels": {"app": "leaky-env"}},
                    "spec": {"containers": [{"name": "app", "image": "busybox", "env": env,
                        "args": ["--api-token", "leak-env-arg", "--password=leak-env-flag"]}]}}}}),
    );
    for args in [
        &["get", "deploy", "leaky-env", "-n", "shop", "-o", "json"][..],
        &["get", "deploy", "leaky-env", "-n", "shop", "-o", "yaml"],
        &["describe", "deploy", "leaky-env", "-n", "shop"],
        &["get", "deploy", "-n", "shop", "-o", "json"],
    ] {
        let (code, out, err) = query(&kc, &[], args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_nothing_planted(&format!("{args:?}"), &out);
        assert!(out.contains("<redacted>"), "{args:?}:\n{out}");
    }
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn event_messages_and_secret_annotations_are_redacted() {
    let (dir, kc) = admin();
    raw_create(
        &dir,
        "/api/v1/namespaces/shop/events",
        &json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "leaky-event", "namespace": "shop"},
            "involvedObject": {"kind": "Deployment", "name": "web", "namespace": "shop"},
            "reason": "Failed", "type": "Warning", "count": 1,
            "message": "pull failed: Authorization: Bearer evtTok123456",
            "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:00Z"}),
    );
    raw_create(
        &dir,
        "/api/v1/namespaces/shop/secrets",
        &json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "kapp-managed", "namespace": "shop",
                "annotations": {"kapp.k14s.io/original": "{\"data\":{\"p\":\"kapp-canary-3e1\"}}"}},
            "stringData": {"p": "kapp-canary-3e1"}}),
    );
    for args in [
        &["events", "-n", "shop"][..],
        &["events", "-n", "shop", "-o", "json"],
        &["get", "events", "-n", "shop"],
        &["describe", "deploy", "web", "-n", "shop"],
        &["get", "secret", "kapp-managed", "-n", "shop", "-o", "yaml"],
        &["get", "secrets", "-n", "shop", "-o", "json"],
        &["describe", "secret", "kapp-managed", "-n", "shop"],
    ] {
        let (code, out, err) = query(&kc, &[], args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_nothing_planted(&format!("{args:?}"), &out);
    }
    let (_, yaml, _) = query(
        &kc,
        &[],
        &["get", "secret", "kapp-managed", "-n", "shop", "-o", "yaml"],
    );
    assert!(yaml.contains("kapp.k14s.io/original: <redacted>"), "{yaml}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn scope_refusals_send_no_request() {
    let dir = testbed();
    let kc = dir.join("kubeconfig-audited");
    let audit = dir.join("audit.log");
    let scoped = ["--namespaces", "shop", "--no-cluster-resources"];
    let before = std::fs::read_to_string(&audit)
        .unwrap_or_default()
        .lines()
        .count();
    for args in [
        &["logs", "node/node-1", "-n", "shop"][..],
        &["logs", "namespace/payments", "-n", "shop"],
        &["logs", "clusterrole/admin", "-n", "shop"],
        &["describe", "ns", "payments"],
        &["get", "ns", "kube-system"],
        &["get", "deployments....apps", "-n", "shop"],
    ] {
        let (code, _, err) = query(&kc, &scoped, args);
        // A malformed type is a bad command line (2); out of scope, an answer (1).
        let (want_code, want) = if args[1].contains("....") {
            (2, "InvalidCommand")
        } else {
            (1, "OutOfScope")
        };
        assert_eq!(code, want_code, "{args:?} is refused: {err}");
        assert_eq!(error_code(&err).as_deref(), Some(want), "{args:?}: {err}");
    }
    let after = std::fs::read_to_string(&audit).unwrap_or_default();
    let new: Vec<&str> = after.lines().skip(before).collect();
    assert!(
        new.is_empty(),
        "refusals reached the API server:\n{}",
        new.join("\n")
    );
    // Namespace reads under an allow-list show only the allowed namespaces.
    let (code, out, err) = query(&kc, &["--namespaces", "shop"], &["get", "ns"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(table_names(&out, 0), ["shop"], "{out}");
}

/// Hex-dump rows (`47 45 54 20 …`) in `text`, decoded, so a token written as bytes is found.
fn decode_hex_rows(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let bytes: Vec<u8> = line
            .split_whitespace()
            .filter(|w| w.len() == 2)
            .filter_map(|w| u8::from_str_radix(w, 16).ok())
            .collect();
        out.push_str(&String::from_utf8_lossy(&bytes));
        out.push('\n');
    }
    out
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn trace_level_logs_carry_no_token_and_no_log_line() {
    let dir = testbed();
    let env = testbed_env(&dir);
    let _scenario = SCENARIO.lock().unwrap_or_else(|e| e.into_inner());
    let (pod, c) = inject(&dir, &["trace probe password=Hx7pQ2wZkq"]);
    let sa_token = std::fs::read_to_string(dir.join("serviceaccount/token")).expect("sa token");
    let sa_token = sa_token.trim();
    for in_cluster in [false, true] {
        for args in [
            &["get", "pods", "-n", "shop", "-o", "yaml"][..],
            &["logs", &pod, "-n", "shop", "-c", &c],
        ] {
            let mut cmd = kubeglass();
            cmd.env("RUST_LOG", "trace").arg("query");
            if in_cluster {
                cmd.env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
                    .env("KUBERNETES_SERVICE_PORT", &env["KUBE_TESTBED_PORT"])
                    .env("KUBEGLASS_SERVICE_ACCOUNT_DIR", dir.join("serviceaccount"));
            } else {
                cmd.arg("--kubeconfig").arg(dir.join("kubeconfig"));
            }
            cmd.arg("--").args(args);
            let (code, out, err) = run(cmd);
            assert_eq!(code, 0, "{args:?}: {err}");
            assert_nothing_planted("stdout", &out);
            for text in [err.clone(), decode_hex_rows(&err)] {
                for secret in [env["KUBE_TESTBED_ADMIN_TOKEN"].as_str(), sa_token] {
                    assert!(
                        !text.contains(secret),
                        "{args:?} (in-cluster {in_cluster}): stderr holds a token"
                    );
                }
                assert!(
                    !text.contains("Bearer "),
                    "{args:?}: stderr holds an Authorization header"
                );
                assert_nothing_planted("stderr", &text);
                assert_no_canary("stderr", &text);
            }
        }
    }
}
