//! End-to-end: `kubeglass run` between the real SQS testbed (SigV4 and IAM checked, the
//! agent on its least-privilege key) and the real kube testbed, driven as a backend would
//! with the admin key. Needs SQS_TESTBED_DIR and KUBE_TESTBED_DIR; fails without them.
//! The tests share the testbed's queues, so they run one after another inside one test.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use kubeglass::testing::protocol;
use kubeglass::testing::sqs::Sqs;
use serde_json::{Value, json};

use support::*;

fn purge(sqs: &Sqs, url: &str) {
    let _ = sqs.call("PurgeQueue", &json!({"QueueUrl": url}));
}

/// A running agent, stopped (SIGTERM and drain) if the test fails before it is stopped.
struct Agent(Option<Child>);

impl Drop for Agent {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            support::terminate(&mut c);
        }
    }
}

/// Start the agent with the agent key on the given queues.
fn start_agent(
    env: &HashMap<String, String>,
    cmd: &str,
    resp: &str,
    secret: Option<&str>,
    extra: &[&str],
) -> (Agent, PathBuf) {
    let kube = testbed();
    let log = std::env::temp_dir().join(format!(
        "kubeglass-e2e-agent-{}-{}.log",
        std::process::id(),
        extra.len()
    ));
    let mut c = kubeglass();
    c.env("AWS_REGION", &env["AWS_REGION"])
        .env("AWS_ENDPOINT_URL_SQS", &env["SQS_TESTBED_ENDPOINT"])
        .env("AWS_ACCESS_KEY_ID", &env["AWS_ACCESS_KEY_ID"])
        .env(
            "AWS_SECRET_ACCESS_KEY",
            secret.unwrap_or(&env["AWS_SECRET_ACCESS_KEY"]),
        )
        .env("RUST_LOG", "info")
        .args(["run", "--kubeconfig"])
        .arg(kube.join("kubeconfig"))
        .args([
            "--command-queue-url",
            cmd,
            "--response-queue-url",
            resp,
            "--cluster-name",
            "e2e",
        ])
        .arg("--health-file")
        .arg(std::env::temp_dir().join(format!("kubeglass-e2e-alive-{}", std::process::id())))
        .args(extra)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"));
    (Agent(Some(c.spawn().expect("start the agent"))), log)
}

/// Collect result messages until `done(by_id)` or the timeout.
fn collect(
    sqs: &Sqs,
    url: &str,
    timeout: Duration,
    done: impl Fn(&HashMap<String, Vec<Value>>) -> bool,
) -> HashMap<String, Vec<Value>> {
    let mut by_id: HashMap<String, Vec<Value>> = HashMap::new();
    let end = Instant::now() + timeout;
    while Instant::now() < end && !done(&by_id) {
        for m in sqs.receive(url, 10, 2, 60).expect("receive") {
            sqs.delete(url, &m.receipt_handle).expect("delete");
            let v: Value = serde_json::from_str(&m.body).expect("a JSON response");
            if std::env::var("E2E_DEBUG").is_ok() {
                eprintln!("{:?} {}", Instant::now(), v["id"]);
            }
            if v["type"] == "result" {
                by_id
                    .entry(v["id"].as_str().unwrap_or("").to_string())
                    .or_default()
                    .push(v);
            }
        }
    }
    by_id
}

