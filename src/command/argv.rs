//! The kubectl-style form: `get pods -n shop -l app=web -o wide` into a [`Command`].
//!
//! Owns the lexer (long and short flags, `--name=value`, `-xvalue`, `--`), the flag table (one
//! row per flag kubeglass understands; anything else is refused, not ignored), which flags apply
//! to which op, and how positionals become the op, resource and names. Refusals of writes,
//! channels and streams happen before this runs (`refuse`); the values set here are checked
//! afterwards (`validate`).

use super::refuse::{refuse_early, unsupported};
use super::validate::validate;
use super::{Command, NO_REDACT_REFUSED, Op, OutputFormat, SUPPORTED, split_type_name, verb_of};
use crate::error::{Code, Error, Result};

/// Parse kubectl-style arguments (`get pods -n shop -l app=web -o wide`) into a validated
/// command. Flags may come before the verb; a leading `kubectl` is ignored. Writes, channels
/// (exec, port-forward, …), watches and raw paths are refused before anything else is looked at.
pub fn parse_args(words: &[String]) -> Result<Command> {
    let words = match words.first() {
        Some(w) if w == "kubectl" => &words[1..],
        _ => words,
    };
    refuse_early(words, takes_separate_value)?;
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

/// A flag kubeglass understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flag {
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
    ShowLabels,
    LabelColumns,
    NoHeaders,
    SortBy,
    Revision,
    To,
    All,
    GrepV,
    Fold,
}

/// How a flag is spelled and whether it takes a value.
pub(super) struct FlagSpec {
    pub(super) long: &'static str,
    pub(super) short: Option<char>,
    pub(super) flag: Flag,
    pub(super) takes_value: bool,
}

const fn spec(long: &'static str, short: Option<char>, flag: Flag, takes_value: bool) -> FlagSpec {
    FlagSpec {
        long,
        short,
        flag,
        takes_value,
    }
}

/// Every flag kubeglass understands; any other flag is refused as unknown, never ignored.
pub(super) const FLAGS: &[FlagSpec] = &[
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
    spec("show-labels", None, Flag::ShowLabels, false),
    spec("label-columns", Some('L'), Flag::LabelColumns, true),
    spec("no-headers", None, Flag::NoHeaders, false),
    spec("sort-by", None, Flag::SortBy, true),
    spec("revision", None, Flag::Revision, true),
    spec("to", None, Flag::To, true),
    spec("all", Some('a'), Flag::All, false),
    spec("grep-v", None, Flag::GrepV, true),
    spec("fold", None, Flag::Fold, false),
];

