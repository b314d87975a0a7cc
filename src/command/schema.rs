//! The JSON form's fields as JSON Schema, per op: what a client may send in a structured
//! command (`{"op":"get","resource":"pods",…}`), for tools that describe their arguments
//! with a schema (the MCP server's `inputSchema`).
//!
//! This is a description of [`Command`](super::Command)'s own serde fields, not a second
//! parser: whatever a schema admits still goes through [`parse_json`](super::parse_json), and
//! the tests below hold the table to the struct (every serde field is described, nothing
//! else is) and to the op table of docs/protocol.md (each op offers exactly the fields
//! documented for it).

use serde_json::{Map, Value, json};

use super::Op;

/// The JSON type of a field.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A string.
    Str,
    /// A boolean (`false` when absent).
    Bool,
    /// An integer of at least this much.
    Int(i64),
    /// A list of strings.
    StrList,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A list of these strings.
    ListOf(&'static [&'static str]),
    /// The `logs` options object ([`LOG_FIELDS`]).
    LogOptions,
    /// The `print` options object of `get` ([`PRINT_FIELDS`]).
    PrintOptions,
}

/// One field of the JSON form: its wire name, type and what it does.
#[derive(Debug, Clone, Copy)]
struct Field {
    name: &'static str,
    kind: Kind,
    about: &'static str,
}

const fn field(name: &'static str, kind: Kind, about: &'static str) -> Field {
    Field { name, kind, about }
}

/// `-o` of `events`: the values of `OutputFormat` it shows.
const OUTPUT_FORMATS: &[&str] = &["table", "wide", "json", "yaml", "name"];
/// `-o` of `get`: every value of `OutputFormat`.
const GET_OUTPUT_FORMATS: &[&str] = &[
    "table",
    "wide",
    "json",
    "yaml",
    "name",
    "custom-columns",
    "jsonpath",
];
/// `-o` of `changes`.
const CHANGES_OUTPUT_FORMATS: &[&str] = &["table", "json"];
/// `events --types`.
const EVENT_TYPES: &[&str] = &["Normal", "Warning"];

/// [`Command`](super::Command)'s fields (all but `op`), by wire name.
const FIELDS: &[Field] = &[
    field(
        "resource",
        Kind::Str,
        "Resource type as kubectl takes it: plural, singular or short name (pods, deploy, svc), \
         or TYPE.GROUP for custom resources; TYPE/NAME is accepted too (deploy/web). Needed \
         unless names are TYPE/NAME.",
    ),
    field(
        "names",
        Kind::StrList,
        "Object names; omit for every object of the type. TYPE/NAME (deploy/web) gives the \
         type too, in place of resource.",
    ),
    field(
        "namespace",
        Kind::Str,
        "Namespace; default: the server's default namespace (its kubeconfig context's).",
    ),
    field(
        "all_namespaces",
        Kind::Bool,
        "Every namespace kubeglass may read (like -A).",
    ),
    field(
        "selector",
        Kind::Str,
        "Label selector, e.g. app=web,tier!=db (like -l).",
    ),
    field(
        "field_selector",
        Kind::Str,
        "Field selector, e.g. status.phase=Running.",
    ),
    field(
        "output",
        Kind::OneOf(OUTPUT_FORMATS),
        "table (default), wide (more columns), json or yaml (every field), name (TYPE/NAME lines).",
    ),
    field(
        "for",
        Kind::Str,
        "Only events about this object: TYPE/NAME, e.g. pod/api-1.",
    ),
    field(
        "types",
        Kind::ListOf(EVENT_TYPES),
        "Only these event types, e.g. [\"Warning\"].",
    ),
    field(
        "revision",
        Kind::Int(1),
        "The newer revision to compare (default: the current one).",
    ),
    field(
        "to",
        Kind::Int(1),
        "The older revision to compare against (default: the one before revision).",
    ),
    field(
        "since",
        Kind::Str,
        "The window, a duration such as 30m, 2h or 1h30m (default 2h).",
    ),
    field(
        "all",
        Kind::Bool,
        "helm list: releases in every status (default: deployed and failed only, as helm).",
    ),
    field("logs", Kind::LogOptions, "Log options."),
    field(
        "print",
        Kind::PrintOptions,
        "How get prints: labels, headers, sorting, and the custom-columns or jsonpath template.",
    ),
    field(
        "max_output_bytes",
        Kind::Int(1),
        "Cut the answer at this many bytes (never above the server's own limit); a cut answer \
         ends with a line saying what was left out and how to narrow.",
    ),
];

