//! `kubeglass mcp`: the read operations as a Model Context Protocol server over stdio, for
//! local AI tools (Claude Desktop and Code, Cursor, VS Code, Zed, agent frameworks).
//!
//! - [`jsonrpc`] — framing: one JSON-RPC 2.0 message per line, bounded, classified.
//! - [`tools`] — one tool per op; a call's arguments are the JSON command form.
//! - this file — protocol revisions, lifecycle and the loop.
//!
//! **Two eras of MCP, one stateless server.** Revisions 2025-06-18 and 2025-11-25 open with
//! an `initialize` handshake that settles the version. Revision 2026-07-28 dropped the
//! handshake: every request names its version in `params._meta`
//! (`io.modelcontextprotocol/protocolVersion`, with `…/clientCapabilities`), clients probe
//! `server/discover`, and results carry `resultType` (and cache hints on lists). kubeglass
//! keeps no session state, so each request is simply served in the revision it names: with
//! the envelope, as 2026-07-28 (an unsupported version there is answered -32022 with the
//! supported list); without it, as the handshake revision. `initialize` only negotiates
//! handshake revisions (2026-07-28 has no handshake), answering the client's when it is one
//! of ours, else 2025-11-25.
//!
//! **Sequential by design.** Messages are read, handled and answered one at a time on the
//! calling thread: there is no shared state to guard, answers cannot interleave on stdout,
//! and memory is bounded by one message and one result. A local assistant waits for each
//! tool result anyway; a slow call delays the next message by at most `--command-timeout`.
//! Because each request is answered before the next line is read, a
//! `notifications/cancelled` always arrives after its request was answered and is ignored.
//!
//! stdout carries protocol messages only; logs go to stderr. End of input ends the server.

use std::io::{self, BufRead, Write};
use std::time::Duration;

use serde_json::{Value, json};

use crate::ops::Executor;

pub mod fleet;
pub mod jsonrpc;
pub mod tools;

use jsonrpc::{Message, RpcError};

/// Revisions negotiated with the `initialize` handshake, newest first (the first is the
/// counter-offer to a client asking for one we do not speak).
pub const HANDSHAKE_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18"];
/// Revisions served per request through the `_meta` envelope (no handshake).
pub const ENVELOPE_VERSIONS: &[&str] = &["2026-07-28"];

/// `_meta` key of a 2026-07-28 request's protocol version.
const PROTOCOL_VERSION_KEY: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key of a 2026-07-28 request's client capabilities (required with the version).
const CLIENT_CAPABILITIES_KEY: &str = "io.modelcontextprotocol/clientCapabilities";
/// `_meta` key of the server's identity on 2026-07-28 results.
const SERVER_INFO_KEY: &str = "io.modelcontextprotocol/serverInfo";
/// How long a client may cache the tool list and discovery result (they never change while
/// the process runs; `private`: they reflect this operator's settings).
const LIST_TTL_MS: u64 = 3_600_000;

/// What the server tells the model about itself.
const INSTRUCTIONS: &str = "Read-only access to one Kubernetes cluster, limited to the \
namespaces and types the operator allowed. Start with the triage tool; each finding names the \
next call. Answers are compact text cut at a byte budget: a cut answer ends with a line saying \
what was left out and how to narrow the call. Secret values are never shown; credentials in \
logs and objects are redacted.";

/// The longest the handshake's `scope` probe may take (see [`scoped_instructions`]).
const HANDSHAKE_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// What the tools read: one cluster through an executor, or a fleet (`--fleet`), where every
/// tool takes a `cluster`.
#[derive(Clone, Copy)]
pub enum Backend<'a> {
    /// The cluster of the operator's kubeconfig flags, and the namespaces its calls may name.
    Local(&'a dyn Executor, &'a Reach),
    /// The clusters of a fleet file.
    Fleet(&'a crate::fleet::Fleet),
}

/// What the server tells the model about itself over a fleet.
const FLEET_INSTRUCTIONS: &str = "Read-only access to several Kubernetes clusters, each \
limited to what its operator allowed. Every tool takes a cluster argument; the clusters tool \
lists them with what each agent last reported. Start with the triage tool on the cluster in \
question; each finding names the next call. Answers are compact text cut at a byte budget. \
Secret values are never shown; credentials in logs and objects are redacted.";

