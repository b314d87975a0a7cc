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
use crate::error::Error;
use crate::fleet::{Fleet, Target};
use crate::timefmt;

/// The name of the tool that lists the fleet.
pub const CLUSTERS_TOOL: &str = "clusters";

/// The `tools/list` result: every tool with `cluster`, then `clusters`.
pub fn list(fleet: &Fleet) -> Value {
    let mut list = tools::list();
    let names = fleet.names();
    if let Some(all) = list["tools"].as_array_mut() {
        for t in all.iter_mut() {
            let schema = &mut t["inputSchema"];
            schema["properties"]["cluster"] = json!({
                "type": "string",
                "enum": names,
                "description": "The cluster to read (see the clusters tool).",
            });
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
        return Ok(tools::tool_result(&Ok(crate::output::Output {
            text: clusters(fleet),
            format: crate::output::Format::Text,
            truncated: false,
        })));
    }
    let tool = match tools::find(name)? {
        Ok(t) => t,
        Err(refused) => return Ok(tools::tool_result(&Err(refused))),
    };
    let cluster = match arguments.remove("cluster") {
        Some(Value::String(c)) => c,
        _ => {
            return Ok(tools::tool_result(&Err(Error::invalid(format!(
                "cluster is required: one of {}",
                fleet.names().join(", ")
            )))));
        }
    };
    log::debug!("tools/call {name} on {cluster}");
    let wire = wire_form(tool.op.as_str(), &arguments);
    let result = tools::command_of(tool.op, arguments)
        .and_then(|cmd| fleet.run(&cluster, cmd, &wire, tools::bounds(limits)));
    if let Err(e) = &result {
        log::info!("tools/call {name} on {cluster}: {}", e.code);
    }
    Ok(tools::tool_result(&result))
}

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
            assert_eq!(
                s["properties"]["cluster"]["enum"],
                json!(["prod-eu", "staging"]),
                "{t}"
            );
            assert_eq!(s["required"][0], "cluster", "{t}");
        }
        let get = tools.iter().find(|t| t["name"] == "get").unwrap();
        assert_eq!(
            get["inputSchema"]["required"],
            json!(["cluster", "resource"])
        );
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
