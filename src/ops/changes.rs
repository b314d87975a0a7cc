//! `changes [-n NS | -A] [--since 2h] [--for TYPE/NAME] [-o json]`: what changed in scope
//! within a window, newest first, from what the API server already keeps — nothing is
//! stored between commands:
//!
//! - rollouts: ReplicaSets and ControllerRevisions created in the window, each with what
//!   its pod template changed against the revision before ([`Engine::template_pair`]);
//! - scaling and pods made by controllers: `ScalingReplicaSet`, `SuccessfulRescale`,
//!   `SuccessfulCreate`/`SuccessfulDelete` events;
//! - object updates: each `managedFields` writer whose time is in the window (manager,
//!   operation, field names; never values), read for this op only
//!   ([`Engine::list_pages_with_writers`]); status writes are left out (controllers write
//!   them constantly; what they mean shows as failures below);
//! - Helm release revisions created in the window, from their storage's labels (metadata
//!   only, [`super::helm`]), with the revision's status;
//! - failures that started: container terminations, Warning events first seen in the
//!   window, failed Jobs, node condition transitions (with `-A`: nodes are not in a
//!   namespace).
//!
//! Memory is bounded: pages are walked one at a time and only the newest entries are kept
//! ([`Keeper`]); what it drops is counted by kind and said in the cut's note.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::command::{Command, OutputFormat, parse_duration_seconds};
use crate::error::{Code, Error, Result};
use crate::kube::Resource;
use crate::output::Output;
use crate::redact::{Redacted, WRITERS};
use crate::timefmt::parse_rfc3339;

use super::engine::{Engine, Namespaces, Revisions};
use super::get::PAGE;
use super::render::changes::{Entry, Keeper, Kind, Window, render};
use super::render::diff;
use super::rollout_diff::pick;

/// The window when none is given: long enough for "since about an hour ago".
pub const DEFAULT_SINCE: &str = "2h";
/// The API server's default `--event-ttl`: older events are gone.
const EVENT_TTL: Duration = Duration::from_secs(3600);
/// Most entries held while walking (the newest are kept, the rest counted).
const MAX_KEPT: usize = 2000;
/// Most rollouts whose template diff is read (one list of the owner's revisions each).
const MAX_DIFFS: usize = 20;

/// The types whose managedFields writers are listed, as `TYPE.GROUP`.
pub(super) const UPDATED_TYPES: &[&str] = &[
    "configmaps",
    "secrets",
    "services",
    "ingresses.networking.k8s.io",
    "deployments.apps",
    "statefulsets.apps",
    "daemonsets.apps",
    "horizontalpodautoscalers.autoscaling",
    "poddisruptionbudgets.policy",
    "networkpolicies.networking.k8s.io",
    "roles.rbac.authorization.k8s.io",
    "rolebindings.rbac.authorization.k8s.io",
];

