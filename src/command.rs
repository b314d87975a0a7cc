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
    /// `--grep`: only lines matching this regular expression (matched against the redacted
    /// line) travel.
    pub grep: Option<String>,
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

// ---------------------------------------------------------------------------------------------
// Parsing: kubectl-style arguments and the JSON form, both ending in one `validate`.
// ---------------------------------------------------------------------------------------------

use crate::error::{Code, Error, Result};

/// The operations kubeglass performs, as listed in every refusal message.
pub const SUPPORTED: &str = "get|list, describe, logs, events, endpoints, rollout history, top pods|nodes, api-resources, version";

/// kubectl verbs that change the cluster: refused with [`Code::ReadOnly`].
const WRITE_VERBS: &[&str] = &[
    "delete",
    "apply",
    "create",
    "edit",
    "patch",
    "replace",
    "scale",
    "autoscale",
    "label",
    "annotate",
    "set",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "run",
    "expose",
    "debug",
    "certificate",
];

/// kubectl verbs that open a channel into a workload or the API: refused with
/// [`Code::Unsupported`] (they are not writes by verb, but kubeglass never offers them).
const CHANNEL_VERBS: &[&str] = &["exec", "attach", "port-forward", "cp", "proxy"];

/// `rollout` sub-commands that change a workload.
const ROLLOUT_WRITES: &[&str] = &["undo", "restart", "pause", "resume"];

/// Longest name or namespace Kubernetes accepts (a DNS subdomain).
const MAX_NAME_LEN: usize = 253;
/// Longest container name (a DNS label).
const MAX_CONTAINER_LEN: usize = 63;
/// Longest label or field selector we pass on; longer ones are almost surely not a selector.
const MAX_SELECTOR_LEN: usize = 4096;
/// Longest `--grep` pattern.
const MAX_GREP_LEN: usize = 1024;

/// A flag kubeglass understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    Namespace,
    AllNamespaces,
    Selector,
    FieldSelector,
    Output,
    Container,
    Tail,
    Since,
    SinceTime,
    Previous,
    Timestamps,
    LimitBytes,
    AllContainers,
    MaxLogRequests,
    Grep,
    For,
    Types,
    NoRedactLogs,
    MaxOutputBytes,
}

/// How a flag is spelled and whether it takes a value.
struct FlagSpec {
    long: &'static str,
    short: Option<char>,
    flag: Flag,
    takes_value: bool,
}

const fn spec(long: &'static str, short: Option<char>, flag: Flag, takes_value: bool) -> FlagSpec {
    FlagSpec {
        long,
        short,
        flag,
        takes_value,
    }
}

const FLAGS: &[FlagSpec] = &[
    spec("namespace", Some('n'), Flag::Namespace, true),
    spec("all-namespaces", Some('A'), Flag::AllNamespaces, false),
    spec("selector", Some('l'), Flag::Selector, true),
    spec("field-selector", None, Flag::FieldSelector, true),
    spec("output", Some('o'), Flag::Output, true),
    spec("container", Some('c'), Flag::Container, true),
    spec("tail", None, Flag::Tail, true),
    spec("since", None, Flag::Since, true),
    spec("since-time", None, Flag::SinceTime, true),
    spec("previous", Some('p'), Flag::Previous, false),
    spec("timestamps", None, Flag::Timestamps, false),
    spec("limit-bytes", None, Flag::LimitBytes, true),
    spec("all-containers", None, Flag::AllContainers, false),
    spec("max-log-requests", None, Flag::MaxLogRequests, true),
    spec("grep", None, Flag::Grep, true),
    spec("for", None, Flag::For, true),
    spec("types", None, Flag::Types, true),
    spec("no-redact-logs", None, Flag::NoRedactLogs, false),
    spec("max-output-bytes", None, Flag::MaxOutputBytes, true),
];

/// Flags that ask for a stream or a raw API path: refused with [`Code::Unsupported`].
const REFUSED_LONG_FLAGS: &[&str] = &["watch", "watch-only", "raw", "follow"];
/// Short forms of the refused flags (`-w` watch, `-f` follow).
const REFUSED_SHORT_FLAGS: &[char] = &['w', 'f'];

fn lookup_long(name: &str) -> Option<&'static FlagSpec> {
    FLAGS.iter().find(|s| s.long == name)
}

fn lookup_short(c: char) -> Option<&'static FlagSpec> {
    FLAGS.iter().find(|s| s.short == Some(c))
}

fn unsupported(message: impl Into<String>) -> Error {
    Error::new(
        Code::Unsupported,
        format!("{}; supported: {SUPPORTED}", message.into()),
    )
}

fn read_only(message: impl Into<String>) -> Error {
    Error::new(
        Code::ReadOnly,
        format!(
            "{}; kubeglass is read-only (supported: {SUPPORTED})",
            message.into()
        ),
    )
}

/// Parse kubectl-style arguments (`get pods -n shop -l app=web -o wide`) into a validated
/// command. Flags may come before the verb; a leading `kubectl` is ignored. Writes, channels
/// (exec, port-forward, …), watches and raw paths are refused before anything else is looked at.
pub fn parse_args(words: &[String]) -> Result<Command> {
    let words = match words.first() {
        Some(w) if w == "kubectl" => &words[1..],
        _ => words,
    };
    refuse_early(words)?;
    let (positionals, flags) = lex(words)?;
    let (verb, rest) = positionals
        .split_first()
        .ok_or_else(|| Error::invalid(format!("no operation given; supported: {SUPPORTED}")))?;
    let mut cmd = command_from_positionals(verb, rest)?;
    for (flag, value, spelled) in flags {
        apply_flag(&mut cmd, flag, value, &spelled)?;
    }
    validate(&mut cmd)?;
    Ok(cmd)
}

/// Split `line` like a shell (quotes, escapes) and parse it with [`parse_args`].
pub fn parse_line(line: &str) -> Result<Command> {
    let words = shlex::split(line).ok_or_else(|| {
        Error::invalid("unbalanced quotes or a trailing backslash in the command")
    })?;
    parse_args(&words)
}

