//! `kubeglass mcp` end to end against the in-process fake Kubernetes API: the real binary
//! speaking MCP (JSON-RPC 2.0, one message per line) on stdin/stdout, answering with the same
//! text as `query`, refusing what `query` refuses, and surviving hostile lines.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use serde_json::{Value, json};
use support::fake_api::FakeApi;
use support::kubeglass;

/// Run `kubeglass mcp --kubeconfig K [extra…]` with `input` on stdin; its stdout messages,
/// its stderr and whether it exited 0.
fn mcp(kubeconfig: &Path, extra: &[&str], input: &[u8]) -> (Vec<Value>, String, bool) {
    mcp_env(kubeconfig, extra, input, &[])
}

/// [`mcp`] with more environment variables.
fn mcp_env(
    kubeconfig: &Path,
    extra: &[&str],
    input: &[u8],
    env: &[(&str, &str)],
) -> (Vec<Value>, String, bool) {
    let mut c = kubeglass();
    c.envs(env.iter().copied());
    c.args(["mcp", "--kubeconfig"])
        .arg(kubeconfig)
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("start kubeglass mcp");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    // Written from a thread: a large input must not deadlock against unread answers.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let messages = stdout
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("stdout holds a line that is not JSON ({e}): {l}"))
        })
        .collect();
    (
        messages,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

fn request(id: u64, method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

fn call(id: u64, tool: &str, arguments: Value) -> String {
    request(
        id,
        "tools/call",
        json!({"name": tool, "arguments": arguments}),
    )
}

fn init() -> Vec<String> {
    vec![
        request(
            1,
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}}),
        ),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
    ]
}

/// The answer to request `id`.
fn answer(messages: &[Value], id: u64) -> &Value {
    messages
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no answer to {id}: {messages:?}"))
}

/// The text of a tool result, and whether it is an error.
fn text(messages: &[Value], id: u64) -> (String, bool) {
    let r = &answer(messages, id)["result"];
    (
        r["content"][0]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("{r}"))
            .to_string(),
        r["isError"].as_bool().unwrap_or_else(|| panic!("{r}")),
    )
}

