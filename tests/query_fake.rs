//! `kubeglass query` against an in-process fake API serving fixtures recorded from the real
//! testbed: output shapes, refusals that send nothing, metadata-only Secrets, GET only.

mod support;

use support::fake_api::{self, FakeApi};
use support::{error_code, kubeglass, run};

fn query(api: &FakeApi, args: &[&str]) -> (i32, String, String) {
    let mut c = kubeglass();
    c.arg("query")
        .arg("--kubeconfig")
        .arg(api.kubeconfig())
        .arg("--")
        .args(args);
    let r = run(c);
    assert!(
        !r.1.contains("FIXTURE-SECRET"),
        "{args:?} leaks a secret literal:\n{}",
        r.1
    );
    assert!(
        !r.1.contains("RklYVFVSRS1TRUNSRVQ="),
        "{args:?} leaks a base64 secret:\n{}",
        r.1
    );
    r
}

#[test]
fn get_pods_prints_a_kubectl_table_in_the_context_namespace() {
    let api = FakeApi::start();
    let (code, out, err) = query(&api, &["get", "pods"]);
    assert_eq!(code, 0, "{err}");
    let header = out.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("NAME") && header.contains("STATUS") && header.contains("RESTARTS"),
        "{out}"
    );
    assert!(out.contains("web-") && out.contains("api-"), "{out}");
    let reqs = api.requests();
    assert!(reqs.iter().all(|r| r.method == "GET"), "{reqs:?}");
    assert!(
        reqs.iter().all(|r| r.user_agent.starts_with("kubeglass/")),
        "{reqs:?}"
    );
    assert!(reqs.iter().any(
        |r| r.url.starts_with("/api/v1/namespaces/shop/pods") && r.accept.contains("as=Table")
    ));
}

#[test]
fn refusals_send_no_request() {
    let api = FakeApi::start();
    for (args, code) in [
        (&["delete", "pod", "web"][..], "ReadOnly"),
        (&["apply", "-f", "x.yaml"], "ReadOnly"),
        (&["exec", "web", "--", "sh"], "Unsupported"),
        (&["get", "pods", "--watch"], "Unsupported"),
        (&["get", "--raw", "/api/v1/secrets"], "Unsupported"),
    ] {
        let (rc, _, err) = query(&api, args);
        // A refused write is an answer (1); a command kubeglass does not take, usage (2).
        let rc_expected = if code == "ReadOnly" { 1 } else { 2 };
        assert_eq!(
            (rc, error_code(&err).as_deref()),
            (rc_expected, Some(code)),
            "{args:?}: {err}"
        );
    }
    assert!(api.requests().is_empty(), "{:?}", api.requests());
}

#[test]
fn no_log_level_prints_the_token_or_the_bytes_on_the_wire() {
    let api = FakeApi::start();
    for level in [
        "trace",
        "ureq=trace,ureq_proto=trace,rustls=trace,kubeglass=trace",
    ] {
        let mut c = kubeglass();
        c.env("RUST_LOG", level)
            .args(["query", "--kubeconfig"])
            .arg(api.kubeconfig())
            .args(["--", "get", "pods", "-o", "json"]);
        let (code, _, err) = run(c);
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("GET /api/v1/namespaces/shop/pods"),
            "RUST_LOG={level} still logs kubeglass's own debug lines:\n{err}"
        );
        for leak in [
            fake_api::TOKEN,
            "Bearer",
            "FIXTURE-SECRET",
            "ureq",
            "rustls",
        ] {
            assert!(
                !err.contains(leak),
                "RUST_LOG={level} wrote {leak:?} to stderr:\n{err}"
            );
        }
    }
}

