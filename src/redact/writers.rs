//! `metadata.managedFields` as who wrote an object and when, for `changes`: each entry
//! becomes `{manager, operation, time, subresource, fields}` under
//! `metadata."kubeglass.writers"`, where `fields` are the owned field paths as key names
//! (`data.LOG_LEVEL`, `spec.replicas`). `fieldsV1` holds no values, but its `k:` and `v:`
//! keys can (a set list's members, a keyed list's key values): those are never copied —
//! the path stops at the list. The summaries then pass the object walk like every field.

use serde_json::{Map, Value, json};

use super::{RedactSettings, Redacted, Source, fetched};

/// Where a writer summary sits in an object's metadata.
pub const WRITERS: &str = "kubeglass.writers";

/// How deep a field path goes (`spec.template.spec`): enough to say what part changed.
const MAX_DEPTH: usize = 3;
/// Most field paths kept per writer.
const MAX_FIELDS: usize = 12;

/// A fetched response (an object or a List) redacted as [`fetched`] does, after each
/// object's managedFields became writer summaries.
pub fn fetched_with_writers(mut v: Value, source: Source, s: &RedactSettings) -> Redacted<Value> {
    summarise(&mut v);
    if let Some(Value::Array(items)) = v.get_mut("items") {
        items.iter_mut().for_each(summarise);
    }
    fetched(v, source, s)
}

/// Replace `obj`'s managedFields by its writer summaries.
fn summarise(obj: &mut Value) {
    let Some(Value::Object(meta)) = obj.get_mut("metadata") else {
        return;
    };
    let Some(Value::Array(managed)) = meta.remove("managedFields") else {
        return;
    };
    let writers: Vec<Value> = managed.iter().map(writer).collect();
    meta.insert(WRITERS.to_string(), Value::Array(writers));
}

/// One managedFields entry as a summary.
fn writer(entry: &Value) -> Value {
    let s = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or("");
    let mut fields = Vec::new();
    if let Some(Value::Object(f)) = entry.get("fieldsV1") {
        field_paths("", f, 1, &mut fields);
    }
    let more = fields.len().saturating_sub(MAX_FIELDS);
    fields.truncate(MAX_FIELDS);
    if more > 0 {
        fields.push(format!("+{more} more"));
    }
    json!({
        "manager": s("manager"),
        "operation": s("operation"),
        "time": s("time"),
        "subresource": s("subresource"),
        "fields": fields,
    })
}

/// The `f:` paths of a fieldsV1 map, cut at [`MAX_DEPTH`] and at any keyed or set list.
fn field_paths(prefix: &str, map: &Map<String, Value>, depth: usize, out: &mut Vec<String>) {
    let before = out.len();
    let mut stops_here = false;
    for (k, child) in map {
        let Some(name) = k.strip_prefix("f:") else {
            // `.` is the node itself; `k:`/`v:`/`i:` name list members (by value).
            stops_here |= k != ".";
            continue;
        };
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        match child {
            Value::Object(m) if depth < MAX_DEPTH && m.keys().any(|k| k != ".") => {
                field_paths(&path, m, depth + 1, out)
            }
            _ => push(out, path),
        }
    }
    if stops_here && out.len() == before && !prefix.is_empty() {
        push(out, prefix.to_string());
    }
}

fn push(out: &mut Vec<String>, path: String) {
    if !out.contains(&path) {
        out.push(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writers(obj: Value) -> Vec<Value> {
        let shown = fetched_with_writers(obj, Source::Object, &RedactSettings::default());
        shown.value()["metadata"][WRITERS]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn kubectl_client_side_apply_names_the_data_keys_and_no_value() {
        // As kubectl 1.20 `apply` (client side) records a ConfigMap it created, then updated.
        let cm = json!({"metadata": {"name": "order-config", "managedFields": [
            {"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
             "time": "2026-12-07T10:12:00Z", "fieldsType": "FieldsV1",
             "fieldsV1": {"f:data": {".": {}, "f:LOG_LEVEL": {}, "f:DB_PASSWORD": {}},
                          "f:metadata": {"f:annotations": {".": {},
                              "f:kubectl.kubernetes.io/last-applied-configuration": {}}}}}
        ]}, "data": {"LOG_LEVEL": "debug", "DB_PASSWORD": "hunter2"}});
        let w = writers(cm);
        assert_eq!(w[0]["manager"], "kubectl-client-side-apply");
        assert_eq!(w[0]["operation"], "Update");
        assert_eq!(w[0]["time"], "2026-12-07T10:12:00Z");
        assert_eq!(
            w[0]["fields"],
            json!([
                "data.DB_PASSWORD",
                "data.LOG_LEVEL",
                "metadata.annotations.kubectl.kubernetes.io/last-applied-configuration"
            ])
        );
        assert!(!Value::Array(w).to_string().contains("hunter2"));
    }

    #[test]
    fn server_side_apply_and_controllers_stop_at_keyed_and_set_lists() {
        // A server-side apply of a Deployment (keyed containers, env by name) and the
        // controller's status write; a set list (finalizers) holds values in its keys.
        let deploy: Value = serde_json::from_str(
            r#"{"metadata": {"name": "api", "managedFields": [
              {"manager": "kubectl", "operation": "Apply", "time": "2026-12-07T10:20:00Z",
               "fieldsV1": {
                 "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
                   "k:{\"name\":\"api\"}": {".": {}, "f:env": {
                     "k:{\"name\":\"SECRET_TOKEN_abc123\"}": {}}}}}}},
                 "f:metadata": {"f:finalizers": {"v:\"example.com/guard-9f8e7d\"": {}}}}},
              {"manager": "kube-controller-manager", "operation": "Update",
               "subresource": "status", "time": "2026-12-07T10:21:00Z",
               "fieldsV1": {"f:status": {"f:replicas": {},
                 "f:conditions": {".": {}, "k:{\"type\":\"Available\"}": {}}}}}
            ]}}"#,
        )
        .unwrap();
        let w = writers(deploy);
        assert_eq!(w[0]["operation"], "Apply");
        assert_eq!(
            w[0]["fields"],
            json!(["metadata.finalizers", "spec.replicas", "spec.template.spec"])
        );
        assert_eq!(w[1]["subresource"], "status");
        assert_eq!(
            w[1]["fields"],
            json!(["status.conditions", "status.replicas"])
        );
        let text = Value::Array(w).to_string();
        assert!(
            !text.contains("guard-9f8e7d") && !text.contains("SECRET_TOKEN"),
            "{text}"
        );
    }

    #[test]
    fn an_object_without_managed_fields_has_no_writers() {
        assert!(writers(json!({"metadata": {"name": "x"}})).is_empty());
    }
}
