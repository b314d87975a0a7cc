//! The watchers: one thread per watched resource (pods, events, ReplicaSets,
//! ControllerRevisions, Jobs, nodes) and namespace (one for all namespaces
//! without a `--namespaces` allow-list; nodes once, unless cluster resources are off), each listing, then watching from the list's
//! resourceVersion, resuming from the last one it saw when the server ends a watch,
//! relisting on `410 Gone`, and backing off (capped, jittered) on other errors.
//!
//! Timeouts are explicit: the server ends each watch after [`WATCH_SECONDS`]
//! (`KUBEGLASS_RECORD_WATCH_SECONDS` sets another), and the transport cuts a watch whose
//! body runs past that and a quarter more ([`body_timeout`]): only a stalled connection — open,
//! silent — gets there, and the watcher then resumes from the last resourceVersion it saw
//! (a bookmark's included), so a stall delays records but loses none the API still has.
//! Between events a watcher blocks in a socket read: a quiet cluster costs no CPU. A
//! termination's log is read once, within [`LOG_DEADLINE`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use super::Recorder;
use super::{extract, gone, workloads};
use crate::error::{Code, Error, Result};
use crate::ops::Engine;
use crate::ops::engine::Revisions;
use crate::ops::logs::TAIL_CONTEXT;
use crate::redact::Redacted;
use crate::url::{encode, with_query};

/// How long the server keeps one watch open (`timeoutSeconds`) unless
/// `KUBEGLASS_RECORD_WATCH_SECONDS` says otherwise; bookmarks arrive within.
pub const WATCH_SECONDS: u64 = 240;
/// The longest watch `KUBEGLASS_RECORD_WATCH_SECONDS` may ask for (a stall goes unnoticed
/// for up to this and a quarter).
const MAX_WATCH_SECONDS: u64 = 3600;
/// Lines of a terminated container's log kept.
pub const LOG_LINES: usize = 20;
/// Bytes of a terminated container's kept lines at most, counted after redaction (the
/// oldest kept lines go first). Never sent as `limitBytes`: the kubelet cuts before the
/// redactor sees a line, and a cut inside a credential (a URL's password before its `@`,
/// a token cut short) no longer has the shape the redactor hides.
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

/// The most a watch of `seconds` may take before the transport cuts its body: a quarter
/// (at least 2 s) past the server's own end of the watch, so only a stalled connection
/// reaches it (240 s: cut at 300 s).
pub fn body_timeout(seconds: u64) -> Duration {
    Duration::from_secs(seconds + (seconds / 4).max(2))
}

/// `timeoutSeconds` for every watch: `KUBEGLASS_RECORD_WATCH_SECONDS` (1 to 3600; shorter
/// notices a stalled connection sooner, at the cost of a request per watcher that often),
/// else [`WATCH_SECONDS`].
fn watch_seconds(env: Option<String>) -> Result<u64> {
    let Some(v) = env.filter(|v| !v.trim().is_empty()) else {
        return Ok(WATCH_SECONDS);
    };
    match v.trim().parse::<u64>() {
        Ok(s) if (1..=MAX_WATCH_SECONDS).contains(&s) => {
            log::info!("recorder: watches of {s} s (KUBEGLASS_RECORD_WATCH_SECONDS)");
            Ok(s)
        }
        _ => Err(Error::invalid(format!(
            "KUBEGLASS_RECORD_WATCH_SECONDS takes whole seconds from 1 to {MAX_WATCH_SECONDS}: got {v:?}"
        ))),
    }
}

