//! `describe`: the object (named, or those a selector or namespace holds) and what an
//! investigator needs beside it (its events, its pods or ReplicaSets, a Service's endpoints,
//! a node's pods and Lease, a namespace's quotas and limit ranges, the pods using a claim, an
//! ingress's backends, a StatefulSet's Service), fetched redacted through the engine within
//! the scope and handed to the pure renderers in [`super::render::describe`], then cut to the
//! budget. A related read that fails or is out of scope leaves its part out or marked, never
//! the whole answer.

use std::time::SystemTime;

use serde_json::Value;

use crate::command::{Command, Op};
use crate::error::{Code, Error, Result};
use crate::json::text;
use crate::kube::Resource;
use crate::names::check_object_name;
use crate::object::owned_by;
use crate::output::budget::Budget;
use crate::output::{Format, Output};
use crate::redact::{self, Redacted};
use crate::url::encode;

use super::engine::{Engine, Namespaces, Revisions, Shape};
use super::related::{claim_users, counted_scoped_list, list, list_selected, scoped_list};
use super::render::{describe, diff};

/// Most objects one `describe` without names renders (each brings its own requests).
const MAX_DESCRIBED: usize = 50;

/// Run `describe`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    run_as(e, cmd, max, false)
}

/// Run the `describe namespaces` that [`Engine::namespace_reads_in_scope`] made of a list
/// of the allowed ones: one that does not exist is noted, not an error (and no prefix is
/// looked for, which would list namespaces outside the scope).
pub fn run_in_scope(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    run_as(e, cmd, max, true)
}

fn run_as(e: &Engine, cmd: &Command, max: usize, in_scope: bool) -> Result<Output> {
    let typed = cmd.resource.as_deref().ok_or_else(|| {
        Error::invalid("`describe` needs a resource type, e.g. `describe pod web-1`")
    })?;
    let res = e.resolve(cmd, typed)?;
    let nss = e.namespaces(cmd, &res)?;
    let (objects, missing) = match describe_targets(e, cmd, &res, &nss, !in_scope) {
        Err(err) if err.code == Code::NotFound => return Err(with_recorded(e, cmd, &res, err)),
        found => found?,
    };
    if let (true, Some(first), false) = (objects.is_empty(), missing.first(), in_scope) {
        return Err(with_recorded(e, cmd, &res, first.clone()));
    }
    let mut budget = Budget::new(max);
    if in_scope && !missing.is_empty() {
        // The request path of each NotFound ends in the namespace's name.
        let names: Vec<&str> = missing
            .iter()
            .filter_map(|m| m.path.as_deref()?.rsplit('/').next())
            .collect();
        budget.push_note(&format!(
            "[kubeglass: allowed namespaces that do not exist: {}]",
            names.join(", ")
        ));
    }
    if objects.is_empty() && missing.is_empty() {
        return Ok(Output::text(format!("{}\n", nss.empty_phrase())));
    }
    let now = SystemTime::now();
    for (i, obj) in objects.into_iter().enumerate() {
        let obj = obj.with_type(&res.api_version(), &res.kind);
        let related = related(e, &res, &obj);
        if i > 0 {
            budget.push("");
        }
        for line in describe::render(&obj, &related, now).lines() {
            budget.push(line);
        }
        // What the flight recorder holds for this object that the API no longer has (an
        // expired Warning event, a crash its lastState no longer shows).
        let name = obj
            .pointer("/metadata/name")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        let ns = obj
            .pointer("/metadata/namespace")
            .and_then(serde_json::Value::as_str);
        for line in recorded(e, cmd, &res, ns, name).lines() {
            budget.push(line);
        }
        if budget.is_full() {
            break;
        }
    }
    let out = budget.finish(Format::Text, "describe fewer objects (give names or -l)");
    // kubectl's partial result: the objects found, then the names that were not.
    match missing.first() {
        _ if in_scope => Ok(out),
        None => Ok(out),
        Some(first) => Err(first.clone().with_partial(out.text)),
    }
}

