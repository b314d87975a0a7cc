//! Documents for `-o json` and `-o yaml`: one place that turns a JSON value into text.
//!
//! serde_json's default map is a BTreeMap, so keys come out sorted, as kubectl prints them.

use serde_json::Value;

use crate::redact::Redacted;

/// Pretty JSON (two-space indent) with a trailing newline, of a redacted value only.
pub fn to_json(v: &Redacted<Value>) -> String {
    let v = v.value();
    // Serialising a `Value` cannot fail (its keys are strings); fall back to compact JSON
    // rather than panic should that ever change.
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
    s.push('\n');
    s
}

/// YAML in kubectl's layout (block style, two-space indent, compact list items), of a
/// redacted value only.
pub fn to_yaml(v: &Redacted<Value>) -> String {
    let v = v.value();
    match serde_saphyr::to_string(v) {
        Ok(s) if s.ends_with('\n') => s,
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => {
            // A `Value` always serialises; if the emitter ever refuses one, say so in the
            // document (as a YAML comment) rather than dropping the result silently.
            log::error!("yaml output failed: {e}");
            format!("# kubeglass: could not render YAML ({e}); use -o json\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::shown;

    const DEPLOYMENT: &str = include_str!("../../tests/fixtures/objects/deployment-web.json");

    fn deployment() -> Value {
        serde_json::from_str(DEPLOYMENT).unwrap()
    }

    #[test]
    fn json_is_pretty_and_round_trips() {
        let v = shown(deployment());
        let s = to_json(&v);
        assert!(
            s.starts_with("{\n  \"apiVersion\": \"apps/v1\""),
            "{}",
            &s[..40]
        );
        assert!(s.ends_with("}\n"));
        assert_eq!(&serde_json::from_str::<Value>(&s).unwrap(), v.value());
    }

    #[test]
    fn yaml_reads_like_kubectl_and_round_trips() {
        let v = shown(deployment());
        let s = to_yaml(&v);
        assert!(
            s.starts_with("apiVersion: apps/v1\nkind: Deployment\n"),
            "{}",
            &s[..60]
        );
        assert!(s.contains("\n      containers:\n      - env:\n"), "{s}");
        let back: Value = serde_saphyr::from_str(&s).unwrap();
        assert_eq!(&back, v.value());
    }

    #[test]
    fn yaml_quotes_strings_that_look_like_other_types() {
        let v =
            serde_json::json!({"a": "true", "b": "1.0", "c": "", "d": "x: y", "e": "line1\nline2"});
        let back: Value = serde_saphyr::from_str(&to_yaml(&shown(v.clone()))).unwrap();
        assert_eq!(back, v);
    }
}
