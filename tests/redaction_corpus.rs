//! Redaction recall on a public corpus, and the everyday data that must survive redaction.
//!
//! Recall: every example of the `secret` rules of Nosey Parker (tests/fixtures/redaction/
//! noseyparker, with its licence and notice) is planted where an attacker with cluster write
//! access could plant it — a ConfigMap `data` value, a pod annotation, a container log line —
//! and passed through the redactor the way the fetch layer passes it. The example's secret
//! (the rule's capture group) must be gone from the value shown for that item. The
//! threshold only ever goes up; the leaks are printed by rule so the next fix knows where to
//! look (`cargo test --test redaction_corpus -- --nocapture`).
//!
//! Benign: UUIDs, ULIDs, digests, commit SHAs, container ids, pod names, stack traces and
//! event messages an investigator needs come back exactly as they went in.

mod corpus;

use corpus::{Example, RECALL_MIN, corpus, report};
use kubeglass::testing::redact::{LogRedactor, RedactSettings, Source, fetched};
use serde_json::{Value, json};

/// `v` as the text an investigator sees of it (a string as is, anything else as JSON).
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The example as a ConfigMap `data` value, as `get cm -o yaml` would show it.
fn in_configmap(example: &str) -> String {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "sample", "namespace": "corpus"},
        "data": {"sample": example}});
    let shown = fetched(cm, Source::Object, &RedactSettings::default());
    as_text(&shown.value()["data"]["sample"])
}

/// The example as a pod annotation value.
fn in_annotation(example: &str) -> String {
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-7d9f8b6c5d-x2x4q", "namespace": "corpus",
            "annotations": {"example.com/sample": example}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}});
    let shown = fetched(pod, Source::Object, &RedactSettings::default());
    as_text(&shown.value()["metadata"]["annotations"]["example.com/sample"])
}

