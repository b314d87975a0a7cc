//! `rollout history deploy/NAME`: a Deployment's revisions from the ReplicaSets it owns,
//! rendered by [`super::render::rollout`].

use serde_json::Value;

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::object::selector_of;
use crate::output::Output;
use crate::url::with_query;

use super::engine::Engine;
use super::render::rollout;

/// Run `rollout history deploy/NAME`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let typed = cmd.resource.as_deref().unwrap_or("deployments");
    let res = e.resolve(cmd, typed)?;
    if res.plural != "deployments" {
        return Err(Error::new(
            Code::Unsupported,
            format!(
                "rollout history is available for deployments; for {} read their revisions with \
                 `get controllerrevisions -l <the workload's selector>`",
                res.plural
            ),
        ));
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
    if let Some(sel) = selector_of(&deploy) {
        let rs = e.resolve_type("replicasets")?;
        let path = with_query(&rs.path(Some(&ns), None), &[("labelSelector", Some(&sel))]);
        e.list_pages(&path, "application/json", super::get::PAGE, |page| {
            rss.extend(page.items().into_iter().filter(|r| {
                r.pointer("/metadata/ownerReferences")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .any(|o| o.get("uid").and_then(Value::as_str) == Some(uid))
            }));
            Ok(true)
        })?;
    }
    Ok(Output::lines(
        &rollout::history(&deploy, &rss),
        max,
        "narrow the query",
    ))
}
