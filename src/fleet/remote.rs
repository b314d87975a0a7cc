//! One cluster's agent over its queue pair, from the backend's side: a protocol v1 command
//! out on the command queue, its answer's parts back from the response queue, assembled as
//! docs/protocol.md says (keyed by `(id, answer)`, the first complete answer kept).
//!
//! **Sharing a response queue.** Several `mcp --fleet` processes (and several calls of one)
//! may wait on one response queue; the agent sends every answer there, so nobody can own it.
//! The model is *receive, keep yours, release the rest at once*:
//! - every call gets a fresh id, `fleet-<epoch second its caller stops waiting>-<16 hex>`;
//!   a waiter deletes only the parts of its own id;
//! - any other message it receives is handed back at once (visibility 0), and the waiter
//!   steps back for [`FOREIGN_PAUSE`] before its next receive, so the owner's open long poll
//!   takes it rather than this waiter again. It is never deleted and never held for the
//!   length of a wait (the sample backend's and `send`'s way, which would starve a
//!   concurrent caller until its deadline);
//! - a `fleet-` answer whose waiter's stop time is [`ORPHAN_GRACE_S`] past (it answered too
//!   late, or its process died) is deleted by whoever sees it, so late answers do not pile up;
//! - heartbeats are recorded for the `clusters` tool and deleted: a response queue read by
//!   `mcp --fleet` is a kubeglass backends' queue, and nobody else would empty it of them.
//!
//! The price: each receive of a stranger's message raises its `ApproximateReceiveCount`, so a
//! response queue shared by several `mcp` processes must have no redrive policy (or a high
//! `maxReceiveCount`), and a message another waiter received first reaches its owner a little
//! later (measured on the testbed: tests/e2e_mcp_fleet.rs prints the time two processes take).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::Queues;
use crate::aws::Provider;
use crate::error::{Code, Error, Result};
use crate::output::{Format, Output};
use crate::protocol;
use crate::sqs::{self, Sqs, SqsError};
use crate::timefmt;

/// After handing back another waiter's message, wait this long before receiving again: the
/// message is visible at once, and this leaves it to the owner's long poll.
pub const FOREIGN_PAUSE: Duration = Duration::from_millis(300);
/// How long a received message stays hidden while we sort it (then it is deleted or
/// released; a crash in between returns it to the queue after this).
const SORT_HIDE_S: u32 = 30;
/// A `fleet-` answer this long past its waiter's stop time is nobody's: deleted.
pub const ORPHAN_GRACE_S: u64 = 120;
/// Every id this module sends starts so (and has no `:`: on a FIFO response queue the group
/// is the id up to its first `:`, so each call is its own group and one hidden stranger
/// never holds up another call's answer).
pub const ID_PREFIX: &str = "fleet-";
/// After a transient SQS failure while waiting, try again this soon (within the deadline).
const RETRY_PAUSE: Duration = Duration::from_millis(500);

/// What a cluster's agent last said about itself.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// The last heartbeat received from its response queue, and when.
    pub heartbeat: Option<(SystemTime, Value)>,
    /// The `agent` of the last answer, and when it came.
    pub answer: Option<(SystemTime, Value)>,
}

/// A cluster's agent, reached over SQS.
pub struct Remote {
    queues: Queues,
    sqs: Sqs,
    seen: Mutex<Seen>,
}

impl Remote {
    /// A client for `queues`, signing with the queue's profile (or the default chain) in its
    /// region (or the one `AWS_REGION` or the URL gives). Nothing is sent yet.
    pub fn connect(queues: &Queues) -> Result<Remote> {
        Ok(Remote {
            queues: queues.clone(),
            sqs: client(queues)?,
            seen: Mutex::new(Seen::default()),
        })
    }

    /// The queue pair.
    pub fn queues(&self) -> &Queues {
        &self.queues
    }

