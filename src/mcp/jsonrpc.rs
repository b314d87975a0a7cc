//! JSON-RPC 2.0 framing for MCP's stdio transport: one message per line, read through a
//! bounded buffer, classified as request, notification or (ignored) response; answers and
//! errors written back as one line each.
//!
//! Everything a client can get wrong is an error value here, never a panic or an exit: a line
//! over [`MAX_MESSAGE_BYTES`], bytes that are not UTF-8 or text that is not JSON get a parse
//! error (-32700), a batch array or a message without `jsonrpc: "2.0"` and a method gets an
//! invalid request error (-32600), and the server reads the next line.

use std::io::{self, BufRead, Write};

use serde_json::{Value, json};

/// The longest message read (1 MiB): an MCP client's requests are small; a longer line is
/// read through to its newline without being held, and answered with a parse error.
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// JSON-RPC's "Parse error": the line is not one JSON text.
pub const PARSE_ERROR: i64 = -32700;
/// JSON-RPC's "Invalid Request": JSON, but not a request object.
pub const INVALID_REQUEST: i64 = -32600;
/// JSON-RPC's "Method not found".
pub const METHOD_NOT_FOUND: i64 = -32601;
/// JSON-RPC's "Invalid params".
pub const INVALID_PARAMS: i64 = -32602;
/// MCP 2026-07-28: the request's `_meta` names a protocol version this server does not serve.
pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;

/// A JSON-RPC error object: a code from the constants above and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcError {
    /// The JSON-RPC error code.
    pub code: i64,
    /// What was wrong, for the client's log.
    pub message: String,
    /// Details a client acts on (the supported versions of an unsupported one).
    pub data: Option<Value>,
}

impl RpcError {
    /// An error of `code` with `message`.
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Shorthand for [`INVALID_PARAMS`].
    pub fn invalid_params(message: impl Into<String>) -> RpcError {
        RpcError::new(INVALID_PARAMS, message)
    }
}

/// One message from the client, classified.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A request: it gets exactly one answer with its `id`.
    Request {
        /// The client's id (a string or an integer), echoed in the answer.
        id: Value,
        /// The method name.
        method: String,
        /// The params, when sent (an object or an array).
        params: Option<Value>,
    },
    /// A notification (no `id`): never answered.
    Notification {
        /// The method name.
        method: String,
    },
    /// A response to a request of ours; this server sends none, so it is dropped.
    Response,
}

/// A message that cannot be served: the answer to send (`id` is `null` when it could not be
/// read).
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    /// The request's id, or `null`.
    pub id: Value,
    /// Why.
    pub error: RpcError,
}

fn refused(id: Value, code: i64, message: impl Into<String>) -> Refused {
    Refused {
        id,
        error: RpcError::new(code, message),
    }
}