#[test]
fn types_and_names_that_could_steer_a_path_are_refused_before_any_request() {
    let api = FakeApi::start();
    for args in [
        &["get", "deployments....apps"][..],
        &["get", "deployments.v1./apps"],
        &["get", "deploy/..."],
        &["get", "pods", "..:.."],
        &["get", "pods", "-n", ".."],
        &["describe", "deployments.v1beta1x.apps", "web"],
        &["events", "--for", "pod/.."],
    ] {
        let (rc, _, err) = query(&api, args);
        assert_eq!(
            (rc, error_code(&err).as_deref()),
            (2, Some("InvalidCommand")),
            "{args:?}: {err}"
        );
    }
    assert!(api.requests().is_empty(), "{:?}", api.requests());
    // The well-formed spellings still reach the API, at the path they name.
    let (rc, out, err) = query(&api, &["get", "deployments.v1.apps"]);
    assert_eq!(rc, 0, "{err}");
    assert!(out.contains("web"), "{out}");
    assert!(
        api.requests().iter().all(|r| r
            .url
            .starts_with("/apis/apps/v1/namespaces/shop/deployments")),
        "{:?}",
        api.requests()
    );
}

#[test]
fn out_of_scope_namespace_is_refused_before_any_request() {
    let api = FakeApi::start();
    let mut c = kubeglass();
    c.args(["query", "--namespaces", "shop", "--kubeconfig"])
        .arg(api.kubeconfig())
        .args(["--", "get", "pods", "-n", "payments"]);
    let (rc, _, err) = run(c);
    assert_eq!(
        (rc, error_code(&err).as_deref()),
        (1, Some("OutOfScope")),
        "{err}"
    );
    assert!(api.requests().is_empty());
}

