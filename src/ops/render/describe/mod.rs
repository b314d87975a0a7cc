//! `describe`: kubectl's text for one object, written natively from its JSON and the related
//! objects the caller fetched ([`Related`], chosen by [`needs`]). Every field may be missing
//! or of the wrong type: rendering never fails, it prints `<none>` as kubectl does.

mod cluster;
mod node;
mod pod;
mod quota;
mod workloads;

use std::borrow::Cow;
use std::time::SystemTime;

use serde_json::Value;

use crate::output::table::render_columns;
use crate::redact::Redacted;
use crate::timefmt;

use super::events::{event_time, one_line, sort_events, source};

/// Objects the renderer shows beside the described one.
#[derive(Debug, Default)]
pub struct Related {
    /// Events about the object.
    pub events: Vec<Redacted<Value>>,
    /// Pods its selector matches (workloads, services).
    pub pods: Vec<Redacted<Value>>,
    /// ReplicaSets a Deployment owns.
    pub replica_sets: Vec<Redacted<Value>>,
    /// A Service's Endpoints.
    pub endpoints: Option<Redacted<Value>>,
    /// Non-terminated pods on a Node (at most the related-list bound).
    pub node_pods: Vec<Redacted<Value>>,
    /// What every non-terminated pod on a Node requests, counted past the bound.
    pub node_totals: Option<PodTotals>,
    /// The Node's pods were read only in the namespaces kubeglass may read.
    pub node_pods_scoped: bool,
    /// The Node's pods could not be read (RBAC): no counts are shown rather than zeros.
    pub node_pods_unreadable: bool,
    /// A Node's Lease (kube-node-lease), or why it could not be read.
    pub lease: Option<std::result::Result<Redacted<Value>, Redacted<String>>>,
    /// ResourceQuotas of a Namespace (None: not readable).
    pub quotas: Option<Vec<Redacted<Value>>>,
    /// LimitRanges of a Namespace (None: not readable).
    pub limit_ranges: Option<Vec<Redacted<Value>>>,
    /// Names of the pods that mount a PersistentVolumeClaim (None: pods not readable).
    pub used_by: Option<Vec<String>>,
    /// Services an Ingress routes to, with their Endpoints.
    pub backends: Vec<Backend>,
    /// A StatefulSet's governing Service (`spec.serviceName`) does not exist.
    pub service_missing: bool,
    /// A Secret's type and number of keys, from its Table row (the object is not read).
    pub secret: Option<Redacted<SecretCells>>,
    /// A workload's newest revision against the one before (None: not read).
    pub last_rollout: Option<LastRollout>,
}

/// What a workload's newest revision changed, as `describe` says it under `Last Rollout:`
/// (a kubeglass extra: kubectl has no such line).
#[derive(Debug, Clone, PartialEq)]
pub struct LastRollout {
    /// The revision before (equal to `to` when there is none).
    pub from: i64,
    /// The newest revision.
    pub to: i64,
    /// When the newest revision was created (RFC 3339).
    pub created: String,
    /// What its pod template changed ([`super::diff::latest`]): names, never a hidden value.
    pub summary: String,
}

/// The cells of a Secret's server-side Table row kubeglass shows: never a key or a value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecretCells {
    /// `TYPE` (`Opaque`, `kubernetes.io/tls`).
    pub kind: String,
    /// `DATA`: how many keys.
    pub keys: String,
}

/// A Service behind an Ingress, with its Endpoints (either may be unreadable).
#[derive(Debug)]
pub struct Backend {
    /// The Service's name.
    pub name: String,
    /// The Service.
    pub service: Option<Redacted<Value>>,
    /// Its Endpoints.
    pub endpoints: Option<Redacted<Value>>,
}

pub use node::{NODE_POD_ROWS, PodTotals};

