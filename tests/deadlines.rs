//! Every transport ends a command at its deadline, whatever the API does: `query` and
//! `run --stdio` against an API that accepts connections and never answers.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use support::{error_code, kubeglass, run};

/// How late past its deadline a command may end (process start, connect, answer).
const SLACK: Duration = Duration::from_millis(1500);

/// An API that accepts every connection and never answers; its kubeconfig.
fn silent_api() -> PathBuf {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    thread::spawn(move || {
        // Held open, never read or answered.
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.extend(conn.ok());
        }
    });
    let dir = std::env::temp_dir().join(format!("kubeglass-silent-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let kc = dir.join("kubeconfig");
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: s\nclusters:\n- name: s\n  cluster:\n    server: http://127.0.0.1:{port}\n\
             users:\n- name: s\n  user:\n    token: t\ncontexts:\n- name: s\n  context:\n    cluster: s\n    user: s\n    namespace: shop\n"
        ),
    )
    .expect("kubeconfig");
    kc
}

#[test]
fn query_ends_at_its_command_timeout_when_the_api_never_answers() {
    let kc = silent_api();
    let mut c = kubeglass();
    c.args(["query", "--kubeconfig"])
        .arg(&kc)
        .args(["--request-timeout", "60s", "--command-timeout", "2s", "--"])
        .args(["get", "pods"]);
    let started = Instant::now();
    let (code, out, err) = run(c);
    let took = started.elapsed();
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("Timeout")),
        "{out}\n{err}"
    );
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(2) + SLACK,
        "took {took:?}: {err}"
    );
}

#[test]
fn run_stdio_ends_each_command_at_its_command_timeout_when_the_api_never_answers() {
    let kc = silent_api();
    let mut c = kubeglass();
    c.args(["run", "--stdio", "--kubeconfig"])
        .arg(&kc)
        .args(["--request-timeout", "60s", "--command-timeout", "2s"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("start kubeglass run --stdio");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let started = Instant::now();
    writeln!(stdin, r#"{{"version":1,"id":"slow","kubectl":"get pods"}}"#).expect("write");
    stdin.flush().expect("flush");
    // The answer line arrives by the deadline; a stuck command would hold the read, so it
    // is read on a thread and waited for with a limit (the child is killed either way).
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = stdout.read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(30));
    let took = started.elapsed();
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    let line = line.expect("an answer within 30 s");
    let answer: serde_json::Value = serde_json::from_str(&line).expect("one JSON answer");
    assert_eq!(
        (&answer["id"], &answer["error"]["code"]),
        (&"slow".into(), &"Timeout".into()),
        "{answer}"
    );
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(2) + SLACK,
        "took {took:?}: {answer}"
    );
}
