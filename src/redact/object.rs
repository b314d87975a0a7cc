//! The structural walk over API objects, Lists and Tables.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::names::{describes_a_credential, is_credential_field, names_a_credential};
use super::shapes;
use super::text::text_with;
use super::{LAST_APPLIED, REDACTED, RedactSettings, SECRET_ANNOTATIONS_SHOWN};

/// Redact an object, a List, or a Table in place (see the module header for what goes).
///
/// The walk is structural rather than per kind, so any object — built-in or a custom
/// resource — is covered: every object with a `metadata` map is cleaned; every field whose
/// name looks sensitive ([`is_credential_field`]) has its whole value hidden, whatever its
/// JSON type ([`hide_value`]); every `{name|key|id, value|default|data|…}` pair with a
/// sensitive name hides its value ([`hide_named_value`]); every list of words hides the
/// values of sensitive flags; every other string passes the text redactor (which parses
/// documents inside strings); Table cells in sensitive-named columns are hidden; and every
/// `kind: Secret` loses its data.
pub(super) fn object(v: &mut Value, s: &RedactSettings) {
    match v {
        Value::Array(items) => {
            redact_args(items, s);
            items.iter_mut().for_each(|i| object(i, s));
        }
        Value::Object(map) => {
            clean_map(map, s);
            hide_token_keys(map);
            for (k, child) in map.iter_mut() {
                if is_credential_field(k, s) {
                    hide_value(child, s);
                } else {
                    object(child, s);
                }
            }
        }
        Value::String(text) => redact_string_with(text, s),
        _ => {}
    }
}

/// A key that is itself a provider token (`tokens: {ghp_…: alice}`) is hidden like a value
/// (`<redacted>`, then `<redacted-2>`, … when a map has several); its value stays and is
/// walked as any other.
fn hide_token_keys(map: &mut Map<String, Value>) {
    if !map.keys().any(|k| shapes::holds_token(k)) {
        return;
    }
    let keys: Vec<String> = map
        .keys()
        .filter(|k| shapes::holds_token(k))
        .cloned()
        .collect();
    let mut n = 0;
    for k in keys {
        let Some(v) = map.remove(&k) else { continue };
        let name = loop {
            n += 1;
            let name = if n == 1 {
                REDACTED.to_string()
            } else {
                format!("<redacted-{n}>")
            };
            if !map.contains_key(&name) {
                break name;
            }
        };
        map.insert(name, v);
    }
}

/// Everything under a sensitive name: strings and numbers become [`REDACTED`], inside
/// arrays and maps too (`password: ["x"]`, `secret: {value: x}`, `apiKey: 4477`). Kept:
/// booleans and nulls (a bit says nothing); the naming fields of a reference to a credential
/// — a map with a `name` or `…Name` field, or a volume's `items` —
/// (`secret: {secretName: db, items: [{key: pw, path: pw}], defaultMode: 420}`,
/// `imagePullSecrets: [{name: regcred}]`, `password: {name: s, key: k}`), which an
/// investigation needs and which hold no value; and settings that describe a credential
/// without being one (`privateKey: {algorithm: RSA, size: 2048}`).
pub(super) fn hide_value(v: &mut Value, s: &RedactSettings) {
    hide(v, s, false);
}

