//! The watchers: one thread per watched resource (pods, events, ReplicaSets,
//! ControllerRevisions, Jobs, nodes) and namespace (one for all namespaces
//! without a `--namespaces` allow-list; nodes once, unless cluster resources are off), each listing, then watching from the list's
//! resourceVersion, resuming from the last one it saw when the server ends a watch,
//! relisting on `410 Gone`, and backing off (capped, jittered) on other errors.
//!
//! Timeouts are explicit: the server ends each watch after [`WATCH_SECONDS`], and the
//! transport cuts a watch whose body runs past [`WATCH_BODY_TIMEOUT`] (a stalled
//! connection), after which the watcher resumes. A termination's log is read once, within
//! [`LOG_DEADLINE`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use super::Recorder;
use super::{extract, gone, workloads};
use crate::error::{Code, Error, Result};
use crate::ops::Engine;
use crate::ops::engine::Revisions;
use crate::redact::Redacted;
use crate::url::{encode, with_query};

/// How long the server keeps one watch open (`timeoutSeconds`); bookmarks arrive within.
pub const WATCH_SECONDS: u64 = 240;
/// The most a watch's body may take before the transport cuts it: past the server's own
/// end of the watch, so only a stalled connection reaches it.
pub const WATCH_BODY_TIMEOUT: Duration = Duration::from_secs(WATCH_SECONDS + 60);
/// Lines of a terminated container's log kept.
pub const LOG_LINES: usize = 20;
/// Bytes of a terminated container's log read at most (`limitBytes`).
pub const LOG_BYTES: usize = 8 * 1024;
/// Longest log line kept (cut after redaction).
pub const LOG_LINE_BYTES: usize = 300;
/// How long the one read of a terminated container's log may take.
pub const LOG_DEADLINE: Duration = Duration::from_secs(10);
/// Objects per list page when (re)listing.
const LIST_PAGE: usize = 100;
/// Event counts remembered (to count a repeated event once); past it the memory restarts.
const MAX_EVENT_COUNTS: usize = 20_000;

/// What a watcher follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Watched {
    Pods,
    Events,
    Nodes,
    ReplicaSets,
    ControllerRevisions,
    Jobs,
}

impl Watched {
    /// The namespaced ones, each watched in every namespace of the scope.
    const NAMESPACED: [Watched; 5] = [
        Watched::Pods,
        Watched::Events,
        Watched::ReplicaSets,
        Watched::ControllerRevisions,
        Watched::Jobs,
    ];

    /// The resource, as `super::WATCHED` names it (`plural` or `plural.group`), which the
    /// RBAC list is checked against.
    fn typed(self) -> &'static str {
        match self {
            Watched::Pods => super::WATCHED[0],
            Watched::Events => super::WATCHED[1],
            Watched::Nodes => super::WATCHED[2],
            Watched::ReplicaSets => super::WATCHED[3],
            Watched::ControllerRevisions => super::WATCHED[4],
            Watched::Jobs => super::WATCHED[5],
        }
    }

    fn plural(self) -> &'static str {
        self.typed().split('.').next().unwrap_or("")
    }

    /// The API path prefix of its group and version.
    fn api(self) -> &'static str {
        match self.typed().split_once('.') {
            Some((_, "apps")) => "/apis/apps/v1",
            Some((_, "batch")) => "/apis/batch/v1",
            _ => "/api/v1",
        }
    }
}

/// Start the watchers for the engine's scope; they run for the life of the process.
pub fn start(engine: Arc<Engine>, recorder: Arc<Recorder>) -> Result<()> {
    let namespaces: Vec<Option<String>> = match engine.scope().namespaces_for_all() {
        None => vec![None],
        Some(list) => list.iter().cloned().map(Some).collect(),
    };
    // Nodes are cluster-scoped: watched once, unless cluster resources are off.
    let nodes = engine.scope().check_cluster_scoped("nodes").is_ok();
    let mut watches: Vec<(Watched, Option<String>)> = Vec::new();
    for ns in namespaces {
        for what in Watched::NAMESPACED {
            watches.push((what, ns.clone()));
        }
    }
    if nodes {
        watches.push((Watched::Nodes, None));
    }
    for (what, ns) in watches {
        let mut w = Watcher {
            engine: Arc::clone(&engine),
            recorder: Arc::clone(&recorder),
            what,
            base: match &ns {
                None => format!("{}/{}", what.api(), what.plural()),
                Some(n) => format!("{}/namespaces/{n}/{}", what.api(), what.plural()),
            },
            counts: HashMap::new(),
            node_states: HashMap::new(),
            failing: false,
        };
        std::thread::Builder::new()
            .name(format!("record-{}", what.plural()))
            // Redaction recurses through objects up to serde_json's depth limit (128): room
            // for that in a debug build too. Only the pages touched count in RSS.
            .stack_size(1024 * 1024)
            .spawn(move || w.run())
            .map_err(|e| Error::internal(format!("cannot start a recorder thread: {e}")))?;
    }
    Ok(())
}