#[test]
fn tools_answer_with_querys_text_and_refusals_are_error_results() {
    let api = FakeApi::start();
    let kc = api.kubeconfig();
    let mut lines = init();
    lines.push(request(2, "tools/list", json!({})));
    lines.push(call(3, "get", json!({"resource": "pods"})));
    lines.push(call(4, "endpoints", json!({"names": ["checkout"]})));
    lines.push(call(
        5,
        "delete",
        json!({"resource": "pods", "names": ["web"]}),
    ));
    lines.push(call(
        6,
        "get",
        json!({"resource": "secrets", "output": "json"}),
    ));
    lines.push(call(
        7,
        "get",
        json!({"resource": "pods", "namespace": "payments"}),
    ));
    let (messages, stderr, ok) = mcp(&kc, &["--namespaces", "shop"], lines.join("\n").as_bytes());
    assert!(ok, "exit 0 at end of input: {stderr}");
    assert_eq!(
        messages.len(),
        7,
        "one answer per request, none for the notification: {messages:?}"
    );

    let tools = answer(&messages, 2)["result"]["tools"]
        .as_array()
        .expect("tools")
        .clone();
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    for n in [
        "triage",
        "get",
        "describe",
        "logs",
        "events",
        "endpoints",
        "rollout_history",
        "rollout_diff",
        "changes",
        "top",
        "api_resources",
        "version",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    assert!(
        tools
            .iter()
            .all(|t| t["annotations"]["readOnlyHint"] == true)
    );

    for (id, args) in [(3, vec!["get", "pods"]), (4, vec!["endpoints", "checkout"])] {
        let (t, is_error) = text(&messages, id);
        assert!(!is_error, "{t}");
        let (rc, out, err) = support::query(&kc, &["--namespaces", "shop"], &args);
        assert_eq!(rc, 0, "{err}");
        assert_eq!(
            t.trim_end(),
            out.trim_end(),
            "{args:?}: the tool's text is query's"
        );
    }
    let (t, is_error) = text(&messages, 5);
    assert!(is_error && t.starts_with("ReadOnly: "), "{t}");
    let (t, is_error) = text(&messages, 6);
    assert!(!is_error, "{t}");
    assert!(
        !t.contains("FIXTURE-SECRET") && !t.contains("RklYVFVSRS1TRUNSRVQ="),
        "{t}"
    );
    let (t, is_error) = text(&messages, 7);
    assert!(is_error && t.starts_with("OutOfScope: "), "{t}");
    assert!(
        api.requests().iter().all(|r| r.method == "GET"
            && !r.url.contains("payments")
            && !r.url.contains("/pods/web")),
        "only in-scope GETs reached the API: {:?}",
        api.requests()
    );
}

#[test]
fn get_offers_and_answers_jsonpath_and_custom_columns_as_query_does() {
    let api = FakeApi::start();
    let kc = api.kubeconfig();
    let names = r#"{range .items[*]}{.metadata.name}{"\n"}{end}"#;
    let mut lines = init();
    lines.push(request(2, "tools/list", json!({})));
    lines.push(call(
        3,
        "get",
        json!({"resource": "pods", "output": "jsonpath", "print": {"template": names, "sort_by": ".metadata.name"}}),
    ));
    lines.push(call(
        4,
        "get",
        json!({"resource": "pods", "output": "custom-columns", "print": {"template": "NAME:.metadata.name,PHASE:.status.phase", "no_headers": true}}),
    ));
    let (messages, stderr, ok) = mcp(&kc, &["--namespaces", "shop"], lines.join("\n").as_bytes());
    assert!(ok, "{stderr}");
    let tools = answer(&messages, 2)["result"]["tools"]
        .as_array()
        .expect("tools");
    let get = tools.iter().find(|t| t["name"] == "get").expect("get tool");
    let props = &get["inputSchema"]["properties"];
    let formats = props["output"]["enum"].as_array().expect("output enum");
    assert!(formats.contains(&json!("jsonpath")) && formats.contains(&json!("custom-columns")));
    for p in [
        "template",
        "sort_by",
        "no_headers",
        "label_columns",
        "show_labels",
    ] {
        assert!(
            props["print"]["properties"][p].is_object(),
            "print.{p}: {props}"
        );
    }
    let jsonpath = format!("jsonpath={names}");
    let cases = [
        (
            3,
            vec![
                "get",
                "pods",
                "--sort-by=.metadata.name",
                "-o",
                jsonpath.as_str(),
            ],
        ),
        (
            4,
            vec![
                "get",
                "pods",
                "--no-headers",
                "-o",
                "custom-columns=NAME:.metadata.name,PHASE:.status.phase",
            ],
        ),
    ];
    for (id, args) in cases {
        let (t, is_error) = text(&messages, id);
        assert!(!is_error, "{t}");
        assert!(t.lines().count() > 1 && !t.contains('{'), "{t}");
        let (rc, out, err) = support::query(&kc, &["--namespaces", "shop"], &args);
        assert_eq!(rc, 0, "{err}");
        assert_eq!(t, out, "{args:?}: the tool's text is query's");
    }
}

#[test]
fn a_malformed_line_and_a_2_mib_line_get_parse_errors_and_the_server_goes_on() {
    let api = FakeApi::start();
    let mut input = init().join("\n").into_bytes();
    input.extend_from_slice(b"\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\n");
    input.extend_from_slice(&vec![b'x'; 2 * 1024 * 1024]);
    input.extend_from_slice(b"\n\xff\xfe\n");
    input.extend_from_slice(call(3, "version", json!({})).as_bytes());
    input.push(b'\n');
    input.extend_from_slice(request(4, "ping", json!({})).as_bytes());
    let (messages, stderr, ok) = mcp(&api.kubeconfig(), &[], &input);
    assert!(ok, "{stderr}");
    let codes: Vec<&Value> = messages.iter().map(|m| &m["error"]["code"]).collect();
    assert_eq!(
        codes,
        [
            &Value::Null,
            &json!(-32700),
            &json!(-32700),
            &json!(-32700),
            &Value::Null,
            &Value::Null
        ],
        "{messages:?}"
    );
    let (t, is_error) = text(&messages, 3);
    assert!(!is_error && t.contains("Server Version"), "{t}");
    assert_eq!(answer(&messages, 4)["result"], json!({}));
}

#[test]
fn a_small_budget_cuts_the_text_with_the_truncation_note() {
    let api = FakeApi::start();
    let mut lines = init();
    lines.push(call(
        2,
        "get",
        json!({"resource": "pods", "output": "yaml"}),
    ));
    let (messages, stderr, ok) = mcp(
        &api.kubeconfig(),
        &["--max-output-bytes", "1024"],
        lines.join("\n").as_bytes(),
    );
    assert!(ok, "{stderr}");
    let (t, is_error) = text(&messages, 2);
    assert!(!is_error, "{t}");
    assert!(t.len() <= 1024 + 256, "{} bytes", t.len());
    assert!(
        t.contains("kubeglass") && t.contains("cut"),
        "the note says it was cut: {t}"
    );
}

#[test]
fn a_bad_kubeconfig_or_flag_is_said_on_stderr_at_start() {
    let mut c = kubeglass();
    c.args(["mcp", "--kubeconfig", "/nonexistent/kubeconfig"])
        .stdin(Stdio::null());
    let (rc, out, err) = support::run(c);
    assert_eq!((rc, out.as_str()), (1, ""), "{err}");
    assert_eq!(
        support::error_code(&err).as_deref(),
        Some("Config"),
        "{err}"
    );
    let mut c = kubeglass();
    c.args(["mcp", "--max-output-bytes", "1"])
        .stdin(Stdio::null());
    let (rc, out, _) = support::run(c);
    assert_eq!((rc, out.as_str()), (2, ""));
}

#[test]
fn tool_arguments_cannot_widen_the_operators_scope() {
    let api = FakeApi::start();
    let mut lines = init();
    lines.push(call(2, "get", json!({"resource": "nodes"})));
    lines.push(call(3, "top", json!({"resource": "nodes"})));
    lines.push(call(
        4,
        "logs",
        json!({"resource": "node", "names": ["node-1"]}),
    ));
    lines.push(call(
        5,
        "get",
        json!({"resource": "pods", "namespace": "kube-system"}),
    ));
    lines.push(call(
        6,
        "get",
        json!({"resource": "pods", "max_output_bytes": 100_000_000}),
    ));
    let (messages, stderr, ok) = mcp(
        &api.kubeconfig(),
        &[
            "--namespaces",
            "shop",
            "--no-cluster-resources",
            "--max-output-bytes",
            "1024",
        ],
        lines.join("\n").as_bytes(),
    );
    assert!(ok, "{stderr}");
    for id in [2, 3, 4, 5] {
        let (t, is_error) = text(&messages, id);
        assert!(is_error && t.starts_with("OutOfScope: "), "{id}: {t}");
    }
    let (t, is_error) = text(&messages, 6);
    assert!(
        !is_error && t.len() <= 1024 + 256,
        "a call's budget never exceeds the operator's: {} bytes",
        t.len()
    );
    assert!(
        api.requests()
            .iter()
            .all(|r| !r.url.contains("nodes") && !r.url.contains("kube-system")),
        "{:?}",
        api.requests()
    );
}

/// An API that accepts connections and never answers: a tool call ends at
/// `--command-timeout` with `Timeout`, however long `--request-timeout` is, and the next
/// message is served.
#[test]
fn a_tool_call_never_outlives_the_command_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    let dir = std::env::temp_dir().join(format!("kubeglass-stall-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: s\nclusters:\n- name: s\n  cluster:\n    server: http://127.0.0.1:{port}\n\
             users:\n- name: s\n  user:\n    token: t\ncontexts:\n- name: s\n  context:\n    cluster: s\n    user: s\n    namespace: shop\n"
        ),
    )
    .expect("kubeconfig");
    let mut lines = init();
    lines.push(call(2, "version", json!({})));
    lines.push(request(3, "ping", json!({})));
    let input = lines.join("\n") + "\n";
    let started = std::time::Instant::now();
    let (out, err, ok) = mcp(
        &kubeconfig,
        &["--command-timeout", "2s", "--request-timeout", "40s"],
        input.as_bytes(),
    );
    let took = started.elapsed();
    assert!(ok, "{err}");
    let (text, is_error) = text(&out, 2);
    assert!(is_error && text.starts_with("Timeout: "), "{text}");
    assert_eq!(answer(&out, 3)["result"], json!({}));
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
}

