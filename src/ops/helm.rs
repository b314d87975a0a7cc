//! `helm list` and `helm history`: Helm 3 releases from the **labels** of their storage
//! objects, never their data.
//!
//! Helm stores each release revision as a Secret `sh.helm.release.v1.NAME.vN` (or a
//! ConfigMap of that name with the configmap driver) labelled `owner=helm`, `name`,
//! `status`, `version` and, in newer Helm, `createdAt`/`modifiedAt`. Its `data.release`
//! holds the chart and the values — often credentials — so it is never read: Secrets are
//! listed as `PartialObjectMetadata` (the transport refuses anything else for them) and so
//! are the ConfigMaps, whose data would otherwise reach the redactor. What the labels cannot
//! say (CHART, APP VERSION, DESCRIPTION) is left out and the answer says so.
//!
//! helm's rules kept: `list` shows each release's newest revision, deployed and failed only
//! unless `--all`, sorted by name; `history` shows at most the newest 256 revisions.
//! UPDATED is the revision's creation (`createdAt` label, else the object's
//! `creationTimestamp`), the closest the metadata comes to helm's `LastDeployed`.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::command::{Command, Op, OutputFormat};
use crate::error::{Code, Error, Result};
use crate::kube::ACCEPT_METADATA;
use crate::output::budget::Budget;
use crate::output::table::render_columns;
use crate::output::{Format, Output};
use crate::redact::Redacted;
use crate::timefmt::parse_rfc3339;
use crate::url::with_query;

use super::engine::{Engine, Namespaces};
use super::get::PAGE;

/// The name prefix of Helm 3's release storage objects.
const PREFIX: &str = "sh.helm.release.v1.";
/// Most revisions read per command; the rest are counted, not kept.
const MAX_REVISIONS: usize = 5000;
/// `helm history`'s default `--max`.
const HISTORY_MAX: usize = 256;
/// What every answer says about the columns the labels cannot fill.
const NOT_READ: &str = "[kubeglass: CHART, APP VERSION and DESCRIPTION are in the release data, \
     which kubeglass never reads (labels only)]";

/// One release revision, from its storage object's labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The release name (`name` label).
    pub name: String,
    /// The namespace the release lives in.
    pub namespace: String,
    /// The revision number (`version` label).
    pub revision: u64,
    /// `status` label: deployed, superseded, failed, pending-upgrade, …
    pub status: String,
    /// When the revision was created.
    pub created: Option<SystemTime>,
    /// The last status change (`modifiedAt` label), when Helm wrote one.
    pub modified: Option<SystemTime>,
    /// `secret` or `configmap`: the storage driver.
    pub driver: &'static str,
}

impl Revision {
    /// Whether this status blocks the next upgrade or says the last one failed.
    pub fn is_stuck(&self) -> bool {
        self.status.starts_with("pending-") || self.status == "failed"
    }
}

/// The revisions the labels of one redacted storage object describe (`None` for an object
/// that is not a Helm 3 release record).
fn revision_of(obj: &Value, driver: &'static str) -> Option<Revision> {
    let meta = obj.get("metadata")?;
    let name = meta.get("name")?.as_str()?;
    if !name.starts_with(PREFIX) {
        return None;
    }
    let labels = meta.get("labels")?;
    let label = |k: &str| labels.get(k).and_then(Value::as_str);
    if label("owner") != Some("helm") {
        return None;
    }
    let unix = |k: &str| {
        label(k)
            .and_then(|s| s.parse::<u64>().ok())
            .map(|s| UNIX_EPOCH + Duration::from_secs(s))
    };
    let created = unix("createdAt").or_else(|| {
        meta.get("creationTimestamp")
            .and_then(Value::as_str)
            .and_then(parse_rfc3339)
    });
    Some(Revision {
        name: label("name")?.to_string(),
        namespace: meta.get("namespace")?.as_str()?.to_string(),
        revision: label("version")?.parse().ok()?,
        status: label("status").unwrap_or("unknown").to_string(),
        created,
        modified: unix("modifiedAt"),
        driver,
    })
}

