//! `rollout history`: a deployment's revisions, read from its ReplicaSets' annotations; a
//! StatefulSet's or DaemonSet's, from its ControllerRevisions.

use serde_json::Value;

use crate::output::table::render_columns;
use crate::redact::Redacted;

const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// kubectl's `rollout history` text for `deploy` and the ReplicaSets it owns, its note on
/// revisions no ReplicaSet holds as the last line.
#[cfg(test)]
pub fn history(deploy: &Redacted<Value>, replica_sets: &[Redacted<Value>]) -> String {
    let (mut text, note) = history_parts(deploy, replica_sets);
    if let Some(n) = note {
        text.push_str(&n);
        text.push('\n');
    }
    text
}

/// kubectl's `rollout history` text for `deploy` and the ReplicaSets it owns, and apart
/// from it the note on revisions no ReplicaSet holds (`query` prints it on stderr).
pub fn history_parts(
    deploy: &Redacted<Value>,
    replica_sets: &[Redacted<Value>],
) -> (String, Option<String>) {
    let name = deploy
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut revs: Vec<(i64, String, String)> = replica_sets
        .iter()
        .filter_map(|rs| {
            let ann = rs.pointer("/metadata/annotations")?;
            let rev: i64 = ann.get(REVISION)?.as_str()?.parse().ok()?;
            let cause = ann
                .get(CHANGE_CAUSE)
                .and_then(Value::as_str)
                .unwrap_or("<none>");
            let rs_name = rs
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            Some((rev, cause.to_string(), rs_name.to_string()))
        })
        .collect();
    revs.sort();
    let current = deploy
        .pointer(&format!(
            "/metadata/annotations/{}",
            REVISION.replace('/', "~1")
        ))
        .and_then(Value::as_str)
        .and_then(|r| r.parse::<i64>().ok());
    let mut out = format!("deployment.apps/{name}\n");
    if revs.is_empty() {
        out.push_str("No rollout history found (no ReplicaSet with a revision annotation).\n");
        return (out, None);
    }
    let gone = gone_note(deploy, &revs);
    let rows: Vec<Vec<String>> = revs
        .into_iter()
        .map(|(rev, cause, rs)| {
            let mark = if Some(rev) == current {
                " (current)"
            } else {
                ""
            };
            vec![format!("{rev}{mark}"), rs, cause]
        })
        .collect();
    for l in render_columns(&["REVISION", "REPLICASET", "CHANGE-CAUSE"], &rows) {
        out.push_str(&l);
        out.push('\n');
    }
    (out, gone)
}

/// Most runs of missing revisions a note names (`1-2, 4, 6-9, …`).
const MAX_GAPS: usize = 8;
/// `spec.revisionHistoryLimit` when the Deployment sets none (the API's default).
const DEFAULT_HISTORY_LIMIT: i64 = 10;

/// Revisions below the newest that no ReplicaSet holds, and why they may be gone: a
/// history that starts at 3 otherwise reads as if 3 were the first rollout.
fn gone_note(deploy: &Value, revs: &[(i64, String, String)]) -> Option<String> {
    let newest = revs.iter().map(|r| r.0).max()?;
    let held: std::collections::BTreeSet<i64> = revs.iter().map(|r| r.0).collect();
    let mut runs: Vec<(i64, i64)> = Vec::new();
    let mut missing = 0;
    // Ranges walked over what is held: a revision number of 10^18 costs no loop.
    let mut next = 1;
    for &r in held.iter().filter(|&&r| r >= 1) {
        if r > next {
            runs.push((next, r - 1));
            missing += r - next;
        }
        next = r.saturating_add(1);
    }
    if runs.is_empty() {
        return None;
    }
    let mut named: Vec<String> = runs
        .iter()
        .take(MAX_GAPS)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    if runs.len() > MAX_GAPS {
        named.push("…".into());
    }
    let limit = deploy
        .pointer("/spec/revisionHistoryLimit")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_HISTORY_LIMIT);
    let old = held.iter().filter(|&&r| r < newest).count() as i64;
    let what = if missing == 1 {
        "revision"
    } else {
        "revisions"
    };
    let why = if limit <= 0 {
        "spec.revisionHistoryLimit 0 keeps no old ReplicaSet".to_string()
    } else if old >= limit {
        format!("spec.revisionHistoryLimit {limit} keeps only the {limit} newest old ReplicaSets")
    } else {
        format!(
            "not pruned by spec.revisionHistoryLimit {limit} (unless it was lower then): their ReplicaSets were deleted, or a rollback renumbered them (rollout undo gives the restored revision the next number)"
        )
    };
    Some(format!(
        "[kubeglass: {what} {} not kept: {why}]",
        named.join(", ")
    ))
}

