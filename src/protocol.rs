//! Wire protocol v1 (docs/protocol.md): command messages in, result and heartbeat messages
//! out, large outputs gzip+base64'd when that is smaller and split into parts that each fit
//! the response queue's message size.

use std::io::Write;
use std::time::SystemTime;

use base64::Engine as _;
use serde::Serialize;
use serde_json::{Value, json};

use crate::command::{self, Command};
use crate::error::{Error, Result};
use crate::output::{Format, Output};
use crate::timefmt;

/// The protocol version this agent speaks.
pub const VERSION: u64 = 1;
/// Outputs at least this large are tried with gzip.
const GZIP_FROM: usize = 4096;
/// The largest command body accepted.
pub const MAX_COMMAND_BYTES: usize = 64 * 1024;

/// A command message, validated.
#[derive(Debug)]
pub struct Incoming {
    /// The backend's id, echoed in every response.
    pub id: String,
    /// The command, or why it is not one (answered as an error).
    pub command: Result<Command>,
    /// When the answer stops being useful.
    pub deadline: Option<SystemTime>,
}

/// Who answers (in every response and heartbeat).
#[derive(Debug, Clone, Serialize)]
pub struct AgentInfo {
    /// This agent's id (pod name or host name).
    pub id: String,
    /// `--cluster-name`.
    pub cluster: String,
    /// kubeglass version.
    pub version: String,
}

/// Whether `id` is 1–128 characters of `[A-Za-z0-9._:-]`.
pub fn valid_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Parse a command message. `Err` carries the id when it could be read (then the error is
/// answered), else the message can only be logged and dropped.
pub fn parse(body: &str) -> std::result::Result<Incoming, (Option<String>, Error)> {
    if body.len() > MAX_COMMAND_BYTES {
        return Err((
            None,
            Error::invalid(format!(
                "command message larger than {MAX_COMMAND_BYTES} bytes"
            )),
        ));
    }
    let v: Value = serde_json::from_str(body).map_err(|e| {
        let err = Error::invalid(format!("command message is not JSON: {e}"));
        (salvage_id(body), err)
    })?;
    let id = match v.get("id") {
        Some(Value::String(id)) if valid_id(id) => id.clone(),
        // Readable but invalid (`"a b"`, too long, `42`, `""`): answered anyway, with the id
        // echoed as sent (cut at ECHOED_ID_CHARS), so the backend's wait ends.
        Some(other @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => {
            let echoed = echo_id(other);
            let err = Error::invalid(format!(
                "id must be 1-128 characters of [A-Za-z0-9._:-]; got {echoed:?}"
            ));
            return Err((Some(echoed), err));
        }
        Some(_) => return Err((None, Error::invalid("id must be a string"))),
        None => return Err((None, Error::invalid("command message has no id"))),
    };
    let fail = |e: Error| Err((Some(id.clone()), e));
    if v.get("version").and_then(Value::as_u64) != Some(VERSION) {
        return fail(Error::invalid(format!(
            "unsupported protocol version {} (this agent speaks 1)",
            v.get("version").unwrap_or(&Value::Null)
        )));
    }
    let deadline = match v.get("deadline") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match timefmt::parse_rfc3339(s) {
            Some(t) => Some(t),
            None => return fail(Error::invalid(format!("deadline {s:?} is not RFC 3339"))),
        },
        Some(_) => return fail(Error::invalid("deadline must be an RFC 3339 string")),
    };
    let mut command = match (v.get("command"), v.get("kubectl")) {
        (Some(c), None) => command::parse_json(c),
        (None, Some(Value::String(line))) => command::parse_line(line),
        (None, Some(Value::Array(words))) => words
            .iter()
            .map(|w| {
                w.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::invalid("kubectl words must be strings"))
            })
            .collect::<Result<Vec<_>>>()
            .and_then(|w| command::parse_args(&w)),
        (Some(_), Some(_)) => Err(Error::invalid("give either command or kubectl, not both")),
        _ => Err(Error::invalid(
            "the message has neither command nor kubectl",
        )),
    };
    if let (Ok(cmd), Some(m)) = (command.as_mut(), v.get("max_output_bytes")) {
        match m.as_u64() {
            Some(n) if n >= 256 => {
                cmd.max_output_bytes = Some(
                    cmd.max_output_bytes
                        .map_or(n as usize, |c| c.min(n as usize)),
                )
            }
            _ => {
                command = Err(Error::invalid(
                    "max_output_bytes must be a number of at least 256",
                ))
            }
        }
    }
    Ok(Incoming {
        id,
        command,
        deadline,
    })
}

