//! The structural walk over API objects, Lists and Tables.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::names::is_credential_field;
use super::text::text_with;
use super::{LAST_APPLIED, REDACTED, RedactSettings, SECRET_ANNOTATIONS_SHOWN};

/// Redact an object, a List, or a Table in place (see the module header for what goes).
///
/// The walk is structural rather than per kind, so any object — built-in or a custom
/// resource — is covered: every object with a `metadata` map is cleaned; every string field
/// whose name looks sensitive ([`is_credential_field`]) becomes [`REDACTED`]; every
/// `{name, value}` pair with a sensitive name (env, probe headers) hides its value; every
/// `command`/`args` list hides the values of sensitive flags; every other string passes the
/// text redactor; Table cells in sensitive-named columns are hidden; and every
/// `kind: Secret` loses its data.
pub(super) fn object(v: &mut Value, s: &RedactSettings) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| object(i, s)),
        Value::Object(map) => {
            clean_map(map, s);
            for (k, child) in map.iter_mut() {
                match child {
                    Value::String(text) if is_credential_field(k, s) => {
                        *text = REDACTED.to_string()
                    }
                    _ => object(child, s),
                }
            }
        }
        Value::String(text) => redact_string_with(text, s),
        _ => {}
    }
}

/// The redactions that apply to one JSON map, whatever it is.
pub(super) fn clean_map(map: &mut Map<String, Value>, s: &RedactSettings) {
    if let Some(Value::Object(meta)) = map.get_mut("metadata") {
        clean_metadata(meta, s);
    }
    match map.get("kind").and_then(Value::as_str) {
        Some("Secret") => drop_secret_data(map),
        // Items of a list from the API carry no `kind` of their own.
        Some("SecretList") => {
            if let Some(Value::Array(items)) = map.get_mut("items") {
                items
                    .iter_mut()
                    .filter_map(Value::as_object_mut)
                    .for_each(drop_secret_data);
            }
        }
        Some("Table") => redact_columns(map, s),
        _ => {}
    }
    hide_named_value(map, s);
    for field in ["command", "args"] {
        if let Some(Value::Array(words)) = map.get_mut(field) {
            redact_args(words, s);
        }
    }
}

/// Replace `m` by its redacted text when the text redactor changed anything.
pub(super) fn redact_string_with(m: &mut String, s: &RedactSettings) {
    if let Cow::Owned(r) = text_with(m, s) {
        *m = r;
    }
}

/// A server-side Table's cells in columns whose names look sensitive (a custom resource's
/// `PASSWORD` column); the other cells pass the text redactor in the walk.
pub(super) fn redact_columns(table: &mut Map<String, Value>, s: &RedactSettings) {
    // The columns' descriptions are the API's field docs, never shown: dropped before the
    // walk rather than sent through the text redactor on every page (measured: 7 in 10 of
    // the agent's CPU on a small `get pods`, docs/performance.md).
    if let Some(Value::Array(columns)) = table.get_mut("columnDefinitions") {
        for c in columns.iter_mut().filter_map(Value::as_object_mut) {
            c.remove("description");
        }
    }
    let hidden: Vec<usize> = table
        .get("columnDefinitions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, c)| {
            c.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| s.is_sensitive(n))
        })
        .map(|(i, _)| i)
        .collect();
    if hidden.is_empty() {
        return;
    }
    let Some(Value::Array(rows)) = table.get_mut("rows") else {
        return;
    };
    for row in rows {
        if let Some(Value::Array(cells)) = row.get_mut("cells") {
            for i in &hidden {
                if let Some(c @ Value::String(_)) = cells.get_mut(*i) {
                    *c = Value::String(REDACTED.to_string());
                }
            }
        }
    }
}

/// A Secret's values and its annotation values; its name, labels and annotation keys stay.
pub(super) fn drop_secret_data(secret: &mut Map<String, Value>) {
    secret.remove("data");
    secret.remove("stringData");
    if let Some(Value::Object(meta)) = secret.get_mut("metadata") {
        hide_secret_annotations(meta);
    }
}

/// Every metadata map in a Secret metadata response (one object or a List of them).
pub(super) fn hide_secret_annotations_everywhere(v: &mut Value) {
    if let Some(Value::Object(meta)) = v.get_mut("metadata") {
        hide_secret_annotations(meta);
    }
    if let Some(Value::Array(items)) = v.get_mut("items") {
        for item in items {
            hide_secret_annotations_everywhere(item);
        }
    }
    // A Table's rows carry the objects (their metadata) under `object`.
    if let Some(Value::Array(rows)) = v.get_mut("rows") {
        for row in rows {
            if let Some(object) = row.get_mut("object") {
                hide_secret_annotations_everywhere(object);
            }
        }
    }
}

/// Annotation values of a Secret other than [`SECRET_ANNOTATIONS_SHOWN`] become [`REDACTED`].
pub(super) fn hide_secret_annotations(meta: &mut Map<String, Value>) {
    if let Some(Value::Object(annotations)) = meta.get_mut("annotations") {
        for (k, v) in annotations.iter_mut() {
            if !SECRET_ANNOTATIONS_SHOWN.contains(&k.as_str()) {
                *v = Value::String(REDACTED.to_string());
            }
        }
    }
}

/// Drop the last-applied annotation (and an emptied annotations map) and managedFields.
/// An annotation value that is a JSON document (a tool's copy of the object, such as
/// kapp's `original`) is redacted as an object; the walk then redacts every value as text.
pub(super) fn clean_metadata(meta: &mut Map<String, Value>, s: &RedactSettings) {
    meta.remove("managedFields");
    if let Some(Value::Object(annotations)) = meta.get_mut("annotations") {
        annotations.remove(LAST_APPLIED);
        for v in annotations.values_mut() {
            if let Value::String(a) = v {
                redact_embedded_json(a, s);
            }
        }
        if annotations.is_empty() {
            meta.remove("annotations");
        }
    }
}

/// Redact a string that holds a JSON object or array structurally (in place, compact).
pub(super) fn redact_embedded_json(a: &mut String, s: &RedactSettings) {
    let t = a.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return;
    }
    if let Ok(mut doc) = serde_json::from_str::<Value>(a) {
        object(&mut doc, s);
        *a = doc.to_string();
    }
}

/// `{name, value}` with a sensitive name (an env var, a probe's HTTP header, a custom
/// resource's parameter) hides its literal value. `valueFrom` references stay: they name a
/// Secret key but carry no value.
pub(super) fn hide_named_value(map: &mut Map<String, Value>, s: &RedactSettings) {
    let sensitive = map
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| s.is_sensitive(n));
    if let (true, Some(Value::String(value))) = (sensitive, map.get_mut("value")) {
        *value = REDACTED.to_string();
    }
}

/// `--password=x` and `--password x` in a command or args list (every word also passes the
/// text redactor in the walk).
pub(super) fn redact_args(words: &mut [Value], s: &RedactSettings) {
    let mut hide_next = false;
    for w in words.iter_mut() {
        let Value::String(word) = w else {
            hide_next = false;
            continue;
        };
        if hide_next && !word.starts_with('-') {
            *word = REDACTED.to_string();
            hide_next = false;
            continue;
        }
        hide_next = word.starts_with('-') && !word.contains('=') && s.is_sensitive(word);
        if let Some((flag, _)) = word.split_once('=')
            && flag.starts_with('-')
            && s.is_sensitive(flag)
        {
            *word = format!("{flag}={REDACTED}");
        }
    }
}
