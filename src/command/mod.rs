//! A validated read command: what the investigator asked for, in one plain struct.
//!
//! Commands arrive in two forms — JSON (`{"op":"get","resource":"pods",…}`) and kubectl-style
//! arguments (`get pods -n shop`) — and both parse into [`Command`]. Parsing is where every
//! write, unknown op or unsupported flag is refused, before any request is planned.
//!
//! This file owns the types and the public surface; the work is split so each part can be
//! read on its own:
//!
//! - `refuse` — the read-only boundary: which verbs, ops and flags are refused,
//!   and why. Both forms pass through it before anything else is parsed.
//! - `argv` — the kubectl-style form: lexer, flag table, positionals ([`parse_args`],
//!   [`parse_line`], [`parse_duration_seconds`]).
//! - `json` — the JSON wire form ([`parse_json`], [`parse_json_str`]).
//! - `validate` — the rules both forms end in: fields per op and the shape of every value that
//!   reaches a request path or query.
//! - `schema` — the JSON form's fields per op as JSON Schema ([`arguments_schema`]), for
//!   clients that describe arguments with one (the MCP server's tools).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

mod argv;
pub mod grep;
pub mod help;
mod json;
mod refuse;
mod schema;
mod validate;

pub use argv::{parse_args, parse_duration_seconds, parse_line};
pub use json::{parse_json, parse_json_str};
pub use schema::arguments_schema;
pub use validate::refuse_hidden_selectors;

/// Refuse `name` when it is a write (`ReadOnly`) or channel (`Unsupported`) verb, such as
/// `delete` or `rollout-undo`: the same refusal both command forms start with, for callers
/// that name an operation outside a command (an MCP tool name).
pub fn refuse_op(name: &str) -> Result<()> {
    refuse::refuse_verb(name, None)
}
// `scope` checks namespaces with the same rule as commands; it imports it from here.

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
    /// `rollout history`: a Deployment's revisions from its ReplicaSets, a StatefulSet's or
    /// DaemonSet's from its ControllerRevisions.
    RolloutHistory,
    /// `rollout diff`: the field-level difference of two revisions' pod templates.
    RolloutDiff,
    /// `changes`: what changed in scope within a window, newest first.
    Changes,
    /// `top pods|nodes`: resource usage from metrics.k8s.io.
    Top,
    /// `api-resources`: the resource types the server serves.
    ApiResources,
    /// `version`: the server's version.
    Version,
    /// `triage`: what is wrong in scope, most severe first, one line a finding.
    Triage,
    /// `history`: what the agent's flight recorder kept, newest first.
    History,
    /// `helm list`: Helm releases (newest revision each) from their storage's labels.
    HelmList,
    /// `helm history NAME`: one Helm release's revisions from their storage's labels.
    HelmHistory,
    /// `scope`: what this agent can see — its configuration and a few bounded probes.
    Scope,
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
            Op::RolloutDiff => "rollout-diff",
            Op::Changes => "changes",
            Op::Top => "top",
            Op::ApiResources => "api-resources",
            Op::Version => "version",
            Op::Triage => "triage",
            Op::History => "history",
            Op::HelmList => "helm-list",
            Op::HelmHistory => "helm-history",
            Op::Scope => "scope",
        }
    }

    /// The op for a JSON `op` value (`list` is `get`; `rollout history` is accepted too).
    pub fn from_name(name: &str) -> Option<Op> {
        Some(match name {
            "get" | "list" => Op::Get,
            "describe" => Op::Describe,
            "logs" | "log" => Op::Logs,
            "events" => Op::Events,
            "endpoints" => Op::Endpoints,
            "rollout-history" | "rollout history" => Op::RolloutHistory,
            "rollout-diff" | "rollout diff" => Op::RolloutDiff,
            "changes" => Op::Changes,
            "top" => Op::Top,
            "api-resources" => Op::ApiResources,
            "version" => Op::Version,
            "triage" => Op::Triage,
            "history" => Op::History,
            "helm-list" | "helm list" => Op::HelmList,
            "helm-history" | "helm history" => Op::HelmHistory,
            "scope" => Op::Scope,
            _ => return None,
        })
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
    /// `-o custom-columns=HEADER:PATH,…` (the spec is [`PrintOptions::template`]).
    #[serde(rename = "custom-columns")]
    CustomColumns,
    /// `-o jsonpath=TEMPLATE` (the template is [`PrintOptions::template`]).
    #[serde(rename = "jsonpath")]
    JsonPath,
}

