//! `rollout diff deploy/NAME [--revision N] [--to M]` (also `sts/`, `ds/`): the field-level
//! difference of two revisions' pod templates, after redaction ([`render::diff`]).

use serde_json::Value;

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::output::Output;

use super::engine::{Engine, Revisions};
use super::render::diff;

/// Run `rollout diff TYPE/NAME`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let typed = cmd.resource.as_deref().unwrap_or("deployments");
    let res = e.resolve(cmd, typed)?;
    let kind = match (res.group.as_str(), res.plural.as_str()) {
        ("apps", "deployments") => Revisions::ReplicaSets,
        ("apps", "statefulsets" | "daemonsets") => Revisions::ControllerRevisions,
        _ => {
            return Err(Error::new(
                Code::Unsupported,
                format!(
                    "rollout diff is available for deployments, statefulsets and daemonsets, not {}",
                    res.plural
                ),
            ));
        }
    };
    let name = cmd
        .names
        .first()
        .ok_or_else(|| Error::invalid("`rollout diff` needs TYPE/NAME"))?;
    let ns = e.namespace(cmd)?;
    let workload = e.get(&res.path(Some(&ns), Some(name)))?;
    let uid = workload
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    let list = match kind {
        Revisions::ReplicaSets => e.resolve_type("replicasets.apps")?,
        Revisions::ControllerRevisions => e.resolve_type("controllerrevisions.apps")?,
    };
    let (revision, to) = (cmd.revision, cmd.to_revision);
    let pair = e.template_pair(&list.path(Some(&ns), None), uid, kind, |numbers| {
        pick(numbers, revision, to)
    })?;
    let title = format!("{}/{name}", res.type_name());
    let deltas = diff::deltas(&pair.old, &pair.new);
    Ok(Output::lines(
        &diff::render(&title, pair.from, pair.to, &deltas),
        max,
        "narrow with --revision and --to",
    ))
}

/// (older, newer) from the ascending revision `numbers`: the newer is `revision` (default
/// the newest), the older `to` (default the one before the newer).
pub fn pick(numbers: &[i64], revision: Option<i64>, to: Option<i64>) -> Result<(i64, i64)> {
    let newest = *numbers
        .last()
        .ok_or_else(|| Error::new(Code::NotFound, "no revisions found for this workload"))?;
    let newer = revision.unwrap_or(newest);
    let older = match to {
        Some(t) => t,
        None => *numbers.iter().rev().find(|n| **n < newer).ok_or_else(|| {
            Error::new(
                Code::NotFound,
                format!("no revision before {newer} (revisions: {numbers:?})"),
            )
        })?,
    };
    Ok((older, newer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_newest_revision_against_the_one_before() {
        assert_eq!(pick(&[1, 2, 5], None, None).unwrap(), (2, 5));
        assert_eq!(pick(&[1, 2, 5], Some(2), None).unwrap(), (1, 2));
        assert_eq!(pick(&[1, 2, 5], Some(5), Some(1)).unwrap(), (1, 5));
        assert_eq!(pick(&[3], None, None).unwrap_err().code, Code::NotFound);
        assert_eq!(pick(&[], None, None).unwrap_err().code, Code::NotFound);
    }
}
