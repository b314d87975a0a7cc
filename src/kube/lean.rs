//! API answers parsed without `metadata.managedFields`: the field bookkeeping every object
//! carries (often half of a list's bytes) is skipped by the parser instead of being built
//! into a tree, walked by the redactor, and dropped (measured: docs/performance.md). No
//! command shows it (`-o yaml` leaves it out, as kubectl does by default).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The key skipped at any depth.
const SKIPPED: &str = "managedFields";

/// Parse one JSON document as `serde_json::from_slice` would, minus `managedFields`.
pub fn from_slice(body: &[u8]) -> serde_json::Result<Value> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let v = Lean.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// A `serde_json::Value` builder that leaves out [`SKIPPED`] keys.
struct Lean;

impl<'de> DeserializeSeed<'de> for Lean {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Lean {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        // As serde_json's own Value: a non-finite float (never in JSON text) is null.
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(Lean)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(v) = seq.next_element_seed(Lean)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == SKIPPED {
                map.next_value::<IgnoredAny>()?;
            } else {
                let v = map.next_value_seed(Lean)?;
                out.insert(key, v);
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_fields_are_left_out_at_any_depth_and_the_rest_is_as_serde_json_reads_it() {
        let body = br#"{"kind":"Table","rows":[{"cells":["a",1,-2,2.5,true,null],
            "object":{"metadata":{"name":"a","managedFields":[{"manager":"x","fieldsV1":{"f:a":{}}}],
            "labels":{"k":"v"}}}}],"metadata":{"managedFields":[]},"n":18446744073709551615}"#;
        let lean = from_slice(body).expect("valid JSON");
        let mut full: Value = serde_json::from_slice(body).expect("valid JSON");
        full["rows"][0]["object"]["metadata"]
            .as_object_mut()
            .map(|m| m.remove("managedFields"));
        full["metadata"]
            .as_object_mut()
            .map(|m| m.remove("managedFields"));
        assert_eq!(lean, full);
        assert!(!lean.to_string().contains("managedFields"));
    }

    #[test]
    fn bad_json_and_trailing_bytes_are_errors() {
        assert!(from_slice(b"{\"a\":").is_err());
        assert!(from_slice(b"{} x").is_err());
        assert!(from_slice(&[b'['; 4096]).is_err(), "nesting is bounded");
    }
}
