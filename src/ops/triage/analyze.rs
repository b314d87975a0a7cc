//! Triage analysis, pure: objects in (already fetched and redacted), findings out. Each
//! object is looked at once and folded into small aggregates — groups of the same problem
//! under the same owner, healthy counts, distinct label sets — so memory stays bounded
//! however many pods a cluster has. Rules follow k8sgpt's analyzers where they overlap
//! (pods, workloads, services, PVCs, nodes, jobs, HPAs, quotas), phrased as one line each
//! with the evidence and the next command.

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use serde_json::Value;

use crate::json::{items, text};
use crate::object::{alike, owner_subject, short_kind};
use crate::quantity;
use crate::redact::REDACTED;
use crate::timefmt;

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

/// A Service's `spec.selector` map, as shown (redacted).
fn service_selector(s: &Value) -> BTreeMap<String, String> {
    s.pointer("/spec/selector")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

/// Severity, most severe first (the order findings are shown in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Severity {
    Node,
    Crash,
    Unscheduled,
    Storage,
    Service,
    Job,
    NotReady,
    Workload,
    Scaling,
}

/// What identifies one finding line: many objects with the same problem share it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    severity: Severity,
    ns: String,
    subject: String,
    what: String,
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

/// What triage has seen so far.
#[derive(Debug, Default)]
pub struct Triage {
    groups: BTreeMap<Key, Group>,
    healthy: BTreeMap<String, usize>,
    namespaces: BTreeSet<String>,
    pods: usize,
    nodes: (usize, usize),
    workloads: BTreeMap<(String, String), String>,
    labels: BTreeMap<String, BTreeMap<BTreeMap<String, String>, String>>,
    services: Vec<(String, String, BTreeMap<String, String>)>,
    pending_claims: Vec<(String, String, String)>,
    storage_classes: Option<BTreeSet<String>>,
    events: BTreeMap<(String, String, String), Events>,
}

impl Triage {
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

