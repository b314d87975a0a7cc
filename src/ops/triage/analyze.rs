//! Triage analysis, pure: objects in (already fetched and redacted), findings out. Each
//! object is looked at once and folded into small aggregates — groups of the same problem
//! under the same owner, healthy counts, distinct label sets — so memory stays bounded
//! however many pods a cluster has. Rules follow k8sgpt's analyzers where they overlap
//! (pods, workloads, services, PVCs, nodes, jobs, HPAs, quotas), phrased as one line each
//! with the evidence and the next command.
//!
//! The analyzers live by kind ([`pods`], [`services`], [`storage`], [`batch`]); while
//! reading they also note the relations the API states, and [`chains`] links the findings
//! by them when the report is rendered: each chain printed once, root cause first.

mod batch;
mod chains;
mod pods;
mod services;
mod storage;

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use serde_json::Value;

use crate::json::{items, text};
use crate::object::short_kind;
use crate::quantity;
use crate::timefmt;

use chains::{Entry, Id, Links};
use pods::STANDALONE;
use services::ServiceSeen;
use storage::Claims;

/// How many example names a grouped finding shows.
const EXAMPLES: usize = 3;
/// Most warning-event groups kept while reading (the newest are shown).
const MAX_EVENT_GROUPS: usize = 2000;
/// Most distinct label sets remembered per namespace (for selector near misses).
const MAX_LABEL_SETS: usize = 500;
/// Longest free text (a message) quoted in a finding, in bytes. Most status messages are
/// shorter and are quoted whole; a longer one is cut in its middle, keeping its cause (the
/// last clause). 160 characters cut the 214 of an HPA's "unable to compute" message before
/// its operative clause, whatever room the 4 KB answer had.
const QUOTE: usize = 240;

/// Most symptoms shown under one cause; the rest are counted.
const MAX_SYMPTOMS: usize = 4;

/// Severity, most severe first (the order findings are shown in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Severity {
    Node,
    /// A ConfigMap or Secret that a pod needs and that is missing (or misses a key).
    Config,
    Crash,
    Unscheduled,
    Storage,
    Service,
    Job,
    NotReady,
    Workload,
    Scaling,
    /// Something in use by nothing (a claim no pod mounts).
    Unused,
}

/// What identifies one finding line: many objects with the same problem share it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    severity: Severity,
    ns: String,
    subject: String,
    what: String,
}

impl Key {
    /// What links name this finding by: its subject, or — for pods no controller owns,
    /// grouped under one subject per namespace — the subject and the problem, so that a
    /// relation of one standalone pod never folds another problem's pods.
    fn id(&self) -> Id {
        (self.ns.clone(), link_subject(&self.subject, &self.what))
    }
}

/// See [`Key::id`].
fn link_subject(subject: &str, what: &str) -> String {
    match subject {
        STANDALONE => format!("{STANDALONE}: {what}"),
        s => s.to_string(),
    }
}

/// The objects behind one finding.
#[derive(Debug, Default)]
struct Group {
    count: usize,
    examples: Vec<String>,
    next: String,
}

/// Warning events about one object for one reason.
#[derive(Debug, Default)]
struct Events {
    count: u64,
    last: String,
    message: String,
}

/// Pods with the same labels, as far as Services judge them.
#[derive(Debug, Default)]
struct LabelSet {
    /// The first owner seen with these labels (`deploy/api`).
    owner: String,
    /// How many of these pods are running and ready.
    ready: usize,
    /// Container ports they declare, `(name, number)`.
    ports: Vec<(String, i64)>,
}

/// A crash-looping workload: the pod and container whose previous log is worth a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crash {
    /// The example pod.
    pub pod: String,
    /// Its crash-looping container.
    pub container: String,
    /// The last non-empty line of its previous log, once read (redacted).
    pub last_line: Option<String>,
}

/// What a report line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// The first line: what was read, how many findings.
    Header,
    /// A finding no other explains: a root cause, or a problem on its own.
    Finding,
    /// A finding explained by the one above it (`depth` levels under its root).
    Symptom,
    /// Warning events no finding explains.
    Event,
    /// The healthy counts.
    Healthy,
    /// What could not be read.
    Note,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// What the line is.
    pub kind: LineKind,
    /// 0 for a root; a symptom's distance from its root cause.
    pub depth: usize,
    /// The line without indentation or `↳`.
    pub body: String,
    /// What the line ends with that the budget may drop before any cause: a workload's
    /// last change (`last change 10:12: image api: 2.4.0 → 2.4.1`).
    pub tail: Option<String>,
}