fn stop(mut guard: Agent) -> i32 {
    let mut agent = guard.0.take().expect("a running agent");
    let pid = agent.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    // Draining waits for the open 20 s long poll (see agent::run).
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(s) = agent.try_wait().expect("wait") {
            return s.code().unwrap_or(-1);
        }
        assert!(
            Instant::now() < end,
            "the agent did not stop within 30 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
#[ignore = "needs the SQS and kube testbeds (SQS_TESTBED_DIR, KUBE_TESTBED_DIR)"]
fn agent_over_sqs() {
    let env = sqs_env();
    let (cmd, resp) = (
        env["SQS_TESTBED_COMMAND_QUEUE_URL"].clone(),
        env["SQS_TESTBED_RESPONSE_QUEUE_URL"].clone(),
    );
    let sqs = backend(&env);
    // No purge: SQS may delete messages sent within a minute of a PurgeQueue, which would
    // look like lost answers. Ids unique to this run make leftovers harmless.
    // A 64 KiB response queue (the agent reads the limit at start) so big results must split.
    let set_limit = |n: u32| {
        sqs.call(
            "SetQueueAttributes",
            &json!({"QueueUrl": resp, "Attributes": {"MaximumMessageSize": n.to_string()}}),
        )
        .expect("set MaximumMessageSize")
    };
    set_limit(65_536);
    let (agent, log) = start_agent(
        &env,
        &cmd,
        &resp,
        None,
        &[
            "--namespaces",
            "shop,load",
            "--workers",
            "4",
            "--max-output-bytes",
            "8000000",
            // Short visibility: a delivery the test server loses comes back within 40 s.
            "--command-timeout",
            "10s",
            "--visibility-timeout",
            "15s",
        ],
    );
    // Ids unique to this run: answers to an earlier run's leftovers are not counted.
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());

    // 1. A few hundred mixed commands, each answered exactly once with the right status.
    let kinds: [(&str, Value, &str); 8] = [
        ("get", json!("get pods -n shop"), "ok"),
        (
            "describe",
            json!(["describe", "deploy", "api", "-n", "shop"]),
            "ok",
        ),
        ("logs", json!("logs deploy/web -n shop --tail 5"), "ok"),
        ("events", json!("events -n shop"), "ok"),
        ("endpoints", json!("endpoints checkout -n shop"), "ok"),
        ("delete", json!("delete pod web -n shop"), "ReadOnly"),
        ("scope", json!("get pods -n payments"), "OutOfScope"),
        // A selector testing a label value kubeglass hides (a probe of it).
        (
            "probe",
            json!(["get", "pods", "-n", "shop", "-l", "api-token in (a,b)"]),
            "InvalidCommand",
        ),
    ];
    let n = 500;
    let mut want = HashMap::new();
    for i in 0..n {
        let (name, kubectl, status) = &kinds[i % kinds.len()];
        let id = format!("e2e-{run}-{name}-{i}");
        let body = json!({"version": 1, "id": id, "kubectl": kubectl});
        sqs.send(&cmd, &body.to_string(), None)
            .expect("send a command");
        want.insert(id, *status);
    }
    let bad_op = format!("e2e-{run}-bad-op");
    let bad_op_body = json!({"version": 1, "id": bad_op, "kubectl": "frobnicate pods"}).to_string();
    let broken_id = format!("e2e-{run}-broken");
    let broken = format!(r#"{{"version":1,"id":"{broken_id}","kubectl":"get pods"#);
    for bad in [
        "not json",
        bad_op_body.as_str(),
        r#"{"version":1}"#,
        broken.as_str(),
    ] {
        sqs.send(&cmd, bad, None).expect("send");
    }
    want.insert(bad_op, "Unsupported");
    want.insert(broken_id, "InvalidCommand");
    let started = Instant::now();
    let got = collect(&sqs, &resp, Duration::from_secs(240), |m| {
        want.keys().all(|k| m.contains_key(k))
    });
    eprintln!("{} commands answered in {:?}", got.len(), started.elapsed());
    for (id, status) in &want {
        let msgs = got
            .get(id)
            .unwrap_or_else(|| panic!("no answer to {id}; log: {}", tail(&log)));
        assert_eq!(msgs.len(), 1, "{id} answered once: {msgs:?}");
        let m = &msgs[0];
        let s = if m["status"] == "ok" {
            "ok"
        } else {
            m["error"]["code"].as_str().unwrap_or("?")
        };
        assert_eq!(s, *status, "{id}: {m}");
        assert_eq!(m["agent"]["cluster"], "e2e");
        assert_no_canary(id, &m.to_string());
    }

    // 2. A result of several MiB arrives in parts that fit the queue and join back.
    let direct = query(
        &testbed().join("kubeconfig"),
        &["--max-output-bytes", "8000000", "--namespaces", "shop,load"],
        &["get", "pods", "-A", "-o", "json"],
    )
    .1;
    assert!(direct.len() > 2_000_000, "{} bytes", direct.len());
    let big_id = format!("e2e-{run}-big");
    let body = json!({"version": 1, "id": big_id, "kubectl": "get pods -A -o json", "max_output_bytes": 8_000_000});
    sqs.send(&cmd, &body.to_string(), None).expect("send");
    let big = collect(&sqs, &resp, Duration::from_secs(120), |m| {
        m.get(&big_id)
            .is_some_and(|p| p.len() as u64 == p[0]["parts"].as_u64().unwrap_or(u64::MAX))
    });
    let parts = big.get(&big_id).expect("the big answer");
    assert_eq!(parts[0]["status"], "ok", "{}", parts[0]);
    assert!(parts.len() > 1, "split into parts");
    let limit: usize = sqs
        .attribute(&resp, "MaximumMessageSize")
        .expect("attributes")
        .and_then(|v| v.parse().ok())
        .unwrap_or(262_144);
    assert_eq!(limit, 65_536);
    assert!(
        parts.iter().all(|p| p.to_string().len() <= limit),
        "each part fits the queue's {limit} bytes"
    );
    set_limit(1_048_576);
    let joined = protocol::join_parts(parts).expect("join");
    let (a, b) = (joined.trim_end(), direct.trim_end());
    let at = a
        .bytes()
        .zip(b.bytes())
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    assert!(
        a == b,
        "not byte-identical to `query`: {} vs {} bytes, first difference at {at}: {:?} vs {:?}",
        a.len(),
        b.len(),
        &a[at.saturating_sub(80)..(at + 80).min(a.len())],
        &b[at.saturating_sub(80)..(at + 80).min(b.len())]
    );

    // 3. SIGTERM in the middle of a batch: exit 0, and a new agent answers what is left.
    let batch: Vec<String> = (0..60).map(|i| format!("e2e-{run}-term-{i}")).collect();
    for id in &batch {
        let body = json!({"version": 1, "id": id, "kubectl": "describe pods -n shop"});
        sqs.send(&cmd, &body.to_string(), None).expect("send");
    }
    let first = collect(&sqs, &resp, Duration::from_secs(60), |m| m.len() >= 5);
    assert_eq!(stop(agent), 0, "clean exit: {}", tail(&log));
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        !text.contains(&env["AWS_SECRET_ACCESS_KEY"]),
        "the secret key is never logged"
    );
    let (agent, log) = start_agent(
        &env,
        &cmd,
        &resp,
        None,
        &[
            "--namespaces",
            "shop",
            "--visibility-timeout",
            "15s",
            "--command-timeout",
            "10s",
        ],
    );
    let rest = collect(&sqs, &resp, Duration::from_secs(120), |m| {
        batch
            .iter()
            .all(|id| first.contains_key(id) || m.contains_key(id))
    });
    for id in &batch {
        assert!(
            first.contains_key(id) || rest.contains_key(id),
            "{id} lost across SIGTERM: {}",
            tail(&log)
        );
    }

    // The response queue's limit lowered at run time: a result above it still arrives whole.
    set_limit(1024);
    let big = format!("lowered-{run}");
    let body = json!({"version": 1, "id": big, "kubectl": "get pods -n shop -o yaml"});
    sqs.send(&cmd, &body.to_string(), None).expect("send");
    let got = collect(&sqs, &resp, Duration::from_secs(60), |m| {
        m.get(&big)
            .is_some_and(|p| Some(p.len() as u64) == p.first().and_then(|f| f["parts"].as_u64()))
    });
    set_limit(262_144);
    let parts = got.get(&big).cloned().unwrap_or_default();
    assert!(parts.len() > 1, "split after the refusal: {}", tail(&log));
    assert!(
        parts.iter().all(|p| p.to_string().len() <= 1024),
        "{parts:?}"
    );
    let text = kubeglass::testing::protocol::join_parts(&parts).expect("join");
    assert!(text.contains("kind: Pod"), "{text}");

    // `kubeglass send` leaves another backend's message alone: received once at most.
    let foreign = json!({"version": 1, "type": "result", "id": format!("other-backend-{run}")});
    sqs.send(&resp, &foreign.to_string(), None)
        .expect("send foreign");
    let mut c = send_command(&env, &cmd, &resp);
    c.args([
        "--timeout",
        "30s",
        "--id",
        &format!("send-{run}"),
        "get",
        "ns",
    ]);
    let (code, out, err) = support::run(c);
    assert_eq!(code, 0, "send: {err}");
    assert!(out.contains("shop"), "{out}");
    let mut seen = None;
    for _ in 0..5 {
        for m in sqs.receive(&resp, 10, 2, 30).expect("receive") {
            if m.body.contains(&format!("other-backend-{run}")) {
                seen = Some(m.receive_count);
                let _ = sqs.delete(&resp, &m.receipt_handle);
            } else {
                let _ = sqs.change_visibility(&resp, &m.receipt_handle, 0);
            }
        }
        if seen.is_some() {
            break;
        }
    }
    let count = seen.expect("the foreign message is still there, visible again");
    assert!(
        count <= 2,
        "send received another backend's message {} times",
        count - 1
    );
    // A partial result travels with its error: the namespace found, then the NotFound.
    let mut c = send_command(&env, &cmd, &resp);
    c.args(["--timeout", "30s", "--id", &format!("partial-{run}")])
        .args([
            "get",
            "svc",
            "web",
            "no-such-svc",
            "-n",
            "shop",
            "-o",
            "name",
        ]);
    let (code, out, err) = support::run(c);
    assert_eq!(code, 1, "send: {err}");
    assert_eq!(out, "service/web\n", "{err}");
    assert!(err.contains("NotFound"), "{err}");
    assert_eq!(stop(agent), 0);
}

#[test]
#[ignore = "needs the SQS and kube testbeds (SQS_TESTBED_DIR, KUBE_TESTBED_DIR)"]
fn agent_on_fifo_queues_and_with_a_wrong_key() {
    let env = sqs_env();
    let (cmd, resp) = (
        env["SQS_TESTBED_COMMAND_FIFO_QUEUE_URL"].clone(),
        env["SQS_TESTBED_RESPONSE_FIFO_QUEUE_URL"].clone(),
    );
    let sqs = backend(&env);
    purge(&sqs, &cmd);
    purge(&sqs, &resp);
    let (agent, log) = start_agent(&env, &cmd, &resp, None, &[]);
    for i in 0..5 {
        let id = format!("fifo:cmd-{i}");
        let body = json!({"version": 1, "id": id, "kubectl": "get deploy -n shop"});
        sqs.send(&cmd, &body.to_string(), Some(("fifo", &id)))
            .expect("send to FIFO");
    }
    let got = collect(&sqs, &resp, Duration::from_secs(60), |m| m.len() == 5);
    assert_eq!(
        got.len(),
        5,
        "FIFO answers (they need MessageGroupId and a dedup id): {}",
        tail(&log)
    );
    assert_eq!(stop(agent), 0);

    // A wrong secret or a typo'd queue URL: the agent exits at start with one clear line
    // (not an agent that retries forever while its health probe passes).
    for (secret, cmd_url, want) in [
        (Some("wrong-secret"), cmd.clone(), "Unauthorized"),
        (None, format!("{cmd}-typo"), ""),
    ] {
        let (mut agent, log) = start_agent(&env, &cmd_url, &resp, secret, &["--workers", "1"]);
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(st) = agent.0.as_mut().and_then(|c| c.try_wait().expect("wait")) {
                break Some(st);
            }
            if started.elapsed() > Duration::from_secs(20) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        assert_eq!(
            status.and_then(|s| s.code()),
            Some(1),
            "exits 1 at start: {text}"
        );
        let errors: Vec<&str> = text.lines().filter_map(fatal_line).collect();
        assert_eq!(errors.len(), 1, "one clear line: {text}");
        assert!(errors[0].contains(want), "{text}");
        assert!(errors[0].contains("queue"), "{text}");
        assert!(!text.contains("wrong-secret"));
        let _ = stop(agent);
    }
}

fn tail(log: &Path) -> String {
    let t = std::fs::read_to_string(log).unwrap_or_default();
    t.chars()
        .rev()
        .take(3000)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}