/// Start the watchers for the engine's scope; they run for the life of the process.
pub fn start(engine: Arc<Engine>, recorder: Arc<Recorder>) -> Result<()> {
    let seconds = watch_seconds(std::env::var("KUBEGLASS_RECORD_WATCH_SECONDS").ok())?;
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
            numbers: workloads::Numbers::default(),
            failing: false,
            seconds,
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
    /// The revision numbers seen (ReplicaSets, ControllerRevisions): what tells a rollback.
    numbers: workloads::Numbers,
    /// Whether the last attempt failed (a warning was logged; the next success says so).
    failing: bool,
    /// `timeoutSeconds` of each watch ([`watch_seconds`]).
    seconds: u64,
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
            // A watch moves `rv` along as events and bookmarks arrive, so a watch that fails
            // midway (a stalled or dropped connection) resumes from the last one it saw.
            let step = match rv.take() {
                None => self.list().map(Some),
                Some(mut v) => {
                    let r = self.watch(&mut v);
                    rv = Some(v);
                    r.map(|()| None)
                }
            };
            match step {
                Ok(listed) => {
                    self.recovered();
                    attempt = 0;
                    if watching {
                        expired = 0;
                    }
                    if listed.is_some() {
                        rv = listed;
                    }
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
        let mut objects = 0usize;
        let engine = Arc::clone(&self.engine);
        let base = self.base.clone();
        self.numbers.list_begins();
        engine.list_pages(&base, "application/json", LIST_PAGE, |page| {
            if rv.is_none() {
                rv = page
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            for item in page.items() {
                objects += 1;
                self.seen("ADDED", &item);
            }
            Ok(true)
        })?;
        // Only a list read to its end says what no longer exists.
        self.numbers.list_ended();
        // Once per list (at start, after a 410): when the recorder is caught up.
        log::info!("recorder: listed {} ({objects} objects)", self.base);
        rv.ok_or_else(|| {
            Error::internal(format!("the list of {} has no resourceVersion", self.base))
        })
    }

    /// Watch from `rv` until the server ends the watch, moving `rv` to each resourceVersion
    /// seen (events and bookmarks).
    fn watch(&mut self, rv: &mut String) -> Result<()> {
        let path = format!(
            "{}?watch=1&allowWatchBookmarks=true&resourceVersion={}&timeoutSeconds={}",
            self.base,
            encode(rv),
            self.seconds
        );
        let engine = Arc::clone(&self.engine);
        let mut events = engine.watch(&path, body_timeout(self.seconds))?;
        self.recovered();
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
                v.clone_into(rv);
            }
            if ev.kind != "BOOKMARK" {
                self.seen(&ev.kind, &ev.object);
            }
        }
        Ok(())
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
            Watched::ReplicaSets | Watched::ControllerRevisions if deleted => {
                let uid = obj.pointer("/metadata/uid").and_then(Value::as_str);
                self.numbers.forget(uid.unwrap_or(""));
            }
            Watched::ReplicaSets | Watched::ControllerRevisions => {
                let kind = match self.what {
                    Watched::ReplicaSets => Revisions::ReplicaSets,
                    _ => Revisions::ControllerRevisions,
                };
                let (engine, recorder) = (&self.engine, &self.recorder);
                workloads::revision(engine, recorder, &mut self.numbers, obj, kind, now);
            }
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
        // The kubelet cuts `tailLines` before the redactor sees a line: a value spanning
        // lines (`password: |` and its block, pretty-printed JSON, a `\` continuation)
        // could open above the first line kept. Read TAIL_CONTEXT lines more through the
        // same redactor, as `logs --tail` does, and keep only the newest LOG_LINES.
        let tail = LOG_LINES + TAIL_CONTEXT.unsigned_abs() as usize;
        let path = with_query(
            &format!("/api/v1/namespaces/{ns}/pods/{}/log", t.pod),
            &[
                ("container", Some(&t.container)),
                ("previous", t.previous.then_some("true")),
                ("tailLines", Some(&tail.to_string())),
            ],
        );
        let read = || -> Result<Vec<String>> {
            // Each line is held at most LOG_LINE_BYTES (and the reader's slack), the rest
            // skipped; LOG_DEADLINE bounds the read.
            let mut lines = self.engine.log_lines(&path, LOG_LINE_BYTES)?;
            let mut kept = std::collections::VecDeque::new();
            let mut bytes = 0usize;
            while let Some(line) = lines.next_line()? {
                let line = line.into_string();
                bytes += line.len();
                kept.push_back(line);
                while kept.len() > LOG_LINES || (bytes > LOG_BYTES && kept.len() > 1) {
                    if let Some(old) = kept.pop_front() {
                        bytes -= old.len();
                    }
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_is_cut_a_quarter_past_its_server_end_so_only_a_stall_reaches_the_cut() {
        assert_eq!(body_timeout(WATCH_SECONDS), Duration::from_secs(300));
        assert_eq!(body_timeout(2), Duration::from_secs(4));
        for s in [1, 2, 60, 240, MAX_WATCH_SECONDS] {
            assert!(body_timeout(s) >= Duration::from_secs(s + 2), "{s}");
        }
    }

    #[test]
    fn watch_seconds_come_from_the_environment_within_bounds_else_the_default() {
        assert_eq!(watch_seconds(None).ok(), Some(WATCH_SECONDS));
        assert_eq!(watch_seconds(Some(" ".into())).ok(), Some(WATCH_SECONDS));
        assert_eq!(watch_seconds(Some("5".into())).ok(), Some(5));
        for bad in ["0", "3601", "2m", "-1"] {
            let e = watch_seconds(Some(bad.into())).expect_err(bad);
            assert_eq!(e.code, Code::InvalidCommand, "{bad}");
            assert!(e.message.contains("KUBEGLASS_RECORD_WATCH_SECONDS"), "{e}");
        }
    }
}
