//! The MCP tools: one per read operation, each with the JSON form's fields for that op as its
//! `inputSchema` ([`command::arguments_schema`]) and a call that becomes a JSON command.
//!
//! A call's arguments are the structured command without its `op` (the tool's name gives
//! that), so they go through [`command::parse_json`] like any command from SQS or `query
//! --command-json`: the same refusals, validation and scope, no second parser. Nothing in
//! the arguments reaches the operator's settings (kubeconfig, `--namespaces`,
//! `--no-cluster-resources`, redaction, the output ceiling): a command has no field for them.

use serde_json::{Map, Value, json};

use super::jsonrpc::RpcError;
use super::{Limits, Reach};
use crate::command::{self, Op};
use crate::error::{Error, Result};
use crate::ops::{self, Bounds, Executor};
use crate::output::Output;

/// One tool: its name, the op it runs and what it is for.
pub struct Tool {
    /// The tool's name.
    pub name: &'static str,
    /// Its display title.
    pub title: &'static str,
    /// The op it runs.
    pub op: Op,
    /// What it is for (the model reads this).
    pub description: &'static str,
}

/// What `op` is for, as its tool's description says it (the CLI's per-op help opens with
/// it: one text for the model and the person).
pub fn description(op: Op) -> &'static str {
    TOOLS
        .iter()
        .find(|t| t.op == op)
        .map_or("", |t| t.description)
}

/// Every tool, in the order they are listed (triage first: it is where to start).
const TOOLS: &[Tool] = &[
    Tool {
        name: "triage",
        title: "Triage",
        op: Op::Triage,
        description: "Start here: what is wrong in a namespace (or all_namespaces), most severe \
            first, one line per finding with its evidence and the next tool call to make. \
            Healthy things are only counted.",
    },
    Tool {
        name: "scope",
        title: "What this agent can see",
        op: Op::Scope,
        description: "What this server can read before you ask: allowed namespaces, \
            cluster-scoped reads on or off, the default namespace, which types the identity \
            can list (one limit=1 probe each), whether logs, the metrics API and Helm releases \
            are readable, what redaction hides, the output budget and the command deadline. \
            Use it when an answer is Forbidden or OutOfScope, or empty.",
    },
    Tool {
        name: "changes",
        title: "What changed",
        op: Op::Changes,
        description: "What changed in a namespace (or all_namespaces) within a window (since, \
            default 2h), newest first, one line a change: rollouts with what their pod template \
            changed, scaling, object updates with the manager and field names (never values), \
            failures that started. Narrow with for (TYPE/NAME).",
    },
    Tool {
        // `kubeglass mcp` runs no recorder (it lives for an editor session; the record is
        // worth having from an agent that runs all the time in the cluster): locally this
        // tool answers one line, "no recorder in this process"; over `mcp --fleet` the
        // call travels to the cluster's agent, which has the recorder (`run --record`).
        name: "history",
        title: "Flight recorder",
        op: Op::History,
        description: "What the cluster agent's flight recorder kept after the API server \
            dropped it: container crashes with their last log lines, Warning events that \
            expired, evicted and failed pods that are gone, node condition flips, rollouts, \
            failed Jobs — newest first, redacted, since the agent started. Narrow with \
            namespace, since (6h) and for (TYPE/NAME). Only an agent run with --record has one.",
    },
    Tool {
        name: "get",
        title: "Get objects",
        op: Op::Get,
        description: "List or fetch objects of one resource type (pods, deploy, svc, nodes, \
            custom resources…) as a kubectl-style table. Narrow with names, namespace, selector \
            (labels) or field_selector; output json or yaml for every field. Secrets show \
            metadata only.",
    },
    Tool {
        name: "describe",
        title: "Describe objects",
        op: Op::Describe,
        description: "kubectl describe: status, conditions, containers, related events and \
            pods of objects of one type. Give names ([\"deploy/api\"] names the type too) or a \
            selector to keep it short.",
    },
    Tool {
        name: "logs",
        title: "Container logs",
        op: Op::Logs,
        description: "Container logs of a pod, or of a pod picked from a workload (names \
            [\"deploy/api\"], as triage's hints write it); the newest lines are kept. logs.fold answers what a \
            workload logs as counted patterns (all its pods, errors first) in a few hundred \
            bytes. Narrow with logs.grep / logs.grep_v (regex, searched in the cluster), logs.tail, logs.since_seconds, logs.container; \
            logs.previous reads the crashed run.",
    },
    Tool {
        name: "events",
        title: "Events",
        op: Op::Events,
        description: "Events, oldest to newest (the newest survive a cut). Narrow with for \
            (TYPE/NAME), types [\"Warning\"] and namespace.",
    },
    Tool {
        name: "endpoints",
        title: "Service endpoints",
        op: Op::Endpoints,
        description: "Which addresses back a Service, ready or not, with their pods and nodes, \
            and why there are none (a selector matching no pod names near misses).",
    },
    Tool {
        name: "rollout_history",
        title: "Rollout history",
        op: Op::RolloutHistory,
        description: "The revisions of a Deployment (from its ReplicaSets), StatefulSet or \
            DaemonSet (from its ControllerRevisions), as kubectl rollout history prints them: \
            names [\"deploy/api\"], or resource deploy, sts or ds with names [NAME].",
    },
    Tool {
        name: "rollout_diff",
        title: "Rollout diff",
        op: Op::RolloutDiff,
        description: "What a rollout changed: the field-level difference of two revisions' pod \
            templates (default: the current one against the one before; revision and to pick \
            others) of a Deployment, StatefulSet or DaemonSet. Hidden values show as changed.",
    },
    Tool {
        name: "helm_list",
        title: "Helm releases",
        op: Op::HelmList,
        description: "Helm releases (newest revision each) in a namespace or all_namespaces: \
            name, namespace, revision, updated, status — read from the labels of Helm's release \
            Secrets (metadata only: chart, app version and values are never read). Default: \
            deployed and failed, as helm; all: every status (pending-upgrade = stuck).",
    },
    Tool {
        name: "helm_history",
        title: "Helm release history",
        op: Op::HelmHistory,
        description: "One Helm release's revisions (names: [release]) with status and time, \
            from its release Secrets' labels (metadata only).",
    },
    Tool {
        name: "top",
        title: "Resource usage",
        op: Op::Top,
        description: "CPU and memory use of pods or nodes (needs metrics-server in the \
            cluster).",
    },
    Tool {
        name: "api_resources",
        title: "API resources",
        op: Op::ApiResources,
        description: "The resource types the API server serves, with short names and groups: \
            what get and describe can read.",
    },
    Tool {
        name: "version",
        title: "Server version",
        op: Op::Version,
        description: "The Kubernetes API server's version.",
    },
];

