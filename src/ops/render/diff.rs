//! `rollout diff`: two redacted pod templates as field-level `-`/`+` lines, and the short
//! summary `changes` puts on a rollout's line (`image api: 2.4.0 → 2.4.1; env +DB_HOST`).
//!
//! Templates are flattened to `path → value` leaves; lists of named objects (containers,
//! env, volumes, ports) are keyed by name (`spec.containers[api].env[DB_HOST]`), an env
//! entry's `value` is the entry itself, and a list of plain values (`args`, `command`) is
//! one leaf. Both templates passed the redactor together: a hidden value that changed reads
//! [`REDACTED_CHANGED`] and is shown as `changed`, never as two values.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::redact::{REDACTED_CHANGED, Redacted};

/// Longest value shown on a diff line; longer ones end in `…`.
const MAX_VALUE: usize = 200;

/// One changed leaf of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delta {
    /// Only in the older template.
    Removed(String, String),
    /// Only in the newer one.
    Added(String, String),
    /// In both, different: (path, old, new).
    Changed(String, String, String),
    /// A hidden value that changed: its path only.
    Hidden(String),
}

impl Delta {
    fn path(&self) -> &str {
        match self {
            Delta::Removed(p, _) | Delta::Added(p, _) | Delta::Changed(p, _, _) => p,
            Delta::Hidden(p) => p,
        }
    }
}

/// The changed leaves from `old` to `new`, by path.
pub fn deltas(old: &Redacted<Value>, new: &Redacted<Value>) -> Vec<Delta> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    flatten("", old.value(), &mut a);
    flatten("", new.value(), &mut b);
    let mut out = Vec::new();
    for (path, va) in &a {
        match b.get(path) {
            None => out.push(Delta::Removed(path.clone(), va.clone())),
            Some(vb) if vb == va => {}
            Some(vb) if vb.contains(REDACTED_CHANGED) => out.push(Delta::Hidden(path.clone())),
            Some(vb) => out.push(Delta::Changed(path.clone(), va.clone(), vb.clone())),
        }
    }
    for (path, vb) in &b {
        if !a.contains_key(path) {
            out.push(Delta::Added(path.clone(), vb.clone()));
        }
    }
    out.sort_by(|x, y| x.path().cmp(y.path()));
    out
}

/// `rollout diff` text: a header, then `-`/`+` lines (a hidden change: one `~` line).
pub fn render(title: &str, from: i64, to: i64, deltas: &[Delta]) -> String {
    let mut out = format!("{title}: revision {from} → {to}\n");
    if deltas.is_empty() {
        out.push_str("No difference in the pod template.\n");
    }
    for d in deltas {
        match d {
            Delta::Removed(p, v) => out.push_str(&format!("- {p}: {}\n", cut(v))),
            Delta::Added(p, v) => out.push_str(&format!("+ {p}: {}\n", cut(v))),
            Delta::Changed(p, a, b) => {
                out.push_str(&format!("- {p}: {}\n+ {p}: {}\n", cut(a), cut(b)));
            }
            Delta::Hidden(p) => out.push_str(&format!("~ {p}: changed (value hidden)\n")),
        }
    }
    out
}

/// A container's env names (added, removed, changed).
type EnvNames = (Vec<String>, Vec<String>, Vec<String>);