/// Run `changes`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let since = parse_duration_seconds(cmd.since.as_deref().unwrap_or(DEFAULT_SINCE))?;
    let window = Window {
        now: SystemTime::now(),
        since: Duration::from_secs(u64::try_from(since).unwrap_or(0)),
        event_ttl: EVENT_TTL,
    };
    let pods = e.resolve(cmd, "pods")?;
    let nss = e.namespaces(cmd, &pods)?;
    let target = match &cmd.for_object {
        Some(f) => Some(for_target(e, cmd, f)?),
        None => None,
    };
    let mut c = Collect {
        e,
        start: window.start(),
        target,
        keep: Keeper::new(MAX_KEPT),
        notes: Vec::new(),
        diffs: 0,
    };
    c.replica_sets(&nss)?;
    c.controller_revisions(&nss)?;
    c.events(&nss)?;
    c.pods(&nss)?;
    c.jobs(&nss)?;
    c.helm_revisions(&nss)?;
    for t in UPDATED_TYPES {
        c.updates(&nss, t)?;
    }
    if cmd.all_namespaces {
        c.nodes()?;
    }
    let scope = match &nss {
        Namespaces::One(ns) => format!("in {ns}"),
        _ => "in every namespace".to_string(),
    };
    let scope = match &cmd.for_object {
        Some(f) => format!("{scope} for {f}"),
        None => scope,
    };
    let notes = std::mem::take(&mut c.notes);
    let (entries, dropped) = c.keep.finish();
    // What the flight recorder holds in the window that the API no longer has: in the JSON
    // form, items of kind `recorded` (each a record as `history -o json` shows it) after
    // the changes, within the budget; in the table form, lines after the table.
    let object = record_object(&cmd.for_object, e, cmd);
    let json_out = cmd.output == OutputFormat::Json;
    let recorded: Vec<Value> = match json_out {
        true => {
            let records =
                super::history::recalled_records(e, cmd, object.as_deref(), Some(window.start())).0;
            records.iter().map(recorded_item).collect()
        }
        false => Vec::new(),
    };
    let mut out = render(
        &entries,
        dropped,
        window,
        &scope,
        nss.is_many(),
        json_out.then_some(&recorded[..]),
        max,
    );
    if !json_out {
        // Said after the lines, and only when it fits.
        let start = window.start();
        let recalled = super::history::recalled(e, cmd, object.as_deref(), Some(start));
        let tail: String = recalled.iter().map(|l| format!("{l}\n")).collect();
        if !tail.is_empty() && out.text.len() + tail.len() <= max {
            out.text.push_str(&tail);
        }
    }
    if !notes.is_empty() && cmd.output != OutputFormat::Json {
        // Said after the lines so the cut never drops it: what could not be read.
        let tail = format!("[not read: {}]\n", notes.join("; "));
        if out.text.len() + tail.len() <= max {
            out.text.push_str(&tail);
        }
    }
    Ok(out)
}

/// A flight recorder's record as an item of `changes -o json`: the fields every item has
/// (`kind` is `recorded`, `what` its text, no `who`), then the record's own.
fn recorded_item(r: &crate::recorder::ring::Record) -> Value {
    let mut item = super::history::record_json(r);
    if let Some(m) = item.as_object_mut() {
        m.insert(
            "time".into(),
            Value::from(crate::timefmt::format_rfc3339(r.last)),
        );
        m.insert("kind".into(), Value::from("recorded"));
        m.insert("what".into(), Value::from(r.text.as_str()));
        m.insert("who".into(), Value::from(""));
    }
    item
}

/// `--for TYPE/NAME` as the recorder names objects (`pod/api-1`, `deployment/web`).
fn record_object(f: &Option<String>, e: &Engine, cmd: &Command) -> Option<String> {
    let (typed, name) = f.as_deref()?.split_once('/')?;
    let res = e.resolve(cmd, typed).ok()?;
    Some(format!("{}/{name}", res.kind.to_ascii_lowercase()))
}

/// `--for TYPE/NAME` as (short kind, name), the type resolved as every command's is.
fn for_target(e: &Engine, cmd: &Command, f: &str) -> Result<(String, String)> {
    let (typed, name) = f
        .split_once('/')
        .ok_or_else(|| Error::invalid(format!("--for takes TYPE/NAME, got {f:?}")))?;
    let res = e.resolve(cmd, typed)?;
    Ok((short(&res.kind), name.to_string()))
}

/// kubectl's short name of a kind, as the lines say it (`deploy/api`, `cm/order-config`).
fn short(kind: &str) -> String {
    match kind {
        "ConfigMap" => "cm".into(),
        "Service" => "svc".into(),
        "Ingress" => "ing".into(),
        "HorizontalPodAutoscaler" => "hpa".into(),
        "PodDisruptionBudget" => "pdb".into(),
        "NetworkPolicy" => "netpol".into(),
        other => crate::object::short_kind(other),
    }
}

/// The walk's state: the window, the `--for` target, the entries kept.
struct Collect<'a> {
    e: &'a Engine,
    start: SystemTime,
    target: Option<(String, String)>,
    keep: Keeper,
    notes: Vec<String>,
    diffs: usize,
}

/// A string at `ptr` of `v`, empty when absent.
fn s<'v>(v: &'v Value, ptr: &str) -> &'v str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