/// `err` (an object not found) with what the flight recorder kept of the named objects,
/// which are gone, as its partial output.
fn with_recorded(e: &Engine, cmd: &Command, res: &Resource, err: Error) -> Error {
    if err.partial.is_some() {
        return err;
    }
    let ns = e.namespace(cmd).ok();
    let kept: String = cmd
        .names
        .iter()
        .map(|n| recorded(e, cmd, res, ns.as_deref().filter(|_| res.namespaced), n))
        .collect();
    match kept.is_empty() {
        true => err,
        false => err.with_partial(kept),
    }
}

/// What the flight recorder (an agent's `--record`) holds for the object `name` of `res`
/// in `ns` that the API no longer has, as describe lines (empty without a recorder).
fn recorded(e: &Engine, cmd: &Command, res: &Resource, ns: Option<&str>, name: &str) -> String {
    let object = format!("{}/{name}", res.kind.to_ascii_lowercase());
    let mut one = cmd.clone();
    one.namespace = ns.map(str::to_string);
    one.all_namespaces = ns.is_none();
    let lines = super::history::recalled(e, &one, Some(&object), None);
    if lines.is_empty() {
        return String::new();
    }
    let mut text = format!("Recorded for {object} (no longer in the API):\n");
    for line in lines {
        text.push_str(&format!("  {line}\n"));
    }
    text
}

/// A Secret's TYPE and DATA cells from its server-side Table row, read with
/// `includeObject=None`: the row carries no object, and the cells no key or value.
fn secret_cells(
    e: &Engine,
    res: &Resource,
    ns: Option<&str>,
    name: &str,
) -> Result<Option<Redacted<describe::SecretCells>>> {
    let mut one = Command::new(Op::Get);
    one.names = vec![name.to_string()];
    let nss = ns.map_or(Namespaces::Cluster, |n| Namespaces::One(n.to_string()));
    let mut found = None;
    e.walk(&one, res, &nss, Shape::TableCells, 1, |table| {
        found = Some(table.part(|t| {
            let cell = |col: &str| {
                let defs = t.get("columnDefinitions").and_then(Value::as_array);
                let i = defs.and_then(|d| {
                    d.iter()
                        .position(|c| c.get("name").and_then(Value::as_str) == Some(col))
                });
                i.and_then(|i| t.pointer(&format!("/rows/0/cells/{i}")))
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .unwrap_or_default()
            };
            describe::SecretCells {
                kind: cell("Type"),
                keys: cell("Data"),
            }
        }));
        Ok(false)
    })?;
    Ok(found)
}

/// The objects to describe: named ones, or those a selector / namespace holds. One name
/// that matches no object is a prefix, as in kubectl: `describe pod web` describes every
/// pod whose name starts with `web`. Other missing names are returned aside.
fn describe_targets(
    e: &Engine,
    cmd: &Command,
    res: &Resource,
    nss: &Namespaces,
    prefix_scan: bool,
) -> Result<(Vec<Redacted<Value>>, Vec<Error>)> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    e.walk_keeping_missing(
        cmd,
        res,
        nss,
        Shape::Objects,
        MAX_DESCRIBED,
        Some(&mut missing),
        |obj| {
            out.push(obj);
            Ok(out.len() < MAX_DESCRIBED)
        },
    )?;
    if let ([prefix], [not_found], true) = (cmd.names.as_slice(), missing.as_slice(), prefix_scan) {
        let mut all = cmd.clone();
        all.names.clear();
        e.walk(&all, res, nss, Shape::Objects, MAX_DESCRIBED, |obj| {
            let name = obj.pointer("/metadata/name").and_then(Value::as_str);
            if name.is_some_and(|n| n.starts_with(prefix.as_str())) {
                out.push(obj);
            }
            Ok(out.len() < MAX_DESCRIBED)
        })?;
        if out.is_empty() {
            return Err(not_found.clone());
        }
        missing.clear();
    }
    out.truncate(MAX_DESCRIBED);
    Ok((out, missing))
}

/// The API groups of the built-in kinds whose describe reads extras (pods, endpoints, …).
const EXTRAS_GROUPS: &[&str] = &["", "apps", "extensions", "batch", "networking.k8s.io"];