/// kubectl's `rollout history` text for a StatefulSet or DaemonSet (`statefulset.apps`,
/// its name) and its ControllerRevisions: `REVISION  CHANGE-CAUSE`, oldest first, in
/// kubectl's tabwriter layout (two spaces between columns).
pub fn revisions(type_name: &str, name: &str, revisions: &[Redacted<Value>]) -> String {
    let mut out = format!("{type_name}/{name} \n");
    let mut revs: Vec<(i64, String)> = revisions
        .iter()
        .filter_map(|r| {
            let rev = r.get("revision")?.as_i64()?;
            let cause = r
                .pointer(&format!(
                    "/metadata/annotations/{}",
                    CHANGE_CAUSE.replace('/', "~1")
                ))
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty())
                .unwrap_or("<none>");
            Some((rev, cause.to_string()))
        })
        .collect();
    if revs.is_empty() {
        out.push_str("No rollout history found.\n");
        return out;
    }
    revs.sort();
    let width = revs
        .iter()
        .map(|(r, _)| r.to_string().len())
        .chain(std::iter::once("REVISION".len()))
        .max()
        .unwrap_or(8)
        + 2;
    out.push_str(&format!("{:<width$}CHANGE-CAUSE\n", "REVISION"));
    for (rev, cause) in revs {
        out.push_str(&format!("{:<width$}{cause}\n", rev.to_string()));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::shown;
    use serde_json::json;

    #[test]
    fn revisions_in_order_with_causes() {
        let deploy = shown(json!({"metadata": {"name": "api", "annotations": {REVISION: "2"}}}));
        let rs = |name: &str, rev: &str, cause: Option<&str>| {
            let mut ann = json!({REVISION: rev});
            if let Some(c) = cause {
                ann[CHANGE_CAUSE] = json!(c);
            }
            shown(json!({"metadata": {"name": name, "annotations": ann}}))
        };
        let out = history(
            &deploy,
            &[
                rs("api-b", "2", Some("set image api=2")),
                rs("api-a", "1", None),
                shown(json!({})),
            ],
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "deployment.apps/api");
        assert!(lines[2].starts_with("1 ") && lines[2].ends_with("<none>"));
        assert!(lines[3].starts_with("2 (current)") && lines[3].ends_with("set image api=2"));
        assert!(history(&deploy, &[]).contains("No rollout history"));
    }

    #[test]
    fn revisions_no_replica_set_holds_are_said_to_be_gone_and_why() {
        let rs = |name: &str, rev: &str| {
            shown(json!({"metadata": {"name": name, "annotations": {REVISION: rev}}}))
        };
        let deploy = |limit: Option<i64>| {
            let mut d =
                json!({"metadata": {"name": "api", "annotations": {REVISION: "3"}}, "spec": {}});
            if let Some(l) = limit {
                d["spec"]["revisionHistoryLimit"] = json!(l);
            }
            shown(d)
        };
        let out = history(&deploy(None), &[rs("api-c", "3")]);
        let last = out.lines().last().unwrap();
        assert!(
            last.starts_with(
                "[kubeglass: revisions 1-2 not kept: not pruned by spec.revisionHistoryLimit 10"
            ),
            "{out}"
        );
        let out = history(&deploy(Some(0)), &[rs("api-c", "3")]);
        assert!(
            out.ends_with(
                "revisions 1-2 not kept: spec.revisionHistoryLimit 0 keeps no old ReplicaSet]\n"
            ),
            "{out}"
        );
        let out = history(
            &deploy(Some(1)),
            &[rs("api-b", "2"), rs("api-d", "4"), rs("api-c", "6")],
        );
        assert!(
            out.ends_with("[kubeglass: revisions 1, 3, 5 not kept: spec.revisionHistoryLimit 1 keeps only the 1 newest old ReplicaSets]\n"),
            "{out}"
        );
        let whole = history(&deploy(None), &[rs("api-a", "1"), rs("api-b", "2")]);
        assert!(!whole.contains("not kept"), "{whole}");
        let huge = history(&deploy(None), &[rs("api-z", "9223372036854775807")]);
        assert!(
            huge.contains("revisions 1-9223372036854775806 not kept"),
            "{huge}"
        );
    }

    #[test]
    fn controller_revisions_print_as_kubectl() {
        let rev = |n: i64, cause: Option<&str>| {
            let mut v = json!({"kind": "ControllerRevision", "revision": n, "metadata": {"name": format!("r{n}")}});
            if let Some(c) = cause {
                v["metadata"]["annotations"] = json!({CHANGE_CAUSE: c});
            }
            shown(v)
        };
        let out = revisions(
            "statefulset.apps",
            "db",
            &[rev(2, Some("kubectl set image")), rev(1, None)],
        );
        assert_eq!(
            out,
            "statefulset.apps/db \nREVISION  CHANGE-CAUSE\n1         <none>\n2         kubectl set image\n\n"
        );
        assert_eq!(
            revisions("daemonset.apps", "x", &[]),
            "daemonset.apps/x \nNo rollout history found.\n"
        );
    }
}