/// [`LogOptions`](super::LogOptions)' fields, by wire name.
const LOG_FIELDS: &[Field] = &[
    field(
        "container",
        Kind::Str,
        "Container name; default: the pod's only or default container.",
    ),
    field("all_containers", Kind::Bool, "Every container of the pod."),
    field(
        "tail",
        Kind::Int(-1),
        "Lines from the end (default 200; -1 for all); with grep, matching lines.",
    ),
    field(
        "since_seconds",
        Kind::Int(1),
        "Only lines of the last N seconds.",
    ),
    field(
        "since_time",
        Kind::Str,
        "Only lines after this RFC 3339 time, e.g. 2024-05-01T10:00:00Z.",
    ),
    field(
        "previous",
        Kind::Bool,
        "The previous (crashed or restarted) run of the container.",
    ),
    field("timestamps", Kind::Bool, "Prefix each line with its time."),
    field(
        "limit_bytes",
        Kind::Int(1),
        "At most this many bytes of log.",
    ),
    field(
        "max_log_requests",
        Kind::Int(1),
        "How many pods or containers a selector may read (default 5).",
    ),
    field(
        "grep",
        Kind::Str,
        "Only lines matching this regular expression (Rust regex syntax: ERROR|panic), \
         searched in the cluster over the whole log.",
    ),
    field(
        "grep_v",
        Kind::Str,
        "Leave out lines matching this regular expression (after redaction, like grep).",
    ),
    field(
        "fold",
        Kind::Bool,
        "Patterns instead of lines: each line reduced to a template (numbers, ids, IPs, \
         times, quoted strings normalised), counted, ERROR/WARN first then most frequent, \
         with first/last seen, pods and one example; a workload's pods are all read (up to \
         max_log_requests). The whole log unless tail or since_seconds narrow it.",
    ),
];

/// [`PrintOptions`](super::PrintOptions)' fields, by wire name.
const PRINT_FIELDS: &[Field] = &[
    field(
        "template",
        Kind::Str,
        "With output custom-columns: NAME:.metadata.name,NODE:.spec.nodeName; with output \
         jsonpath: {range .items[*]}{.metadata.name}{\"\\n\"}{end}.",
    ),
    field(
        "sort_by",
        Kind::Str,
        "Sort by this field, e.g. .metadata.creationTimestamp (like --sort-by).",
    ),
    field(
        "no_headers",
        Kind::Bool,
        "No header line (like --no-headers).",
    ),
    field(
        "label_columns",
        Kind::StrList,
        "A column per label key, e.g. [\"app\"] (like -L).",
    ),
    field(
        "show_labels",
        Kind::Bool,
        "A LABELS column (like --show-labels).",
    ),
];