/// Between a line's body and its tail.
pub const TAIL_SEPARATOR: &str = " — ";

impl Line {
    /// A line at depth 0 without a tail.
    pub fn new(kind: LineKind, body: String) -> Line {
        Line {
            kind,
            depth: 0,
            body,
            tail: None,
        }
    }

    /// The body and the tail, as one string.
    pub fn full(&self) -> String {
        match &self.tail {
            Some(t) => format!("{}{TAIL_SEPARATOR}{t}", self.body),
            None => self.body.clone(),
        }
    }

    /// The line as the text report shows it (symptoms indented under their cause, `↳`).
    pub fn text(self) -> String {
        match self.depth {
            0 => self.full(),
            d => format!("{}↳ {}", "  ".repeat(d), self.full()),
        }
    }
}

/// What triage has seen so far.
#[derive(Debug, Default)]
pub struct Triage {
    groups: BTreeMap<Key, Group>,
    healthy: BTreeMap<String, usize>,
    /// Ready pods behind a broken Service, per namespace: not counted healthy.
    behind_broken: BTreeMap<String, usize>,
    namespaces: BTreeSet<String>,
    pods: usize,
    nodes: (usize, usize),
    not_ready_nodes: BTreeSet<String>,
    /// The largest allocatable CPU (millicores) and memory (bytes) of any node.
    largest: (i64, i64),
    workloads: BTreeMap<(String, String), String>,
    labels: BTreeMap<String, BTreeMap<BTreeMap<String, String>, LabelSet>>,
    services: Vec<ServiceSeen>,
    /// `(ready, not ready)` addresses per Service; `None` when Endpoints were not read.
    endpoints: Option<BTreeMap<(String, String), (usize, usize)>>,
    /// The owners behind each judged Service.
    backends: BTreeMap<Id, BTreeSet<String>>,
    pending_claims: Vec<(String, String, String)>,
    claims: Claims,
    storage_classes: Option<BTreeSet<String>>,
    /// The newest completion time of a Job each CronJob owns.
    cron_success: BTreeMap<Id, String>,
    events: BTreeMap<(String, String, String), Events>,
    crashes: BTreeMap<Id, Crash>,
    /// The last change of a workload with a finding, when one was recent (`10:12: …`).
    last_changes: BTreeMap<(String, String), String>,
    links: Links,
}

impl Triage {
    /// A namespace that holds an object (the header counts them).
    fn saw(&mut self, ns: &str) {
        if !ns.is_empty() && !self.namespaces.contains(ns) {
            self.namespaces.insert(ns.to_string());
        }
    }

    fn has_finding(&self, id: &Id) -> bool {
        self.groups.keys().any(|k| k.id() == *id)
    }

    /// Crash-looping workloads (at most `max`, most severe first): whose previous log the
    /// caller may read, one request each, and hand back with [`Triage::last_log_line`].
    pub fn crashes(&self, max: usize) -> Vec<(Id, Crash)> {
        self.crashes
            .iter()
            .take(max)
            .map(|(id, c)| (id.clone(), c.clone()))
            .collect()
    }

    /// The workloads (Deployments, StatefulSets, DaemonSets) that have a finding or will
    /// have one when the report is made, by namespace: `{"shop": {"deploy/api"}}`.
    pub fn workload_subjects(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let keys = self.groups.keys().map(|k| (&k.ns, &k.subject));
        for (ns, subject) in keys.chain(self.workloads.keys().map(|(n, s)| (n, s))) {
            let workload = ["deploy/", "sts/", "ds/"]
                .iter()
                .any(|p| subject.starts_with(p));
            if workload && !ns.is_empty() {
                out.entry(ns.clone()).or_default().insert(subject.clone());
            }
        }
        out
    }

    /// The last change of workload `subject` (`deploy/api`) in `ns`, said at the end of
    /// its finding: `10:12: image api: 2.4.0 → 2.4.1`.
    pub fn last_change(&mut self, ns: &str, subject: &str, change: String) {
        self.last_changes
            .insert((ns.to_string(), subject.to_string()), change);
    }

