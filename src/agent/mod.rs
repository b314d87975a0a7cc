//! The agent loop (`kubeglass run`): long-poll the command queue, run each command on the
//! engine in a small pool of worker threads, send the result (in parts when large) to the
//! response queue, and only then delete the command. At-least-once delivery, duplicates by
//! id skipped for an hour, deadlines honoured, a heartbeat and a health file, a clean
//! shutdown on SIGTERM.

pub mod health;
pub mod memory;
mod queue;
pub mod stdio;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use serde_json::json;

use crate::error::{Error, Result};
use crate::ops::{self, Executor};
use crate::output::Output;
use crate::protocol::{self, AgentInfo, Result1};
use crate::sqs::{ErrorKind, Message, SqsError};
use crate::timefmt;

pub use queue::{Queue, SqsQueues};

/// How long a command id is remembered to skip duplicate deliveries.
const DEDUPE_FOR: Duration = Duration::from_secs(3600);
/// Long-poll wait.
const WAIT_S: u32 = 20;
/// Retry backoff cap.
const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// A command received more often than this is answered `Internal` and deleted, not run
/// again: it likely crashed the agent (`panic = "abort"`) on each earlier try.
pub const MAX_RECEIVES: u32 = 5;
/// The visibility timeout must cover the command timeout plus this margin (respond, delete).
pub const VISIBILITY_MARGIN: Duration = Duration::from_secs(30);
/// The smallest split the agent makes (SQS's smallest MaximumMessageSize is 1,024 bytes,
/// less the margin the agent keeps for SQS's own accounting).
const MIN_MESSAGE_BYTES: usize = 512;
/// While the response queue refuses the agent's messages, how often a heartbeat tries again
/// (no command is taken meanwhile: it could not be answered).
const SEND_PROBE: Duration = Duration::from_secs(15);
/// SQS's longest visibility timeout (12 hours).
pub const MAX_VISIBILITY_S: u64 = 43_200;

/// Everything the loop needs, resolved by the CLI.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Who answers.
    pub agent: AgentInfo,
    /// The namespaces in scope (`None`: all), for the heartbeat.
    pub namespaces: Option<Vec<String>>,
    /// Worker threads.
    pub workers: usize,
    /// Visibility timeout asked for on receive, decided once by [`visibility_for`].
    pub visibility_timeout: u32,
    /// Longest a command may run before it is answered `Timeout`.
    pub command_timeout: Duration,
    /// Output budget per command.
    pub max_output_bytes: usize,
    /// Largest response message.
    pub max_message_bytes: usize,
    /// Heartbeat period.
    pub heartbeat_interval: Duration,
    /// Touched after every successful poll (the liveness probe reads it): a loop that
    /// only fails leaves it to age, so `kubeglass health` fails.
    pub health_file: PathBuf,
    /// How long in-flight commands may finish after SIGTERM.
    pub shutdown_grace: Duration,
    /// The API server's version, for the heartbeat.
    pub kubernetes_version: String,
}

/// Shared state of the loop and its workers.
struct Shared {
    settings: Settings,
    queue: Arc<dyn Queue>,
    exec: Arc<dyn Executor>,
    /// Command ids of the last hour: when claimed, and the answer id once answered.
    seen: Mutex<HashMap<String, (Instant, Option<String>)>>,
    draining: AtomicBool,
    outstanding: AtomicUsize,
    /// The largest response message; lowered when the queue refuses a size.
    max_message_bytes: AtomicUsize,
    done: AtomicU64,
    failed: AtomicU64,
    started_at: String,
    /// The health file, with why the agent cannot work when it knows.
    health: health::Health,
    /// The response queue refuses the agent (denied, missing): answers cannot be sent.
    send_refused: AtomicBool,
}

/// The visibility timeout: at least the command timeout plus [`VISIBILITY_MARGIN`], so a
/// running command is not handed to another agent; more than SQS's 12 hours is refused.
pub fn visibility_for(asked: Duration, command_timeout: Duration) -> Result<u32> {
    let needed = command_timeout.saturating_add(VISIBILITY_MARGIN);
    let d = asked.max(needed);
    // Whole seconds, rounded up: never shorter than the command may run.
    let v = d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0));
    if v > MAX_VISIBILITY_S {
        return Err(Error::config(format!(
            "--command-timeout {} s needs a visibility timeout of {} s, above SQS's limit of \
             {MAX_VISIBILITY_S} s: lower --command-timeout or --visibility-timeout",
            command_timeout.as_secs(),
            v
        )));
    }
    Ok(v as u32)
}

