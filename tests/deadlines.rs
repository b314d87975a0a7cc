//! Every transport ends a command at its deadline, whatever the API does or the command
//! costs: `query` and `run --stdio` against an API that accepts connections and never
//! answers, and the costliest `--grep` kubeglass takes over long log lines.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use support::fake_api::{FakeApi, Seen};
use support::{error_code, kubeglass, run};

/// How late past its deadline a command may end, seen from outside the process (its start
/// and exit included); from inside (`duration_ms`), 100 ms.
const SLACK: Duration = Duration::from_millis(500);

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
    let inside = answer["duration_ms"].as_u64().expect("duration_ms");
    assert!((2000..=2100).contains(&inside), "{inside} ms: {answer}");
}

/// Container logs of 400 lines of 16 KiB each: a `--grep` that is slow per line has
/// minutes of work in them.
fn long_lines(seen: &Seen) -> Option<(u16, String)> {
    seen.url.contains("/log").then(|| {
        let line = format!("{}\n", "x".repeat(16 * 1024));
        (200, line.repeat(400))
    })
}

/// The costliest pattern of the worst kind that `--grep` still takes: `(?:.?){N}bb` with the
/// largest N that compiles (every `.?` is a state that each byte of the line visits).
fn costliest_grep() -> String {
    let fits =
        |n: usize| kubeglass::testing::command::grep::compile(&format!("(?:.?){{{n}}}bb")).is_ok();
    let n = (1..10_000)
        .take_while(|&n| fits(n))
        .last()
        .expect("some N fits");
    format!("(?:.?){{{n}}}bb")
}

/// One `run --stdio` command's answer (the agent's own `duration_ms` in it).
fn stdio_answer(
    kubeconfig: &std::path::Path,
    timeout: &str,
    command: &serde_json::Value,
) -> serde_json::Value {
    let mut c = kubeglass();
    c.args(["run", "--stdio", "--kubeconfig"])
        .arg(kubeconfig)
        .args(["--command-timeout", timeout])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = c.spawn().expect("start kubeglass run --stdio");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    writeln!(stdin, "{command}").expect("write");
    drop(stdin);
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = stdout.read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(60));
    let _ = child.kill();
    let _ = child.wait();
    serde_json::from_str(&line.expect("an answer within 60 s")).expect("one JSON answer")
}

#[test]
fn a_grep_too_costly_per_line_is_refused_before_any_request() {
    let api = FakeApi::start_with(long_lines);
    let mut c = kubeglass();
    c.args(["query", "--kubeconfig"])
        .arg(api.kubeconfig())
        .args([
            "--",
            "logs",
            "-l",
            "app=web",
            "--grep",
            "(?:(?:(?:.?){40}){40}){40}bb",
        ]);
    let (code, out, err) = run(c);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (2, Some("InvalidCommand")),
        "{out}\n{err}"
    );
    assert!(api.requests().is_empty(), "{:?}", api.requests());
}

#[test]
fn the_costliest_grep_accepted_ends_within_100_ms_of_the_deadline() {
    let api = FakeApi::start_with(long_lines);
    let grep = costliest_grep();
    let cmd = serde_json::json!({"version": 1, "id": "g",
        "kubectl": format!("logs -l app=web --tail -1 --grep {grep}")});
    // Wall-clock time on a shared 2-core machine: a process not scheduled for a while (seen
    // once: 1,133 ms while a build ran) is not the overrun this test is about, which would
    // show on every try. So a second try is allowed, and both are reported.
    let mut tries = Vec::new();
    for _ in 0..2 {
        let answer = stdio_answer(&api.kubeconfig(), "1s", &cmd);
        assert_eq!(answer["error"]["code"], "Timeout", "{grep}: {answer}");
        let took = answer["duration_ms"].as_u64().expect("duration_ms");
        eprintln!("{grep}: {took} ms: {answer}");
        if (1000..=1100).contains(&took) {
            return;
        }
        tries.push(took);
    }
    panic!("{grep} ran {tries:?} ms for a 1 s deadline (the bound: 1,000–1,100 ms)");
}