/// Every release revision in `nss` (of `release` when given), from Secrets and then
/// ConfigMaps, read as metadata; how many were not kept (over [`MAX_REVISIONS`]); and a
/// note when the ConfigMaps could not be read (the Secret driver is Helm's default, so a
/// Forbidden there is not an error).
pub fn revisions(
    e: &Engine,
    nss: &Namespaces,
    release: Option<&str>,
) -> Result<(Vec<Revision>, usize, Option<String>)> {
    let selector = match release {
        Some(r) => format!("owner=helm,name={r}"),
        None => "owner=helm".to_string(),
    };
    let mut out = Vec::new();
    let mut dropped = 0;
    let mut note = None;
    for (kind, driver) in [("secrets", "secret"), ("configmaps", "configmap")] {
        for ns in nss.paths() {
            let base = match ns {
                Some(ns) => format!("/api/v1/namespaces/{ns}/{kind}"),
                None => format!("/api/v1/{kind}"),
            };
            let path = with_query(&base, &[("labelSelector", Some(selector.as_str()))]);
            // Metadata only, for both kinds: the release data never leaves the API server.
            let read = e.list_pages(&path, ACCEPT_METADATA, PAGE, |page: Redacted<Value>| {
                for item in page.items() {
                    match revision_of(item.value(), driver) {
                        Some(r) if out.len() < MAX_REVISIONS => out.push(r),
                        Some(_) => dropped += 1,
                        None => {}
                    }
                }
                Ok(true)
            });
            match read {
                Ok(()) => {}
                Err(err) if driver == "configmap" && err.code == Code::Forbidden => {
                    note = Some(format!(
                        "[kubeglass: ConfigMaps not readable here, so releases of Helm's \
                         configmap driver are not shown: {}]",
                        err.message
                    ));
                }
                Err(err) => return Err(err),
            }
        }
    }
    Ok((out, dropped, note))
}

/// The newest revision of each release (by namespace, then name).
pub fn latest(revs: &[Revision]) -> Vec<&Revision> {
    let mut newest: BTreeMap<(&str, &str), &Revision> = BTreeMap::new();
    for r in revs {
        let key = (r.namespace.as_str(), r.name.as_str());
        match newest.get(&key) {
            Some(have) if have.revision >= r.revision => {}
            _ => {
                newest.insert(key, r);
            }
        }
    }
    newest.into_values().collect()
}

/// Run `helm list` or `helm history`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let res = e.resolve_type("secrets")?;
    let nss = e.namespaces(cmd, &res)?;
    let release = (cmd.op == Op::HelmHistory)
        .then(|| cmd.names.first().map(String::as_str))
        .flatten();
    let (revs, dropped, note) = revisions(e, &nss, release)?;
    let mut notes: Vec<String> = note.into_iter().collect();
    if dropped > 0 {
        notes.push(format!(
            "[kubeglass: {dropped} more revisions not read (over {MAX_REVISIONS})]"
        ));
    }
    let json = cmd.output == OutputFormat::Json;
    if cmd.op == Op::HelmHistory {
        let name = release.unwrap_or_default();
        let mut rows: Vec<&Revision> = revs.iter().collect();
        rows.sort_by_key(|r| r.revision);
        if rows.len() > HISTORY_MAX {
            rows.drain(..rows.len() - HISTORY_MAX);
        }
        if rows.is_empty() {
            // helm's own words, and a failed command like helm's.
            return Err(Error::new(
                Code::NotFound,
                format!("release: not found ({name})"),
            ));
        }
        return Ok(if json {
            documents(&rows, max)
        } else {
            table(&history_lines(&rows), &notes, max)
        });
    }
    let newest = latest(&revs);
    let hidden = newest
        .iter()
        .filter(|r| !cmd.all && !shown_by_default(r))
        .count();
    let mut rows: Vec<&Revision> = newest
        .into_iter()
        .filter(|r| cmd.all || shown_by_default(r))
        .collect();
    rows.sort_by(|a, b| (&a.name, &a.namespace).cmp(&(&b.name, &b.namespace)));
    if hidden > 0 {
        notes.push(format!(
            "[kubeglass: {hidden} release(s) whose newest revision is neither deployed nor \
             failed not shown, as helm does; --all shows them]"
        ));
    }
    Ok(if json {
        documents(&rows, max)
    } else {
        table(&list_lines(&rows), &notes, max)
    })
}

/// helm list's default filter: deployed and failed releases.
fn shown_by_default(r: &Revision) -> bool {
    matches!(r.status.as_str(), "deployed" | "failed")
}

/// `helm list`'s columns the labels fill; UPDATED as Go's `time.Time.String()` in UTC.
pub fn list_lines(rows: &[&Revision]) -> Vec<String> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.namespace.clone(),
                r.revision.to_string(),
                r.created.map_or("-".into(), go_time_string),
                r.status.clone(),
            ]
        })
        .collect();
    render_columns(
        &["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS"],
        &cells,
    )
}

/// `helm history`'s columns the labels fill; UPDATED in Go's `time.ANSIC` (UTC).
pub fn history_lines(rows: &[&Revision]) -> Vec<String> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.revision.to_string(),
                r.created.map_or("-".into(), ansic),
                r.status.clone(),
            ]
        })
        .collect();
    render_columns(&["REVISION", "UPDATED", "STATUS"], &cells)
}

/// Lines, then the notes, within the budget.
fn table(lines: &[String], notes: &[String], max: usize) -> Output {
    let mut budget = Budget::new(max);
    for l in lines {
        if !budget.push(l) {
            break;
        }
    }
    for n in notes.iter().map(String::as_str).chain([NOT_READ]) {
        budget.push_note(n);
    }
    budget.finish(Format::Text, "narrow with -n or a release name")
}

