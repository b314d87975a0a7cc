//! `kubeglass mcp`: the read operations as a Model Context Protocol server over stdio, for
//! local AI tools (Claude Desktop and Code, Cursor, VS Code, Zed, agent frameworks).
//!
//! - [`jsonrpc`] — framing: one JSON-RPC 2.0 message per line, bounded, classified.
//! - [`tools`] — one tool per op; a call's arguments are the JSON command form.
//! - this file — the lifecycle (`initialize`, `ping`, notifications) and the loop.
//!
//! **Sequential by design.** Messages are read, handled and answered one at a time on the
//! calling thread: there is no shared state to guard, answers cannot interleave on stdout,
//! and memory is bounded by one message and one result. A local assistant waits for each
//! tool result anyway; a slow call delays the next message by at most the request timeout.
//! Because each request is answered before the next line is read, a
//! `notifications/cancelled` always arrives after its request was answered and is ignored.
//!
//! stdout carries protocol messages only; logs go to stderr. End of input ends the server.

use std::io::{self, BufRead, Write};

use serde_json::{Value, json};

use crate::ops::Executor;

pub mod jsonrpc;
pub mod tools;

use jsonrpc::{Message, RpcError};

/// The MCP revisions this server speaks, newest first; the first is answered to a client
/// asking for one we do not know.
pub const PROTOCOL_VERSIONS: &[&str] = &["2026-07-28", "2025-11-25", "2025-06-18"];

/// What the server tells the model about itself at `initialize`.
const INSTRUCTIONS: &str = "Read-only access to one Kubernetes cluster, limited to the \
namespaces and types the operator allowed. Start with the triage tool; each finding names the \
next call. Answers are compact text cut at a byte budget: a cut answer ends with a line saying \
what was left out and how to narrow the call. Secret values are never shown; credentials in \
logs and objects are redacted.";

/// Serve MCP on `input`/`output` until end of input; each result is cut at
/// `max_output_bytes` (a call may ask for less). Only an I/O error on the streams ends it
/// early.
pub fn serve(
    exec: &dyn Executor,
    max_output_bytes: usize,
    mut input: impl BufRead,
    mut output: impl Write,
) -> io::Result<()> {
    let mut buf = Vec::new();
    while let Some(len) = jsonrpc::read_message(&mut input, &mut buf)? {
        if len <= buf.len() && buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let answer = match jsonrpc::parse(&buf, len) {
            Ok(Message::Request { id, method, params }) => {
                match handle(exec, max_output_bytes, &method, params.as_ref()) {
                    Ok(r) => jsonrpc::result(&id, r),
                    Err(e) => jsonrpc::error(&id, &e),
                }
            }
            Ok(Message::Notification { method }) => {
                log::debug!("notification {method}");
                continue;
            }
            Ok(Message::Response) => continue,
            Err(refused) => {
                log::warn!("refused a message: {}", refused.error.message);
                jsonrpc::error(&refused.id, &refused.error)
            }
        };
        jsonrpc::write(&mut output, &answer)?;
    }
    Ok(())
}

/// The result of request `method`.
fn handle(
    exec: &dyn Executor,
    max_output_bytes: usize,
    method: &str,
    params: Option<&Value>,
) -> Result<Value, RpcError> {
    match method {
        "initialize" => initialize(params),
        "ping" => Ok(json!({})),
        "tools/list" => Ok(tools::list()),
        "tools/call" => tools::call(exec, max_output_bytes, params),
        other => Err(RpcError::new(
            jsonrpc::METHOD_NOT_FOUND,
            format!("method {other:?} not found (this server offers tools only)"),
        )),
    }
}

