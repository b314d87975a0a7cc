//! End-to-end redaction recall on the real testbed (KUBE_TESTBED_DIR): every example of the
//! Nosey Parker corpus (tests/corpus) is planted as cluster admin — as a ConfigMap value, a
//! pod annotation, and container log lines through the fake kubelet's scenario — and read
//! back through `kubeglass query` as an investigator would (`get -o json`, `get -o yaml`,
//! `describe`, `logs`). Each example's secret must be gone from the part of the output that
//! shows its item; recall per placement and format must reach the same threshold as the
//! in-process test (tests/redaction_corpus.rs).

mod corpus;
mod support;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

use corpus::{Example, RECALL_MIN, corpus, report};
use serde_json::{Map, Value, json};
use support::*;

/// Where the objects live (the seed's namespace, whose checkout pod has a log).
const NS: &str = "shop";
/// Annotation keys are this prefix and the item's key.
const ANNOTATION_PREFIX: &str = "np.example.com/";
/// Injected log entries per `logs` read (the fake kubelet shows at most 200).
const LOG_BATCH: usize = 190;

/// The item key of example `i` (a valid ConfigMap key and annotation name part).
fn key(i: usize) -> String {
    format!("np-{i:04}")
}

/// A name for this corpus's objects that changes with the corpus (an object left by an
/// earlier run on the same testbed is reused only when it holds the same examples).
fn object_name(corpus: &[Example]) -> String {
    let mut h = DefaultHasher::new();
    for ex in corpus {
        ex.example.hash(&mut h);
    }
    format!("np-corpus-{:08x}", h.finish() as u32)
}

fn admin() -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = testbed();
    let kc = dir.join("kubeconfig");
    (dir, kc)
}

/// Run a query that must succeed; its stdout.
fn ok(kc: &Path, args: &[&str]) -> String {
    let (code, out, err) = query(kc, &["--max-output-bytes", "4194304"], args);
    assert_eq!(code, 0, "{args:?} failed: {err}");
    out
}

/// The value of `key` in a string map of `v` at `path` (`None` when absent).
fn map_value(v: &Value, path: &[&str], key: &str) -> Option<String> {
    let mut at = v;
    for p in path {
        at = at.get(p)?;
    }
    match at.get(key)? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// What `-o json` and `-o yaml` show for every item of a string map at `path`.
fn from_json_and_yaml(
    kc: &Path,
    get: &[&str],
    path: &[&str],
    keys: &[String],
) -> [(String, Vec<Option<String>>); 2] {
    let mut json_args = get.to_vec();
    json_args.extend(["-o", "json"]);
    let v: Value = serde_json::from_str(&ok(kc, &json_args)).expect("JSON from -o json");
    let mut yaml_args = get.to_vec();
    yaml_args.extend(["-o", "yaml"]);
    let y: Value = serde_saphyr::from_str(&ok(kc, &yaml_args)).expect("YAML from -o yaml");
    [
        (
            "-o json".to_string(),
            keys.iter().map(|k| map_value(&v, path, k)).collect(),
        ),
        (
            "-o yaml".to_string(),
            keys.iter().map(|k| map_value(&y, path, k)).collect(),
        ),
    ]
}

/// The value blocks of `describe configmap` (`KEY:`, `----`, the value, a blank line).
fn describe_blocks(text: &str, keys: &[String]) -> Vec<Option<String>> {
    let lines: Vec<&str> = text.lines().collect();
    let header = |i: usize| -> Option<&str> {
        let k = lines.get(i)?.strip_suffix(':')?;
        (lines.get(i + 1) == Some(&"----") && k.starts_with("np-")).then_some(k)
    };
    let mut blocks = std::collections::HashMap::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(k) = header(i) else {
            i += 1;
            continue;
        };
        let start = i + 2;
        let mut end = start;
        while end < lines.len() && header(end).is_none() && lines[end] != "BinaryData" {
            end += 1;
        }
        blocks.insert(k.to_string(), lines[start..end].join("\n"));
        i = end;
    }
    keys.iter().map(|k| blocks.get(k).cloned()).collect()
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

/// Set (or, with `None`, remove) the checkout container's injected log entries.
fn inject(dir: &Path, target: &str, entries: Option<&[String]>) {
    let path = dir.join("kubelet-scenario.json");
    let mut sc: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| json!({}));
    if !sc["inject"].is_object() {
        sc["inject"] = json!({});
    }
    if let Some(inject) = sc["inject"].as_object_mut() {
        match entries {
            Some(e) => inject.insert(target.to_string(), json!(e)),
            None => inject.remove(target),
        };
    }
    std::fs::write(&path, sc.to_string()).expect("write the kubelet scenario");
}

