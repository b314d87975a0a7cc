//! Services: one that selects no pod (with near misses), one with no ready endpoint — and
//! why: its pods are not ready (they are the cause, linked), or its pods are ready and a
//! `targetPort` (named or numeric) resolves to no declared container port (the Service is
//! the cause; its pods are then not counted healthy). The port rule is the one `endpoints`
//! uses ([`crate::object::unresolved_target_ports`]).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Severity, Triage};
use crate::json::{items, text};
use crate::object::{alike, unresolved_target_ports};
use crate::redact::REDACTED;

/// A Service kept until every pod was seen.
#[derive(Debug)]
pub(super) struct ServiceSeen {
    pub(super) ns: String,
    pub(super) name: String,
    selector: BTreeMap<String, String>,
    /// `{"spec": {"ports": …}}` as sent (a few entries), the shape the port rule reads.
    ports: Value,
    /// The port numbers the Service listens on (what a client dials: `name:port`).
    pub(super) numbers: Vec<i64>,
}

/// A Service's `spec.selector` map, as shown (redacted).
fn service_selector(s: &Value) -> BTreeMap<String, String> {
    s.pointer("/spec/selector")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

impl Triage {
    /// A Service (judged at the end, against every pod's labels). False when its selector
    /// holds a value the redactor hid: the labels triage saw cannot be compared with it
    /// (both read `<redacted>`, equal whatever the real values), so the caller asks the API
    /// server and reports with [`Triage::service_selecting`].
    pub fn service(&mut self, s: &Value) -> bool {
        let (ns, name) = (text(s, "/metadata/namespace"), text(s, "/metadata/name"));
        self.saw(ns);
        let selector = service_selector(s);
        let numbers = items(s, "/spec/ports")
            .filter_map(|p| p.get("port").and_then(Value::as_i64))
            .collect();
        let hidden = selector.values().any(|v| v.contains(REDACTED));
        self.services.push(ServiceSeen {
            ns: ns.to_string(),
            name: name.to_string(),
            // A hidden or empty selector is not judged here; the Service is still a name
            // clients dial (`name:port`), for the chains.
            selector: if hidden { BTreeMap::new() } else { selector },
            ports: serde_json::json!({"spec": {"ports": s.pointer("/spec/ports")}}),
            numbers,
        });
        !hidden
    }

    /// A Service whose selector the API server judged: `selects_any` pod or none.
    pub fn service_selecting(&mut self, s: &Value, selects_any: bool) {
        if !selects_any {
            let (ns, name) = (text(s, "/metadata/namespace"), text(s, "/metadata/name"));
            self.selects_no_pod(ns, name, &service_selector(s), BTreeSet::new());
        }
    }

    /// Endpoints: how many addresses are ready and not (judged with the Service).
    pub fn endpoints(&mut self, ep: &Value) {
        let (ns, name) = (text(ep, "/metadata/namespace"), text(ep, "/metadata/name"));
        self.saw(ns);
        let count = |k: &str| -> usize {
            items(ep, "/subsets")
                .map(|s| s.get(k).and_then(Value::as_array).map_or(0, Vec::len))
                .sum()
        };
        let counts = (count("addresses"), count("notReadyAddresses"));
        self.endpoints
            .get_or_insert_with(BTreeMap::new)
            .insert((ns.to_string(), name.to_string()), counts);
    }

    /// Endpoints were listed (none may exist): a Service without any can be judged.
    pub fn endpoints_read(&mut self) {
        self.endpoints.get_or_insert_with(BTreeMap::new);
    }

    pub(super) fn judge_services(&mut self) {
        let services = std::mem::take(&mut self.services);
        for svc in &services {
            if svc.selector.is_empty() {
                continue;
            }
            self.judge_service(svc);
        }
        self.services = services;
    }

    fn judge_service(&mut self, svc: &ServiceSeen) {
        let (ns, name) = (svc.ns.as_str(), svc.name.as_str());
        let selects = |labels: &BTreeMap<String, String>| {
            svc.selector.iter().all(|(k, v)| labels.get(k) == Some(v))
        };
        let sets = self.labels.get(ns);
        let matching: Vec<_> = sets
            .into_iter()
            .flatten()
            .filter(|(labels, _)| selects(labels))
            .map(|(_, set)| set)
            .collect();
        if matching.is_empty() {
            let near: BTreeSet<String> = sets
                .into_iter()
                .flatten()
                .filter_map(|(labels, set)| {
                    svc.selector.iter().find_map(|(k, v)| {
                        labels
                            .get(k)
                            .filter(|have| *have != v && alike(have, v))
                            .map(|have| format!("{k}={have} ({})", set.owner))
                    })
                })
                .take(2)
                .collect();
            let selector = svc.selector.clone();
            self.selects_no_pod(ns, name, &selector, near);
            return;
        }
        let owners: BTreeSet<String> = matching.iter().map(|s| s.owner.clone()).collect();
        let ready: usize = matching.iter().map(|s| s.ready).sum();
        let ready_owners: BTreeSet<String> = matching
            .iter()
            .filter(|s| s.ready > 0)
            .map(|s| s.owner.clone())
            .collect();
        let declared: Vec<(String, i64)> = matching
            .iter()
            .flat_map(|s| s.ports.iter().cloned())
            .collect();
        let unresolved = unresolved_target_ports(&svc.ports, &declared);
        let endpoints = self
            .endpoints
            .as_ref()
            .map(|all| all.get(&(ns.to_string(), name.to_string())).copied());
        let id = (ns.to_string(), format!("svc/{name}"));
        self.backends.insert(id.clone(), owners.clone());
        let mut what = match endpoints {
            Some(Some((0, not_ready))) if not_ready > 0 && ready == 0 => {
                // Its pods are the cause: linked, so the Service folds under them.
                for owner in &owners {
                    self.links.add((ns.to_string(), owner.clone()), id.clone());
                }
                format!("no ready endpoint ({not_ready} not ready)")
            }
            Some(Some((0, _))) | Some(None) if ready > 0 => format!(
                "no ready endpoint, {ready} pod(s) ready ({})",
                ready_owners.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
            _ if unresolved.is_empty() => return,
            _ => String::new(),
        };
        if !unresolved.is_empty() {
            if !what.is_empty() {
                what.push_str(": ");
            }
            what.push_str(&unresolved.join("; "));
        }
        if ready > 0 {
            // A component behind a broken Service is not healthy, however ready its pods.
            *self.behind_broken.entry(ns.to_string()).or_default() += ready;
        }
        self.add(
            Severity::Service,
            ns,
            &format!("svc/{name}"),
            what,
            name,
            format!("endpoints {name} -n {ns}"),
        );
    }

    /// The finding of a Service whose selector matches no pod, with near misses if any.
    fn selects_no_pod(
        &mut self,
        ns: &str,
        name: &str,
        selector: &BTreeMap<String, String>,
        near: BTreeSet<String>,
    ) {
        let sel: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut what = format!("selects no pod ({})", sel.join(","));
        if !near.is_empty() {
            what.push_str(&format!(
                "; near miss: {}",
                near.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        self.add(
            Severity::Service,
            ns,
            &format!("svc/{name}"),
            what,
            name,
            format!("endpoints {name} -n {ns}"),
        );
    }

    /// Links from the Services a finding's text dials (`order-db:5432`,
    /// `order-db.orders.svc:5432`) to that finding: from the Service's own finding when it
    /// has one, else from the findings of the workloads behind it.
    pub(super) fn link_dialled_services(&mut self, texts: &[((String, String), String)]) {
        let mut found = Vec::new();
        for ((ns, subject), text) in texts {
            for svc in &self.services {
                if dials(text, svc, ns) {
                    found.push((
                        (svc.ns.clone(), format!("svc/{}", svc.name)),
                        (ns.clone(), subject.clone()),
                    ));
                }
            }
        }
        for (svc, symptom) in found {
            if self.has_finding(&svc) {
                self.links.add(svc, symptom);
            } else if let Some(owners) = self.backends.get(&svc).cloned() {
                for owner in owners {
                    self.links.add((svc.0.clone(), owner), symptom.clone());
                }
            }
        }
    }
}

/// Whether `text` (from namespace `ns`) names `svc` as `host:port`: `name:port` from the
/// same namespace, `name.namespace…:port` from any.
fn dials(text: &str, svc: &ServiceSeen, ns: &str) -> bool {
    let boundary = |i: usize| {
        i == 0
            || text[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
    };
    for (i, _) in text.match_indices(svc.name.as_str()) {
        if !boundary(i) {
            continue;
        }
        let rest = &text[i + svc.name.len()..];
        let after_host = if ns == svc.ns && rest.starts_with(':') {
            Some(rest)
        } else {
            rest.strip_prefix('.')
                .and_then(|r| r.strip_prefix(svc.ns.as_str()))
                .map(|r| {
                    r.trim_start_matches(|c: char| {
                        c.is_ascii_alphanumeric() || c == '.' || c == '-'
                    })
                })
        };
        let Some(port) = after_host.and_then(|r| r.strip_prefix(':')) else {
            continue;
        };
        let digits: String = port.chars().take_while(char::is_ascii_digit).collect();
        if digits
            .parse::<i64>()
            .is_ok_and(|p| svc.numbers.contains(&p))
        {
            return true;
        }
    }
    false
}