    /// What the agent last said about itself.
    pub fn seen(&self) -> Seen {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Send `command` (the JSON command form) and wait up to `timeout` for its answer. The
    /// agent gets a deadline a little earlier ([`travel_margin`]), so that its own `Timeout`
    /// answer still arrives in time; no answer at all is `Timeout` saying no agent answered.
    pub fn call(
        &self,
        command: &Value,
        max_output_bytes: usize,
        timeout: Duration,
    ) -> Result<Output> {
        self.exchange(
            ("command", command.clone()),
            Some(max_output_bytes),
            timeout,
        )
    }

    /// [`Remote::call`] with the command in either protocol form: `("command", {…})` or
    /// `("kubectl", [words])` (`send --fleet`), and the agent's own budget when `max` is `None`.
    pub fn exchange(
        &self,
        (field, command): (&str, Value),
        max: Option<usize>,
        timeout: Duration,
    ) -> Result<Output> {
        let now = SystemTime::now();
        let stop = Instant::now() + timeout;
        let stop_epoch = (now + timeout)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            + 1;
        let id = format!("{ID_PREFIX}{stop_epoch}-{:016x}", protocol::unique_u64());
        let mut body = json!({
            "version": protocol::VERSION,
            "id": id,
            "deadline": timefmt::format_rfc3339(now + timeout - travel_margin(timeout)),
        });
        body[field] = command;
        if let Some(max) = max {
            body["max_output_bytes"] = json!(max);
        }
        let q = &self.queues.command;
        let fifo = q.ends_with(".fifo").then_some((id.as_str(), id.as_str()));
        let mid = self
            .sqs
            .send(q, &body.to_string(), fifo)
            .map_err(|e| e.to_error(q))?;
        log::debug!("sent {id} as SQS MessageId {mid}");
        let parts = self.wait(&id, stop, timeout)?;
        answer(&parts)
    }

    /// Receive until every part of `id`'s answer is in (deleting them) or `stop`, sorting
    /// every other message as the module header says.
    fn wait(&self, id: &str, stop: Instant, timeout: Duration) -> Result<Vec<Value>> {
        let q = &self.queues.response;
        let mut answers = protocol::Assembly::default();
        let mut failing: Option<SqsError> = None;
        while Instant::now() < stop {
            let left = stop.saturating_duration_since(Instant::now());
            let wait_s = left.as_secs().clamp(1, 20) as u32;
            let msgs = match self.sqs.receive(q, 10, wait_s, SORT_HIDE_S) {
                Ok(m) => {
                    failing = None;
                    m
                }
                Err(e) if e.is_retryable() => {
                    if failing.is_none() {
                        log::warn!("{q}: {e}; retrying until the call's deadline");
                    }
                    failing = Some(e);
                    std::thread::sleep(RETRY_PAUSE.min(left));
                    continue;
                }
                Err(e) => return Err(e.to_error(q)),
            };
            let mut complete = None;
            let mut handed_back = false;
            for m in msgs {
                let v = serde_json::from_str::<Value>(&m.body).unwrap_or(Value::Null);
                match self.sort(id, &v) {
                    Sorted::Mine => {
                        let _ = self.sqs.delete(q, &m.receipt_handle);
                        // The rest of this batch is still sorted (deleted or released).
                        complete = complete.or_else(|| answers.add(v));
                    }
                    Sorted::Spent => {
                        let _ = self.sqs.delete(q, &m.receipt_handle);
                    }
                    Sorted::Foreign => {
                        let _ = self.sqs.change_visibility(q, &m.receipt_handle, 0);
                        handed_back = true;
                    }
                }
            }
            if let Some(parts) = complete {
                if let (Some(agent), Ok(mut s)) = (parts[0].get("agent"), self.seen.lock()) {
                    s.answer = Some((SystemTime::now(), agent.clone()));
                }
                return Ok(parts);
            }
            if handed_back {
                std::thread::sleep(
                    FOREIGN_PAUSE.min(stop.saturating_duration_since(Instant::now())),
                );
            }
        }
        Err(match failing {
            Some(e) => {
                let mut e = e.to_error(q);
                e.message = format!("no answer within {} s: {}", timeout.as_secs(), e.message);
                e
            }
            None => Error::new(
                Code::Timeout,
                format!(
                    "no agent answered within {} s (is its agent running and reading {}?)",
                    timeout.as_secs(),
                    self.queues.command
                ),
            ),
        })
    }

    /// One receive that waits for nothing: takes the heartbeats waiting on the response
    /// queue (for the `clusters` tool), deletes orphans and releases the rest.
    pub fn collect_heartbeats(&self) -> Result<()> {
        let q = &self.queues.response;
        let msgs = self
            .sqs
            .receive(q, 10, 0, SORT_HIDE_S)
            .map_err(|e| e.to_error(q))?;
        for m in msgs {
            let v = serde_json::from_str::<Value>(&m.body).unwrap_or(Value::Null);
            let _ = match self.sort("", &v) {
                Sorted::Mine | Sorted::Spent => self.sqs.delete(q, &m.receipt_handle),
                Sorted::Foreign => self.sqs.change_visibility(q, &m.receipt_handle, 0),
            };
        }
        Ok(())
    }

    /// What a received message is to the waiter for `id` (recording heartbeats).
    fn sort(&self, id: &str, v: &Value) -> Sorted {
        let of = v.get("id").and_then(Value::as_str);
        match v.get("type").and_then(Value::as_str) {
            Some("result") if !id.is_empty() && of == Some(id) => Sorted::Mine,
            // Our ids are fresh: a `duplicate` notice for one says nothing we need.
            Some("duplicate") if !id.is_empty() && of == Some(id) => Sorted::Spent,
            Some("heartbeat") => {
                if let Ok(mut s) = self.seen.lock() {
                    s.heartbeat = Some((SystemTime::now(), v.clone()));
                }
                Sorted::Spent
            }
            Some("result" | "duplicate") if of.is_some_and(|i| orphaned(i, SystemTime::now())) => {
                Sorted::Spent
            }
            _ => Sorted::Foreign,
        }
    }
}

/// An SQS client for a queue pair: the pair's profile (else the default chain), its region
/// (else `AWS_REGION`, else the one in the URL), the endpoint `AWS_ENDPOINT_URL_SQS` or the
/// URL's. Nothing is sent yet.
pub fn client(queues: &Queues) -> Result<Sqs> {
    let creds = Arc::new(match &queues.profile {
        Some(p) => Provider::for_profile(p.clone()),
        None => Provider::from_env(),
    });
    let region = match &queues.region {
        Some(r) => r.clone(),
        None => sqs::region_for(&queues.command)?,
    };
    Sqs::at(&sqs::endpoint_for(&queues.command)?, &region, None, creds)
}

/// What a received message is to a waiter.
enum Sorted {
    /// A part of the answer it waits for.
    Mine,
    /// Nobody's any more (a heartbeat, once recorded; an orphaned answer): deleted.
    Spent,
    /// Another waiter's: released.
    Foreign,
}

/// How much earlier than the caller's stop the agent's deadline is: a tenth of the wait,
/// 1–5 s, so that the agent's `Timeout` answer travels back before the caller gives up.
pub fn travel_margin(timeout: Duration) -> Duration {
    (timeout / 10)
        .clamp(Duration::from_secs(1), Duration::from_secs(5))
        .min(timeout / 2)
}

/// Whether `id` is a fleet call's whose waiter stopped more than [`ORPHAN_GRACE_S`] ago.
pub fn orphaned(id: &str, now: SystemTime) -> bool {
    let Some(stop) = id
        .strip_prefix(ID_PREFIX)
        .and_then(|r| r.split('-').next())
        .and_then(|s| s.parse::<u64>().ok())
    else {
        return false;
    };
    let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    now > stop.saturating_add(ORPHAN_GRACE_S)
}

/// One complete answer's parts as an [`Output`], or the agent's error (with its partial
/// output when it sent one).
pub fn answer(parts: &[Value]) -> Result<Output> {
    let first = &parts[0];
    let text = protocol::join_parts(parts)
        .map_err(|e| Error::internal(format!("cannot join the answer's parts: {e}")))?;
    // An agent's answer is redacted at the source; control characters are still kept off
    // the reader's screen whatever the queue carried.
    let text = crate::output::printable(&text).into_owned();
    if first.get("status").and_then(Value::as_str) == Some("error") {
        let raw = first.pointer("/error/code").cloned().unwrap_or(Value::Null);
        let message = first
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let e = match serde_json::from_value::<Code>(raw.clone()) {
            Ok(code) => Error::new(code, message),
            // A newer agent's code: kept in the text.
            Err(_) => Error::internal(format!("{raw}: {message}")),
        };
        return Err(if text.is_empty() {
            e
        } else {
            e.with_partial(text)
        });
    }
    let format = first
        .get("format")
        .cloned()
        .and_then(|f| serde_json::from_value::<Format>(f).ok())
        .unwrap_or(Format::Text);
    Ok(Output::plain(
        text,
        format,
        first.get("truncated").and_then(Value::as_bool) == Some(true),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_orphaned_only_well_after_its_waiter_stopped() {
        let at = |s: u64| UNIX_EPOCH + Duration::from_secs(s);
        let id = "fleet-1000-00000000000000ab";
        assert!(!orphaned(id, at(1000)));
        assert!(!orphaned(id, at(1000 + ORPHAN_GRACE_S)));
        assert!(orphaned(id, at(1001 + ORPHAN_GRACE_S)));
        // Anyone else's id is never ours to delete, however old.
        for other in ["send-1000", "inv-1:abc", "fleet-x-1", "fleet-", "1000"] {
            assert!(!orphaned(other, at(u64::MAX / 2)), "{other}");
        }
    }

    #[test]
    fn the_agent_stops_before_the_caller_so_its_timeout_answer_arrives() {
        for (t, m) in [(60, 5), (20, 2), (5, 1), (1, 0)] {
            let margin = travel_margin(Duration::from_secs(t));
            assert!(
                margin.as_secs() == m || (t == 1 && margin <= Duration::from_millis(500)),
                "{t}: {margin:?}"
            );
        }
    }

    #[test]
    fn answers_become_outputs_and_errors_keep_code_and_partial() {
        let ok = json!({"type": "result", "id": "x", "answer": "a", "status": "ok", "format": "yaml",
            "truncated": true, "encoding": "identity", "output": "a: 1\n", "part": 1, "parts": 1});
        let out = answer(&[ok]).unwrap();
        assert_eq!(
            (out.text.as_str(), out.format, out.truncated),
            ("a: 1\n", Format::Yaml, true)
        );
        let err = json!({"type": "result", "id": "x", "answer": "a", "status": "error",
            "error": {"code": "OutOfScope", "message": "namespace kube-system"},
            "format": "text", "truncated": false, "encoding": "identity", "output": "", "part": 1, "parts": 1});
        let e = answer(std::slice::from_ref(&err)).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str(), e.partial),
            (Code::OutOfScope, "namespace kube-system", None)
        );
        let mut newer = err;
        newer["error"]["code"] = json!("Quota");
        newer["output"] = json!("b 1/1");
        let e = answer(&[newer]).unwrap_err();
        assert_eq!(e.code, Code::Internal);
        assert!(e.message.contains("Quota"), "{}", e.message);
        assert_eq!(e.partial.as_deref(), Some("b 1/1"));
    }
}
