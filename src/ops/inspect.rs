//! `describe`, `events` and `endpoints`: the fetching half. Each gathers an object and what
//! an investigator needs beside it (events, pods, ReplicaSets, endpoints), redacts it, and
//! hands it to the pure renderers in [`super::describe`], [`super::events`] and
//! [`super::endpoints`].

use std::time::SystemTime;

use serde_json::Value;

use crate::command::{Command, OutputFormat};
use crate::error::{Code, Error, Result};
use crate::json::text;
use crate::kube::{ACCEPT_METADATA, ACCEPT_METADATA_OBJECT, Resource};
use crate::output::budget::Budget;
use crate::output::{Format, Output, doc};
use crate::redact::Redacted;

use super::engine::{Engine, Namespaces, is_not_found, selector_of, with_query};
use super::get::{PAGE, fill_type, is_secret};
use super::{describe, endpoints as endpoints_view, events as events_view};

/// Most objects one `describe` without names renders (each brings its own requests).
const MAX_DESCRIBED: usize = 50;
/// Most events `events` sorts in memory; the newest are shown.
const MAX_EVENTS: usize = 5000;
/// Most related objects (pods of a workload or node, events of an object) read for one
/// describe or endpoints answer.
const RELATED_MAX: usize = 500;
/// Related lists are read in pages of this many, each slimmed before the next is read:
/// a page of full pods is the largest thing a describe holds in memory.
const RELATED_PAGE: usize = 100;

/// Run `describe`.
pub fn describe(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let typed = cmd.resource.as_deref().ok_or_else(|| {
        Error::invalid("`describe` needs a resource type, e.g. `describe pod web-1`")
    })?;
    let res = e.resolve(cmd, typed)?;
    let nss = e.namespaces(cmd, &res)?;
    let objects = describe_targets(e, cmd, &res, &nss)?;
    if objects.is_empty() {
        return Ok(text_output(format!("{}\n", nss.empty_phrase())));
    }
    let now = SystemTime::now();
    let mut budget = Budget::new(max);
    for (i, obj) in objects.into_iter().enumerate() {
        let obj = obj.map(|mut o| {
            fill_type(&mut o, &res);
            o
        });
        let related = related(e, &res, &obj);
        if i > 0 {
            budget.push("");
        }
        for line in describe::render(&obj, &related, now).lines() {
            budget.push(line);
        }
        if budget.is_full() {
            break;
        }
    }
    Ok(budget.finish(Format::Text, "describe fewer objects (give names or -l)"))
}

/// The objects to describe: named ones, or those a selector / namespace holds.
fn describe_targets(
    e: &Engine,
    cmd: &Command,
    res: &Resource,
    nss: &Namespaces,
) -> Result<Vec<Redacted<Value>>> {
    let (accept, accept_one) = if is_secret(res) {
        (ACCEPT_METADATA, ACCEPT_METADATA_OBJECT)
    } else {
        ("application/json", "application/json")
    };
    let mut out = Vec::new();
    for ns in nss.paths() {
        if !cmd.names.is_empty() {
            for name in &cmd.names {
                out.push(e.get_accept(&res.path(ns, Some(name)), accept_one)?);
            }
            continue;
        }
        let path = with_query(
            &res.path(ns, None),
            &[
                ("labelSelector", cmd.selector.as_deref()),
                ("fieldSelector", cmd.field_selector.as_deref()),
            ],
        );
        e.list_pages(&path, accept, MAX_DESCRIBED, |page| {
            out.extend(page.items());
            Ok(out.len() < MAX_DESCRIBED)
        })?;
        out.truncate(MAX_DESCRIBED);
    }
    Ok(out)
}

/// What the renderer needs beside the object; a related read that fails (RBAC may allow
/// the object but not its events) leaves that part empty rather than failing the command.
fn related(e: &Engine, res: &Resource, obj: &Value) -> describe::Related {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or(&res.kind);
    let needs = describe::needs(kind);
    let ns = text(obj, "/metadata/namespace");
    let ns = (!ns.is_empty()).then_some(ns);
    let name = text(obj, "/metadata/name");
    let mut rel = describe::Related::default();
    let soft = |what: &str, r: Result<Vec<Redacted<Value>>>| -> Vec<Redacted<Value>> {
        r.unwrap_or_else(|err| {
            log::warn!("describe {kind}/{name}: could not read its {what}: {err}");
            Vec::new()
        })
    };
    if needs.events {
        rel.events = soft("events", object_events(e, obj, ns));
    }
    let selector = selector_of(obj);
    if let (true, Some(sel), Some(ns)) = (needs.pods_by_selector, &selector, ns) {
        rel.pods = soft(
            "pods",
            list(e, "pods", Some(ns), &[("labelSelector", Some(sel))]),
        );
    }
    if let (true, Some(sel), Some(ns)) = (needs.replica_sets, &selector, ns) {
        let uid = text(obj, "/metadata/uid");
        let rss = soft(
            "ReplicaSets",
            list(e, "replicasets", Some(ns), &[("labelSelector", Some(sel))]),
        );
        rel.replica_sets = rss.into_iter().filter(|rs| owned_by(rs, uid)).collect();
    }
    if let (true, Some(ns)) = (needs.endpoints, ns) {
        let path = format!("/api/v1/namespaces/{ns}/endpoints/{name}");
        rel.endpoints = e.get(&path).ok();
    }
    if needs.node_pods {
        let sel = format!("spec.nodeName={name},status.phase!=Succeeded,status.phase!=Failed");
        rel.node_pods = soft(
            "pods",
            scoped_list(e, "pods", &[("fieldSelector", Some(&sel))]),
        );
    }
    rel
}

