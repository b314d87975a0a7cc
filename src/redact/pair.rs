//! Two versions of one object redacted together (two revisions' pod templates), so that a
//! value the redactor hides in both can still be told changed or not: where both redacted
//! copies read the same (`<redacted>`) but the fetched values differ, the newer copy says
//! [`REDACTED_CHANGED`]. Only that one bit leaves the redactor — never either value, nor
//! anything derived from one (a hash of a short password could be searched).

use serde_json::{Map, Value};

use super::object::object;
use super::{RedactSettings, Redacted};

/// What a hidden value that differs between the two versions reads in the newer one.
pub const REDACTED_CHANGED: &str = "<redacted, changed>";

/// `old` and `new` redacted as any fetched object, the newer one marking each hidden value
/// that changed ([`REDACTED_CHANGED`]).
pub fn pair(old: Value, new: Value, s: &RedactSettings) -> (Redacted<Value>, Redacted<Value>) {
    let mut shown_old = old.clone();
    object(&mut shown_old, s);
    let mut shown_new = new.clone();
    object(&mut shown_new, s);
    mark(&old, &new, &shown_old, &mut shown_new);
    (Redacted(shown_old), Redacted(shown_new))
}

/// Walk the four trees together; lists of named objects (containers, env, volumes) are
/// matched by `name`, other lists by position.
fn mark(raw_old: &Value, raw_new: &Value, shown_old: &Value, shown_new: &mut Value) {
    match (raw_old, raw_new, shown_old, shown_new) {
        (Value::Object(a), Value::Object(b), Value::Object(sa), Value::Object(sb)) => {
            for (k, vb) in b {
                if let (Some(va), Some(sva), Some(svb)) = (a.get(k), sa.get(k), sb.get_mut(k)) {
                    mark(va, vb, sva, svb);
                }
            }
        }
        (Value::Array(a), Value::Array(b), Value::Array(sa), Value::Array(sb)) => {
            for (j, vb) in b.iter().enumerate() {
                let i = match name_of(vb) {
                    Some(n) => a.iter().position(|va| name_of(va) == Some(n)),
                    None => (j < a.len()).then_some(j),
                };
                if let (Some(i), Some(svb)) = (i, sb.get_mut(j))
                    && let (Some(va), Some(sva)) = (a.get(i), sa.get(i))
                {
                    mark(va, vb, sva, svb);
                }
            }
        }
        (a, b, Value::String(x), shown) if a != b && shown.as_str() == Some(x.as_str()) => {
            *shown = Value::String(REDACTED_CHANGED.to_string());
        }
        _ => {}
    }
}

/// The `name` of a list element that has one.
fn name_of(v: &Value) -> Option<&str> {
    v.as_object()
        .and_then(|m: &Map<String, Value>| m.get("name"))
        .and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(vars: Value) -> Value {
        json!({"spec": {"containers": [{"name": "api", "env": vars}]}})
    }

    #[test]
    fn a_hidden_value_that_changed_says_changed_and_shows_neither_value() {
        let old =
            env(json!([{"name": "DB_PASSWORD", "value": "hunter2"}, {"name": "A", "value": "1"}]));
        let new = env(
            json!([{"name": "X", "value": "y"}, {"name": "A", "value": "1"}, {"name": "DB_PASSWORD", "value": "hunter3"}]),
        );
        let (o, n) = pair(old, new, &RedactSettings::default());
        let (o, n) = (o.value().to_string(), n.value().to_string());
        assert!(!o.contains("hunter") && !n.contains("hunter"), "{o} {n}");
        assert!(n.contains(REDACTED_CHANGED), "{n}");
        assert!(!o.contains(REDACTED_CHANGED), "{o}");
        // The unchanged plain value at a different position stays as it is.
        assert!(n.contains(r#"{"name":"A","value":"1"}"#), "{n}");
    }

    #[test]
    fn a_hidden_value_that_did_not_change_stays_plainly_hidden() {
        let t = env(json!([{"name": "API_TOKEN", "value": "same"}]));
        let (_, n) = pair(t.clone(), t, &RedactSettings::default());
        let n = n.value().to_string();
        assert!(
            n.contains("<redacted>") && !n.contains(REDACTED_CHANGED),
            "{n}"
        );
    }
}