impl Collect<'_> {
    /// Helm release revisions created in the window (`helm/NAME: revision N STATUS`); a
    /// refused read is a note, as for every other type.
    fn helm_revisions(&mut self, nss: &Namespaces) -> Result<()> {
        let revs = match super::helm::revisions(self.e, nss, None) {
            Ok((revs, _, _)) => revs,
            Err(err) if matches!(err.code, Code::Forbidden | Code::NotFound) => {
                self.notes.push(format!("helm releases ({})", err.code));
                return Ok(());
            }
            Err(err) => return Err(err),
        };
        for r in revs {
            let object = format!("helm/{}", r.name);
            let Some(time) = r.created.filter(|t| *t >= self.start) else {
                continue;
            };
            if !self.wanted(&object, None) {
                continue;
            }
            self.keep.offer(Entry {
                time,
                kind: Kind::Rollout,
                namespace: r.namespace.clone(),
                object,
                what: format!("helm revision {} ({})", r.revision, r.status),
                who: "helm".to_string(),
            });
        }
        Ok(())
    }

    /// Whether `t` (an RFC 3339 time) falls in the window; the time when it does.
    fn in_window(&self, t: &str) -> Option<SystemTime> {
        since(t, self.start)
    }

    /// Whether `--for` lets an entry about `object` (with `owner`, `deploy/x` of a pod)
    /// through: the object itself, or something it owns.
    fn wanted(&self, object: &str, owner: Option<&str>) -> bool {
        let Some((kind, name)) = &self.target else {
            return true;
        };
        let t = format!("{kind}/{name}");
        if object == t || owner == Some(t.as_str()) {
            return true;
        }
        // A Deployment owns its ReplicaSets (`NAME-HASH`) and, through them, their pods.
        kind == "deploy"
            && [Some(object), owner].into_iter().flatten().any(|o| {
                o.strip_prefix("rs/")
                    .and_then(|rs| rs.strip_prefix(name.as_str()))
                    .is_some_and(|rest| rest.starts_with('-'))
            })
    }

    fn offer(
        &mut self,
        time: SystemTime,
        kind: Kind,
        obj: &Value,
        object: String,
        what: String,
        who: &str,
    ) {
        self.keep.offer(Entry {
            time,
            kind,
            namespace: s(obj, "/metadata/namespace").to_string(),
            object,
            what,
            who: who.to_string(),
        });
    }

    /// List `typed` in every namespace of `nss`, each object to `each`; a type the server
    /// does not serve or the caller may not list is a note, not a failure.
    fn walk(
        &mut self,
        nss: &Namespaces,
        typed: &str,
        writers: bool,
        mut each: impl FnMut(&mut Self, &Value),
    ) -> Result<()> {
        let res = match self.e.resolve_type(typed) {
            Ok(r) => r,
            Err(err) if err.code == Code::NotFound => return Ok(()),
            // Secrets under `--no-secrets`: said, and the rest of the changes still read.
            Err(err) if err.code == Code::OutOfScope => {
                self.notes.push(format!("{typed} ({})", err.code));
                return Ok(());
            }
            Err(err) => return Err(err),
        };
        let e = self.e;
        for ns in nss.paths() {
            let path = res.path(if res.namespaced { ns } else { None }, None);
            let accept = if crate::object::is_secret(&res) {
                crate::kube::ACCEPT_METADATA
            } else {
                "application/json"
            };
            let mut handle = |page: Redacted<Value>| {
                for item in page.items() {
                    each(self, item.value());
                }
                Ok(true)
            };
            let read = if writers {
                e.list_pages_with_writers(&path, accept, PAGE, &mut handle)
            } else {
                e.list_pages(&path, accept, PAGE, &mut handle)
            };
            match read {
                Ok(()) => {}
                Err(err) if matches!(err.code, Code::Forbidden | Code::NotFound) => {
                    self.notes.push(format!("{} ({})", res.plural, err.code));
                    return Ok(());
                }
                Err(err) => return Err(err),
            }
            if !res.namespaced {
                break;
            }
        }
        Ok(())
    }

    /// New ReplicaSets of Deployments: a rollout each, with its template's change summary.
    fn replica_sets(&mut self, nss: &Namespaces) -> Result<()> {
        let mut found: Vec<(SystemTime, Value)> = Vec::new();
        self.walk(nss, "replicasets.apps", false, |c, rs| {
            let Some(t) = c.in_window(s(rs, "/metadata/creationTimestamp")) else {
                return;
            };
            if Revisions::ReplicaSets.number(rs).is_some() {
                found.push((t, revision_ref(rs, "Deployment")));
            }
        })?;
        self.rollouts(found, Revisions::ReplicaSets, "replicasets.apps")
    }

    /// New ControllerRevisions of StatefulSets and DaemonSets.
    fn controller_revisions(&mut self, nss: &Namespaces) -> Result<()> {
        let mut found: Vec<(SystemTime, Value)> = Vec::new();
        self.walk(nss, "controllerrevisions.apps", false, |c, cr| {
            let Some(t) = c.in_window(s(cr, "/metadata/creationTimestamp")) else {
                return;
            };
            let owner = revision_ref(cr, "");
            if Revisions::ControllerRevisions.number(cr).is_some() && !owner["owner"].is_null() {
                found.push((t, owner));
            }
        })?;
        self.rollouts(
            found,
            Revisions::ControllerRevisions,
            "controllerrevisions.apps",
        )
    }

    /// One entry per new revision (`found`: time and [`revision_ref`]), the newest
    /// [`MAX_DIFFS`] with their template change summary.
    fn rollouts(
        &mut self,
        mut found: Vec<(SystemTime, Value)>,
        kind: Revisions,
        typed: &str,
    ) -> Result<()> {
        found.sort_by_key(|f| std::cmp::Reverse(f.0));
        let list = self.e.resolve_type(typed)?;
        for (time, r) in found {
            let object = format!("{}/{}", short(s(&r, "/owner/kind")), s(&r, "/owner/name"));
            if !self.wanted(&object, None) {
                continue;
            }
            let rev = r["revision"].as_i64().unwrap_or(0);
            let summary = if self.diffs < MAX_DIFFS {
                self.diffs += 1;
                self.summary(&list, &r, kind, rev)?
            } else {
                "template change not read (too many rollouts: narrow with --for)".to_string()
            };
            let what = format!("rollout to revision {rev} ({}): {summary}", s(&r, "/name"));
            self.offer(
                time,
                Kind::Rollout,
                &r,
                object,
                what,
                s(&r, "/owner/manager"),
            );
        }
        Ok(())
    }

    /// What revision `rev` of `r`'s owner changed against the revision before it.
    fn summary(&self, list: &Resource, r: &Value, kind: Revisions, rev: i64) -> Result<String> {
        let path = list.path(Some(s(r, "/metadata/namespace")), None);
        match self.e.template_pair(&path, s(r, "/owner/uid"), kind, |n| {
            pick(n, Some(rev), None)
        }) {
            Ok(pair) => Ok(diff::summary(&diff::deltas(&pair.old, &pair.new))),
            Err(err) if err.code == Code::NotFound => {
                Ok("no earlier revision to compare".to_string())
            }
            Err(err) => Err(err),
        }
    }

    /// Scaling, pods made by controllers and Warning events first seen in the window.
    fn events(&mut self, nss: &Namespaces) -> Result<()> {
        self.walk(nss, "events", false, |c, ev| {
            if let Some(e) = event_entry(ev, c.start)
                && c.wanted(&e.object, None)
            {
                c.keep.offer(e);
            }
        })
    }

    /// Container terminations in the window (the current state or the last one).
    fn pods(&mut self, nss: &Namespaces) -> Result<()> {
        self.walk(nss, "pods", false, |c, p| {
            let object = format!("pod/{}", s(p, "/metadata/name"));
            let owner = crate::object::owner_subject(p);
            let rs = p
                .pointer("/metadata/ownerReferences/0/name")
                .and_then(Value::as_str)
                .map(|n| format!("rs/{n}"));
            if !c.wanted(&object, owner.as_deref()) && !c.wanted(&object, rs.as_deref()) {
                return;
            }
            for list in ["/status/initContainerStatuses", "/status/containerStatuses"] {
                let Some(statuses) = p.pointer(list).and_then(Value::as_array) else {
                    continue;
                };
                for st in statuses {
                    for state in ["/state/terminated", "/lastState/terminated"] {
                        let Some(term) = st.pointer(state) else {
                            continue;
                        };
                        let Some(time) = c.in_window(s(term, "/finishedAt")) else {
                            continue;
                        };
                        let code = term.get("exitCode").and_then(Value::as_i64).unwrap_or(0);
                        if code == 0 && s(term, "/reason") == "Completed" {
                            continue;
                        }
                        let what = format!(
                            "container {} terminated: {} (exit code {code}, restarts {})",
                            s(st, "/name"),
                            s(term, "/reason"),
                            st.get("restartCount").and_then(Value::as_i64).unwrap_or(0)
                        );
                        c.offer(time, Kind::Failure, p, object.clone(), what, "");
                    }
                }
            }
        })
    }

    /// Jobs that failed in the window.
    fn jobs(&mut self, nss: &Namespaces) -> Result<()> {
        self.walk(nss, "jobs.batch", false, |c, j| {
            let object = format!("job/{}", s(j, "/metadata/name"));
            for cond in j
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if s(cond, "/type") != "Failed" || s(cond, "/status") != "True" {
                    continue;
                }
                let Some(time) = c.in_window(s(cond, "/lastTransitionTime")) else {
                    continue;
                };
                if c.wanted(&object, None) {
                    let what = format!("failed: {} {}", s(cond, "/reason"), s(cond, "/message"));
                    c.offer(
                        time,
                        Kind::Failure,
                        j,
                        object.clone(),
                        what.trim_end().to_string(),
                        "",
                    );
                }
            }
        })
    }

    /// Node condition transitions in the window.
    fn nodes(&mut self) -> Result<()> {
        // Nodes are cluster-scoped: read only where the operator allows cluster reads.
        if let Err(err) = self.e.scope().check_cluster_scoped("nodes") {
            self.notes.push(format!("nodes ({})", err.code));
            return Ok(());
        }
        self.walk(&Namespaces::Cluster, "nodes", false, |c, n| {
            let object = format!("node/{}", s(n, "/metadata/name"));
            for cond in n
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(time) = c.in_window(s(cond, "/lastTransitionTime")) else {
                    continue;
                };
                if c.wanted(&object, None) {
                    let what = format!(
                        "{} is now {}: {}",
                        s(cond, "/type"),
                        s(cond, "/status"),
                        s(cond, "/reason")
                    );
                    c.offer(time, Kind::Failure, n, object.clone(), what, "");
                }
            }
        })
    }

    /// Writers of `typed` objects (managedFields) whose time is in the window.
    fn updates(&mut self, nss: &Namespaces, typed: &str) -> Result<()> {
        let kind_of = |typed: &str| match typed.split('.').next().unwrap_or(typed) {
            "configmaps" => "cm",
            "secrets" => "secret",
            "services" => "svc",
            "ingresses" => "ing",
            "deployments" => "deploy",
            "statefulsets" => "sts",
            "daemonsets" => "ds",
            "horizontalpodautoscalers" => "hpa",
            "poddisruptionbudgets" => "pdb",
            "networkpolicies" => "netpol",
            "roles" => "role",
            "rolebindings" => "rolebinding",
            _ => "object",
        };
        let kind = kind_of(typed);
        self.walk(nss, typed, true, |c, obj| {
            let object = format!("{kind}/{}", s(obj, "/metadata/name"));
            if c.wanted(&object, None) {
                for e in writer_entries(obj, &object, c.start) {
                    c.keep.offer(e);
                }
            }
        })
    }
}