/// One resource in one namespace (or all), followed for the life of the process.
struct Watcher {
    engine: Arc<Engine>,
    recorder: Arc<Recorder>,
    what: Watched,
    /// The list path (`/api/v1/pods`, `/api/v1/namespaces/shop/events`).
    base: String,
    /// The count each event had when last seen, by uid: a repeated event adds only its
    /// new occurrences, and a relist adds nothing.
    counts: HashMap<String, u64>,
    /// A hash of each node's condition transitions when last seen: a heartbeat that changes
    /// none (most node updates) costs no look through the ring.
    node_states: HashMap<String, u64>,
    /// Whether the last attempt failed (a warning was logged; the next success says so).
    failing: bool,
}

impl Watcher {
    /// List, then watch, for ever: resume on a watch's end, relist on 410, back off on
    /// errors (logged once per change of state).
    fn run(&mut self) {
        let mut rv: Option<String> = None;
        let mut attempt = 0u32;
        // 410s since a watch last ran its course: a server that expires every watch at
        // once must not make the watcher relist in a tight loop.
        let mut expired = 0u32;
        loop {
            let watching = rv.is_some();
            let step = match &rv {
                None => self.list(),
                Some(v) => self.watch(v),
            };
            match step {
                Ok(next) => {
                    self.recovered();
                    attempt = 0;
                    if watching {
                        expired = 0;
                    }
                    rv = Some(next);
                }
                Err(e) if e.code == Code::Expired => {
                    if expired > 0 {
                        std::thread::sleep(crate::agent::backoff(expired));
                    }
                    expired = expired.saturating_add(1);
                    log::info!(
                        "recorder: {} expired ({}); listing again",
                        self.base,
                        e.message
                    );
                    rv = None;
                }
                Err(e) => {
                    if !self.failing {
                        log::warn!("recorder: watching {} failed: {e}; retrying", self.base);
                        self.failing = true;
                    }
                    std::thread::sleep(crate::agent::backoff(attempt));
                    attempt = attempt.saturating_add(1);
                }
            }
        }
    }

    /// Say once that a watcher which failed works again.
    fn recovered(&mut self) {
        if self.failing {
            log::info!("recorder: watching {} again", self.base);
            self.failing = false;
        }
    }

