//! The loop against an in-memory queue and a fake executor.

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;

use serde_json::Value;

use super::*;
use crate::command::{Command, Op};
use crate::error::Code;
use crate::output::Format;

/// An in-memory queue: commands in, responses out, deletes and visibility recorded.
#[derive(Default)]
struct FakeQueue {
    inbox: Mutex<VecDeque<Message>>,
    sent: Mutex<Vec<String>>,
    /// `(group, dedup)` of every accepted send, as the agent passed them.
    ids: Mutex<Vec<(String, String)>>,
    deleted: Mutex<Vec<String>>,
    returned: Mutex<Vec<String>>,
    fail_sends: AtomicUsize,
    /// When set, every `receive` fails with it.
    receive_error: Mutex<Option<SqsError>>,
    /// When set, every `send` fails with it.
    send_error: Mutex<Option<SqsError>>,
    receives: AtomicUsize,
    /// When non-zero, `send` refuses longer bodies as SQS does.
    size_limit: AtomicUsize,
    refused: AtomicUsize,
    /// What `response_limit` reports.
    reported_limit: Mutex<Option<usize>>,
    limit_reads: AtomicUsize,
    /// Deduplicate as a FIFO queue does: a send whose dedup id was taken is dropped silently.
    fifo: AtomicBool,
    /// After this many accepted result messages, `size_limit` becomes `shrink_to`.
    shrink_after: AtomicUsize,
    shrink_to: AtomicUsize,
    results_accepted: AtomicUsize,
}

impl Queue for FakeQueue {
    fn receive(
        &self,
        max: u32,
        _wait: u32,
        _vis: u32,
    ) -> std::result::Result<Vec<Message>, SqsError> {
        self.receives.fetch_add(1, Ordering::SeqCst);
        if let Some(e) = self.receive_error.lock().unwrap().clone() {
            thread::sleep(Duration::from_millis(20));
            return Err(e);
        }
        let mut inbox = self.inbox.lock().unwrap();
        let n = (max as usize).min(inbox.len());
        let got: Vec<Message> = inbox.drain(..n).collect();
        drop(inbox);
        if got.is_empty() {
            thread::sleep(Duration::from_millis(20));
        }
        Ok(got)
    }
    fn send(&self, body: &str, group: &str, dedup: &str) -> std::result::Result<(), SqsError> {
        let limit = self.size_limit.load(Ordering::SeqCst);
        if limit > 0 && body.len() > limit {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(SqsError::new(
                crate::sqs::ErrorKind::Client,
                "InvalidParameterValue",
                format!(
                    "One or more parameters are invalid. Reason: Message must be shorter than \
                     {limit} bytes."
                ),
            ));
        }
        if let Some(e) = self.send_error.lock().unwrap().clone() {
            return Err(e);
        }
        if self.fail_sends.load(Ordering::SeqCst) > 0 {
            self.fail_sends.fetch_sub(1, Ordering::SeqCst);
            return Err(SqsError::new(
                crate::sqs::ErrorKind::Server,
                "InternalError",
                "try again",
            ));
        }
        let mut ids = self.ids.lock().unwrap();
        if self.fifo.load(Ordering::SeqCst) && ids.iter().any(|(_, d)| d == dedup) {
            return Ok(());
        }
        ids.push((group.to_string(), dedup.to_string()));
        self.sent.lock().unwrap().push(body.to_string());
        if body.contains(r#""type":"result""#) {
            let n = self.results_accepted.fetch_add(1, Ordering::SeqCst) + 1;
            if n == self.shrink_after.load(Ordering::SeqCst) {
                let to = self.shrink_to.load(Ordering::SeqCst);
                self.size_limit.store(to, Ordering::SeqCst);
            }
        }
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
    fn response_limit(&self) -> std::result::Result<Option<usize>, SqsError> {
        self.limit_reads.fetch_add(1, Ordering::SeqCst);
        Ok(*self.reported_limit.lock().unwrap())
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
                Ok(Output::plain("late".into(), Format::Text, false))
            }
            Op::Top => Ok(Output::plain(big_text(), Format::Text, false)),
            op => Ok(Output::plain(
                format!("did {}", op.as_str()),
                Format::Text,
                false,
            )),
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
    // One answer id per answer: on every part of it, and another for every other answer.
    let big_answers: std::collections::HashSet<&Value> = big.iter().map(|m| &m["answer"]).collect();
    assert_eq!(big_answers.len(), 1);
    assert_ne!(big[0]["answer"], results("ro")[0]["answer"]);
    // The second ok-1 is a notice when it came after the answer (not while it ran).
    if let Some(notice) = sent.iter().find(|m| m["type"] == "duplicate") {
        assert_eq!(
            notice["answer"],
            results("ok-1")[0]["answer"],
            "the notice names it"
        );
    }
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

/// Counts the commands it runs; runs them as [`FakeExec`] does.
#[derive(Default)]
struct CountingExec {
    calls: AtomicUsize,
}

impl Executor for CountingExec {
    fn execute(&self, cmd: &Command, max: usize, deadline: Option<Instant>) -> Result<Output> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        FakeExec.execute(cmd, max, deadline)
    }
}

/// A fresh directory for one test's health file.
fn test_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kubeglass-agent-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let _ = std::fs::remove_file(dir.join("alive"));
    dir
}

