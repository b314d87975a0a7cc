//! `rollout history`: a deployment's revisions, read from its ReplicaSets' annotations; a
//! StatefulSet's or DaemonSet's, from its ControllerRevisions.

use serde_json::Value;

use crate::output::table::render_columns;
use crate::redact::Redacted;

const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// kubectl's `rollout history` text for `deploy` and the ReplicaSets it owns.
pub fn history(deploy: &Redacted<Value>, replica_sets: &[Redacted<Value>]) -> String {
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
        return out;
    }
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
    out
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
