//! What `-o custom-columns=` and `--sort-by` add to the JSONPath subset: the columns spec,
//! cells printed as Go's `fmt.Sprint` does, and kubectl's sort order of two keys.

use std::cmp::Ordering;

use serde_json::Value;

use super::{Path, relaxed};
use crate::error::{Error, Result};
use crate::redact::Redacted;

/// A value as Go's `fmt.Sprint` prints it (kubectl's custom-columns cells): `map[k:v]`,
/// `[a b]`, `<nil>`.
pub(super) fn go_sprint(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number(n),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(go_sprint).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(m) => {
            let pairs: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_sprint(v)))
                .collect();
            format!("map[{}]", pairs.join(" "))
        }
    }
}

/// Integers as they are; floats as Go's `%v` (`0.5`, `100`, `1e+21`).
pub(super) fn go_number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if !(n.is_i64() || n.is_u64()) => {
            if f.abs() >= 1e21 || (f != 0.0 && f.abs() < 1e-4) {
                let s = format!("{f:e}");
                match s.split_once('e') {
                    Some((m, e)) if e.starts_with('-') => format!("{m}e-{:0>2}", &e[1..]),
                    Some((m, e)) => format!("{m}e+{e:0>2}"),
                    None => s,
                }
            } else {
                f.to_string()
            }
        }
        _ => n.to_string(),
    }
}

/// kubectl's `--sort-by` order of two sort keys (the first value the path found, or none):
/// missing first, numbers by value, strings as quantities when both are, else byte by byte
/// (`pod-10` before `pod-2`, `n-0010` before `n-10`: what kubectl 1.32 prints, checked on the
/// testbed — not a natural order), `false` before `true`.
pub fn sort_order(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let (a, b) = match (a, b) {
        (None, None) => return Ordering::Equal,
        (None, _) => return Ordering::Less,
        (_, None) => return Ordering::Greater,
        (Some(a), Some(b)) => (a, b),
    };
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            match (crate::quantity::scaled(x), crate::quantity::scaled(y)) {
                (Some(p), Some(q)) => p.partial_cmp(&q).unwrap_or(Ordering::Equal),
                _ => x.as_bytes().cmp(y.as_bytes()),
            }
        }
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .map(|(p, q)| sort_order(Some(p), Some(q)))
            .find(|o| o.is_ne())
            .unwrap_or(x.len().cmp(&y.len())),
        _ => rank(a).cmp(&rank(b)),
    }
}

fn rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}

/// `-o custom-columns=HEADER:PATH,…` as kubectl parses and prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    headers: Vec<String>,
    paths: Vec<Path>,
}

impl Columns {
    /// Parse `NAME:.metadata.name,STATUS:.status.phase`.
    pub fn parse(spec: &str) -> Result<Columns> {
        let mut cols = Columns {
            headers: Vec::new(),
            paths: Vec::new(),
        };
        for part in spec.split(',') {
            let (header, path) = part.split_once(':').ok_or_else(|| {
                Error::invalid(format!(
                    "unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
                ))
            })?;
            cols.headers.push(header.to_string());
            cols.paths.push(relaxed(path)?);
        }
        Ok(cols)
    }

    /// The header cells, as given.
    pub fn headers(&self) -> Vec<&str> {
        self.headers.iter().map(String::as_str).collect()
    }

    /// One object's cells: every value found, comma-joined; `<none>` when nothing is.
    pub fn cells(&self, obj: &Redacted<Value>) -> Vec<String> {
        self.paths
            .iter()
            .map(|p| {
                let found = p.find(obj);
                if found.is_empty() {
                    "<none>".to_string()
                } else {
                    found
                        .into_iter()
                        .map(go_sprint)
                        .collect::<Vec<_>>()
                        .join(",")
                }
            })
            .collect()
    }
}