/// Run until `stop` is set; returns after in-flight commands finished (or the grace ran out).
pub fn run(
    settings: Settings,
    queue: Arc<dyn Queue>,
    exec: Arc<dyn Executor>,
    stop: Arc<AtomicBool>,
) -> Result<()> {
    let workers = settings.workers.max(1);
    let max_message_bytes = settings.max_message_bytes;
    let health = health::Health::new(settings.health_file.clone());
    let shared = Arc::new(Shared {
        settings,
        queue,
        exec,
        seen: Mutex::new(HashMap::new()),
        draining: AtomicBool::new(false),
        outstanding: AtomicUsize::new(0),
        max_message_bytes: AtomicUsize::new(max_message_bytes),
        done: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        started_at: timefmt::format_rfc3339(SystemTime::now()),
        health,
        send_refused: AtomicBool::new(false),
    });
    let first = start_checks(&shared, workers)?;
    let (tx, rx) = mpsc::channel::<Message>();
    let rx = Arc::new(Mutex::new(rx));
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (shared, rx) = (Arc::clone(&shared), Arc::clone(&rx));
            thread::spawn(move || worker(&shared, &rx))
        })
        .collect();
    log::info!(
        "agent {} (cluster {}) polling with {workers} workers",
        shared.settings.agent.id,
        shared.settings.agent.cluster
    );
    // Ready: the queues were checked (a successful contact), so liveness holds from here;
    // each successful poll keeps it fresh. Not while answers cannot be sent.
    if !shared.send_refused.load(Ordering::SeqCst) {
        shared.health.good();
    }
    for m in first {
        shared.outstanding.fetch_add(1, Ordering::SeqCst);
        if tx.send(m).is_err() {
            break;
        }
    }
    // The long poll runs on its own thread so SIGTERM is acted on at once, not after 20 s.
    let receiver = {
        let shared = Arc::clone(&shared);
        thread::spawn(move || poll(&shared, &tx, workers))
    };
    // The start heartbeat went out in `start_checks`.
    let mut next_beat = Instant::now() + shared.settings.heartbeat_interval;
    while !stop.load(Ordering::SeqCst) {
        if Instant::now() >= next_beat {
            heartbeat(&shared);
            next_beat = Instant::now() + shared.settings.heartbeat_interval;
        }
        thread::sleep(Duration::from_millis(100));
    }
    log::info!("stopping: no new commands; waiting for running ones and the open long poll");
    shared.draining.store(true, Ordering::SeqCst);
    // The open long poll is waited for, not abandoned: the queue would hand the next command
    // to the closed connection and hide it for a whole visibility timeout. Its messages go
    // straight back (visibility 0). Running commands get the shutdown grace meanwhile.
    let deadline = Instant::now()
        + shared
            .settings
            .shutdown_grace
            .max(Duration::from_secs(u64::from(WAIT_S) + 5));
    let busy = |shared: &Shared| shared.outstanding.load(Ordering::SeqCst) > 0;
    while (busy(&shared) || !receiver.is_finished()) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(100));
    }
    if busy(&shared) {
        log::warn!(
            "shutdown grace over with commands still running; their messages will be redelivered"
        );
    } else {
        log::info!("stopped cleanly");
    }
    // Workers (idle or past the grace) end with the process.
    drop(handles);
    Ok(())
}

/// The start-up checks of both permissions the loop needs, before any worker runs: a
/// receive that does not wait (its messages are the loop's first), and the start heartbeat.
/// A command queue that refuses the receive stops the agent (exit 1 with the cause); a
/// response queue that refuses the heartbeat leaves it running without taking commands,
/// and health failing with the cause, until the queue accepts (an IAM change needs no
/// restart). An outage is only warned about: the loop retries.
fn start_checks(shared: &Shared, workers: usize) -> Result<Vec<Message>> {
    if heartbeat(shared) {
        log::debug!("the response queue took the start heartbeat");
    }
    let visibility = shared.settings.visibility_timeout;
    let first = match shared.queue.receive(workers.min(10) as u32, 0, visibility) {
        Ok(msgs) => msgs,
        Err(e) if refuses(&e) => {
            let mut err = e.to_error("the command queue");
            err.message = format!(
                "receiving commands was refused at start: {} — the agent needs \
                 sqs:ReceiveMessage on the command queue",
                err.message
            );
            return Err(err);
        }
        Err(e) => {
            log::warn!("the first receive failed ({e}); the loop retries with backoff");
            Vec::new()
        }
    };
    if shared.send_refused.load(Ordering::SeqCst) {
        // Their answers could not be sent: back at once, for an agent whose answers can.
        for m in &first {
            let _ = shared.queue.change_visibility(&m.receipt_handle, 0);
        }
        return Ok(Vec::new());
    }
    Ok(first)
}