/// Parse the JSON form (`{"op":"get","resource":"pods","namespace":"shop"}`) into a validated
/// command. A write or unknown `op` is refused before the other fields are read; unknown fields
/// are rejected (`deny_unknown_fields`), and the same validation as [`parse_args`] applies.
pub fn parse_json(v: &serde_json::Value) -> Result<Command> {
    let obj = v
        .as_object()
        .ok_or_else(|| Error::invalid("a command must be a JSON object with an \"op\" field"))?;
    let op = obj.get("op").and_then(|o| o.as_str()).ok_or_else(|| {
        Error::invalid(format!(
            "missing string field \"op\"; supported: {SUPPORTED}"
        ))
    })?;
    refuse_verb(op, None)?;
    if Op::from_name(op).is_none() {
        return Err(unsupported(format!("unknown op {op:?}")));
    }
    for key in REFUSED_LONG_FLAGS {
        if obj.contains_key(*key) {
            return Err(unsupported(format!("\"{key}\" is not available")));
        }
    }
    if obj
        .get("logs")
        .is_some_and(|l| l.get("no_redact").is_some())
    {
        return Err(Error::invalid(NO_REDACT_REFUSED));
    }
    let mut cmd: Command = serde_json::from_value(v.clone())
        .map_err(|e| Error::invalid(format!("invalid command: {e}")))?;
    split_type_name_field(&mut cmd)?;
    validate(&mut cmd)?;
    Ok(cmd)
}

/// Parse the JSON form from text; see [`parse_json`].
pub fn parse_json_str(s: &str) -> Result<Command> {
    let v: serde_json::Value = serde_json::from_str(s)
        .map_err(|e| Error::invalid(format!("the command is not valid JSON: {e}")))?;
    parse_json(&v)
}

impl Op {
    /// The op for a JSON `op` value (`list` is `get`; `rollout history` is accepted too).
    pub fn from_name(name: &str) -> Option<Op> {
        Some(match name {
            "get" | "list" => Op::Get,
            "describe" => Op::Describe,
            "logs" | "log" => Op::Logs,
            "events" => Op::Events,
            "endpoints" => Op::Endpoints,
            "rollout-history" | "rollout history" => Op::RolloutHistory,
            "top" => Op::Top,
            "api-resources" => Op::ApiResources,
            "version" => Op::Version,
            _ => return None,
        })
    }
}

/// Refuse a write or channel verb (and `rollout undo|restart|pause|resume`).
fn refuse_verb(verb: &str, sub: Option<&str>) -> Result<()> {
    if WRITE_VERBS.contains(&verb) {
        return Err(read_only(format!("`{verb}` would change the cluster")));
    }
    if CHANNEL_VERBS.contains(&verb) {
        return Err(unsupported(format!(
            "`{verb}` opens a channel into the cluster and is not available"
        )));
    }
    let rollout_sub = match verb {
        "rollout" => sub,
        _ => verb
            .strip_prefix("rollout-")
            .or(verb.strip_prefix("rollout ")),
    };
    match rollout_sub {
        Some(s) if ROLLOUT_WRITES.contains(&s) => {
            Err(read_only(format!("`rollout {s}` would change the cluster")))
        }
        _ => Ok(()),
    }
}

/// The first refusal pass: find the verb (skipping flags and their values) and refuse writes,
/// channels, watches and raw paths before any other parsing, so that `delete pod x --force`
/// is `ReadOnly`, not "unknown flag --force".
fn refuse_early(words: &[String]) -> Result<()> {
    let mut positionals = Vec::new();
    let mut i = 0;
    while i < words.len() && positionals.len() < 2 {
        let w = words[i].as_str();
        i += 1;
        if w == "--" {
            positionals.extend(words[i..].iter().take(2).map(String::as_str));
            break;
        }
        if !w.starts_with('-') || w == "-" {
            positionals.push(w);
            continue;
        }
        if takes_separate_value(w) {
            i += 1;
        }
    }
    if let Some(verb) = positionals.first() {
        refuse_verb(verb, positionals.get(1).copied())?;
    }
    for w in words {
        if let Some(flag) = refused_flag(w) {
            return Err(unsupported(format!(
                "{flag} is not available (kubeglass answers once, it does not stream or pass raw paths)"
            )));
        }
    }
    Ok(())
}

/// Whether `w` (a flag word) is a known flag whose value is the next word.
fn takes_separate_value(w: &str) -> bool {
    if let Some(long) = w.strip_prefix("--") {
        return !long.contains('=') && lookup_long(long).is_some_and(|s| s.takes_value);
    }
    let mut chars = w.chars().skip(1);
    match (chars.next(), chars.next()) {
        (Some(c), None) => lookup_short(c).is_some_and(|s| s.takes_value),
        _ => false,
    }
}

/// The refused flag `w` spells, if any (`--watch`, `--raw=/x`, `-w`).
fn refused_flag(w: &str) -> Option<String> {
    if let Some(long) = w.strip_prefix("--") {
        let name = long.split('=').next().unwrap_or(long);
        return REFUSED_LONG_FLAGS
            .contains(&name)
            .then(|| format!("--{name}"));
    }
    let short = w.strip_prefix('-')?;
    let mut chars = short.chars();
    let c = chars.next()?;
    (REFUSED_SHORT_FLAGS.contains(&c) && chars.next().is_none()).then(|| format!("-{c}"))
}

/// One parsed flag: which, its value (if it takes one), and how the user spelled it.
type ParsedFlag = (Flag, Option<String>, String);

/// Split words into positionals and flags, strictly: an unknown flag is `Unsupported`.
fn lex(words: &[String]) -> Result<(Vec<String>, Vec<ParsedFlag>)> {
    let mut positionals = Vec::new();
    let mut flags = Vec::new();
    let mut iter = words.iter();
    while let Some(w) = iter.next() {
        if w == "--" {
            positionals.extend(iter.by_ref().cloned());
            break;
        }
        if !w.starts_with('-') || w == "-" {
            positionals.push(w.clone());
            continue;
        }
        let (spec, spelled, inline) = split_flag(w)?;
        let value = if spec.takes_value {
            match inline {
                Some(v) => Some(v),
                None => Some(
                    iter.next()
                        .cloned()
                        .ok_or_else(|| Error::invalid(format!("flag {spelled} needs a value")))?,
                ),
            }
        } else {
            bool_flag_value(&spelled, inline)?
        };
        flags.push((spec.flag, value, spelled));
    }
    Ok((positionals, flags))
}