/// Parse `t` (RFC 3339) when it is at or after `start`.
fn since(t: &str, start: SystemTime) -> Option<SystemTime> {
    parse_rfc3339(t).filter(|t| *t >= start)
}

/// The entry an event makes, if any: scaling and pods made or removed by a controller
/// (`ScalingReplicaSet`, HPA `SuccessfulRescale`, `SuccessfulCreate`/`Delete`) when last
/// seen in the window; a Warning when *first* seen in it (one that started earlier is not a
/// change).
fn event_entry(ev: &Value, start: SystemTime) -> Option<Entry> {
    let first_of = |ptrs: &[&str]| {
        ptrs.iter()
            .map(|p| s(ev, p))
            .find(|t| !t.is_empty())
            .unwrap_or("")
    };
    let last = first_of(&["/lastTimestamp", "/eventTime", "/firstTimestamp"]);
    let first = first_of(&["/firstTimestamp", "/eventTime"]);
    let reason = s(ev, "/reason");
    let (kind, time) = match reason {
        "ScalingReplicaSet" | "SuccessfulRescale" | "SuccessfulCreate" | "SuccessfulDelete" => {
            (Kind::Scale, since(last, start)?)
        }
        _ if s(ev, "/type") == "Warning" => (Kind::Failure, since(first, start)?),
        _ => return None,
    };
    let message = s(ev, "/message").trim();
    let count = ev.get("count").and_then(Value::as_i64).unwrap_or(1);
    let what = match kind {
        Kind::Failure if count > 1 => format!("{reason} (first seen, ×{count}): {message}"),
        Kind::Failure => format!("{reason} (first seen): {message}"),
        _ => format!("{reason}: {message}"),
    };
    Some(Entry {
        time,
        kind,
        namespace: s(ev, "/metadata/namespace").to_string(),
        object: format!(
            "{}/{}",
            short(s(ev, "/involvedObject/kind")),
            s(ev, "/involvedObject/name")
        ),
        what,
        who: first_of(&["/source/component", "/reportingComponent"]).to_string(),
    })
}