/// Whether `e` is the queue refusing this agent (denied, bad key, no such queue), which
/// no retry mends, as opposed to an outage or throttling.
fn refuses(e: &SqsError) -> bool {
    matches!(e.kind, ErrorKind::Auth | ErrorKind::NotFound) && !e.is_retryable()
}

/// The response queue refused a message for `e`: stop taking commands until a heartbeat
/// goes through, and fail health with the cause (logged once per refusal, not per send).
fn refused_sending(shared: &Shared, e: &SqsError) {
    let err = e.to_error("the response queue");
    let cause = format!(
        "answers cannot be sent: the response queue refuses them ({err}); the agent needs \
         sqs:SendMessage on it"
    );
    if !shared.send_refused.swap(true, Ordering::SeqCst) {
        log::error!(
            "{cause}. No command is taken until it accepts a heartbeat (tried every {} s); \
             `kubeglass health` fails meanwhile",
            SEND_PROBE.as_secs()
        );
    }
    shared.health.failing(&cause);
}

/// While sends are refused: wait, then try a heartbeat; a success resumes the loop.
fn probe_sending(shared: &Shared) {
    sleep_unless(&shared.draining, SEND_PROBE);
    if shared.draining.load(Ordering::SeqCst) {
        return;
    }
    if heartbeat(shared) {
        shared.send_refused.store(false, Ordering::SeqCst);
        log::info!("the response queue accepts messages again: taking commands");
        shared.health.good();
    }
}

/// The receiving loop: long-poll while workers are free, hand messages to them.
fn poll(shared: &Arc<Shared>, tx: &mpsc::Sender<Message>, workers: usize) {
    let mut failures = 0u32;
    let mut state = PollState::default();
    let visibility = shared.settings.visibility_timeout;
    while !shared.draining.load(Ordering::SeqCst) {
        if shared.send_refused.load(Ordering::SeqCst) {
            // A command taken now could not be answered: it would only be delivered again
            // and again, nearer the poison rule each time.
            probe_sending(shared);
            continue;
        }
        let free = workers.saturating_sub(shared.outstanding.load(Ordering::SeqCst));
        if free == 0 {
            // Busy is healthy: every command ends by its deadline.
            if failures == 0 && !shared.health.is_failing() {
                shared.health.good();
            }
            thread::sleep(Duration::from_millis(100));
            continue;
        }
        match shared
            .queue
            .receive(free.min(10) as u32, WAIT_S, visibility)
        {
            Ok(msgs) => {
                failures = 0;
                state.ok();
                if !shared.send_refused.load(Ordering::SeqCst) {
                    shared.health.good();
                }
                for m in msgs {
                    if shared.draining.load(Ordering::SeqCst) {
                        // Received while stopping: hand it straight back.
                        let _ = shared.queue.change_visibility(&m.receipt_handle, 0);
                        continue;
                    }
                    shared.outstanding.fetch_add(1, Ordering::SeqCst);
                    if tx.send(m).is_err() {
                        return;
                    }
                }
            }
            Err(e) => {
                failures += 1;
                // A configuration error will not heal by itself soon: wait the longest.
                let wait = if e.is_retryable() {
                    backoff(failures)
                } else {
                    BACKOFF_CAP
                };
                state.failed(&e, "the command queue");
                let err = e.to_error("the command queue");
                shared.health.failing(&if refuses(&e) {
                    format!(
                        "receiving commands is refused ({err}); the agent needs \
                         sqs:ReceiveMessage on the command queue"
                    )
                } else {
                    format!("the command queue cannot be reached ({err})")
                });
                sleep_unless(&shared.draining, wait);
            }
        }
    }
}

/// What the receiving loop last reported, so an error is logged once per change of state
/// (not once per retry) and a recovery once.
#[derive(Default)]
struct PollState {
    failing: Option<String>,
    since: Option<Instant>,
    repeats: u64,
}

