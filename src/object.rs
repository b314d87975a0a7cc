//! Pure helpers on Kubernetes API objects (already fetched and redacted): what a selector
//! selects, who owns what, a list page's bookkeeping, a document's type.

use serde_json::Value;

use crate::json::{items, text};

use crate::kube::Resource;

/// The label selector of a workload or service object, as a query string value
/// (`matchLabels` and `matchExpressions`; a Service's plain `spec.selector` map).
pub fn selector_of(obj: &serde_json::Value) -> Option<String> {
    let spec = obj.get("spec")?;
    let sel = spec.get("selector")?;
    let mut parts = Vec::new();
    let labels = sel.get("matchLabels").or_else(|| {
        // Service: the selector is the label map itself.
        sel.get("matchExpressions").is_none().then_some(sel)
    });
    if let Some(map) = labels.and_then(|l| l.as_object()) {
        for (k, v) in map {
            parts.push(format!("{k}={}", v.as_str().unwrap_or_default()));
        }
    }
    for e in sel
        .get("matchExpressions")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
    {
        let key = e.get("key").and_then(|k| k.as_str()).unwrap_or_default();
        let values: Vec<&str> = e
            .get("values")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str())
            .collect();
        match e.get("operator").and_then(|o| o.as_str()) {
            Some("In") => parts.push(format!("{key} in ({})", values.join(","))),
            Some("NotIn") => parts.push(format!("{key} notin ({})", values.join(","))),
            Some("Exists") => parts.push(key.to_string()),
            Some("DoesNotExist") => parts.push(format!("!{key}")),
            _ => {}
        }
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

/// Whether reads of `res` must stay metadata-only.
pub fn is_secret(res: &Resource) -> bool {
    res.group.is_empty() && res.plural == "secrets"
}

/// `metadata.remainingItemCount` of a list page (0 when the server does not say).
pub fn remaining(page: &Value) -> usize {
    page.pointer("/metadata/remainingItemCount")
        .and_then(Value::as_u64)
        .unwrap_or(0) as usize
}

/// Whether `obj` has an owner reference to `uid`.
pub fn owned_by(obj: &Value, uid: &str) -> bool {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|o| o.get("uid").and_then(Value::as_str) == Some(uid))
}

/// Whether two label values are near enough to be a typo or a renamed version of each
/// other (`checkout` / `checkout-v2`, `web` / `wbe`): one contains the other, or they are
/// at most two edits apart.
pub fn alike(a: &str, b: &str) -> bool {
    a.contains(b) || b.contains(a) || edits(a, b) <= 2
}

/// Levenshtein distance (label values are short).
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// `deploy/api` for a pod of a Deployment's ReplicaSet, `sts/postgres`, `ds/x`, `job/y`;
/// `None` for a pod no controller owns.
pub fn owner_subject(p: &Value) -> Option<String> {
    let o = items(p, "/metadata/ownerReferences")
        .find(|o| o.get("controller") == Some(&Value::Bool(true)))?;
    let (kind, name) = (text(o, "/kind"), text(o, "/name"));
    let hash = text(p, "/metadata/labels/pod-template-hash");
    Some(match kind {
        "ReplicaSet" if !hash.is_empty() => format!(
            "deploy/{}",
            name.strip_suffix(&format!("-{hash}")).unwrap_or(name)
        ),
        other => format!("{}/{name}", short_kind(other)),
    })
}

/// kubectl's short names for the owner kinds triage names.
pub fn short_kind(kind: &str) -> String {
    match kind {
        "Deployment" => "deploy".into(),
        "StatefulSet" => "sts".into(),
        "DaemonSet" => "ds".into(),
        "ReplicaSet" => "rs".into(),
        "Job" => "job".into(),
        "CronJob" => "cronjob".into(),
        other => other.to_ascii_lowercase(),
    }
}

/// The ports a pod's containers declare, as `(name, containerPort)` (name empty when none).
pub fn declared_ports(pod: &Value) -> impl Iterator<Item = (String, i64)> + '_ {
    items(pod, "/spec/containers")
        .flat_map(|c| items(c, "/ports"))
        .map(|p| {
            let number = p.get("containerPort").and_then(Value::as_i64).unwrap_or(0);
            (text(p, "/name").to_string(), number)
        })
}

/// The `targetPort`s of a Service that the declared container ports of the pods it selects
/// do not resolve, each said in a few words. A named port no container declares never gets
/// an endpoint; a numeric one that matches no `containerPort` reaches a port nothing said it
/// listens on — flagged only when the pods declare ports at all (many declare none and
/// listen anyway). Shared by `endpoints` and `triage` so both judge a Service alike.
pub fn unresolved_target_ports(svc: &Value, declared: &[(String, i64)]) -> Vec<String> {
    let numbers: Vec<String> = declared
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(_, n)| n.to_string())
        .collect();
    let mut out = Vec::new();
    for p in items(svc, "/spec/ports") {
        let target = p.get("targetPort").or_else(|| p.get("port"));
        match target {
            Some(Value::String(name)) if name.parse::<i64>().is_err() => {
                let found = declared.iter().any(|(n, _)| n == name);
                out.extend((!found).then(|| {
                    format!("targetPort {name}: no container of its pods declares that port name")
                }));
            }
            Some(v) => {
                let n = match v {
                    Value::String(s) => s.parse::<i64>().unwrap_or(0),
                    other => other.as_i64().unwrap_or(0),
                };
                if n > 0 && !numbers.is_empty() && !declared.iter().any(|(_, d)| *d == n) {
                    let mut have = numbers.clone();
                    have.sort();
                    have.dedup();
                    have.truncate(4);
                    out.push(format!(
                        "targetPort {n}: no container of its pods declares that port (they declare {})",
                        have.join(", ")
                    ));
                }
            }
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_of_workloads_and_services() {
        let deploy = json!({"spec": {"selector": {"matchLabels": {"app": "api"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
                                 {"key": "canary", "operator": "DoesNotExist"}]}}});
        assert_eq!(
            selector_of(&deploy).as_deref(),
            Some("app=api,tier in (a,b),!canary")
        );
        let svc = json!({"spec": {"selector": {"app": "checkout"}}});
        assert_eq!(selector_of(&svc).as_deref(), Some("app=checkout"));
        assert_eq!(selector_of(&json!({"spec": {}})), None);
        assert_eq!(selector_of(&json!({"spec": {"selector": "junk"}})), None);
    }

    #[test]
    fn owner_references_are_matched_by_uid() {
        let rs = json!({"metadata": {"ownerReferences": [{"uid": "u1"}]}});
        assert!(owned_by(&rs, "u1"));
        assert!(!owned_by(&rs, "u2"));
        assert!(!owned_by(&json!({}), "u1"));
    }

    #[test]
    fn named_and_numeric_target_ports_that_no_container_declares_are_both_named() {
        let svc = json!({"spec": {"ports": [
            {"port": 80, "targetPort": "http-api"}, {"port": 81, "targetPort": 9090},
            {"port": 82, "targetPort": "http"}, {"port": 8080}]}});
        let declared = vec![("http".to_string(), 8080)];
        let got = unresolved_target_ports(&svc, &declared);
        assert_eq!(
            got,
            [
                "targetPort http-api: no container of its pods declares that port name",
                "targetPort 9090: no container of its pods declares that port (they declare 8080)"
            ]
        );
        // Pods that declare no port at all may listen anywhere: a number is not judged.
        assert_eq!(
            unresolved_target_ports(&svc, &[]),
            [
                "targetPort http-api: no container of its pods declares that port name",
                "targetPort http: no container of its pods declares that port name"
            ]
        );
    }
}