/// The flags a command may use, as an unknown flag's error lists them.
fn flag_list() -> String {
    FLAGS
        .iter()
        .filter(|s| s.flag != Flag::NoRedactLogs)
        .map(|s| match s.short {
            Some(c) => format!("-{c}/--{}", s.long),
            None => format!("--{}", s.long),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn lookup_long(name: &str) -> Option<&'static FlagSpec> {
    FLAGS.iter().find(|s| s.long == name)
}

fn lookup_short(c: char) -> Option<&'static FlagSpec> {
    FLAGS.iter().find(|s| s.short == Some(c))
}

/// Whether `w` (a flag word) is a known flag whose value is the next word.
pub(super) fn takes_separate_value(w: &str) -> bool {
    if let Some(long) = w.strip_prefix("--") {
        return !long.contains('=') && lookup_long(long).is_some_and(|s| s.takes_value);
    }
    let mut chars = w.chars().skip(1);
    match (chars.next(), chars.next()) {
        (Some(c), None) => lookup_short(c).is_some_and(|s| s.takes_value),
        _ => false,
    }
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
    let unknown = || {
        Error::new(
            Code::Unsupported,
            format!("unknown flag {w}; supported flags: {}", flag_list()),
        )
    };
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
            Some("diff") => Op::RolloutDiff,
            Some(sub) => {
                return Err(unsupported(format!(
                    "`rollout {sub}` is not available (only `rollout history` and `rollout diff`)"
                )));
            }
            None => {
                return Err(Error::invalid(
                    "`rollout` needs `history TYPE/NAME` or `diff TYPE/NAME`",
                ));
            }
        },
        "helm" => match rest.first().map(String::as_str) {
            Some("list" | "ls") => Op::HelmList,
            Some("history" | "hist") => Op::HelmHistory,
            Some(sub) => {
                return Err(unsupported(format!(
                    "`helm {sub}` is not available (only `helm list` and `helm history`)"
                )));
            }
            None => return Err(Error::invalid("`helm` needs `list` or `history NAME`")),
        },
        "rollout-history" | "rollout-diff" => {
            return Err(Error::invalid(
                "write `rollout history deploy/NAME` or `rollout diff deploy/NAME` (two words) in \
                 the kubectl form",
            ));
        }
        _ => {
            Op::from_name(verb).ok_or_else(|| unsupported(format!("unknown operation {verb:?}")))?
        }
    };
    let mut cmd = Command::new(op);
    let two_words = matches!(
        op,
        Op::RolloutHistory | Op::RolloutDiff | Op::HelmList | Op::HelmHistory
    );
    let args = if two_words && verb != op.as_str() {
        &rest[1..]
    } else {
        rest
    };
    match op {
        Op::Get | Op::Describe | Op::RolloutHistory | Op::RolloutDiff => {
            set_type_and_names(&mut cmd, args)?
        }
        Op::Logs => set_logs_target(&mut cmd, args)?,
        Op::Endpoints => set_service(&mut cmd, args)?,
        Op::Top => set_top_target(&mut cmd, args)?,
        Op::HelmHistory => cmd.names = args.to_vec(),
        Op::Events
        | Op::ApiResources
        | Op::Version
        | Op::Triage
        | Op::Changes
        | Op::History
        | Op::HelmList
        | Op::Scope => {
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
    // Several types (`get deploy,sts,ds`) only for `get`, and not with `TYPE/NAME`.
    if first.contains(',') && (cmd.op != Op::Get || first.contains('/')) {
        return Err(Error::invalid(
            "several types (`a,b`) only work with `get TYPE,TYPE [NAME…]`",
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
pub(super) fn flag_allowed(op: Op, flag: Flag) -> bool {
    use Flag::*;
    match flag {
        Namespace | MaxOutputBytes => true,
        AllNamespaces => matches!(
            op,
            Op::Get
                | Op::Describe
                | Op::Events
                | Op::Top
                | Op::Triage
                | Op::Changes
                | Op::HelmList
                | Op::History
        ),
        Selector => matches!(op, Op::Get | Op::Describe | Op::Logs | Op::Top),
        FieldSelector => matches!(op, Op::Get | Op::Events),
        Output => matches!(
            op,
            Op::Get
                | Op::Events
                | Op::Changes
                | Op::Triage
                | Op::History
                | Op::HelmList
                | Op::HelmHistory
                | Op::Scope
        ),
        All => op == Op::HelmList,
        For => matches!(op, Op::Events | Op::Changes | Op::History),
        Types => op == Op::Events,
        Revision | To => op == Op::RolloutDiff,
        Since if matches!(op, Op::Changes | Op::History) => true,
        ShowLabels | LabelColumns | NoHeaders | SortBy => op == Op::Get,
        Container | Tail | Since | SinceTime | Previous | Timestamps | LimitBytes
        | AllContainers | MaxLogRequests | Grep | GrepV | Fold | NoRedactLogs => op == Op::Logs,
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
        Flag::Output => (cmd.output, cmd.print.template) = parse_output(&v)?,
        Flag::Container => logs.container = Some(v),
        Flag::Tail => logs.tail = Some(parse_int(spelled, &v)?),
        Flag::Since if matches!(cmd.op, Op::Changes | Op::History) => cmd.since = Some(v),
        Flag::Since => logs.since_seconds = Some(parse_duration_seconds(&v)?),
        Flag::SinceTime => logs.since_time = Some(v),
        Flag::Previous => logs.previous = on,
        Flag::Timestamps => logs.timestamps = on,
        Flag::LimitBytes => logs.limit_bytes = Some(parse_int(spelled, &v)?),
        Flag::AllContainers => logs.all_containers = on,
        Flag::MaxLogRequests => logs.max_log_requests = Some(parse_int(spelled, &v)?),
        Flag::Grep => logs.grep = Some(v),
        Flag::GrepV => logs.grep_v = Some(v),
        Flag::Fold => logs.fold = on,
        Flag::NoRedactLogs => return Err(Error::invalid(NO_REDACT_REFUSED)),
        Flag::For => cmd.for_object = Some(v),
        Flag::Types => cmd.types.extend(v.split(',').map(str::to_string)),
        Flag::MaxOutputBytes => cmd.max_output_bytes = Some(parse_int(spelled, &v)?),
        Flag::ShowLabels => cmd.print.show_labels = on,
        Flag::LabelColumns => cmd
            .print
            .label_columns
            .extend(v.split(',').filter(|k| !k.is_empty()).map(str::to_string)),
        Flag::NoHeaders => cmd.print.no_headers = on,
        Flag::SortBy => cmd.print.sort_by = Some(v),
        Flag::Revision => cmd.revision = Some(parse_int(spelled, &v)?),
        Flag::To => cmd.to_revision = Some(parse_int(spelled, &v)?),
        Flag::All => cmd.all = on,
    }
    Ok(())
}

fn parse_int<T: std::str::FromStr>(spelled: &str, v: &str) -> Result<T> {
    v.parse()
        .map_err(|_| Error::invalid(format!("flag {spelled} takes a whole number, not {v:?}")))
}

/// `-o` values: kubectl's names, plus `table` for the default; custom-columns and jsonpath
/// come with their spec.
fn parse_output(v: &str) -> Result<(OutputFormat, Option<String>)> {
    if let Some(spec) = v.strip_prefix("custom-columns=") {
        return Ok((OutputFormat::CustomColumns, Some(spec.to_string())));
    }
    if let Some(t) = v.strip_prefix("jsonpath=") {
        return Ok((OutputFormat::JsonPath, Some(t.to_string())));
    }
    let format = match v {
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
                format!(
                    "output {v:?} is not available; use -o table, wide, json, yaml, name, \
                     custom-columns=SPEC or jsonpath=TEMPLATE"
                ),
            ));
        }
        _ => {
            return Err(Error::invalid(format!(
                "unknown output format {v:?}; use table, wide, json, yaml, name, \
                 custom-columns=SPEC or jsonpath=TEMPLATE"
            )));
        }
    };
    Ok((format, None))
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

#[cfg(test)]
mod tests {
    use super::super::test_util::{code, line};
    use super::*;

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
        assert_eq!(code("get pods -o jsonpath-file=x"), Code::Unsupported);
        assert_eq!(code("get pods -o go-template={{.x}}"), Code::Unsupported);
        let c = line("get pods -o jsonpath={.items[*].metadata.name}").unwrap();
        assert_eq!(c.output, OutputFormat::JsonPath);
        assert_eq!(
            c.print.template.as_deref(),
            Some("{.items[*].metadata.name}")
        );
        let c = line("get pods -o custom-columns=NAME:.metadata.name").unwrap();
        assert_eq!(c.output, OutputFormat::CustomColumns);
        assert_eq!(code("get pods -o jsonpath={{.x}}"), Code::InvalidCommand);
        assert_eq!(
            code("get pods -o custom-columns=NAME"),
            Code::InvalidCommand
        );
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
    fn an_unknown_flag_lists_the_supported_flags_not_the_operations() {
        let e = line("get pods --frob").unwrap_err();
        assert_eq!(e.code, Code::Unsupported);
        assert!(
            e.message
                .contains("supported flags: -n/--namespace, -A/--all-namespaces")
                && e.message.contains("--sort-by")
                && !e.message.contains("rollout history")
                && !e.message.contains("no-redact"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unbalanced_quotes_are_an_invalid_command() {
        assert_eq!(code("get pods -l 'app=web"), Code::InvalidCommand);
    }
}

#[cfg(test)]
mod print_flags {
    use super::super::test_util::{code, line};
    use super::*;

    #[test]
    fn parses_kubectl_table_flags() {
        let c = line(
            "get pods --show-labels -L app -L tier,zone --no-headers --sort-by=.metadata.name",
        )
        .unwrap();
        assert!(c.print.show_labels && c.print.no_headers);
        assert_eq!(c.print.label_columns, ["app", "tier", "zone"]);
        assert_eq!(c.print.sort_by.as_deref(), Some(".metadata.name"));
        assert_eq!(line("get pods -Lapp").unwrap().print.label_columns, ["app"]);
        assert_eq!(code("describe pods --show-labels"), Code::InvalidCommand);
        assert_eq!(code("get pods --sort-by '{.a'"), Code::InvalidCommand);
    }
}

#[cfg(test)]
mod several_types {
    use super::super::test_util::{code, line};
    use super::*;

    #[test]
    fn get_takes_several_types_and_other_verbs_do_not() {
        let cmd = parse_line("get deploy,sts,ds -n shop").unwrap();
        assert_eq!(cmd.resource.as_deref(), Some("deploy,sts,ds"));
        assert!(parse_line("describe deploy,svc web").is_err());
        assert!(parse_line("get deploy,svc/web").is_err());
        assert!(parse_line("get deploy,..").is_err());
        let json = crate::command::parse_json_str(r#"{"op":"describe","resource":"pods,svc"}"#);
        assert!(json.is_err());
    }

    #[test]
    fn changes_and_rollout_diff_take_their_own_flags_and_refuse_the_rest() {
        let c = line("changes -n shop --since 90m --for deploy/api -o json").unwrap();
        assert_eq!(c.op, Op::Changes);
        assert_eq!(c.since.as_deref(), Some("90m"));
        assert_eq!(c.for_object.as_deref(), Some("deploy/api"));
        assert_eq!(c.output, OutputFormat::Json);
        assert!(line("changes -A").unwrap().all_namespaces);
        let d = line("rollout diff sts/db --revision 3 --to 1").unwrap();
        assert_eq!(d.op, Op::RolloutDiff);
        assert_eq!(
            (d.resource.as_deref(), d.revision, d.to_revision),
            (Some("sts"), Some(3), Some(1))
        );
        for bad in [
            "changes --since soon",
            "changes -o yaml",
            "changes pods",
            "changes --revision 2",
            "get pods --revision 2",
            "rollout diff deploy/api --since 1h",
            "rollout diff deploy/api --revision 0",
            "rollout diff pods/x",
            "rollout diff deploy/a deploy/b",
        ] {
            assert!(line(bad).is_err(), "{bad} parsed");
        }
        assert_eq!(code("rollout diff svc/x"), Code::Unsupported);
        let json =
            crate::command::parse_json_str(r#"{"op":"changes","since":"1h","namespace":"shop"}"#)
                .unwrap();
        assert_eq!(json.since.as_deref(), Some("1h"));
        let bad_since =
            crate::command::parse_json_str(r#"{"op":"get","resource":"pods","since":"1h"}"#);
        assert!(bad_since.is_err());
    }
}