/// Which related objects a kind's describe shows.
#[derive(Debug, Default, Clone, Copy)]
pub struct Needs {
    /// Events about the object.
    pub events: bool,
    /// Pods matching its selector.
    pub pods_by_selector: bool,
    /// ReplicaSets it owns.
    pub replica_sets: bool,
    /// Its Endpoints.
    pub endpoints: bool,
    /// Pods scheduled on it, and its Lease.
    pub node_pods: bool,
    /// Its ResourceQuotas and LimitRanges.
    pub quotas: bool,
    /// The pods that mount it.
    pub used_by: bool,
    /// Its backend Services and their Endpoints.
    pub backends: bool,
    /// Its governing Service.
    pub service: bool,
    /// Its newest revision against the one before.
    pub last_rollout: bool,
}

/// What to fetch for `kind`.
pub fn needs(kind: &str) -> Needs {
    let mut n = Needs {
        events: true,
        ..Needs::default()
    };
    match kind {
        "ReplicaSet" | "Job" | "ReplicationController" => n.pods_by_selector = true,
        "DaemonSet" => {
            n.pods_by_selector = true;
            n.last_rollout = true;
        }
        "StatefulSet" => {
            n.pods_by_selector = true;
            n.service = true;
            n.last_rollout = true;
        }
        "Namespace" => n.quotas = true,
        "PersistentVolumeClaim" => n.used_by = true,
        "Ingress" => n.backends = true,
        "Deployment" => {
            n.replica_sets = true;
            n.last_rollout = true;
        }
        "Service" => n.endpoints = true,
        "Node" => n.node_pods = true,
        // kubectl shows no events for these (it does for ConfigMaps).
        "Secret" | "ResourceQuota" | "LimitRange" => n.events = false,
        _ => {}
    }
    n
}

/// kubectl-like describe text of `obj`.
pub fn render(obj: &Redacted<Value>, related: &Related, now: SystemTime) -> String {
    let obj = obj.value();
    let mut d = Doc::new(now);
    match text(obj, "/kind") {
        "Pod" => pod::pod(&mut d, obj),
        "Deployment" => workloads::deployment(&mut d, obj, related),
        "ReplicaSet" | "ReplicationController" => workloads::controller(&mut d, obj, related),
        "DaemonSet" => workloads::daemonset(&mut d, obj, related),
        "StatefulSet" => workloads::statefulset(&mut d, obj, related),
        "Job" => workloads::job(&mut d, obj, related),
        "CronJob" => workloads::cronjob(&mut d, obj),
        "ResourceQuota" => quota::quota(&mut d, obj),
        "LimitRange" => quota::limit_range(&mut d, obj),
        "HorizontalPodAutoscaler" => workloads::hpa(&mut d, obj),
        "Service" => cluster::service(&mut d, obj, related),
        "Node" => node::node(&mut d, obj, related),
        "Namespace" => quota::namespace(&mut d, obj, related),
        "ConfigMap" => cluster::configmap(&mut d, obj),
        "Secret" => cluster::secret(&mut d, obj, related),
        "PersistentVolumeClaim" => cluster::pvc(&mut d, obj, related),
        "PersistentVolume" => cluster::pv(&mut d, obj),
        "Ingress" => cluster::ingress(&mut d, obj, related),
        _ => generic(&mut d, obj),
    }
    if let Some(r) = &related.last_rollout {
        d.last_rollout(r);
    }
    if needs(text(obj, "/kind")).events {
        d.events(&related.events);
    }
    d.out
}

pub(crate) use crate::json::{items, scalar, text};

/// Builds describe text: `Key:  value` lines aligned per level, indented sections.
pub(crate) struct Doc {
    pub out: String,
    pub now: SystemTime,
}

/// Width keys are padded to at each indent level (kubectl's tabwriter gives similar columns).
const KEY_WIDTH: usize = 20;

impl Doc {
    fn new(now: SystemTime) -> Doc {
        Doc {
            out: String::new(),
            now,
        }
    }

    /// `Key:  value` at `level` (two spaces per level); an empty value prints `<none>`. A
    /// multi-line value continues on lines indented past its column ([`Doc::continued`]).
    pub fn kv(&mut self, level: usize, key: &str, value: &str) {
        let indent = "  ".repeat(level);
        let label = format!("{}:", one_line_key(key));
        let value = if value.is_empty() { "<none>" } else { value };
        let width = KEY_WIDTH.saturating_sub(level * 2).max(label.len() + 1);
        let (first, rest) = split_first_line(value);
        self.out
            .push_str(&format!("{indent}{label:<width$}{first}\n"));
        self.continued(level * 2 + width, rest);
    }

