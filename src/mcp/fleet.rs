//! The MCP tools over a fleet (`kubeglass mcp --fleet FILE`): every tool of [`tools`] with a
//! required `cluster` argument (an enum of the fleet's names, so the model sees them), and a
//! `clusters` tool listing the fleet with what each agent last reported.
//!
//! A call's arguments are validated here exactly as a local call's are (the same refusals,
//! before anything is sent); the JSON command then travels to that cluster's agent, which
//! validates it again against its own scope ([`crate::fleet::remote`]). Nothing in the
//! arguments picks a queue: `cluster` only names one of the operator's file.

use std::time::SystemTime;

use serde_json::{Map, Value, json};

use super::Limits;
use super::jsonrpc::RpcError;
use super::tools;
use crate::command::Op;
use crate::error::Error;
use crate::error::Result;
use crate::fleet::{Fleet, Target};
use crate::ops::Bounds;
use crate::output::{Format, Output};
use crate::timefmt;

/// The ops whose tools take `"*"` or a list of clusters (fan-out).
pub const FAN_OUT: &[Op] = &[Op::Triage, Op::Get, Op::Events, Op::Changes];
/// `cluster: "*"`: every cluster of the fleet.
pub const ALL: &str = "*";

/// The name of the tool that lists the fleet.
pub const CLUSTERS_TOOL: &str = "clusters";

/// The `tools/list` result: every tool with `cluster`, then `clusters`.
pub fn list(fleet: &Fleet) -> Value {
    let mut list = tools::list();
    let names = fleet.names();
    if let Some(all) = list["tools"].as_array_mut() {
        for t in all.iter_mut() {
            let fans_out = tools::find(t["name"].as_str().unwrap_or(""))
                .ok()
                .and_then(|f| f.ok())
                .is_some_and(|tool| FAN_OUT.contains(&tool.op));
            let schema = &mut t["inputSchema"];
            schema["properties"]["cluster"] = if fans_out {
                let mut one = names.clone();
                one.push(ALL);
                json!({
                    "anyOf": [
                        {"type": "string", "enum": one},
                        {"type": "array", "items": {"type": "string", "enum": names}, "minItems": 1},
                    ],
                    "description": "The cluster to read (see the clusters tool); \"*\" or a list \
                        reads each at once, answers under a header per cluster, the output \
                        budget split between them.",
                })
            } else {
                json!({
                    "type": "string",
                    "enum": names,
                    "description": "The cluster to read (see the clusters tool).",
                })
            };
            match schema["required"].as_array_mut() {
                Some(r) => r.insert(0, json!("cluster")),
                None => schema["required"] = json!(["cluster"]),
            }
        }
        all.push(json!({
            "name": CLUSTERS_TOOL,
            "title": "Clusters",
            "description": "The clusters every other tool can read (its cluster argument), \
                each with how it is reached and what its agent last reported: agent id and \
                version, Kubernetes version, the namespaces it may read, when it last answered.",
            "inputSchema": {"type": "object", "properties": {}, "additionalProperties": false},
            "annotations": tools::annotations("Clusters"),
        }));
    }
    list
}

/// The `tools/call` result over the fleet.
pub fn call(fleet: &Fleet, limits: Limits, params: Option<&Value>) -> Result<Value, RpcError> {
    let (name, mut arguments) = tools::parse_call(params)?;
    if name == CLUSTERS_TOOL {
        return Ok(tools::tool_result(&Ok(crate::output::Output::plain(
            clusters(fleet),
            crate::output::Format::Text,
            false,
        ))));
    }
    let tool = match tools::find(name)? {
        Ok(t) => t,
        Err(refused) => return Ok(tools::tool_result(&Err(refused))),
    };
    let fans_out = FAN_OUT.contains(&tool.op);
    let cluster = match arguments.remove("cluster") {
        Some(Value::String(c)) if c != ALL || fans_out => c,
        Some(Value::Array(list)) if fans_out && !list.is_empty() => {
            let names: Option<Vec<String>> = list
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect();
            match names {
                Some(n) => return Ok(fan_out(fleet, limits, tool.op, arguments, &n)),
                None => return Ok(not_a_cluster(fleet, fans_out)),
            }
        }
        _ => return Ok(not_a_cluster(fleet, fans_out)),
    };
    if cluster == ALL {
        let all: Vec<String> = fleet.names().into_iter().map(str::to_string).collect();
        return Ok(fan_out(fleet, limits, tool.op, arguments, &all));
    }
    log::debug!("tools/call {name} on {cluster}");
    let wire = wire_form(tool.op.as_str(), &arguments);
    let result = tools::command_of(tool.op, arguments)
        .and_then(|cmd| fleet.run(&cluster, cmd, &wire, tools::bounds(limits)));
    if let Err(e) = &result {
        log::info!("tools/call {name} on {cluster}: {}", e.code);
    }
    Ok(tools::tool_result(&result))
}

