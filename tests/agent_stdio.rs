//! `kubeglass run --stdio` end to end against the in-process fake Kubernetes API: the same
//! protocol as over SQS, one JSON line in, one JSON line out.

mod support;

use std::io::Write;
use std::process::Stdio;

use serde_json::Value;
use support::fake_api::FakeApi;
use support::kubeglass;

#[test]
fn stdio_transport_answers_every_line() {
    let api = FakeApi::start();
    let mut c = kubeglass();
    c.args(["run", "--stdio", "--kubeconfig"])
        .arg(api.kubeconfig())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("start kubeglass run --stdio");
    let input = [
        r#"{"version":1,"id":"a","kubectl":"get pods"}"#,
        r#"{"version":1,"id":"b","command":{"op":"endpoints","names":["checkout"]}}"#,
        r#"{"version":1,"id":"c","kubectl":["delete","pod","web"]}"#,
        r#"{"version":1,"id":"d","kubectl":"get secrets -o json"}"#,
        "this is not json",
    ]
    .join("\n");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON response per line"))
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(lines[0]["id"], "a");
    assert!(lines[0]["output"].as_str().unwrap_or("").contains("web-"));
    assert!(
        lines[1]["output"]
            .as_str()
            .unwrap_or("")
            .contains("matches no pods")
    );
    assert_eq!(lines[2]["error"]["code"], "ReadOnly");
    let secrets: Value =
        serde_json::from_str(lines[3]["output"].as_str().unwrap_or("")).expect("JSON");
    assert!(secrets["items"].as_array().is_some_and(|i| !i.is_empty()));
    assert!(!lines[3].to_string().contains("FIXTURE-SECRET"));
    assert_eq!(lines[4]["error"]["code"], "InvalidCommand");
    assert!(
        api.requests().iter().all(|r| r.method == "GET"),
        "only GETs reached the API"
    );
}

#[test]
fn stdio_answers_the_lines_after_a_non_utf8_one() {
    let api = FakeApi::start();
    let mut c = kubeglass();
    c.args(["run", "--stdio", "--kubeconfig"])
        .arg(api.kubeconfig())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("start kubeglass run --stdio");
    let mut input = Vec::new();
    input.extend_from_slice(br#"{"version":1,"id":"a","kubectl":"get pods"}"#);
    input.extend_from_slice(b"\n{\"version\":1,\"id\":\"b\",\"kubectl\":\"get pods \xff\"}\n");
    input.extend_from_slice(br#"{"version":1,"id":"c","kubectl":"get pods"}"#);
    input.push(b'\n');
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON response per line"))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["id"], "a");
    assert!(lines[0]["output"].as_str().unwrap_or("").contains("web-"));
    assert_eq!(lines[1]["id"], "b");
    assert_eq!(lines[1]["error"]["code"], "InvalidCommand");
    assert_eq!(lines[2]["id"], "c");
    assert!(
        lines[2]["output"].as_str().unwrap_or("").contains("web-"),
        "the line after the bad one is answered: {}",
        lines[2]
    );
}

#[test]
fn the_agents_fatal_line_carries_a_timestamp_like_every_log_line() {
    let mut c = kubeglass();
    c.args(["run", "--stdio", "--workers", "0"]);
    let (code, _, err) = support::run(c);
    assert_eq!(code, 2, "{err}");
    let line = err
        .lines()
        .find(|l| support::fatal_line(l).is_some())
        .unwrap_or_else(|| panic!("a fatal line: {err}"));
    // `[2026-12-07T15:30:00Z ERROR kubeglass] error: Config: --workers …`
    let ts = line
        .strip_prefix('[')
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("");
    assert!(
        ts.len() >= 20 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T',
        "{line}"
    );
    assert!(line.contains("error: Config: --workers"), "{line}");
}