    /// List everything (recording what it shows) and return the list's resourceVersion.
    fn list(&mut self) -> Result<String> {
        let mut rv = None;
        let engine = Arc::clone(&self.engine);
        let base = self.base.clone();
        engine.list_pages(&base, "application/json", LIST_PAGE, |page| {
            if rv.is_none() {
                rv = page
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            for item in page.items() {
                self.seen("ADDED", &item);
            }
            Ok(true)
        })?;
        rv.ok_or_else(|| {
            Error::internal(format!("the list of {} has no resourceVersion", self.base))
        })
    }

    /// Watch from `rv` until the server ends the watch; returns the last resourceVersion.
    fn watch(&mut self, rv: &str) -> Result<String> {
        let path = format!(
            "{}?watch=1&allowWatchBookmarks=true&resourceVersion={}&timeoutSeconds={WATCH_SECONDS}",
            self.base,
            encode(rv)
        );
        let engine = Arc::clone(&self.engine);
        let mut events = engine.watch(&path, WATCH_BODY_TIMEOUT)?;
        self.recovered();
        let mut last = rv.to_string();
        while let Some(ev) = events.next_event()? {
            if ev.kind == "ERROR" {
                let code = ev.object.get("code").and_then(Value::as_u64);
                let message = ev
                    .object
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let kind = if code == Some(410) {
                    Code::Expired
                } else {
                    Code::ApiUnavailable
                };
                let code = code.unwrap_or(0);
                return Err(Error::new(kind, format!("watch error {code}: {message}")));
            }
            if let Some(v) = ev
                .object
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
            {
                last = v.to_string();
            }
            if ev.kind != "BOOKMARK" {
                self.seen(&ev.kind, &ev.object);
            }
        }
        Ok(last)
    }

    /// Record what `obj` (redacted) shows; a deletion marks what the API no longer has.
    fn seen(&mut self, kind: &str, obj: &Redacted<Value>) {
        let now = SystemTime::now();
        let deleted = kind == "DELETED";
        match self.what {
            Watched::Pods if deleted => gone::pod_deleted(&mut self.recorder.ring(), obj),
            Watched::Pods => self.pod(obj, now),
            Watched::Events => self.event(kind, obj, now),
            Watched::Nodes => {
                if !deleted && !self.node_changed(obj) {
                    return;
                }
                if deleted {
                    let name = obj.pointer("/metadata/name").and_then(Value::as_str);
                    self.node_states.remove(name.unwrap_or(""));
                } else {
                    self.node(obj, now);
                }
                gone::node_seen(&mut self.recorder.ring(), obj, deleted, now);
            }
            Watched::ReplicaSets | Watched::ControllerRevisions if deleted => {}
            Watched::ReplicaSets => {
                workloads::revision(&self.engine, &self.recorder, obj, Revisions::ReplicaSets)
            }
            Watched::ControllerRevisions => workloads::revision(
                &self.engine,
                &self.recorder,
                obj,
                Revisions::ControllerRevisions,
            ),
            Watched::Jobs if deleted => gone::job_deleted(&mut self.recorder.ring(), obj),
            Watched::Jobs => workloads::job(&self.recorder, obj, now),
        }
    }

    fn pod(&mut self, pod: &Redacted<Value>, now: SystemTime) {
        let mut new = false;
        for mut t in extract::terminations(pod, now) {
            if self.recorder.ring().contains(&t.record.key) {
                continue;
            }
            t.record.log = self.last_log_lines(&t);
            self.recorder.ring().add(t.record);
            new = true;
        }
        if new {
            gone::terminations_moved_on(&mut self.recorder.ring(), pod, now);
        }
        let failed = extract::failed_pod(pod, now);
        let stuck = extract::unschedulable_pod(pod, now);
        let mut ring = self.recorder.ring();
        for r in failed.into_iter().chain(stuck) {
            if !ring.contains(&r.key) {
                ring.add(r);
            }
        }
    }

    /// Whether `node`'s conditions changed (a transition) since it was last seen.
    fn node_changed(&mut self, node: &Redacted<Value>) -> bool {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for c in node
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for k in ["/type", "/status", "/lastTransitionTime"] {
                c.pointer(k).and_then(Value::as_str).hash(&mut h);
            }
        }
        let name = node
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if self.node_states.len() >= MAX_EVENT_COUNTS {
            self.node_states.clear();
        }
        self.node_states.insert(name.to_string(), h.finish()) != Some(h.finish())
    }

    /// A bad node condition is recorded once per transition; a good one only as the
    /// recovery of a condition the ring saw go bad (a healthy node adds nothing).
    fn node(&mut self, node: &Redacted<Value>, now: SystemTime) {
        let mut ring = self.recorder.ring();
        for (r, bad, earlier) in extract::node_conditions(node, now) {
            if !ring.contains(&r.key) && (bad || ring.contains_prefix(&earlier)) {
                ring.add(r);
            }
        }
    }

    fn event(&mut self, kind: &str, ev: &Redacted<Value>, now: SystemTime) {
        let uid = ev
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if kind == "DELETED" {
            self.counts.remove(&uid);
            gone::event_deleted(&mut self.recorder.ring(), ev, now);
            return;
        }
        let count = extract::event_count(ev);
        let before = self.counts.get(&uid).copied().unwrap_or(0);
        if self.counts.len() >= MAX_EVENT_COUNTS {
            self.counts.clear();
        }
        self.counts.insert(uid, count);
        let grew = count.saturating_sub(before);
        if grew == 0 {
            return;
        }
        if let Some(r) = extract::warning(ev, grew, now) {
            self.recorder.ring().add(r);
        }
    }

    /// The last lines of the terminated container's log, read once, through the log
    /// redactor; a log that cannot be read is one line saying why.
    fn last_log_lines(&self, t: &extract::Termination) -> Vec<String> {
        let ns = &t.record.namespace;
        let path = with_query(
            &format!("/api/v1/namespaces/{ns}/pods/{}/log", t.pod),
            &[
                ("container", Some(&t.container)),
                ("previous", t.previous.then_some("true")),
                ("tailLines", Some(&LOG_LINES.to_string())),
                ("limitBytes", Some(&LOG_BYTES.to_string())),
            ],
        );
        let read = || -> Result<Vec<String>> {
            let mut lines = self.engine.log_lines(&path, LOG_LINE_BYTES)?;
            let mut kept = std::collections::VecDeque::new();
            while let Some(line) = lines.next_line()? {
                if kept.len() == LOG_LINES {
                    kept.pop_front();
                }
                kept.push_back(line.into_string());
            }
            Ok(kept.into())
        };
        match crate::kube::deadline::within(Instant::now() + LOG_DEADLINE, read) {
            Ok(lines) => lines,
            Err(e) => vec![format!(
                "[kubeglass: the log could not be read: {}]",
                e.message
            )],
        }
    }
}