/// What to read beside an object of `res`: by kind for the built-in types only. A custom
/// resource may share a kind (Knative's `Service`) without sharing its meaning: only its
/// events are read, never another object by its name or spec.
fn needs_of(res: &Resource, kind: &str) -> describe::Needs {
    let builtin = EXTRAS_GROUPS.contains(&res.group.as_str());
    describe::needs(if builtin { kind } else { "" })
}

/// What the renderer needs beside the object; a related read that fails (RBAC may allow
/// the object but not its events) leaves that part empty rather than failing the command.
fn related(e: &Engine, res: &Resource, object: &Redacted<Value>) -> describe::Related {
    let obj = object.value();
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or(&res.kind);
    let needs = needs_of(res, kind);
    let ns = text(obj, "/metadata/namespace");
    let ns = (!ns.is_empty()).then_some(ns);
    let name = text(obj, "/metadata/name");
    let mut rel = describe::Related::default();
    let soft = |what: &str, r: Result<Vec<Redacted<Value>>>| -> Vec<Redacted<Value>> {
        r.unwrap_or_else(|err| {
            log::warn!(
                "describe {kind}/{name}: could not read its {what}: {}",
                shown(&err)
            );
            Vec::new()
        })
    };
    if needs.events {
        rel.events = soft("events", object_events(e, obj, ns));
    }
    let selector = match (needs.pods_by_selector || needs.replica_sets, ns) {
        (true, Some(_)) => e.selector(res, object).unwrap_or_else(|err| {
            log::warn!(
                "describe {kind}/{name}: could not read its selector: {}",
                shown(&err)
            );
            None
        }),
        _ => None,
    };
    if let (true, Some(sel), Some(ns)) = (needs.pods_by_selector, &selector, ns) {
        rel.pods = soft("pods", list_selected(e, "pods", ns, sel));
    }
    if let (true, Some(sel), Some(ns)) = (needs.replica_sets, &selector, ns) {
        let uid = text(obj, "/metadata/uid");
        let rss = soft("ReplicaSets", list_selected(e, "replicasets", ns, sel));
        rel.replica_sets = rss.into_iter().filter(|rs| owned_by(rs, uid)).collect();
    }
    if let (true, Some(ns)) = (needs.last_rollout, ns) {
        rel.last_rollout = last_rollout(e, kind, ns, name).unwrap_or_else(|err| {
            log::warn!(
                "describe {kind}/{name}: could not read its revisions: {}",
                shown(&err)
            );
            None
        });
    }
    if let (true, Some(ns)) = (needs.endpoints, ns) {
        let path = format!("/api/v1/namespaces/{ns}/endpoints/{}", encode(name));
        rel.endpoints = e.get(&path).ok();
    }
    if kind == "Secret" {
        rel.secret = secret_cells(e, res, ns, name).unwrap_or_else(|err| {
            log::warn!("describe Secret/{name}: could not read its type: {err}");
            None
        });
    }
    if needs.node_pods {
        node_related(e, name, &mut rel);
    }
    let own_ns = (e.scope().check_namespace(name).is_ok()).then_some(name);
    if let (true, Some(ns)) = (needs.quotas, ns.or(own_ns)) {
        rel.quotas = list(e, "resourcequotas", Some(ns), &[]).ok();
        rel.limit_ranges = list(e, "limitranges", Some(ns), &[]).ok();
    }
    if let (true, Some(ns)) = (needs.used_by, ns) {
        rel.used_by = claim_users(e, ns, name)
            .inspect_err(|err| {
                log::warn!(
                    "describe {kind}/{name}: could not read the pods using it: {}",
                    shown(err)
                )
            })
            .ok();
    }
    if let (true, Some(ns)) = (needs.backends, ns) {
        rel.backends = backends(e, ns, obj);
    }
    if let (true, Some(ns)) = (needs.service, ns) {
        let svc = text(obj, "/spec/serviceName");
        if !svc.is_empty() {
            // The API does not validate serviceName: a value that is no object name
            // (`../secrets/x`, `x?watch=1`) must not steer a request path, and names no
            // Service that could exist.
            rel.service_missing = check_object_name(svc).is_err()
                || e.get(&format!("/api/v1/namespaces/{ns}/services/{}", encode(svc)))
                    .is_err_and(|err| err.is_not_found());
        }
    }
    rel
}