/// One entry per writer of `obj` (its [`WRITERS`] summaries) whose time is in the window:
/// `created` when the write is the object's creation, else `updated`, with the operation
/// and the field names. Status writes are left out (controllers make them all the time),
/// and so is the last-applied annotation kubectl writes beside every apply.
fn writer_entries(obj: &Value, object: &str, start: SystemTime) -> Vec<Entry> {
    let created = s(obj, "/metadata/creationTimestamp");
    let writers = obj
        .pointer("/metadata")
        .and_then(|m| m.get(WRITERS))
        .and_then(Value::as_array);
    let mut out = Vec::new();
    for w in writers.into_iter().flatten() {
        if !s(w, "/subresource").is_empty() {
            continue;
        }
        let Some(time) = since(s(w, "/time"), start) else {
            continue;
        };
        let verb = if s(w, "/time") == created {
            "created"
        } else {
            "updated"
        };
        let fields: Vec<&str> = w
            .get("fields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|f| !f.starts_with("metadata.annotations.kubectl.kubernetes.io/last-applied"))
            .collect();
        out.push(Entry {
            time,
            kind: Kind::Update,
            namespace: s(obj, "/metadata/namespace").to_string(),
            object: object.to_string(),
            what: format!("{verb} ({}: {})", s(w, "/operation"), fields.join(", ")),
            who: s(w, "/manager").to_string(),
        });
    }
    out
}

/// What [`Collect::rollouts`] needs of a new revision, without its template: its name,
/// namespace, revision and controlling owner (`{kind, name, uid}`; `fallback_kind` when the
/// owner reference names none), and the manager that created it.
fn revision_ref(obj: &Value, fallback_kind: &str) -> Value {
    let owner = obj
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .and_then(|os| {
            os.iter()
                .find(|o| o.get("controller") == Some(&Value::Bool(true)))
                .or(os.first())
        });
    let rev = Revisions::ReplicaSets
        .number(obj)
        .or_else(|| Revisions::ControllerRevisions.number(obj));
    let owner = owner.map(|o| {
        let kind = match s(o, "/kind") {
            "" => fallback_kind,
            k => k,
        };
        serde_json::json!({"kind": kind, "name": s(o, "/name"), "uid": s(o, "/uid")})
    });
    serde_json::json!({
        "name": s(obj, "/metadata/name"),
        "metadata": {"namespace": s(obj, "/metadata/namespace")},
        "revision": rev,
        "owner": owner,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::{RedactSettings, Source, fetched_with_writers};
    use serde_json::json;

    fn at(t: &str) -> SystemTime {
        parse_rfc3339(t).unwrap()
    }

    #[test]
    fn scaling_rescale_and_first_seen_warnings_are_changes_other_events_are_not() {
        let start = at("2026-12-07T10:00:00Z");
        // As the deployment controller and the HPA controller record them (core/v1).
        let scaled = json!({"metadata": {"namespace": "shop"}, "type": "Normal",
            "reason": "ScalingReplicaSet", "message": "Scaled up replica set api-7d to 3",
            "involvedObject": {"kind": "Deployment", "name": "api"},
            "source": {"component": "deployment-controller"},
            "firstTimestamp": "2026-12-07T09:00:00Z", "lastTimestamp": "2026-12-07T10:12:00Z"});
        let e = event_entry(&scaled, start).unwrap();
        assert_eq!(
            (e.kind, e.object.as_str(), e.who.as_str()),
            (Kind::Scale, "deploy/api", "deployment-controller")
        );
        assert_eq!(
            e.what,
            "ScalingReplicaSet: Scaled up replica set api-7d to 3"
        );
        let rescale = json!({"type": "Normal", "reason": "SuccessfulRescale",
            "message": "New size: 5; reason: cpu resource utilization above target",
            "involvedObject": {"kind": "HorizontalPodAutoscaler", "name": "web"},
            "reportingComponent": "horizontal-pod-autoscaler",
            "eventTime": "2026-12-07T10:30:00.000000Z"});
        let e = event_entry(&rescale, start).unwrap();
        assert_eq!(
            (e.object.as_str(), e.who.as_str()),
            ("hpa/web", "horizontal-pod-autoscaler")
        );
        // A Warning that started before the window and still repeats is not a change.
        let old = json!({"type": "Warning", "reason": "BackOff", "count": 40,
            "involvedObject": {"kind": "Pod", "name": "api-1"},
            "firstTimestamp": "2026-12-07T09:59:59Z", "lastTimestamp": "2026-12-07T10:40:00Z"});
        assert!(event_entry(&old, start).is_none());
        let mut new = old.clone();
        new["firstTimestamp"] = json!("2026-12-07T10:01:00Z");
        assert_eq!(
            event_entry(&new, start).unwrap().what,
            "BackOff (first seen, ×40): "
        );
        let pulled = json!({"type": "Normal", "reason": "Pulled", "lastTimestamp": "2026-12-07T10:40:00Z",
            "involvedObject": {"kind": "Pod", "name": "api-1"}});
        assert!(event_entry(&pulled, start).is_none());
    }

    #[test]
    fn each_writer_in_the_window_is_one_line_with_its_manager_and_field_names() {
        // A ConfigMap as kube-apiserver 1.20 returns it after `kubectl apply` (client side)
        // created it, a server-side apply added a key and a controller wrote its status.
        let cm = json!({"metadata": {"name": "order-config", "namespace": "shop",
            "creationTimestamp": "2026-12-07T10:10:00Z",
            "managedFields": [
                {"manager": "kubectl-client-side-apply", "operation": "Update", "time": "2026-12-07T10:10:00Z",
                 "fieldsV1": {"f:data": {".": {}, "f:LOG_LEVEL": {}}, "f:metadata": {"f:annotations": {".": {},
                     "f:kubectl.kubernetes.io/last-applied-configuration": {}}}}},
                {"manager": "deploy-bot", "operation": "Apply", "time": "2026-12-07T10:12:00Z",
                 "fieldsV1": {"f:data": {"f:FEATURE_X": {}}}},
                {"manager": "old-writer", "operation": "Update", "time": "2026-12-07T08:00:00Z",
                 "fieldsV1": {"f:data": {"f:OLD": {}}}},
                {"manager": "kube-controller-manager", "operation": "Update", "subresource": "status",
                 "time": "2026-12-07T10:13:00Z", "fieldsV1": {"f:status": {"f:x": {}}}}
            ]},
            "data": {"LOG_LEVEL": "debug-value-1", "FEATURE_X": "on-value-2", "OLD": "v3"}});
        let shown = fetched_with_writers(cm, Source::Object, &RedactSettings::default());
        let lines: Vec<(String, String)> =
            writer_entries(shown.value(), "cm/order-config", at("2026-12-07T10:00:00Z"))
                .into_iter()
                .map(|e| (e.what, e.who))
                .collect();
        assert_eq!(
            lines,
            [
                (
                    "created (Update: data.LOG_LEVEL)".to_string(),
                    "kubectl-client-side-apply".to_string()
                ),
                (
                    "updated (Apply: data.FEATURE_X)".to_string(),
                    "deploy-bot".to_string()
                ),
            ]
        );
        assert!(!format!("{lines:?}").contains("-value-"));
    }
}