/// Whether `obj` has an owner reference to `uid`.
fn owned_by(obj: &Value, uid: &str) -> bool {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|o| o.get("uid").and_then(Value::as_str) == Some(uid))
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

/// Up to [`RELATED_MAX`] objects of `typed` in `ns` (or every namespace); pods are kept
/// slim (what describe and endpoints show of them).
fn list(
    e: &Engine,
    typed: &str,
    ns: Option<&str>,
    pairs: &[(&str, Option<&str>)],
) -> Result<Vec<Redacted<Value>>> {
    let res = e.resolve_type(typed)?;
    let path = with_query(&res.path(ns, None), pairs);
    let pods = res.group.is_empty() && res.plural == "pods";
    let mut out = Vec::new();
    e.list_pages(&path, "application/json", RELATED_PAGE, |page| {
        for item in page.items() {
            out.push(if pods { item.map(slim_pod) } else { item });
        }
        Ok(out.len() < RELATED_MAX)
    })?;
    out.truncate(RELATED_MAX);
    Ok(out)
}

/// The parts of a pod a related list shows: identity, owners, node, container names, ports
/// and resources, and status (not env, volumes, probes or tolerations).
fn slim_pod(pod: Value) -> Value {
    let keep = |v: &Value, keys: &[&str]| -> Value {
        let mut m = serde_json::Map::new();
        for k in keys {
            if let Some(x) = v.get(*k) {
                m.insert((*k).to_string(), x.clone());
            }
        }
        Value::Object(m)
    };
    let containers: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| keep(c, &["name", "image", "ports", "resources"]))
        .collect();
    let mut spec = keep(pod.get("spec").unwrap_or(&Value::Null), &["nodeName"]);
    spec["containers"] = Value::Array(containers);
    let meta = keep(
        pod.get("metadata").unwrap_or(&Value::Null),
        &[
            "name",
            "namespace",
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "labels",
            "ownerReferences",
        ],
    );
    let mut slim = keep(&pod, &["apiVersion", "kind", "status"]);
    slim["metadata"] = meta;
    slim["spec"] = spec;
    slim
}

/// A list across the namespaces in scope (all of them, or each allowed one).
fn scoped_list(
    e: &Engine,
    typed: &str,
    pairs: &[(&str, Option<&str>)],
) -> Result<Vec<Redacted<Value>>> {
    match e.scope().namespaces_for_all() {
        None => list(e, typed, None, pairs),
        Some(nss) => {
            let mut out = Vec::new();
            for ns in nss {
                out.extend(list(e, typed, Some(ns), pairs)?);
            }
            Ok(out)
        }
    }
}

/// Run `events`.
pub fn events(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let res = e.resolve_type("events")?;
    let nss = e.namespaces(cmd, &res)?;
    let selector = event_field_selector(e, cmd)?;
    let mut events = Vec::new();
    let mut not_fetched = 0;
    for ns in nss.paths() {
        let path = with_query(
            &format!(
                "/api/v1{}/events",
                ns.map(|n| format!("/namespaces/{n}")).unwrap_or_default()
            ),
            &[
                ("labelSelector", cmd.selector.as_deref()),
                ("fieldSelector", selector.as_deref()),
            ],
        );
        e.list_pages(&path, "application/json", PAGE, |page| {
            let left = super::get::remaining(&page);
            events.extend(page.items());
            if events.len() >= MAX_EVENTS {
                not_fetched += left;
                return Ok(false);
            }
            Ok(true)
        })?;
    }
    if matches!(cmd.output, OutputFormat::Json | OutputFormat::Yaml) {
        return event_documents(events, cmd.output, max);
    }
    if events.is_empty() {
        let phrase = match &nss {
            Namespaces::One(ns) => format!("No events found in {ns} namespace."),
            _ => "No events found.".to_string(),
        };
        return Ok(text_output(format!("{phrase}\n")));
    }
    let lines = events_view::render_table(&events, nss.is_many(), SystemTime::now());
    Ok(keep_last_rows(&lines, max, not_fetched))
}

/// `--for TYPE/NAME`, `--types` and `--field-selector` as one field selector.
fn event_field_selector(e: &Engine, cmd: &Command) -> Result<Option<String>> {
    let mut parts: Vec<String> = cmd.field_selector.iter().cloned().collect();
    if let Some(target) = &cmd.for_object {
        let (typed, name) = target.split_once('/').ok_or_else(|| {
            Error::invalid(format!(
                "--for takes TYPE/NAME (e.g. pod/web-1), got {target:?}"
            ))
        })?;
        let res = e.resolve(cmd, typed)?;
        parts.push(format!(
            "involvedObject.kind={},involvedObject.name={name}",
            res.kind
        ));
    }
    // The API filters one type; both types is no filter at all.
    if let [only] = cmd.types.as_slice() {
        parts.push(format!("type={only}"));
    }
    Ok((!parts.is_empty()).then(|| parts.join(",")))
}

