//! Help where users look for it: per-operation help (`kubeglass query -- get --help`,
//! `kubeglass help logs`), the list of operations in `query --help`, and shell completion
//! (`kubeglass completion bash|zsh|fish`). Everything listed comes from the command model:
//! the ops and their flags from `command::help` (the parser's own table), what each op is
//! for from its MCP tool's description.

use crate::command::Op;
use crate::command::help::{ALL_OPS, all_long_flags, op_help, op_named, verb, wrap};
use crate::error::{Error, Result};
use crate::mcp::tools::description;

/// The subcommands, as completion offers them.
const SUBCOMMANDS: &[&str] = &[
    "query",
    "run",
    "send",
    "mcp",
    "health",
    "version",
    "help",
    "completion",
];

/// `query`'s own flags (before `--`), as completion offers them; a test holds them to
/// `query --help`.
pub const QUERY_FLAGS: &[&str] = &[
    "--kubeconfig",
    "--context",
    "--request-timeout",
    "--namespaces",
    "--no-cluster-resources",
    "--no-secrets",
    "--redact-env-names",
    "--allow-unredacted-logs",
    "--max-output-bytes",
    "--command-timeout",
    "--command-json",
    "--json",
    "--help",
    "--version",
];

/// Built-in resource types and their kubectl short names, for completion (the server may
/// serve more: `kubeglass query -- api-resources` lists them).
const TYPES: &[&str] = &[
    "all",
    "pods",
    "po",
    "services",
    "svc",
    "deployments",
    "deploy",
    "replicasets",
    "rs",
    "statefulsets",
    "sts",
    "daemonsets",
    "ds",
    "jobs",
    "cronjobs",
    "cj",
    "configmaps",
    "cm",
    "secrets",
    "namespaces",
    "ns",
    "nodes",
    "no",
    "events",
    "ev",
    "endpoints",
    "ep",
    "persistentvolumeclaims",
    "pvc",
    "persistentvolumes",
    "pv",
    "ingresses",
    "ing",
    "serviceaccounts",
    "sa",
    "horizontalpodautoscalers",
    "hpa",
    "networkpolicies",
    "netpol",
    "poddisruptionbudgets",
    "pdb",
    "storageclasses",
    "sc",
    "customresourcedefinitions",
    "crd",
    "resourcequotas",
    "quota",
    "limitranges",
    "limits",
    "leases",
    "roles",
    "rolebindings",
    "clusterroles",
    "clusterrolebindings",
    "endpointslices",
    "ingressclasses",
    "priorityclasses",
    "pc",
];

/// The help of the op `words` start with (`get`, `rollout diff`), if they name one.
pub fn for_words(words: &[&str]) -> Option<String> {
    (0..words.len())
        .find_map(|i| op_named(&words[i..]))
        .map(|op| op_help(op, about(op)))
}

/// What `op` is for: its MCP tool's description (`history` has no tool: `mcp` runs no
/// recorder).
fn about(op: Op) -> &'static str {
    match (op, description(op)) {
        (Op::History, "") => {
            "What the agent's flight recorder (run --record) kept, newest first: warnings, \
             terminations and changes seen while they happened, after the events are gone."
        }
        (_, d) => d,
    }
}

/// The operations, one line each, for `query --help`.
pub fn ops_list() -> String {
    let width = ALL_OPS.iter().map(|op| verb(*op).len()).max().unwrap_or(0);
    let hang = " ".repeat(width + 4);
    let mut out = String::new();
    for op in ALL_OPS {
        let about = about(op);
        let first = about.split(". ").next().unwrap_or(about);
        let first = first
            .split(": ")
            .next()
            .unwrap_or(first)
            .trim_end_matches('.');
        let text = wrap(first, 98 - width - 4, &hang);
        out.push_str(&format!("  {:width$}  {}", verb(op), text.trim_start()));
    }
    out
}