/// How much of an invalid id is echoed back.
pub const ECHOED_ID_CHARS: usize = 256;

/// An invalid id as the answer echoes it: a string as is, a number or boolean as its JSON
/// text, cut at [`ECHOED_ID_CHARS`] characters.
fn echo_id(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    s.chars().take(ECHOED_ID_CHARS).collect()
}

/// The `"id":"…"` of a body that is not valid JSON, when it can be read plainly, so that
/// even a broken message gets its `InvalidCommand` answer.
pub(crate) fn salvage_id(body: &str) -> Option<String> {
    let re = regex_lite::Regex::new(r#""id"\s*:\s*"([A-Za-z0-9._:-]{1,128})""#).ok()?;
    let mut ids = re.captures_iter(body).filter_map(|c| c.get(1));
    let id = ids.next()?.as_str();
    // Two different ids: no way to tell which is meant.
    ids.all(|other| other.as_str() == id)
        .then(|| id.to_string())
}

/// A fresh answer id ([`Result1::answer`]): 16 hex digits, unique per attempt to answer.
/// Random (std's per-process hash keys) mixed with the pid, the clock and a counter, so two
/// agents, two restarts of one, or two attempts of one process never share one.
pub(crate) fn answer_id() -> String {
    format!("{:016x}", unique_u64())
}

/// 64 bits no other call (in this process or another) is expected to repeat.
pub(crate) fn unique_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    h.write_u128(now);
    h.finish()
}

/// The fields of one result, before splitting.
#[derive(Clone, Copy)]
pub struct Result1<'a> {
    /// Command id.
    pub id: &'a str,
    /// This answer's id ([`answer_id`]): every part of one answer carries it, a second answer
    /// to the same command id (another agent, a restart, a re-split) carries another, so a
    /// backend keys parts by `(id, answer)` and never mixes two answers.
    pub answer: &'a str,
    /// What the command gave.
    pub result: &'a Result<Output>,
    /// Who answered.
    pub agent: &'a AgentInfo,
    /// How long it took.
    pub duration_ms: u64,
}

/// The response messages for a result, each at most `max_message_bytes` long.
pub fn result_messages(r: &Result1, max_message_bytes: usize) -> Vec<String> {
    let mut base = json!({"version": VERSION, "type": "result", "id": r.id, "answer": r.answer,
        "agent": r.agent, "duration_ms": r.duration_ms});
    let (text, format, truncated) = match r.result {
        Ok(out) => (out.text.as_str(), out.format, out.truncated),
        Err(e) => {
            base["status"] = json!("error");
            base["error"] = json!({"code": e.code, "message": e.message});
            // A partial result travels like an answer's output, in parts; without one the
            // output is empty, and every part still carries format, truncated and encoding
            // (docs/protocol.md: every part repeats them).
            match &e.partial {
                Some(partial) => (partial.as_str(), Format::Text, false),
                None => ("", Format::Text, false),
            }
        }
    };
    if r.result.is_ok() {
        base["status"] = json!("ok");
    }
    base["format"] = json!(format);
    base["truncated"] = json!(truncated);
    let (encoding, payload) = encode(text);
    base["encoding"] = json!(encoding);
    let template_len = {
        let mut t = base.clone();
        t["output"] = json!("");
        t["part"] = json!(99_999);
        t["parts"] = json!(99_999);
        t.to_string().len()
    };
    let room = max_message_bytes.saturating_sub(template_len).max(64);
    let chunks = split_escaped(&payload, room);
    let n = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut m = base.clone();
            m["output"] = json!(chunk);
            m["part"] = json!(i + 1);
            m["parts"] = json!(n);
            m.to_string()
        })
        .collect()
}

