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

use kubeglass::redact::{LogRedactor, RedactSettings, Source, fetched};
use serde_json::{Value, json};

/// One example of the corpus: the rule it belongs to, the text, and the secret in it.
struct Example {
    rule: String,
    example: String,
    secret: String,
}

/// The corpus, built by tests/fixtures/redaction/noseyparker/extract.py (see NOTICE.md there).
fn corpus() -> Vec<Example> {
    include_str!("fixtures/redaction/noseyparker/examples.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON line of the corpus");
            let field = |k: &str| v[k].as_str().expect("a string field").to_string();
            Example {
                rule: field("rule"),
                example: field("example"),
                secret: field("secret"),
            }
        })
        .collect()
}

/// Lowest recall accepted in each placement (raised as the redactor learns; the issue's
/// target is 99%).
const RECALL_MIN: f64 = 0.81;

/// Whether `shown` still holds the secret of `ex`. A secret that is also an ordinary word of
/// its example (`password 'password'`, `user=user`) may stay where it is that word: the
/// secret leaks when it occurs in `shown` as often as in the example.
fn leaks(ex: &Example, shown: &str) -> bool {
    let planted = ex.example.matches(ex.secret.as_str()).count();
    shown.matches(ex.secret.as_str()).count() >= planted.max(1)
}

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
    let corpus = corpus();
    let mut leaked: Vec<(&Example, String)> = Vec::new();
    for ex in &corpus {
        let shown = place(&ex.example);
        if leaks(ex, &shown) {
            leaked.push((ex, shown));
        }
    }
    let r = 1.0 - leaked.len() as f64 / corpus.len() as f64;
    println!(
        "recall in {what}: {:.1}% ({} of {} examples hidden)",
        r * 100.0,
        corpus.len() - leaked.len(),
        corpus.len()
    );
    for (ex, shown) in &leaked {
        println!(
            "  LEAK {what} {}: secret {:?}\n    planted {:?}\n    shown   {:?}",
            ex.rule, ex.secret, ex.example, shown
        );
    }
    r
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