/// [`hide_value`], with whether `v` sits in a reference (a volume's `items`).
fn hide(v: &mut Value, s: &RedactSettings, in_reference: bool) {
    match v {
        Value::String(_) | Value::Number(_) => *v = Value::String(REDACTED.to_string()),
        Value::Array(items) => items.iter_mut().for_each(|i| hide(i, s, in_reference)),
        Value::Object(map) => {
            hide_token_keys(map);
            let reference = in_reference
                || map
                    .keys()
                    .any(|k| k == "name" || (k.ends_with("Name") && names_a_credential(k)));
            for (k, child) in map.iter_mut() {
                let kept = (reference && names_a_reference(k)) || describes_a_credential(k);
                if kept && !matches!(child, Value::Object(_) | Value::Array(_)) {
                    object(child, s);
                } else if kept || (reference && k == "items") {
                    hide(child, s, true);
                } else {
                    hide(child, s, false);
                }
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
}

/// The fields of a reference to a credential, which name it and hold no value.
fn names_a_reference(field: &str) -> bool {
    matches!(
        field,
        "name" | "namespace" | "key" | "optional" | "kind" | "apiVersion" | "uid" | "path"
    ) || names_a_credential(field)
}

/// The redactions that apply to one JSON map, whatever it is.
pub(super) fn clean_map(map: &mut Map<String, Value>, s: &RedactSettings) {
    if let Some(Value::Object(meta)) = map.get_mut("metadata") {
        clean_metadata(meta);
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
                if let Some(c) = cells.get_mut(*i) {
                    hide_value(c, s);
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
/// (An annotation value that is a JSON document — a tool's copy of the object, such as
/// kapp's `original` — is redacted as an object by the text redactor in the walk.)
pub(super) fn clean_metadata(meta: &mut Map<String, Value>) {
    meta.remove("managedFields");
    if let Some(Value::Object(annotations)) = meta.get_mut("annotations") {
        annotations.remove(LAST_APPLIED);
        if annotations.is_empty() {
            meta.remove("annotations");
        }
    }
}

/// A field name lower-cased into a small buffer (no allocation; longer names are no pair
/// field), for the case-insensitive pair checks below (`Name`/`Value` of ECS,
/// `ParameterKey`/`ParameterValue` of CloudFormation).
fn lower(field: &str) -> Option<([u8; 16], usize)> {
    let b = field.as_bytes();
    if b.len() > 16 {
        return None;
    }
    let mut buf = [0u8; 16];
    for (d, s) in buf.iter_mut().zip(b) {
        *d = s.to_ascii_lowercase();
    }
    Some((buf, b.len()))
}

/// Whether a map's field names a setting (`{name: DB_PASSWORD, value: …}`, Tekton's
/// `{name: db-password, default: …}`, `{key: password, value: …}`, a JSON Patch's
/// `{op, path: /data/password, value: …}`), in any case.
fn is_pair_name(field: &str) -> bool {
    lower(field).is_some_and(|(b, n)| {
        matches!(
            &b[..n],
            b"name"
                | b"key"
                | b"id"
                | b"k"
                | b"parameter"
                | b"param"
                | b"parameterkey"
                | b"parametername"
                | b"variable"
                | b"var"
                | b"header"
                | b"headername"
                | b"field"
                | b"property"
                | b"option"
                | b"setting"
                | b"path"
        )
    })
}

/// Whether a map's field holds such a setting's value, in any case.
fn is_pair_value(field: &str) -> bool {
    lower(field).is_some_and(|(b, n)| {
        matches!(
            &b[..n],
            b"value"
                | b"values"
                | b"default"
                | b"defaultvalue"
                | b"data"
                | b"raw"
                | b"val"
                | b"v"
                | b"content"
                | b"contents"
                | b"literal"
                | b"text"
                | b"string"
                | b"stringvalue"
                | b"plain"
                | b"plaintext"
                | b"secret"
                | b"parametervalue"
                | b"headervalue"
        )
    })
}

/// `{name|key|id…, value|default|data…}` with a sensitive name (an env var, a probe's HTTP
/// header, a custom resource's parameter) hides its value, whatever its type. `valueFrom`
/// references stay: they name a Secret key but carry no value.
pub(super) fn hide_named_value(map: &mut Map<String, Value>, s: &RedactSettings) {
    // One pass over the keys (every map of every object comes here: a lookup per pair
    // name cost a tenth of a 10,000-pod list). Most maps have no value field at all.
    let mut has_value = false;
    let mut sensitive = false;
    for (k, v) in map.iter() {
        if is_pair_value(k) {
            has_value = true;
        } else if is_pair_name(k) {
            sensitive |= v.as_str().is_some_and(|n| s.is_sensitive(n));
        }
    }
    if !(has_value && sensitive) {
        return;
    }
    for (k, v) in map.iter_mut() {
        if is_pair_value(k) {
            hide_value(v, s);
        }
    }
}

/// What a word of a command line asks of the next one.
#[derive(Clone, Copy, PartialEq)]
enum Next {
    Nothing,
    /// `--password x`, `sshpass -p x`, `redis-cli -a x`: the whole next word is a secret.
    Whole,
    /// `curl -u user:pass`: the part after the first `:` is.
    AfterColon,
}

/// Credential flags in any list of words (a container's `command`/`args`, a custom
/// resource's `extraArgs`): `--password=x`, `--password x`, `-u user:pass`, `sshpass -p x`,
/// `redis-cli -a x`, `mysql -px`. Every word also passes the text redactor in the walk.
pub(super) fn redact_args(words: &mut [Value], s: &RedactSettings) {
    hide_paired_words(words, s);
    let mut next = Next::Nothing;
    // The program the words are arguments of, as far as a flag's meaning depends on it.
    let mut program = "";
    for w in words.iter_mut() {
        let Value::String(word) = w else {
            next = Next::Nothing;
            continue;
        };
        match next {
            Next::Whole if !word.starts_with('-') && !matches!(word.as_str(), "true" | "false") => {
                *word = REDACTED.to_string();
                next = Next::Nothing;
                continue;
            }
            Next::AfterColon if !word.starts_with('-') => {
                if let Some(i) = word.find(':') {
                    word.truncate(i + 1);
                    word.push_str(REDACTED);
                }
                next = Next::Nothing;
                continue;
            }
            _ => {}
        }
        let base = word.rsplit('/').next().unwrap_or(word);
        if let Some(p) = PROGRAMS.iter().find(|p| base == **p) {
            program = p;
        }
        next = flag_wants(word, program, s);
        // `--tls-private-key-file=/p` names a file; `--anonymous-auth=false` is a switch.
        if let Some((flag, value)) = word.split_once('=')
            && flag.starts_with('-')
            && is_credential_field(flag, s)
            && !matches!(value, "true" | "false")
        {
            *word = format!("{flag}={REDACTED}");
        } else if program.starts_with("mysql") || program == "mariadb" {
            // `mysql -pSECRET`: the password is glued to `-p` (a bare `-p` prompts).
            if word.len() > 2 && word.starts_with("-p") && !word.starts_with("--") {
                *word = format!("-p{REDACTED}");
            }
        }
    }
}

/// `["password", "x"]` and `["X-Api-Key", "x", "Authorization", "Basic …"]` (a tuple, Node's
/// `rawHeaders`): in a list of words of even length with no flags, a sensitive name hides
/// the word after it.
fn hide_paired_words(words: &mut [Value], s: &RedactSettings) {
    let plain = |v: &Value| {
        v.as_str()
            .is_some_and(|w| !w.starts_with('-') && !w.contains(' '))
    };
    if words.len() < 2 || !words.len().is_multiple_of(2) || !words.iter().all(plain) {
        return;
    }
    for pair in words.chunks_mut(2) {
        let sensitive = pair[0].as_str().is_some_and(|n| is_credential_field(n, s));
        if sensitive {
            pair[1] = Value::String(REDACTED.to_string());
        }
    }
}

/// Programs whose short flags carry a password.
const PROGRAMS: &[&str] = &[
    "sshpass",
    "redis-cli",
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mariadb",
];

/// What `word` (a flag, or not) asks of the next word under `program`.
fn flag_wants(word: &str, program: &str, s: &RedactSettings) -> Next {
    if !word.starts_with('-') || word.contains('=') {
        Next::Nothing
    } else if word == "-u" || word == "--user" {
        Next::AfterColon
    } else if is_credential_field(word, s)
        || (program == "sshpass" && word == "-p")
        || (program == "redis-cli" && (word == "-a" || word == "--pass"))
    {
        Next::Whole
    } else {
        Next::Nothing
    }
}