/// Events as a JSON List or YAML documents, newest last, within the budget.
fn event_documents(
    events: Vec<Redacted<Value>>,
    output: OutputFormat,
    max: usize,
) -> Result<Output> {
    let yaml = output == OutputFormat::Yaml;
    let mut budget = if yaml {
        Budget::new(max)
    } else {
        Budget::json_list(max)
    };
    for ev in events {
        let ev = ev.map(|mut v| {
            if let Some(m) = v.as_object_mut() {
                m.insert("apiVersion".into(), "v1".into());
                m.insert("kind".into(), "Event".into());
            }
            v
        });
        if yaml {
            budget.push(&format!("---\n{}", doc::to_yaml(&ev)));
        } else {
            budget.push(doc::to_json(&ev).trim_end());
        }
    }
    let format = if yaml { Format::Yaml } else { Format::Json };
    Ok(budget.finish(format, "narrow with --for, --types or -n"))
}

/// A table whose rows run oldest → newest, cut from the top so the newest rows stay.
fn keep_last_rows(lines: &[String], max: usize, not_fetched: usize) -> Output {
    let Some((header, rows)) = lines.split_first() else {
        return text_output(String::new());
    };
    let room = max.saturating_sub(header.len() + 200);
    let (mut used, mut start) = (0, rows.len());
    while start > 0 && used + rows[start - 1].len() < room {
        used += rows[start - 1].len() + 1;
        start -= 1;
    }
    let mut text = String::new();
    let truncated = start > 0 || not_fetched > 0;
    if truncated {
        text.push_str(&format!(
            "[kubeglass: {} older events left out to stay within {max} bytes{}; narrow with --for, --types or -n]\n",
            start + not_fetched,
            if not_fetched > 0 { " (some not fetched)" } else { "" }
        ));
    }
    text.push_str(header);
    text.push('\n');
    for r in &rows[start..] {
        text.push_str(r);
        text.push('\n');
    }
    Output {
        text,
        format: Format::Text,
        truncated,
    }
}

/// Run `endpoints SERVICE`.
pub fn endpoints(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let ns = e.namespace(cmd)?;
    let name = cmd
        .names
        .first()
        .ok_or_else(|| Error::invalid("`endpoints` needs a service name"))?;
    let svc = e
        .get(&format!("/api/v1/namespaces/{ns}/services/{name}"))
        .map_err(|err| match is_not_found(&err) {
            true => Error::new(
                Code::NotFound,
                format!("service {name:?} not found in namespace {ns}"),
            ),
            false => err,
        })?;
    let slice_sel = format!("kubernetes.io/service-name={name}");
    let slices = list(
        e,
        "endpointslices",
        Some(&ns),
        &[("labelSelector", Some(&slice_sel))],
    )
    .unwrap_or_else(|err| {
        log::info!("endpointslices of {ns}/{name} not readable ({err}); using Endpoints");
        Vec::new()
    });
    let ep = match e.get(&format!("/api/v1/namespaces/{ns}/endpoints/{name}")) {
        Ok(v) => Some(v),
        Err(err) if is_not_found(&err) => None,
        Err(err) => return Err(err),
    };
    let pods = match selector_of(&svc) {
        Some(sel) => list(e, "pods", Some(&ns), &[("labelSelector", Some(&sel))])?,
        None => Vec::new(),
    };
    let text = endpoints_view::render(&svc, &slices, ep.as_ref(), &pods);
    let mut budget = Budget::new(max);
    for line in text.lines() {
        budget.push(line);
    }
    Ok(budget.finish(Format::Text, "the service has too many endpoints to list; use get endpointslices -l kubernetes.io/service-name=NAME"))
}

/// A plain text result.
pub(crate) fn text_output(text: String) -> Output {
    Output {
        text,
        format: Format::Text,
        truncated: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn newest_event_rows_survive_the_cut() {
        let mut lines = vec!["LAST SEEN   TYPE".to_string()];
        lines.extend((0..100).map(|i| format!("{i:03}s   Warning")));
        let out = keep_last_rows(&lines, 400, 0);
        assert!(out.truncated);
        assert!(out.text.starts_with("[kubeglass: "));
        assert!(out.text.contains("LAST SEEN"));
        assert!(out.text.ends_with("099s   Warning\n"));
        assert!(!out.text.contains("000s"));
        assert!(out.text.len() <= 400);
        let all = keep_last_rows(&lines[..3], 4000, 0);
        assert!(!all.truncated);
    }

    #[test]
    fn owner_references_are_matched_by_uid() {
        let rs = json!({"metadata": {"ownerReferences": [{"uid": "u1"}]}});
        assert!(owned_by(&rs, "u1"));
        assert!(!owned_by(&rs, "u2"));
        assert!(!owned_by(&json!({}), "u1"));
    }
}
