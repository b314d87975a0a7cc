//! `triage`: one compact report of what is wrong in scope, most severe first — each finding
//! one line with its evidence and the next command to run, many objects with the same
//! problem folded into one line with a count and examples, healthy things as counts. The
//! first answer an investigator should ask for; 4 KB by default.
//!
//! Fetching is here (every list streamed in pages through the engine, redacted); the
//! judging is pure, in [`analyze`]. A type the agent may not read (RBAC, scope) is named in
//! a note, not an error: triage reports what it could see.

mod analyze;

use std::time::SystemTime;

use serde_json::Value;

use crate::command::Command;
use crate::error::Result;
use crate::output::budget::Budget;
use crate::output::{Format, Output};
use crate::redact::Redacted;

use super::engine::{Engine, Shape};
use analyze::Triage;

/// The budget of a triage answer unless the command asks for another.
pub const DEFAULT_BUDGET: usize = 4096;
/// Objects per page: a page of full pods is what triage holds in memory at once.
const PAGE: usize = 250;

/// The namespaced types triage reads, in the order it reads them.
const NAMESPACED: &[&str] = &[
    "pods",
    "deployments",
    "statefulsets",
    "daemonsets",
    "services",
    "endpoints",
    "jobs",
    "persistentvolumeclaims",
    "horizontalpodautoscalers",
    "resourcequotas",
];

/// Run `triage`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let max = match cmd.max_output_bytes {
        Some(_) => max,
        None => max.min(DEFAULT_BUDGET),
    };
    let now = SystemTime::now();
    let mut t = Triage::default();
    let mut unread = Vec::new();
    if e.scope().check_cluster_scoped("nodes").is_ok() {
        read(e, cmd, "nodes", &mut unread, |n| t.node(n, now))?;
    }
    if e.scope().check_cluster_scoped("storageclasses").is_ok()
        && read(e, cmd, "storageclasses", &mut unread, |sc| {
            t.storage_class(sc)
        })?
    {
        t.storage_classes_read();
    }
    for typed in NAMESPACED {
        read(e, cmd, typed, &mut unread, |obj| match *typed {
            "pods" => t.pod(obj),
            "deployments" => t.workload("Deployment", obj),
            "statefulsets" => t.workload("StatefulSet", obj),
            "daemonsets" => t.workload("DaemonSet", obj),
            "services" => t.service(obj),
            "endpoints" => t.endpoints(obj),
            "jobs" => t.job(obj),
            "persistentvolumeclaims" => t.claim(obj),
            "horizontalpodautoscalers" => t.autoscaler(obj),
            _ => t.quota(obj),
        })?;
    }
    let mut warnings = cmd.clone();
    warnings.field_selector = Some("type=Warning".into());
    read(e, &warnings, "events", &mut unread, |ev| t.event(ev))?;
    let mut budget = Budget::new(max);
    for line in t.render(now) {
        budget.push(&line);
    }
    if !unread.is_empty() {
        budget.push(&format!("not read: {}", unread.join("; ")));
    }
    Ok(budget.finish(
        Format::Text,
        "narrow with -n, or ask for more with max_output_bytes",
    ))
}

/// Every object of `typed` in the command's scope, page by page, into `each`. A type this
/// identity may not read (or that the server does not serve) goes into `unread` instead of
/// failing the triage; `Ok(false)` then. Scope refusals and timeouts still fail it.
fn read(
    e: &Engine,
    cmd: &Command,
    typed: &str,
    unread: &mut Vec<String>,
    mut each: impl FnMut(&Value),
) -> Result<bool> {
    let outcome = e.resolve_type(typed).and_then(|res| {
        let nss = e.namespaces(cmd, &res)?;
        e.walk(
            cmd,
            &res,
            &nss,
            Shape::Objects,
            PAGE,
            |obj: Redacted<Value>| {
                each(obj.value());
                Ok(true)
            },
        )
    });
    match outcome {
        Ok(_) => Ok(true),
        Err(err)
            if matches!(
                err.code,
                crate::error::Code::Forbidden | crate::error::Code::NotFound
            ) =>
        {
            unread.push(format!("{typed} ({})", err.code));
            Ok(false)
        }
        Err(err) => Err(err),
    }
}