/// Which namespaces a local server's calls may name and which one a call without a namespace
/// reads: the model is told both up front, in `instructions` and in every tool's `namespace`
/// description, from the settings alone — so it knows them even when the handshake's `scope`
/// probe cannot reach the API, and before it spends a call on an `OutOfScope` answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    /// The operator's allowed namespaces (`--namespaces`), sorted; `None`: every namespace.
    pub namespaces: Option<Vec<String>>,
    /// The namespace a call without one reads (the kubeconfig context's, or the pod's).
    pub default_namespace: String,
}

impl Reach {
    /// The allowed namespaces as the model reads them: `only a, b`, or `every namespace`.
    fn allowed(&self) -> String {
        match &self.namespaces {
            Some(list) => format!("only {}", list.join(", ")),
            None => "every namespace the server's identity may read".to_string(),
        }
    }

    /// The default namespace, and what it means when it is outside the allowed ones.
    fn default_said(&self) -> String {
        let ns = &self.default_namespace;
        match &self.namespaces {
            Some(list) if !list.contains(ns) => format!(
                "{ns}, which is outside the allowed namespaces: name one of them in every call"
            ),
            _ => ns.clone(),
        }
    }

    /// The lines of `instructions` that say it.
    fn instructions(&self) -> String {
        let all = match &self.namespaces {
            Some(list) => format!("; all_namespaces means {}", list.join(", ")),
            None => String::new(),
        };
        format!(
            "Namespaces: {} (any other is refused OutOfScope before a request{all}).\n\
             Default namespace (a call without namespace): {}.",
            self.allowed(),
            self.default_said()
        )
    }

    /// What a tool's `namespace` description adds.
    pub fn namespace_note(&self) -> String {
        format!(
            "Allowed here: {}; default namespace here: {}.",
            self.allowed(),
            self.default_said()
        )
    }
}

/// The operator's bounds on every tool call.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Each result is cut at this many bytes (a call may ask for less).
    pub max_output_bytes: usize,
    /// Each call runs within this long (`--command-timeout`), then answers `Timeout`.
    pub call_timeout: Duration,
}

