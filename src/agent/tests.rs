//! The loop against an in-memory queue and a fake executor.

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;

use serde_json::Value;

use super::*;
use crate::command::{Command, Op};
use crate::output::Format;

/// An in-memory queue: commands in, responses out, deletes and visibility recorded.
#[derive(Default)]
struct FakeQueue {
    inbox: Mutex<VecDeque<Message>>,
    sent: Mutex<Vec<String>>,
    deleted: Mutex<Vec<String>>,
    returned: Mutex<Vec<String>>,
    fail_sends: AtomicUsize,
}

impl Queue for FakeQueue {
    fn receive(
        &self,
        max: u32,
        _wait: u32,
        _vis: u32,
    ) -> std::result::Result<Vec<Message>, SqsError> {
        let mut inbox = self.inbox.lock().unwrap();
        let n = (max as usize).min(inbox.len());
        let got: Vec<Message> = inbox.drain(..n).collect();
        drop(inbox);
        if got.is_empty() {
            thread::sleep(Duration::from_millis(20));
        }
        Ok(got)
    }
    fn send(&self, body: &str, _g: &str, _d: &str) -> std::result::Result<(), SqsError> {
        if self.fail_sends.load(Ordering::SeqCst) > 0 {
            self.fail_sends.fetch_sub(1, Ordering::SeqCst);
            return Err(SqsError::new(
                crate::sqs::ErrorKind::Server,
                "InternalError",
                "try again",
            ));
        }
        self.sent.lock().unwrap().push(body.to_string());
        Ok(())
    }
    fn delete(&self, receipt: &str) -> std::result::Result<(), SqsError> {
        self.deleted.lock().unwrap().push(receipt.to_string());
        Ok(())
    }
    fn change_visibility(&self, receipt: &str, _s: u32) -> std::result::Result<(), SqsError> {
        self.returned.lock().unwrap().push(receipt.to_string());
        Ok(())
    }
}

/// Echoes the op; `version` works for 3 s, honouring the deadline as the engine does;
/// `top` returns a big output.
struct FakeExec;

impl Executor for FakeExec {
    fn execute(&self, cmd: &Command, _max: usize, deadline: Option<Instant>) -> Result<Output> {
        match cmd.op {
            Op::Version => {
                let end = Instant::now() + Duration::from_secs(3);
                while Instant::now() < end {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Err(crate::kube::deadline::expired("being slow"));
                    }
                    thread::sleep(Duration::from_millis(10));
                }
                Ok(Output {
                    text: "late".into(),
                    format: Format::Text,
                    truncated: false,
                })
            }
            Op::Top => Ok(Output {
                text: big_text(),
                format: Format::Text,
                truncated: false,
            }),
            op => Ok(Output {
                text: format!("did {}", op.as_str()),
                format: Format::Text,
                truncated: false,
            }),
        }
    }
}

/// Poorly compressible text, so gzip cannot make it fit one message.
fn big_text() -> String {
    (0..40_000u64)
        .map(|i| format!("{:x}\"\n", i.wrapping_mul(2_654_435_761) % 1_000_003))
        .collect()
}

fn settings(dir: &std::path::Path) -> Settings {
    Settings {
        agent: AgentInfo {
            id: "t".into(),
            cluster: "c".into(),
            version: "0".into(),
        },
        namespaces: Some(vec!["shop".into()]),
        workers: 3,
        visibility_timeout: 30,
        command_timeout: Duration::from_secs(1),
        max_output_bytes: 1 << 20,
        max_message_bytes: 16 * 1024,
        heartbeat_interval: Duration::from_secs(3600),
        health_file: dir.join("alive"),
        shutdown_grace: Duration::from_secs(5),
        kubernetes_version: "v1.20.2".into(),
    }
}

fn msg(i: usize, body: &str) -> Message {
    Message {
        message_id: format!("m{i}"),
        receipt_handle: format!("r{i}"),
        body: body.into(),
        receive_count: 1,
    }
}