/// `mcp --fleet` with a local context and a queue pair nobody serves: the context answers
/// as `--context` would, the queue cluster's failure is an error result naming it (within
/// the call's timeout), and the tools require `cluster`.
#[test]
fn a_fleet_reads_a_local_context_and_names_the_cluster_that_failed() {
    let api = FakeApi::start();
    let dir = tempdir("fleet");
    let fleet = dir.join("fleet.yaml");
    std::fs::write(
        &fleet,
        "clusters:\n  - name: here\n    context: fake\n  - name: away\n    \
         commandQueueUrl: http://127.0.0.1:9/123456789012/c\n    \
         responseQueueUrl: http://127.0.0.1:9/123456789012/r\n    region: eu-west-1\n",
    )
    .expect("write the fleet file");
    let mut lines = init();
    lines.push(request(2, "tools/list", json!({})));
    lines.push(call(
        3,
        "get",
        json!({"resource": "pods", "cluster": "here"}),
    ));
    lines.push(call(4, "get", json!({"resource": "pods"})));
    lines.push(call(5, "version", json!({"cluster": "away"})));
    let fleet_flag = fleet.to_string_lossy().into_owned();
    let started = std::time::Instant::now();
    let (messages, stderr, ok) = mcp_env(
        &api.kubeconfig(),
        &["--fleet", &fleet_flag, "--command-timeout", "2s"],
        lines.join("\n").as_bytes(),
        // Fixed keys: no credential endpoint is asked (the queue's port is closed anyway).
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "x"),
        ],
    );
    assert!(ok, "exit 0 at end of input: {stderr}");
    let tools = answer(&messages, 2)["result"]["tools"]
        .as_array()
        .expect("tools");
    assert!(tools.iter().any(|t| t["name"] == "clusters"));
    let get = tools.iter().find(|t| t["name"] == "get").expect("get");
    assert_eq!(get["inputSchema"]["required"], json!(["cluster"]));
    let (t, err) = text(&messages, 3);
    let (rc, expected, qerr) = support::query(&api.kubeconfig(), &[], &["get", "pods"]);
    assert_eq!(rc, 0, "{qerr}");
    assert!(
        !err && t == expected,
        "the context answers as query does:\n{t}\n---\n{expected}"
    );
    let (t, err) = text(&messages, 4);
    assert!(
        err && t.starts_with("InvalidCommand: cluster is required"),
        "{t}"
    );
    let (t, err) = text(&messages, 5);
    assert!(
        err && t.starts_with("QueueUnavailable: cluster away: "),
        "{t}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_bad_fleet_file_is_said_on_stderr_at_start_with_the_cluster() {
    let dir = tempdir("badfleet");
    let fleet = dir.join("fleet.yaml");
    std::fs::write(
        &fleet,
        "clusters:\n  - name: a\n    context: x\n  - name: a\n    context: y\n",
    )
    .expect("write");
    let mut c = kubeglass();
    c.args(["mcp", "--fleet"]).arg(&fleet).stdin(Stdio::null());
    let (rc, out, err) = support::run(c);
    assert_eq!((rc, out.as_str()), (2, ""), "{err}");
    assert!(
        err.contains("cluster 2 (\"a\"): the name is used twice"),
        "{err}"
    );
}