/// What changed, in a few words and never a value but an image's: `image api: a → b`,
/// `container sidecar added`, `env +A -B ~C`, `api args changed`, `volumes changed`.
pub fn summary(deltas: &[Delta]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut env: BTreeMap<String, EnvNames> = BTreeMap::new();
    let push = |parts: &mut Vec<String>, s: String| {
        if !parts.contains(&s) {
            parts.push(s);
        }
    };
    // Containers only in one template are one phrase, not one per field.
    let containers = |deltas: &[Delta], added: bool| -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for d in deltas {
            let (Delta::Added(p, _) | Delta::Removed(p, _)) = d else {
                continue;
            };
            if matches!(d, Delta::Added(..)) != added {
                continue;
            }
            if let Some((c, rest)) = container_of(p) {
                let whole = !deltas.iter().any(|o| {
                    !matches!(o, Delta::Added(..) | Delta::Removed(..))
                        && container_of(o.path()).is_some_and(|(oc, _)| oc == c)
                });
                if whole && rest == "name" && !names.contains(&c.to_string()) {
                    names.push(c.to_string());
                }
            }
        }
        names
    };
    let added = containers(deltas, true);
    let removed = containers(deltas, false);
    for c in &added {
        push(&mut parts, format!("container {c} added"));
    }
    for c in &removed {
        push(&mut parts, format!("container {c} removed"));
    }
    for d in deltas {
        let p = d.path();
        let Some((c, rest)) = container_of(p) else {
            let field = p.split('.').take(2).collect::<Vec<_>>().join(".");
            let field = field.split('[').next().unwrap_or(&field);
            push(&mut parts, format!("{field} changed"));
            continue;
        };
        if added.iter().chain(&removed).any(|n| n == c) {
            continue;
        }
        if rest == "image"
            && let Delta::Changed(_, a, b) = d
        {
            push(&mut parts, format!("image {c}: {} → {}", cut(a), cut(b)));
            continue;
        }
        if let Some(var) = rest.strip_prefix("env[") {
            let name = var.split(']').next().unwrap_or(var).to_string();
            let e = env.entry(c.to_string()).or_default();
            let list = match d {
                Delta::Added(..) => &mut e.0,
                Delta::Removed(..) => &mut e.1,
                _ => &mut e.2,
            };
            if !list.contains(&name) {
                list.push(name);
            }
            continue;
        }
        let field = rest.split(['.', '[']).next().unwrap_or(rest);
        push(&mut parts, format!("{c} {field} changed"));
    }
    for (c, (added, removed, changed)) in env {
        let mut words: Vec<String> = Vec::new();
        words.extend(added.iter().map(|n| format!("+{n}")));
        words.extend(removed.iter().map(|n| format!("-{n}")));
        words.extend(changed.iter().map(|n| format!("~{n}")));
        push(&mut parts, format!("{c} env {}", words.join(" ")));
    }
    if parts.is_empty() {
        return "no template change".to_string();
    }
    parts.join("; ")
}

/// `(container, rest)` of a path under `spec.containers[C].` or `spec.initContainers[C].`.
fn container_of(path: &str) -> Option<(&str, &str)> {
    let rest = path
        .strip_prefix("spec.containers[")
        .or_else(|| path.strip_prefix("spec.initContainers["))
        .or_else(|| path.strip_prefix("spec.ephemeralContainers["))?;
    let (name, rest) = rest.split_once(']')?;
    Some((name, rest.strip_prefix('.').unwrap_or(rest)))
}

/// Leaves of `v` under `prefix` into `out`.
fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let path = join(k);
                // The controller's own bookkeeping, not a change anyone made.
                if k.starts_with('$')
                    || path == "metadata.labels.pod-template-hash"
                    || path == "metadata.creationTimestamp"
                {
                    continue;
                }
                flatten(&path, child, out);
            }
        }
        Value::Array(items) if items.iter().all(|i| name_of(i).is_some()) && !items.is_empty() => {
            for item in items {
                let name = name_of(item).unwrap_or("");
                let path = format!("{prefix}[{name}]");
                match item.as_object() {
                    // An env entry `{name, value}` is its value.
                    Some(m) if m.len() == 2 && m.get("value").is_some_and(Value::is_string) => {
                        let v = m.get("value").and_then(Value::as_str).unwrap_or("");
                        out.insert(path, v.to_string());
                    }
                    Some(m) => {
                        for (k, child) in m {
                            if k != "name" || m.len() == 1 {
                                flatten(&format!("{path}.{k}"), child, out);
                            }
                        }
                        // A named element present in one template only is seen by its name.
                        out.insert(format!("{path}.name"), name.to_string());
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            out.insert(prefix.to_string(), v.to_string());
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), item, out);
            }
        }
        Value::Null => {}
        Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

fn name_of(v: &Value) -> Option<&str> {
    v.get("name").and_then(Value::as_str)
}

/// `v` cut at [`MAX_VALUE`] bytes.
fn cut(v: &str) -> String {
    cut_at(v, MAX_VALUE)
}

/// `v` cut at `max` bytes (on a character boundary), ending in `…` when cut.
pub fn cut_at(v: &str, max: usize) -> String {
    if v.len() <= max {
        return v.to_string();
    }
    format!("{}…", &v[..v.floor_char_boundary(max)])
}