/// Read the next line of `input` into `buf`, keeping at most [`MAX_MESSAGE_BYTES`] + 1 of its
/// bytes. Returns its full length, `None` at end of input.
pub fn read_message(input: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Option<usize>> {
    crate::lines::read_bounded(input, MAX_MESSAGE_BYTES + 1, buf)
}

/// Classify one line (`kept` its kept bytes, `len` its full length).
pub fn parse(kept: &[u8], len: usize) -> Result<Message, Refused> {
    if len > MAX_MESSAGE_BYTES {
        return Err(refused(
            Value::Null,
            PARSE_ERROR,
            format!(
                "message is {len} bytes; the limit is {} KiB",
                MAX_MESSAGE_BYTES / 1024
            ),
        ));
    }
    let text = std::str::from_utf8(kept).map_err(|e| {
        refused(
            Value::Null,
            PARSE_ERROR,
            format!(
                "message is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })?;
    let v: Value = serde_json::from_str(text).map_err(|e| {
        refused(
            Value::Null,
            PARSE_ERROR,
            format!("message is not JSON: {e}"),
        )
    })?;
    classify(v)
}

/// Request, notification or response, from a parsed JSON value.
fn classify(v: Value) -> Result<Message, Refused> {
    let Value::Object(mut obj) = v else {
        let what = if v.is_array() {
            "batches (JSON arrays) are not supported: send one message per line"
        } else {
            "a message must be a JSON object"
        };
        return Err(refused(Value::Null, INVALID_REQUEST, what));
    };
    let id = match obj.remove("id") {
        None => None,
        Some(id @ Value::String(_)) => Some(id),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Some(Value::Number(n)),
        Some(_) => {
            return Err(refused(
                Value::Null,
                INVALID_REQUEST,
                "id must be a string or an integer",
            ));
        }
    };
    let id_or_null = id.clone().unwrap_or(Value::Null);
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(refused(
            id_or_null,
            INVALID_REQUEST,
            "jsonrpc must be \"2.0\"",
        ));
    }
    let method = match obj.remove("method") {
        Some(Value::String(m)) => m,
        None if obj.contains_key("result") || obj.contains_key("error") => {
            return Ok(Message::Response);
        }
        _ => {
            return Err(refused(
                id_or_null,
                INVALID_REQUEST,
                "method must be a string",
            ));
        }
    };
    let params = match obj.remove("params") {
        None => None,
        Some(p @ (Value::Object(_) | Value::Array(_))) => Some(p),
        Some(_) => {
            return Err(refused(
                id_or_null,
                INVALID_REQUEST,
                "params must be an object",
            ));
        }
    };
    Ok(match id {
        Some(id) => Message::Request { id, method, params },
        None => Message::Notification { method },
    })
}

/// The success answer to request `id`.
pub fn result(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// The error answer to request `id` (`null` when unknown).
pub fn error(id: &Value, e: &RpcError) -> Value {
    let mut error = json!({"code": e.code, "message": e.message});
    if let Some(data) = &e.data {
        error["data"] = data.clone();
    }
    json!({"jsonrpc": "2.0", "id": id, "error": error})
}

/// Write one message as one line (JSON escapes every newline inside strings) and flush it,
/// so the client sees it at once.
pub fn write(output: &mut impl Write, msg: &Value) -> io::Result<()> {
    writeln!(output, "{msg}")?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Result<Message, Refused> {
        parse(s.as_bytes(), s.len())
    }

    fn code(s: &str) -> (Value, i64) {
        let r = line(s).unwrap_err();
        (r.id, r.error.code)
    }

    #[test]
    fn requests_notifications_and_responses_are_told_apart() {
        assert_eq!(
            line(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).unwrap(),
            Message::Request {
                id: json!(1),
                method: "ping".into(),
                params: None
            }
        );
        assert_eq!(
            line(r#"{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"get"}}"#)
                .unwrap(),
            Message::Request {
                id: json!("a"),
                method: "tools/call".into(),
                params: Some(json!({"name": "get"}))
            }
        );
        assert_eq!(
            line(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).unwrap(),
            Message::Notification {
                method: "notifications/initialized".into()
            }
        );
        assert_eq!(
            line(r#"{"jsonrpc":"2.0","id":7,"result":{}}"#).unwrap(),
            Message::Response
        );
    }

    #[test]
    fn broken_lines_are_parse_errors_without_an_id() {
        assert_eq!(code("{"), (Value::Null, PARSE_ERROR));
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1,"method":"ping""#),
            (Value::Null, PARSE_ERROR)
        );
        let bad = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xffing\"}";
        assert_eq!(parse(bad, bad.len()).unwrap_err().error.code, PARSE_ERROR);
    }

    #[test]
    fn a_line_over_the_limit_is_a_parse_error_and_the_next_line_is_read() {
        let huge = 2 * 1024 * 1024;
        let mut input = vec![b'x'; huge];
        input.extend_from_slice(b"\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n");
        let mut src = io::Cursor::new(input);
        let mut buf = Vec::new();
        let len = read_message(&mut src, &mut buf).unwrap().unwrap();
        assert_eq!(len, huge);
        assert_eq!(buf.len(), MAX_MESSAGE_BYTES + 1, "only the head is kept");
        let r = parse(&buf, len).unwrap_err();
        assert_eq!((r.id, r.error.code), (Value::Null, PARSE_ERROR));
        assert!(r.error.message.contains("1024 KiB"), "{}", r.error.message);
        let len = read_message(&mut src, &mut buf).unwrap().unwrap();
        assert!(matches!(parse(&buf, len), Ok(Message::Request { .. })));
        assert_eq!(read_message(&mut src, &mut buf).unwrap(), None);
    }

    #[test]
    fn batches_and_malformed_requests_are_invalid_requests() {
        assert_eq!(
            code(r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#),
            (Value::Null, INVALID_REQUEST)
        );
        assert_eq!(code("42"), (Value::Null, INVALID_REQUEST));
        assert_eq!(
            code(r#"{"id":3,"method":"ping"}"#),
            (json!(3), INVALID_REQUEST)
        );
        assert_eq!(
            code(r#"{"jsonrpc":"1.0","id":"x","method":"ping"}"#),
            (json!("x"), INVALID_REQUEST)
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":4,"method":5}"#),
            (json!(4), INVALID_REQUEST)
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#),
            (Value::Null, INVALID_REQUEST)
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#),
            (Value::Null, INVALID_REQUEST)
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":5,"method":"ping","params":"x"}"#),
            (json!(5), INVALID_REQUEST)
        );
    }

    #[test]
    fn answers_are_one_line_each() {
        let mut out = Vec::new();
        write(&mut out, &result(&json!(1), json!({"text": "a\nb"}))).unwrap();
        write(
            &mut out,
            &error(&Value::Null, &RpcError::new(PARSE_ERROR, "x\ny")),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(
            lines[0],
            json!({"jsonrpc": "2.0", "id": 1, "result": {"text": "a\nb"}})
        );
        assert_eq!(lines[1]["error"]["code"], PARSE_ERROR);
        assert_eq!(lines[1]["id"], Value::Null);
    }
}
