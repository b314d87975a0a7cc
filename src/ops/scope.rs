//! `scope`: what this agent can see, so an investigator can tell "nothing is wrong" from
//! "nothing was readable" before spending calls on Forbidden and OutOfScope answers.
//!
//! Answered from the configuration (allowed namespaces, cluster-scoped reads, the default
//! namespace, redaction, the output budget, the command deadline) and discovery (the
//! metrics API), plus bounded probes, all GETs: one `limit=1` metadata list per type family
//! in one namespace (and per cluster-scoped family when those reads are on), one
//! `tailLines=1` log request of the first pod listed (its text is dropped unread), and one
//! `limit=1` list of Helm's release Secrets by label (metadata only; a second one in the
//! probed namespace when the cluster-wide one is refused). At most 17 requests besides
//! discovery; nothing is cached, so the answer is as of now.

use serde_json::{Value, json};

use crate::command::{Command, OutputFormat};
use crate::error::{Code, Error, Result};
use crate::kube::ACCEPT_METADATA;
use crate::output::{Format, Output};
use crate::url::with_query;

use super::engine::Engine;

/// The type families probed in a namespace: one `limit=1` list each.
const PROBES: &[&str] = &[
    "pods",
    "deployments",
    "services",
    "configmaps",
    "secrets",
    "events",
    "jobs",
    "persistentvolumeclaims",
    "ingresses",
    "horizontalpodautoscalers",
];
/// The cluster-scoped families probed when cluster-scoped reads are on.
const CLUSTER_PROBES: &[&str] = &["nodes", "namespaces", "persistentvolumes", "storageclasses"];

/// What one probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Probe {
    /// The list answered.
    Listable,
    /// The server refused, or the type is not served, or another error (its code).
    Not(String),
}

/// Run `scope`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let scope = e.scope();
    let ns = probe_namespace(e, cmd)?;
    let mut first_pod = None;
    let mut namespaced = Vec::new();
    for typed in PROBES {
        let probe = list_one(e, typed, Some(&ns), |item| {
            if *typed == "pods" && first_pod.is_none() {
                first_pod = item
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
        });
        namespaced.push((*typed, probe));
    }
    let mut cluster = Vec::new();
    if scope.cluster_resources {
        for typed in CLUSTER_PROBES {
            cluster.push((*typed, list_one(e, typed, None, |_| {})));
        }
    }
    let logs = match &first_pod {
        None => "unknown: no pod listed in the probed namespace".to_string(),
        Some(pod) => {
            let path = format!(
                "/api/v1/namespaces/{ns}/pods/{}/log?tailLines=1",
                crate::url::encode(pod)
            );
            // Only whether the server lets us: the stream is dropped unread.
            match e.log_lines(&path, 1) {
                Ok(_) => format!("readable (pod/{pod})"),
                Err(err) if err.code == Code::Forbidden => "not readable (Forbidden)".into(),
                Err(err) => format!("allowed, pod/{pod} answered {}", err.code),
            }
        }
    };
    let metrics = match e.api_resources() {
        Ok(all) if all.iter().any(|r| r.group == "metrics.k8s.io") => "served (top works)",
        Ok(_) => "not served (top answers Unsupported)",
        Err(_) => "unknown (discovery failed)",
    };
    let helm = helm_probe(e, &ns);
    let redact = e.redact_settings();
    let extra = redact.extra_patterns();
    let deadline = crate::kube::deadline::remaining().map(|d| d.as_secs_f64().ceil() as u64);
    let listable = |list: &[(&str, Probe)]| -> Vec<String> {
        list.iter()
            .filter(|(_, p)| *p == Probe::Listable)
            .map(|(t, _)| t.to_string())
            .collect()
    };
    let not = |list: &[(&str, Probe)]| -> Vec<String> {
        list.iter()
            .filter_map(|(t, p)| match p {
                Probe::Not(code) => Some(format!("{t} ({code})")),
                Probe::Listable => None,
            })
            .collect()
    };
    let doc = json!({
        "namespaces": scope.namespaces.as_deref().map_or(json!("all"), |l| json!(l)),
        "cluster_scoped_reads": scope.cluster_resources,
        "default_namespace": e.default_namespace(),
        "probed_namespace": ns,
        "listable": listable(&namespaced),
        "not_listable": not(&namespaced),
        "cluster_listable": listable(&cluster),
        "cluster_not_listable": not(&cluster),
        "logs": logs,
        "metrics_api": metrics,
        "helm_releases": helm,
        "redaction": {
            "secret_data": "never read (metadata only)",
            "objects_events_messages": "credentials hidden",
            "container_logs": if redact.logs { "redacted" } else { "NOT redacted (--allow-unredacted-logs)" },
            "extra_name_patterns": extra,
        },
        "max_output_bytes": max,
        "command_deadline_seconds": deadline,
    });
    if cmd.output == OutputFormat::Json {
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|err| Error::internal(format!("scope as JSON: {err}")))?;
        return Ok(Output::plain(format!("{text}\n"), Format::Json, false));
    }
    Ok(Output::text(render(&doc)))
}

/// The namespace the probes list in: the command's, else the default one, else (when the
/// default is out of scope) the first allowed one.
fn probe_namespace(e: &Engine, cmd: &Command) -> Result<String> {
    if cmd.namespace.is_some() {
        return e.namespace(cmd);
    }
    let default = e.default_namespace().to_string();
    match e.scope().namespaces_for_all() {
        Some(allowed) if !allowed.contains(&default) => {
            Ok(allowed.first().cloned().unwrap_or(default))
        }
        _ => Ok(default),
    }
}

