//! End-to-end: `scope` against the real kube-apiserver testbed (KUBE_TESTBED_DIR) with the
//! admin, the limited (get/list/watch in `shop` only) and the ServiceAccount identities:
//! what each says it can list must be what it can actually list, checked by asking
//! kubeglass for those lists. Without a testbed these tests fail.

mod support;

use std::path::Path;

use serde_json::Value;
use support::*;

fn scope_json(kc: &Path, extra: &[&str], args: &[&str]) -> Value {
    let mut all = vec!["scope", "-o", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = query(kc, extra, &all);
    assert_eq!(code, 0, "{all:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// Every type `scope` calls listable lists, and every one it calls Forbidden is refused.
fn matches_what_it_can_read(kc: &Path, extra: &[&str], s: &Value) {
    let ns = s["probed_namespace"].as_str().expect("probed namespace");
    for t in strings(&s["listable"]) {
        let (code, _, err) = query(kc, extra, &["get", &t, "-n", ns, "-o", "name"]);
        assert_eq!(code, 0, "scope says {t} is listable in {ns}: {err}");
    }
    for t in strings(&s["not_listable"]) {
        let t = t.split(' ').next().unwrap_or_default().to_string();
        let (code, _, err) = query(kc, extra, &["get", &t, "-n", ns, "-o", "name"]);
        assert_ne!(code, 0, "scope says {t} is not listable in {ns}");
        assert_eq!(error_code(&err).as_deref(), Some("Forbidden"), "{err}");
    }
    for t in strings(&s["cluster_listable"]) {
        let (code, _, err) = query(kc, extra, &["get", &t, "-o", "name"]);
        assert_eq!(code, 0, "scope says {t} is listable: {err}");
    }
    for t in strings(&s["cluster_not_listable"]) {
        let t = t.split(' ').next().unwrap_or_default().to_string();
        let (code, _, _) = query(kc, extra, &["get", &t, "-o", "name"]);
        assert_ne!(code, 0, "scope says {t} is not listable");
    }
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn scope_says_what_the_admin_and_the_limited_identity_can_read() {
    let dir = testbed();
    let admin = dir.join("kubeconfig");
    let s = scope_json(&admin, &[], &[]);
    assert_eq!(s["namespaces"], "all");
    assert_eq!(s["cluster_scoped_reads"], true);
    assert_eq!(s["default_namespace"], "shop");
    assert_eq!(strings(&s["not_listable"]), Vec::<String>::new());
    assert!(strings(&s["cluster_listable"]).contains(&"nodes".to_string()));
    assert!(s["logs"].as_str().unwrap().starts_with("readable"), "{s}");
    assert_eq!(s["redaction"]["container_logs"], "redacted");
    matches_what_it_can_read(&admin, &[], &s);

    // The operator's limits show as configured, and the probes stay inside them.
    let extra = ["--namespaces", "shop", "--no-cluster-resources"];
    let s = scope_json(&admin, &extra, &[]);
    assert_eq!(s["namespaces"], serde_json::json!(["shop"]));
    assert_eq!(s["cluster_scoped_reads"], false);
    assert_eq!(strings(&s["cluster_listable"]), Vec::<String>::new());
    let (code, _, err) = query(&admin, &extra, &["scope", "-n", "payments"]);
    assert_eq!(
        error_code(&err).as_deref(),
        Some("OutOfScope"),
        "{code} {err}"
    );

    // The limited identity: everything in shop, nothing in payments, no cluster types.
    let limited = dir.join("kubeconfig-limited");
    let s = scope_json(&limited, &[], &[]);
    assert!(strings(&s["listable"]).contains(&"pods".to_string()), "{s}");
    assert_eq!(strings(&s["cluster_listable"]), Vec::<String>::new(), "{s}");
    assert!(
        strings(&s["cluster_not_listable"])
            .iter()
            .all(|t| t.ends_with("(Forbidden)")),
        "{s}"
    );
    matches_what_it_can_read(&limited, &[], &s);
    let s = scope_json(&limited, &[], &["-n", "payments"]);
    assert_eq!(strings(&s["listable"]), Vec::<String>::new(), "{s}");
    assert!(
        strings(&s["not_listable"]).contains(&"pods (Forbidden)".to_string()),
        "{s}"
    );
    assert!(s["logs"].as_str().unwrap().starts_with("unknown"), "{s}");
    matches_what_it_can_read(&limited, &[], &s);

    // The text form says the same in one line a fact.
    let (code, out, err) = query(&limited, &[], &["scope", "-n", "payments"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("not listable in payments: pods (Forbidden)"),
        "{out}"
    );
    assert!(out.contains("command deadline: "), "{out}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn scope_of_the_service_account_matches_what_it_can_read() {
    let dir = testbed();
    let env = testbed_env(&dir);
    let sa = |args: &[&str]| {
        let mut c = kubeglass();
        c.env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
            .env("KUBERNETES_SERVICE_PORT", &env["KUBE_TESTBED_PORT"])
            .env("KUBEGLASS_SERVICE_ACCOUNT_DIR", dir.join("serviceaccount"))
            .arg("query")
            .arg("--")
            .args(args);
        run(c)
    };
    let (code, out, err) = sa(&["scope", "-o", "json"]);
    assert_eq!(code, 0, "{err}");
    let s: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(s["default_namespace"], "shop", "{s}");
    for t in strings(&s["listable"]) {
        let (code, _, err) = sa(&["get", &t, "-o", "name"]);
        assert_eq!(code, 0, "scope says {t} is listable: {err}");
    }
    for t in strings(&s["not_listable"]) {
        let t = t.split(' ').next().unwrap_or_default().to_string();
        let (code, _, _) = sa(&["get", &t, "-o", "name"]);
        assert_ne!(code, 0, "scope says {t} is not listable");
    }
    for t in strings(&s["cluster_not_listable"]) {
        let t = t.split(' ').next().unwrap_or_default().to_string();
        let (code, _, _) = sa(&["get", &t, "-o", "name"]);
        assert_ne!(code, 0, "scope says {t} is not listable");
    }
}

#[test]
#[ignore = "needs the SQS and kube testbeds (SQS_TESTBED_DIR, KUBE_TESTBED_DIR)"]
fn scope_helm_and_fold_answer_through_the_sqs_agent() {
    let dir = testbed();
    let kc = dir.join("kubeconfig");
    let agent = SqsAgent::start(
        &kc,
        &["--namespaces", "shop", "--cluster-name", "e2e-scope"],
    );
    let send = |args: &[&str]| {
        let out = agent.send(args);
        assert_no_canary(&format!("send {args:?}"), &out);
        out
    };
    let out = send(&["scope"]);
    assert!(out.contains("namespaces: only shop"), "{out}");
    assert!(out.contains("listable in shop: pods"), "{out}");
    let remote = send(&["helm", "list", "-A", "--all"]);
    let (code, local, err) = query(
        &kc,
        &["--namespaces", "shop"],
        &["helm", "list", "-A", "--all"],
    );
    assert_eq!(code, 0, "{err}");
    // query prints the notes (after the table here) on stderr; the agent keeps them inline.
    assert_eq!(remote.trim_end(), format!("{local}{err}").trim_end());
    let out = send(&[
        "logs",
        "deploy/web",
        "-n",
        "shop",
        "--fold",
        "--grep-v",
        "ERROR",
    ]);
    assert!(
        out.contains("folded into") && !out.contains("x ERROR "),
        "{out}"
    );
}