    /// The lines of a multi-line value after its first, each indented two spaces past the
    /// value's column `col`, as kubectl indents a multi-line annotation under its key. The
    /// text is written by whoever can set a message (a container's termination message is
    /// the container's own output): unindented, `"…\n  Ready: True\nEvents: <none>"` would
    /// forge describe's own lines. No key of any level starts that far right.
    fn continued(&mut self, col: usize, rest: &str) {
        if rest.is_empty() {
            return;
        }
        let pad = " ".repeat(col + 2);
        for l in rest.lines() {
            let line = format!("{pad}{l}");
            self.out.push_str(line.trim_end());
            self.out.push('\n');
        }
    }

    /// `Last Rollout:  revision 2 → 3 (5m ago): image api: 2.4.0 → 2.4.1`.
    fn last_rollout(&mut self, r: &LastRollout) {
        let ago = timefmt::age(Some(&r.created), self.now);
        let line = match (r.from == r.to, r.to <= 1) {
            (true, true) => format!("revision {} ({ago} ago), the first", r.to),
            (true, false) => format!(
                "revision {} ({ago} ago), no earlier revision to compare",
                r.to
            ),
            (false, _) => format!("revision {} → {} ({ago} ago): {}", r.from, r.to, r.summary),
        };
        self.kv(0, "Last Rollout", &line);
    }

    /// A value only when present.
    pub fn kv_some(&mut self, level: usize, key: &str, value: &str) {
        if !value.is_empty() {
            self.kv(level, key, value);
        }
    }

    /// A section header `Key:` at `level`.
    pub fn section(&mut self, level: usize, key: &str) {
        self.out
            .push_str(&format!("{}{}:\n", "  ".repeat(level), one_line_key(key)));
    }

    /// A raw line at `level` (a multi-line one continues indented, as in [`Doc::kv`]).
    pub fn line(&mut self, level: usize, s: &str) {
        let (first, rest) = split_first_line(s);
        self.out
            .push_str(&format!("{}{first}\n", "  ".repeat(level)));
        self.continued(level * 2, rest);
    }