/// Run the loop until `done` holds (or `limit` passed), then stop it cleanly.
fn drive(
    q: &Arc<FakeQueue>,
    exec: Arc<dyn Executor>,
    cfg: Settings,
    limit: Duration,
    done: impl Fn(&FakeQueue) -> bool,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let (s2, q2) = (stop.clone(), q.clone());
    let t = thread::spawn(move || run(cfg, q2, exec, s2));
    let start = Instant::now();
    while !done(q) && start.elapsed() < limit {
        thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, Ordering::SeqCst);
    t.join().unwrap().unwrap();
}

fn inbox(q: &FakeQueue, msgs: impl IntoIterator<Item = Message>) {
    q.inbox.lock().unwrap().extend(msgs);
}

fn deleted(q: &FakeQueue) -> Vec<String> {
    q.deleted.lock().unwrap().clone()
}

/// The raw result messages sent for `id`, in sending order.
fn raw_results(q: &FakeQueue, id: &str) -> Vec<String> {
    q.sent
        .lock()
        .unwrap()
        .iter()
        .filter(|s| {
            let v: Value = serde_json::from_str(s).unwrap();
            v["type"] == "result" && v["id"] == id
        })
        .cloned()
        .collect()
}

fn results(q: &FakeQueue, id: &str) -> Vec<Value> {
    raw_results(q, id)
        .iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect()
}

/// Whether SQS takes `s` as a `MessageGroupId` / `MessageDeduplicationId`.
fn valid_fifo_id(s: &str) -> bool {
    (1..=128).contains(&s.len()) && s.chars().all(|c| c.is_ascii_graphic())
}