/// `identity` text, or `gzip+base64` when that is smaller.
pub fn encode(text: &str) -> (&'static str, String) {
    if text.len() < GZIP_FROM {
        return ("identity", text.to_string());
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let packed = gz.write_all(text.as_bytes()).and_then(|_| gz.finish());
    match packed {
        Ok(bytes) => {
            let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
            if b64.len() < text.len() {
                ("gzip+base64", b64)
            } else {
                ("identity", text.to_string())
            }
        }
        Err(_) => ("identity", text.to_string()),
    }
}

/// Split `s` at char boundaries so each piece, once JSON-escaped, takes at most `room` bytes.
pub fn split_escaped(s: &str, room: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cost = match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            c => c.len_utf8(),
        };
        if used + cost > room && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
            used = 0;
        }
        cur.push(c);
        used += cost;
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Join the `output` of parts 1..n (what a backend does), decoding gzip+base64.
pub fn join_parts(messages: &[Value]) -> std::result::Result<String, String> {
    let mut parts: Vec<&Value> = messages.iter().collect();
    parts.sort_by_key(|m| m.get("part").and_then(Value::as_u64).unwrap_or(0));
    let n = parts
        .first()
        .and_then(|m| m.get("parts"))
        .and_then(Value::as_u64)
        .unwrap_or(1) as usize;
    if parts.len() != n {
        return Err(format!("have {} of {n} parts", parts.len()));
    }
    let joined: String = parts
        .iter()
        .filter_map(|m| m.get("output").and_then(Value::as_str))
        .collect();
    match parts[0].get("encoding").and_then(Value::as_str) {
        Some("gzip+base64") => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(joined)
                .map_err(|e| e.to_string())?;
            gunzip_bounded(&bytes, MAX_RESULT_BYTES)
        }
        _ => Ok(joined),
    }
}

/// One command id's answers as a backend assembles them (docs/protocol.md, "Assembling
/// answers"): parts keyed by `(id, answer)`, a part seen twice kept once, and the first
/// answer whose parts `1..parts` all arrived is the answer. Two answers to one id (two
/// agents, a restart, a re-split) never mix, whatever order their parts arrive in.
#[derive(Debug, Default)]
pub struct Assembly {
    /// Answer id → parts by number, in order of first arrival.
    answers: Vec<(String, Vec<Option<Value>>)>,
    /// An answer is complete: everything after it is ignored.
    done: bool,
}

impl Assembly {
    /// Take one `result` message of this id; returns the answer's parts in order when this
    /// one completes it (and `None` after that: the first complete answer is the answer).
    pub fn add(&mut self, part: Value) -> Option<Vec<Value>> {
        let n = part.get("parts").and_then(Value::as_u64).unwrap_or(1) as usize;
        let i = part.get("part").and_then(Value::as_u64).unwrap_or(1) as usize;
        if self.done || n == 0 || i == 0 || i > n || n > MAX_PARTS {
            return None;
        }
        // An agent older than the answer id sent none: then `parts` is the best key there is.
        let key = match part.get("answer").and_then(Value::as_str) {
            Some(a) => a.to_string(),
            None => format!("parts={n}"),
        };
        let slot = match self.answers.iter().position(|(k, _)| *k == key) {
            Some(s) => s,
            None => {
                self.answers.push((key, vec![None; n]));
                self.answers.len() - 1
            }
        };
        let parts = &mut self.answers[slot].1;
        if parts.len() != n || parts[i - 1].is_some() {
            // A repeated part (a send retried after a lost reply) or a garbled count.
            return None;
        }
        parts[i - 1] = Some(part);
        if parts.iter().all(Option::is_some) {
            let done: Vec<Value> = parts.iter_mut().filter_map(Option::take).collect();
            // Complete once: later parts of any answer to this id are ignored.
            self.answers.clear();
            self.done = true;
            return Some(done);
        }
        None
    }
}

