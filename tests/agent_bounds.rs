//! The agent bounds its own work: with `--workers N`, at most N commands touch the API at
//! any moment, even when every command times out against a slow API — a timed-out command
//! ends by its deadline instead of running on in a thread of its own.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use kubeglass::testing::agent::{self, Queue, Settings};
use kubeglass::testing::command::Command;
use kubeglass::testing::error::Result;
use kubeglass::testing::kube;
use kubeglass::testing::ops::{Engine, Executor};
use kubeglass::testing::output::Output;
use kubeglass::testing::protocol::AgentInfo;
use kubeglass::testing::redact::RedactSettings;
use kubeglass::testing::scope::Scope;
use kubeglass::testing::sqs::{Message, SqsError};

/// An API that answers every request after 5 s (far past the commands' 1 s timeout).
fn slow_api() -> std::path::PathBuf {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("bind");
    let port = server.server_addr().to_ip().expect("ip").port();
    thread::spawn(move || {
        for req in server.incoming_requests() {
            thread::spawn(move || {
                thread::sleep(Duration::from_secs(5));
                let _ = req.respond(tiny_http::Response::from_string("{}"));
            });
        }
    });
    let dir = std::env::temp_dir().join(format!("kubeglass-slow-{}-{port}", std::process::id()));
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

/// The engine, counting how many commands run at once and how long each takes.
struct Counting {
    inner: Engine,
    now: AtomicUsize,
    peak: AtomicUsize,
    longest: Mutex<Duration>,
}

impl Executor for Counting {
    fn execute(&self, cmd: &Command, max: usize, deadline: Option<Instant>) -> Result<Output> {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(n, Ordering::SeqCst);
        let started = Instant::now();
        let r = self.inner.execute(cmd, max, deadline);
        let took = started.elapsed();
        let mut longest = self.longest.lock().expect("lock");
        *longest = (*longest).max(took);
        self.now.fetch_sub(1, Ordering::SeqCst);
        r
    }
}

/// Commands in, answers out.
#[derive(Default)]
struct MemQueue {
    inbox: Mutex<VecDeque<Message>>,
    sent: Mutex<Vec<String>>,
}

impl Queue for MemQueue {
    fn receive(&self, max: u32, _w: u32, _v: u32) -> std::result::Result<Vec<Message>, SqsError> {
        let mut inbox = self.inbox.lock().expect("lock");
        let n = (max as usize).min(inbox.len());
        let got: Vec<Message> = inbox.drain(..n).collect();
        drop(inbox);
        if got.is_empty() {
            thread::sleep(Duration::from_millis(20));
        }
        Ok(got)
    }
    fn send(&self, body: &str, _g: &str, _d: &str) -> std::result::Result<(), SqsError> {
        self.sent.lock().expect("lock").push(body.to_string());
        Ok(())
    }
    fn delete(&self, _r: &str) -> std::result::Result<(), SqsError> {
        Ok(())
    }
    fn change_visibility(&self, _r: &str, _s: u32) -> std::result::Result<(), SqsError> {
        Ok(())
    }
}

#[test]
fn workers_cap_the_commands_on_the_api_even_when_every_command_times_out() {
    let kc = slow_api();
    let settings = kube::Settings {
        kubeconfig: Some(kc),
        ..kube::Settings::default()
    };
    let engine =
        Engine::connect(&settings, Scope::all(), RedactSettings::default()).expect("engine");
    let exec = Arc::new(Counting {
        inner: engine,
        now: AtomicUsize::new(0),
        peak: AtomicUsize::new(0),
        longest: Mutex::new(Duration::ZERO),
    });
    let queue = Arc::new(MemQueue::default());
    let commands = 8;
    for i in 0..commands {
        queue.inbox.lock().expect("lock").push_back(Message {
            message_id: format!("m{i}"),
            receipt_handle: format!("r{i}"),
            body: format!(r#"{{"version":1,"id":"c{i}","kubectl":"get pods"}}"#),
            receive_count: 1,
        });
    }
    let dir = std::env::temp_dir().join(format!("kubeglass-bounds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let s = Settings {
        agent: AgentInfo {
            id: "t".into(),
            cluster: "c".into(),
            version: "0".into(),
        },
        namespaces: None,
        workers: 2,
        visibility_timeout: 60,
        command_timeout: Duration::from_secs(1),
        max_output_bytes: 64 * 1024,
        max_message_bytes: 256 * 1024,
        heartbeat_interval: Duration::from_secs(3600),
        health_file: dir.join("alive"),
        shutdown_grace: Duration::from_secs(5),
        kubernetes_version: "test".into(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let loop_ = {
        let (queue, exec, stop) = (Arc::clone(&queue), Arc::clone(&exec), Arc::clone(&stop));
        thread::spawn(move || agent::run(s, queue, exec, stop))
    };
    let until = Instant::now() + Duration::from_secs(30);
    let results = || -> Vec<String> {
        let sent = queue.sent.lock().expect("lock");
        sent.iter()
            .filter(|s| s.contains(r#""type":"result""#))
            .cloned()
            .collect()
    };
    while results().len() < commands && Instant::now() < until {
        thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::SeqCst);
    let _ = loop_.join();
    let sent = results();
    assert_eq!(sent.len(), commands, "every command answered: {sent:?}");
    for s in &sent {
        assert!(s.contains(r#""code":"Timeout""#), "{s}");
    }
    assert!(
        exec.peak.load(Ordering::SeqCst) <= 2,
        "{} commands ran at once with --workers 2",
        exec.peak.load(Ordering::SeqCst)
    );
    let longest = *exec.longest.lock().expect("lock");
    assert!(
        longest < Duration::from_millis(1500),
        "a command ran {longest:?}, past its 1 s deadline"
    );
}