    /// The last non-empty line (redacted) of a crashing workload's previous log.
    pub fn last_log_line(&mut self, id: &Id, line: String) {
        if let Some(c) = self.crashes.get_mut(id) {
            c.last_line = Some(line);
        }
    }

    fn add(
        &mut self,
        severity: Severity,
        ns: &str,
        subject: &str,
        what: String,
        example: &str,
        next: String,
    ) {
        let g = self
            .groups
            .entry(Key {
                severity,
                ns: ns.to_string(),
                subject: subject.to_string(),
                what,
            })
            .or_default();
        g.count += 1;
        if g.examples.len() < EXAMPLES {
            g.examples.push(example.to_string());
        }
        if g.next.is_empty() {
            g.next = next;
        }
    }

    /// A Deployment, StatefulSet or DaemonSet (`kind`: list items carry none of their
    /// own): below what it wants, or a stuck rollout.
    pub fn workload(&mut self, kind: &str, w: &Value) {
        let ns = text(w, "/metadata/namespace");
        self.saw(ns);
        if kind == "StatefulSet" {
            self.claim_templates(w);
        }
        let (short, name) = (short_kind(kind), text(w, "/metadata/name"));
        let num = |p: &str| w.pointer(p).and_then(Value::as_i64).unwrap_or(0);
        let (want, ready, updated) = if short == "ds" {
            (
                num("/status/desiredNumberScheduled"),
                num("/status/numberReady"),
                num("/status/updatedNumberScheduled"),
            )
        } else {
            let want = w
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            (
                want,
                num("/status/readyReplicas"),
                num("/status/updatedReplicas"),
            )
        };
        let subject = format!("{short}/{name}");
        let mut state = Vec::new();
        if ready < want {
            state.push(format!("{ready}/{want} ready"));
        }
        if updated < want && short == "ds" {
            state.push(format!("{updated}/{want} up-to-date"));
        }
        for c in items(w, "/status/conditions") {
            if text(c, "/reason") == "ProgressDeadlineExceeded" {
                state.push("rollout stuck (ProgressDeadlineExceeded)".into());
            }
        }
        if !state.is_empty() {
            self.workloads
                .insert((ns.to_string(), subject), state.join(", "));
        }
    }

    /// A HorizontalPodAutoscaler at its maximum or unable to scale.
    pub fn autoscaler(&mut self, h: &Value) {
        let (ns, name) = (text(h, "/metadata/namespace"), text(h, "/metadata/name"));
        self.saw(ns);
        let num = |p: &str| h.pointer(p).and_then(Value::as_i64).unwrap_or(0);
        let mut what = Vec::new();
        let max = num("/spec/maxReplicas");
        if max > 0 && num("/status/currentReplicas") >= max {
            what.push(format!("at its maximum of {max} replicas"));
        }
        for c in items(h, "/status/conditions") {
            let ty = text(c, "/type");
            if (ty == "AbleToScale" || ty == "ScalingActive") && text(c, "/status") == "False" {
                what.push(format!(
                    "{ty} False ({}: {})",
                    text(c, "/reason"),
                    quote(text(c, "/message"))
                ));
            }
        }
        if !what.is_empty() {
            self.add(
                Severity::Scaling,
                ns,
                &format!("hpa/{name}"),
                what.join(", "),
                name,
                format!("describe hpa {name} -n {ns}"),
            );
        }
    }