/// Which fields each op takes (docs/protocol.md, "Operations and the structured form"; a test
/// holds the two together). `max_output_bytes` applies to every op.
fn op_fields(op: Op) -> &'static [&'static str] {
    match op {
        Op::Get => &[
            "resource",
            "names",
            "namespace",
            "all_namespaces",
            "selector",
            "field_selector",
            "output",
            "print",
        ],
        Op::Describe => &[
            "resource",
            "names",
            "namespace",
            "all_namespaces",
            "selector",
            "field_selector",
        ],
        Op::Triage => &["namespace", "all_namespaces", "output"],
        Op::Logs => &["names", "resource", "namespace", "selector", "logs"],
        Op::Events => &[
            "namespace",
            "all_namespaces",
            "for",
            "types",
            "selector",
            "field_selector",
            "output",
        ],
        Op::Endpoints => &["names", "namespace"],
        Op::RolloutHistory => &["resource", "names", "namespace"],
        Op::RolloutDiff => &["resource", "names", "namespace", "revision", "to"],
        Op::Changes | Op::History => &["namespace", "all_namespaces", "since", "for", "output"],
        Op::Top => &[
            "resource",
            "names",
            "namespace",
            "all_namespaces",
            "selector",
        ],
        Op::HelmList => &["namespace", "all_namespaces", "all", "output"],
        Op::HelmHistory => &["names", "namespace", "output"],
        Op::Scope => &["namespace", "output"],
        Op::ApiResources | Op::Version => &[],
    }
}

/// What an op needs (the rest of its rules are checked by validation, which explains them).
fn op_required(op: Op) -> &'static [&'static str] {
    match op {
        // get, describe and rollout take the type in `names` too (["deploy/api"]): `resource`
        // is then not needed, and a model must not be told it is.
        Op::Top => &["resource"],
        Op::Endpoints => &["names"],
        Op::HelmHistory => &["names"],
        _ => &[],
    }
}

/// Descriptions that say more for one op than the general one does.
fn op_about(op: Op, field: &str) -> Option<&'static str> {
    Some(match (op, field) {
        (Op::Logs, "names") => {
            "Exactly one: a pod name, or a workload as TYPE/NAME ([\"deploy/api\"]), or its \
             name with resource (deploy + [\"api\"]); or give selector instead."
        }
        (Op::Logs, "resource") => {
            "Workload type whose pod to read (deploy, sts, ds, job); omit when names is a pod."
        }
        (Op::Endpoints, "names") => "Exactly one: the Service's name (or svc/NAME).",
        (Op::RolloutHistory, "resource") => "deploy, sts or ds (or TYPE/NAME).",
        (Op::RolloutHistory, "names") => "Exactly one: the workload's name.",
        (Op::RolloutDiff, "resource") => "deploy, sts or ds (or TYPE/NAME).",
        (Op::RolloutDiff, "names") => "Exactly one: the workload's name.",
        (Op::Changes, "for") => {
            "Only changes of this object and what it owns: TYPE/NAME, e.g. deploy/api."
        }
        (Op::Changes, "output") => "table (default: one line a change) or json.",
        (Op::History, "since") => "Only records of this window, e.g. 6h (default: all kept).",
        (Op::History, "for") => "Only records of this object: TYPE/NAME, e.g. pod/api-1.",
        (Op::History, "output") => "table (default: one line a record) or json.",
        (Op::Top, "resource") => "pods or nodes.",
        (Op::HelmHistory, "names") => "Exactly one: the release's name.",
        (Op::Scope, "namespace") => {
            "The namespace to probe what can be listed in (default: the default namespace)."
        }
        (Op::Scope, "output") => "table (default: one line a fact) or json (one object).",
        (Op::HelmList | Op::HelmHistory, "output") => {
            "table (default: helm's columns the labels fill) or json (a List of revisions)."
        }
        (Op::Get, "output") => {
            "table (default), wide (more columns), json or yaml (every field), name (TYPE/NAME \
             lines), custom-columns or jsonpath (print.template: the most compact answers, \
             only the fields asked for)."
        }
        (Op::Triage, "output") => {
            "table (default: one line a finding, symptoms under their cause with ↳) or json \
             (a List of lines, each with kind, depth and text)."
        }
        _ => return None,
    })
}

