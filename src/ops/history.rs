//! `history [-n NS | -A] [--since 6h] [--for TYPE/NAME] [-o json]`: what the agent's flight
//! recorder kept (`run --record`, [`crate::recorder`]), newest first, within the output
//! budget. The record is memory only: the header says since when this process records.
//! A process without a recorder (`query`, `mcp`, an agent without `--record`) says so in
//! one line instead of failing.

use std::time::{Duration, SystemTime};

use serde_json::json;

use super::engine::Engine;
use crate::command::{Command, OutputFormat, parse_duration_seconds};
use crate::error::{Error, Result};
use crate::output::budget::Budget;
use crate::output::{Format, Output};
use crate::recorder::ring::Record;
use crate::timefmt::format_rfc3339;

/// The answer of a process that runs no recorder.
pub const NO_RECORDER: &str = "no recorder in this process: `history` answers from an agent \
     started with `kubeglass run --record`\n";

/// How to narrow a cut answer.
const HINT: &str = "narrow with -n, --since or --for";

/// Run `history`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let Some(recorder) = e.recorder() else {
        return Ok(Output::text(NO_RECORDER.to_string()));
    };
    let since = match &cmd.since {
        Some(s) => {
            let secs = parse_duration_seconds(s)?;
            let secs = u64::try_from(secs).unwrap_or(0);
            SystemTime::now().checked_sub(Duration::from_secs(secs))
        }
        None => None,
    };
    // Which namespaces: one (scope-checked), or every one in scope.
    let namespaces: Option<Vec<String>> = if cmd.all_namespaces {
        e.scope().namespaces_for_all().map(<[String]>::to_vec)
    } else {
        Some(vec![e.namespace(cmd)?])
    };
    let object = match &cmd.for_object {
        Some(f) => {
            let (typed, name) = f
                .split_once('/')
                .ok_or_else(|| Error::invalid(format!("--for takes TYPE/NAME, got {f:?}")))?;
            let res = e.resolve(cmd, typed)?;
            Some(format!("{}/{name}", res.kind.to_ascii_lowercase()))
        }
        None => None,
    };
    let wanted = |r: &Record| {
        // A cluster-scoped record (a node's) was kept only when cluster reads are in
        // scope; it belongs to every namespace's -A view, to no single namespace's.
        (namespaces.as_ref().is_none_or(|l| l.contains(&r.namespace))
            || (cmd.all_namespaces && r.namespace.is_empty()))
            && since.is_none_or(|s| r.last >= s)
            && object.as_ref().is_none_or(|o| &r.object == o)
    };
    // Matching records are copied out under the lock, then rendered without it.
    let (records, held, bytes, budget, dropped) = {
        let ring = recorder.ring();
        let records: Vec<Record> = ring.newest_first().filter(|r| wanted(r)).cloned().collect();
        (
            records,
            ring.len(),
            ring.bytes(),
            ring.budget(),
            ring.dropped(),
        )
    };
    let header = Header {
        since: recorder.since(),
        held,
        bytes,
        budget,
        dropped,
    };
    Ok(match cmd.output {
        OutputFormat::Json => json_form(&records, &header, max),
        _ => table_form(&records, &header, cmd, max),
    })
}

/// What `triage`, `changes` and `describe` add from the record: the lines of
/// [`Recorder::recall`](crate::recorder::Recorder::recall) for `cmd`'s namespace (or every
/// namespace in scope with `-A`, node records included), of `object` (`pod/api-1`, as
/// records name objects) when given, last seen at or after `since` when given; then how to
/// ask for the rest. Nothing at all without a recorder (that op stays as it was).
pub fn recalled(
    e: &Engine,
    cmd: &Command,
    object: Option<&str>,
    since: Option<SystemTime>,
) -> Vec<String> {
    let Some(recorder) = e.recorder() else {
        return Vec::new();
    };
    let Some(wanted) = recall_filter(e, cmd, object, since) else {
        return Vec::new();
    };
    let (mut lines, more) = recorder.recall(wanted);
    if more > 0 {
        let scope = match (cmd.all_namespaces, &cmd.namespace) {
            (true, _) => "-A".to_string(),
            (false, Some(ns)) => format!("-n {ns}"),
            (false, None) => String::new(),
        };
        lines.push(format!(
            "{more} more recorded that the API no longer has: `history {scope}`"
        ));
    }
    lines
}