    /// A map (labels, annotations) as `k=v` lines, the first beside the key.
    pub fn map(&mut self, level: usize, key: &str, v: Option<&Value>) {
        let pairs: Vec<String> = v
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| format!("{k}={}", clip(&scalar(Some(v)), 200)))
            .collect();
        self.list(level, key, &pairs);
    }

    /// Annotations as kubectl shows them: `k: v`, long or multi-line values on their own
    /// lines cut at 140 characters, `last-applied-configuration` left out (it repeats the
    /// object, Secret data included).
    pub fn annotations(&mut self, level: usize, key: &str, v: Option<&Value>) {
        let mut lines = Vec::new();
        for (k, v) in v.and_then(Value::as_object).into_iter().flatten() {
            if k == LAST_APPLIED {
                continue;
            }
            let value = scalar(Some(v));
            let value = value.strip_suffix('\n').unwrap_or(&value);
            if value.len() + k.len() + 2 > MAX_ANNOTATION || value.contains('\n') {
                lines.push(format!("{k}:"));
                for l in value.lines().take(20) {
                    lines.push(format!("  {}", shorten(l, MAX_ANNOTATION - 2)));
                }
            } else {
                lines.push(format!("{k}: {value}"));
            }
        }
        self.list(level, key, &lines);
    }

    /// Lines beside a key: the first on the key's line, the rest aligned under it.
    pub fn list(&mut self, level: usize, key: &str, lines: &[String]) {
        let Some((first, rest)) = lines.split_first() else {
            self.kv(level, key, "<none>");
            return;
        };
        self.kv(level, key, first);
        let col = KEY_WIDTH.max(level * 2 + key.len() + 2);
        let pad = " ".repeat(col);
        for l in rest {
            let (first, more) = split_first_line(l);
            self.out.push_str(&format!("{pad}{first}\n"));
            self.continued(col, more);
        }
    }

    /// An aligned table at `level`, or `<none>` beside the section (a cell is one line:
    /// [`render_columns`] joins a multi-line one).
    pub fn table(&mut self, level: usize, header: &[&str], rows: &[Vec<String>]) {
        for l in render_columns(header, rows) {
            self.line(level, &l);
        }
    }

    /// Name, Namespace, Labels, Annotations and creation time: the head of every describe.
    pub fn head(&mut self, obj: &Value) {
        self.kv(0, "Name", text(obj, "/metadata/name"));
        let ns = text(obj, "/metadata/namespace");
        if !ns.is_empty() {
            self.kv(0, "Namespace", ns);
        }
        self.map(0, "Labels", obj.pointer("/metadata/labels"));
        self.annotations(0, "Annotations", obj.pointer("/metadata/annotations"));
        self.kv(
            0,
            "CreationTimestamp",
            &self.age_and_time(text(obj, "/metadata/creationTimestamp")),
        );
    }

    /// kubectl's time with its age beside it: "Tue, 24 Nov 2026 12:00:00 +0000 (5m ago)".
    pub fn age_and_time(&self, ts: &str) -> String {
        if ts.is_empty() {
            return String::new();
        }
        format!(
            "{} ({} ago)",
            timefmt::describe_time(ts),
            timefmt::age(Some(ts), self.now)
        )
    }

    /// `Controlled By: Kind/name` from the controller owner reference.
    pub fn controlled_by(&mut self, obj: &Value) {
        if let Some(o) = items(obj, "/metadata/ownerReferences")
            .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        {
            self.kv(
                0,
                "Controlled By",
                &format!("{}/{}", text(o, "/kind"), text(o, "/name")),
            );
        }
    }

    /// Status conditions as a table (Type, Status, Reason, Message).
    pub fn conditions(&mut self, level: usize, obj: &Value) {
        let rows: Vec<Vec<String>> = items(obj, "/status/conditions")
            .map(|c| {
                vec![
                    text(c, "/type").to_string(),
                    text(c, "/status").to_string(),
                    text(c, "/reason").to_string(),
                    message(&one_line(text(c, "/message"))).into_owned(),
                ]
            })
            .collect();
        if rows.is_empty() {
            self.kv(level, "Conditions", "<none>");
            return;
        }
        let mut all = vec![vec![
            "----".to_string(),
            "------".into(),
            "------".into(),
            "-------".into(),
        ]];
        all.extend(rows);
        self.section(level, "Conditions");
        self.table(level + 1, &["Type", "Status", "Reason", "Message"], &all);
    }

    /// kubectl's Events section, oldest first.
    pub fn events(&mut self, events: &[Redacted<Value>]) {
        if events.is_empty() {
            self.kv(0, "Events", "<none>");
            return;
        }
        let mut sorted: Vec<&Value> = events.iter().map(|e| e.value()).collect();
        sort_events(&mut sorted);
        let rows: Vec<Vec<String>> = sorted
            .iter()
            .map(|e| {
                vec![
                    text(e, "/type").to_string(),
                    text(e, "/reason").to_string(),
                    event_age(e, self.now),
                    source(e),
                    one_line(text(e, "/message")),
                ]
            })
            .collect();
        self.section(0, "Events");
        let mut all = vec![vec![
            "----".to_string(),
            "------".into(),
            "----".into(),
            "----".into(),
            "-------".into(),
        ]];
        all.extend(rows);
        self.table(1, &["Type", "Reason", "Age", "From", "Message"], &all);
    }
}

/// A value's first line and the rest (empty when it is one line); trailing line breaks go.
fn split_first_line(value: &str) -> (&str, &str) {
    let value = value.trim_end_matches(['\n', '\r']);
    let (first, rest) = value.split_once('\n').unwrap_or((value, ""));
    (first.strip_suffix('\r').unwrap_or(first), rest)
}