/// Recognise a flag word: `--name`, `--name=value`, `-x`, `-xvalue`, `-x=value`.
fn split_flag(w: &str) -> Result<(&'static FlagSpec, String, Option<String>)> {
    let unknown = || unsupported(format!("unknown flag {w}"));
    if let Some(long) = w.strip_prefix("--") {
        let (name, inline) = match long.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (long, None),
        };
        let spec = lookup_long(name).ok_or_else(unknown)?;
        return Ok((spec, format!("--{name}"), inline));
    }
    let rest = &w[1..];
    let c = rest.chars().next().ok_or_else(unknown)?;
    let spec = lookup_short(c).ok_or_else(unknown)?;
    let attached = &rest[c.len_utf8()..];
    let inline = match attached {
        "" => None,
        _ if !spec.takes_value => return Err(unknown()),
        _ => Some(attached.strip_prefix('=').unwrap_or(attached).to_string()),
    };
    Ok((spec, format!("-{c}"), inline))
}

/// A boolean flag is set by its presence, or by `=true` / `=false`.
fn bool_flag_value(spelled: &str, inline: Option<String>) -> Result<Option<String>> {
    match inline.as_deref() {
        None | Some("true") => Ok(Some("true".into())),
        Some("false") => Ok(Some("false".into())),
        Some(other) => Err(Error::invalid(format!(
            "flag {spelled} takes true or false, not {other:?}"
        ))),
    }
}

/// Build the command's op, resource and names from the positional words.
fn command_from_positionals(verb: &str, rest: &[String]) -> Result<Command> {
    let op = match verb {
        "rollout" => match rest.first().map(String::as_str) {
            Some("history") => Op::RolloutHistory,
            Some(sub) => {
                return Err(unsupported(format!(
                    "`rollout {sub}` is not available (only `rollout history`)"
                )));
            }
            None => return Err(Error::invalid("`rollout` needs `history TYPE/NAME`")),
        },
        "rollout-history" => {
            return Err(Error::invalid(
                "write `rollout history deploy/NAME` (two words) in the kubectl form",
            ));
        }
        _ => {
            Op::from_name(verb).ok_or_else(|| unsupported(format!("unknown operation {verb:?}")))?
        }
    };
    let mut cmd = Command::new(op);
    let args = if op == Op::RolloutHistory {
        &rest[1..]
    } else {
        rest
    };
    match op {
        Op::Get | Op::Describe | Op::RolloutHistory => set_type_and_names(&mut cmd, args)?,
        Op::Logs => set_logs_target(&mut cmd, args)?,
        Op::Endpoints => set_service(&mut cmd, args)?,
        Op::Top => set_top_target(&mut cmd, args)?,
        Op::Events | Op::ApiResources | Op::Version => {
            if let Some(extra) = args.first() {
                return Err(Error::invalid(format!(
                    "`{}` takes no arguments, got {extra:?}",
                    op.as_str()
                )));
            }
        }
    }
    Ok(cmd)
}

/// `TYPE`, `TYPE NAME…`, `TYPE/NAME…` (one type per command).
fn set_type_and_names(cmd: &mut Command, args: &[String]) -> Result<()> {
    let Some(first) = args.first() else {
        return Err(Error::invalid(format!(
            "`{}` needs a resource type, e.g. `{} pods` or `{} deploy/web`",
            verb_of(cmd.op),
            verb_of(cmd.op),
            verb_of(cmd.op)
        )));
    };
    if first.contains(',') {
        return Err(Error::invalid(
            "one resource type per command: run one command per type",
        ));
    }
    if !first.contains('/') {
        cmd.resource = Some(first.clone());
        cmd.names = args[1..].to_vec();
        if let Some(slashed) = cmd.names.iter().find(|n| n.contains('/')) {
            return Err(Error::invalid(format!(
                "mixing `TYPE NAME` and `TYPE/NAME` ({slashed:?}): use one form"
            )));
        }
        return Ok(());
    }
    for arg in args {
        let (ty, name) = split_type_name(arg)?;
        match &cmd.resource {
            Some(t) if t != ty => {
                return Err(Error::invalid(format!(
                    "one resource type per command, got {t:?} and {ty:?}"
                )));
            }
            _ => cmd.resource = Some(ty.to_string()),
        }
        cmd.names.push(name.to_string());
    }
    Ok(())
}

fn verb_of(op: Op) -> &'static str {
    match op {
        Op::RolloutHistory => "rollout history",
        other => other.as_str(),
    }
}

/// Split `TYPE/NAME`, both parts non-empty.
fn split_type_name(arg: &str) -> Result<(&str, &str)> {
    match arg.split_once('/') {
        Some((t, n)) if !t.is_empty() && !n.is_empty() && !n.contains('/') => Ok((t, n)),
        _ => Err(Error::invalid(format!(
            "{arg:?} is not TYPE/NAME (e.g. deploy/web)"
        ))),
    }
}

/// `logs POD [CONTAINER]` or `logs TYPE/NAME [CONTAINER]`; the resource stays `None` for a
/// plain pod name, and is the typed workload type (`deploy`) for `TYPE/NAME`.
fn set_logs_target(cmd: &mut Command, args: &[String]) -> Result<()> {
    if args.len() > 2 {
        return Err(Error::invalid(
            "`logs` takes one pod (or TYPE/NAME) and optionally a container",
        ));
    }
    if let Some(target) = args.first() {
        if target.contains('/') {
            let (ty, name) = split_type_name(target)?;
            cmd.resource = Some(ty.to_string());
            cmd.names = vec![name.to_string()];
        } else {
            cmd.names = vec![target.clone()];
        }
    }
    cmd.logs.container = args.get(1).cloned();
    Ok(())
}