#[test]
fn secrets_are_read_as_metadata_or_object_less_tables_only() {
    let api = FakeApi::start();
    for args in [
        &["get", "secrets"][..],
        &["get", "secrets", "-o", "json"],
        &["get", "secrets", "-o", "name"],
    ] {
        let (code, out, err) = query(&api, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains("db-credentials"), "{args:?}:\n{out}");
    }
    let secret_reqs: Vec<_> = api
        .requests()
        .into_iter()
        .filter(|r| r.url.contains("/secrets"))
        .collect();
    assert!(!secret_reqs.is_empty());
    for r in secret_reqs {
        let metadata = r.accept.contains("as=PartialObjectMetadata");
        // A Table of Secrets: no JSON fallback, and rows without the object.
        let table = r.accept == "application/json;as=Table;v=v1;g=meta.k8s.io"
            && r.url.contains("includeObject=None");
        assert!(metadata || table, "secrets read another way: {r:?}");
    }
    let (_, out, _) = query(&api, &["get", "secrets"]);
    assert!(
        out.starts_with("NAME             TYPE                DATA   AGE\n")
            && out.contains("db-credentials   Opaque              2 "),
        "kubectl's TYPE and DATA columns:\n{out}"
    );
    for args in [
        &["get", "secrets", "-o", "jsonpath={.items[*].data}"][..],
        &[
            "get",
            "secrets",
            "-o",
            "custom-columns=D:.data,S:.stringData",
        ],
    ] {
        let (code, out, err) = query(&api, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(
            !out.contains("FIXTURE") && !out.contains("RklYVFVSRS1TRUNSRVQ"),
            "{out}"
        );
        assert!(
            out.trim().is_empty() || out.contains("<none>"),
            "{args:?}: {out}"
        );
    }
    let (_, out, _) = query(&api, &["get", "secrets", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert!(v["items"].as_array().is_some_and(|i| {
        i.iter()
            .all(|s| s["kind"] == "Secret" && s.get("data").is_none())
    }));
}

/// A whole Secret, as an API that ignores `as=PartialObjectMetadata` would send it.
fn whole_secret(seen: &fake_api::Seen) -> Option<(u16, String)> {
    let path = seen.url.split('?').next().unwrap_or_default();
    if !path.contains("/secrets") {
        return None;
    }
    let secret = serde_json::json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db-credentials", "namespace": "shop"}, "type": "Opaque",
        "data": {"password": "SE9TVElMRS1TRUNSRVQ="}, "stringData": {"token": "HOSTILE-SECRET"}});
    let body = if path.ends_with("/secrets") {
        serde_json::json!({"apiVersion": "v1", "kind": "SecretList", "metadata": {}, "items": [secret]})
    } else {
        secret
    };
    Some((200, body.to_string()))
}

#[test]
fn secrets_are_requested_as_metadata_only_and_a_whole_secret_answer_is_dropped() {
    let api = FakeApi::start_with(whole_secret);
    for args in [
        &["get", "secrets"][..],
        &["get", "secrets", "-o", "json"],
        &["get", "secret", "db-credentials", "-o", "yaml"],
        &["describe", "secret", "db-credentials"],
        &[
            "get",
            "secrets",
            "-o",
            "custom-columns=D:.data,S:.stringData",
        ],
    ] {
        let (code, out, err) = query(&api, args);
        for leak in ["HOSTILE-SECRET", "SE9TVElMRS1TRUNSRVQ"] {
            assert!(
                !out.contains(leak) && !err.contains(leak),
                "{args:?} leaks {leak}:\n{out}\n{err}"
            );
        }
        assert_eq!(
            (code, error_code(&err).as_deref()),
            (1, Some("Forbidden")),
            "{args:?}: {out}\n{err}"
        );
    }
    let secret_reqs: Vec<_> = api
        .requests()
        .into_iter()
        .filter(|r| r.url.contains("/secrets"))
        .collect();
    assert!(!secret_reqs.is_empty());
    for r in secret_reqs {
        assert!(
            r.accept.split(',').all(|range| range.contains(";as=")),
            "a Secret was requested as plain JSON: {r:?}"
        );
    }
}

#[test]
fn an_api_body_over_the_cap_is_refused_naming_the_limit() {
    fn endless_list(seen: &fake_api::Seen) -> Option<(u16, String)> {
        seen.url.contains("/configmaps").then(|| {
            let filler = "a".repeat(kubeglass::testing::kube::MAX_API_BODY_BYTES);
            (
                200,
                format!(r#"{{"kind":"ConfigMapList","items":[{{"data":{{"x":"{filler}"}}}}]}}"#),
            )
        })
    }
    let api = FakeApi::start_with(endless_list);
    let (code, out, err) = query(&api, &["get", "configmaps", "-o", "json"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("ApiUnavailable")),
        "{out}\n{err}"
    );
    assert!(
        err.contains(&kubeglass::testing::kube::MAX_API_BODY_BYTES.to_string()),
        "the error names the limit: {err}"
    );
}

/// `/version` with a gitVersion of 8 KiB, control characters around it.
fn long_hostile_version(seen: &fake_api::Seen) -> Option<(u16, String)> {
    (seen.url == "/version").then(|| {
        let v = serde_json::json!({"gitVersion": format!("v1.31\u{1b}]0;pwned\u{7}\u{9b}2J{}", "9".repeat(8192)),
            "platform": "linux/amd64\r\u{1b}[2K", "buildDate": "2026-01-01T00:00:00Z"});
        (200, v.to_string())
    })
}

/// `/version` with terminal control sequences in every string.
fn hostile_version(seen: &fake_api::Seen) -> Option<(u16, String)> {
    (seen.url == "/version").then(|| {
        let v = serde_json::json!({"gitVersion": "v1.31\u{1b}]0;pwned\u{7}\u{9b}2J",
            "platform": "linux/amd64\r\u{1b}[2K", "buildDate": "2026\u{85}-01-01"});
        (200, v.to_string())
    })
}

#[test]
fn version_never_carries_terminal_control_characters_from_the_server() {
    let api = FakeApi::start_with(hostile_version);
    for extra in [&[][..], &["--json"]] {
        let mut c = kubeglass();
        c.arg("query")
            .arg("--kubeconfig")
            .arg(api.kubeconfig())
            .args(extra)
            .args(["--", "version"]);
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{err}");
        assert!(
            !out.chars().any(|ch| ch.is_control() && ch != '\n'),
            "{extra:?}: {out:?}"
        );
        assert!(out.contains("v1.31^[]0;pwned^G"), "{extra:?}: {out}");
    }
}

#[test]
fn an_op_writing_past_its_budget_is_cut_by_the_executor() {
    let api = FakeApi::start_with(long_hostile_version);
    let (code, out, err) = query(&api, &["--max-output-bytes", "1024", "version"]);
    assert_eq!(code, 3, "a cut answer: {err}");
    assert!(out.len() <= 1024, "{} bytes:\n{out}", out.len());
    // The cut line is a note: on stderr, not in the answer.
    assert!(
        err.contains("[kubeglass: output cut at 1024 bytes") && !out.contains("[kubeglass:"),
        "{out}\n---\n{err}"
    );
}

#[test]
fn a_name_with_a_colon_is_requested_escaped_not_refused() {
    let api = FakeApi::start();
    let (code, out, err) = query(&api, &["get", "clusterrole", "system:node"]);
    // The fake has no such object: the request was sent, and answered 404.
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("NotFound")),
        "{out}\n{err}"
    );
    assert!(
        api.requests()
            .iter()
            .any(|r| r.url.contains("/clusterroles/system%3Anode")),
        "{:?}",
        api.requests()
    );
}