/// What the field `wire` does for `op` — `logs.tail`, `print.sort_by` for the options
/// objects' fields — as the MCP schema says it: the kubectl-style help (`query -- get
/// --help`) takes its flag descriptions from here, so the two cannot say different things.
pub(super) fn field_about(op: Op, wire: &str) -> Option<&'static str> {
    let (list, name) = match wire.split_once('.') {
        Some(("logs", n)) => (LOG_FIELDS, n),
        Some(("print", n)) => (PRINT_FIELDS, n),
        _ => (FIELDS, wire),
    };
    op_about(op, wire).or_else(|| list.iter().find(|f| f.name == name).map(|f| f.about))
}

/// The JSON Schema of the structured command's fields for `op` (without `op` itself): an
/// object whose properties are the fields `op` takes, each with a description.
pub fn arguments_schema(op: Op) -> Value {
    let mut properties = Map::new();
    let names = op_fields(op).iter().chain(["max_output_bytes"].iter());
    for name in names {
        let Some(f) = FIELDS.iter().find(|f| f.name == *name) else {
            continue;
        };
        let about = op_about(op, f.name).unwrap_or(f.about);
        let kind = match (op, f.name) {
            (Op::Get, "output") => Kind::OneOf(GET_OUTPUT_FORMATS),
            (Op::Changes, "output") => Kind::OneOf(CHANGES_OUTPUT_FORMATS),
            (Op::Triage | Op::History | Op::HelmList | Op::HelmHistory | Op::Scope, "output") => {
                Kind::OneOf(&["table", "json"])
            }
            _ => f.kind,
        };
        properties.insert(f.name.to_string(), property(kind, about));
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": op_required(op),
        "additionalProperties": false,
    })
}

/// One property's schema.
fn property(kind: Kind, about: &str) -> Value {
    let mut p = match kind {
        Kind::Str => json!({"type": "string"}),
        Kind::Bool => json!({"type": "boolean"}),
        Kind::Int(min) => json!({"type": "integer", "minimum": min}),
        Kind::StrList => json!({"type": "array", "items": {"type": "string"}}),
        Kind::OneOf(values) => json!({"type": "string", "enum": values}),
        Kind::ListOf(values) => {
            json!({"type": "array", "items": {"type": "string", "enum": values}})
        }
        Kind::LogOptions => options(LOG_FIELDS),
        Kind::PrintOptions => options(PRINT_FIELDS),
    };
    p["description"] = json!(about);
    p
}

/// The schema of an options object of `fields`.
fn options(fields: &[Field]) -> Value {
    let props: Map<String, Value> = fields
        .iter()
        .map(|f| (f.name.to_string(), property(f.kind, f.about)))
        .collect();
    json!({"type": "object", "properties": props, "additionalProperties": false})
}

#[cfg(test)]
mod tests {
    use super::super::{Command, LogOptions, OutputFormat, PrintOptions, parse_json};
    use super::*;
    use std::collections::BTreeSet;

    use super::super::help::ALL_OPS;

    fn names(fields: &[Field]) -> BTreeSet<String> {
        fields.iter().map(|f| f.name.to_string()).collect()
    }

    /// The keys serde writes for a value with every field set.
    fn serde_keys(v: Value) -> BTreeSet<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn everything_set() -> Command {
        let mut c = Command::new(Op::Logs);
        c.resource = Some("deploy".into());
        c.names = vec!["x".into()];
        c.namespace = Some("ns".into());
        c.all_namespaces = true;
        c.selector = Some("a=b".into());
        c.field_selector = Some("a=b".into());
        c.for_object = Some("pod/x".into());
        c.types = vec!["Warning".into()];
        c.revision = Some(2);
        c.to_revision = Some(1);
        c.since = Some("2h".into());
        c.logs.previous = true;
        c.print.no_headers = true;
        c.max_output_bytes = Some(1);
        c.all = true;
        c
    }

