//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer): each takes
//! arbitrary bytes, runs one parser that reads what strangers send the way kubeglass runs
//! it, and panics when a promise breaks (a crash, a wrong round trip, a control character
//! from server data in the output). Not an API: hidden from the docs, and only these six
//! functions. Regression inputs the fuzzers found live as unit tests beside the code they
//! broke; `tests/fuzz_corpus.rs` replays every committed corpus file through these in
//! `cargo test`.

use std::io::Cursor;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::command::{self, Command};
use crate::ops::engine::LogLines;
use crate::ops::logs::{Limits, keep_newest, write_tail};
use crate::ops::render::describe::{self, Related};
use crate::ops::render::events;
use crate::output::budget::Budget;
use crate::output::table::TableWriter;
use crate::output::{Format, doc};
use crate::redact::{self, RedactSettings, Source};

/// (a) A command message, as the agent receives it from SQS or stdin: the wire message, and
/// the same bytes as a JSON command and as a kubectl line. Whatever validates must
/// round-trip through the JSON form.
pub fn command_message(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(msg) = crate::protocol::parse(body)
        && let Ok(cmd) = msg.command
    {
        round_trips(&cmd);
    }
    for cmd in [command::parse_json_str(body), command::parse_line(body)]
        .into_iter()
        .flatten()
    {
        round_trips(&cmd);
    }
}

fn round_trips(cmd: &Command) {
    // The selector check the engine runs before any request parses the selectors again.
    let _ = command::refuse_hidden_selectors(cmd, &RedactSettings::default());
    let v = serde_json::to_value(cmd).expect("a command serialises");
    let again = command::parse_json(&v);
    assert_eq!(again.as_ref().ok(), Some(cmd), "{v} gave {again:?}");
}

/// (b) A kubeconfig file (YAML or JSON), loaded, resolved and made into a client, without
/// any request. The bytes are written to a file of this process, as kubeconfigs are read.
pub fn kubeconfig(data: &[u8]) {
    let dir = std::env::temp_dir().join(format!("kubeglass-fuzz-{}", std::process::id()));
    let path = dir.join("config");
    if std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(&path, data))
        .is_err()
    {
        return;
    }
    if let Ok(target) = crate::kube::config::from_kubeconfig(&[path], None, true) {
        let _ = crate::kube::Client::from_target(target, Duration::from_secs(1));
    }
}

/// (c) An SQS answer: byte 0 picks the HTTP status, then one line is the
/// `x-amzn-query-error` header, the rest the body (JSON, XML or anything). Read as an error,
/// as a ReceiveMessage answer, as a queue attribute and as credential-endpoint JSON.
pub fn sqs_response(data: &[u8]) {
    let Some((&status, rest)) = data.split_first() else {
        return;
    };
    let status = [200, 400, 403, 404, 413, 429, 500, 503][usize::from(status) % 8];
    let text = String::from_utf8_lossy(rest);
    let (header, body) = text.split_once('\n').unwrap_or(("", &text));
    let err = crate::sqs::parse_error(status, Some(header).filter(|h| !h.is_empty()), body);
    let _ = (
        err.is_retryable(),
        err.is_too_large(),
        err.to_error("q").message,
    );
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        let _ = crate::sqs::messages_of(&v);
        let _ = v.pointer("/Attributes/MaximumMessageSize");
    }
    let _ = crate::aws::json_credentials(body, "Token", "fuzz");
    let _ = crate::aws::xml_tag(body, "SecretAccessKey");
}

/// (d) What an API server returns — an object, a List, a Table, a Status — redacted and
/// rendered every way kubeglass renders it (table, `-o json|yaml`, list items, describe with
/// related objects, events), through the budget. No control character may reach the output.
pub fn render(data: &[u8]) {
    let Some((&knobs, json)) = data.split_first() else {
        return;
    };
    let Ok(v) = serde_json::from_slice::<Value>(json) else {
        return;
    };
    let max = 256 + usize::from(knobs) * 64;
    let settings = RedactSettings::default();
    let secret_source = if knobs & 1 == 0 {
        Source::Object
    } else {
        Source::SecretMetadata
    };
    let shown = redact::fetched(v, secret_source, &settings);
    let items = shown.clone().items();
    let mut texts = Vec::new();

    let mut table = TableWriter::new(knobs & 2 != 0, knobs & 4 != 0);
    if table.add_page(&shown).is_ok() {
        table.tally_page(&shown);
        let _ = table.status_summary(1);
        texts.push(budgeted(table.render(), max, Format::Text));
    }
    let mut list = Budget::json_list(max);
    for item in &items {
        list.push(&doc::to_json(item));
    }
    let json_texts = [
        budgeted(vec![doc::to_json(&shown)], max, Format::Json),
        list.finish(Format::Json, "narrow").text,
    ];
    for t in &json_texts {
        serde_json::from_str::<Value>(t).expect("JSON output stays one valid document");
    }
    texts.extend(json_texts);
    texts.push(budgeted(vec![doc::to_yaml(&shown)], max, Format::Yaml));

    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let endpoints = shown
        .value()
        .get("endpoints")
        .is_some()
        .then(|| shown.part(|v| v.get("endpoints").cloned().unwrap_or(Value::Null)));
    let related = Related {
        events: items.clone(),
        pods: items.clone(),
        replica_sets: items.clone(),
        endpoints,
        node_pods: items.clone(),
        quotas: Some(items.clone()),
        limit_ranges: Some(items.clone()),
        lease: items.first().cloned().map(Ok),
        ..Related::default()
    };
    let described = describe::render(&shown, &related, now);
    texts.push(budgeted(vec![described], max, Format::Text));
    texts.push(budgeted(
        events::render_table(&items, knobs & 8 != 0, now),
        max,
        Format::Text,
    ));

    for t in &texts {
        assert_no_control(t);
    }
}