/// The error result for a missing or malformed `cluster`.
fn not_a_cluster(fleet: &Fleet, fans_out: bool) -> Value {
    let more = if fans_out {
        ", \"*\" or a list of them"
    } else {
        ""
    };
    tools::tool_result(&Err(Error::invalid(format!(
        "cluster is required: one of {}{more}",
        fleet.names().join(", ")
    ))))
}

/// One call on several clusters at once: each gets an equal share of the output budget and
/// the call's deadline; the answers are merged in the fleet file's order under a
/// `=== cluster NAME ===` header, a cluster that failed (or did not answer in time) as one
/// `error: CODE: …` line there. An error result only when every cluster failed.
fn fan_out(
    fleet: &Fleet,
    limits: Limits,
    op: Op,
    arguments: Map<String, Value>,
    clusters: &[String],
) -> Value {
    let known = fleet.names();
    if let Some(bad) = clusters.iter().find(|c| !known.contains(&c.as_str())) {
        return tools::tool_result(&Err(Error::invalid(format!(
            "unknown cluster {bad:?}; clusters: {}",
            known.join(", ")
        ))));
    }
    let mut targets: Vec<&str> = known
        .into_iter()
        .filter(|n| clusters.iter().any(|c| c == n))
        .collect();
    targets.dedup();
    let wire = wire_form(op.as_str(), &arguments);
    let cmd = match tools::command_of(op, arguments) {
        Ok(c) => c,
        Err(e) => return tools::tool_result(&Err(e)),
    };
    // The header and the error lines take their room out of each share.
    let total = cmd
        .max_output_bytes
        .map_or(limits.max_output_bytes, |m| m.min(limits.max_output_bytes));
    let bounds = Bounds {
        max_output_bytes: share(total, targets.len()),
        command_timeout: limits.call_timeout,
    };
    let results: Vec<Result<Output>> = std::thread::scope(|s| {
        let handles: Vec<_> = targets
            .iter()
            .map(|name| {
                let (cmd, wire) = (cmd.clone(), &wire);
                s.spawn(move || fleet.run(name, cmd, wire, bounds))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::internal("the call's thread panicked")))
            })
            .collect()
    });
    let mut text = String::new();
    for (name, r) in targets.iter().zip(&results) {
        text.push_str(&format!("=== cluster {name} ===\n"));
        match r {
            Ok(out) => {
                text.push_str(&out.text);
                if out.truncated && targets.len() > 1 {
                    share_note(
                        &mut text,
                        out.format,
                        name,
                        bounds.max_output_bytes,
                        total,
                        targets.len(),
                    );
                }
            }
            Err(e) => {
                if let Some(p) = &e.partial {
                    text.push_str(p);
                    if !p.ends_with('\n') {
                        text.push('\n');
                    }
                }
                text.push_str(&format!("error: {}: {}", e.code, e.message));
            }
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    let all_failed = results.iter().all(Result::is_err);
    json!({"content": [{"type": "text", "text": text}], "isError": all_failed})
}

/// After a section cut at its share: that the share was the cut, not the call's budget, and
/// how to get more (the cut note itself says only "cut at N bytes"). A JSON section keeps
/// its note in its `metadata` alone, so that it stays one document.
fn share_note(text: &mut String, format: Format, name: &str, share: usize, total: usize, n: usize) {
    let note = format!(
        "kubeglass: cluster {name} had {share} of the call's {total} bytes (split between {n} \
         clusters): ask it alone for more"
    );
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match format {
        Format::Text => text.push_str(&format!("[{note}]\n")),
        Format::Yaml => text.push_str(&format!("# {note}\n")),
        Format::Json => {}
    }
}

/// Each of `n` clusters' output budget out of `total`: an equal share less the room for its
/// header and error line, never under [`MIN_SHARE`] (so many clusters can pass `total`).
pub fn share(total: usize, n: usize) -> usize {
    (total / n.max(1))
        .saturating_sub(HEADER_ROOM)
        .max(MIN_SHARE)
}

/// Room kept in each cluster's share for its header and an error line (or the share note).
const HEADER_ROOM: usize = 256;
/// The least output budget a cluster gets in a fan-out (the protocol's floor is 256).
const MIN_SHARE: usize = 1024;

/// The JSON command an agent gets: the arguments with the tool's op.
fn wire_form(op: &str, arguments: &Map<String, Value>) -> Value {
    let mut m = arguments.clone();
    m.insert("op".into(), json!(op));
    Value::Object(m)
}

/// The `clusters` text: one block per cluster. Heartbeats waiting on each response queue
/// are taken first (one receive that waits for nothing), so a fresh server knows them too.
fn clusters(fleet: &Fleet) -> String {
    std::thread::scope(|s| {
        for (name, t) in fleet.clusters() {
            if let Target::Agent(r) = t {
                s.spawn(move || {
                    if let Err(e) = r.collect_heartbeats() {
                        log::info!("clusters: {name}: {}", e.message);
                    }
                });
            }
        }
    });
    let now = SystemTime::now();
    let ago =
        |t: SystemTime| timefmt::human_duration(now.duration_since(t).unwrap_or_default()) + " ago";
    let mut out = String::new();
    for (name, t) in fleet.clusters() {
        match t {
            Target::Local { context, engine } => {
                let ns = engine
                    .scope()
                    .namespaces
                    .as_ref()
                    .map_or("all".to_string(), |n| n.join(","));
                out.push_str(&format!(
                    "{name}: local kubeconfig context {context}; namespaces: {ns}\n"
                ));
            }
            Target::Agent(r) => {
                let q = r.queues();
                let short = q.command.rsplit('/').next().unwrap_or("");
                out.push_str(&format!("{name}: agent over SQS (commands to {short})\n"));
                let seen = r.seen();
                match &seen.heartbeat {
                    Some((at, hb)) => {
                        let s = |p: &str| hb.pointer(p).and_then(Value::as_str).unwrap_or("?");
                        let ns = match hb.pointer("/scope/namespaces") {
                            Some(Value::Array(a)) => a
                                .iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(","),
                            _ => "all".into(),
                        };
                        out.push_str(&format!(
                            "  agent {} (kubeglass {}, cluster-name {}), Kubernetes {}; \
                             namespaces: {ns}; heartbeat received {}\n",
                            s("/agent/id"),
                            s("/agent/version"),
                            s("/agent/cluster"),
                            s("/kubernetes_version"),
                            ago(*at)
                        ));
                    }
                    // Another `mcp` process on this response queue may have taken it.
                    None => out.push_str("  no heartbeat seen yet (agents send one a minute)\n"),
                }
                match &seen.answer {
                    Some((at, agent)) => {
                        let s = |k: &str| agent.get(k).and_then(Value::as_str).unwrap_or("?");
                        out.push_str(&format!(
                            "  last answer {} from agent {} (kubeglass {}, cluster-name {})\n",
                            ago(*at),
                            s("id"),
                            s("version"),
                            s("cluster")
                        ))
                    }
                    None => out.push_str("  no answer yet from this server\n"),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet;
    use std::time::Duration;

    /// Two clusters behind queues (nothing is sent: connecting builds clients only).
    fn two() -> Fleet {
        let file = "clusters:\n\
            - name: prod-eu\n  commandQueueUrl: http://127.0.0.1:9/1/c\n  responseQueueUrl: http://127.0.0.1:9/1/r\n  region: eu-west-1\n\
            - name: staging\n  commandQueueUrl: http://127.0.0.1:9/1/c2.fifo\n  responseQueueUrl: http://127.0.0.1:9/1/r2.fifo\n  region: eu-west-1\n";
        Fleet::connect(
            fleet::parse(file).unwrap(),
            &Default::default(),
            &crate::scope::Scope::parse("", true).unwrap(),
            &Default::default(),
        )
        .unwrap()
    }

    fn limits() -> Limits {
        Limits {
            max_output_bytes: 4096,
            call_timeout: Duration::from_secs(2),
        }
    }

    #[test]
    fn every_tool_requires_a_cluster_from_the_fleets_names_and_clusters_is_listed() {
        let list = list(&two());
        let tools = list["tools"].as_array().unwrap();
        assert_eq!(
            tools.len(),
            tools::list()["tools"].as_array().unwrap().len() + 1
        );
        for t in tools.iter().filter(|t| t["name"] != CLUSTERS_TOOL) {
            let s = &t["inputSchema"];
            let c = &s["properties"]["cluster"];
            if ["triage", "get", "events", "changes"].contains(&t["name"].as_str().unwrap()) {
                assert_eq!(
                    c["anyOf"][0]["enum"],
                    json!(["prod-eu", "staging", "*"]),
                    "{t}"
                );
                assert_eq!(
                    c["anyOf"][1]["items"]["enum"],
                    json!(["prod-eu", "staging"]),
                    "{t}"
                );
            } else {
                assert_eq!(c["enum"], json!(["prod-eu", "staging"]), "{t}");
            }
            assert_eq!(s["required"][0], "cluster", "{t}");
        }
        let get = tools.iter().find(|t| t["name"] == "get").unwrap();
        assert_eq!(get["inputSchema"]["required"], json!(["cluster"]));
        assert!(tools.iter().any(|t| t["name"] == CLUSTERS_TOOL));
    }

    fn error_text(r: Value) -> String {
        assert_eq!(r["isError"], true, "{r}");
        r["content"][0]["text"].as_str().unwrap().to_string()
    }

    /// These never reach a queue (the endpoint is a closed port: a send would fail
    /// `QueueUnavailable`, not what is asserted).
    #[test]
    fn a_missing_or_unknown_cluster_and_a_refused_command_are_answered_before_any_send() {
        let f = two();
        for (params, starts) in [
            (
                json!({"name": "get", "arguments": {"resource": "pods"}}),
                "InvalidCommand: cluster is required: one of prod-eu, staging",
            ),
            (
                json!({"name": "get", "arguments": {"resource": "pods", "cluster": "nope"}}),
                "InvalidCommand: unknown cluster \"nope\"; clusters: prod-eu, staging",
            ),
            (
                json!({"name": "get", "arguments": {"resource": "pods", "cluster": 3}}),
                "InvalidCommand: cluster is required",
            ),
            (
                json!({"name": "describe", "arguments": {"resource": "pods", "cluster": "*"}}),
                "InvalidCommand: cluster is required: one of prod-eu, staging",
            ),
            (
                json!({"name": "get", "arguments": {"resource": "pods", "cluster": ["staging", "nope"]}}),
                "InvalidCommand: unknown cluster \"nope\"",
            ),
            (
                json!({"name": "get", "arguments": {"resource": "pods", "cluster": []}}),
                "InvalidCommand: cluster is required: one of prod-eu, staging, \"*\" or a list",
            ),
            (
                json!({"name": "get", "arguments": {"resource": "pods", "watch": true, "cluster": "*"}}),
                "Unsupported: ",
            ),
            (
                json!({"name": "delete", "arguments": {"resource": "pods", "cluster": "staging"}}),
                "ReadOnly: ",
            ),
            (
                json!({"name": "get", "arguments": {"resource": "pods", "watch": true, "cluster": "staging"}}),
                "Unsupported: ",
            ),
        ] {
            let text = error_text(call(&f, limits(), Some(&params)).unwrap());
            assert!(text.starts_with(starts), "{params}: {text}");
        }
    }

    #[test]
    fn an_unreachable_queue_is_an_error_result_naming_the_cluster() {
        let f = two();
        let params = json!({"name": "version", "arguments": {"cluster": "staging"}});
        let text = error_text(call(&f, limits(), Some(&params)).unwrap());
        assert!(text.contains("cluster staging: "), "{text}");
    }
}

#[cfg(test)]
mod fan_out_tests {
    use super::*;
    use crate::fleet;
    use std::time::{Duration, Instant};

    #[test]
    fn the_budget_is_split_evenly_with_room_for_headers_and_a_floor() {
        assert_eq!(share(262_144, 2), 131_072 - HEADER_ROOM);
        assert_eq!(share(262_144, 1), 262_144 - HEADER_ROOM);
        assert_eq!(share(4096, 2), 2048 - HEADER_ROOM);
        assert_eq!(share(4096, 8), MIN_SHARE);
        assert!(2 * (share(4096, 2) + HEADER_ROOM) <= 4096);
    }

    /// A fan-out to two clusters whose queues cannot be reached: one section each, both
    /// failing, in the file's order, within the call's time (they run at once).
    #[test]
    fn a_fan_out_answers_a_section_per_cluster_in_file_order_at_once() {
        let file = "clusters:\n\
            - name: b\n  commandQueueUrl: http://127.0.0.1:9/1/c\n  responseQueueUrl: http://127.0.0.1:9/1/r\n  region: x\n\
            - name: a\n  commandQueueUrl: http://127.0.0.1:9/1/c2\n  responseQueueUrl: http://127.0.0.1:9/1/r2\n  region: x\n";
        let f = Fleet::connect(
            fleet::parse(file).unwrap(),
            &Default::default(),
            &crate::scope::Scope::parse("", true).unwrap(),
            &Default::default(),
        )
        .unwrap();
        let limits = Limits {
            max_output_bytes: 4096,
            call_timeout: Duration::from_secs(2),
        };
        let params = json!({"name": "triage", "arguments": {"cluster": ["a", "b"]}});
        let t0 = Instant::now();
        let r = call(&f, limits, Some(&params)).unwrap();
        let text = r["content"][0]["text"].as_str().unwrap();
        assert_eq!(r["isError"], true, "every cluster failed: {text}");
        let b = text.find("=== cluster b ===").expect(text);
        let a = text.find("=== cluster a ===").expect(text);
        assert!(b < a, "the file's order: {text}");
        // QueueUnavailable, or Config where the test machine has no AWS credentials.
        for name in ["a", "b"] {
            let line = format!(": cluster {name}: ");
            assert!(
                text.lines()
                    .any(|l| l.starts_with("error: ") && l.contains(&line)),
                "{text}"
            );
        }
        assert!(t0.elapsed() < Duration::from_secs(4), "{:?}", t0.elapsed());
    }
}
