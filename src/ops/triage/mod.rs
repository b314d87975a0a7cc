//! `triage`: one compact report of what is wrong in scope, most severe first — each finding
//! one line with its evidence and the next command to run, many objects with the same
//! problem folded into one line with a count and examples, healthy things as counts. The
//! first answer an investigator should ask for; 4 KB by default.
//!
//! Fetching is here (every list streamed in pages through the engine, redacted); the
//! judging is pure, in [`analyze`]. A type the agent may not read (RBAC, scope) is named in
//! a note, not an error: triage reports what it could see — unless it could read nothing at
//! all, which fails `Forbidden`. Beyond one list per type, the only requests are the
//! previous logs of at most [`MAX_PREVIOUS_LOGS`] crash-looping workloads and, for the last
//! change of workloads with findings, at most two lists per namespace in at most
//! [`last_change::MAX_NAMESPACES`] namespaces.
//!
//! Memory, measured (2026-12-07, `kube-testbed seed DIR --pods 10000`, 10,028 pods, 23
//! findings, chains included, `/usr/bin/time -v`): peak RSS 8.7–8.9 MiB for the release
//! binary (5.6 MiB for `get ns`), 18.3–18.5 MiB for the debug one (14.9 MiB for `get ns`:
//! the debug binary itself). Within the 16 MiB the issue sets; flat in the pod count,
//! since pods are folded per page into groups and per-label-set counts.

mod analyze;
mod last_change;

use std::time::SystemTime;

use serde_json::Value;

use crate::command::{Command, OutputFormat};
use crate::error::{Code, Error, Result};
use crate::output::budget::Budget;
use crate::output::{Format, Output};
use crate::redact::Redacted;

use super::engine::{Engine, Shape};
use analyze::{Line, LineKind, TAIL_SEPARATOR, Triage};

/// The budget of a triage answer unless the command asks for another.
pub const DEFAULT_BUDGET: usize = 4096;
/// Objects per page: a page of full pods is what triage holds in memory at once.
const PAGE: usize = 250;

/// Most Services whose selector holds a hidden label value checked by asking the API server
/// (two requests each: the Service as sent, and one pod it selects).
const MAX_SERVER_JUDGED: usize = 50;

/// The namespaced types triage reads, in the order it reads them.
pub(super) const NAMESPACED: &[&str] = &[
    "pods",
    "deployments",
    "statefulsets",
    "daemonsets",
    "services",
    "endpoints",
    "jobs",
    // After jobs: a CronJob's last success may be its newest completed Job.
    "cronjobs",
    // After pods and statefulsets: a claim is judged unused against both.
    "persistentvolumeclaims",
    "horizontalpodautoscalers",
    "resourcequotas",
];