fn budgeted(lines: Vec<String>, max: usize, format: Format) -> String {
    let mut b = Budget::new(max);
    for l in &lines {
        b.push(l);
    }
    b.finish(format, "narrow").text
}

/// No character that acts on a terminal (C0 but newline and tab, DEL, C1) and none that
/// reorders or hides text (bidi controls, zero-width characters): what `output::printable`
/// promises for every answer.
fn assert_no_control(text: &str) {
    if let Some(c) = text.chars().find(|&c| {
        (c.is_control() && c != '\n' && c != '\t') || crate::output::is_invisible_format(c)
    }) {
        panic!("control character {c:?} in output: {text:?}");
    }
}

/// (e) A container log stream of arbitrary bytes through the log reader, the log redactor,
/// `--grep`, `--tail` and `--limit-bytes`. The first line holds the options: byte 0 picks
/// tail, limit and line length, the rest of the line is the `--grep` pattern (as a command
/// gives it, so it must pass command validation first).
pub fn logs(data: &[u8]) {
    let (head, log) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Some((&knobs, pattern)) = head.split_first() else {
        return;
    };
    let grep = match std::str::from_utf8(pattern) {
        Ok("") | Err(_) => None,
        Ok(p) => {
            let cmd = serde_json::json!({"op": "logs", "names": ["p"], "logs": {"grep": p}});
            if command::parse_json(&cmd).is_err() {
                return;
            }
            match regex_lite::Regex::new(p) {
                Ok(re) => Some(re),
                Err(_) => return,
            }
        }
    };
    let max_line = [64, 256, 16 * 1024][usize::from(knobs) % 3];
    let limits = Limits {
        room: 512 + usize::from(knobs) * 16,
        tail: (knobs & 8 != 0).then_some(usize::from(knobs >> 4)),
        bytes: (knobs & 4 != 0).then_some(usize::from(knobs) * 8),
    };
    let settings = if knobs & 128 != 0 {
        RedactSettings::default().without_log_redaction()
    } else {
        RedactSettings::default()
    };
    let reader = Box::new(Cursor::new(log.to_vec()));
    let mut lines = LogLines::new(reader, &settings, max_line);
    let Ok(kept) = keep_newest(&mut lines, &limits, grep.as_ref()) else {
        return;
    };
    let mut out = crate::output::Noted::default();
    write_tail(
        &kept,
        &mut out,
        (knobs & 16 != 0).then(|| "[pod/x] ".to_string()),
    );
    assert_no_control(&out.text);
    // The kept lines fit the stream's room (each line costs its length and a newline).
    let used: usize = kept.kept().map(|l| l.len() + 1).sum();
    assert!(
        used <= limits.room,
        "{used} bytes kept for a room of {}",
        limits.room
    );
}

/// (f) Text as the redactor reads it from the cluster (a ConfigMap value, an annotation, a
/// log stream): every reader the redactor has — JSON, XML, percent-encoding, YAML blocks,
/// multi-line state — runs on arbitrary input without a panic, and a credential planted on
/// a line of its own never comes back, whatever the text around it opened (a quote, a block,
/// a PEM key, a document).
pub fn redact_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // A text that already holds the canary as a word of its own (the fuzzer finds it) says
    // nothing about the planted one.
    if text.contains(CANARY) {
        return;
    }
    // Where the canary goes: after the first `cut` bytes (at a character boundary).
    let cut = usize::from(data.first().copied().unwrap_or(0)) * text.len() / 256;
    let cut = (0..=cut)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let planted = format!("{}\npassword={CANARY}\n{}", &text[..cut], &text[cut..]);
    let settings = RedactSettings::default();
    let shown = redact::text(&planted);
    assert!(!shown.contains(CANARY), "text: {planted:?} → {shown:?}");
    let mut logs = redact::LogRedactor::new(&settings);
    for line in planted.split('\n') {
        let l = logs.redact_line(line);
        assert!(!l.contains(CANARY), "log line: {planted:?} → {:?}", *l);
    }
    let cm = serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "c",
        "annotations": {"a": planted}}, "data": {"v": planted}});
    let shown = redact::fetched(cm, Source::Object, &settings)
        .value()
        .to_string();
    assert!(!shown.contains(CANARY), "object: {planted:?} → {shown}");
}

/// The credential [`redact_text`] plants.
const CANARY: &str = "Zq8CanaryX7pw";