/// The newest revision of workload `kind`/`name` against the one before: one list of the
/// namespace's ReplicaSets (a Deployment) or ControllerRevisions, page by page, the two
/// templates redacted together.
fn last_rollout(
    e: &Engine,
    kind: &str,
    ns: &str,
    name: &str,
) -> Result<Option<describe::LastRollout>> {
    let (typed, revisions) = match kind {
        "Deployment" => ("replicasets.apps", Revisions::ReplicaSets),
        _ => ("controllerrevisions.apps", Revisions::ControllerRevisions),
    };
    let list = e.resolve_type(typed)?;
    let owner = (kind.to_string(), name.to_string());
    let mut found = e.latest_rollouts(
        &list.path(Some(ns), None),
        revisions,
        &[owner.clone()].into(),
        SystemTime::UNIX_EPOCH,
    )?;
    Ok(found.remove(&owner).map(|l| {
        let p = &l.pair;
        describe::LastRollout {
            from: p.from,
            to: p.to,
            created: crate::timefmt::format_rfc3339(l.created),
            summary: diff::latest(p.from, p.to, &p.old, &p.new),
        }
    }))
}

/// A node's pods (every one counted, the first kept) and its Lease, where the scope allows.
fn node_related(e: &Engine, name: &str, rel: &mut describe::Related) {
    let sel = format!("spec.nodeName={name},status.phase!=Succeeded,status.phase!=Failed");
    let pairs = [("fieldSelector", Some(sel.as_str()))];
    match counted_scoped_list(e, "pods", &pairs, describe::NODE_POD_ROWS) {
        Ok((pods, totals)) => {
            rel.node_pods = pods;
            rel.node_totals = Some(totals);
            rel.node_pods_scoped = e.scope().namespaces_for_all().is_some();
        }
        Err(err) => {
            log::warn!(
                "describe Node/{name}: could not read its pods: {}",
                shown(&err)
            );
            rel.node_pods_unreadable = true;
        }
    }
    // A Lease is read only where the scope reaches kube-node-lease.
    if e.scope().check_namespace(NODE_LEASE_NS).is_ok() {
        let path = format!(
            "/apis/coordination.k8s.io/v1/namespaces/{NODE_LEASE_NS}/leases/{}",
            encode(name)
        );
        rel.lease = Some(e.get(&path).map_err(|err| lease_error(&err)));
    }
}

/// Why a Lease could not be read, as kubectl shows it: the server's message without the code
/// word kubeglass puts first. It is the API's (or a proxy's) text, so it is redacted like
/// every string shown.
fn lease_error(err: &Error) -> Redacted<String> {
    let s = err.to_string();
    redact::message(s.split_once(": ").map_or(s.as_str(), |(_, m)| m))
}

/// Each backend Service of an Ingress with its Endpoints (either unreadable: left out).
fn backends(e: &Engine, ns: &str, ing: &Value) -> Vec<describe::Backend> {
    backend_services(ing)
        .into_iter()
        .map(|svc| describe::Backend {
            service: e
                .get(&format!(
                    "/api/v1/namespaces/{ns}/services/{}",
                    encode(&svc)
                ))
                .ok(),
            endpoints: e
                .get(&format!(
                    "/api/v1/namespaces/{ns}/endpoints/{}",
                    encode(&svc)
                ))
                .ok(),
            name: svc,
        })
        .collect()
}

/// An error as a log line may show it: the API's text, redacted, its control characters
/// made visible (stderr is a terminal too).
fn shown(err: &Error) -> String {
    let text = redact::message(&err.to_string()).into_string();
    crate::output::printable(&text).into_owned()
}

/// The namespace node Leases live in.
const NODE_LEASE_NS: &str = "kube-node-lease";
/// Most backend Services of one Ingress whose endpoints are read.
const MAX_BACKENDS: usize = 20;