/// `endpoints SERVICE` (also `svc/SERVICE`).
fn set_service(cmd: &mut Command, args: &[String]) -> Result<()> {
    let [target] = args else {
        return Err(Error::invalid("`endpoints` takes exactly one service name"));
    };
    let name = match target.split_once('/') {
        Some(("svc" | "service" | "services", n)) => n,
        Some(_) => {
            return Err(Error::invalid(format!(
                "`endpoints` takes a service, got {target:?}"
            )));
        }
        None => target.as_str(),
    };
    cmd.names = vec![name.to_string()];
    Ok(())
}

/// `top pods|nodes [NAME…]`; the resource is normalised to `pods` or `nodes`.
fn set_top_target(cmd: &mut Command, args: &[String]) -> Result<()> {
    let kind = match args.first().map(String::as_str) {
        Some("pods" | "pod" | "po") => "pods",
        Some("nodes" | "node" | "no") => "nodes",
        Some(other) => {
            return Err(unsupported(format!(
                "`top {other}`: only `top pods` and `top nodes` exist"
            )));
        }
        None => return Err(Error::invalid("`top` needs `pods` or `nodes`")),
    };
    cmd.resource = Some(kind.to_string());
    cmd.names = args[1..].to_vec();
    Ok(())
}

/// Which ops accept a flag (kubectl rejects the others too, so we say so instead of ignoring).
fn flag_allowed(op: Op, flag: Flag) -> bool {
    use Flag::*;
    match flag {
        Namespace | MaxOutputBytes => true,
        AllNamespaces => matches!(op, Op::Get | Op::Describe | Op::Events | Op::Top),
        Selector => matches!(op, Op::Get | Op::Describe | Op::Logs | Op::Top),
        FieldSelector => matches!(op, Op::Get | Op::Events),
        Output => matches!(op, Op::Get | Op::Events),
        For | Types => op == Op::Events,
        Container | Tail | Since | SinceTime | Previous | Timestamps | LimitBytes
        | AllContainers | MaxLogRequests | Grep | NoRedactLogs => op == Op::Logs,
    }
}

/// Set one flag's value on the command (values are checked in [`validate`]).
fn apply_flag(cmd: &mut Command, flag: Flag, value: Option<String>, spelled: &str) -> Result<()> {
    if !flag_allowed(cmd.op, flag) {
        return Err(Error::invalid(format!(
            "flag {spelled} does not apply to `{}`",
            verb_of(cmd.op)
        )));
    }
    let v = value.unwrap_or_default();
    let on = v == "true";
    let logs = &mut cmd.logs;
    match flag {
        Flag::Namespace => cmd.namespace = Some(v),
        Flag::AllNamespaces => cmd.all_namespaces = on,
        Flag::Selector => cmd.selector = Some(v),
        Flag::FieldSelector => cmd.field_selector = Some(v),
        Flag::Output => cmd.output = parse_output(&v)?,
        Flag::Container => logs.container = Some(v),
        Flag::Tail => logs.tail = Some(parse_int(spelled, &v)?),
        Flag::Since => logs.since_seconds = Some(parse_duration_seconds(&v)?),
        Flag::SinceTime => logs.since_time = Some(v),
        Flag::Previous => logs.previous = on,
        Flag::Timestamps => logs.timestamps = on,
        Flag::LimitBytes => logs.limit_bytes = Some(parse_int(spelled, &v)?),
        Flag::AllContainers => logs.all_containers = on,
        Flag::MaxLogRequests => logs.max_log_requests = Some(parse_int(spelled, &v)?),
        Flag::Grep => logs.grep = Some(v),
        Flag::NoRedactLogs => return Err(Error::invalid(NO_REDACT_REFUSED)),
        Flag::For => cmd.for_object = Some(v),
        Flag::Types => cmd.types.extend(v.split(',').map(str::to_string)),
        Flag::MaxOutputBytes => cmd.max_output_bytes = Some(parse_int(spelled, &v)?),
    }
    Ok(())
}

fn parse_int<T: std::str::FromStr>(spelled: &str, v: &str) -> Result<T> {
    v.parse()
        .map_err(|_| Error::invalid(format!("flag {spelled} takes a whole number, not {v:?}")))
}

/// `-o` values: kubectl's names, plus `table` for the default.
fn parse_output(v: &str) -> Result<OutputFormat> {
    Ok(match v {
        "table" | "" => OutputFormat::Table,
        "wide" => OutputFormat::Wide,
        "json" => OutputFormat::Json,
        "yaml" => OutputFormat::Yaml,
        "name" => OutputFormat::Name,
        _ if v.starts_with("jsonpath")
            || v.starts_with("custom-columns")
            || v.starts_with("go-template")
            || v.starts_with("template") =>
        {
            return Err(Error::new(
                Code::Unsupported,
                format!("output {v:?} is not available; use -o table, wide, json, yaml or name"),
            ));
        }
        _ => {
            return Err(Error::invalid(format!(
                "unknown output format {v:?}; use table, wide, json, yaml or name"
            )));
        }
    })
}

/// A Go-style duration (`10m`, `1h30m`, `90s`, `1.5h`) as whole seconds, rounded up like
/// kubectl's `--since`.
pub fn parse_duration_seconds(s: &str) -> Result<i64> {
    let bad = || {
        Error::invalid(format!(
            "--since takes a duration such as 30s, 10m, 1h30m; got {s:?}"
        ))
    };
    let mut total = 0f64;
    let mut rest = s;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let number: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += number * scale;
        rest = &rest[unit_len..];
    }
    if !(total > 0.0 && total < 1e12) {
        return Err(bad());
    }
    Ok(total.ceil() as i64)
}

/// JSON form convenience: `"resource": "deploy/web"` with no `names` means type and name.
fn split_type_name_field(cmd: &mut Command) -> Result<()> {
    let Some(resource) = cmd.resource.clone() else {
        return Ok(());
    };
    if resource.contains('/') {
        if !cmd.names.is_empty() {
            return Err(Error::invalid(
                "give either \"resource\": \"TYPE/NAME\" or \"resource\" and \"names\", not both",
            ));
        }
        let (ty, name) = split_type_name(&resource)?;
        cmd.resource = Some(ty.to_string());
        cmd.names = vec![name.to_string()];
    }
    Ok(())
}