#[test]
fn pod_documents_hide_sensitive_env_values() {
    let api = FakeApi::start();
    for fmt in ["json", "yaml"] {
        let (code, out, err) = query(&api, &["get", "pods", "-o", fmt]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("DB_PASSWORD"),
            "the variable is shown, its value is not:\n{}",
            &out[..500.min(out.len())]
        );
    }
}

#[test]
fn json_output_stays_valid_when_cut() {
    let api = FakeApi::start();
    let mut c = kubeglass();
    c.args(["query", "--max-output-bytes", "4096", "--kubeconfig"])
        .arg(api.kubeconfig())
        .args(["--", "get", "pods", "-o", "json"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 3, "a cut answer: {err}");
    assert!(out.len() <= 4096 + 1, "{} bytes", out.len());
    let v: serde_json::Value = serde_json::from_str(&out).expect("still one JSON document");
    let note = v["metadata"]["kubeglass.truncated"]
        .as_str()
        .unwrap_or_default();
    assert!(
        note.starts_with("kubeglass: output cut at 4096 bytes"),
        "{v}"
    );
    // The mark inside the document is said on stderr too.
    assert_eq!(err.trim_end(), format!("[{note}]"));
}

#[test]
fn endpoints_explain_a_selector_that_matches_nothing() {
    let api = FakeApi::start();
    let (code, out, err) = query(&api, &["endpoints", "checkout"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("matches no pods"), "{out}");
}

#[test]
fn missing_objects_and_broken_configs_are_one_line_errors() {
    let api = FakeApi::start();
    let (code, _, err) = query(&api, &["get", "deploy", "nope", "-o", "json"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("NotFound")),
        "{err}"
    );
    let mut c = kubeglass();
    c.args([
        "query",
        "--kubeconfig",
        "/nonexistent/kubeconfig",
        "--",
        "get",
        "pods",
    ]);
    let (code, _, err) = run(c);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("Config")),
        "{err}"
    );
    assert!(
        err.contains("/nonexistent/kubeconfig"),
        "names the file: {err}"
    );
}