/// How `get` prints, beyond the format: kubectl's table and template flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrintOptions {
    /// `--show-labels`: a LABELS column.
    pub show_labels: bool,
    /// `-L/--label-columns`: one column per label key.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub label_columns: Vec<String>,
    /// `--no-headers`.
    pub no_headers: bool,
    /// `--sort-by`: a JSONPath field (`.metadata.name`, `{.status.phase}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// The custom-columns spec or the jsonpath template of `-o custom-columns=…|jsonpath=…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
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
    /// `--grep`: only lines matching this regular expression (matched against the redacted
    /// line) travel.
    pub grep: Option<String>,
    /// `--grep-v`: lines matching this regular expression (matched against the redacted
    /// line) are left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grep_v: Option<String>,
    /// `--fold`: lines reduced to templates and counted, instead of the newest lines.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fold: bool,
}

/// Why a command cannot turn log redaction off (`--no-redact-logs`, `"no_redact"`): the
/// party redaction protects against must not control it.
pub const NO_REDACT_REFUSED: &str = "log redaction cannot be turned off by a command; \
     only the operator who starts kubeglass can (--allow-unredacted-logs on query/run)";

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
    /// `rollout diff --revision N`: the newer revision (default: the current one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    /// `rollout diff --to M`: the revision compared against (default: the one before).
    #[serde(default, rename = "to", skip_serializing_if = "Option::is_none")]
    pub to_revision: Option<i64>,
    /// `changes --since 2h`: the window, a duration (`90m`, `1h30m`); default 2h.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Options of `logs`.
    #[serde(default, skip_serializing_if = "is_default_logs")]
    pub logs: LogOptions,
    /// Printing options of `get` (labels, headers, sorting, templates).
    #[serde(default, skip_serializing_if = "is_default_print")]
    pub print: PrintOptions,
    /// `helm list --all`: releases in every status, not only deployed and failed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// `--max-output-bytes` for this command (never above the agent's own limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_bytes: Option<usize>,
}

fn is_default_logs(l: &LogOptions) -> bool {
    *l == LogOptions::default()
}

fn is_default_print(p: &PrintOptions) -> bool {
    *p == PrintOptions::default()
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
            revision: None,
            to_revision: None,
            since: None,
            logs: LogOptions::default(),
            print: PrintOptions::default(),
            all: false,
            max_output_bytes: None,
        }
    }
}

/// The operations kubeglass performs, as listed in every refusal message.
pub const SUPPORTED: &str = "triage, changes, get|list, describe, logs, events, endpoints, rollout history|diff, top pods|nodes, helm list|history, scope, api-resources, version";

/// The op as the user types it in the kubectl form, for messages.
fn verb_of(op: Op) -> &'static str {
    match op {
        Op::RolloutHistory => "rollout history",
        Op::RolloutDiff => "rollout diff",
        Op::HelmList => "helm list",
        Op::HelmHistory => "helm history",
        other => other.as_str(),
    }
}

/// Split `TYPE/NAME`, both parts non-empty. Shared by both forms (`get deploy/web`,
/// `"resource": "deploy/web"`) and by `events --for`.
fn split_type_name(arg: &str) -> Result<(&str, &str)> {
    match arg.split_once('/') {
        Some((t, n)) if !t.is_empty() && !n.is_empty() && !n.contains('/') => Ok((t, n)),
        _ => Err(Error::invalid(format!(
            "{arg:?} is not TYPE/NAME (e.g. deploy/web)"
        ))),
    }
}

/// Helpers the per-file test modules share: parse one kubectl-style line, or the error code
/// a line that must fail gives.
#[cfg(test)]
mod test_util {
    use super::{Command, parse_line};
    use crate::error::{Code, Result};

    pub(super) fn line(s: &str) -> Result<Command> {
        parse_line(s)
    }

    pub(super) fn code(s: &str) -> Code {
        match line(s) {
            Ok(c) => panic!("{s:?} parsed as {c:?}"),
            Err(e) => e.code,
        }
    }
}
