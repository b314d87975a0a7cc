//! `endpoints SERVICE`: which pods back a Service and, when none or not all are ready,
//! why — fetched redacted (the Service, its EndpointSlices or Endpoints, the pods its
//! selector matches) and rendered by [`super::render::endpoints`].

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::object::selector_of;
use crate::output::budget::Budget;
use crate::output::{Format, Output};

use super::engine::Engine;
use super::related::list;
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
    let pods = match selector_of(&svc) {
        Some(sel) => list(e, "pods", Some(&ns), &[("labelSelector", Some(&sel))])?,
        None => Vec::new(),
    };
    let text = view::render(&svc, &slices, ep.as_ref(), &pods);
    let mut budget = Budget::new(max);
    for line in text.lines() {
        budget.push(line);
    }
    Ok(budget.finish(Format::Text, "the service has too many endpoints to list; use get endpointslices -l kubernetes.io/service-name=NAME"))
}