/// The rules both forms share: required and forbidden fields per op, and the shape of every
/// value that ends up in a request path or query. Normalises `top` resources and event types.
fn validate(cmd: &mut Command) -> Result<()> {
    validate_shape(cmd)?;
    if let Some(ns) = &cmd.namespace {
        check_namespace_name(ns)?;
    }
    if let Some(r) = &cmd.resource {
        check_resource_type(r)?;
    }
    for n in &cmd.names {
        check_object_name(n)?;
    }
    if let Some(s) = &cmd.selector {
        check_selector("-l/--selector", s)?;
    }
    if let Some(s) = &cmd.field_selector {
        check_selector("--field-selector", s)?;
    }
    if cmd.max_output_bytes == Some(0) {
        return Err(Error::invalid("--max-output-bytes must be above 0"));
    }
    validate_events(cmd)?;
    validate_logs(&cmd.logs)
}

/// Which fields each op needs or refuses.
fn validate_shape(cmd: &mut Command) -> Result<()> {
    let verb = verb_of(cmd.op);
    let needs_type = matches!(
        cmd.op,
        Op::Get | Op::Describe | Op::RolloutHistory | Op::Top
    );
    if needs_type && cmd.resource.is_none() {
        return Err(Error::invalid(format!("`{verb}` needs a resource type")));
    }
    if cmd.op != Op::Logs && cmd.logs != LogOptions::default() {
        return Err(Error::invalid(format!(
            "log options do not apply to `{verb}`"
        )));
    }
    if !matches!(cmd.op, Op::Get | Op::Events) && cmd.output != OutputFormat::Table {
        return Err(Error::invalid(format!(
            "an output format does not apply to `{verb}`"
        )));
    }
    if cmd.op != Op::Events && (cmd.for_object.is_some() || !cmd.types.is_empty()) {
        return Err(Error::invalid(format!(
            "--for and --types apply only to `events`, not `{verb}`"
        )));
    }
    if !cmd.names.is_empty() && cmd.selector.is_some() {
        return Err(Error::invalid("give names or a selector (-l), not both"));
    }
    match cmd.op {
        Op::Get if cmd.all_namespaces && !cmd.names.is_empty() => Err(Error::invalid(
            "objects cannot be fetched by name across all namespaces: drop -A and give -n",
        )),
        Op::Logs => validate_logs_shape(cmd),
        Op::Endpoints if cmd.names.len() != 1 || cmd.resource.is_some() => {
            Err(Error::invalid("`endpoints` takes exactly one service name"))
        }
        Op::RolloutHistory => validate_rollout_shape(cmd),
        Op::Top => normalise_top(cmd),
        Op::Events | Op::ApiResources | Op::Version
            if cmd.resource.is_some() || !cmd.names.is_empty() =>
        {
            Err(Error::invalid(format!(
                "`{verb}` takes no resource or names (events: use --for TYPE/NAME)"
            )))
        }
        _ => Ok(()),
    }
}

fn validate_logs_shape(cmd: &Command) -> Result<()> {
    match (cmd.names.len(), cmd.selector.is_some()) {
        (1, false) | (0, true) => Ok(()),
        (0, false) => Err(Error::invalid(
            "`logs` needs a pod name, TYPE/NAME (e.g. deploy/api) or -l SELECTOR",
        )),
        _ => Err(Error::invalid("`logs` takes exactly one pod or TYPE/NAME")),
    }
}

fn validate_rollout_shape(cmd: &Command) -> Result<()> {
    let deployment = matches!(
        cmd.resource.as_deref(),
        Some("deploy" | "deployment" | "deployments" | "deployments.apps" | "deployment.apps")
    );
    if !deployment {
        return Err(Error::new(
            Code::Unsupported,
            "`rollout history` is available for deployments only (deploy/NAME)",
        ));
    }
    if cmd.names.len() != 1 {
        return Err(Error::invalid(
            "`rollout history` takes exactly one deployment",
        ));
    }
    Ok(())
}

fn normalise_top(cmd: &mut Command) -> Result<()> {
    let kind = match cmd.resource.as_deref() {
        Some("pods" | "pod" | "po") => "pods",
        Some("nodes" | "node" | "no") => "nodes",
        other => {
            return Err(Error::new(
                Code::Unsupported,
                format!("`top` works on pods or nodes, not {other:?}"),
            ));
        }
    };
    cmd.resource = Some(kind.to_string());
    Ok(())
}

/// `--for TYPE/NAME` and `--types Normal,Warning` (types normalised to that spelling).
fn validate_events(cmd: &mut Command) -> Result<()> {
    if let Some(f) = &cmd.for_object {
        let (ty, name) = split_type_name(f).map_err(|_| {
            Error::invalid(format!("--for takes TYPE/NAME (e.g. pod/web-1), got {f:?}"))
        })?;
        check_resource_type(ty)?;
        check_object_name(name)?;
    }
    for t in cmd.types.iter_mut() {
        *t = match t.trim().to_ascii_lowercase().as_str() {
            "normal" => "Normal".to_string(),
            "warning" => "Warning".to_string(),
            _ => {
                return Err(Error::invalid(format!(
                    "--types takes Normal and/or Warning, got {t:?}"
                )));
            }
        };
    }
    Ok(())
}

fn validate_logs(l: &LogOptions) -> Result<()> {
    if let Some(c) = &l.container {
        check_container_name(c)?;
    }
    if l.container.is_some() && l.all_containers {
        return Err(Error::invalid(
            "give -c CONTAINER or --all-containers, not both",
        ));
    }
    if l.tail.is_some_and(|t| t < -1) {
        return Err(Error::invalid("--tail must be -1 (all lines) or more"));
    }
    if l.since_seconds.is_some_and(|s| s <= 0) {
        return Err(Error::invalid("--since must be a positive duration"));
    }
    if l.since_seconds.is_some() && l.since_time.is_some() {
        return Err(Error::invalid("give --since or --since-time, not both"));
    }
    if let Some(t) = &l.since_time {
        check_rfc3339(t)?;
    }
    if l.limit_bytes.is_some_and(|b| b <= 0) {
        return Err(Error::invalid("--limit-bytes must be above 0"));
    }
    if l.max_log_requests == Some(0) {
        return Err(Error::invalid("--max-log-requests must be above 0"));
    }
    if let Some(g) = &l.grep {
        check_grep(g)?;
    }
    Ok(())
}