#[test]
fn poison_message_is_answered_internal_not_run_and_deleted() {
    let dir = test_dir("poison");
    let q = Arc::new(FakeQueue::default());
    let mut poison = msg(0, r#"{"version":1,"id":"poison","kubectl":"get pods"}"#);
    poison.receive_count = MAX_RECEIVES + 1;
    // At the limit a command still runs: only "above" is poison.
    let mut last_try = msg(1, r#"{"version":1,"id":"last-try","kubectl":"get pods"}"#);
    last_try.receive_count = MAX_RECEIVES;
    inbox(&q, [poison, last_try]);
    let exec = Arc::new(CountingExec::default());
    drive(
        &q,
        exec.clone(),
        settings(&dir),
        Duration::from_secs(3),
        |q| q.deleted.lock().unwrap().len() >= 2,
    );
    let answer = results(&q, "poison");
    assert_eq!(answer.len(), 1, "one answer");
    assert_eq!(answer[0]["error"]["code"], "Internal");
    let text = answer[0]["error"]["message"].as_str().unwrap();
    assert!(
        text.contains(&format!("failed {MAX_RECEIVES} times")) && text.contains("not retried"),
        "{text}"
    );
    assert_eq!(results(&q, "last-try")[0]["output"], "did get");
    assert_eq!(
        exec.calls.load(Ordering::SeqCst),
        1,
        "only the command at the limit ran; the poison one did not"
    );
    let mut gone = deleted(&q);
    gone.sort();
    assert_eq!(gone, ["r0", "r1"]);
}

#[test]
fn size_refusal_rereads_the_limit_and_the_result_arrives_whole() {
    let dir = test_dir("resplit");
    let limit = 6000;
    let q = Arc::new(FakeQueue::default());
    q.size_limit.store(limit, Ordering::SeqCst);
    *q.reported_limit.lock().unwrap() = Some(limit);
    inbox(
        &q,
        [msg(0, r#"{"version":1,"id":"big","kubectl":"top pods"}"#)],
    );
    // The agent starts believing in 16 KiB messages.
    let cfg = settings(&dir);
    assert!(cfg.max_message_bytes > limit);
    drive(&q, Arc::new(FakeExec), cfg, Duration::from_secs(3), |q| {
        !q.deleted.lock().unwrap().is_empty()
    });
    assert!(
        q.refused.load(Ordering::SeqCst) > 0,
        "the queue refused a size"
    );
    assert!(
        q.limit_reads.load(Ordering::SeqCst) > 0,
        "the limit was read again"
    );
    let raw = raw_results(&q, "big");
    assert!(raw.len() > 1, "split into parts");
    assert!(raw.iter().all(|m| m.len() <= limit), "every part fits");
    let parts = results(&q, "big");
    assert!(parts.iter().all(|m| m["status"] == "ok"), "no error result");
    assert_eq!(protocol::join_parts(&parts).unwrap(), big_text());
    let dedups: std::collections::HashSet<String> = q
        .ids
        .lock()
        .unwrap()
        .iter()
        .map(|(_, d)| d.clone())
        .collect();
    assert_eq!(
        dedups.len(),
        q.ids.lock().unwrap().len(),
        "no two parts share a deduplication id (FIFO would drop one)"
    );
    assert_eq!(deleted(&q), ["r0"]);
}

#[test]
fn size_refusal_mid_result_resplits_with_new_dedup_ids_on_fifo() {
    let dir = test_dir("resplit-fifo");
    let limit = 6000;
    let q = Arc::new(FakeQueue::default());
    q.fifo.store(true, Ordering::SeqCst);
    // The queue takes part 1 of the 16 KiB split, then its limit is lowered.
    q.shrink_after.store(1, Ordering::SeqCst);
    q.shrink_to.store(limit, Ordering::SeqCst);
    *q.reported_limit.lock().unwrap() = Some(limit);
    inbox(
        &q,
        [msg(0, r#"{"version":1,"id":"big","kubectl":"top pods"}"#)],
    );
    drive(
        &q,
        Arc::new(FakeExec),
        settings(&dir),
        Duration::from_secs(3),
        |q| !q.deleted.lock().unwrap().is_empty(),
    );
    assert!(
        q.refused.load(Ordering::SeqCst) > 0,
        "the queue refused a size"
    );
    let all = results(&q, "big");
    // The new split, complete: its part 1 was not dropped as a duplicate of the old part 1,
    // and it carries a new answer id, so the abandoned part 1 cannot mix into it.
    let mut asm = protocol::Assembly::default();
    let split = all
        .iter()
        .find_map(|m| asm.add(m.clone()))
        .expect("a complete answer");
    assert!(split.len() > 1);
    assert_ne!(all[0]["answer"], split[0]["answer"], "a new answer id");
    assert!(
        raw_results(&q, "big")
            .iter()
            .rev()
            .take(split.len())
            .all(|m| m.len() <= limit)
    );
    assert_eq!(protocol::join_parts(&split).unwrap(), big_text());
    assert_eq!(deleted(&q), ["r0"]);
}

#[test]
fn size_refusal_without_a_readable_limit_answers_a_short_error_and_deletes() {
    let dir = test_dir("unsendable");
    let limit = 4000;
    let q = Arc::new(FakeQueue::default());
    q.size_limit.store(limit, Ordering::SeqCst);
    // response_limit() gives Ok(None); halving 16 KiB once (8 KiB) is still too large.
    inbox(
        &q,
        [msg(0, r#"{"version":1,"id":"big","kubectl":"top pods"}"#)],
    );
    let cfg = settings(&dir);
    let halved = cfg.max_message_bytes / 2;
    assert!(halved > limit);
    drive(&q, Arc::new(FakeExec), cfg, Duration::from_secs(3), |q| {
        !q.deleted.lock().unwrap().is_empty()
    });
    let answer = results(&q, "big");
    assert_eq!(answer.len(), 1, "one short answer: {answer:?}");
    assert_eq!(answer[0]["error"]["code"], "Internal");
    let text = answer[0]["error"]["message"].as_str().unwrap();
    assert!(
        text.contains("refused") && text.contains(&format!("{halved} bytes")),
        "{text}"
    );
    assert_eq!(deleted(&q), ["r0"], "the command is deleted");
}

#[test]
fn health_file_is_not_touched_while_receiving_fails() {
    let dir = test_dir("health-fails");
    let q = Arc::new(FakeQueue::default());
    // Retryable, so the loop turns several times within the second.
    *q.receive_error.lock().unwrap() = Some(SqsError::new(
        crate::sqs::ErrorKind::Server,
        "InternalError",
        "try again",
    ));
    let start = Instant::now();
    let started = std::time::SystemTime::now();
    drive(
        &q,
        Arc::new(FakeExec),
        settings(&dir),
        Duration::from_secs(1),
        |_| false,
    );
    assert!(start.elapsed() < Duration::from_secs(3), "stops at once");
    assert!(
        q.receives.load(Ordering::SeqCst) >= 2,
        "receive was retried"
    );
    // Touched once at start (the queues were checked); never again while receiving fails,
    // so it ages past the probe's --max-age.
    let touched = std::fs::metadata(dir.join("alive"))
        .and_then(|m| m.modified())
        .expect("touched at start");
    let after_start = touched.duration_since(started).unwrap_or_default();
    assert!(
        after_start < Duration::from_millis(300),
        "a loop that only fails does not refresh it ({after_start:?} after start)"
    );
}

#[test]
fn health_file_is_touched_once_receiving_works() {
    let dir = test_dir("health-ok");
    let q = Arc::new(FakeQueue::default());
    let health = dir.join("alive");
    drive(
        &q,
        Arc::new(FakeExec),
        settings(&dir),
        Duration::from_secs(1),
        |_| health.exists(),
    );
    assert!(dir.join("alive").exists());
}

/// Log lines of the calling thread, captured from the `log` facade.
fn my_logs() -> Vec<String> {
    struct Capture;
    static LINES: Mutex<Vec<(thread::ThreadId, String)>> = Mutex::new(Vec::new());
    impl log::Log for Capture {
        fn enabled(&self, m: &log::Metadata<'_>) -> bool {
            m.target().starts_with("kubeglass::agent")
        }
        fn log(&self, r: &log::Record<'_>) {
            if self.enabled(r.metadata()) {
                let line = r.args().to_string();
                if line.contains("receiving commands") {
                    LINES.lock().unwrap().push((thread::current().id(), line));
                }
            }
        }
        fn flush(&self) {}
    }
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&Capture).expect("no other logger in unit tests");
        log::set_max_level(log::LevelFilter::Info);
    });
    let me = thread::current().id();
    LINES
        .lock()
        .unwrap()
        .iter()
        .filter(|(t, _)| *t == me)
        .map(|(_, l)| l.clone())
        .collect()
}

#[test]
fn failing_receive_is_logged_once_per_state_change() {
    my_logs();
    let gone = SqsError::new(
        crate::sqs::ErrorKind::NotFound,
        "QueueDoesNotExist",
        "The specified queue does not exist.",
    );
    let busy = SqsError::new(crate::sqs::ErrorKind::Server, "InternalError", "try again");
    let mut state = PollState::default();
    for _ in 0..3 {
        state.failed(&gone, "the command queue");
    }
    let logs = my_logs();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(logs[0].contains("QueueDoesNotExist"), "{logs:?}");
    state.failed(&busy, "the command queue");
    state.failed(&busy, "the command queue");
    assert_eq!(my_logs().len(), 2, "a different error is a new state");
    state.ok();
    state.ok();
    let logs = my_logs();
    assert_eq!(logs.len(), 3, "the recovery is logged once: {logs:?}");
    assert!(logs[2].contains("works again"), "{logs:?}");
    state.failed(&gone, "the command queue");
    assert_eq!(
        my_logs().len(),
        4,
        "failing again after a recovery is logged"
    );
}

/// The loop's shared state, for calling its parts directly.
fn shared_for(settings: Settings, queue: Arc<FakeQueue>) -> Shared {
    Shared {
        max_message_bytes: AtomicUsize::new(settings.max_message_bytes),
        health: health::Health::new(settings.health_file.clone()),
        send_refused: AtomicBool::new(false),
        settings,
        queue,
        exec: Arc::new(FakeExec),
        seen: Mutex::new(HashMap::new()),
        draining: AtomicBool::new(false),
        outstanding: AtomicUsize::new(0),
        done: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        started_at: String::new(),
    }
}

#[test]
fn heartbeat_dedup_id_carries_the_agent_id() {
    let dir = test_dir("heartbeat");
    let q = Arc::new(FakeQueue::default());
    // Two agents beating in the same second.
    for id in ["agent-a", "agent-b"] {
        let mut cfg = settings(&dir);
        cfg.agent.id = id.into();
        heartbeat(&shared_for(cfg, q.clone()));
    }
    let ids = q.ids.lock().unwrap().clone();
    assert_eq!(ids.len(), 2);
    assert!(ids[0].1.contains("agent-a"), "{ids:?}");
    assert!(ids[1].1.contains("agent-b"), "{ids:?}");
    let (_, a) = queue::fifo_ids(&ids[0].0, &ids[0].1);
    let (_, b) = queue::fifo_ids(&ids[1].0, &ids[1].1);
    assert_ne!(
        a, b,
        "one agent's heartbeat does not deduplicate the other's"
    );
}

#[test]
fn readable_invalid_ids_are_answered_invalid_command_echoed_and_deleted() {
    let dir = test_dir("invalid-ids");
    let long = "x".repeat(135);
    let wide = "ü".repeat(140);
    let cases = [
        (r#""edge bad id""#.to_string(), "edge bad id".to_string()),
        (format!("{long:?}"), long.clone()),
        ("42".to_string(), "42".to_string()),
        (r#""""#.to_string(), String::new()),
        (format!("{wide:?}"), wide.clone()),
    ];
    let q = Arc::new(FakeQueue::default());
    inbox(
        &q,
        cases.iter().enumerate().map(|(i, (raw, _))| {
            msg(
                i,
                &format!(r#"{{"version":1,"id":{raw},"kubectl":"get pods"}}"#),
            )
        }),
    );
    let exec = Arc::new(CountingExec::default());
    drive(
        &q,
        exec.clone(),
        settings(&dir),
        Duration::from_secs(3),
        |q| q.deleted.lock().unwrap().len() >= cases.len(),
    );
    for (raw, echoed) in &cases {
        let answer = results(&q, echoed);
        assert_eq!(answer.len(), 1, "one answer for {raw}");
        assert_eq!(answer[0]["error"]["code"], "InvalidCommand", "{raw}");
    }
    assert_eq!(exec.calls.load(Ordering::SeqCst), 0, "nothing ran");
    assert_eq!(deleted(&q).len(), cases.len(), "all deleted");
    // What a FIFO response queue is sent for every message is valid there.
    let ids = q.ids.lock().unwrap().clone();
    assert!(ids.len() > cases.len());
    for (group, dedup) in &ids {
        let (g, d) = queue::fifo_ids(group, dedup);
        assert!(valid_fifo_id(&g), "group {g:?} (from {group:?})");
        assert!(valid_fifo_id(&d), "dedup {d:?} (from {dedup:?})");
    }
}

#[test]
fn fifo_ids_are_valid_for_sqs_and_keep_long_ids_apart() {
    let long = "y".repeat(300);
    for key in ["edge bad id", "", "é", &long, "tab\there", "a:b.1"] {
        let (g, d) = queue::fifo_ids(key, &format!("{key}.1"));
        assert!(valid_fifo_id(&g), "group {g:?} of {key:?}");
        assert!(valid_fifo_id(&d), "dedup {d:?} of {key:?}");
    }
    // Valid ids pass unchanged; long ones sharing a prefix stay distinct.
    assert_eq!(
        queue::fifo_ids("session-7", "session-7:cmd-3.2"),
        ("session-7".to_string(), "session-7:cmd-3.2".to_string())
    );
    let (a, b) = (format!("{long}a"), format!("{long}b"));
    assert_ne!(queue::fifo_ids(&a, "d").0, queue::fifo_ids(&b, "d").0);
    assert_ne!(queue::fifo_ids("g", &a).1, queue::fifo_ids("g", &b).1);
}

#[test]
fn visibility_covers_command_timeout_plus_margin_and_refuses_above_12_hours() {
    let s = Duration::from_secs;
    assert_eq!(visibility_for(s(0), s(1)).unwrap(), 31);
    assert_eq!(visibility_for(s(60), s(60)).unwrap(), 90);
    assert_eq!(
        visibility_for(s(300), s(60)).unwrap(),
        300,
        "a longer ask is kept"
    );
    let odd = Duration::from_millis(1500);
    assert!(
        f64::from(visibility_for(s(0), odd).unwrap()) >= (odd + VISIBILITY_MARGIN).as_secs_f64(),
        "never shorter than the command may run"
    );
    assert_eq!(visibility_for(s(0), s(43_170)).unwrap(), 43_200);
    for (asked, timeout) in [(s(0), s(43_171)), (s(43_201), s(1)), (s(0), Duration::MAX)] {
        let e = visibility_for(asked, timeout).unwrap_err();
        assert_eq!(e.code, Code::Config, "{asked:?} {timeout:?}");
    }
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
    let bounds = crate::ops::Bounds {
        max_output_bytes: 1000,
        command_timeout: Duration::from_secs(60),
    };
    stdio::serve(&FakeExec, &agent, bounds, input, &mut out).unwrap();
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

fn denied(action: &str) -> SqsError {
    SqsError::new(
        crate::sqs::ErrorKind::Auth,
        "AccessDenied",
        format!("User is not authorized to perform: {action}"),
    )
}

#[test]
fn a_denied_receive_at_start_stops_the_agent_naming_the_permission() {
    let dir = test_dir("receive-denied");
    let q = Arc::new(FakeQueue::default());
    *q.receive_error.lock().unwrap() = Some(denied("sqs:receivemessage"));
    let stop = Arc::new(AtomicBool::new(false));
    let err = run(settings(&dir), q.clone(), Arc::new(FakeExec), stop).unwrap_err();
    assert_eq!(err.code, Code::Forbidden, "{err}");
    assert!(err.message.contains("sqs:ReceiveMessage"), "{err}");
    assert_eq!(
        q.receives.load(Ordering::SeqCst),
        1,
        "checked once, not retried"
    );
}

#[test]
fn a_result_refused_at_run_time_hands_the_command_back_and_stops_taking_more() {
    let dir = test_dir("send-denied-later");
    let q = Arc::new(FakeQueue::default());
    let stop = Arc::new(AtomicBool::new(false));
    let (s2, q2) = (stop.clone(), q.clone());
    let cfg = settings(&dir);
    let t = thread::spawn(move || run(cfg, q2, Arc::new(FakeExec), s2));
    let start = Instant::now();
    // After the start heartbeat went out, the permission is taken away.
    while q.sent.lock().unwrap().is_empty() && start.elapsed() < Duration::from_secs(5) {
        thread::sleep(Duration::from_millis(10));
    }
    *q.send_error.lock().unwrap() = Some(denied("sqs:sendmessage"));
    inbox(
        &q,
        [msg(0, r#"{"version":1,"id":"a","kubectl":"get pods"}"#)],
    );
    while q.returned.lock().unwrap().is_empty() && start.elapsed() < Duration::from_secs(5) {
        thread::sleep(Duration::from_millis(10));
    }
    let receives = q.receives.load(Ordering::SeqCst);
    thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::SeqCst);
    t.join().unwrap().unwrap();
    assert_eq!(*q.returned.lock().unwrap(), ["r0"], "handed back");
    assert!(deleted(&q).is_empty());
    // A receive already under way when the refusal came may finish; none starts after it
    // (an idle fake receive turns every 20 ms: 25 in the half second).
    assert!(
        q.receives.load(Ordering::SeqCst) <= receives + 1,
        "no receive after it"
    );
    let (_, cause) = health::read(&dir.join("alive"), SystemTime::now()).unwrap();
    assert!(cause.is_some_and(|c| c.starts_with("answers cannot be sent")));
}

#[test]
fn a_refused_send_stops_taking_commands_and_health_names_the_cause() {
    let dir = test_dir("send-denied");
    let q = Arc::new(FakeQueue::default());
    *q.send_error.lock().unwrap() = Some(denied("sqs:sendmessage"));
    inbox(
        &q,
        [msg(0, r#"{"version":1,"id":"a","kubectl":"get pods"}"#)],
    );
    drive(
        &q,
        Arc::new(FakeExec),
        settings(&dir),
        Duration::from_secs(2),
        |_| false,
    );
    // The start heartbeat was refused: the start receive (the permission check) handed
    // its command straight back without running it, and no further receive was made.
    assert_eq!(q.receives.load(Ordering::SeqCst), 1);
    assert_eq!(*q.returned.lock().unwrap(), ["r0"]);
    assert!(deleted(&q).is_empty());
    assert!(raw_results(&q, "a").is_empty(), "not run");
    let (_, cause) = health::read(&dir.join("alive"), SystemTime::now()).unwrap();
    let cause = cause.expect("a cause");
    assert!(
        cause.starts_with("answers cannot be sent") && cause.contains("sqs:SendMessage"),
        "{cause}"
    );
}

#[test]
fn the_resplit_warning_reports_the_refused_messages_size_and_the_new_limit() {
    let e = SqsError::new(
        crate::sqs::ErrorKind::Client,
        "InvalidParameterValue",
        "Message must be shorter than 1024 bytes.",
    );
    let line = resplit_line(15_873, 16_384, Some(512), 512, &e);
    assert!(line.contains("a message of 15873 bytes"), "{line}");
    assert!(line.contains("now takes 512 bytes"), "{line}");
    assert!(!line.contains("Some("), "{line}");
    let line = resplit_line(900, 1000, None, 512, &e);
    assert!(line.contains("could not be read"), "{line}");
}