/// A fresh directory for one test's files.
fn tempdir(what: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("kubeglass-mcp-{what}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// `mcp --contexts`: the operator's allowlist of local contexts; a context outside it is
/// refused before any request.
#[test]
fn contexts_outside_the_allowlist_are_refused_before_any_request() {
    let api = FakeApi::start();
    let mut lines = init();
    lines.push(call(
        2,
        "get",
        json!({"resource": "pods", "cluster": "fake"}),
    ));
    lines.push(call(
        3,
        "get",
        json!({"resource": "pods", "cluster": "prod"}),
    ));
    let (messages, stderr, ok) = mcp(
        &api.kubeconfig(),
        &["--contexts", "fake"],
        lines.join("\n").as_bytes(),
    );
    assert!(ok, "{stderr}");
    let (t, err) = text(&messages, 2);
    assert!(!err && t.contains("web-"), "{t}");
    let (t, err) = text(&messages, 3);
    assert!(
        err && t.starts_with("InvalidCommand: unknown cluster \"prod\""),
        "{t}"
    );
    // A session with only the refused call asks the API what one with no call asks.
    let requests = |lines: Vec<String>| {
        let api = FakeApi::start();
        let (_, stderr, ok) = mcp(
            &api.kubeconfig(),
            &["--contexts", "fake"],
            lines.join("\n").as_bytes(),
        );
        assert!(ok, "{stderr}");
        api.requests().len()
    };
    let mut refused = init();
    refused.push(call(
        3,
        "get",
        json!({"resource": "pods", "cluster": "prod"}),
    ));
    assert_eq!(
        requests(refused),
        requests(init()),
        "no request for a refused context"
    );
}

#[test]
fn instructions_and_namespace_parameters_name_the_allowed_and_default_namespaces() {
    let api = FakeApi::start();
    let mut lines = init();
    lines.push(request(2, "tools/list", json!({})));
    let (messages, stderr, ok) = mcp(
        &api.kubeconfig(),
        &["--namespaces", "shop,payments"],
        lines.join("\n").as_bytes(),
    );
    assert!(ok, "{stderr}");
    let instructions = answer(&messages, 1)["result"]["instructions"]
        .as_str()
        .expect("instructions")
        .to_string();
    for said in [
        "Namespaces: only payments, shop (any other is refused OutOfScope",
        "Default namespace (a call without namespace): shop.",
    ] {
        assert!(instructions.contains(said), "{said:?} in:\n{instructions}");
    }
    let tools = answer(&messages, 2)["result"]["tools"]
        .as_array()
        .expect("tools");
    for name in ["triage", "get", "describe", "logs", "events", "changes"] {
        let t = tools.iter().find(|t| t["name"] == name).expect(name);
        let d = t["inputSchema"]["properties"]["namespace"]["description"]
            .as_str()
            .unwrap_or_default();
        assert!(
            d.contains("only payments, shop") && d.contains("default namespace here: shop"),
            "{name}: {d}"
        );
    }
}

/// Triage's hints print `logs deploy/api`: a model passes `names: ["deploy/api"]` and gets
/// what `query` answers for that command, for logs, describe and get.
#[test]
fn names_as_type_slash_name_answer_as_query_does() {
    let api = FakeApi::start();
    let kc = api.kubeconfig();
    let mut lines = init();
    lines.push(call(2, "logs", json!({"names": ["deploy/api"]})));
    lines.push(call(3, "describe", json!({"names": ["deploy/api"]})));
    lines.push(call(
        4,
        "get",
        json!({"names": ["deploy/api", "deploy/web"]}),
    ));
    lines.push(call(5, "get", json!({"names": ["deploy/api", "svc/web"]})));
    let (messages, stderr, ok) = mcp(&kc, &[], lines.join("\n").as_bytes());
    assert!(ok, "{stderr}");
    for (id, args) in [
        (2, vec!["logs", "deploy/api"]),
        (3, vec!["describe", "deploy/api"]),
        (4, vec!["get", "deploy/api", "deploy/web"]),
    ] {
        let (t, is_error) = text(&messages, id);
        let (rc, out, err) = support::query(&kc, &[], &args);
        assert!(
            !t.starts_with("InvalidCommand"),
            "{args:?}: the form is accepted: {t}"
        );
        assert_eq!(is_error, rc != 0, "{args:?}: {t}\n---\n{err}");
        // query may put its notes on stderr; the tool's text keeps them: every line query
        // printed is in the tool's answer, and a failure is the same error.
        for line in out
            .lines()
            .chain(err.lines().filter_map(support::fatal_line))
        {
            assert!(t.contains(line), "{args:?}: {line:?} missing from\n{t}");
        }
        assert!(!out.trim().is_empty() || rc != 0, "{args:?}: {err}");
    }
    let (t, is_error) = text(&messages, 5);
    assert!(
        is_error && t.starts_with("InvalidCommand: one resource type per command"),
        "{t}"
    );
}

/// `-o json` over objects each larger than the budget: the empty List's note says which
/// cheaper output of the same objects would fit.
#[test]
fn a_json_answer_with_no_object_shown_names_a_cheaper_output() {
    let api = FakeApi::start();
    let mut lines = init();
    lines.push(call(
        2,
        "get",
        json!({"resource": "pods", "output": "json"}),
    ));
    let (messages, stderr, ok) = mcp(
        &api.kubeconfig(),
        &["--max-output-bytes", "1024"],
        lines.join("\n").as_bytes(),
    );
    assert!(ok, "{stderr}");
    let (t, is_error) = text(&messages, 2);
    assert!(!is_error, "{t}");
    let doc: Value = serde_json::from_str(&t).expect("still one JSON document");
    assert_eq!(doc["items"], json!([]), "{t}");
    let note = doc["metadata"]["kubeglass.truncated"]
        .as_str()
        .unwrap_or_default();
    assert!(
        note.contains("not even one object fits as JSON")
            && note.contains("-o name (about ")
            && note.contains("the table"),
        "{note}"
    );
}

#[test]
fn a_local_history_call_says_once_that_no_recorder_runs_and_is_not_an_error() {
    let api = FakeApi::start();
    let kc = api.kubeconfig();
    let mut lines = init();
    lines.push(request(2, "tools/list", json!({})));
    lines.push(call(
        3,
        "history",
        json!({"namespace": "shop", "since": "6h"}),
    ));
    let (messages, stderr, ok) = mcp(&kc, &["--namespaces", "shop"], lines.join("\n").as_bytes());
    assert!(ok, "{stderr}");
    let tools = answer(&messages, 2)["result"]["tools"]
        .as_array()
        .expect("tools");
    let history = tools
        .iter()
        .find(|t| t["name"] == "history")
        .expect("a history tool");
    let props = &history["inputSchema"]["properties"];
    for p in ["namespace", "all_namespaces", "since", "for", "output"] {
        assert!(props[p].is_object(), "history.{p}: {props}");
    }
    let (text, is_error) = text(&messages, 3);
    assert!(!is_error, "{text}");
    assert_eq!(
        text.matches("no recorder in this process").count(),
        1,
        "{text}"
    );
}