fn check_grep(g: &str) -> Result<()> {
    if g.is_empty() || g.len() > MAX_GREP_LEN {
        return Err(Error::invalid(format!(
            "--grep takes a pattern of 1 to {MAX_GREP_LEN} bytes"
        )));
    }
    regex_lite::Regex::new(g).map(|_| ()).map_err(|e| {
        Error::invalid(format!(
            "--grep pattern {g:?} is not a valid regular expression: {e}"
        ))
    })
}

/// A namespace is a DNS label: `[a-z0-9-]`, at most 63 bytes, alphanumeric at both ends.
pub(crate) fn check_namespace_name(ns: &str) -> Result<()> {
    let ok = !ns.is_empty()
        && ns.len() <= MAX_CONTAINER_LEN
        && ns
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !ns.starts_with('-')
        && !ns.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "namespace {ns:?} is not valid: lower-case letters, digits and '-', at most 63"
        )))
    }
}

/// An object name: a DNS subdomain (`[a-z0-9.-]`, ≤253), plus `:` because RBAC objects use it
/// (`system:node`). Names become path segments, so never one made of dots and colons only
/// (`.`, `..`, `...`, `..:..`), and never `/`, `%`, `?`, `#` or control characters (the
/// character set leaves them out).
fn check_object_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && !name.bytes().all(|b| matches!(b, b'.' | b':'))
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b':')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "name {name:?} is not valid: lower-case letters, digits, '.', '-' (and ':'), at most 253, not dots and colons only"
        )))
    }
}

/// A resource type as typed: plural, singular, short name, Kind, `TYPE.GROUP` or
/// `TYPE.VERSION.GROUP`, the group a DNS subdomain (it is copied into the request path).
fn check_resource_type(r: &str) -> Result<()> {
    let ok = !r.is_empty()
        && r.len() <= MAX_NAME_LEN
        && r.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && r.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if ok {
        crate::kube::discovery::check_type_form(r)
    } else {
        Err(Error::invalid(format!(
            "resource type {r:?} is not valid (e.g. pods, deploy, deployments.apps, widgets.example.com)"
        )))
    }
}

/// A container name is a DNS label.
fn check_container_name(c: &str) -> Result<()> {
    let ok = !c.is_empty()
        && c.len() <= MAX_CONTAINER_LEN
        && c.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!("container name {c:?} is not valid")))
    }
}

/// Selectors: the characters label and field selectors use (`app=web,tier!=db`,
/// `env in (a,b)`, `!canary`, `status.phase=Running`), nothing that could smuggle query syntax.
fn check_selector(flag: &str, s: &str) -> Result<()> {
    let ok = !s.trim().is_empty()
        && s.len() <= MAX_SELECTOR_LEN
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'.' | b'-' | b'_' | b'/' | b'=' | b'!' | b',' | b'(' | b')' | b' ' | b':'
                )
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "{flag} {s:?} is not a valid selector (e.g. app=web,tier!=db or status.phase=Running)"
        )))
    }
}