/// One `limit=1` metadata list of `typed` (in `ns`, or cluster-wide), each item offered.
fn list_one(e: &Engine, typed: &str, ns: Option<&str>, mut each: impl FnMut(&Value)) -> Probe {
    let res = match e.resolve_type(typed) {
        Ok(r) => r,
        Err(err) if err.code == Code::NotFound || err.code == Code::Unsupported => {
            return Probe::Not("not served".into());
        }
        Err(err) => return Probe::Not(err.code.to_string()),
    };
    let path = with_query(&res.path(ns, None), &[("limit", Some("1"))]);
    match e.get_accept(&path, ACCEPT_METADATA) {
        Ok(list) => {
            for item in list.value()["items"].as_array().into_iter().flatten() {
                each(item);
            }
            Probe::Listable
        }
        Err(err) => Probe::Not(err.code.to_string()),
    }
}

/// Whether Helm release Secrets exist where this agent may look (metadata, `limit=1`).
fn helm_probe(e: &Engine, ns: &str) -> String {
    let (base, where_) = match e.scope().namespaces_for_all() {
        None => ("/api/v1/secrets".to_string(), "any namespace".to_string()),
        Some(_) => (format!("/api/v1/namespaces/{ns}/secrets"), ns.to_string()),
    };
    let path = with_query(
        &base,
        &[("labelSelector", Some("owner=helm")), ("limit", Some("1"))],
    );
    let found = |v: &Value| v["items"].as_array().is_some_and(|a| !a.is_empty());
    match e.get_accept(&path, ACCEPT_METADATA) {
        Ok(list) if found(list.value()) => format!("present in {where_} (helm list)"),
        Ok(_) => format!("none found in {where_}"),
        Err(err) if where_ == "any namespace" && err.code == Code::Forbidden => {
            // A namespace-bound identity: ask in the probed namespace instead.
            let path = with_query(
                &format!("/api/v1/namespaces/{ns}/secrets"),
                &[("labelSelector", Some("owner=helm")), ("limit", Some("1"))],
            );
            match e.get_accept(&path, ACCEPT_METADATA) {
                Ok(list) if found(list.value()) => format!("present in {ns} (helm list)"),
                Ok(_) => format!("none found in {ns} (other namespaces: Forbidden)"),
                Err(err) => format!("not readable ({})", err.code),
            }
        }
        Err(err) => format!("not readable ({})", err.code),
    }
}

/// The facts one line each.
fn render(d: &Value) -> String {
    let list = |v: &Value| {
        let items: Vec<&str> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        }
    };
    let namespaces = match &d["namespaces"] {
        Value::String(s) => s.clone(),
        other => format!("only {}", list(other)),
    };
    let ns = d["probed_namespace"].as_str().unwrap_or_default();
    let cluster = if d["cluster_scoped_reads"] == true {
        format!(
            "on; listable: {}; not: {}",
            list(&d["cluster_listable"]),
            list(&d["cluster_not_listable"])
        )
    } else {
        "off (--no-cluster-resources)".to_string()
    };
    let r = &d["redaction"];
    let extra = list(&r["extra_name_patterns"]);
    let deadline = d["command_deadline_seconds"]
        .as_u64()
        .map_or("none".to_string(), |s| format!("{s}s"));
    let lines = [
        format!("namespaces: {namespaces}"),
        format!("cluster-scoped reads: {cluster}"),
        format!(
            "default namespace: {}",
            d["default_namespace"].as_str().unwrap_or_default()
        ),
        format!("listable in {ns}: {}", list(&d["listable"])),
        format!("not listable in {ns}: {}", list(&d["not_listable"])),
        format!("logs: {}", d["logs"].as_str().unwrap_or_default()),
        format!(
            "metrics API (metrics.k8s.io): {}",
            d["metrics_api"].as_str().unwrap_or_default()
        ),
        format!(
            "helm releases: {}",
            d["helm_releases"].as_str().unwrap_or_default()
        ),
        format!(
            "redaction: Secret data never read (metadata only); credentials in objects, events \
             and messages hidden; container logs {}; extra name patterns: {extra}",
            r["container_logs"].as_str().unwrap_or_default()
        ),
        format!(
            "output budget: {} bytes per answer",
            d["max_output_bytes"].as_u64().unwrap_or_default()
        ),
        format!("command deadline: {deadline}"),
    ];
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_facts_read_one_line_each_and_say_what_was_not_readable() {
        let d = json!({
            "namespaces": ["shop"], "cluster_scoped_reads": false, "default_namespace": "shop",
            "probed_namespace": "shop", "listable": ["pods", "services"],
            "not_listable": ["secrets (Forbidden)"], "cluster_listable": [],
            "cluster_not_listable": [], "logs": "readable (pod/web-1)",
            "metrics_api": "not served (top answers Unsupported)",
            "helm_releases": "none found in shop",
            "redaction": {"container_logs": "redacted", "extra_name_patterns": []},
            "max_output_bytes": 8192, "command_deadline_seconds": 30,
        });
        let text = render(&d);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "namespaces: only shop");
        assert_eq!(
            lines[1],
            "cluster-scoped reads: off (--no-cluster-resources)"
        );
        assert_eq!(lines[3], "listable in shop: pods, services");
        assert_eq!(lines[4], "not listable in shop: secrets (Forbidden)");
        assert!(lines[8].contains("container logs redacted; extra name patterns: none"));
        assert_eq!(lines[9], "output budget: 8192 bytes per answer");
        assert_eq!(lines[10], "command deadline: 30s");
    }
}