/// The example as container log lines (one line per line of the example), through one
/// redactor as a log stream is.
fn in_log(example: &str) -> String {
    let mut r = LogRedactor::new(&RedactSettings::default());
    example
        .split('\n')
        .map(|l| r.redact_line(l).into_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Recall of `place` over the corpus; prints the number and the leaks by rule.
fn recall(what: &str, place: fn(&str) -> String) -> f64 {
    let corpus: Vec<Example> = corpus();
    let shown: Vec<Option<String>> = corpus.iter().map(|ex| Some(place(&ex.example))).collect();
    report(what, &corpus, &shown)
}

#[test]
fn a_hidden_token_still_says_what_kind_it_was() {
    let line = "pushed with ghp_XIxB7KMNdAr3zqWtQqhE94qglHqOzn1D1stg to origin";
    for shown in [in_configmap(line), in_annotation(line), in_log(line)] {
        assert_eq!(shown, "pushed with ghp_<redacted> to origin");
    }
    let hash = "admin:$2y$12$atWJ1Nx6ep65tNx0YIJ4I.jzgI86znQbNRI3lF0qIt/XCYnEPxSc2";
    assert_eq!(in_log(hash), "admin:$2y$<redacted>");
}

#[test]
fn public_corpus_secrets_are_hidden_in_configmap_values() {
    let r = recall("ConfigMap values", in_configmap);
    assert!(r >= RECALL_MIN, "recall {r:.3} < {RECALL_MIN}");
}

#[test]
fn public_corpus_secrets_are_hidden_in_pod_annotations() {
    let r = recall("pod annotations", in_annotation);
    assert!(r >= RECALL_MIN, "recall {r:.3} < {RECALL_MIN}");
}

#[test]
fn public_corpus_secrets_are_hidden_in_log_lines() {
    let r = recall("log lines", in_log);
    assert!(r >= RECALL_MIN, "recall {r:.3} < {RECALL_MIN}");
}

/// Everyday investigation data: identifiers, digests, names, addresses, times, traces and
/// messages an investigator needs exactly as the cluster has them.
const BENIGN: &[&str] = &[
    // Identifiers.
    "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "uid: 7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "request_id=01HZY3V5QK9T3M2N8P7R6S4W1X",
    "X-Request-ID: 01HZY3V5QK9T3M2N8P7R6S4W1X",
    "order-01HZY3V5QK9T3M2N8P7R6S4W1X created",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    // Images, digests, commits, container ids.
    "nginx@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "image: registry.k8s.io/pause:3.9@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097",
    "imageID: docker.io/library/nginx@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "containerID: containerd://3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00998877665544332211",
    "docker://3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00998877665544332211",
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
    "revision: 9fceb02d0ae598e95dc970b74767f19372d61af8",
    "app.kubernetes.io/version=v1.4.2-9fceb02",
    "git sha 9fceb02d0ae598e95dc970b74767f19372d61af8 deployed",
    "deployment.kubernetes.io/revision: 12",
    "pod-template-hash=7d9f8b6c5d",
    "controller-revision-hash=web-6f7c9d8b4",
    // Names, addresses, times.
    "web-7d9f8b6c5d-x2x4q",
    "pod/web-7d9f8b6c5d-x2x4q in namespace shop",
    "node-exporter-kq2xm",
    "kube-api-access-x2x4q",
    "10.244.1.3",
    "fe80::1ff:fe23:4567:890a",
    "ip-10-0-12-34.eu-west-1.compute.internal",
    "2024-05-04T12:34:56.789012345Z",
    "Mon, 04 May 2024 12:34:56 GMT",
    "took 1m32.5s (p99 245ms)",
    "memory: 512Mi cpu: 250m",
    // Logs and traces.
    "I0504 12:34:56.789012       1 controller.go:123] Successfully synced shop/web",
    "level=info ts=2024-05-04T12:34:56Z caller=main.go:42 msg=\"server started\" addr=:8080",
    "panic: runtime error: invalid memory address or nil pointer dereference",
    "goroutine 1 [running]:",
    "main.(*Server).handle(0xc000123456, {0x1a2b3c4, 0xc0000a0000})",
    "\t/go/src/app/server.go:87 +0x1f4",
    "Exception in thread \"main\" java.lang.NullPointerException: Cannot invoke \"String.length()\"",
    "\tat com.example.shop.CheckoutService.pay(CheckoutService.java:214)",
    "Caused by: java.net.ConnectException: Connection refused (Connection refused)",
    // Events, as kubectl shows them.
    "Successfully assigned shop/web-7d9f8b6c5d-x2x4q to node-1",
    "Pulling image \"nginx:1.27\"",
    "Successfully pulled image \"nginx:1.27\" in 2.1s (2.1s including waiting)",
    "Back-off restarting failed container web in pod web-7d9f8b6c5d-x2x4q_shop(7c9e6679-7425-40de-944b-e07fc1f90ae7)",
    "Readiness probe failed: HTTP probe failed with statuscode: 503",
    "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available",
    "Created pod: web-7d9f8b6c5d-x2x4q",
    "Scaled up replica set web-7d9f8b6c5d to 3",
    "MountVolume.SetUp failed for volume \"config\" : configmap \"web-config\" not found",
    // URLs without credentials, paths.
    "https://shop.example.com/api/v1/orders?page=2&limit=50",
    "GET /api/v1/namespaces/shop/pods/web-7d9f8b6c5d-x2x4q/log?container=web&tailLines=100",
    "/var/lib/kubelet/pods/7c9e6679-7425-40de-944b-e07fc1f90ae7/volumes/kubernetes.io~projected/kube-api-access-x2x4q",
    "/apis/apps/v1/namespaces/shop/deployments/web/scale",
    "s3://shop-artifacts/releases/2024/05/web-v1.4.2.tar.gz",
    "/usr/share/nginx/html/static/js/main.8f3c2a1b.chunk.js",
];

/// `s` through every placement: the redacted forms that differ from it.
fn changed(s: &str) -> Vec<(&'static str, String)> {
    [
        ("ConfigMap value", in_configmap(s)),
        ("pod annotation", in_annotation(s)),
        ("log line", in_log(s)),
    ]
    .into_iter()
    .filter(|(_, shown)| shown != s)
    .collect()
}

#[test]
fn everyday_investigation_data_comes_back_unchanged() {
    let mut wrong = Vec::new();
    for s in BENIGN {
        for (what, shown) in changed(s) {
            wrong.push(format!("{what}: {s:?}\n    -> {shown:?}"));
        }
    }
    assert!(wrong.is_empty(), "changed:\n{}", wrong.join("\n"));
}

/// The planted secrets of the recorded objects (env literals the redactor must hide).
const RECORDED_SECRETS: &[&str] = &["FIXTURE-SECRET", "canary-env-literal-55d2"];

/// The paths where `shown` differs from `raw`, except planted secrets turned [`REDACTED`].
fn differences(raw: &Value, shown: &Value, path: &str, out: &mut Vec<String>) {
    match (raw, shown) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(w) => differences(v, w, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k} removed")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                differences(v, w, &format!("{path}[{i}]"), out);
            }
        }
        (Value::String(a), Value::String(b))
            if b == kubeglass::testing::redact::REDACTED
                && RECORDED_SECRETS.contains(&a.as_str()) => {}
        _ if raw != shown => out.push(format!("{path}: {raw} -> {shown}")),
        _ => {}
    }
}

/// `v` without managedFields and the last-applied annotation, wherever metadata appears.
fn strip_removed_on_purpose(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("managedFields");
            if let Some(Value::Object(a)) = m.get_mut("annotations") {
                a.remove(kubeglass::testing::redact::LAST_APPLIED);
                if a.is_empty() {
                    m.remove("annotations");
                }
            }
            m.values_mut().for_each(strip_removed_on_purpose);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_removed_on_purpose),
        _ => {}
    }
}

#[test]
fn recorded_kubectl_objects_come_back_unchanged() {
    let mut wrong = Vec::new();
    for dir in ["tests/fixtures/describe", "tests/fixtures/objects"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for entry in std::fs::read_dir(&dir).expect("fixture folder") {
            let path = entry.expect("fixture").path();
            if path.extension().is_none_or(|x| x != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read fixture");
            let mut raw: Value = serde_json::from_str(&text).expect("JSON fixture");
            // managedFields and last-applied are removed on purpose (the module header).
            strip_removed_on_purpose(&mut raw);
            let shown = fetched(raw.clone(), Source::Object, &RedactSettings::default());
            let mut out = Vec::new();
            differences(&raw, shown.value(), "", &mut out);
            wrong.extend(out.into_iter().map(|d| format!("{}: {d}", path.display())));
        }
    }
    assert!(wrong.is_empty(), "changed:\n{}", wrong.join("\n"));
}