/// Every example as log lines between marker lines, read back with `logs`, in batches the
/// fake kubelet shows whole.
fn through_logs(dir: &Path, kc: &Path, corpus: &[Example]) -> Vec<Option<String>> {
    let (pod, c) = checkout_pod(dir);
    let target = format!("{NS}/{pod}/{c}");
    let mut shown = Vec::new();
    for (b, batch) in corpus.chunks(LOG_BATCH).enumerate() {
        let keys: Vec<String> = (0..batch.len()).map(|i| key(b * LOG_BATCH + i)).collect();
        let entries: Vec<String> = batch
            .iter()
            .zip(&keys)
            .map(|(ex, k)| format!("corpus-begin {k}\n{}\ncorpus-end {k}", ex.example))
            .collect();
        inject(dir, &target, Some(&entries));
        let out = ok(kc, &["logs", &pod, "-n", NS, "-c", &c, "--tail", "-1"]);
        let lines: Vec<&str> = out.lines().collect();
        for k in &keys {
            let begin = lines.iter().position(|l| *l == format!("corpus-begin {k}"));
            shown.push(begin.map(|b| {
                // The end marker may be hidden with the example (a value continued by a
                // trailing `\` takes the next line): then the item runs to the next one.
                let end = lines[b + 1..]
                    .iter()
                    .position(|l| *l == format!("corpus-end {k}") || l.starts_with("corpus-begin "))
                    .map_or(lines.len(), |e| b + 1 + e);
                lines[b + 1..end].join("\n")
            }));
        }
    }
    inject(dir, &target, None);
    shown
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn public_corpus_secrets_are_hidden_in_every_format_on_the_testbed() {
    let (dir, kc) = admin();
    let corpus = corpus();
    let name = object_name(&corpus);
    let keys: Vec<String> = (0..corpus.len()).map(key).collect();
    let data: Map<String, Value> = keys
        .iter()
        .zip(&corpus)
        .map(|(k, ex)| (k.clone(), json!(ex.example)))
        .collect();
    let annotations: Map<String, Value> = keys
        .iter()
        .zip(&corpus)
        .map(|(k, ex)| (format!("{ANNOTATION_PREFIX}{k}"), json!(ex.example)))
        .collect();
    raw_create(
        &dir,
        &format!("/api/v1/namespaces/{NS}/configmaps"),
        &json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": NS}, "data": data}),
    );
    raw_create(
        &dir,
        &format!("/api/v1/namespaces/{NS}/pods"),
        &json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": NS, "annotations": annotations},
            "spec": {"containers": [{"name": "app", "image": "busybox:1.36"}]}}),
    );

    let mut results: Vec<(String, f64)> = Vec::new();
    let cm = ["get", "configmap", name.as_str(), "-n", NS];
    for (format, shown) in from_json_and_yaml(&kc, &cm, &["data"], &keys) {
        let what = format!("ConfigMap values ({format})");
        results.push((what.clone(), report(&what, &corpus, &shown)));
    }
    let described = ok(&kc, &["describe", "configmap", &name, "-n", NS]);
    let what = "ConfigMap values (describe)".to_string();
    let r = report(&what, &corpus, &describe_blocks(&described, &keys));
    results.push((what, r));

    let annotation_keys: Vec<String> = keys
        .iter()
        .map(|k| format!("{ANNOTATION_PREFIX}{k}"))
        .collect();
    let pod = ["get", "pod", name.as_str(), "-n", NS];
    let path = ["metadata", "annotations"];
    for (format, shown) in from_json_and_yaml(&kc, &pod, &path, &annotation_keys) {
        let what = format!("pod annotations ({format})");
        results.push((what.clone(), report(&what, &corpus, &shown)));
    }

    let what = "log lines (logs)".to_string();
    let r = report(&what, &corpus, &through_logs(&dir, &kc, &corpus));
    results.push((what, r));

    let low: Vec<String> = results
        .iter()
        .filter(|(_, r)| *r < RECALL_MIN)
        .map(|(w, r)| format!("{w}: {:.1}%", r * 100.0))
        .collect();
    assert!(
        low.is_empty(),
        "recall under {:.0}%: {low:?}",
        RECALL_MIN * 100.0
    );
}