/// Every tool is a read of the cluster kubeglass was started for, nothing else.
pub fn annotations(title: &str) -> Value {
    json!({"title": title, "readOnlyHint": true, "openWorldHint": false})
}

/// The `tools/list` result.
pub fn list() -> Value {
    let tools: Vec<Value> = TOOLS
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "title": t.title,
                "description": t.description,
                "inputSchema": command::arguments_schema(t.op),
                "annotations": annotations(t.title),
            })
        })
        .collect();
    json!({ "tools": tools })
}

/// The `tools/list` result of a local server: [`list`], each tool's `namespace` (and
/// `all_namespaces`) description saying which namespaces this server may read and which one
/// a call without a namespace reads.
pub fn list_within(reach: &Reach) -> Value {
    let mut list = list();
    let note = reach.namespace_note();
    for tool in list["tools"].as_array_mut().into_iter().flatten() {
        let props = &mut tool["inputSchema"]["properties"];
        if let Some(d) = props["namespace"]["description"].as_str() {
            props["namespace"]["description"] = json!(format!("{d} {note}"));
        }
        if let (Some(d), Some(only)) = (
            props["all_namespaces"]["description"].as_str(),
            &reach.namespaces,
        ) {
            props["all_namespaces"]["description"] =
                json!(format!("{d} Here: {}.", only.join(", ")));
        }
    }
    list
}

/// The `tools/call` result for `params` (`{"name", "arguments"}`): the command's output, or
/// its error as an `isError` result the model can read. A protocol error only when the call
/// itself is malformed or names no tool.
pub fn call(
    exec: &dyn Executor,
    limits: Limits,
    params: Option<&Value>,
) -> Result<Value, RpcError> {
    let (name, arguments) = parse_call(params)?;
    let tool = match find(name)? {
        Ok(t) => t,
        Err(refused) => return Ok(tool_result(&Err(refused))),
    };
    log::debug!("tools/call {name}");
    let result = ops::run_command(exec, command_of(tool.op, arguments), None, bounds(limits));
    if let Err(e) = &result {
        log::info!("tools/call {name}: {}", e.code);
    }
    Ok(tool_result(&result))
}

