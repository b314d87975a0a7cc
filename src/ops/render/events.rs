//! `kubectl events`-style table: oldest first, so the newest (most telling) rows are last
//! and survive a cut from the top.

use std::time::SystemTime;

use serde_json::Value;

use crate::json::text;
use crate::output::table::render_columns;
use crate::redact::Redacted;
use crate::timefmt;

/// The time an event last happened (`lastTimestamp`, `eventTime`, `firstTimestamp`, or
/// its creation), as written by the API.
pub fn event_time(ev: &Value) -> &str {
    [
        "/lastTimestamp",
        "/eventTime",
        "/series/lastObservedTime",
        "/firstTimestamp",
        "/metadata/creationTimestamp",
    ]
    .iter()
    .find_map(|p| {
        ev.pointer(p)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    })
    .unwrap_or("")
}

/// Sort events oldest → newest (RFC 3339 strings of one zone sort as times; unparsable last).
pub fn sort_events(events: &mut [&Value]) {
    events.sort_by_key(|e| timefmt::parse_rfc3339(event_time(e)));
}

/// LAST SEEN as `kubectl events` (1.32, `getInterval` in kubectl's `cmd/events/
/// event_printer.go`) writes it: a repeated event is `2m (x5 over 10m)` — the age of
/// `series.lastObservedTime` (or of `lastTimestamp` when `count` > 1), then of its first
/// time; an event seen once is the age of its **first** time (`eventTime`, else
/// `firstTimestamp`), whatever `lastTimestamp` says. A time that is not set is `<unknown>`.
pub fn last_seen(ev: &Value, now: SystemTime) -> String {
    let set = |p: &str| {
        ev.pointer(p)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let since = |p: &str| timefmt::age(set(p), now);
    let first = match set("/eventTime") {
        Some(t) => timefmt::age(Some(t), now),
        None => since("/firstTimestamp"),
    };
    if let Some(series) = ev.get("series").filter(|s| s.is_object()) {
        let count = series.get("count").and_then(Value::as_i64).unwrap_or(0);
        return format!(
            "{} (x{count} over {first})",
            since("/series/lastObservedTime")
        );
    }
    match ev.get("count").and_then(Value::as_i64) {
        Some(count) if count > 1 => {
            format!("{} (x{count} over {first})", since("/lastTimestamp"))
        }
        _ => first,
    }
}

/// Who reported the event (`source.component`, or `reportingController`).
pub fn source(ev: &Value) -> String {
    ev.pointer("/source/component")
        .or_else(|| ev.get("reportingController"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("")
        .to_string()
}

/// The table lines (header first) of `events`, sorted oldest → newest.
pub fn render_table(
    events: &[Redacted<Value>],
    with_namespace: bool,
    now: SystemTime,
) -> Vec<String> {
    let mut sorted: Vec<&Value> = events.iter().map(|e| e.value()).collect();
    sort_events(&mut sorted);
    let rows: Vec<Vec<String>> = sorted
        .iter()
        .map(|ev| {
            let mut row = Vec::with_capacity(6);
            if with_namespace {
                row.push(text(ev, "/metadata/namespace").to_string());
            }
            // `Pod/web-1`, as `kubectl events` writes the object (its kind as the API names it).
            let kind = text(ev, "/involvedObject/kind");
            row.extend([
                last_seen(ev, now),
                text(ev, "/type").to_string(),
                text(ev, "/reason").to_string(),
                format!("{kind}/{}", text(ev, "/involvedObject/name")),
                one_line(text(ev, "/message")),
            ]);
            row
        })
        .collect();
    let mut header = Vec::new();
    if with_namespace {
        header.push("NAMESPACE");
    }
    header.extend(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
    render_columns(&header, &rows)
}

/// A message on one line (events sometimes carry newlines).
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorted_oldest_first_with_counts() {
        let now = timefmt::parse_rfc3339("2026-11-24T12:00:00Z").unwrap();
        let evs = vec![
            json!({"metadata": {"namespace": "shop"}, "type": "Warning", "reason": "BackOff", "count": 5,
                   "firstTimestamp": "2026-11-24T11:50:00Z", "lastTimestamp": "2026-11-24T11:58:00Z",
                   "involvedObject": {"kind": "Pod", "name": "api-1"}, "message": "Back-off\nrestarting"}),
            json!({"type": "Normal", "reason": "Pulled", "eventTime": "2026-11-24T11:00:00.000000Z",
                   "involvedObject": {"kind": "Pod", "name": "web-1"}, "message": "ok"}),
            json!({}),
        ];
        let evs: Vec<_> = evs.into_iter().map(crate::redact::shown).collect();
        let lines = render_table(&evs, true, now);
        assert!(lines[0].starts_with("NAMESPACE   LAST SEEN"));
        assert!(
            lines[1].contains("<unknown>"),
            "unparsable times sort first: {lines:?}"
        );
        assert!(lines[2].contains("Pod/web-1") && lines[2].contains("60m"));
        assert!(lines[3].contains("2m (x5 over 10m)") && lines[3].ends_with("Back-off restarting"));
    }

    #[test]
    fn an_event_seen_once_shows_the_age_of_its_first_time_as_kubectl_does() {
        let now = timefmt::parse_rfc3339("2026-11-24T12:00:00Z").unwrap();
        let once = json!({"count": 1, "firstTimestamp": "2026-11-24T11:50:00Z",
                          "lastTimestamp": "2026-11-24T11:58:00Z"});
        assert_eq!(last_seen(&once, now), "10m");
        let no_count = json!({"firstTimestamp": "2026-11-24T11:50:00Z"});
        assert_eq!(last_seen(&no_count, now), "10m");
        let micro = json!({"eventTime": "2026-11-24T11:00:00.000000Z",
                           "firstTimestamp": "2026-11-24T11:50:00Z"});
        assert_eq!(last_seen(&micro, now), "60m");
        let series = json!({"eventTime": "2026-11-24T11:00:00.000000Z",
                            "series": {"count": 3, "lastObservedTime": "2026-11-24T11:59:00.000000Z"}});
        assert_eq!(last_seen(&series, now), "60s (x3 over 60m)");
        assert_eq!(last_seen(&json!({"count": 1}), now), "<unknown>");
    }
}