/// Serve MCP on `input`/`output` until end of input, each call within `limits`. Only an I/O
/// error on the streams ends it early.
pub fn serve(
    backend: Backend,
    limits: Limits,
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
                match handle(backend, limits, &method, params.as_ref()) {
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

/// Which era a request is served in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Era {
    /// 2025-06-18 / 2025-11-25: the version was settled by `initialize`.
    Handshake,
    /// 2026-07-28: the request carries its version in `_meta`.
    Envelope,
}

/// The era of a request: the envelope's when its `_meta` names a protocol version (which
/// must then be one we serve), else the handshake's. `initialize` is always the handshake.
fn era(method: &str, params: Option<&Value>) -> Result<Era, RpcError> {
    let meta = params.and_then(|p| p.get("_meta"));
    let Some(version) = meta.and_then(|m| m.get(PROTOCOL_VERSION_KEY)) else {
        return Ok(Era::Handshake);
    };
    if method == "initialize" {
        return Ok(Era::Handshake);
    }
    let Some(version) = version.as_str() else {
        return Err(RpcError::invalid_params(format!(
            "_meta.{PROTOCOL_VERSION_KEY} must be a string"
        )));
    };
    if meta.and_then(|m| m.get(CLIENT_CAPABILITIES_KEY)).is_none() {
        return Err(RpcError::invalid_params(format!(
            "params._meta is missing the required {CLIENT_CAPABILITIES_KEY}"
        )));
    }
    if !ENVELOPE_VERSIONS.contains(&version) {
        let mut e = RpcError::new(
            jsonrpc::UNSUPPORTED_PROTOCOL_VERSION,
            "Unsupported protocol version",
        );
        e.data = Some(json!({"supported": ENVELOPE_VERSIONS, "requested": version}));
        return Err(e);
    }
    Ok(Era::Envelope)
}

/// The result of request `method`.
fn handle(
    backend: Backend,
    limits: Limits,
    method: &str,
    params: Option<&Value>,
) -> Result<Value, RpcError> {
    let era = era(method, params)?;
    let mut result = match method {
        "initialize" => initialize(backend, params)?,
        "server/discover" => discover(backend),
        "ping" => json!({}),
        "tools/list" => match backend {
            Backend::Local(_, reach) => tools::list_within(reach),
            Backend::Fleet(f) => fleet::list(f),
        },
        "tools/call" => match backend {
            Backend::Local(exec, _) => tools::call(exec, limits, params)?,
            Backend::Fleet(f) => fleet::call(f, limits, params)?,
        },
        other => {
            return Err(RpcError::new(
                jsonrpc::METHOD_NOT_FOUND,
                format!("method {other:?} not found (this server offers tools only)"),
            ));
        }
    };
    // A local server says what it can see (a fleet's agents each answer `scope`).
    if let ("initialize" | "server/discover", Backend::Local(exec, reach)) = (method, backend) {
        result["instructions"] = json!(scoped_instructions(exec, reach, limits));
    }
    // Discovery only exists in the envelope era, whatever the request carried.
    if era == Era::Envelope || method == "server/discover" {
        stamp(
            &mut result,
            matches!(method, "tools/list" | "server/discover"),
        );
    }
    Ok(result)
}

/// `instructions`: what the server is, its namespaces from the settings ([`Reach`]), then
/// what this agent can see — the `scope` op, run at each handshake within the call limits —
/// so a model starts knowing its reach instead of learning it from Forbidden and OutOfScope
/// answers.
fn scoped_instructions(exec: &dyn Executor, reach: &Reach, limits: Limits) -> String {
    let head = format!("{INSTRUCTIONS}\n\n{}", reach.instructions());
    // A short deadline of its own: a client waits for the handshake, and an API that does
    // not answer would otherwise hold it for the whole call timeout (retries included).
    let bounds = crate::ops::Bounds {
        max_output_bytes: limits.max_output_bytes,
        command_timeout: limits.call_timeout.min(HANDSHAKE_PROBE_TIMEOUT),
    };
    let scope = Ok(crate::command::Command::new(crate::command::Op::Scope));
    match crate::ops::run_command(exec, scope, None, bounds) {
        Ok(out) => {
            // The probe's own deadline is not what a tool call gets: say the call's.
            let text: Vec<String> = out
                .text
                .lines()
                .map(|l| match l.starts_with("command deadline: ") {
                    true => format!("command deadline: {}s", limits.call_timeout.as_secs()),
                    false => l.to_string(),
                })
                .collect();
            format!(
                "{head}\n\nWhat this server can see (the scope tool answers again):\n{}\n",
                text.join("\n")
            )
        }
        Err(e) => format!(
            "{head}\n\n(What this server can see could not be probed at start: {}: {}; \
             the scope tool tries again.)",
            e.code, e.message
        ),
    }
}

/// Who we are, as `serverInfo` says it.
fn server_info() -> Value {
    json!({"name": "kubeglass", "title": "kubeglass", "version": env!("CARGO_PKG_VERSION")})
}

/// What the server offers: tools, from a list that never changes.
fn capabilities() -> Value {
    json!({"tools": {"listChanged": false}})
}

/// The fields a 2026-07-28 result carries: `resultType`, our identity in `_meta`, and for
/// lists cache hints.
fn stamp(result: &mut Value, cacheable: bool) {
    result["resultType"] = json!("complete");
    result["_meta"] = json!({ SERVER_INFO_KEY: server_info() });
    if cacheable {
        result["ttlMs"] = json!(LIST_TTL_MS);
        result["cacheScope"] = json!("private");
    }
}

/// `initialize`: the client's handshake revision when we speak it, else our newest; the
/// capabilities and who we are.
fn initialize(backend: Backend, params: Option<&Value>) -> Result<Value, RpcError> {
    let asked = params
        .and_then(|p| p.get("protocolVersion"))
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("initialize needs params.protocolVersion"))?;
    let version = HANDSHAKE_VERSIONS
        .iter()
        .find(|v| **v == asked)
        .unwrap_or(&HANDSHAKE_VERSIONS[0]);
    Ok(json!({
        "protocolVersion": version,
        "capabilities": capabilities(),
        "serverInfo": server_info(),
        "instructions": instructions(backend),
    }))
}

/// `server/discover` (2026-07-28): the envelope revisions we serve, capabilities, identity.
fn discover(backend: Backend) -> Value {
    json!({
        "supportedVersions": ENVELOPE_VERSIONS,
        "capabilities": capabilities(),
        "serverInfo": server_info(),
        "instructions": instructions(backend),
    })
}