/// A call's tool name and arguments (`{"name", "arguments"}`); a protocol error when the
/// call itself is malformed.
pub fn parse_call(params: Option<&Value>) -> Result<(&str, Map<String, Value>), RpcError> {
    let params = params.and_then(Value::as_object);
    let Some(name) = params.and_then(|p| p.get("name")).and_then(Value::as_str) else {
        return Err(RpcError::invalid_params(
            "tools/call needs params {\"name\": TOOL, \"arguments\": {…}}",
        ));
    };
    let arguments = match params.and_then(|p| p.get("arguments")) {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(a)) => a.clone(),
        Some(_) => {
            return Err(RpcError::invalid_params("arguments must be an object"));
        }
    };
    Ok((name, arguments))
}

/// The tool called `name`; a write or channel verb is refused as such (`ReadOnly: …`, an
/// error result, so the model learns why); any other unknown name is the client's mistake.
pub fn find(name: &str) -> Result<Result<&'static Tool>, RpcError> {
    if let Some(tool) = TOOLS.iter().find(|t| t.name == name) {
        return Ok(Ok(tool));
    }
    if let Err(e) = command::refuse_op(&name.replace('_', "-")) {
        return Ok(Err(e));
    }
    Err(RpcError::invalid_params(format!(
        "unknown tool {name:?}; tools: {}",
        TOOLS.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
    )))
}

/// The bounds of one call. Calls are served one at a time: without a deadline, a call
/// reading many objects from a slow API (each request bounded only by --request-timeout)
/// would hold every later one.
pub fn bounds(limits: Limits) -> Bounds {
    Bounds {
        max_output_bytes: limits.max_output_bytes,
        command_timeout: limits.call_timeout,
    }
}

/// The JSON command for a tool call: its arguments with the tool's op, parsed and validated
/// as every JSON command is.
pub fn command_of(op: Op, mut arguments: Map<String, Value>) -> Result<command::Command> {
    if arguments.contains_key("op") {
        return Err(Error::invalid(
            "\"op\" is not an argument: the tool's name is the operation",
        ));
    }
    arguments.insert("op".into(), json!(op.as_str()));
    command::parse_json(&Value::Object(arguments))
}

