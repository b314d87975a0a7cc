//! Namespaces with their ResourceQuotas and LimitRanges, and those two kinds on their own.

use serde_json::Value;

use super::{Doc, Related, items, scalar, text};

/// `describe namespace`: status, then its quotas (`Resource Used Hard`) and limit ranges.
pub fn namespace(d: &mut Doc, o: &Value, r: &Related) {
    d.kv(0, "Name", text(o, "/metadata/name"));
    d.map(0, "Labels", o.pointer("/metadata/labels"));
    d.annotations(0, "Annotations", o.pointer("/metadata/annotations"));
    d.kv(0, "Status", text(o, "/status/phase"));
    if o.pointer("/status/conditions").is_some() {
        d.conditions(0, o);
    }
    d.line(0, "");
    match &r.quotas {
        None => d.kv(0, "Resource Quotas", "<not readable>"),
        Some(q) if q.is_empty() => d.line(0, "No resource quota."),
        Some(q) => {
            d.line(0, "Resource Quotas");
            for quota in q {
                d.kv(1, "Name", text(quota, "/metadata/name"));
                scopes(d, 1, quota);
                used_hard(d, 1, quota, "---");
            }
        }
    }
    d.line(0, "");
    match &r.limit_ranges {
        None => d.kv(0, "Resource Limits", "<not readable>"),
        Some(l) if l.is_empty() => d.line(0, "No LimitRange resource."),
        Some(l) => {
            d.line(0, "Resource Limits");
            let rows: Vec<Vec<String>> = l.iter().flat_map(|lr| limit_rows(lr.value())).collect();
            limits_table(d, 1, rows);
        }
    }
}

/// `describe quota`.
pub fn quota(d: &mut Doc, o: &Value) {
    d.kv(0, "Name", text(o, "/metadata/name"));
    d.kv(0, "Namespace", text(o, "/metadata/namespace"));
    scopes(d, 0, o);
    used_hard(d, 0, o, "----");
}

/// `describe limits`.
pub fn limit_range(d: &mut Doc, o: &Value) {
    d.kv(0, "Name", text(o, "/metadata/name"));
    d.kv(0, "Namespace", text(o, "/metadata/namespace"));
    limits_table(d, 0, limit_rows(o));
}

fn scopes(d: &mut Doc, level: usize, q: &Value) {
    let mut scopes: Vec<String> = items(q, "/spec/scopes").map(|s| scalar(Some(s))).collect();
    if scopes.is_empty() {
        return;
    }
    scopes.sort();
    d.kv(level, "Scopes", &scopes.join(", "));
    for s in &scopes {
        let help = match s.as_str() {
            "Terminating" => {
                "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system."
            }
            "NotTerminating" => {
                "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate."
            }
            "BestEffort" => {
                "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service."
            }
            "NotBestEffort" => {
                "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service."
            }
            _ => continue,
        };
        d.line(level, &format!(" * {help}"));
    }
}

/// The `Resource Used Hard` table of one quota (what it allows, from its status; the
/// spec when the quota controller has not counted yet).
fn used_hard(d: &mut Doc, level: usize, q: &Value, dashes: &str) {
    let hard = q
        .pointer("/status/hard")
        .or_else(|| q.pointer("/spec/hard"))
        .and_then(Value::as_object);
    let mut rows = vec![vec!["--------".to_string(), dashes.into(), dashes.into()]];
    for (res, h) in hard.into_iter().flatten() {
        let used = q
            .pointer("/status/used")
            .and_then(|u| u.get(res))
            .map(|u| scalar(Some(u)))
            .unwrap_or_else(|| "0".into());
        rows.push(vec![res.clone(), used, scalar(Some(h))]);
    }
    d.table(level, &["Resource", "Used", "Hard"], &rows);
}

/// One row per limit type and resource: Min, Max, Default Request, Default Limit, Ratio.
fn limit_rows(lr: &Value) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for item in items(lr, "/spec/limits") {
        let fields = [
            "min",
            "max",
            "defaultRequest",
            "default",
            "maxLimitRequestRatio",
        ];
        let mut resources: Vec<&String> = fields
            .iter()
            .filter_map(|f| item.get(*f).and_then(Value::as_object))
            .flat_map(|m| m.keys())
            .collect();
        resources.sort();
        resources.dedup();
        for res in resources {
            let mut row = vec![text(item, "/type").to_string(), res.clone()];
            for f in fields {
                row.push(
                    item.get(f)
                        .and_then(|m| m.get(res))
                        .map(|v| scalar(Some(v)))
                        .unwrap_or_else(|| "-".into()),
                );
            }
            rows.push(row);
        }
    }
    rows
}

fn limits_table(d: &mut Doc, level: usize, rows: Vec<Vec<String>>) {
    let mut all = vec![
        [
            "----",
            "--------",
            "---",
            "---",
            "---------------",
            "-------------",
            "-----------------------",
        ]
        .map(String::from)
        .to_vec(),
    ];
    all.extend(rows);
    d.table(
        level,
        &[
            "Type",
            "Resource",
            "Min",
            "Max",
            "Default Request",
            "Default Limit",
            "Max Limit/Request Ratio",
        ],
        &all,
    );
}
