//! The small operations: `rollout history`, `top`, `api-resources`, `version`.

use serde_json::Value;

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::output::budget::Budget;
use crate::output::table::render_columns;
use crate::output::{Format, Output};
use crate::quantity;

use super::engine::{Engine, selector_of, with_query};
use super::inspect::text_output;
use super::rollout;

/// Run `rollout history deploy/NAME`.
pub fn rollout_history(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
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
    lines_output(&rollout::history(&deploy, &rss), max, "narrow the query")
}

/// Run `top pods|nodes` from the metrics API (metrics-server).
pub fn top(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let nodes = cmd.resource.as_deref() == Some("nodes");
    let base = "/apis/metrics.k8s.io/v1beta1";
    let mut paths = Vec::new();
    if nodes {
        e.scope().check_cluster_scoped("nodes")?;
        paths.push(format!("{base}/nodes"));
    } else {
        let pods = e.resolve_type("pods")?;
        for ns in e.namespaces(cmd, &pods)?.paths() {
            let ns = ns.map(|n| format!("/namespaces/{n}")).unwrap_or_default();
            paths.push(with_query(
                &format!("{base}{ns}/pods"),
                &[("labelSelector", cmd.selector.as_deref())],
            ));
        }
    }
    let mut items = Vec::new();
    for p in &paths {
        items.extend(e.get(p).map_err(metrics_unavailable)?.items());
    }
    if !cmd.names.is_empty() {
        items.retain(|i| {
            let n = i
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            cmd.names.iter().any(|want| want == n)
        });
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| usage_row(i, nodes, cmd.all_namespaces))
        .collect();
    if rows.is_empty() {
        return Ok(text_output("No resources found\n".into()));
    }
    let header: &[&str] = match (nodes, cmd.all_namespaces) {
        (true, _) => &["NAME", "CPU(cores)", "MEMORY(bytes)"],
        (false, true) => &["NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)"],
        (false, false) => &["NAME", "CPU(cores)", "MEMORY(bytes)"],
    };
    lines_output(
        &render_columns(header, &rows).join("\n"),
        max,
        "narrow with -n or -l",
    )
}

/// A metrics API that is not installed reads as "not available", not as a broken cluster.
fn metrics_unavailable(e: Error) -> Error {
    match e.code {
        Code::NotFound | Code::ApiUnavailable => Error::new(
            Code::Unsupported,
            format!(
                "the metrics API (metrics.k8s.io) is not available on this cluster \
                 (install metrics-server for `top`): {}",
                e.message
            ),
        ),
        _ => e,
    }
}

/// NAME CPU MEMORY of one PodMetrics (containers summed) or NodeMetrics.
fn usage_row(item: &Value, node: bool, with_ns: bool) -> Vec<String> {
    let usages: Vec<&Value> = if node {
        item.get("usage").into_iter().collect()
    } else {
        item.get("containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("usage"))
            .collect()
    };
    let sum = |key: &str, parse: fn(&str) -> Option<i64>| -> i64 {
        usages
            .iter()
            .filter_map(|u| u.get(key).and_then(Value::as_str).and_then(parse))
            .sum()
    };
    let cpu = sum("cpu", quantity::parse_cpu_millis);
    let mem = sum("memory", quantity::parse_bytes);
    let meta = |k: &str| {
        item.pointer(&format!("/metadata/{k}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut row = Vec::new();
    if with_ns && !node {
        row.push(meta("namespace"));
    }
    row.extend([
        meta("name"),
        format!("{cpu}m"),
        format!("{}Mi", mem / (1024 * 1024)),
    ]);
    row
}

/// Run `api-resources`.
pub fn api_resources(e: &Engine, max: usize) -> Result<Output> {
    let mut list = e.api_resources()?;
    list.sort_by(|a, b| (&a.group, &a.plural).cmp(&(&b.group, &b.plural)));
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|r| {
            vec![
                r.plural.clone(),
                r.short_names.join(","),
                r.api_version(),
                r.namespaced.to_string(),
                r.kind.clone(),
            ]
        })
        .collect();
    let lines = render_columns(
        &["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"],
        &rows,
    );
    lines_output(&lines.join("\n"), max, "")
}

/// Run `version`.
pub fn version(e: &Engine) -> Result<Output> {
    let v = e.get("/version")?;
    let field = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string()
    };
    Ok(text_output(format!(
        "Client Version: kubeglass {}\nServer Version: {} (platform {}, built {})\n",
        env!("CARGO_PKG_VERSION"),
        field("gitVersion"),
        field("platform"),
        field("buildDate"),
    )))
}

/// Text cut to the budget line by line.
fn lines_output(text: &str, max: usize, hint: &str) -> Result<Output> {
    let mut budget = Budget::new(max);
    for l in text.lines() {
        budget.push(l);
    }
    Ok(budget.finish(Format::Text, hint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pod_usage_sums_containers() {
        let m = json!({"metadata": {"name": "web-1", "namespace": "shop"},
            "containers": [{"usage": {"cpu": "250m", "memory": "64Mi"}},
                           {"usage": {"cpu": "1", "memory": "32Mi"}}]});
        assert_eq!(
            usage_row(&m, false, true),
            ["shop", "web-1", "1250m", "96Mi"]
        );
        assert_eq!(usage_row(&json!({}), false, false), ["", "0m", "0Mi"]);
    }

    #[test]
    fn a_missing_metrics_api_is_unsupported() {
        let e = metrics_unavailable(Error::new(Code::NotFound, "the server could not find"));
        assert_eq!(e.code, Code::Unsupported);
        assert!(e.message.contains("metrics-server"));
        assert_eq!(
            metrics_unavailable(Error::new(Code::Forbidden, "no")).code,
            Code::Forbidden
        );
    }
}