/// A light RFC 3339 shape check (`2024-05-01T10:00:00Z`, offsets and fractions allowed); the
/// API server does the exact parsing.
fn check_rfc3339(t: &str) -> Result<()> {
    let b = t.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let ok = t.len() >= 20
        && t.len() <= 40
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && t[19..]
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'Z' | b'z' | b'+' | b'-' | b':'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "--since-time takes an RFC 3339 time such as 2024-05-01T10:00:00Z, got {t:?}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Result<Command> {
        parse_line(s)
    }

    fn code(s: &str) -> Code {
        match line(s) {
            Ok(c) => panic!("{s:?} parsed as {c:?}"),
            Err(e) => e.code,
        }
    }

    #[test]
    fn parses_get_with_namespace_selector_and_wide() {
        let c = line("get pods -n shop -l app=web -o wide").unwrap();
        assert_eq!(c.op, Op::Get);
        assert_eq!(c.resource.as_deref(), Some("pods"));
        assert_eq!(c.namespace.as_deref(), Some("shop"));
        assert_eq!(c.selector.as_deref(), Some("app=web"));
        assert_eq!(c.output, OutputFormat::Wide);
    }

    #[test]
    fn parses_type_slash_name_and_several_names() {
        let c = line("get deploy/web").unwrap();
        assert_eq!(
            (c.resource.as_deref(), c.names),
            (Some("deploy"), vec!["web".to_string()])
        );
        let c = line("get po a b").unwrap();
        assert_eq!(c.names, vec!["a", "b"]);
        let c = line("list deploy/web deploy/api").unwrap();
        assert_eq!(c.names, vec!["web", "api"]);
        assert_eq!(c.op, Op::Get);
    }

    #[test]
    fn flags_may_come_before_the_verb() {
        let c = line("-n shop get pods").unwrap();
        assert_eq!(c.namespace.as_deref(), Some("shop"));
        assert_eq!(c.resource.as_deref(), Some("pods"));
        let c = line("kubectl -A get pods").unwrap();
        assert!(c.all_namespaces);
    }

    #[test]
    fn accepts_every_output_spelling() {
        for s in [
            "get pods -o json",
            "get pods -ojson",
            "get pods --output=json",
            "get pods -o=json",
            "get pods --output json",
        ] {
            assert_eq!(line(s).unwrap().output, OutputFormat::Json, "{s}");
        }
        assert_eq!(line("get pods -o yaml").unwrap().output, OutputFormat::Yaml);
        assert_eq!(line("get pods -o name").unwrap().output, OutputFormat::Name);
        assert_eq!(code("get pods -o xml"), Code::InvalidCommand);
        assert_eq!(code("get pods -o jsonpath={.items}"), Code::Unsupported);
    }

    #[test]
    fn parses_all_namespaces_and_field_selector() {
        let c = line("get pods --all-namespaces --field-selector status.phase=Running").unwrap();
        assert!(c.all_namespaces);
        assert_eq!(c.field_selector.as_deref(), Some("status.phase=Running"));
        assert!(line("get pods -A").unwrap().all_namespaces);
    }

    #[test]
    fn parses_describe_by_name_and_by_selector() {
        let c = line("describe pod x").unwrap();
        assert_eq!(
            (c.op, c.resource.as_deref(), c.names.len()),
            (Op::Describe, Some("pod"), 1)
        );
        let c = line("describe svc -l app=web").unwrap();
        assert_eq!(c.selector.as_deref(), Some("app=web"));
    }

    #[test]
    fn parses_every_logs_flag() {
        let c = line(
            "logs x -c c --tail 5 --since 10m -p --timestamps --limit-bytes 100 --max-log-requests 3 --grep 'pan(ic)?'",
        )
        .unwrap();
        let l = &c.logs;
        assert_eq!(c.names, vec!["x"]);
        assert_eq!(l.container.as_deref(), Some("c"));
        assert_eq!(
            (l.tail, l.since_seconds, l.limit_bytes),
            (Some(5), Some(600), Some(100))
        );
        assert!(l.previous && l.timestamps);
        assert_eq!(l.max_log_requests, Some(3));
        assert_eq!(l.grep.as_deref(), Some("pan(ic)?"));
        let c =
            line("logs x --previous --since-time 2024-05-01T10:00:00Z --all-containers").unwrap();
        assert!(c.logs.previous && c.logs.all_containers);
        assert_eq!(c.logs.since_time.as_deref(), Some("2024-05-01T10:00:00Z"));
        let c = line("logs -l app=web --tail=-1").unwrap();
        assert_eq!(
            (c.selector.as_deref(), c.logs.tail),
            (Some("app=web"), Some(-1))
        );
    }

    #[test]
    fn logs_of_a_workload_keeps_its_type() {
        let c = line("logs deploy/api --previous --tail 1").unwrap();
        assert_eq!(
            (c.resource.as_deref(), c.names.as_slice()),
            (Some("deploy"), &["api".to_string()][..])
        );
        let c = line("logs x").unwrap();
        assert_eq!(c.resource, None);
        let c = line("logs x sidecar").unwrap();
        assert_eq!(c.logs.container.as_deref(), Some("sidecar"));
    }

    #[test]
    fn parses_events_endpoints_rollout_top_and_more() {
        let c = line("events -n x --for pod/y --types Warning,normal").unwrap();
        assert_eq!(c.for_object.as_deref(), Some("pod/y"));
        assert_eq!(c.types, vec!["Warning", "Normal"]);
        let c = line("endpoints checkout").unwrap();
        assert_eq!(
            (c.op, c.names.as_slice()),
            (Op::Endpoints, &["checkout".to_string()][..])
        );
        let c = line("rollout history deploy/web").unwrap();
        assert_eq!(
            (c.op, c.resource.as_deref()),
            (Op::RolloutHistory, Some("deploy"))
        );
        assert_eq!(line("top pods").unwrap().resource.as_deref(), Some("pods"));
        assert_eq!(line("top node").unwrap().resource.as_deref(), Some("nodes"));
        assert_eq!(line("api-resources").unwrap().op, Op::ApiResources);
        assert_eq!(line("version").unwrap().op, Op::Version);
    }

    #[test]
    fn since_is_parsed_to_seconds() {
        assert_eq!(parse_duration_seconds("10m").unwrap(), 600);
        assert_eq!(parse_duration_seconds("1h30m").unwrap(), 5400);
        assert_eq!(parse_duration_seconds("1.5s").unwrap(), 2);
        assert!(parse_duration_seconds("10").is_err());
        assert!(parse_duration_seconds("10d").is_err());
        assert!(parse_duration_seconds("").is_err());
    }

    #[test]
    fn refuses_delete_before_any_request() {
        // An unknown flag after the verb must not hide the refusal.
        let e = line("delete pod x --force --grace-period 0").unwrap_err();
        assert_eq!(e.code, Code::ReadOnly);
        assert!(e.message.contains(SUPPORTED), "{}", e.message);
    }

    #[test]
    fn refuses_every_write_as_read_only() {
        for s in [
            "apply -f x.yaml",
            "create ns x",
            "edit deploy web",
            "patch pod x -p {}",
            "replace -f x",
            "scale deploy/web --replicas 0",
            "autoscale deploy web",
            "label pod x a=b",
            "annotate pod x a=b",
            "set image deploy/web a=b",
            "rollout undo deploy/web",
            "rollout restart deploy/web",
            "rollout pause deploy/web",
            "rollout resume deploy/web",
            "cordon node-1",
            "drain node-1",
            "taint nodes node-1 k=v:NoSchedule",
            "run x --image y",
            "expose deploy web",
            "-n shop delete pod x",
        ] {
            assert_eq!(code(s), Code::ReadOnly, "{s}");
        }
    }

    #[test]
    fn refuses_channels_watches_raw_and_unknowns_as_unsupported() {
        for s in [
            "exec x -- sh",
            "attach x",
            "port-forward x 8080",
            "cp x:/a b",
            "proxy",
            "get --raw /api",
            "get pods -w",
            "get pods --watch",
            "logs x -f",
            "frobnicate",
            "get pods --sort-by .metadata.name",
            "rollout status deploy/web",
            "top widgets",
        ] {
            let e = line(s).unwrap_err();
            assert_eq!(e.code, Code::Unsupported, "{s}: {}", e.message);
            assert!(
                e.message.contains("supported") || e.message.contains("only"),
                "{s}: {}",
                e.message
            );
        }
    }

    #[test]
    fn rejects_invalid_names_namespaces_and_selectors() {
        for s in [
            "get pods ..",
            "get pods -n Shop",
            "get pods -n 'a b'",
            "get pods x%2F",
            "get pods -l 'a=b&c'",
            "logs x --tail -2",
            "logs x -c C",
            "logs x --since 5",
            "logs x --since-time yesterday",
            "logs x --grep '('",
            "get pods -c x",
            "describe pods x -o json",
            "get pods x -A",
            "get pods x -l a=b",
            "logs",
            "endpoints",
            "get",
            "get pods,svc",
            "events --types Info",
            "logs x --since 1m --since-time 2024-05-01T10:00:00Z",
        ] {
            assert_eq!(code(s), Code::InvalidCommand, "{s}");
        }
        assert_eq!(code("rollout history sts/x"), Code::Unsupported);
    }

    #[test]
    fn names_and_types_that_could_steer_a_request_path_are_refused() {
        for s in [
            "get deployments....apps",
            "get deployments...apps",
            "get deployments.v1./apps",
            "get deployments./apps",
            "get pods.",
            "get deployments.apps.",
            "get deploy/...",
            "get deploy/.",
            "get pods ..:..",
            "get pods ...",
            "get pods :",
            "get pods .:",
            "get pods a/b",
            "get pods 'a%2f'",
            "get pods 'a?b'",
            "get pods 'a#b'",
            "get pods 'a\tb'",
            "get pods -n ..",
            "get pods -n '.'",
            "get pods -n 'a/b'",
            "events --for pod/..",
            "events --for deployments....apps/web",
            "logs deploy/..:..",
            "endpoints ...",
            "top pods ..",
        ] {
            assert_eq!(code(s), Code::InvalidCommand, "{s}");
        }
        for control in ["a\u{1}b", "a\nb", "a\u{7f}b"] {
            let words = ["get", "pods", control].map(String::from);
            assert_eq!(
                parse_args(&words).unwrap_err().code,
                Code::InvalidCommand,
                "{control:?}"
            );
        }
        let e = line("get deployments....apps").unwrap_err();
        assert!(e.message.contains("TYPE.VERSION.GROUP"), "{}", e.message);
        for json in [
            r#"{"op":"get","resource":"deployments....apps"}"#,
            r#"{"op":"get","resource":"deploy","names":["..:.."]}"#,
            r#"{"op":"get","resource":"deploy/..."}"#,
            r#"{"op":"get","resource":"pods","namespace":".."}"#,
        ] {
            assert_eq!(
                parse_json_str(json).unwrap_err().code,
                Code::InvalidCommand,
                "{json}"
            );
        }
    }

    #[test]
    fn names_and_types_kubectl_accepts_still_parse() {
        for (s, ty, name) in [
            (
                "get clusterroles system:node",
                "clusterroles",
                "system:node",
            ),
            (
                "get clusterrolebindings system:node-proxier",
                "clusterrolebindings",
                "system:node-proxier",
            ),
            ("get pods a.b", "pods", "a.b"),
            ("get cm v1.beta", "cm", "v1.beta"),
            ("get deployments.v1.apps/web", "deployments.v1.apps", "web"),
            ("get deployments.apps web", "deployments.apps", "web"),
            (
                "get widgets.v1alpha1.example.com w-1",
                "widgets.v1alpha1.example.com",
                "w-1",
            ),
            ("get Deployment.apps web", "Deployment.apps", "web"),
            ("get pods -- -", "pods", "-"),
        ] {
            let c = line(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(
                (c.resource.as_deref(), c.names.first().map(String::as_str)),
                (Some(ty), Some(name)),
                "{s}"
            );
        }
    }

    #[test]
    fn json_form_parses_and_validates_like_arguments() {
        let c = parse_json_str(
            r#"{"op":"list","resource":"pods","namespace":"shop","selector":"app=web"}"#,
        )
        .unwrap();
        assert_eq!(c, line("get pods -n shop -l app=web").unwrap());
        let c = parse_json_str(
            r#"{"op":"logs","resource":"deploy/api","logs":{"tail":1,"previous":true}}"#,
        )
        .unwrap();
        assert_eq!(c, line("logs deploy/api --tail 1 -p").unwrap());
        let c = parse_json_str(r#"{"op":"top","resource":"pod"}"#).unwrap();
        assert_eq!(c.resource.as_deref(), Some("pods"));
    }

    #[test]
    fn json_form_refuses_writes_and_unknown_fields() {
        let e = parse_json_str(r#"{"op":"delete","resource":"pods","names":["x"]}"#).unwrap_err();
        assert_eq!(e.code, Code::ReadOnly);
        assert!(e.message.contains(SUPPORTED));
        assert_eq!(
            parse_json_str(r#"{"op":"exec"}"#).unwrap_err().code,
            Code::Unsupported
        );
        assert_eq!(
            parse_json_str(r#"{"op":"rollout-undo"}"#).unwrap_err().code,
            Code::ReadOnly
        );
        assert_eq!(
            parse_json_str(r#"{"op":"frob"}"#).unwrap_err().code,
            Code::Unsupported
        );
        assert_eq!(
            parse_json_str(r#"{"op":"get","resource":"pods","watch":true}"#)
                .unwrap_err()
                .code,
            Code::Unsupported
        );
        let e = parse_json_str(r#"{"op":"get","resource":"pods","colour":"red"}"#).unwrap_err();
        assert_eq!(e.code, Code::InvalidCommand);
        assert!(e.message.contains("colour"), "{}", e.message);
        assert_eq!(
            parse_json_str(r#"{"op":"get","resource":"pods","names":[".."]}"#)
                .unwrap_err()
                .code,
            Code::InvalidCommand
        );
        assert_eq!(
            parse_json_str(r#"{"op":"logs","names":["x"],"logs":{"tail":-5}}"#)
                .unwrap_err()
                .code,
            Code::InvalidCommand
        );
        assert_eq!(
            parse_json_str("[1]").unwrap_err().code,
            Code::InvalidCommand
        );
        assert_eq!(parse_json_str("{").unwrap_err().code, Code::InvalidCommand);
    }

    #[test]
    fn unbalanced_quotes_are_an_invalid_command() {
        assert_eq!(code("get pods -l 'app=web"), Code::InvalidCommand);
    }
}