/// What a workload's newest revision `to` changed against `from` (`from == to`: no earlier
/// one is kept), as `triage` and `describe` say it: the [`summary`], or that there is
/// nothing to compare with.
pub fn latest(from: i64, to: i64, old: &Redacted<Value>, new: &Redacted<Value>) -> String {
    match (from == to, to <= 1) {
        (true, true) => format!("revision {to}, the first"),
        (true, false) => format!("revision {to}, no earlier revision to compare"),
        (false, _) => summary(&deltas(old, new)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::{RedactSettings, pair};
    use serde_json::json;

    fn template(image: &str, env: Value, args: Value) -> Value {
        json!({
            "metadata": {"labels": {"app": "api", "pod-template-hash": image}},
            "spec": {"containers": [{"name": "api", "image": image, "env": env, "args": args}]}
        })
    }

    fn diff(old: Value, new: Value) -> Vec<Delta> {
        let (o, n) = pair(old, new, &RedactSettings::default());
        deltas(&o, &n)
    }

    #[test]
    fn the_diff_lists_exactly_the_changed_fields_by_container_and_env_name() {
        let old = template(
            "shop/api:2.4.0",
            json!([{"name": "DB_HOST", "value": "db-1"}, {"name": "LOG", "value": "info"}]),
            json!(["--port", "8080"]),
        );
        let new = template(
            "shop/api:2.4.1",
            json!([{"name": "DB_HOST", "value": "db-2"}, {"name": "LOG", "value": "info"}, {"name": "CACHE", "value": "on"}]),
            json!(["--port", "9090"]),
        );
        let text = render("deployment.apps/api", 1, 2, &diff(old, new));
        assert_eq!(
            text,
            "deployment.apps/api: revision 1 → 2\n\
             - spec.containers[api].args: [\"--port\",\"8080\"]\n\
             + spec.containers[api].args: [\"--port\",\"9090\"]\n\
             + spec.containers[api].env[CACHE]: on\n\
             - spec.containers[api].env[DB_HOST]: db-1\n\
             + spec.containers[api].env[DB_HOST]: db-2\n\
             - spec.containers[api].image: shop/api:2.4.0\n\
             + spec.containers[api].image: shop/api:2.4.1\n"
        );
    }

    #[test]
    fn a_changed_secret_looking_env_value_is_one_changed_line_with_no_value() {
        let old = template(
            "a",
            json!([{"name": "DB_PASSWORD", "value": "hunter2"}]),
            json!([]),
        );
        let new = template(
            "a",
            json!([{"name": "DB_PASSWORD", "value": "hunter3"}]),
            json!([]),
        );
        let d = diff(old, new);
        let text = render("x", 1, 2, &d);
        assert_eq!(
            text,
            "x: revision 1 → 2\n~ spec.containers[api].env[DB_PASSWORD]: changed (value hidden)\n"
        );
        assert_eq!(summary(&d), "api env ~DB_PASSWORD");
    }

    #[test]
    fn the_summary_names_images_containers_env_names_and_fields_never_env_values() {
        let old = json!({"spec": {"containers": [
            {"name": "api", "image": "a:1", "env": [{"name": "OLD", "value": "v-old"}], "command": ["run"]}
        ], "volumes": [{"name": "data", "emptyDir": {}}]}});
        let new = json!({"spec": {"containers": [
            {"name": "api", "image": "a:2", "env": [{"name": "NEW", "value": "v-new"}], "command": ["serve"]},
            {"name": "sidecar", "image": "s:1"}
        ], "volumes": [{"name": "data", "emptyDir": {"medium": "Memory"}}]}});
        let s = summary(&diff(old, new));
        assert_eq!(
            s,
            "container sidecar added; api command changed; image api: a:1 → a:2; spec.volumes changed; api env +NEW -OLD"
        );
        assert!(!s.contains("v-old") && !s.contains("v-new"));
        let same = template("a", json!([]), json!([]));
        assert!(diff(same.clone(), same).is_empty());
    }

    #[test]
    fn the_latest_change_is_the_summary_or_says_it_is_the_first_revision() {
        let (o, n) = pair(
            template("api:2.4.0", json!([]), json!([])),
            template("api:2.4.1", json!([]), json!([])),
            &RedactSettings::default(),
        );
        assert_eq!(latest(2, 3, &o, &n), "image api: api:2.4.0 → api:2.4.1");
        assert_eq!(latest(1, 1, &n, &n), "revision 1, the first");
        assert_eq!(
            latest(3, 3, &n, &n),
            "revision 3, no earlier revision to compare"
        );
        assert_eq!(cut_at("abcdé", 4), "abcd…");
        assert_eq!(cut_at("abcdé", 5), "abcd…");
        assert_eq!(cut_at("abc", 5), "abc");
    }
}