/// The records [`recalled`] says, for a JSON answer (as `history -o json` shows them:
/// [`record_json`]), and how many more there are.
pub fn recalled_records(
    e: &Engine,
    cmd: &Command,
    object: Option<&str>,
    since: Option<SystemTime>,
) -> (Vec<Record>, usize) {
    match (e.recorder(), recall_filter(e, cmd, object, since)) {
        (Some(recorder), Some(wanted)) => recorder.recall_records(wanted),
        _ => (Vec::new(), 0),
    }
}

/// Which records [`recalled`] wants; `None` when `cmd`'s namespace is out of scope.
fn recall_filter<'a>(
    e: &Engine,
    cmd: &'a Command,
    object: Option<&'a str>,
    since: Option<SystemTime>,
) -> Option<impl Fn(&Record) -> bool + 'a> {
    let namespaces: Option<Vec<String>> = if cmd.all_namespaces {
        e.scope().namespaces_for_all().map(<[String]>::to_vec)
    } else {
        Some(vec![e.namespace(cmd).ok()?])
    };
    Some(move |r: &Record| {
        (namespaces.as_ref().is_none_or(|l| l.contains(&r.namespace))
            || (cmd.all_namespaces && r.namespace.is_empty()))
            && object.is_none_or(|o| r.object == o)
            && since.is_none_or(|s| r.last >= s)
    })
}

/// One record as `history -o json` shows it.
pub fn record_json(r: &Record) -> serde_json::Value {
    json!({
        "type": r.kind.as_str(),
        "namespace": r.namespace,
        "object": r.object,
        "reason": r.reason,
        "message": r.text,
        "count": r.count,
        "firstSeen": format_rfc3339(r.first),
        "lastSeen": format_rfc3339(r.last),
        "log": r.log,
    })
}

/// What `history` says about the recorder itself.
struct Header {
    since: SystemTime,
    held: usize,
    bytes: usize,
    budget: usize,
    dropped: u64,
}

/// `HH:MM` (UTC) of `t`.
fn hhmm(t: SystemTime) -> String {
    let full = format_rfc3339(t);
    full.get(11..16).unwrap_or(&full).to_string()
}

fn table_form(records: &[Record], h: &Header, cmd: &Command, max: usize) -> Output {
    let mut budget = Budget::new(max);
    let scope = match (&cmd.namespace, cmd.all_namespaces) {
        (_, true) => "in every namespace".to_string(),
        (Some(ns), false) => format!("in {ns}"),
        (None, false) => "in the default namespace".to_string(),
    };
    budget.push(&format!(
        "recording since {} UTC ({}; memory only: lost when the agent restarts); {} records \
         {scope} of {} held ({} of {} KiB), {} dropped to stay within the budget; newest first:",
        hhmm(h.since),
        format_rfc3339(h.since),
        records.len(),
        h.held,
        h.bytes / 1024,
        h.budget / 1024,
        h.dropped,
    ));
    if records.is_empty() {
        budget.push("(nothing recorded)");
    }
    for r in records {
        let mut chunk = format!(
            "{}  {}  {}  {}",
            format_rfc3339(r.last),
            if r.namespace.is_empty() {
                "-"
            } else {
                &r.namespace
            },
            r.object,
            r.kind.as_str(),
        );
        if r.count > 1 {
            chunk.push_str(&format!(
                " x{} (first {})",
                r.count,
                format_rfc3339(r.first)
            ));
        }
        // A rollout's text says `rollout to …` or `rollback to …` already.
        let said = r.text.contains(&r.reason) || r.kind == crate::recorder::ring::Kind::Rollout;
        if !r.reason.is_empty() && !said {
            chunk.push_str(&format!(" {}:", r.reason));
        }
        chunk.push_str("  ");
        chunk.push_str(&r.text);
        // The summary and its log lines are two chunks: a small budget still shows the
        // newest record's summary. Once full, the older rest is only counted.
        budget.push(&chunk);
        if !r.log.is_empty() {
            let mut lines = String::from("    last log lines:");
            for l in &r.log {
                lines.push_str("\n    | ");
                lines.push_str(l);
            }
            budget.push(&lines);
        }
    }
    budget.finish(Format::Text, HINT)
}