#[test]
fn every_command_gets_one_answer_and_is_deleted_after_it() {
    let dir = std::env::temp_dir().join(format!("kubeglass-agent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let q = Arc::new(FakeQueue::default());
    let bodies = [
        r#"{"version":1,"id":"ok-1","kubectl":"get pods"}"#,
        r#"{"version":1,"id":"ro","kubectl":"delete pod x"}"#,
        r#"not json"#,
        r#"{"version":1,"id":"late","kubectl":"get pods","deadline":"2001-01-01T00:00:00Z"}"#,
        r#"{"version":1,"id":"slow","kubectl":"version"}"#,
        r#"{"version":1,"id":"big","kubectl":"top pods"}"#,
        r#"{"version":1,"id":"ok-1","kubectl":"get pods"}"#,
        r#"{"version":9,"id":"v9","kubectl":"get pods"}"#,
    ];
    {
        let mut inbox = q.inbox.lock().unwrap();
        for (i, b) in bodies.iter().enumerate() {
            inbox.push_back(msg(i, b));
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (s2, q2) = (stop.clone(), q.clone());
    let cfg = settings(&dir);
    let t = thread::spawn(move || run(cfg, q2, Arc::new(FakeExec), s2));
    let start = Instant::now();
    // After the start heartbeat, one result send fails: it must be retried, not lost.
    while q.sent.lock().unwrap().is_empty() && start.elapsed() < Duration::from_secs(5) {
        thread::yield_now();
    }
    q.fail_sends.store(1, Ordering::SeqCst);
    while q.deleted.lock().unwrap().len() < bodies.len()
        && start.elapsed() < Duration::from_secs(15)
    {
        thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::SeqCst);
    t.join().unwrap().unwrap();
    let sent: Vec<Value> = q
        .sent
        .lock()
        .unwrap()
        .iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect();
    let results = |id: &str| {
        sent.iter()
            .filter(|m| m["type"] == "result" && m["id"] == id)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        results("ok-1").len(),
        1,
        "the duplicate delivery is not run twice"
    );
    assert_eq!(results("ok-1")[0]["output"], "did get");
    assert_eq!(results("ro")[0]["error"]["code"], "ReadOnly");
    assert_eq!(results("late")[0]["error"]["code"], "Expired");
    assert_eq!(results("slow")[0]["error"]["code"], "Timeout");
    assert_eq!(results("v9")[0]["error"]["code"], "InvalidCommand");
    let big = results("big");
    assert!(big.len() > 1 && big.iter().all(|m| m.to_string().len() <= 16 * 1024));
    assert_eq!(protocol::join_parts(&big).unwrap(), big_text());
    let beat = sent
        .iter()
        .find(|m| m["type"] == "heartbeat")
        .expect("a heartbeat at start");
    assert_eq!(beat["scope"]["namespaces"][0], "shop");
    assert_eq!(
        q.deleted.lock().unwrap().len(),
        bodies.len(),
        "every message deleted once answered (or unreadable)"
    );
    assert!(dir.join("alive").exists());
}

#[test]
fn stdio_answers_line_by_line() {
    let input = b"{\"version\":1,\"id\":\"a\",\"kubectl\":\"get pods\"}\n\n{bad\n" as &[u8];
    let mut out = Vec::new();
    let agent = AgentInfo {
        id: "t".into(),
        cluster: "c".into(),
        version: "0".into(),
    };
    stdio::serve(&FakeExec, &agent, 1000, input, &mut out).unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["output"], "did get");
    assert_eq!(lines[1]["error"]["code"], "InvalidCommand");
}

#[test]
fn backoff_is_bounded() {
    for a in 0..40 {
        let d = backoff(a);
        assert!(
            d >= Duration::from_millis(50) && d <= BACKOFF_CAP,
            "{a}: {d:?}"
        );
    }
}