/// Run `triage`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let max = match cmd.max_output_bytes {
        Some(_) => max,
        None => max.min(DEFAULT_BUDGET),
    };
    let now = SystemTime::now();
    let mut t = Triage::default();
    let mut unread = Vec::new();
    let mut read_any = false;
    if e.scope().check_cluster_scoped("nodes").is_ok() {
        read_any |= read(e, cmd, "nodes", &mut unread, |n| t.node(n, now))?;
    }
    if e.scope().check_cluster_scoped("storageclasses").is_ok()
        && read(e, cmd, "storageclasses", &mut unread, |sc| {
            t.storage_class(sc)
        })?
    {
        read_any = true;
        t.storage_classes_read();
    }
    let (mut hidden, mut not_judged) = (Vec::new(), 0);
    for typed in NAMESPACED {
        let ok = read(e, cmd, typed, &mut unread, |obj| match *typed {
            "pods" => t.pod(obj),
            "deployments" => t.workload("Deployment", obj),
            "statefulsets" => t.workload("StatefulSet", obj),
            "daemonsets" => t.workload("DaemonSet", obj),
            "services" => {
                // Judged in memory unless its selector hides a value; those (a bounded
                // few) are kept to ask the API server once the lists are read.
                let judged = t.service(obj);
                match (judged, hidden.len() < MAX_SERVER_JUDGED) {
                    (true, _) => {}
                    (false, true) => hidden.push(obj.clone()),
                    (false, false) => not_judged += 1,
                }
            }
            "endpoints" => t.endpoints(obj),
            "jobs" => t.job(obj),
            "cronjobs" => t.cronjob(obj, now),
            "persistentvolumeclaims" => t.claim(obj),
            "horizontalpodautoscalers" => t.autoscaler(obj),
            _ => t.quota(obj),
        })?;
        read_any |= ok;
        match (*typed, ok) {
            ("pods", true) => t.claim_users_read(true),
            ("statefulsets", true) => t.claim_users_read(false),
            ("endpoints", true) => t.endpoints_read(),
            _ => {}
        }
    }
    judge_by_server(e, &mut t, &hidden, &mut unread)?;
    if not_judged > 0 {
        unread.push(format!(
            "{not_judged} more services selecting by hidden label values"
        ));
    }
    let mut warnings = cmd.clone();
    warnings.field_selector = Some("type=Warning".into());
    read_any |= read(e, &warnings, "events", &mut unread, |ev| t.event(ev))?;
    read_any |= helm_releases(e, cmd, &mut t, &mut unread)?;
    if !read_any {
        return Err(Error::new(
            Code::Forbidden,
            format!(
                "triage could read nothing in scope: every read was refused ({}); check this identity's RBAC (kubectl auth can-i --list)",
                unread.join("; ")
            ),
        ));
    }
    previous_logs(e, &mut t);
    last_change::read(e, &mut t, now, &mut unread);
    let mut lines = t.report(now);
    // What the flight recorder (an agent's `--record`) holds that the API no longer has:
    // a crash of a pod that is gone, a Warning event that expired.
    for recalled in super::history::recalled(e, cmd, None, None) {
        lines.push(Line::new(LineKind::Note, recalled));
    }
    if !unread.is_empty() {
        lines.push(Line::new(
            LineKind::Note,
            format!("not read: {}", unread.join("; ")),
        ));
    }
    let json = matches!(cmd.output, OutputFormat::Json);
    // What a line costs beyond its text: a newline and indentation, or a JSON envelope.
    let overhead = if json { 48 } else { 1 };
    let (dropped, tails) = fit_causes(&mut lines, Budget::new(max).room(), overhead);
    let mut budget = match json {
        true => Budget::json_list(max),
        false => Budget::new(max),
    };
    for line in lines {
        budget.push(&match json {
            true => json_line(&line),
            false => line.text(),
        });
    }
    if dropped > 0 || tails > 0 {
        let detail = match tails {
            0 => format!("{dropped} symptom line(s) left out so that every cause fits"),
            t => format!(
                "{dropped} symptom line(s) and {t} last change(s) left out so that every cause fits"
            ),
        };
        let detail = match budget.left_out() {
            0 => detail,
            n => format!("{n} more lines; {detail}"),
        };
        budget.describe_left_out(dropped + tails, detail);
    }
    let format = if json { Format::Json } else { Format::Text };
    Ok(budget.finish(
        format,
        "narrow with -n, or ask for more with max_output_bytes",
    ))
}

/// When the report is over `max` bytes, symptom lines go first (the last chain's deepest
/// first), then the tails of the remaining lines (a workload's last change, the last
/// line's first), so the causes fit: the reader sees every root and can ask for the rest.
/// Returns how many lines were left out, and how many tails.
fn fit_causes(lines: &mut Vec<Line>, max: usize, overhead: usize) -> (usize, usize) {
    // `↳ ` is four bytes, each level of indentation two.
    let tail = |l: &Line| {
        l.tail
            .as_ref()
            .map_or(0, |t| t.len() + TAIL_SEPARATOR.len())
    };
    let cost = |l: &Line| {
        l.body.len() + tail(l) + overhead + if l.depth > 0 { 2 * l.depth + 4 } else { 0 }
    };
    let mut total: usize = lines.iter().map(cost).sum();
    let mut dropped = 0;
    while total > max {
        let Some(i) = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.kind == LineKind::Symptom)
            .max_by_key(|(i, l)| (l.depth, *i))
            .map(|(i, _)| i)
        else {
            break;
        };
        let l = lines.remove(i);
        total -= cost(&l);
        dropped += 1;
    }
    let mut tails = 0;
    for l in lines.iter_mut().rev() {
        if total <= max {
            break;
        }
        if l.tail.is_some() {
            total -= tail(l);
            l.tail = None;
            tails += 1;
        }
    }
    (dropped, tails)
}