/// `initialize`: the client's protocol version when we speak it, else our newest; the
/// capabilities (tools, a fixed list) and who we are.
fn initialize(params: Option<&Value>) -> Result<Value, RpcError> {
    let asked = params
        .and_then(|p| p.get("protocolVersion"))
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("initialize needs params.protocolVersion"))?;
    let version = PROTOCOL_VERSIONS
        .iter()
        .find(|v| **v == asked)
        .unwrap_or(&PROTOCOL_VERSIONS[0]);
    Ok(json!({
        "protocolVersion": version,
        "capabilities": {"tools": {"listChanged": false}},
        "serverInfo": {"name": "kubeglass", "title": "kubeglass", "version": env!("CARGO_PKG_VERSION")},
        "instructions": INSTRUCTIONS,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::error::{Code, Error, Result};
    use crate::output::{Format, Output};
    use std::io::Cursor;
    use std::time::Instant;

    /// `get` answers a table; every other op is out of scope.
    struct Fake;

    impl Executor for Fake {
        fn execute(&self, cmd: &Command, _max: usize, _d: Option<Instant>) -> Result<Output> {
            match cmd.namespace.as_deref() {
                Some("kube-system") => Err(Error::new(Code::OutOfScope, "namespace kube-system")),
                _ => Ok(Output {
                    text: "NAME\nweb-1\n".into(),
                    format: Format::Text,
                    truncated: false,
                }),
            }
        }
    }

    fn session(lines: &[&str]) -> Vec<Value> {
        let mut out = Vec::new();
        let input = lines.join("\n");
        serve(&Fake, 4096, Cursor::new(input), &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).expect("every line of stdout is one JSON message"))
            .collect()
    }

    #[test]
    fn initialize_answers_the_clients_version_when_supported_else_ours() {
        for (asked, answered) in [
            ("2025-06-18", "2025-06-18"),
            ("2025-11-25", "2025-11-25"),
            ("2026-07-28", "2026-07-28"),
            ("2024-11-05", "2026-07-28"),
            ("tomorrow", "2026-07-28"),
        ] {
            let init = format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"{asked}","capabilities":{{}},"clientInfo":{{"name":"t","version":"1"}}}}}}"#
            );
            let out = session(&[&init]);
            assert_eq!(out[0]["result"]["protocolVersion"], answered, "{asked}");
            assert_eq!(
                out[0]["result"]["capabilities"],
                json!({"tools": {"listChanged": false}})
            );
            assert_eq!(out[0]["result"]["serverInfo"]["name"], "kubeglass");
        }
        let out = session(&[r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#]);
        assert_eq!(out[0]["error"]["code"], jsonrpc::INVALID_PARAMS);
    }

    #[test]
    fn a_session_answers_requests_in_order_and_never_notifications() {
        let out = session(&[
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            "",
            r#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get","arguments":{"resource":"pods"}}}"#,
            r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get","arguments":{"resource":"pods","namespace":"kube-system"}}}"#,
            r#"{"jsonrpc":"2.0","id":5,"method":"resources/list"}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}"#,
            r#"{"jsonrpc":"2.0","id":9,"result":{}}"#,
            "not json",
            r#"[{"jsonrpc":"2.0","id":6,"method":"ping"}]"#,
            r#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#,
        ]);
        let ids: Vec<&Value> = out.iter().map(|m| &m["id"]).collect();
        assert_eq!(
            ids,
            [
                &json!(1),
                &json!("p"),
                &json!(2),
                &json!(3),
                &json!(4),
                &json!(5),
                &Value::Null,
                &Value::Null,
                &json!(7)
            ],
            "{out:?}"
        );
        assert_eq!(out[1]["result"], json!({}));
        assert_eq!(out[2]["result"]["tools"].as_array().map(Vec::len), Some(10));
        assert_eq!(out[3]["result"]["content"][0]["text"], "NAME\nweb-1\n");
        assert_eq!(out[3]["result"]["isError"], false);
        assert_eq!(out[4]["result"]["isError"], true);
        assert!(
            out[4]["result"]["content"][0]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("OutOfScope: ")),
            "{}",
            out[4]
        );
        assert_eq!(out[5]["error"]["code"], jsonrpc::METHOD_NOT_FOUND);
        assert_eq!(out[6]["error"]["code"], jsonrpc::PARSE_ERROR);
        assert_eq!(out[7]["error"]["code"], jsonrpc::INVALID_REQUEST);
        assert!(out.iter().all(|m| m["jsonrpc"] == "2.0"));
    }
}
