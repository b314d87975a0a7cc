//! A validated read command: what the investigator asked for, in one plain struct.
//!
//! Commands arrive in two forms — JSON (`{"op":"get","resource":"pods",…}`) and kubectl-style
//! arguments (`get pods -n shop`) — and both parse into [`Command`]. Parsing is where every
//! write, unknown op or unsupported flag is refused, before any request is planned.

use serde::{Deserialize, Serialize};

/// The read operations kubeglass performs; anything else is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// `get` / `list`: objects of one resource type, as a table or a document.
    #[serde(alias = "list")]
    Get,
    /// `describe`: kubectl-like text for one object or a selection, with its events.
    Describe,
    /// `logs`: container logs of a pod, or of a pod picked from a workload.
    Logs,
    /// `events`: `kubectl events`-style event list.
    Events,
    /// `endpoints`: which addresses back a service, ready or not, and which pods.
    Endpoints,
    /// `rollout history`: a deployment's revisions from its ReplicaSets.
    RolloutHistory,
    /// `top pods|nodes`: resource usage from metrics.k8s.io.
    Top,
    /// `api-resources`: the resource types the server serves.
    ApiResources,
    /// `version`: the server's version.
    Version,
}

impl Op {
    /// The op's name as in the JSON form.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Get => "get",
            Op::Describe => "describe",
            Op::Logs => "logs",
            Op::Events => "events",
            Op::Endpoints => "endpoints",
            Op::RolloutHistory => "rollout-history",
            Op::Top => "top",
            Op::ApiResources => "api-resources",
            Op::Version => "version",
        }
    }
}

/// How `get` (and `events`) present objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Server-side printed table, priority-0 columns (kubectl's default).
    #[default]
    Table,
    /// Table with every column (`-o wide`).
    Wide,
    /// JSON documents (a `List` for several objects).
    Json,
    /// YAML documents.
    Yaml,
    /// `type/name` lines.
    Name,
}

/// Options of `logs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogOptions {
    /// `-c`: the container; default is the pod's only (or default-annotated) container.
    pub container: Option<String>,
    /// `--all-containers`.
    pub all_containers: bool,
    /// `--tail`: lines from the end; `None` means the default of 200, `-1` means all.
    pub tail: Option<i64>,
    /// `--since` in seconds.
    pub since_seconds: Option<i64>,
    /// `--since-time` (RFC 3339).
    pub since_time: Option<String>,
    /// `-p/--previous`: the previous terminated container instance.
    pub previous: bool,
    /// `--timestamps`.
    pub timestamps: bool,
    /// `--limit-bytes`.
    pub limit_bytes: Option<i64>,
    /// `--max-log-requests`: how many pods/containers a selector may fan out to.
    pub max_log_requests: Option<u32>,
    /// `--grep`: only lines matching this regular expression travel.
    pub grep: Option<String>,
    /// `--no-redact-logs`: turn the credential redactor off for this command.
    pub no_redact: bool,
}

/// A parsed, validated read command. JSON field names are the wire names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// The operation.
    pub op: Op,
    /// The resource type as typed (`pods`, `deploy`, `widgets.example.com`); for `top`,
    /// `pods` or `nodes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Object names (for `logs`, `endpoints`, `rollout-history`: exactly one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// `-n`: the namespace; default is the context's (kubeconfig) or the agent's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `-A`: every namespace (in scope).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_namespaces: bool,
    /// `-l`: label selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// `--field-selector`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_selector: Option<String>,
    /// `-o`.
    #[serde(default)]
    pub output: OutputFormat,
    /// `events --for TYPE/NAME`.
    #[serde(default, rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_object: Option<String>,
    /// `events --types Warning,Normal`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// Options of `logs`.
    #[serde(default, skip_serializing_if = "is_default_logs")]
    pub logs: LogOptions,
    /// `--max-output-bytes` for this command (never above the agent's own limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_bytes: Option<usize>,
}

fn is_default_logs(l: &LogOptions) -> bool {
    *l == LogOptions::default()
}

impl Command {
    /// A command of `op` with every option at its default.
    pub fn new(op: Op) -> Command {
        Command {
            op,
            resource: None,
            names: Vec::new(),
            namespace: None,
            all_namespaces: false,
            selector: None,
            field_selector: None,
            output: OutputFormat::Table,
            for_object: None,
            types: Vec::new(),
            logs: LogOptions::default(),
            max_output_bytes: None,
        }
    }
}