/// The revisions as a JSON List, within the budget.
fn documents(rows: &[&Revision], max: usize) -> Output {
    let mut budget = Budget::json_list(max);
    let time = |t: Option<SystemTime>| t.map(crate::timefmt::format_rfc3339);
    for r in rows {
        let doc = json!({
            "name": r.name,
            "namespace": r.namespace,
            "revision": r.revision,
            "updated": time(r.created),
            "modified": time(r.modified),
            "status": r.status,
            "storage": r.driver,
        });
        if !budget.push(&doc.to_string()) {
            break;
        }
    }
    budget.finish(Format::Json, "narrow with -n or a release name")
}

/// Go's `time.Time.String()` for a UTC time: `2006-01-02 15:04:05 +0000 UTC`.
fn go_time_string(t: SystemTime) -> String {
    let s = crate::timefmt::format_rfc3339(t);
    format!("{} {} +0000 UTC", &s[..10], &s[11..19])
}

/// Go's `time.ANSIC` for a UTC time: `Mon Jan  2 15:04:05 2006`.
fn ansic(t: SystemTime) -> String {
    // `Mon, 02 Jan 2006 15:04:05 +0000` rearranged.
    let r = crate::timefmt::format_rfc1123z(t);
    let parts: Vec<&str> = r.split(' ').collect();
    match parts.as_slice() {
        [day, dd, mon, year, clock, _] => {
            let d: u32 = dd.parse().unwrap_or(0);
            format!("{} {mon} {d:>2} {clock} {year}", day.trim_end_matches(','))
        }
        _ => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, rev: u64, status: &str) -> Value {
        json!({"metadata": {
            "name": format!("{PREFIX}{name}.v{rev}"),
            "namespace": "shop",
            "creationTimestamp": "2026-12-07T16:00:00Z",
            "labels": {"name": name, "owner": "helm", "status": status,
                       "version": rev.to_string(), "modifiedAt": "1765123200"}
        }})
    }

    #[test]
    fn releases_come_from_labels_and_only_helm_records_count() {
        let r = revision_of(&record("web", 3, "deployed"), "secret").unwrap();
        assert_eq!(
            (r.name.as_str(), r.revision, r.status.as_str()),
            ("web", 3, "deployed")
        );
        assert_eq!(r.created, parse_rfc3339("2026-12-07T16:00:00Z"));
        let mut other = record("web", 3, "deployed");
        other["metadata"]["labels"]["owner"] = json!("someone");
        assert!(revision_of(&other, "secret").is_none());
        let mut renamed = record("web", 3, "deployed");
        renamed["metadata"]["name"] = json!("db-password");
        assert!(revision_of(&renamed, "secret").is_none());
    }

    #[test]
    fn list_shows_the_newest_revision_and_history_every_one_in_helms_columns() {
        let revs: Vec<Revision> = [
            ("web", 1, "superseded"),
            ("web", 2, "deployed"),
            ("api", 1, "deployed"),
            ("api", 2, "pending-upgrade"),
        ]
        .iter()
        .map(|(n, v, s)| revision_of(&record(n, *v, s), "secret").unwrap())
        .collect();
        let newest = latest(&revs);
        assert_eq!(newest.len(), 2);
        assert!(newest.iter().any(|r| r.name == "api" && r.is_stuck()));
        let lines = list_lines(&newest);
        assert_eq!(
            lines[0],
            "NAME   NAMESPACE   REVISION   UPDATED                         STATUS"
        );
        assert_eq!(
            lines[1],
            "api    shop        2          2026-12-07 16:00:00 +0000 UTC   pending-upgrade"
        );
        let web: Vec<&Revision> = revs.iter().filter(|r| r.name == "web").collect();
        let h = history_lines(&web);
        assert_eq!(h[1], "1          Mon Dec  7 16:00:00 2026   superseded");
    }
}

#[cfg(test)]
mod parse_tests {
    use crate::command::{Op, parse_line};

    #[test]
    fn helm_list_and_history_parse_in_both_forms_and_refuse_the_rest() {
        let c = parse_line("helm list -A --all -o json").unwrap();
        assert_eq!((c.op, c.all_namespaces, c.all), (Op::HelmList, true, true));
        let c = parse_line("helm history web -n shop").unwrap();
        assert_eq!(
            (c.op, c.names.as_slice()),
            (Op::HelmHistory, &["web".to_string()][..])
        );
        let j = crate::command::parse_json_str(r#"{"op":"helm-history","names":["web"]}"#);
        assert_eq!(j.unwrap().op, Op::HelmHistory);
        for bad in [
            "helm history",
            "helm list web",
            "helm upgrade web",
            "helm",
            "get pods --all",
        ] {
            assert!(parse_line(bad).is_err(), "{bad}");
        }
    }
}