/// One report line as a JSON value: `{"kind": "symptom", "depth": 1, "text": "…"}`.
fn json_line(line: &Line) -> String {
    let kind = match line.kind {
        LineKind::Header => "header",
        LineKind::Finding => "finding",
        LineKind::Symptom => "symptom",
        LineKind::Event => "event",
        LineKind::Healthy => "healthy",
        LineKind::Note => "note",
    };
    serde_json::json!({"kind": kind, "depth": line.depth, "text": line.full()}).to_string()
}

/// Most crash-looping workloads whose previous log triage reads (one request each, 64
/// lines, in namespace order). 16, not 8: on a testbed holding ten crash-looping workloads
/// the eighth cut off the one whose log named the database it could not reach (the link
/// of its chain); sixteen small reads cost well under a second.
const MAX_PREVIOUS_LOGS: usize = 16;
/// Lines of a previous log read: the last non-empty one is quoted, and the lines above it
/// let the log redactor see a multi-line value open (as `logs` reads extra context).
const PREVIOUS_TAIL: usize = 64;
/// Longest previous-log line kept (cut after redaction).
const PREVIOUS_LINE: usize = 512;

/// The last non-empty line of the previous run of each crash-looping workload's example
/// container (a bounded few, through the log redactor). A log that cannot be read (gone,
/// forbidden) is simply not quoted: the finding still names the `logs --previous` command.
fn previous_logs(e: &Engine, t: &mut Triage) {
    for ((ns, subject), c) in t.crashes(MAX_PREVIOUS_LOGS) {
        let path = crate::url::with_query(
            &format!(
                "/api/v1/namespaces/{}/pods/{}/log",
                crate::url::encode(&ns),
                crate::url::encode(&c.pod)
            ),
            &[
                ("container", Some(&c.container)),
                ("previous", Some("true")),
                ("tailLines", Some(&PREVIOUS_TAIL.to_string())),
            ],
        );
        let last = e.log_lines(&path, PREVIOUS_LINE).and_then(|mut lines| {
            let mut last = None;
            while let Some(line) = lines.next_line()? {
                if !line.value().trim().is_empty() {
                    last = Some(line.value().trim().to_string());
                }
            }
            Ok(last)
        });
        match last {
            Ok(Some(line)) => t.last_log_line(&(ns, subject), line),
            Ok(None) => {}
            Err(err)
                if matches!(
                    err.code,
                    Code::NotFound | Code::Forbidden | Code::InvalidCommand
                ) =>
            {
                log::debug!("previous log of {ns}/{} not quoted: {err}", c.pod)
            }
            Err(err) => {
                // A slow or failing API server: the report is worth more than the quotes.
                log::info!("previous logs not quoted: {err}");
                break;
            }
        }
    }
}