/// Room kept for the recorder's own fields, added to the List's metadata after the cut.
const JSON_HEADER_ROOM: usize = 256;

fn json_form(records: &[Record], h: &Header, max: usize) -> Output {
    let mut budget = Budget::json_list(max.saturating_sub(JSON_HEADER_ROOM));
    for r in records {
        budget.push(&record_json(r).to_string());
    }
    let mut out = budget.finish(Format::Json, HINT);
    if let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(&out.text)
        && let Some(meta) = doc.get_mut("metadata").and_then(|m| m.as_object_mut())
    {
        meta.insert(
            "kubeglass.recordingSince".into(),
            json!(format_rfc3339(h.since)),
        );
        meta.insert("kubeglass.memoryOnly".into(), json!(true));
        meta.insert("kubeglass.recordsHeld".into(), json!(h.held));
        meta.insert("kubeglass.recordsDropped".into(), json!(h.dropped));
        meta.insert("kubeglass.recordBytes".into(), json!(h.bytes));
        meta.insert("kubeglass.recordBudgetBytes".into(), json!(h.budget));
        out.text = doc.to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recorder::ring::Kind;

    fn record(i: u64) -> Record {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + i);
        Record {
            kind: Kind::Termination,
            key: format!("k{i}"),
            namespace: "shop".into(),
            object: format!("pod/api-{i}"),
            reason: "OOMKilled".into(),
            text: "container api terminated: OOMKilled (exit 137), restarts 1".into(),
            first: t,
            last: t,
            count: 1,
            log: vec!["panic: out of memory".into()],
            gone: false,
        }
    }

    fn header() -> Header {
        Header {
            since: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
            held: 50,
            bytes: 20_000,
            budget: 2 << 20,
            dropped: 3,
        }
    }

    #[test]
    fn history_says_since_when_it_records_and_stays_within_the_budget() {
        let records: Vec<Record> = (0..50).rev().map(record).collect();
        let mut cmd = Command::new(crate::command::Op::History);
        cmd.namespace = Some("shop".into());
        let out = table_form(&records, &header(), &cmd, 2000);
        assert!(out.text.len() <= 2000, "{}", out.text.len());
        assert!(
            out.text.starts_with("recording since 08:00 UTC"),
            "{}",
            out.text
        );
        assert!(out.text.contains("memory only"));
        assert!(
            out.text.contains("pod/api-49"),
            "newest first: {}",
            out.text
        );
        assert!(out.text.contains("    | panic: out of memory"));
        assert!(out.truncated);
        let json = json_form(&records, &header(), 2000);
        assert!(json.text.len() <= 2000, "{}", json.text.len());
        let v: serde_json::Value = serde_json::from_str(&json.text).expect("one JSON document");
        assert_eq!(
            v["metadata"]["kubeglass.recordingSince"],
            "2027-01-15T08:00:00Z"
        );
        assert_eq!(v["items"][0]["object"], "pod/api-49");
        assert_eq!(v["items"][0]["log"][0], "panic: out of memory");
        // What the ring holds against its budget, for a reader checking the bound.
        assert_eq!(v["metadata"]["kubeglass.recordBytes"], 20_000);
        assert_eq!(v["metadata"]["kubeglass.recordsDropped"], 3);
        assert!(v["metadata"]["kubeglass.recordBudgetBytes"].is_u64(), "{v}");
    }
}
