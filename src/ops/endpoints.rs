//! `endpoints SERVICE`: which pods back a Service and, when none or not all are ready,
//! why — fetched redacted (the Service, its EndpointSlices or Endpoints, the pods its
//! selector matches) and rendered by [`super::render::endpoints`].

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::json::text;
use crate::object::{alike, owner_subject};
use crate::output::budget::Budget;
use crate::output::{Format, Output};
use crate::redact::Redacted;

use super::engine::Engine;
use super::related::{list, list_selected};
use super::render::endpoints as view;

/// Run `endpoints SERVICE`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let ns = e.namespace(cmd)?;
    let name = cmd
        .names
        .first()
        .ok_or_else(|| Error::invalid("`endpoints` needs a service name"))?;
    let svc = e
        .get(&format!("/api/v1/namespaces/{ns}/services/{name}"))
        .map_err(|err| match err.is_not_found() {
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
        Err(err) if err.is_not_found() => None,
        Err(err) => return Err(err),
    };
    // The pods are found by the Service's real selector (the engine keeps it when the
    // redactor hides a label value in it); the selector shown stays redacted.
    let services = e.resolve_type("services")?;
    let pods = match e.selector(&services, &svc)? {
        Some(sel) => list_selected(e, "pods", &ns, &sel)?,
        None => Vec::new(),
    };
    let mut text = view::render(&svc, &slices, ep.as_ref(), &pods);
    if pods.is_empty() {
        for near in near_misses(e, &ns, &svc)? {
            text.push_str(&format!("Near miss:  {near}\n"));
        }
    }
    let mut budget = Budget::new(max);
    for line in text.lines() {
        budget.push(line);
    }
    Ok(budget.finish(Format::Text, "the service has too many endpoints to list; use get endpointslices -l kubernetes.io/service-name=NAME"))
}

/// Most pods whose labels are compared with a selector that matches none.
const NEAR_MISS_SCAN: usize = 2000;

/// Pods whose labels almost match a selector that matches none (`app=checkout-v2` for
/// `app=checkout`): a typo or a renamed app, the most common cause. Reads pod metadata only.
fn near_misses(e: &Engine, ns: &str, svc: &Redacted<serde_json::Value>) -> Result<Vec<String>> {
    let Some(selector) = svc
        .value()
        .pointer("/spec/selector")
        .and_then(|s| s.as_object())
    else {
        return Ok(Vec::new());
    };
    let mut found = std::collections::BTreeSet::new();
    let mut seen = 0;
    let path = format!("/api/v1/namespaces/{}/pods", crate::url::encode(ns));
    e.list_pages(&path, crate::kube::ACCEPT_METADATA, 500, |page| {
        for pod in page.items() {
            seen += 1;
            let labels = pod.value().pointer("/metadata/labels");
            for (k, want) in selector {
                let (Some(have), Some(want)) = (
                    labels.and_then(|l| l.get(k)).and_then(|v| v.as_str()),
                    want.as_str(),
                ) else {
                    continue;
                };
                if have != want && alike(have, want) {
                    let owner = owner_subject(pod.value())
                        .unwrap_or_else(|| format!("pod/{}", text(pod.value(), "/metadata/name")));
                    found.insert(format!(
                        "pods labelled {k}={have} ({owner}) — did the selector mean that?"
                    ));
                }
            }
        }
        Ok(seen < NEAR_MISS_SCAN && found.len() < 3)
    })?;
    Ok(found.into_iter().collect())
}
