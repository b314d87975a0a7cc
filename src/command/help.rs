//! Per-operation help (`kubeglass query -- get --help`, `kubeglass help logs`), made from the
//! command model, not written beside it: the flags are the parser's own table
//! ([`argv::FLAGS`] filtered by the same [`argv::flag_allowed`] the parser asks), and each
//! flag says what the MCP tool schema says of the field it sets ([`schema::field_about`]).
//! A flag the parser takes for an op is listed for it, and only those; the tests hold that.

use super::argv::{FLAGS, Flag, flag_allowed};
use super::schema::field_about;
use super::{Op, verb_of};

/// Every op, in the order `query --help` lists them (triage first: it is where to start).
pub const ALL_OPS: [Op; 16] = [
    Op::Triage,
    Op::Scope,
    Op::Changes,
    Op::Get,
    Op::Describe,
    Op::Logs,
    Op::Events,
    Op::Endpoints,
    Op::RolloutHistory,
    Op::RolloutDiff,
    Op::HelmList,
    Op::HelmHistory,
    Op::Top,
    Op::History,
    Op::ApiResources,
    Op::Version,
];

/// The op as a user types it (`get`, `rollout diff`, `helm list`).
pub fn verb(op: Op) -> &'static str {
    verb_of(op)
}

/// The op a user typed as the first word(s) of a command (`get`, `rollout diff`, `helm ls`).
pub fn op_named(words: &[&str]) -> Option<Op> {
    match words {
        ["rollout", "history", ..] => Some(Op::RolloutHistory),
        ["rollout", "diff", ..] => Some(Op::RolloutDiff),
        ["helm", "list" | "ls", ..] => Some(Op::HelmList),
        ["helm", "history" | "hist", ..] => Some(Op::HelmHistory),
        [first, ..] => Op::from_name(first),
        [] => None,
    }
}

/// The op's forms, as typed after `kubeglass query --`.
fn usage(op: Op) -> &'static [&'static str] {
    match op {
        Op::Get => &["get TYPE[,TYPE…] [NAME…]", "get TYPE/NAME…", "get all"],
        Op::Describe => &["describe TYPE [NAME or NAME-PREFIX…]", "describe TYPE/NAME"],
        Op::Logs => &["logs POD", "logs TYPE/NAME", "logs -l SELECTOR"],
        Op::Events => &["events"],
        Op::Endpoints => &["endpoints SERVICE"],
        Op::RolloutHistory => &["rollout history TYPE/NAME"],
        Op::RolloutDiff => &["rollout diff TYPE/NAME"],
        Op::Changes => &["changes"],
        Op::Top => &["top pods [NAME…]", "top nodes [NAME…]"],
        Op::ApiResources => &["api-resources"],
        Op::Version => &["version"],
        Op::Triage => &["triage"],
        Op::History => &["history"],
        Op::HelmList => &["helm list"],
        Op::HelmHistory => &["helm history RELEASE"],
        Op::Scope => &["scope"],
    }
}

/// The command field a flag sets (`logs.tail` for a field of the logs options) and the
/// placeholder of its value.
fn model(op: Op, flag: Flag) -> (&'static str, &'static str) {
    match flag {
        Flag::Namespace => ("namespace", "NAMESPACE"),
        Flag::AllNamespaces => ("all_namespaces", ""),
        Flag::Selector => ("selector", "SELECTOR"),
        Flag::FieldSelector => ("field_selector", "SELECTOR"),
        Flag::Output => ("output", "FORMAT"),
        Flag::Container => ("logs.container", "NAME"),
        Flag::Tail => ("logs.tail", "N"),
        Flag::Since if matches!(op, Op::Changes | Op::History) => ("since", "DURATION"),
        Flag::Since => ("logs.since_seconds", "DURATION"),
        Flag::SinceTime => ("logs.since_time", "TIME"),
        Flag::Previous => ("logs.previous", ""),
        Flag::Timestamps => ("logs.timestamps", ""),
        Flag::LimitBytes => ("logs.limit_bytes", "N"),
        Flag::AllContainers => ("logs.all_containers", ""),
        Flag::MaxLogRequests => ("logs.max_log_requests", "N"),
        Flag::Grep => ("logs.grep", "REGEX"),
        Flag::GrepV => ("logs.grep_v", "REGEX"),
        Flag::Fold => ("logs.fold", ""),
        Flag::For => ("for", "TYPE/NAME"),
        Flag::Types => ("types", "Normal,Warning"),
        Flag::NoRedactLogs => ("", ""),
        Flag::MaxOutputBytes => ("max_output_bytes", "N"),
        Flag::ShowLabels => ("print.show_labels", ""),
        Flag::LabelColumns => ("print.label_columns", "KEY,…"),
        Flag::NoHeaders => ("print.no_headers", ""),
        Flag::SortBy => ("print.sort_by", "PATH"),
        Flag::Revision => ("revision", "N"),
        Flag::To => ("to", "N"),
        Flag::All => ("all", ""),
    }
}

/// The flags `op` takes, as help lists them: (spelling with its value, what it does).
/// `--no-redact-logs` is left out: it is refused with its reason, never taken.
pub fn op_flags(op: Op) -> Vec<(String, &'static str)> {
    FLAGS
        .iter()
        .filter(|s| s.flag != Flag::NoRedactLogs && flag_allowed(op, s.flag))
        .map(|s| {
            let (wire, value) = model(op, s.flag);
            let mut spelled = match s.short {
                Some(c) => format!("-{c}, --{}", s.long),
                None => format!("    --{}", s.long),
            };
            if s.takes_value {
                spelled.push(' ');
                spelled.push_str(value);
            }
            (spelled, field_about(op, wire).unwrap_or(""))
        })
        .collect()
}

