//! Related lists a describe or an endpoints answer shows beside its object: bounded in
//! count, read in small pages, pods kept slim — the largest thing those answers hold in
//! memory.

use serde_json::Value;

use crate::error::Result;
use crate::redact::Redacted;
use crate::url::with_query;

use crate::kube::Resource;

use super::engine::{Engine, Selector};
use super::render::describe::PodTotals;

/// Most related objects (pods of a workload or node, events of an object) read for one
/// describe or endpoints answer.
const RELATED_MAX: usize = 500;
/// Related lists are read in pages of this many, each slimmed before the next is read:
/// a page of full pods is the largest thing a describe holds in memory.
const RELATED_PAGE: usize = 100;

/// Up to [`RELATED_MAX`] objects of `typed` in `ns` (or every namespace); pods are kept
/// slim (what describe and endpoints show of them).
pub fn list(
    e: &Engine,
    typed: &str,
    ns: Option<&str>,
    pairs: &[(&str, Option<&str>)],
) -> Result<Vec<Redacted<Value>>> {
    let res = e.resolve_type(typed)?;
    let path = with_query(&res.path(ns, None), pairs);
    bounded(&res, |each| {
        e.list_pages(&path, "application/json", RELATED_PAGE, each)
    })
}

/// [`list`] of the objects of `typed` in `ns` that an object's own selector selects (the
/// pods of a Service or workload, the ReplicaSets of a Deployment).
pub fn list_selected(
    e: &Engine,
    typed: &str,
    ns: &str,
    sel: &Selector,
) -> Result<Vec<Redacted<Value>>> {
    let res = e.resolve_type(typed)?;
    bounded(&res, |each| {
        e.list_selected(&res, ns, sel, "application/json", RELATED_PAGE, each)
    })
}

/// Up to [`RELATED_MAX`] objects that `read` offers page by page, pods slimmed.
fn bounded(
    res: &Resource,
    read: impl FnOnce(&mut dyn FnMut(Redacted<Value>) -> Result<bool>) -> Result<()>,
) -> Result<Vec<Redacted<Value>>> {
    let pods = res.group.is_empty() && res.plural == "pods";
    let mut out = Vec::new();
    read(&mut |page: Redacted<Value>| {
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

/// Like [`scoped_list`] for pods, but only the first `keep` are kept while every one is
/// counted and its requests summed (a node's Allocated resources must hold all of its pods,
/// its table shows a few).
pub fn counted_scoped_list(
    e: &Engine,
    typed: &str,
    pairs: &[(&str, Option<&str>)],
    keep: usize,
) -> Result<(Vec<Redacted<Value>>, PodTotals)> {
    let mut out = Vec::new();
    let mut totals = PodTotals::default();
    let mut one_ns = |ns: Option<&str>| -> Result<()> {
        let res = e.resolve_type(typed)?;
        let path = with_query(&res.path(ns, None), pairs);
        e.list_pages(&path, "application/json", RELATED_PAGE, |page| {
            for item in page.items() {
                let item = item.map(slim_pod);
                totals.add(PodTotals::of(&item));
                if out.len() < keep.min(RELATED_MAX) {
                    out.push(item);
                }
            }
            Ok(true)
        })
    };
    match e.scope().namespaces_for_all() {
        None => one_ns(None)?,
        Some(nss) => {
            for ns in nss {
                one_ns(Some(ns))?;
            }
        }
    }
    Ok((out, totals))
}

/// Names of the pods in `ns` that mount the PersistentVolumeClaim `claim` (kubectl's
/// "Used By"); pods are read page by page and only names kept.
pub fn claim_users(e: &Engine, ns: &str, claim: &str) -> Result<Vec<String>> {
    let res = e.resolve_type("pods")?;
    let mut names = Vec::new();
    e.list_pages(
        &res.path(Some(ns), None),
        "application/json",
        RELATED_PAGE,
        |page| {
            for pod in page.items() {
                let mounts = crate::json::items(&pod, "/spec/volumes")
                    .any(|v| crate::json::text(v, "/persistentVolumeClaim/claimName") == claim);
                if mounts {
                    names.push(crate::json::text(&pod, "/metadata/name").to_string());
                }
            }
            Ok(names.len() < RELATED_MAX)
        },
    )?;
    Ok(names)
}

/// A list across the namespaces in scope (all of them, or each allowed one).
pub fn scoped_list(
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