/// The distinct Services an Ingress routes to (default backend and rules), bounded.
fn backend_services(ing: &Value) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |b: Option<&Value>| {
        let svc = b.and_then(|b| {
            b.pointer("/service/name")
                .or_else(|| b.get("serviceName"))
                .and_then(Value::as_str)
        });
        // Each name becomes a request path: one that is no object name is not read.
        let svc = svc.filter(|s| check_object_name(s).is_ok());
        if let Some(s) = svc.filter(|s| !names.iter().any(|n| n == s)) {
            names.push(s.to_string());
        }
    };
    add(ing
        .pointer("/spec/defaultBackend")
        .or_else(|| ing.pointer("/spec/backend")));
    for rule in crate::json::items(ing, "/spec/rules") {
        for p in crate::json::items(rule, "/http/paths") {
            add(p.get("backend"));
        }
    }
    names.truncate(MAX_BACKENDS);
    names
}

/// Events about one object (by uid), in its namespace, or in scope for cluster objects.
fn object_events(e: &Engine, obj: &Value, ns: Option<&str>) -> Result<Vec<Redacted<Value>>> {
    let uid = text(obj, "/metadata/uid");
    let sel = format!("involvedObject.uid={uid}");
    let pairs = [("fieldSelector", Some(sel.as_str()))];
    match ns {
        Some(ns) => list(e, "events", Some(ns), &pairs),
        None => scoped_list(e, "events", &pairs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_lease_error_is_shown_redacted_without_its_code_word() {
        let err = Error::new(
            crate::error::Code::Forbidden,
            "proxy said: password=hunter2 (leases \"node-1\")",
        );
        let why = lease_error(&err);
        assert!(!why.value().contains("hunter2"), "{why:?}");
        assert!(why.value().starts_with("proxy said: password="), "{why:?}");
    }

    fn resource(group: &str, kind: &str) -> Resource {
        Resource {
            group: group.into(),
            version: "v1".into(),
            plural: format!("{}s", kind.to_lowercase()),
            singular: kind.to_lowercase(),
            kind: kind.into(),
            namespaced: true,
            short_names: Vec::new(),
            verbs: vec!["get".into()],
            categories: Vec::new(),
        }
    }

    #[test]
    fn a_custom_resource_sharing_a_builtin_kind_reads_only_its_events() {
        for kind in [
            "Service",
            "Node",
            "StatefulSet",
            "Ingress",
            "Namespace",
            "Deployment",
        ] {
            let n = needs_of(&resource("serving.knative.dev", kind), kind);
            assert!(n.events, "{kind}");
            assert!(
                !(n.endpoints || n.node_pods || n.service || n.backends || n.quotas),
                "{kind}: {n:?}"
            );
            assert!(
                !(n.pods_by_selector || n.replica_sets || n.used_by),
                "{kind}"
            );
        }
        assert!(needs_of(&resource("", "Service"), "Service").endpoints);
        assert!(needs_of(&resource("apps", "StatefulSet"), "StatefulSet").service);
        assert!(needs_of(&resource("networking.k8s.io", "Ingress"), "Ingress").backends);
    }

    #[test]
    fn a_related_read_error_is_logged_redacted_and_printable() {
        let err = Error::new(
            crate::error::Code::Forbidden,
            "token=abcdefghijklmnop \u{1b}]0;pwned\u{7}",
        );
        let line = shown(&err);
        assert!(!line.contains("abcdefghijklmnop"), "{line}");
        assert!(line.ends_with("^[]0;pwned^G"), "{line}");
    }

    #[test]
    fn ingress_backends_that_are_no_object_name_never_become_a_request_path() {
        let ing = json!({"spec": {
            "defaultBackend": {"service": {"name": "web"}},
            "rules": [{"http": {"paths": [
                {"backend": {"service": {"name": "../secrets/x"}}},
                {"backend": {"serviceName": "api?watch=true"}},
                {"backend": {"serviceName": "api"}},
                {"backend": {"service": {"name": "web"}}},
            ]}}],
        }});
        assert_eq!(backend_services(&ing), ["web", "api"]);
    }
}
