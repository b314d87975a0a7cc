//! `rollout history`: a deployment's revisions, read from its ReplicaSets' annotations.

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
}
