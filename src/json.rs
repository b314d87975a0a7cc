//! Reading fields of untyped Kubernetes JSON without ever panicking: a missing field or one
//! of the wrong type reads as empty.

use serde_json::Value;

/// The string at a JSON pointer, or "".
pub fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The items of the array at a JSON pointer (none when missing or not an array).
pub fn items<'a>(v: &'a Value, pointer: &str) -> impl Iterator<Item = &'a Value> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The strings of an array value (other items skipped).
pub fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// A scalar as text (numbers and booleans too), "" otherwise.
pub fn scalar(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_shapes_read_as_empty() {
        let v = json!({"a": {"b": "x", "n": 3, "l": ["p", 1, "q"]}});
        assert_eq!(text(&v, "/a/b"), "x");
        assert_eq!(text(&v, "/a/n"), "");
        assert_eq!(items(&v, "/a/l").count(), 3);
        assert_eq!(items(&v, "/a/b").count(), 0);
        assert_eq!(strings(v.pointer("/a/l")), ["p", "q"]);
        assert_eq!(scalar(v.pointer("/a/n")), "3");
        assert_eq!(scalar(v.pointer("/a")), "");
    }
}