/// A `CallToolResult`: the output as one text block, or `<Code>: <message>` with `isError`.
pub fn tool_result(result: &Result<Output>) -> Value {
    let (text, is_error) = match result {
        Ok(out) => (out.text.clone(), false),
        Err(e) => (format!("{}: {}", e.code, e.message), true),
    };
    json!({"content": [{"type": "text", "text": text}], "isError": is_error})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::error::Code;
    use crate::output::Format;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    /// Records the commands it gets and their deadlines; answers `get` with a fixed table.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<(Command, usize)>>, Mutex<Vec<Option<Instant>>>);

    impl Executor for Recorder {
        fn execute(&self, cmd: &Command, max: usize, d: Option<Instant>) -> Result<Output> {
            self.0.lock().unwrap().push((cmd.clone(), max));
            self.1.lock().unwrap().push(d);
            Ok(Output::plain("NAME\nweb-1".into(), Format::Text, false))
        }
    }

    const TIMEOUT: Duration = Duration::from_secs(60);

    fn limits(max_output_bytes: usize) -> Limits {
        Limits {
            max_output_bytes,
            call_timeout: TIMEOUT,
        }
    }

    fn call_json(exec: &Recorder, params: Value) -> Result<Value, RpcError> {
        call(exec, limits(4096), Some(&params))
    }

    #[test]
    fn every_op_is_one_read_only_tool_with_its_schema() {
        let list = list();
        let tools = list["tools"].as_array().unwrap();
        assert_eq!(tools.len(), 16);
        for t in tools {
            assert_eq!(t["annotations"]["readOnlyHint"], true, "{t}");
            assert_eq!(t["annotations"]["openWorldHint"], false, "{t}");
            assert_eq!(t["inputSchema"]["type"], "object", "{t}");
            assert!(
                t["description"].as_str().is_some_and(|d| d.len() > 20),
                "{t}"
            );
        }
        let get = tools.iter().find(|t| t["name"] == "get").unwrap();
        assert_eq!(get["inputSchema"], command::arguments_schema(Op::Get));
        assert_eq!(
            get["inputSchema"]["required"],
            json!([]),
            "names may carry the type"
        );
    }

    #[test]
    fn a_call_runs_the_json_command_its_arguments_make() {
        let exec = Recorder::default();
        let r = call_json(
            &exec,
            json!({"name": "get", "arguments": {"resource": "deploy/web", "namespace": "shop"}}),
        )
        .unwrap();
        assert_eq!(
            r,
            json!({"content": [{"type": "text", "text": "NAME\nweb-1"}], "isError": false})
        );
        let (cmd, max) = exec.0.lock().unwrap()[0].clone();
        assert_eq!(
            cmd,
            command::parse_json_str(
                r#"{"op":"get","resource":"deploy","names":["web"],"namespace":"shop"}"#
            )
            .unwrap()
        );
        assert_eq!(max, 4096, "the operator's budget is the ceiling");
        call_json(
            &exec,
            json!({"name": "rollout_history", "arguments": {"resource": "deploy/api"}}),
        )
        .unwrap();
        call_json(&exec, json!({"name": "version"})).unwrap();
        let ops: Vec<Op> = exec.0.lock().unwrap().iter().map(|(c, _)| c.op).collect();
        assert_eq!(ops, vec![Op::Get, Op::RolloutHistory, Op::Version]);
    }

    fn error_text(r: Value) -> String {
        assert_eq!(r["isError"], true, "{r}");
        r["content"][0]["text"].as_str().unwrap().to_string()
    }

    #[test]
    fn refusals_and_bad_arguments_are_error_results_with_the_code_and_run_nothing() {
        let exec = Recorder::default();
        for (params, code) in [
            (
                json!({"name": "delete", "arguments": {"resource": "pods"}}),
                Code::ReadOnly,
            ),
            (
                json!({"name": "rollout_undo", "arguments": {}}),
                Code::ReadOnly,
            ),
            (json!({"name": "exec"}), Code::Unsupported),
            (
                json!({"name": "get", "arguments": {"resource": "pods", "watch": true}}),
                Code::Unsupported,
            ),
            (
                json!({"name": "get", "arguments": {"resource": "pods", "op": "logs"}}),
                Code::InvalidCommand,
            ),
            (
                json!({"name": "get", "arguments": {}}),
                Code::InvalidCommand,
            ),
            (
                json!({"name": "get", "arguments": {"resource": "pods", "colour": "red"}}),
                Code::InvalidCommand,
            ),
            (
                json!({"name": "logs", "arguments": {"names": ["x"], "logs": {"no_redact": true}}}),
                Code::InvalidCommand,
            ),
            (
                json!({"name": "get", "arguments": {"resource": "pods", "namespace": "../x"}}),
                Code::InvalidCommand,
            ),
        ] {
            let text = error_text(call_json(&exec, params.clone()).unwrap());
            assert!(text.starts_with(&format!("{code}: ")), "{params}: {text}");
        }
        assert!(exec.0.lock().unwrap().is_empty());
    }

    #[test]
    fn every_call_runs_within_a_deadline() {
        let exec = Recorder::default();
        let before = Instant::now();
        call_json(
            &exec,
            json!({"name": "triage", "arguments": {"all_namespaces": true}}),
        )
        .unwrap();
        let deadline = exec.1.lock().unwrap()[0].expect("a call has a deadline");
        assert!(deadline >= before + TIMEOUT && deadline <= Instant::now() + TIMEOUT);
    }

    #[test]
    fn malformed_calls_and_unknown_tools_are_invalid_params() {
        let exec = Recorder::default();
        for params in [
            json!({}),
            json!({"name": 5}),
            json!({"name": "get", "arguments": ["pods"]}),
            json!({"name": "frobnicate"}),
        ] {
            let e = call_json(&exec, params.clone()).unwrap_err();
            assert_eq!(e.code, super::super::jsonrpc::INVALID_PARAMS, "{params}");
        }
        assert!(call(&exec, limits(1), None).is_err());
    }
}