/// The most parts one answer can have ([`MAX_RESULT_BYTES`] in SQS's smallest messages),
/// so a garbled `parts` cannot make a backend allocate without bound.
pub const MAX_PARTS: usize = MAX_RESULT_BYTES / 256;

/// The largest result text kubeglass ever sends (`--max-output-bytes` goes no higher), and
/// so the most a backend decompresses of one: a few KiB of gzip can stand for gigabytes.
pub const MAX_RESULT_BYTES: usize = 64 * 1024 * 1024;

/// `gzip` decompressed, refused once it passes `limit` bytes (a gzip bomb stops there).
fn gunzip_bounded(gz: &[u8], limit: usize) -> std::result::Result<String, String> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    if out.len() > limit {
        return Err(format!(
            "the gzip output decompresses to more than {limit} bytes (the most a result holds); \
             refused"
        ));
    }
    String::from_utf8(out).map_err(|e| format!("the gzip output is not UTF-8: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    #[test]
    fn a_gzip_bomb_result_is_refused_at_the_result_limit() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..(MAX_RESULT_BYTES >> 20) + 1 {
            gz.write_all(&zeros).unwrap();
        }
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 1 << 20, "{} bytes of gzip", bomb.len());
        let part = json!({"type": "result", "id": "x", "part": 1, "parts": 1,
            "encoding": "gzip+base64",
            "output": base64::engine::general_purpose::STANDARD.encode(&bomb)});
        let err = join_parts(&[part]).unwrap_err();
        assert!(err.contains(&MAX_RESULT_BYTES.to_string()), "{err}");
    }

    fn agent() -> AgentInfo {
        AgentInfo {
            id: "a".into(),
            cluster: "c".into(),
            version: "0".into(),
        }
    }

    #[test]
    fn commands_in_three_forms() {
        for body in [
            r#"{"version":1,"id":"a1","kubectl":"get pods -n shop"}"#,
            r#"{"version":1,"id":"a1","kubectl":["get","pods","-n","shop"]}"#,
            r#"{"version":1,"id":"a1","command":{"op":"get","resource":"pods","namespace":"shop"}}"#,
        ] {
            let m = parse(body).unwrap();
            assert_eq!(m.id, "a1");
            assert_eq!(m.command.unwrap().namespace.as_deref(), Some("shop"));
        }
        let m = parse(r#"{"version":1,"id":"x","kubectl":"delete pod web"}"#).unwrap();
        assert_eq!(m.command.unwrap_err().code, Code::ReadOnly);
        let m = parse(r#"{"version":1,"id":"x","kubectl":"get pods","max_output_bytes":1000,"deadline":"2030-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(m.command.unwrap().max_output_bytes, Some(1000));
        assert!(m.deadline.is_some());
    }

    #[test]
    fn bad_messages_keep_their_id_when_readable() {
        assert_eq!(parse("not json").unwrap_err().0, None);
        let broken = parse(r#"{"version":1,"id":"b-1","kubectl":"get pods""#).unwrap_err();
        assert_eq!(
            (broken.0.as_deref(), broken.1.code),
            (Some("b-1"), Code::InvalidCommand)
        );
        assert_eq!(parse(r#"{"id":"a","id":"b",}"#).unwrap_err().0, None);
        assert_eq!(
            parse(r#"{"version":1,"kubectl":"get pods"}"#)
                .unwrap_err()
                .0,
            None
        );
        // Readable but invalid ids are answered, echoed as sent so the backend's wait ends.
        let long = "x".repeat(135);
        for (raw, echoed) in [
            (r#""edge bad id""#.to_string(), "edge bad id".to_string()),
            (format!("{long:?}"), long.clone()),
            ("42".to_string(), "42".to_string()),
            (r#""""#.to_string(), String::new()),
        ] {
            let body = format!(r#"{{"version":1,"id":{raw},"kubectl":"get pods"}}"#);
            let (id, err) = parse(&body).unwrap_err();
            assert_eq!(id.as_deref(), Some(echoed.as_str()), "{body}");
            assert_eq!(err.code, Code::InvalidCommand);
        }
        assert_eq!(
            parse(r#"{"version":1,"id":{"x":1},"kubectl":"get pods"}"#)
                .unwrap_err()
                .0,
            None
        );
        assert_eq!(
            parse(r#"{"version":2,"id":"v2","kubectl":"get pods"}"#)
                .unwrap_err()
                .0
                .as_deref(),
            Some("v2")
        );
        assert_eq!(
            parse(r#"{"version":1,"id":"d","kubectl":"get pods","deadline":"soon"}"#)
                .unwrap_err()
                .0
                .as_deref(),
            Some("d")
        );
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse(&format!(r#"{{"version":1,"id":"x","command":{deep}}}"#)).is_err());
        assert!(parse(&"x".repeat(MAX_COMMAND_BYTES + 1)).is_err());
        assert!(
            parse(r#"{"version":1,"id":"n","kubectl":[1,2]}"#)
                .unwrap()
                .command
                .is_err()
        );
    }

    #[test]
    fn a_partial_result_travels_with_its_error() {
        let err = Error::new(Code::NotFound, "pods \"a\" not found")
            .with_partial("NAME   READY\nb      1/1\n".into());
        let msgs = result_messages(
            &Result1 {
                id: "p",
                answer: "a1",
                result: &Err(err),
                agent: &agent(),
                duration_ms: 1,
            },
            65_536,
        );
        let v: Value = serde_json::from_str(&msgs[0]).unwrap();
        assert_eq!(
            (v["status"].as_str(), v["error"]["code"].as_str()),
            (Some("error"), Some("NotFound"))
        );
        assert_eq!(join_parts(&[v]).unwrap(), "NAME   READY\nb      1/1\n");
    }

    #[test]
    fn big_outputs_split_under_the_limit_and_join_back() {
        let text: String = (0..40_000)
            .map(|i| format!("line {i} \"quoted\"\t\u{1}é\n"))
            .collect();
        for max in [4096, 65_536, 262_144] {
            let out = Ok(Output::plain(text.clone(), Format::Text, false));
            let msgs = result_messages(
                &Result1 {
                    id: "big",
                    answer: "a1",
                    result: &out,
                    agent: &agent(),
                    duration_ms: 5,
                },
                max,
            );
            assert!(
                msgs.len() > 1 || max == 262_144,
                "{max}: {} parts",
                msgs.len()
            );
            assert!(msgs.iter().all(|m| m.len() <= max), "{max}");
            let values: Vec<Value> = msgs
                .iter()
                .map(|m| serde_json::from_str(m).unwrap())
                .collect();
            assert_eq!(join_parts(&values).unwrap(), text);
        }
        let random: String = (0..20_000u32)
            .map(|i| char::from_u32(0x20 + (i * 7919) % 0x5000).unwrap_or('x'))
            .collect();
        let out = Ok(Output::plain(random.clone(), Format::Text, true));
        let msgs = result_messages(
            &Result1 {
                id: "r",
                answer: "a1",
                result: &out,
                agent: &agent(),
                duration_ms: 1,
            },
            8192,
        );
        let values: Vec<Value> = msgs
            .iter()
            .map(|m| serde_json::from_str(m).unwrap())
            .collect();
        assert!(msgs.iter().all(|m| m.len() <= 8192));
        assert_eq!(join_parts(&values).unwrap(), random);
        assert_eq!(values[0]["truncated"], true);
    }

    #[test]
    fn errors_are_one_message() {
        let r: Result<Output> = Err(Error::new(Code::ReadOnly, "no"));
        let msgs = result_messages(
            &Result1 {
                id: "e",
                answer: "a1",
                result: &r,
                agent: &agent(),
                duration_ms: 0,
            },
            1000,
        );
        let v: Value = serde_json::from_str(&msgs[0]).unwrap();
        assert_eq!(
            (v["status"].as_str(), v["error"]["code"].as_str()),
            (Some("error"), Some("ReadOnly"))
        );
    }

    #[test]
    fn an_error_answer_carries_format_truncated_and_encoding() {
        let r: Result<Output> = Err(Error::new(Code::OutOfScope, "no"));
        let msgs = result_messages(
            &Result1 {
                id: "e",
                answer: "a1",
                result: &r,
                agent: &agent(),
                duration_ms: 0,
            },
            1000,
        );
        let v: Value = serde_json::from_str(&msgs[0]).unwrap();
        assert_eq!(msgs.len(), 1);
        assert_eq!(
            (&v["format"], &v["truncated"], &v["encoding"], &v["output"]),
            (
                &json!("text"),
                &json!(false),
                &json!("identity"),
                &json!("")
            )
        );
        assert_eq!(
            (&v["answer"], &v["part"], &v["parts"]),
            (&json!("a1"), &json!(1), &json!(1))
        );
    }

    #[test]
    fn answer_ids_are_unique_per_attempt() {
        let ids: std::collections::HashSet<String> = (0..10_000).map(|_| answer_id()).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids.iter().all(|a| a.len() == 16 && valid_id(a)));
    }

    /// Two agents answer one id with different texts split into the same number of parts,
    /// their parts interleaved (and one repeated): assembly by `(id, answer)` gives exactly one
    /// of the two texts, the first to complete, never a mix.
    #[test]
    fn two_answers_to_one_id_assemble_without_mixing() {
        let parts_of = |answer: &str, text: &str| -> Vec<Value> {
            let out = Ok(Output::plain(text.to_string(), Format::Text, false));
            result_messages(
                &Result1 {
                    id: "same",
                    answer,
                    result: &out,
                    agent: &agent(),
                    duration_ms: 1,
                },
                700,
            )
            .iter()
            .map(|m| serde_json::from_str(m).unwrap())
            .collect()
        };
        let a: String = (0..400).map(|i| format!("a{i} ")).collect();
        let b: String = (0..400).map(|i| format!("b{i} ")).collect();
        let (pa, pb) = (parts_of("answer-a", &a), parts_of("answer-b", &b));
        assert_eq!(pa.len(), pb.len());
        assert!(pa.len() > 2);
        // b's part 1, a's part 1, then alternating from the end: a completes last but one.
        let mut order = vec![pb[0].clone(), pa[0].clone(), pa[0].clone()];
        for i in (1..pa.len()).rev() {
            order.push(pa[i].clone());
            order.push(pb[i].clone());
        }
        let mut asm = Assembly::default();
        let mut complete = Vec::new();
        for m in order {
            if let Some(parts) = asm.add(m) {
                complete.push(join_parts(&parts).unwrap());
            }
        }
        assert_eq!(complete, vec![a]);
    }

    /// The sample backend in docs/protocol.md is docs/backend.py, which the end-to-end tests
    /// run: the doc cannot show a backend that was not run.
    #[test]
    fn the_protocol_doc_shows_the_sample_backend_that_is_run() {
        let doc = include_str!("../docs/protocol.md");
        let file = include_str!("../docs/backend.py");
        assert!(doc.contains(&format!("```python\n{file}```")));
    }
}