    #[test]
    fn the_table_describes_exactly_the_serde_fields_of_the_command() {
        let mut keys = serde_keys(serde_json::to_value(everything_set()).unwrap());
        assert!(keys.remove("op"));
        assert_eq!(keys, names(FIELDS));
        let logs = LogOptions {
            container: Some("c".into()),
            all_containers: true,
            tail: Some(1),
            since_seconds: Some(1),
            since_time: Some("t".into()),
            previous: true,
            timestamps: true,
            limit_bytes: Some(1),
            max_log_requests: Some(1),
            grep: Some("g".into()),
            grep_v: Some("g".into()),
            fold: true,
        };
        assert_eq!(
            serde_keys(serde_json::to_value(logs).unwrap()),
            names(LOG_FIELDS)
        );
        let print = PrintOptions {
            show_labels: true,
            label_columns: vec!["app".into()],
            no_headers: true,
            sort_by: Some(".metadata.name".into()),
            template: Some("{.a}".into()),
        };
        assert_eq!(
            serde_keys(serde_json::to_value(print).unwrap()),
            names(PRINT_FIELDS)
        );
    }

    /// Every name serde takes for `T` (field or variant), from its own "unknown field" or
    /// "unknown variant" error for `bad`: a field added to the model shows up here whether
    /// or not a test sets it.
    fn model_names<T: serde::de::DeserializeOwned + std::fmt::Debug>(
        bad: Value,
    ) -> BTreeSet<String> {
        let err = serde_json::from_value::<T>(bad).unwrap_err().to_string();
        let (_, expected) = err
            .split_once("expected")
            .unwrap_or_else(|| panic!("{err}"));
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_field_and_format_of_the_command_model_has_a_schema_entry() {
        let mut command = model_names::<Command>(json!({"op": "get", "zz_unknown": 1}));
        assert!(command.remove("op"));
        assert_eq!(command, names(FIELDS), "Command's fields vs FIELDS");
        let print = model_names::<PrintOptions>(json!({"zz_unknown": 1}));
        assert_eq!(
            print,
            names(PRINT_FIELDS),
            "PrintOptions' fields vs PRINT_FIELDS"
        );
        let logs = model_names::<LogOptions>(json!({"zz_unknown": 1}));
        assert_eq!(logs, names(LOG_FIELDS), "LogOptions' fields vs LOG_FIELDS");
        let formats = model_names::<OutputFormat>(json!("zz_unknown"));
        let offered: BTreeSet<String> = GET_OUTPUT_FORMATS.iter().map(|f| f.to_string()).collect();
        assert_eq!(formats, offered, "OutputFormat's values vs get's output");
        let get = &arguments_schema(Op::Get)["properties"];
        assert_eq!(get["output"]["enum"], json!(GET_OUTPUT_FORMATS));
        let print = get["print"]["properties"].as_object().unwrap();
        assert_eq!(print.len(), PRINT_FIELDS.len());
    }

    #[test]
    fn enum_values_are_the_ones_the_command_reads() {
        for f in GET_OUTPUT_FORMATS {
            let parsed: OutputFormat = serde_json::from_value(json!(f)).unwrap();
            assert_eq!(serde_json::to_value(parsed).unwrap(), json!(f));
        }
        for t in EVENT_TYPES {
            let c = parse_json(&json!({"op": "events", "types": [t]})).unwrap();
            assert_eq!(c.types, vec![t.to_string()]);
        }
    }

    /// The backticked field names in docs/protocol.md's row for `op`.
    fn documented_fields(op: Op) -> BTreeSet<String> {
        let doc = include_str!("../../docs/protocol.md");
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{}`", op.as_str())))
            .unwrap_or_else(|| panic!("docs/protocol.md has no row for {}", op.as_str()));
        let fields_col = row.rsplit(" | ").next().unwrap_or("");
        let known = names(FIELDS);
        fields_col
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|w| known.contains(*w) && *w != "max_output_bytes")
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn each_op_offers_the_fields_docs_protocol_md_lists_for_it() {
        for op in ALL_OPS {
            let offered: BTreeSet<String> = op_fields(op).iter().map(|s| s.to_string()).collect();
            assert_eq!(offered, documented_fields(op), "{}", op.as_str());
        }
    }

    #[test]
    fn schemas_are_objects_of_described_properties_the_parser_accepts() {
        // One command per op using its schema's properties: what the schema offers parses.
        let examples = [
            (
                Op::Get,
                json!({"resource": "pods", "namespace": "shop", "selector": "app=web", "field_selector": "status.phase=Running", "output": "wide", "all_namespaces": false}),
            ),
            (
                Op::Get,
                json!({"resource": "pods", "output": "jsonpath", "print": {"template": "{range .items[*]}{.metadata.name}{\"\\n\"}{end}", "sort_by": ".metadata.name"}}),
            ),
            (
                Op::Get,
                json!({"resource": "pods", "output": "custom-columns", "print": {"template": "NAME:.metadata.name", "no_headers": true, "label_columns": ["app"], "show_labels": true}}),
            ),
            (
                Op::Describe,
                json!({"resource": "deploy", "names": ["web"], "namespace": "shop"}),
            ),
            (
                Op::Logs,
                json!({"resource": "deploy", "names": ["api"], "namespace": "shop", "logs": {"container": "api", "tail": 5, "previous": true, "grep": "ERROR|panic", "timestamps": true, "limit_bytes": 100, "since_seconds": 60}}),
            ),
            (
                Op::Events,
                json!({"namespace": "shop", "for": "pod/api-1", "types": ["Warning"], "output": "json"}),
            ),
            (
                Op::Endpoints,
                json!({"names": ["checkout"], "namespace": "shop"}),
            ),
            (
                Op::RolloutHistory,
                json!({"resource": "deploy", "names": ["api"]}),
            ),
            (
                Op::RolloutDiff,
                json!({"resource": "sts", "names": ["db"], "revision": 3, "to": 1}),
            ),
            (
                Op::Changes,
                json!({"namespace": "shop", "since": "1h", "for": "deploy/api", "output": "json"}),
            ),
            (Op::Top, json!({"resource": "pods", "all_namespaces": true})),
            (Op::ApiResources, json!({"max_output_bytes": 2048})),
            (Op::Version, json!({})),
            (
                Op::Triage,
                json!({"all_namespaces": true, "max_output_bytes": 8192}),
            ),
            (
                Op::History,
                json!({"all_namespaces": true, "since": "6h", "for": "pod/api-1", "output": "json"}),
            ),
            (
                Op::HelmList,
                json!({"all_namespaces": true, "all": true, "output": "json"}),
            ),
            (
                Op::HelmHistory,
                json!({"names": ["web"], "namespace": "shop"}),
            ),
            (Op::Scope, json!({"output": "json"})),
        ];
        for (op, args) in examples {
            let schema = arguments_schema(op);
            assert_eq!(schema["type"], "object");
            assert_eq!(schema["additionalProperties"], false);
            let props = schema["properties"].as_object().unwrap();
            assert!(props.contains_key("max_output_bytes"), "{}", op.as_str());
            for (name, p) in props {
                assert!(
                    p["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{name}"
                );
                assert!(p["type"].is_string(), "{name}");
            }
            for r in schema["required"].as_array().unwrap() {
                assert!(
                    props.contains_key(r.as_str().unwrap()),
                    "{}: {r}",
                    op.as_str()
                );
            }
            let mut cmd = args.as_object().unwrap().clone();
            for k in cmd.keys() {
                assert!(props.contains_key(k), "{}: example uses {k}", op.as_str());
            }
            cmd.insert("op".into(), json!(op.as_str()));
            parse_json(&Value::Object(cmd)).unwrap_or_else(|e| panic!("{}: {e}", op.as_str()));
        }
        let logs = &arguments_schema(Op::Logs)["properties"]["logs"];
        assert_eq!(
            logs["properties"].as_object().unwrap().len(),
            LOG_FIELDS.len()
        );
        assert!(logs["properties"].get("no_redact").is_none());
    }
}