#[test]
fn the_command_may_come_without_the_double_dash() {
    let api = FakeApi::start();
    let mut c = kubeglass();
    c.args(["query", "--kubeconfig"])
        .arg(api.kubeconfig())
        .args(["get", "pods", "-n", "shop"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("web-"), "{out}");
}

#[test]
fn usage_errors_exit_2() {
    let mut c = kubeglass();
    c.args(["query"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    let mut c = kubeglass();
    c.args(["query", "--bogus-flag", "--", "get", "pods"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    let mut c = kubeglass();
    c.args(["query", "--command-json", "{\"op\":\"delete\"}"]);
    let (code, _, err) = run(c);
    assert_eq!(
        code, 1,
        "a refused command is an answer, not a usage error: {err}"
    );
    assert!(error_code(&err).is_some(), "{err}");
    let api = FakeApi::start();
    for bad in [
        &["get", "pods", "--frob"][..],
        &["frobnicate"],
        &["get", "pods", "-o", "xml"],
        &["get", "pods", "-o", "jsonpath={.a[?(@.b =~ /c/)]}"],
    ] {
        let (code, _, err) = query(&api, bad);
        assert_eq!(code, 2, "{bad:?}: {err}");
    }
}

#[test]
fn connection_flags_are_taken_after_the_double_dash() {
    let api = FakeApi::start();
    let mut c = kubeglass();
    c.args([
        "query",
        "--",
        "get",
        "svc",
        "web",
        "-o",
        "name",
        "--kubeconfig",
    ])
    .arg(api.kubeconfig())
    .args(["--request-timeout", "5s"]);
    let (code, out, err) = run(c);
    assert_eq!((code, out.as_str()), (0, "service/web\n"), "{err}");
    let mut c = kubeglass();
    c.args(["query", "--kubeconfig"])
        .arg(api.kubeconfig())
        .args(["--", "get", "svc", "--context", "no-such-context"]);
    let (code, _, err) = run(c);
    assert!(err.contains("no-such-context"), "{code} {err}");
}

#[test]
fn a_missing_name_gives_the_others_then_its_not_found() {
    let api = FakeApi::start();
    let (code, out, err) = query(&api, &["get", "svc", "web", "nope", "-o", "name"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out, "service/web\n");
    assert_eq!(error_code(&err).as_deref(), Some("NotFound"), "{err}");
    let (code, out, _) = query(&api, &["get", "svc", "nope", "-o", "name"]);
    assert_eq!((code, out.as_str()), (1, ""));
}

#[test]
fn describe_takes_a_name_prefix_when_no_object_has_that_name() {
    let api = FakeApi::start();
    let (code, out, err) = query(&api, &["describe", "svc", "we"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Name:") && out.contains(" web\n"), "{out}");
    assert!(!out.contains("checkout"), "{out}");
    let (code, _, err) = query(&api, &["describe", "svc", "zzz"]);
    assert_eq!((code, error_code(&err).as_deref()), (1, Some("NotFound")));
}

/// A StatefulSet's `serviceName` is not validated by the API: object data must never become
/// a request path (here one that climbs to a Secret), only a name that could be a Service.
#[test]
fn describe_never_builds_a_request_path_from_unvalidated_object_data() {
    let api = FakeApi::start();
    let (rc, out, err) = query(&api, &["describe", "sts", "db"]);
    assert_eq!(rc, 0, "{err}");
    assert!(
        out.contains("its governing Service \"../secrets/db\" does not exist"),
        "{out}"
    );
    let urls: Vec<String> = api.requests().into_iter().map(|r| r.url).collect();
    assert!(
        urls.iter()
            .all(|u| !u.contains("..") && !u.contains("secrets")),
        "{urls:?}"
    );
    assert!(
        urls.iter().any(|u| u.ends_with("/statefulsets/db")),
        "{urls:?}"
    );
}

/// Annotations and images are anybody's text: ESC, BEL and CSI from them reach the output
/// only made visible.
#[test]
fn describe_output_never_carries_terminal_control_characters() {
    let api = FakeApi::start();
    let (rc, out, err) = query(&api, &["describe", "sts", "db"]);
    assert_eq!(rc, 0, "{err}");
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    assert!(out.contains("note: ^[[2J^[]0;pwned^G\\u009b31m"), "{out}");
    assert!(out.contains("postgres:16^[[8m"), "{out}");
}

#[test]
fn no_secrets_refuses_every_secret_read_before_any_request() {
    let api = FakeApi::start();
    let run_with = |args: &[&str]| {
        let mut c = kubeglass();
        c.arg("query")
            .arg("--kubeconfig")
            .arg(api.kubeconfig())
            .arg("--no-secrets")
            .arg("--")
            .args(args);
        run(c)
    };
    for args in [
        &["get", "secrets"][..],
        &["get", "secret", "db-credentials", "-o", "yaml"],
        &["describe", "secret", "db-credentials"],
        &["get", "secrets", "-A"],
    ] {
        let (code, _, err) = run_with(args);
        assert_eq!(
            (code, error_code(&err).as_deref()),
            (1, Some("OutOfScope")),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("(set by --no-secrets)") && !err.contains("<redacted>"),
            "{args:?} names the switch: {err}"
        );
        assert!(api.requests().is_empty(), "{args:?} sent a request");
    }
    // A spelling discovery must resolve is refused once resolved, before any Secret read.
    let (code, _, err) = run_with(&["get", "Secret"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("OutOfScope")),
        "{err}"
    );
    let (code, out, err) = run_with(&["get", "pods"]);
    assert_eq!(code, 0, "everything else still reads: {err}");
    assert!(!out.is_empty());
    assert!(
        api.requests().iter().all(|r| !r.url.contains("secrets")),
        "{:?}",
        api.requests()
    );
}

#[test]
fn history_without_a_recorder_says_so_once_and_reads_nothing() {
    let api = FakeApi::start();
    for args in [
        &["history", "-A"][..],
        &["history", "--since", "6h", "-o", "json"],
    ] {
        let (code, out, err) = query(&api, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_eq!(out.lines().count(), 1, "{args:?}: {out}");
        assert!(out.starts_with("no recorder in this process"), "{out}");
    }
    assert!(api.requests().is_empty(), "{:?}", api.requests());
}

/// The fake's answers for the namespaces `shop` (exists) and `gone` (does not), as the real
/// API server gives them.
fn one_namespace_exists(seen: &fake_api::Seen) -> Option<(u16, String)> {
    let path = seen.url.split('?').next().unwrap_or_default();
    match path {
        "/api/v1/namespaces/shop" => {
            let cell = |n: &str| serde_json::json!({"name": n, "type": "string", "format": ""});
            let table = serde_json::json!({
                "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {},
                "columnDefinitions": [cell("Name"), cell("Status"), cell("Age")],
                "rows": [{"cells": ["shop", "Active", "5d"], "object": {
                    "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                    "metadata": {"name": "shop", "creationTimestamp": "2026-11-24T15:38:36Z"}}}]
            });
            Some((200, table.to_string()))
        }
        "/api/v1/namespaces/gone" => {
            let v = serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                "reason": "NotFound", "message": "namespaces \"gone\" not found", "code": 404,
                "details": {"name": "gone", "kind": "namespaces"}});
            Some((404, v.to_string()))
        }
        _ => None,
    }
}

#[test]
fn get_namespaces_lists_the_allowed_ones_that_exist_and_notes_the_missing() {
    let api = FakeApi::start_with(one_namespace_exists);
    for typed in ["ns", "namespaces"] {
        let mut c = kubeglass();
        c.args(["query", "--namespaces", "shop,gone", "--kubeconfig"])
            .arg(api.kubeconfig())
            .args(["--", "get", typed]);
        let (rc, out, err) = run(c);
        assert_eq!(rc, 0, "get {typed}: {err}");
        let mut lines = out.lines();
        assert!(lines.next().is_some_and(|h| h.starts_with("NAME")), "{out}");
        assert!(
            lines.next().is_some_and(|r| r.starts_with("shop ")),
            "{out}"
        );
        assert_eq!(lines.next(), None, "{out}");
        assert!(
            err.lines()
                .any(|l| l.contains("kubeglass:") && l.contains("do not exist: gone")),
            "get {typed}: the note names the missing namespace on stderr:\n{err}"
        );
    }
    // `describe ns` alike, and looks for no prefix (a list of every namespace, out of scope).
    let mut c = kubeglass();
    c.args(["query", "--namespaces", "gone", "--kubeconfig"])
        .arg(api.kubeconfig())
        .args(["--", "describe", "ns"]);
    let (rc, _, err) = run(c);
    assert_eq!(rc, 0, "describe ns: {err}");
    assert!(err.contains("do not exist: gone"), "{err}");
    let listed = api
        .requests()
        .into_iter()
        .filter(|r| r.url.split('?').next() == Some("/api/v1/namespaces"));
    assert_eq!(listed.count(), 0, "{:?}", api.requests());
    // Named, a missing namespace is still kubectl's NotFound.
    let mut c = kubeglass();
    c.args(["query", "--namespaces", "shop,gone", "--kubeconfig"])
        .arg(api.kubeconfig())
        .args(["--", "get", "ns", "gone"]);
    let (rc, _, err) = run(c);
    assert_eq!(
        (rc, error_code(&err).as_deref()),
        (1, Some("NotFound")),
        "{err}"
    );
}

#[test]
fn changes_json_holds_what_the_flight_recorder_keeps_as_recorded_items() {
    use kubeglass::testing::command::parse_line;
    use kubeglass::testing::kube;
    use kubeglass::testing::ops::{Engine, Executor};
    use kubeglass::testing::recorder::{Kind, Record, Recorder};
    use kubeglass::testing::redact::RedactSettings;
    use kubeglass::testing::scope::Scope;
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    let api = FakeApi::start();
    let settings = kube::Settings {
        kubeconfig: Some(api.kubeconfig()),
        ..kube::Settings::default()
    };
    let now = SystemTime::now();
    let rec = Arc::new(Recorder::new(1 << 20, now - Duration::from_secs(3600)));
    let mut r = Record::once(
        Kind::Termination,
        "api-1/api".into(),
        "shop".into(),
        "pod/api-1".into(),
        "OOMKilled".into(),
        "container api terminated: OOMKilled (exit 137)".into(),
        now - Duration::from_secs(600),
    );
    r.log = vec!["panic: out of memory".into(), "x".repeat(400)];
    r.gone = true;
    rec.ring().add(r);
    let engine = Engine::connect(&settings, Scope::all(), RedactSettings::default())
        .expect("engine")
        .with_recorder(Arc::clone(&rec));
    let cmd = parse_line("changes -n shop -o json").expect("command");
    let out = engine.execute(&cmd, 64 * 1024, None).expect("changes");
    let doc: serde_json::Value = serde_json::from_str(&out.text).expect("a JSON document");
    let items = doc["items"].as_array().expect("items");
    let recorded: Vec<_> = items.iter().filter(|i| i["kind"] == "recorded").collect();
    assert_eq!(recorded.len(), 1, "{doc:#}");
    let item = recorded[0];
    assert_eq!(
        (
            &item["namespace"],
            &item["object"],
            &item["type"],
            &item["reason"]
        ),
        (
            &"shop".into(),
            &"pod/api-1".into(),
            &"termination".into(),
            &"OOMKilled".into()
        ),
        "{item:#}"
    );
    assert!(
        item["what"]
            .as_str()
            .is_some_and(|w| w.contains("exit 137"))
    );
    assert_eq!(item["log"][0], "panic: out of memory");
    assert!(item["time"].is_string() && item["lastSeen"] == item["time"]);

    // A budget too small for it leaves it out and the cut note counts it.
    let small = engine.execute(&cmd, 400, None).expect("changes");
    assert!(
        !small.text.contains("pod/api-1") && small.text.contains("1 recorded"),
        "{}",
        small.text
    );
    // Outside the window (`--since 5m`) it is not a change of the answer.
    let cmd = parse_line("changes -n shop --since 5m -o json").expect("command");
    let out = engine.execute(&cmd, 64 * 1024, None).expect("changes");
    assert!(!out.text.contains("pod/api-1"), "{}", out.text);
}

#[test]
fn several_types_are_read_under_a_namespace_allow_list_and_namespaces_among_them_refused() {
    let api = FakeApi::start();
    let mut c = kubeglass();
    c.args(["query", "--namespaces", "shop", "--kubeconfig"])
        .arg(api.kubeconfig())
        .args(["--", "get", "deployments,pods", "-A"]);
    let (rc, out, err) = run(c);
    assert_eq!(rc, 0, "{err}");
    assert!(
        out.contains("deployment.apps/api") && out.contains("pod/web-"),
        "{out}"
    );
    let mut c = kubeglass();
    c.args(["query", "--namespaces", "shop", "--kubeconfig"])
        .arg(api.kubeconfig())
        .args(["--", "get", "pods,ns"]);
    let (rc, _, err) = run(c);
    assert_eq!(
        (rc, error_code(&err).as_deref()),
        (1, Some("OutOfScope")),
        "{err}"
    );
}