    /// A node: not Ready, under pressure, or cordoned.
    pub fn node(&mut self, n: &Value, now: SystemTime) {
        let name = text(n, "/metadata/name");
        self.nodes.0 += 1;
        let mut problems = Vec::new();
        let mut ready = false;
        for c in items(n, "/status/conditions") {
            let (ty, status) = (text(c, "/type"), text(c, "/status"));
            if ty == "Ready" {
                ready = status == "True";
                if !ready {
                    let since =
                        timefmt::age(c.get("lastTransitionTime").and_then(Value::as_str), now);
                    // Not Ready leads the line, whatever order the conditions come in.
                    problems.insert(
                        0,
                        format!(
                            "NotReady for {since} ({}: {})",
                            text(c, "/reason"),
                            quote(text(c, "/message"))
                        ),
                    );
                }
            } else if status == "True" && ty.ends_with("Pressure") {
                problems.push(ty.to_string());
            }
        }
        if n.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
            problems.push("cordoned".into());
        }
        if ready {
            self.nodes.1 += 1;
        }
        if !problems.is_empty() {
            let next = format!("describe node {name}");
            self.add(
                Severity::Node,
                "",
                &format!("node/{name}"),
                problems.join(", "),
                name,
                next,
            );
        }
    }

    /// A pod: healthy (counted) or one problem, grouped by owner and kind of problem.
    pub fn pod(&mut self, p: &Value) {
        let (ns, name) = (text(p, "/metadata/namespace"), text(p, "/metadata/name"));
        self.pods += 1;
        self.namespaces.insert(ns.to_string());
        let subject = owner_or_standalone(p);
        self.remember_labels(ns, p, &subject);
        let Some((severity, what, next)) = pod_problem(p, ns, name, &subject) else {
            *self.healthy.entry(ns.to_string()).or_default() += 1;
            return;
        };
        self.add(severity, ns, &subject, what, name, next);
    }

    fn remember_labels(&mut self, ns: &str, p: &Value, subject: &str) {
        let labels: BTreeMap<String, String> = p
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(k, _)| {
                k.as_str() != "pod-template-hash" && k.as_str() != "controller-revision-hash"
            })
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        let sets = self.labels.entry(ns.to_string()).or_default();
        if sets.len() < MAX_LABEL_SETS {
            sets.entry(labels).or_insert_with(|| subject.to_string());
        }
    }

    /// A Deployment, StatefulSet or DaemonSet (`kind`: list items carry none of their
    /// own): below what it wants, or a stuck rollout.
    pub fn workload(&mut self, kind: &str, w: &Value) {
        let ns = text(w, "/metadata/namespace");
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

    /// A Service (judged at the end, against every pod's labels). False when its selector
    /// holds a value the redactor hid: the labels triage saw cannot be compared with it
    /// (both read `<redacted>`, equal whatever the real values), so the caller asks the API
    /// server and reports with [`Triage::service_selecting`].
    pub fn service(&mut self, s: &Value) -> bool {
        let selector = service_selector(s);
        if selector.values().any(|v| v.contains(REDACTED)) {
            return false;
        }
        if !selector.is_empty() {
            let (ns, name) = (text(s, "/metadata/namespace"), text(s, "/metadata/name"));
            self.services
                .push((ns.to_string(), name.to_string(), selector));
        }
        true
    }

    /// A Service whose selector the API server judged: `selects_any` pod or none.
    pub fn service_selecting(&mut self, s: &Value, selects_any: bool) {
        if !selects_any {
            let (ns, name) = (text(s, "/metadata/namespace"), text(s, "/metadata/name"));
            self.selects_no_pod(ns, name, &service_selector(s), BTreeSet::new());
        }
    }

    /// Endpoints with addresses, none of them ready.
    pub fn endpoints(&mut self, ep: &Value) {
        let (ns, name) = (text(ep, "/metadata/namespace"), text(ep, "/metadata/name"));
        let count = |k: &str| -> usize {
            items(ep, "/subsets")
                .map(|s| s.get(k).and_then(Value::as_array).map_or(0, Vec::len))
                .sum()
        };
        let (ready, not_ready) = (count("addresses"), count("notReadyAddresses"));
        if ready == 0 && not_ready > 0 {
            let what = format!("no ready endpoint ({not_ready} not ready)");
            self.add(
                Severity::Service,
                ns,
                &format!("svc/{name}"),
                what,
                name,
                format!("endpoints {name} -n {ns}"),
            );
        }
    }

    /// A Job that failed (grouped under its CronJob when it has one).
    pub fn job(&mut self, j: &Value) {
        let (ns, name) = (text(j, "/metadata/namespace"), text(j, "/metadata/name"));
        for c in items(j, "/status/conditions") {
            if text(c, "/type") == "Failed" && text(c, "/status") == "True" {
                let failed = j
                    .pointer("/status/failed")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                let cron = items(j, "/metadata/ownerReferences")
                    .find(|o| text(o, "/kind") == "CronJob")
                    .map(|o| format!("cronjob/{}", text(o, "/name")));
                let what = format!(
                    "{} {}: {} ({failed} failed pods)",
                    if cron.is_some() { "last run" } else { "Failed" },
                    text(c, "/reason"),
                    quote(text(c, "/message"))
                );
                let subject = cron.unwrap_or_else(|| format!("job/{name}"));
                self.add(
                    Severity::Job,
                    ns,
                    &subject,
                    what,
                    name,
                    format!("describe job {name} -n {ns}"),
                );
            }
        }
    }

    /// A PersistentVolumeClaim still Pending (judged at the end, against StorageClasses).
    pub fn claim(&mut self, c: &Value) {
        if text(c, "/status/phase") == "Pending" {
            let (ns, name) = (text(c, "/metadata/namespace"), text(c, "/metadata/name"));
            let class = text(c, "/spec/storageClassName").to_string();
            self.pending_claims
                .push((ns.to_string(), name.to_string(), class));
        }
    }

    /// A StorageClass that exists (only called when cluster-scoped reads are allowed).
    pub fn storage_class(&mut self, sc: &Value) {
        let name = text(sc, "/metadata/name").to_string();
        self.storage_classes
            .get_or_insert_with(BTreeSet::new)
            .insert(name);
    }

    /// StorageClasses were listed (none may exist): missing ones can be named.
    pub fn storage_classes_read(&mut self) {
        self.storage_classes.get_or_insert_with(BTreeSet::new);
    }

    /// A HorizontalPodAutoscaler at its maximum or unable to scale.
    pub fn autoscaler(&mut self, h: &Value) {
        let (ns, name) = (text(h, "/metadata/namespace"), text(h, "/metadata/name"));
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

    /// A Warning event (grouped by object and reason; the newest message kept).
    pub fn event(&mut self, ev: &Value) {
        let ns = text(ev, "/metadata/namespace").to_string();
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

    /// The report: a header, the findings most severe first, recent warning events not
    /// already explained, and what is healthy.
    pub fn render(mut self, now: SystemTime) -> Vec<String> {
        self.judge_services();
        self.judge_claims();
        self.unexplained_workloads();
        let mut lines = vec![self.header()];
        let mut named: BTreeSet<String> = BTreeSet::new();
        for (k, g) in &self.groups {
            named.extend(g.examples.iter().cloned());
            named.insert(k.subject.split('/').nth(1).unwrap_or_default().to_string());
            // Events about the owner's pods (`api-e3e7b13d1-x`) are explained too.
            named.insert(format!(
                "{}-",
                k.subject.split('/').nth(1).unwrap_or_default()
            ));
            // Events about the owner's pods (`api-e3e7b13d1-x`) are explained too.
            named.insert(format!(
                "{}-",
                k.subject.split('/').nth(1).unwrap_or_default()
            ));
            lines.push(self.finding(k, g));
        }
        lines.extend(self.warning_events(&named, now));
        lines.push(self.healthy_line());
        lines
    }

    fn header(&self) -> String {
        format!(
            "triage: {} namespace(s), {}/{} nodes Ready, {} pods — {} finding(s), most severe first",
            self.namespaces.len(),
            self.nodes.1,
            self.nodes.0,
            self.pods,
            self.groups.len()
        )
    }

    fn finding(&self, k: &Key, g: &Group) -> String {
        let subject = match (k.subject.as_str(), g.examples.first()) {
            (STANDALONE, Some(only)) if g.count == 1 => format!("pod/{only}"),
            (s, _) => s.to_string(),
        };
        let place = if k.ns.is_empty() {
            subject
        } else {
            format!("{} {subject}", k.ns)
        };
        let mut what = k.what.clone();
        if let Some(reason) = self.event_reason_for(k, g) {
            what.push_str(": ");
            what.push_str(&reason);
        }
        let pods = if g.count <= 1 || k.severity == Severity::Node {
            String::new()
        } else {
            format!(" ({} pods, e.g. {})", g.count, g.examples.join(", "))
        };
        let state = self
            .workloads
            .get(&(k.ns.clone(), k.subject.clone()))
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        format!("{place}: {what}{pods}{state} → {}", g.next)
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

    fn judge_services(&mut self) {
        for (ns, name, selector) in std::mem::take(&mut self.services) {
            let sets = self.labels.get(&ns);
            let selects = |labels: &BTreeMap<String, String>| {
                selector.iter().all(|(k, v)| labels.get(k) == Some(v))
            };
            if sets.is_some_and(|s| s.keys().any(selects)) {
                continue;
            }
            let near: BTreeSet<String> = sets
                .into_iter()
                .flatten()
                .filter_map(|(labels, owner)| {
                    selector.iter().find_map(|(k, v)| {
                        labels
                            .get(k)
                            .filter(|have| *have != v && alike(have, v))
                            .map(|have| format!("{k}={have} ({owner})"))
                    })
                })
                .take(2)
                .collect();
            self.selects_no_pod(&ns, &name, &selector, near);
        }
    }

    /// The finding of a Service whose selector matches no pod, with near misses if any.
    fn selects_no_pod(
        &mut self,
        ns: &str,
        name: &str,
        selector: &BTreeMap<String, String>,
        near: BTreeSet<String>,
    ) {
        let sel: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut what = format!("selects no pod ({})", sel.join(","));
        if !near.is_empty() {
            what.push_str(&format!(
                "; near miss: {}",
                near.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        self.add(
            Severity::Service,
            ns,
            &format!("svc/{name}"),
            what,
            name,
            format!("endpoints {name} -n {ns}"),
        );
    }

    fn judge_claims(&mut self) {
        for (ns, name, class) in std::mem::take(&mut self.pending_claims) {
            let what = match (&self.storage_classes, class.as_str()) {
                (Some(known), c) if !c.is_empty() && !known.contains(c) => {
                    format!("Pending: StorageClass {c} does not exist")
                }
                (Some(known), "") if known.is_empty() => {
                    "Pending: no StorageClass named and none exists".to_string()
                }
                (None, c) => format!(
                    "Pending (StorageClass {c:?} not checked: cluster-scoped reads are off)"
                ),
                (Some(_), c) => format!("Pending (StorageClass {c}: waiting for a volume)"),
            };
            self.add(
                Severity::Storage,
                &ns,
                &format!("pvc/{name}"),
                what,
                &name,
                format!("describe pvc {name} -n {ns}"),
            );
        }
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
        let total: usize = self.healthy.values().sum();
        let mut by_ns: Vec<(&String, &usize)> = self.healthy.iter().collect();
        by_ns.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let parts: Vec<String> = by_ns
            .iter()
            .take(6)
            .map(|(ns, n)| format!("{ns} {n}"))
            .collect();
        format!(
            "healthy: {total} pods running and ready ({})",
            parts.join(", ")
        )
    }
}

/// The problem of one pod, if any: severity, what (shared by pods alike), next command.
fn pod_problem(
    p: &Value,
    ns: &str,
    name: &str,
    subject: &str,
) -> Option<(Severity, String, String)> {
    let describe = format!("describe pod {name} -n {ns}");
    let phase = text(p, "/status/phase");
    let statuses: Vec<&Value> = items(p, "/status/initContainerStatuses")
        .chain(items(p, "/status/containerStatuses"))
        .collect();
    let logs_target = if subject.starts_with("deploy/")
        || subject.starts_with("sts/")
        || subject.starts_with("ds/")
    {
        subject.to_string()
    } else {
        name.to_string()
    };
    for c in &statuses {
        let cname = text(c, "/name");
        let waiting = text(c, "/state/waiting/reason");
        let last = c.pointer("/lastState/terminated");
        let restarts = c.get("restartCount").and_then(Value::as_i64).unwrap_or(0);
        let last_exit = last.map(|t| {
            format!(
                "last exit {} ({})",
                t.get("exitCode").and_then(Value::as_i64).unwrap_or(0),
                text(t, "/reason")
            )
        });
        match waiting {
            "CrashLoopBackOff" => {
                let exit = last_exit.unwrap_or_else(|| "no last exit recorded".into());
                return Some((
                    Severity::Crash,
                    format!("CrashLoopBackOff, container {cname} {exit}, {restarts} restarts"),
                    format!("logs {logs_target} -n {ns} -c {cname} --previous"),
                ));
            }
            "ImagePullBackOff"
            | "ErrImagePull"
            | "InvalidImageName"
            | "CreateContainerConfigError"
            | "CreateContainerError"
            | "RunContainerError" => {
                let msg = quote(text(c, "/state/waiting/message"));
                return Some((
                    Severity::Crash,
                    format!("{waiting}, container {cname}: {msg}"),
                    describe,
                ));
            }
            _ => {}
        }
        if last.is_some_and(|t| text(t, "/reason") == "OOMKilled") {
            let exit = last_exit.unwrap_or_default();
            return Some((
                Severity::Crash,
                format!("OOMKilled, container {cname} {exit}, {restarts} restarts"),
                format!("describe pod {name} -n {ns}"),
            ));
        }
    }
    match phase {
        "Pending" => Some((Severity::Unscheduled, pending_what(p), describe)),
        "Failed" => Some((
            Severity::Crash,
            format!(
                "Failed: {} {}",
                text(p, "/status/reason"),
                quote(text(p, "/status/message"))
            ),
            describe,
        )),
        "Running"
            if statuses
                .iter()
                .any(|c| c.get("ready") == Some(&Value::Bool(false))) =>
        {
            Some((Severity::NotReady, "running but not ready".into(), describe))
        }
        "Running" | "Succeeded" => {
            let restarting = statuses.iter().find(|c| {
                c.get("restartCount").and_then(Value::as_i64).unwrap_or(0) > 0
                    && c.pointer("/lastState/terminated").is_some()
            })?;
            let t = restarting.pointer("/lastState/terminated")?;
            Some((
                Severity::NotReady,
                format!(
                    "restarting, container {} last exit {} ({})",
                    text(restarting, "/name"),
                    t.get("exitCode").and_then(Value::as_i64).unwrap_or(0),
                    text(t, "/reason")
                ),
                format!("logs {logs_target} -n {ns} --previous"),
            ))
        }
        _ => Some((Severity::Unscheduled, format!("phase {phase:?}"), describe)),
    }
}

/// Why a pod is Pending, as far as its own status says.
fn pending_what(p: &Value) -> String {
    let scheduled = items(p, "/status/conditions").find(|c| text(c, "/type") == "PodScheduled");
    match scheduled {
        Some(c) if text(c, "/status") == "False" => {
            let msg = text(c, "/message");
            if msg.is_empty() {
                "Pending, unschedulable".into()
            } else {
                format!("Pending, unschedulable ({})", quote(msg))
            }
        }
        _ => match text(p, "/spec/nodeName") {
            "" => "Pending, not scheduled yet".into(),
            node if items(p, "/status/containerStatuses").next().is_none() => {
                format!("Pending on {node} with no container status")
            }
            node => format!("Pending on {node}"),
        },
    }
}

/// The subject standalone pods (no controller) are grouped under.
const STANDALONE: &str = "pods";

fn owner_or_standalone(p: &Value) -> String {
    owner_subject(p).unwrap_or_else(|| STANDALONE.to_string())
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
