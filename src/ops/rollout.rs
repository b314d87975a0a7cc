//! `rollout history deploy/NAME`, `sts/NAME`, `ds/NAME`: a Deployment's revisions from the
//! ReplicaSets it owns, a StatefulSet's or DaemonSet's from its ControllerRevisions, rendered
//! by [`super::render::rollout`].

use serde_json::Value;

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::kube::Resource;
use crate::output::budget::Budget;
use crate::output::{Format, Output};

use super::engine::Engine;
use super::render::rollout;

/// Run `rollout history deploy/NAME` (also `sts/NAME`, `ds/NAME`).
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let typed = cmd.resource.as_deref().unwrap_or("deployments");
    let res = e.resolve(cmd, typed)?;
    let by_revisions =
        res.group == "apps" && matches!(res.plural.as_str(), "statefulsets" | "daemonsets");
    if res.plural != "deployments" && !by_revisions {
        return Err(Error::new(
            Code::Unsupported,
            format!(
                "rollout history is available for deployments, statefulsets and daemonsets, not {}",
                res.plural
            ),
        ));
    }
    if by_revisions {
        return controller_revisions(e, cmd, &res, max);
    }
    let name = cmd
        .names
        .first()
        .ok_or_else(|| Error::invalid("`rollout history` needs deploy/NAME"))?;
    let ns = e.namespace(cmd)?;
    let deploy = e.get(&res.path(Some(&ns), Some(name)))?;
    let uid = deploy
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut rss = Vec::new();
    if let Some(sel) = e.selector(&res, &deploy)? {
        let rs = e.resolve_type("replicasets")?;
        e.list_selected(
            &rs,
            &ns,
            &sel,
            "application/json",
            super::get::PAGE,
            |page| {
                rss.extend(page.items().into_iter().filter(|r| {
                    r.pointer("/metadata/ownerReferences")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .any(|o| o.get("uid").and_then(Value::as_str) == Some(uid))
                }));
                Ok(true)
            },
        )?;
    }
    let (text, note) = rollout::history_parts(&deploy, &rss);
    let mut budget = Budget::new(max);
    for l in text.lines() {
        budget.push(l);
    }
    if let Some(n) = note {
        budget.push_note(&n);
    }
    Ok(budget.finish(Format::Text, "narrow the query"))
}

/// `rollout history sts/NAME|ds/NAME`: the ControllerRevisions the workload controls (found
/// by its selector, kept by its uid), as kubectl lists them.
fn controller_revisions(e: &Engine, cmd: &Command, res: &Resource, max: usize) -> Result<Output> {
    let name = cmd
        .names
        .first()
        .ok_or_else(|| Error::invalid("`rollout history` needs TYPE/NAME"))?;
    let ns = e.namespace(cmd)?;
    let workload = e.get(&res.path(Some(&ns), Some(name)))?;
    let uid = workload
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut revisions = Vec::new();
    if let Some(sel) = e.selector(res, &workload)? {
        let cr = e.resolve_type("controllerrevisions.apps")?;
        e.list_selected(
            &cr,
            &ns,
            &sel,
            "application/json",
            super::get::PAGE,
            |page| {
                revisions.extend(page.items().into_iter().filter(|r| controlled_by(r, uid)));
                Ok(true)
            },
        )?;
    }
    Ok(Output::lines(
        &rollout::revisions(&res.type_name(), name, &revisions),
        max,
        "narrow the query",
    ))
}

/// Whether `obj`'s controller is the object with `uid`.
fn controlled_by(obj: &Value, uid: &str) -> bool {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|o| {
            o.get("uid").and_then(Value::as_str) == Some(uid)
                && o.get("controller").and_then(Value::as_bool) == Some(true)
        })
}
