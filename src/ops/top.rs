//! `top pods|nodes`: usage from the metrics API (metrics-server), summed per pod.

use serde_json::Value;

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::output::Output;
use crate::output::table::render_columns;
use crate::quantity;
use crate::url::with_query;

use super::engine::Engine;

/// Run `top pods|nodes` from the metrics API (metrics-server).
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
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
        // Once: a metrics-server that is down answers 503 until someone mends it.
        items.extend(e.get_once(p).map_err(metrics_unavailable)?.items());
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
        return Ok(Output::text("No resources found\n".into()));
    }
    let header: &[&str] = match (nodes, cmd.all_namespaces) {
        (true, _) => &["NAME", "CPU(cores)", "MEMORY(bytes)"],
        (false, true) => &["NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)"],
        (false, false) => &["NAME", "CPU(cores)", "MEMORY(bytes)"],
    };
    Ok(Output::lines(
        &render_columns(header, &rows).join("\n"),
        max,
        "narrow with -n or -l",
    ))
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