/// The completion script for `shell`.
pub fn completion(shell: &str) -> Result<String> {
    let ops: Vec<String> = ALL_OPS
        .iter()
        .map(|op| verb(*op).split(' ').next().unwrap_or("").to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .chain(["list".to_string()])
        .collect();
    let mut flags: Vec<String> = all_long_flags()
        .iter()
        .map(|f| format!("--{f}"))
        .chain(QUERY_FLAGS.iter().map(|f| f.to_string()))
        .collect();
    flags.sort();
    flags.dedup();
    let (subs, ops, flags, types) = (
        SUBCOMMANDS.join(" "),
        ops.join(" "),
        flags.join(" "),
        TYPES.join(" "),
    );
    match shell {
        "bash" | "zsh" => {
            let head = if shell == "zsh" {
                "#compdef kubeglass\nautoload -U +X bashcompinit && bashcompinit\n"
            } else {
                ""
            };
            Ok(format!(
                "{head}# kubeglass {shell} completion: source it, e.g. \
                 `source <(kubeglass completion {shell})`\n\
_kubeglass() {{\n\
  local cur=\"${{COMP_WORDS[COMP_CWORD]}}\"\n\
  if [ \"$COMP_CWORD\" -eq 1 ]; then\n\
    COMPREPLY=( $(compgen -W \"{subs} --help --version\" -- \"$cur\") ); return\n\
  fi\n\
  case \"${{COMP_WORDS[1]}}\" in\n\
    completion) COMPREPLY=( $(compgen -W \"bash zsh fish\" -- \"$cur\") ); return ;;\n\
    help) COMPREPLY=( $(compgen -W \"{ops}\" -- \"$cur\") ); return ;;\n\
    query|send) ;;\n\
    *) COMPREPLY=( $(compgen -W \"--help --version\" -- \"$cur\") ); return ;;\n\
  esac\n\
  if [[ \"$cur\" == -* ]]; then\n\
    COMPREPLY=( $(compgen -W \"{flags}\" -- \"$cur\") ); return\n\
  fi\n\
  local i seen=\"\"\n\
  for ((i = 2; i < COMP_CWORD; i++)); do\n\
    case \" {ops} \" in *\" ${{COMP_WORDS[i]}} \"*) seen=1 ;; esac\n\
  done\n\
  if [ -z \"$seen\" ]; then\n\
    COMPREPLY=( $(compgen -W \"{ops}\" -- \"$cur\") )\n\
  else\n\
    COMPREPLY=( $(compgen -W \"{types}\" -- \"$cur\") )\n\
  fi\n\
}}\n\
complete -F _kubeglass kubeglass\n"
            ))
        }
        "fish" => {
            let mut out = format!(
                "# kubeglass fish completion: `kubeglass completion fish | source`\n\
complete -c kubeglass -f\n\
complete -c kubeglass -n __fish_use_subcommand -a \"{subs}\"\n\
complete -c kubeglass -n \"__fish_seen_subcommand_from completion\" -a \"bash zsh fish\"\n\
complete -c kubeglass -n \"__fish_seen_subcommand_from help\" -a \"{ops}\"\n\
complete -c kubeglass -n \"__fish_seen_subcommand_from query send; and not __fish_seen_subcommand_from {ops}\" -a \"{ops}\"\n\
complete -c kubeglass -n \"__fish_seen_subcommand_from {ops}\" -a \"{types}\"\n"
            );
            for f in flags.split(' ') {
                out.push_str(&format!(
                    "complete -c kubeglass -n \"__fish_seen_subcommand_from query send\" -l {}\n",
                    f.trim_start_matches("--")
                ));
            }
            Ok(out)
        }
        other => Err(Error::config(format!(
            "completion for {other:?} is not available: bash, zsh or fish"
        ))),
    }
}

/// Whether `words` ask for help (`-h`, `--help`).
pub fn asks_help<S: AsRef<str>>(words: &[S]) -> bool {
    words.iter().any(|w| matches!(w.as_ref(), "-h" | "--help"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::help::op_flags;

    #[test]
    fn query_help_lists_every_op_and_completion_every_flag_the_parser_takes() {
        let list = ops_list();
        for op in ALL_OPS {
            assert!(list.contains(&format!("  {}", verb(op))), "{op:?}:\n{list}");
            for (spelled, _) in op_flags(op) {
                let long = spelled
                    .split_whitespace()
                    .find(|w| w.starts_with("--"))
                    .unwrap_or_default()
                    .to_string();
                for shell in ["bash", "zsh", "fish"] {
                    let script = completion(shell).unwrap();
                    let offered = match shell {
                        "fish" => script.contains(&format!(" -l {}\n", &long[2..])),
                        _ => script.split(['"', ' ']).any(|w| w == long),
                    };
                    assert!(offered, "{shell}: {long}");
                }
            }
        }
        let help = super::super::query::help();
        for f in QUERY_FLAGS {
            assert!(help.contains(f), "query --help lacks {f}");
        }
        assert!(completion("bash").unwrap().contains(" deploy "));
        assert!(completion("powershell").is_err());
    }

    #[test]
    fn help_for_the_words_users_type() {
        let h = for_words(&["rollout", "diff", "deploy/x"]).unwrap();
        assert!(h.starts_with("kubeglass query -- rollout diff\n"), "{h}");
        assert!(h.contains("--revision N") && h.contains("--to N"), "{h}");
        assert!(for_words(&["frobnicate"]).is_none());
    }
}