impl PollState {
    fn failed(&mut self, e: &SqsError, what: &str) {
        let key = format!("{:?}/{}", e.kind, e.code);
        if self.failing.as_deref() == Some(key.as_str()) {
            self.repeats += 1;
            return;
        }
        let err = e.to_error(what);
        if e.is_retryable() {
            log::warn!("receiving commands failed: {err}; retrying with backoff");
        } else {
            log::error!(
                "receiving commands failed: {err}; retrying every {} s, and `kubeglass health` \
                 fails once this lasts longer than its --max-age",
                BACKOFF_CAP.as_secs()
            );
        }
        self.failing = Some(key);
        self.since.get_or_insert_with(Instant::now);
        self.repeats = 0;
    }

    fn ok(&mut self) {
        if self.failing.take().is_some() {
            let secs = self.since.take().map_or(0, |s| s.elapsed().as_secs());
            log::info!(
                "receiving commands works again (after {secs} s and {} more failures)",
                self.repeats
            );
        }
    }
}

/// Sleep up to `d`, waking early when `stop` is set.
fn sleep_unless(stop: &AtomicBool, d: Duration) {
    let end = Instant::now() + d;
    while Instant::now() < end && !stop.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(100).min(end - Instant::now()));
    }
}

/// Exponential backoff with full jitter, capped.
pub fn backoff(attempt: u32) -> Duration {
    let ceiling =
        Duration::from_millis(500u64.saturating_mul(1 << attempt.min(10))).min(BACKOFF_CAP);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64);
    let jitter =
        (nanos.wrapping_mul(6_364_136_223_846_793_005) >> 33) % (ceiling.as_millis() as u64 + 1);
    Duration::from_millis(jitter.max(50))
}

/// Send a heartbeat; false when it was not sent (a refusal also stops taking commands).
fn heartbeat(shared: &Shared) -> bool {
    let s = &shared.settings;
    let body = json!({
        "version": protocol::VERSION, "type": "heartbeat", "agent": s.agent,
        "kubernetes_version": s.kubernetes_version,
        "scope": {"namespaces": s.namespaces},
        "started_at": shared.started_at,
        "commands_done": shared.done.load(Ordering::SeqCst),
        "commands_failed": shared.failed.load(Ordering::SeqCst),
    });
    // The agent id keeps several agents' heartbeats from deduplicating each other on FIFO.
    let id = format!(
        "heartbeat-{}-{}",
        s.agent.id,
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    );
    match shared
        .queue
        .send(&body.to_string(), "kubeglass-heartbeat", &id)
    {
        Ok(()) => true,
        Err(e) if refuses(&e) => {
            refused_sending(shared, &e);
            false
        }
        Err(e) => {
            log::warn!("heartbeat not sent: {e}");
            false
        }
    }
}

