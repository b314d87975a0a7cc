//! `events`: events in scope (or about one object with `--for`), newest last, as kubectl's
//! table or as documents; a cut keeps the newest rows. Rendering is in
//! [`super::render::events`].

use std::time::SystemTime;

use serde_json::Value;

use crate::command::{Command, OutputFormat};
use crate::error::{Error, Result};
use crate::object::remaining;
use crate::output::budget::{Budget, Tail};
use crate::output::{Format, Noted, Output, doc};
use crate::redact::Redacted;
use crate::url::with_query;

use super::engine::{Engine, Namespaces};
use super::get::PAGE;
use super::render::events as view;

/// Most events `events` sorts in memory; the newest are shown.
const MAX_EVENTS: usize = 5000;

/// Run `events`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let res = e.resolve_type("events")?;
    let nss = e.namespaces(cmd, &res)?;
    let selector = event_field_selector(e, cmd)?;
    let mut events = Vec::new();
    let mut not_fetched = 0;
    for ns in nss.paths() {
        let path = with_query(
            &format!(
                "/api/v1{}/events",
                ns.map(|n| format!("/namespaces/{n}")).unwrap_or_default()
            ),
            &[
                ("labelSelector", cmd.selector.as_deref()),
                ("fieldSelector", selector.as_deref()),
            ],
        );
        e.list_pages(&path, "application/json", PAGE, |page| {
            let left = remaining(&page);
            events.extend(page.items());
            if events.len() >= MAX_EVENTS {
                not_fetched += left;
                return Ok(false);
            }
            Ok(true)
        })?;
    }
    if matches!(cmd.output, OutputFormat::Json | OutputFormat::Yaml) {
        return event_documents(events, cmd.output, max);
    }
    if events.is_empty() {
        let phrase = match &nss {
            Namespaces::One(ns) => format!("No events found in {ns} namespace."),
            _ => "No events found.".to_string(),
        };
        return Ok(Output::text(format!("{phrase}\n")));
    }
    let lines = view::render_table(&events, nss.is_many(), SystemTime::now());
    Ok(keep_last_rows(&lines, max, not_fetched))
}

/// `--for TYPE/NAME`, `--types` and `--field-selector` as one field selector.
fn event_field_selector(e: &Engine, cmd: &Command) -> Result<Option<String>> {
    let mut parts: Vec<String> = cmd.field_selector.iter().cloned().collect();
    if let Some(target) = &cmd.for_object {
        let (typed, name) = target.split_once('/').ok_or_else(|| {
            Error::invalid(format!(
                "--for takes TYPE/NAME (e.g. pod/web-1), got {target:?}"
            ))
        })?;
        let res = e.resolve(cmd, typed)?;
        parts.push(format!(
            "involvedObject.kind={},involvedObject.name={name}",
            res.kind
        ));
    }
    // The API filters one type; both types is no filter at all.
    if let [only] = cmd.types.as_slice() {
        parts.push(format!("type={only}"));
    }
    Ok((!parts.is_empty()).then(|| parts.join(",")))
}

/// Events as a JSON List or YAML documents, newest last, within the budget.
fn event_documents(
    events: Vec<Redacted<Value>>,
    output: OutputFormat,
    max: usize,
) -> Result<Output> {
    let yaml = output == OutputFormat::Yaml;
    let mut budget = if yaml {
        Budget::new(max)
    } else {
        Budget::json_list(max)
    };
    for ev in events {
        let ev = ev.map(|mut v| {
            if let Some(m) = v.as_object_mut() {
                m.insert("apiVersion".into(), "v1".into());
                m.insert("kind".into(), "Event".into());
            }
            v
        });
        if yaml {
            budget.push(&format!("---\n{}", doc::to_yaml(&ev)));
        } else {
            budget.push(doc::to_json(&ev).trim_end());
        }
    }
    let format = if yaml { Format::Yaml } else { Format::Json };
    Ok(budget.finish(format, "narrow with --for, --types or -n"))
}

/// A table whose rows run oldest → newest, cut from the top so the newest rows stay.
fn keep_last_rows(lines: &[String], max: usize, not_fetched: usize) -> Output {
    let Some((header, rows)) = lines.split_first() else {
        return Output::text(String::new());
    };
    let mut tail = Tail::new(max.saturating_sub(header.len() + 200), None);
    for r in rows {
        // Messages are anybody's text: no terminal control characters (as `Budget` does).
        tail.push(crate::output::printable(r).into_owned());
    }
    let dropped = tail.dropped().0;
    let mut text = Noted::default();
    let truncated = dropped > 0 || not_fetched > 0;
    if truncated {
        text.note(&format!(
            "[kubeglass: {} older events left out to stay within {max} bytes{}; narrow with --for, --types or -n]",
            dropped + not_fetched,
            if not_fetched > 0 { " (some not fetched)" } else { "" }
        ));
    }
    text.push_str(header);
    text.push_str("\n");
    for r in tail.kept() {
        text.push_str(r);
        text.push_str("\n");
    }
    text.into_output(Format::Text, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_event_rows_survive_the_cut() {
        let mut lines = vec!["LAST SEEN   TYPE".to_string()];
        lines.extend((0..100).map(|i| format!("{i:03}s   Warning")));
        let out = keep_last_rows(&lines, 400, 0);
        assert!(out.truncated);
        assert!(out.text.starts_with("[kubeglass: "));
        assert!(out.text.contains("LAST SEEN"));
        assert!(out.text.ends_with("099s   Warning\n"));
        assert!(!out.text.contains("000s"));
        assert!(out.text.len() <= 400);
        let all = keep_last_rows(&lines[..3], 4000, 0);
        assert!(!all.truncated);
    }

    #[test]
    fn event_rows_never_carry_terminal_control_characters() {
        let lines = [
            "LAST SEEN   MESSAGE".to_string(),
            "1s   boom \u{1b}]0;x\u{7}".into(),
        ];
        let out = keep_last_rows(&lines, 4000, 0);
        assert!(out.text.ends_with("1s   boom ^[]0;x^G\n"), "{:?}", out.text);
    }
}
