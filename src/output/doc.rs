//! Documents for `-o json` and `-o yaml`: one place that turns a JSON value into text.
//!
//! serde_json's default map is a BTreeMap, so keys come out sorted, as kubectl prints them
//! (Go's encoding/json sorts map keys by their bytes, as `String`'s `Ord` does).

use std::io;

use serde::Serialize;
use serde_json::Value;
use serde_json::ser::{Formatter, PrettyFormatter};

use crate::redact::Redacted;

/// kubectl's JSON indent: `json.MarshalIndent(obj, "", "    ")`.
pub const JSON_INDENT: &str = "    ";

/// Pretty JSON as kubectl prints it (four-space indent, `<`, `>` and `&` escaped as Go
/// does) with a trailing newline, of a redacted value only.
pub fn to_json(v: &Redacted<Value>) -> String {
    let mut s = pretty(v.value());
    s.push('\n');
    s
}

/// `v` in kubectl's JSON layout, without a trailing newline. For values built from text
/// that is already redacted (a `changes` entry); objects go through [`to_json`].
pub fn pretty(v: &Value) -> String {
    let mut out = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, GoFormatter::new());
    // Serialising a `Value` into memory cannot fail (its keys are strings); fall back to
    // compact JSON rather than panic should that ever change.
    if v.serialize(&mut ser).is_err() {
        return v.to_string();
    }
    String::from_utf8(out).unwrap_or_else(|_| v.to_string())
}

/// serde_json's pretty printer at kubectl's indent, escaping what Go's `json.Marshal`
/// escapes beyond JSON's minimum (`<`, `>`, `&` as `\u003c`, `\u003e`, `\u0026`), so a
/// document reads byte for byte as kubectl's. (U+2028 and U+2029, which Go escapes too, are
/// already `\u2028`/`\u2029` by `output::printable`.) The redaction markers stay as they
/// are (`"<redacted>"`, not `"\u003credacted\u003e"`): they are ours, not kubectl's, and
/// what a reader searches for; the JSON value is the same either way.
struct GoFormatter(PrettyFormatter<'static>);

/// The redaction markers, written unescaped in JSON.
const MARKERS: [&str; 2] = [crate::redact::REDACTED, crate::redact::REDACTED_CHANGED];

impl GoFormatter {
    fn new() -> GoFormatter {
        GoFormatter(PrettyFormatter::with_indent(JSON_INDENT.as_bytes()))
    }
}

impl Formatter for GoFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(i) = rest.find(['<', '>', '&']) {
            if let Some(m) = MARKERS.iter().find(|m| rest[i..].starts_with(*m)) {
                w.write_all(&rest.as_bytes()[..i + m.len()])?;
                rest = &rest[i + m.len()..];
                continue;
            }
            w.write_all(&rest.as_bytes()[..i])?;
            w.write_all(match rest.as_bytes()[i] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                _ => b"\\u0026",
            })?;
            rest = &rest[i + 1..];
        }
        w.write_all(rest.as_bytes())
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
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
            s.starts_with("{\n    \"apiVersion\": \"apps/v1\""),
            "{}",
            &s[..40]
        );
        assert!(s.ends_with("}\n"));
        assert_eq!(&serde_json::from_str::<Value>(&s).unwrap(), v.value());
    }

    #[test]
    fn json_escapes_html_characters_and_indents_as_kubectl() {
        let v = serde_json::json!({"b": ["<a&b>"], "a": {}, "c": [], "d": "k=<redacted>&<"});
        assert_eq!(
            pretty(&v),
            "{\n    \"a\": {},\n    \"b\": [\n        \"\\u003ca\\u0026b\\u003e\"\n    ],\n    \"c\": [],\n    \
             \"d\": \"k=<redacted>\\u0026\\u003c\"\n}"
        );
        assert_eq!(serde_json::from_str::<Value>(&pretty(&v)).unwrap(), v);
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