/// A key on one line: a custom resource's field names are any JSON string, and a line break
/// in one would start a line of its own.
fn one_line_key(key: &str) -> Cow<'_, str> {
    if key.contains(['\n', '\r']) {
        Cow::Owned(key.replace('\r', "\\r").replace('\n', "\\n"))
    } else {
        Cow::Borrowed(key)
    }
}

/// kubectl's annotation width.
const MAX_ANNOTATION: usize = 140;
/// Left out of Annotations, as kubectl does.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// At most `max` bytes (on a character boundary) and `...`, as kubectl shortens.
fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// kubectl describe's event Age: since first seen, with `(xN over …)` for a repeated one.
fn event_age(e: &Value, now: SystemTime) -> String {
    let nonempty = |p: &str| {
        e.pointer(p)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let first = nonempty("/eventTime")
        .or_else(|| nonempty("/firstTimestamp"))
        .unwrap_or_else(|| event_time(e));
    let first_age = timefmt::age(Some(first), now);
    if let Some(series) = e.get("series").filter(|s| s.is_object()) {
        return format!(
            "{} (x{} over {first_age})",
            timefmt::age(series.get("lastObservedTime").and_then(Value::as_str), now),
            scalar(series.get("count"))
        );
    }
    match e.get("count").and_then(Value::as_i64) {
        Some(n) if n > 1 => format!(
            "{} (x{n} over {first_age})",
            timefmt::age(Some(event_time(e)), now)
        ),
        _ => first_age,
    }
}

/// `true`/`false` as kubectl prints booleans in describe (`True`, `False`).
pub(crate) fn bool_word(v: Option<&Value>) -> &'static str {
    match v.and_then(Value::as_bool) {
        Some(true) => "True",
        _ => "False",
    }
}

/// Longest message shown (a condition's, a container state's), in bytes. kubectl shows them
/// whole and real ones are shorter, so the text matches kubectl's; a longer one (a
/// termination message may hold 4 KB) is cut in the middle, keeping its last clause, where
/// the cause usually is. (A fixed cut at 160 characters once hid an HPA's cause.)
const MESSAGE: usize = 1024;

/// A message as shown: whole up to [`MESSAGE`] bytes, else cut in the middle.
pub(crate) fn message(s: &str) -> Cow<'_, str> {
    crate::lines::cut_middle(s, MESSAGE)
}

/// At most `max` characters, with a note when cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let kept: String = s.chars().take(max).collect();
    format!("{kept}… [{} more chars]", s.chars().count() - max)
}

/// Any other kind, CRDs included: the head, then spec and status as indented fields.
fn generic(d: &mut Doc, obj: &Value) {
    d.head(obj);
    d.kv(0, "API Version", text(obj, "/apiVersion"));
    d.kv(0, "Kind", text(obj, "/kind"));
    for key in ["spec", "status", "data", "rules", "subjects", "roleRef"] {
        if let Some(v) = obj.get(key) {
            tree(d, 0, &capitalise(key), v, 0);
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Nested fields the way kubectl describes unstructured objects (depth-limited).
fn tree(d: &mut Doc, level: usize, key: &str, v: &Value, depth: usize) {
    if depth > 8 {
        d.kv(level, key, "…");
        return;
    }
    match v {
        Value::Object(m) if m.is_empty() => d.kv(level, key, "{}"),
        Value::Object(m) => {
            d.section(level, key);
            for (k, v) in m.iter().take(100) {
                tree(d, level + 1, &capitalise(k), v, depth + 1);
            }
        }
        Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            let vals: Vec<String> = a
                .iter()
                .take(100)
                .map(|x| clip(&scalar(Some(x)), 200))
                .collect();
            d.list(level, key, &vals);
        }
        Value::Array(a) => {
            d.section(level, key);
            for (i, item) in a.iter().take(50).enumerate() {
                tree(d, level + 1, &format!("[{i}]"), item, depth + 1);
            }
        }
        Value::Null => d.kv(level, key, "<none>"),
        other => d.kv(level, key, &clip(&scalar(Some(other)), 500)),
    }
}

#[cfg(test)]
mod tests;