fn worker(shared: &Arc<Shared>, rx: &Mutex<mpsc::Receiver<Message>>) {
    loop {
        let msg = match rx.lock() {
            Ok(r) => r.recv(),
            Err(_) => return,
        };
        let Ok(msg) = msg else {
            return;
        };
        if shared.draining.load(Ordering::SeqCst) {
            // Not started: hand it back for another agent (or this one after restart).
            let _ = shared.queue.change_visibility(&msg.receipt_handle, 0);
        } else {
            handle(shared, &msg);
        }
        shared.outstanding.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One message: parse, skip duplicates, honour the deadline, run, respond, delete.
fn handle(shared: &Arc<Shared>, msg: &Message) {
    let started = Instant::now();
    let incoming = match protocol::parse(&msg.body) {
        Ok(i) => i,
        Err((None, e)) => {
            log::warn!(
                "dropping message {}: {} (no readable id to answer)",
                msg.message_id,
                e.message
            );
            let _ = shared.queue.delete(&msg.receipt_handle);
            return;
        }
        Err((Some(id), e)) => {
            respond_and_delete(shared, msg, &id, &Err(e), started);
            return;
        }
    };
    if msg.receive_count > MAX_RECEIVES {
        log::error!(
            "command {} was received {} times without an answer: answering Internal, not running it again",
            incoming.id,
            msg.receive_count
        );
        let err = Error::internal(format!(
            "the command failed {} times (the agent may have crashed on it); not retried",
            msg.receive_count - 1
        ));
        respond_and_delete(shared, msg, &incoming.id, &Err(err), started);
        return;
    }
    if let Some(answered) = claimed_before(shared, &incoming.id) {
        log::info!(
            "command {} is already {}: deleting the duplicate",
            incoming.id,
            if answered.is_some() {
                "answered"
            } else {
                "running"
            }
        );
        if let Some(answer) = answered {
            notify_duplicate(shared, msg, &incoming.id, &answer);
        }
        let _ = shared.queue.delete(&msg.receipt_handle);
        return;
    }
    let bounds = ops::Bounds {
        max_output_bytes: shared.settings.max_output_bytes,
        command_timeout: shared.settings.command_timeout,
    };
    // The deadline every request below honours ends the command by then, so at most
    // `--workers` commands touch the API at any moment: no thread is left behind.
    let result = ops::run_command(
        shared.exec.as_ref(),
        incoming.command,
        incoming.deadline,
        bounds,
    );
    respond_and_delete(shared, msg, &incoming.id, &result, started);
}

/// Take `id` for this delivery (`None`); `Some(answer)` when it was taken in the last hour
/// (the answer id when answered, `None` while it runs).
fn claimed_before(shared: &Shared, id: &str) -> Option<Option<String>> {
    let Ok(mut seen) = shared.seen.lock() else {
        return None;
    };
    seen.retain(|_, (t, _)| t.elapsed() < DEDUPE_FOR);
    if let Some((_, answered)) = seen.get(id) {
        return Some(answered.clone());
    }
    seen.insert(id.to_string(), (Instant::now(), None));
    None
}

/// Record that `id` was answered by `answer` (a later delivery of it gets a `duplicate`
/// notice naming that answer).
fn mark_answered(shared: &Shared, id: &str, answer: &str) {
    if let Ok(mut seen) = shared.seen.lock()
        && let Some(entry) = seen.get_mut(id)
    {
        entry.1 = Some(answer.to_string());
    }
}

/// Tell the backend an id it sent again was already answered (`type: duplicate`), so a
/// waiter for a reused id is not left to time out; backends that wait on results only
/// ignore it (docs/protocol.md).
fn notify_duplicate(shared: &Shared, msg: &Message, id: &str, answer: &str) {
    let body = json!({"version": protocol::VERSION, "type": "duplicate", "id": id,
        "answer": answer, "agent": shared.settings.agent,
        "message": "this id was already answered in the last hour; its answer is not sent again"});
    let dedup = format!("{id}.dup.{}", msg.message_id);
    if let Err(e) = shared
        .queue
        .send(&body.to_string(), queue::group_of(id), &dedup)
    {
        log::warn!("duplicate notice for {id} not sent: {e}");
    }
}

/// Give `id` up again (its answer was not sent: a redelivery must run it).
fn release(shared: &Shared, id: &str) {
    if let Ok(mut seen) = shared.seen.lock() {
        seen.remove(id);
    }
}

/// Send every part; delete the command only when all were sent.
fn respond_and_delete(
    shared: &Shared,
    msg: &Message,
    id: &str,
    result: &Result<Output>,
    started: Instant,
) {
    let answer = protocol::answer_id();
    let r = Result1 {
        id,
        answer: &answer,
        result,
        agent: &shared.settings.agent,
        duration_ms: started.elapsed().as_millis() as u64,
    };
    let (parts, answer) = match send_result(shared, &r) {
        Ok(sent) => sent,
        Err(e) => {
            log::error!(
                "result of {id} not sent ({}); the command will be redelivered",
                e.to_error("the response queue")
            );
            release(shared, id);
            if refuses(&e) {
                refused_sending(shared, &e);
                // Back at once: another agent whose answers go through may take it.
                let _ = shared.queue.change_visibility(&msg.receipt_handle, 0);
            }
            return;
        }
    };
    mark_answered(shared, id, &answer);
    match result {
        Ok(_) => shared.done.fetch_add(1, Ordering::SeqCst),
        Err(_) => shared.failed.fetch_add(1, Ordering::SeqCst),
    };
    log::info!(
        "answered {id} (answer {answer}): {} in {} ms ({} part{})",
        match result {
            Ok(_) => "ok".to_string(),
            Err(e) => e.code.to_string(),
        },
        r.duration_ms,
        parts,
        if parts == 1 { "" } else { "s" }
    );
    if let Err(e) = shared.queue.delete(&msg.receipt_handle) {
        log::warn!(
            "command {id} answered but not deleted ({e}); a redelivery will be skipped as a duplicate"
        );
    }
}

/// Send a result in parts; returns how many, and the answer id they carry. When the queue
/// refuses a part for its size (its limit lowered at run time, or `--max-message-bytes`
/// above it), the limit is read again and the result split anew under a new answer id; if
/// it still cannot go, a short error result that fits is sent instead (its own answer id),
/// so the backend always gets an answer and never mixes an abandoned split into it.
fn send_result(shared: &Shared, r: &Result1) -> std::result::Result<(usize, String), SqsError> {
    let group = queue::group_of(r.id);
    for attempt in 0..2 {
        let limit = shared.max_message_bytes.load(Ordering::SeqCst);
        let answer = match attempt {
            0 => r.answer.to_string(),
            _ => protocol::answer_id(),
        };
        let parts = protocol::result_messages(
            &Result1 {
                answer: &answer,
                ..*r
            },
            limit,
        );
        let n = parts.len();
        // The size of the part the queue refused, for the log line.
        let mut refused_len = 0;
        let sent = parts.iter().enumerate().try_for_each(|(i, body)| {
            refused_len = body.len();
            // The answer id makes every attempt's deduplication ids new (FIFO would drop a
            // re-split part 1, or a second agent's answer); a retried send of one part keeps
            // its id, so FIFO drops the copy.
            let dedup = format!("{}.{answer}.{}", r.id, i + 1);
            send_with_retry(shared, body, group, &dedup)
        });
        match sent {
            Ok(()) => return Ok((n, answer)),
            Err(e) if e.is_too_large() && attempt == 0 => {
                let fresh = shared.queue.response_limit().ok().flatten();
                let lower = fresh
                    .unwrap_or(limit / 2)
                    .min(limit / 2)
                    .max(MIN_MESSAGE_BYTES);
                log::warn!("{}", resplit_line(refused_len, limit, fresh, lower, &e));
                shared.max_message_bytes.store(lower, Ordering::SeqCst);
            }
            Err(e) if e.is_too_large() => return send_unsendable(shared, r, limit),
            Err(e) => return Err(e),
        }
    }
    send_unsendable(shared, r, shared.max_message_bytes.load(Ordering::SeqCst))
}

/// The WARN line of a size refusal: the size of the message the queue refused (not the
/// split limit it was cut to, which the queue's own accounting may push past), what the
/// queue's limit reads now, and the new split.
fn resplit_line(
    refused: usize,
    limit: usize,
    fresh: Option<usize>,
    lower: usize,
    e: &SqsError,
) -> String {
    let now_reads = match fresh {
        Some(n) => format!("it now takes {n} bytes a message"),
        None => "its limit could not be read".to_string(),
    };
    format!(
        "the response queue refused a message of {refused} bytes (cut at {limit}) ({e}); \
         {now_reads}: splitting at {lower} bytes"
    )
}

/// The short error result for a result no split could send.
fn send_unsendable(
    shared: &Shared,
    r: &Result1,
    limit: usize,
) -> std::result::Result<(usize, String), SqsError> {
    log::error!(
        "result of {} cannot be sent at {limit} bytes a message: answering Internal",
        r.id
    );
    let err = Err(Error::internal(format!(
        "the result could not be sent: the response queue refused messages of {limit} bytes; \
         raise its MaximumMessageSize or ask for less (max_output_bytes)"
    )));
    let answer = protocol::answer_id();
    let short = Result1 {
        result: &err,
        answer: &answer,
        ..*r
    };
    let body = protocol::result_messages(&short, usize::MAX).remove(0);
    send_with_retry(
        shared,
        &body,
        queue::group_of(r.id),
        &format!("{}.{answer}.err", r.id),
    )?;
    Ok((1, answer))
}

fn send_with_retry(
    shared: &Shared,
    body: &str,
    group: &str,
    dedup: &str,
) -> std::result::Result<(), SqsError> {
    let mut attempt = 0;
    loop {
        match shared.queue.send(body, group, dedup) {
            Ok(()) => return Ok(()),
            Err(e) if e.is_retryable() && attempt < 4 => {
                attempt += 1;
                log::warn!("sending a result failed ({e}), retry {attempt}");
                thread::sleep(backoff(attempt));
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests;