/// Every long flag of the kubectl-style form (for shell completion).
pub fn all_long_flags() -> Vec<&'static str> {
    FLAGS
        .iter()
        .filter(|s| s.flag != Flag::NoRedactLogs)
        .map(|s| s.long)
        .collect()
}

/// `op`'s help: its forms, what it is for (`about`, the MCP tool's description) and its
/// flags with what each does, wrapped at 100 columns.
pub fn op_help(op: Op, about: &str) -> String {
    let mut out = format!("kubeglass query -- {}\n\n", verb_of(op));
    out.push_str(&wrap(about, 98, "  "));
    out.push_str("\nUsage:\n");
    for u in usage(op) {
        out.push_str(&format!("  kubeglass query [OPTIONS] -- {u} [FLAGS]\n"));
    }
    out.push_str("\nFlags (kubectl's spelling; any other flag is refused, not ignored):\n");
    let flags = op_flags(op);
    let width = flags
        .iter()
        .map(|(s, _)| s.chars().count())
        .max()
        .unwrap_or(0);
    let hang = " ".repeat(width + 4);
    for (spelled, about) in &flags {
        let pad = width - spelled.chars().count();
        let text = wrap(about, 100 - width - 4, &hang);
        out.push_str(&format!(
            "  {spelled}{}  {}",
            " ".repeat(pad),
            text.trim_start()
        ));
    }
    out.push_str(
        "\nConnection and scope flags (--context, --kubeconfig, --namespaces, …): \
         kubeglass query --help\n",
    );
    out
}

/// `text` in lines of at most `width` columns (a longer word stands alone), each starting
/// with `indent`.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse_args;

    /// A command line of `op` that the parser takes, with `flag` (and a value it accepts).
    fn line_with(op: Op, spelled: &str) -> Vec<String> {
        let mut words: Vec<String> = usage(op)[0]
            .split_whitespace()
            .map(|w| match w {
                "TYPE[,TYPE…]" | "TYPE" => "pods".into(),
                "TYPE/NAME" | "TYPE/NAME…" => "deploy/web".into(),
                "[NAME…]" | "[NAME" | "NAME-PREFIX…]" | "or" => String::new(),
                "POD" | "SERVICE" | "RELEASE" => "x".into(),
                w => w.into(),
            })
            .filter(|w| !w.is_empty())
            .collect();
        let mut parts = spelled.split_whitespace().filter(|p| *p != "-n,");
        let name = parts
            .find(|p| p.starts_with("--"))
            .unwrap_or_default()
            .to_string();
        words.push(name.clone());
        let value = match name.as_str() {
            "--output" => Some("json"),
            "--types" => Some("Warning"),
            "--for" => Some("pod/x"),
            "--since" => Some("1h"),
            "--since-time" => Some("2026-12-07T00:00:00Z"),
            "--sort-by" => Some(".metadata.name"),
            "--label-columns" => Some("app"),
            "--grep" | "--grep-v" => Some("x"),
            "--selector" | "--field-selector" => Some("a=b"),
            "--namespace" | "--container" => Some("x"),
            _ if parts.next().is_some() => Some("1"),
            _ => None,
        };
        words.extend(value.map(str::to_string));
        words
    }

    #[test]
    fn every_flag_help_lists_is_taken_by_the_parser_and_every_other_is_refused() {
        for op in ALL_OPS {
            let listed: Vec<String> = op_flags(op)
                .into_iter()
                .map(|(spelled, about)| {
                    assert!(!about.is_empty(), "{op:?} {spelled}: no description");
                    spelled
                })
                .collect();
            for spelled in &listed {
                let words = line_with(op, spelled);
                let parsed = parse_args(&words);
                // Taken by the lexer and allowed for the op: whatever validation says of
                // the combination, it is never "does not apply" or "unknown flag".
                if let Err(e) = &parsed {
                    assert!(
                        !e.message.contains("does not apply")
                            && !e.message.contains("unknown flag"),
                        "{op:?}: {words:?}: {e}"
                    );
                }
            }
            for s in FLAGS.iter().filter(|s| s.flag != Flag::NoRedactLogs) {
                let shown = listed
                    .iter()
                    .any(|l| l.split_whitespace().any(|w| w == format!("--{}", s.long)));
                assert_eq!(
                    shown,
                    flag_allowed(op, s.flag),
                    "{op:?} --{}: help and parser disagree",
                    s.long
                );
                if !shown {
                    let words = line_with(op, &format!("--{}", s.long));
                    let refused = parse_args(&words).is_err();
                    assert!(refused, "{op:?}: {words:?} is taken but not listed");
                }
            }
        }
    }

    #[test]
    fn every_op_has_help_and_is_named_by_what_users_type() {
        for op in ALL_OPS {
            let words: Vec<&str> = verb_of(op).split(' ').collect();
            assert_eq!(op_named(&words), Some(op));
            assert!(op_help(op, "x").contains(&format!("-- {}", verb_of(op))));
        }
        let h = op_help(Op::Logs, "Container logs");
        assert!(
            h.contains("-c, --container NAME") && h.contains("--previous"),
            "{h}"
        );
        assert!(
            !h.contains("--no-redact-logs") && !h.contains("--sort-by"),
            "{h}"
        );
    }
}