/// The instructions for `backend`'s tools.
fn instructions(backend: Backend) -> &'static str {
    match backend {
        Backend::Local(..) => INSTRUCTIONS,
        Backend::Fleet(_) => FLEET_INSTRUCTIONS,
    }
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
                _ => Ok(Output::plain("NAME\nweb-1\n".into(), Format::Text, false)),
            }
        }
    }

    fn session(lines: &[&str]) -> Vec<Value> {
        let mut out = Vec::new();
        let input = lines.join("\n");
        let limits = Limits {
            max_output_bytes: 4096,
            call_timeout: Duration::from_secs(60),
        };
        let reach = Reach::default();
        serve(
            Backend::Local(&Fake, &reach),
            limits,
            Cursor::new(input),
            &mut out,
        )
        .unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).expect("every line of stdout is one JSON message"))
            .collect()
    }

    /// Answers `scope` with its op name, and fails everything else.
    struct ScopeOnly;

    impl Executor for ScopeOnly {
        fn execute(&self, cmd: &Command, max: usize, d: Option<Instant>) -> Result<Output> {
            assert!(d.is_some(), "the probe runs within the call deadline");
            match cmd.op {
                crate::command::Op::Scope => Ok(Output::text(format!(
                    "namespaces: only shop ({max})\ncommand deadline: 5s\n"
                ))),
                _ => Err(Error::new(Code::Forbidden, "no")),
            }
        }
    }

    #[test]
    fn the_handshake_instructions_say_what_this_server_can_see() {
        let limits = Limits {
            max_output_bytes: 4096,
            call_timeout: Duration::from_secs(60),
        };
        let params = json!({"protocolVersion": "2025-06-18"});
        let r = handle(
            Backend::Local(&ScopeOnly, &Reach::default()),
            limits,
            "initialize",
            Some(&params),
        )
        .unwrap();
        let text = r["instructions"].as_str().unwrap();
        assert!(text.starts_with(INSTRUCTIONS), "{text}");
        assert!(
            text.ends_with("namespaces: only shop (4096)\ncommand deadline: 60s\n"),
            "{text}"
        );
        let r = handle(
            Backend::Local(&Fake, &Reach::default()),
            limits,
            "initialize",
            Some(&params),
        )
        .unwrap();
        assert!(r["instructions"].as_str().unwrap().contains("NAME"));
    }

    #[test]
    fn instructions_and_namespace_descriptions_name_the_allowed_and_default_namespaces() {
        let limits = Limits {
            max_output_bytes: 4096,
            call_timeout: Duration::from_secs(60),
        };
        let shop = Reach {
            namespaces: Some(vec!["payments".into(), "shop".into()]),
            default_namespace: "shop".into(),
        };
        let params = json!({"protocolVersion": "2025-06-18"});
        // Said from the settings: also when the scope probe fails (ScopeOnly refuses the rest,
        // and Fake's answer is no scope at all).
        for exec in [&Fake as &dyn Executor, &ScopeOnly] {
            let r = handle(
                Backend::Local(exec, &shop),
                limits,
                "initialize",
                Some(&params),
            );
            let text = r.unwrap()["instructions"].as_str().unwrap().to_string();
            assert!(
                text.contains("Namespaces: only payments, shop (any other is refused OutOfScope")
                    && text.contains(
                        "all_namespaces means payments, shop).\nDefault namespace (a call \
                         without namespace): shop.\n"
                    ),
                "{text}"
            );
        }
        let list = handle(Backend::Local(&Fake, &shop), limits, "tools/list", None).unwrap();
        let mut with_namespace = 0;
        for t in list["tools"].as_array().unwrap() {
            let props = &t["inputSchema"]["properties"];
            if let Some(d) = props["namespace"]["description"].as_str() {
                with_namespace += 1;
                assert!(
                    d.ends_with("Allowed here: only payments, shop; default namespace here: shop."),
                    "{}: {d}",
                    t["name"]
                );
            }
            if let Some(d) = props["all_namespaces"]["description"].as_str() {
                assert!(d.ends_with("Here: payments, shop."), "{}: {d}", t["name"]);
            }
        }
        assert!(
            with_namespace >= 12,
            "{with_namespace} tools take a namespace"
        );
        // A default outside the allowed namespaces is said to be so.
        let outside = Reach {
            default_namespace: "default".into(),
            ..shop
        };
        let r = handle(
            Backend::Local(&Fake, &outside),
            limits,
            "initialize",
            Some(&params),
        );
        let text = r.unwrap()["instructions"].as_str().unwrap().to_string();
        assert!(
            text.contains(
                "Default namespace (a call without namespace): default, which is \
                 outside the allowed namespaces: name one of them in every call."
            ),
            "{text}"
        );
        let every = Reach {
            namespaces: None,
            default_namespace: "default".into(),
        };
        let list = handle(Backend::Local(&Fake, &every), limits, "tools/list", None).unwrap();
        let tools = list["tools"].as_array().unwrap();
        let get = tools.iter().find(|t| t["name"] == "get").unwrap();
        let d = get["inputSchema"]["properties"]["namespace"]["description"].as_str();
        assert!(
            d.unwrap().ends_with(
                "Allowed here: every namespace the server's identity may read; default \
                 namespace here: default."
            ),
            "{d:?}"
        );
    }

    #[test]
    fn initialize_answers_the_clients_version_when_supported_else_ours() {
        for (asked, answered) in [
            ("2025-06-18", "2025-06-18"),
            ("2025-11-25", "2025-11-25"),
            // 2026-07-28 has no handshake: a client that sends one gets our newest that has.
            ("2026-07-28", "2025-11-25"),
            ("2024-11-05", "2025-11-25"),
            ("tomorrow", "2025-11-25"),
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

    /// A request line in the 2026-07-28 form: its version and capabilities in `_meta`.
    fn enveloped(id: u64, method: &str, version: &str, mut params: Value) -> String {
        params["_meta"] = json!({
            PROTOCOL_VERSION_KEY: version,
            CLIENT_CAPABILITIES_KEY: {},
            "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
        });
        json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
    }

    #[test]
    fn requests_naming_2026_07_28_in_meta_are_served_without_a_handshake() {
        let out = session(&[
            &enveloped(1, "server/discover", "2026-07-28", json!({})),
            &enveloped(2, "tools/list", "2026-07-28", json!({})),
            &enveloped(3, "tools/call", "2026-07-28", json!({"name": "get", "arguments": {"resource": "pods"}})),
            &enveloped(4, "tools/call", "2099-01-01", json!({"name": "get", "arguments": {"resource": "pods"}})),
            &json!({"jsonrpc": "2.0", "id": 5, "method": "tools/list", "params": {"_meta": {PROTOCOL_VERSION_KEY: "2026-07-28"}}}).to_string(),
            r#"{"jsonrpc":"2.0","id":6,"method":"tools/list"}"#,
        ]);
        let discover = &out[0]["result"];
        assert_eq!(discover["supportedVersions"], json!(["2026-07-28"]));
        assert_eq!(
            discover["capabilities"],
            json!({"tools": {"listChanged": false}})
        );
        assert_eq!(discover["resultType"], "complete");
        assert_eq!(discover["_meta"][SERVER_INFO_KEY]["name"], "kubeglass");
        let list = &out[1]["result"];
        assert_eq!(list["tools"].as_array().map(Vec::len), Some(16));
        assert_eq!(
            (&list["resultType"], &list["cacheScope"]),
            (&json!("complete"), &json!("private"))
        );
        assert!(list["ttlMs"].as_u64().is_some(), "{list}");
        let call = &out[2]["result"];
        assert_eq!(
            (&call["resultType"], &call["isError"]),
            (&json!("complete"), &json!(false))
        );
        assert!(
            call.get("ttlMs").is_none(),
            "a tool result is not cacheable"
        );
        let unsupported = &out[3]["error"];
        assert_eq!(unsupported["code"], jsonrpc::UNSUPPORTED_PROTOCOL_VERSION);
        assert_eq!(
            unsupported["data"],
            json!({"supported": ["2026-07-28"], "requested": "2099-01-01"})
        );
        assert_eq!(
            out[4]["error"]["code"],
            jsonrpc::INVALID_PARAMS,
            "capabilities are required"
        );
        assert!(
            out[5]["result"].get("resultType").is_none(),
            "handshake-era results stay as they were"
        );
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
        assert_eq!(out[2]["result"]["tools"].as_array().map(Vec::len), Some(16));
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