    /// A ResourceQuota with a resource used up.
    pub fn quota(&mut self, q: &Value) {
        let (ns, name) = (text(q, "/metadata/namespace"), text(q, "/metadata/name"));
        self.saw(ns);
        let used = q.pointer("/status/used");
        let full: Vec<String> = q
            .pointer("/status/hard")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, hard)| {
                let u = used?.get(k)?.as_str()?;
                let h = hard.as_str()?;
                let parse = |v: &str| {
                    if k.contains("cpu") {
                        quantity::parse_cpu_millis(v)
                    } else {
                        quantity::parse_bytes(v)
                    }
                };
                (parse(u)? >= parse(h)?).then(|| format!("{k} {u}/{h}"))
            })
            .collect();
        if !full.is_empty() {
            self.add(
                Severity::Scaling,
                ns,
                &format!("quota/{name}"),
                format!("exhausted: {}", full.join(", ")),
                name,
                format!("describe quota {name} -n {ns}"),
            );
        }
    }

    /// A Helm release whose newest revision is `pending-*` (its next upgrade fails with
    /// "another operation is in progress") or `failed`, from its storage's labels.
    pub fn helm_release(&mut self, ns: &str, name: &str, revision: u64, status: &str) {
        self.saw(ns);
        let what = if status == "failed" {
            format!("helm release: revision {revision} failed")
        } else {
            format!(
                "helm release stuck: revision {revision} {status} (the next upgrade fails: \
                 another operation is in progress)"
            )
        };
        self.add(
            Severity::Workload,
            ns,
            &format!("helm/{name}"),
            what,
            name,
            format!("helm history {name} -n {ns}"),
        );
    }

    /// A Warning event (grouped by object and reason; the newest message kept).
    pub fn event(&mut self, ev: &Value) {
        let ns = text(ev, "/metadata/namespace").to_string();
        self.saw(&ns);
        let object = format!(
            "{}/{}",
            text(ev, "/involvedObject/kind").to_ascii_lowercase(),
            text(ev, "/involvedObject/name")
        );
        let reason = text(ev, "/reason").to_string();
        let key = (ns, object, reason);
        if !self.events.contains_key(&key) && self.events.len() >= MAX_EVENT_GROUPS {
            return;
        }
        let last = [
            "/lastTimestamp",
            "/eventTime",
            "/metadata/creationTimestamp",
        ]
        .iter()
        .map(|p| text(ev, p))
        .find(|t| !t.is_empty())
        .unwrap_or_default()
        .to_string();
        let count = ev.get("count").and_then(Value::as_u64).unwrap_or(1).max(1);
        let e = self.events.entry(key).or_default();
        e.count += count;
        if last >= e.last {
            e.last = last;
            e.message = text(ev, "/message").to_string();
        }
    }

    /// The report as text lines (symptoms indented under their cause with `↳`).
    #[cfg(test)]
    pub fn render(self, now: SystemTime) -> Vec<String> {
        self.report(now).into_iter().map(Line::text).collect()
    }

    /// The report: a header, the findings as chains — each root cause first, its
    /// symptoms folded under it (`↳`), unrelated findings as before, most severe first —,
    /// recent warning events not already explained, and what is healthy.
    pub fn report(mut self, now: SystemTime) -> Vec<Line> {
        self.judge();
        let findings: Vec<(&Key, &Group)> = self.groups.iter().collect();
        let entries = chains::build(findings.len(), &self.edges(&findings), MAX_SYMPTOMS);
        let chained = entries
            .iter()
            .filter(|e| matches!(e, Entry::Finding { depth, .. } if *depth > 0))
            .count();
        let mut lines = vec![Line::new(LineKind::Header, self.header(chained))];
        let mut named: BTreeSet<String> = BTreeSet::new();
        for (k, g) in &findings {
            named.extend(g.examples.iter().cloned());
            let owner = k.subject.split('/').nth(1).unwrap_or_default();
            named.insert(owner.to_string());
            // Events about the owner's pods (`api-e3e7b13d1-x`) are explained too.
            named.insert(format!("{owner}-"));
        }
        let mut root_ns = "";
        for e in &entries {
            let depth = match e {
                Entry::Finding { depth, .. } | Entry::More { depth, .. } => *depth,
            };
            let kind = match depth {
                0 => LineKind::Finding,
                _ => LineKind::Symptom,
            };
            let tail = match e {
                Entry::Finding { index, .. } => {
                    let k = findings[*index].0;
                    let change = self.last_changes.get(&(k.ns.clone(), k.subject.clone()));
                    change.map(|c| format!("last change {c}"))
                }
                Entry::More { .. } => None,
            };
            let body = match e {
                Entry::Finding { index, also, .. } => {
                    let (k, g) = findings[*index];
                    // A symptom in its root's namespace is said without it, and without a
                    // next command (the root's is the next step): shorter lines, so more
                    // causes fit the budget.
                    let same_ns = depth > 0 && k.ns == root_ns;
                    if depth == 0 {
                        root_ns = k.ns.as_str();
                    }
                    let mut line = self.finding(k, g, !same_ns, depth == 0);
                    if !also.is_empty() {
                        let others: Vec<&str> = also
                            .iter()
                            .map(|i| findings[*i].0.subject.as_str())
                            .collect();
                        line.push_str(&format!(" (also after {})", others.join(", ")));
                    }
                    line
                }
                Entry::More { count, .. } => {
                    format!("… {count} more symptom(s) of the line above")
                }
            };
            lines.push(Line {
                kind,
                depth,
                body,
                tail,
            });
        }
        lines.extend(
            self.warning_events(&named, now)
                .into_iter()
                .map(|l| Line::new(LineKind::Event, l)),
        );
        lines.push(Line::new(LineKind::Healthy, self.healthy_line()));
        lines
    }

    /// Judge what needed everything read (Services, claims, lone workloads), then link
    /// findings to the Services their texts dial.
    fn judge(&mut self) {
        self.judge_services();
        self.judge_claims();
        self.unexplained_workloads();
        let mut texts: Vec<(Id, String)> = Vec::new();
        let mut by_pod: BTreeMap<(&str, &str), Id> = BTreeMap::new();
        for (k, g) in &self.groups {
            if k.ns.is_empty() {
                continue;
            }
            let id = k.id();
            texts.push((id.clone(), k.what.clone()));
            for ex in &g.examples {
                by_pod.insert((k.ns.as_str(), ex.as_str()), id.clone());
            }
        }
        for (id, c) in &self.crashes {
            if let Some(line) = &c.last_line {
                texts.push((id.clone(), line.clone()));
            }
        }
        for ((ns, object, _), e) in &self.events {
            let pod = object.strip_prefix("pod/").unwrap_or_default();
            if let Some(id) = by_pod.get(&(ns.as_str(), pod)) {
                texts.push((id.clone(), e.message.clone()));
            }
        }
        self.link_dialled_services(&texts);
    }

    /// The relations between findings, as (cause, symptom) indices into `findings`.
    fn edges(&self, findings: &[(&Key, &Group)]) -> Vec<(usize, usize)> {
        let mut at: BTreeMap<Id, Vec<usize>> = BTreeMap::new();
        for (i, (k, _)) in findings.iter().enumerate() {
            at.entry(k.id()).or_default().push(i);
        }
        let mut edges = Vec::new();
        for (cause, symptom) in self.links.iter() {
            let (Some(causes), Some(symptoms)) = (at.get(cause), at.get(symptom)) else {
                continue;
            };
            for s in symptoms {
                edges.push((causes[0], *s));
            }
        }
        edges
    }

    fn header(&self, chained: usize) -> String {
        let under = match chained {
            0 => String::new(),
            n => format!(", {n} of them (↳) under their cause"),
        };
        format!(
            "triage: {} namespace(s), {}/{} nodes Ready, {} pods — {} finding(s){under}, most severe first",
            self.namespaces.len(),
            self.nodes.1,
            self.nodes.0,
            self.pods,
            self.groups.len()
        )
    }

    fn finding(&self, k: &Key, g: &Group, show_ns: bool, show_next: bool) -> String {
        let subject = match (k.subject.as_str(), g.examples.first()) {
            (STANDALONE, Some(only)) if g.count == 1 => format!("pod/{only}"),
            (s, _) => s.to_string(),
        };
        let place = if k.ns.is_empty() || !show_ns {
            subject
        } else {
            format!("{} {subject}", k.ns)
        };
        let mut what = k.what.clone();
        if let Some(reason) = self.event_reason_for(k, g) {
            what.push_str(": ");
            what.push_str(&reason);
        }
        let crash = self
            .crashes
            .get(&k.id())
            .filter(|_| k.what.starts_with("CrashLoopBackOff"));
        if let Some(line) = crash.and_then(|c| c.last_line.as_deref()) {
            what.push_str(&format!(" — previous log ends {:?}", quote(line)));
        }
        let pods = if g.count <= 1 || matches!(k.severity, Severity::Node | Severity::Config) {
            String::new()
        } else {
            format!(" ({} pods, e.g. {})", g.count, g.examples.join(", "))
        };
        let state = self
            .workloads
            .get(&(k.ns.clone(), k.subject.clone()))
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        match show_next {
            true => format!("{place}: {what}{pods}{state} → {}", g.next),
            false => format!("{place}: {what}{pods}{state}"),
        }
    }

    /// The scheduler's or the kubelet's own words for a pending or unready pod.
    fn event_reason_for(&self, k: &Key, g: &Group) -> Option<String> {
        let reason = match k.severity {
            Severity::Unscheduled if k.what.contains("unschedulable") => "FailedScheduling",
            Severity::NotReady => "Unhealthy",
            _ => return None,
        };
        let pod = g.examples.first()?;
        self.events
            .get(&(k.ns.clone(), format!("pod/{pod}"), reason.to_string()))
            .map(|e| quote(&e.message))
    }

    /// Workloads below what they want whose pods showed no problem of their own.
    fn unexplained_workloads(&mut self) {
        let explained: BTreeSet<(String, String)> = self
            .groups
            .keys()
            .map(|k| (k.ns.clone(), k.subject.clone()))
            .collect();
        let lone: Vec<((String, String), String)> = self
            .workloads
            .iter()
            .filter(|(k, _)| !explained.contains(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for ((ns, subject), state) in lone {
            let name = subject.split('/').nth(1).unwrap_or_default().to_string();
            let next = format!("describe {subject} -n {ns}");
            self.workloads.remove(&(ns.clone(), subject.clone()));
            self.add(Severity::Workload, &ns, &subject, state, &name, next);
        }
    }

    /// Up to five groups of warning events about objects no finding names, newest first.
    fn warning_events(&self, named: &BTreeSet<String>, now: SystemTime) -> Vec<String> {
        let mut groups: Vec<(&(String, String, String), &Events)> = self
            .events
            .iter()
            .filter(|((_, object, _), _)| {
                let name = object.split('/').nth(1).unwrap_or_default();
                !named.contains(name)
                    && !named
                        .iter()
                        .any(|n| n.ends_with('-') && name.starts_with(n.as_str()))
            })
            .collect();
        if groups.is_empty() {
            return Vec::new();
        }
        groups.sort_by(|a, b| b.1.last.cmp(&a.1.last));
        let mut out = vec![format!(
            "warning events not explained above ({} groups, newest first):",
            groups.len()
        )];
        for ((ns, object, reason), e) in groups.iter().take(5) {
            let ago = timefmt::age(Some(e.last.as_str()), now);
            out.push(format!(
                "  {ns} {object} {reason} ×{} ({ago} ago): {}",
                e.count,
                quote(&e.message)
            ));
        }
        if groups.len() > 5 {
            out.push("  … → events -A --types Warning".into());
        }
        out
    }

    fn healthy_line(&self) -> String {
        let mut healthy = self.healthy.clone();
        for (ns, n) in &self.behind_broken {
            if let Some(h) = healthy.get_mut(ns) {
                *h = h.saturating_sub(*n);
            }
        }
        healthy.retain(|_, n| *n > 0);
        let total: usize = healthy.values().sum();
        let mut by_ns: Vec<(&String, &usize)> = healthy.iter().collect();
        by_ns.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let parts: Vec<String> = by_ns
            .iter()
            .take(6)
            .map(|(ns, n)| format!("{ns} {n}"))
            .collect();
        let broken: usize = self.behind_broken.values().sum();
        let behind = match broken {
            0 => String::new(),
            n => format!("; {n} ready pods behind a broken Service not counted"),
        };
        let by_ns = match parts.is_empty() {
            true => String::new(),
            false => format!(" ({})", parts.join(", ")),
        };
        format!("healthy: {total} pods running and ready{by_ns}{behind}")
    }
}

/// Free text on one line, at most [`QUOTE`] bytes, cut in the middle (the last clause is
/// kept). A scheduler message too long to quote whole loses its preemption summary first
/// ("preemption: 0/6 nodes are available: 3 Preemption is not helpful…"): it never names a
/// cause the first part did not.
fn quote(s: &str) -> String {
    let mut one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.len() > QUOTE
        && let Some(at) = one.find(" preemption: ")
    {
        one.truncate(at);
    }
    crate::lines::cut_middle(&one, QUOTE).into_owned()
}

#[cfg(test)]
mod tests;
