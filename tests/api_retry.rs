//! An API that is unavailable for a moment (issue 29): the agent waits it out within the
//! command's deadline and answers `ok`; `query` fails at once with `ApiUnavailable`, as
//! kubectl does, since a person is waiting and a wrong server address should not hang.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use support::fake_api::{FakeApi, Seen};
use support::{error_code, kubeglass, run};

/// Pod lists answered 503 (an API server restarting) this many times, then served.
const BLIP: usize = 3;

/// Each test has its own counter (the override is a plain `fn`).
static AGENT_503S: AtomicUsize = AtomicUsize::new(0);
static QUERY_503S: AtomicUsize = AtomicUsize::new(0);

fn blip(counter: &AtomicUsize, seen: &Seen) -> Option<(u16, String)> {
    let pods = seen.url.starts_with("/api/v1/namespaces/shop/pods");
    (pods && counter.fetch_add(1, Ordering::SeqCst) < BLIP).then(|| {
        (
            503,
            r#"{"kind":"Status","status":"Failure","message":"the server is currently unable to handle the request","code":503}"#.into(),
        )
    })
}

#[test]
fn the_agent_waits_a_503_blip_out_within_the_deadline_and_answers_ok() {
    let api = FakeApi::start_with(|s| blip(&AGENT_503S, s));
    let started = Instant::now();
    let (answer, err) = stdio_once(
        &api,
        r#"{"version":1,"id":"a","kubectl":"get pods -n shop"}"#,
    );
    assert_eq!(answer["status"], "ok", "{answer}\n{err}");
    assert_eq!(AGENT_503S.load(Ordering::SeqCst), BLIP + 1, "{err}");
    let retries = err
        .lines()
        .filter(|l| l.contains("the Kubernetes API is unavailable for"))
        .count();
    assert_eq!(retries, BLIP, "one log line a retry: {err}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// One answer line of `kubeglass run --stdio` for `command` against `api`, and stderr.
fn stdio_once(api: &FakeApi, command: &str) -> (serde_json::Value, String) {
    let mut c = kubeglass();
    c.args(["run", "--stdio", "--kubeconfig"])
        .arg(api.kubeconfig())
        .args(["--command-timeout", "30s"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("start kubeglass run --stdio");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{command}").expect("write");
    drop(stdin);
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read");
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let answer = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}\n{err}"));
    (answer, err)
}

#[test]
fn a_metrics_api_that_is_down_is_not_waited_for() {
    fn metrics_down(seen: &Seen) -> Option<(u16, String)> {
        seen.url.starts_with("/apis/metrics.k8s.io").then(|| {
            (
                503,
                r#"{"kind":"Status","message":"service unavailable","code":503}"#.into(),
            )
        })
    }
    let api = FakeApi::start_with(metrics_down);
    let started = Instant::now();
    let (answer, err) = stdio_once(
        &api,
        r#"{"version":1,"id":"t","kubectl":"top pods -n shop"}"#,
    );
    assert_eq!(answer["error"]["code"], "Unsupported", "{answer}\n{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "not held to the 30 s deadline: {:?}",
        started.elapsed()
    );
}

#[test]
fn query_answers_api_unavailable_at_once() {
    let api = FakeApi::start_with(|s| blip(&QUERY_503S, s));
    let mut c = kubeglass();
    c.args(["query", "--kubeconfig"])
        .arg(api.kubeconfig())
        .args([
            "--command-timeout",
            "30s",
            "--",
            "get",
            "pods",
            "-n",
            "shop",
        ]);
    let started = Instant::now();
    let (code, out, err) = run(c);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("ApiUnavailable")),
        "{out}\n{err}"
    );
    assert_eq!(QUERY_503S.load(Ordering::SeqCst), 1, "tried once");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