/// Services whose selector holds a label value the redactor hid, judged by the API server:
/// the engine queries with the real selector (kept inside it), and the finding shows the
/// redacted one. A Service that vanished or whose pods may not be read is named in `unread`.
fn judge_by_server(
    e: &Engine,
    t: &mut Triage,
    hidden: &[Redacted<Value>],
    unread: &mut Vec<String>,
) -> Result<()> {
    if hidden.is_empty() {
        return Ok(());
    }
    let services = e.resolve_type("services")?;
    for svc in hidden {
        let ns = crate::json::text(svc, "/metadata/namespace");
        let judged = e.selector(&services, svc).and_then(|sel| match sel {
            Some(sel) => e.selects_any_pod(ns, &sel).map(Some),
            None => Ok(None),
        });
        match judged {
            Ok(Some(any)) => t.service_selecting(svc, any),
            Ok(None) => {}
            Err(err) if matches!(err.code, Code::Forbidden | Code::NotFound) => {
                let name = crate::json::text(svc, "/metadata/name");
                unread.push(format!("pods of svc/{name} in {ns} ({})", err.code));
            }
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// Every object of `typed` in the command's scope, page by page, into `each`. A type this
/// identity may not read (or that the server does not serve) goes into `unread` instead of
/// failing the triage; `Ok(false)` then. Scope refusals and timeouts still fail it.
fn read(
    e: &Engine,
    cmd: &Command,
    typed: &str,
    unread: &mut Vec<String>,
    mut each: impl FnMut(&Redacted<Value>),
) -> Result<bool> {
    let outcome = e.resolve_type(typed).and_then(|res| {
        let nss = e.namespaces(cmd, &res)?;
        e.walk(
            cmd,
            &res,
            &nss,
            Shape::Objects,
            PAGE,
            |obj: Redacted<Value>| {
                each(&obj);
                Ok(true)
            },
        )
    });
    match outcome {
        Ok(_) => Ok(true),
        Err(err)
            if matches!(
                err.code,
                crate::error::Code::Forbidden | crate::error::Code::NotFound
            ) =>
        {
            unread.push(format!("{typed} ({})", err.code));
            Ok(false)
        }
        Err(err) => Err(err),
    }
}

/// Helm releases whose newest revision is stuck or failed, from the labels of their
/// release Secrets and ConfigMaps read as metadata only ([`super::helm`]); whether they
/// could be read.
fn helm_releases(
    e: &Engine,
    cmd: &Command,
    t: &mut Triage,
    unread: &mut Vec<String>,
) -> Result<bool> {
    let outcome = e.resolve_type("secrets").and_then(|res| {
        let nss = e.namespaces(cmd, &res)?;
        super::helm::revisions(e, &nss, None)
    });
    match outcome {
        Ok((revs, _, _)) => {
            for r in super::helm::latest(&revs) {
                if r.is_stuck() {
                    t.helm_release(&r.namespace, &r.name, r.revision, &r.status);
                }
            }
            Ok(true)
        }
        Err(err) if matches!(err.code, Code::Forbidden | Code::NotFound) => {
            unread.push(format!("helm releases ({})", err.code));
            Ok(false)
        }
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: LineKind, depth: usize, body: &str) -> Line {
        Line {
            kind,
            depth,
            body: body.to_string(),
            tail: None,
        }
    }

    #[test]
    fn over_budget_symptoms_go_before_any_cause_deepest_and_last_first() {
        let mut lines = vec![
            line(LineKind::Header, 0, "triage: …"),
            line(LineKind::Finding, 0, &"a".repeat(100)),
            line(LineKind::Symptom, 1, &"b".repeat(100)),
            line(LineKind::Symptom, 2, &"c".repeat(100)),
            line(LineKind::Finding, 0, &"d".repeat(100)),
            line(LineKind::Symptom, 1, &"e".repeat(100)),
        ];
        let dropped = fit_causes(&mut lines, 300, 1);
        assert_eq!(dropped, (3, 0));
        let kept: Vec<LineKind> = lines.iter().map(|l| l.kind).collect();
        assert_eq!(
            kept,
            [LineKind::Header, LineKind::Finding, LineKind::Finding]
        );
        // Causes alone over the budget: nothing more to drop, the budget cuts as before.
        assert_eq!(fit_causes(&mut lines, 10, 1), (0, 0));
    }

    #[test]
    fn over_budget_last_changes_go_after_the_symptoms_and_before_any_cause() {
        let with_tail = |kind, depth, body: &str| Line {
            tail: Some(format!("last change 10:12: {}", "t".repeat(80))),
            ..line(kind, depth, body)
        };
        let mut lines = vec![
            line(LineKind::Header, 0, "triage: …"),
            with_tail(LineKind::Finding, 0, &"a".repeat(100)),
            with_tail(LineKind::Symptom, 1, &"b".repeat(100)),
            with_tail(LineKind::Finding, 0, &"d".repeat(100)),
        ];
        // Room for both causes and one tail: the symptom goes, then the last cause's tail.
        assert_eq!(fit_causes(&mut lines, 330, 1), (1, 1));
        assert!(lines[1].tail.is_some() && lines[2].tail.is_none());
        assert_eq!(lines.len(), 3);
        // Room for the causes only: every tail goes, no cause does.
        assert_eq!(fit_causes(&mut lines, 220, 1), (0, 1));
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l.tail.is_none()));
    }

    #[test]
    fn the_json_form_says_what_each_line_is_and_how_deep() {
        let v: serde_json::Value =
            serde_json::from_str(&json_line(&line(LineKind::Symptom, 2, "svc/api: x"))).unwrap();
        assert_eq!(v["kind"], "symptom");
        assert_eq!(v["depth"], 2);
        assert_eq!(v["text"], "svc/api: x");
    }
}
