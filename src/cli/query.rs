//! `kubeglass query`: run one read command locally and print its result.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use super::common::{self, ClusterArgs};
use crate::command::{self, Command};
use crate::error::{Code, Error, Result};
use crate::ops;
use crate::output::Output;

/// Help for `kubeglass query --help`.
pub fn help() -> String {
    format!(
        "\
kubeglass query — run one read command against the cluster and print the result

Usage:
  kubeglass query [OPTIONS] [--] ARGS…           kubectl-style, e.g. -- get pods -n shop -o wide
                                                 (`--` keeps kubectl flags apart from ours)
  kubeglass query [OPTIONS] --command-json JSON  the wire form, e.g. '{{\"op\":\"get\",\"resource\":\"pods\"}}'

Operations (one's forms and flags: kubeglass query -- get --help, or kubeglass help get):
{}
Writes (delete, apply, edit, exec, …) are refused before any request is made.

{}
  --command-timeout DUR      longest the command may run (default 60s), then `Timeout`

  --help, --version          this help (an operation's: -- get --help), the version

Output:
  --json                     print the result object instead ({{\"status\", \"output\", \"format\",
                             \"truncated\", \"error\"}}: what the agent sends over SQS)

Notes (`[kubeglass: …]`: a picked pod, a hint, where the output was cut) go to stderr; the
answer alone goes to stdout. (`--json`, the agent and MCP keep them in the text.)

Exit status: 0 on success; 3 when the output budget cut the answer (what is printed is
valid but incomplete: narrow the command or raise --max-output-bytes); 1 with
`error: <Code>: <message>` on stderr; 2 on bad usage.
",
        super::help::ops_list(),
        common::CLUSTER_HELP
    )
}

/// Run `kubeglass query` with the arguments after the subcommand.
pub fn main(mut args: Vec<OsString>) -> ExitCode {
    // Everything after `--` is the kubectl-style command, never our own flags.
    let kubectl = match args.iter().position(|a| a == "--") {
        Some(i) => {
            let rest = args.split_off(i);
            // kubectl's own connection flags, typed by reflex among the command's words,
            // are query's: `query -- get pods --context prod` as `query --context prod -- …`.
            let (own, words) = split_query_flags(&rest[1..]);
            args.extend(own);
            Some(words)
        }
        None => None,
    };
    // `query -- get --help`, `query logs -h`: the operation's help, from the command model.
    let asked: Option<Vec<String>> = match &kubectl {
        Some(words) if super::help::asks_help(&lossy(words)) => Some(lossy(words)),
        None if super::help::asks_help(&lossy(&args)) => Some(lossy(&args)),
        _ => None,
    };
    if let Some(words) = asked {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        print!("{}", super::help::for_words(&words).unwrap_or_else(help));
        return ExitCode::SUCCESS;
    }
    let mut pargs = pico_args::Arguments::from_vec(args);
    if pargs.contains(["-h", "--help"]) {
        print!("{}", help());
        return ExitCode::SUCCESS;
    }
    let json = pargs.contains("--json");
    match prepare(pargs, kubectl) {
        Ok((settings, Ok(cmd))) => {
            let bounds = ops::Bounds {
                max_output_bytes: settings.cluster.max_output_bytes,
                command_timeout: settings.command_timeout,
            };
            let result = settings
                .cluster
                .connect()
                .and_then(|e| ops::run_command(&e, Ok(cmd), None, bounds));
            // A command line found malformed only once discovery ran (an API version that
            // cannot exist) is as bad as one the parser refused.
            let bad = matches!(&result, Err(e) if e.code == Code::InvalidCommand);
            let code = report(result, json);
            if bad { ExitCode::from(2) } else { code }
        }
        // A malformed or unknown command line (InvalidCommand, Unsupported) is a usage
        // error, exit 2; a write refused (ReadOnly) is an answer, exit 1.
        Ok((_, Err(e))) => {
            let usage = matches!(e.code, Code::InvalidCommand | Code::Unsupported);
            let code = report(Err(e), json);
            if usage { ExitCode::from(2) } else { code }
        }
        Err(e) => {
            common::print_error(&e);
            ExitCode::from(2)
        }
    }
}

/// Words as text (a non-UTF-8 word cannot name an op or a help flag anyway).
fn lossy(words: &[OsString]) -> Vec<String> {
    words
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect()
}

/// Flags of `query` that may stand among the command's words (after `--`): the connection
/// (`--context`, `--kubeconfig`, `--request-timeout`), `--command-timeout` and `--json`.
/// Returns them, and the command's words without them.
fn split_query_flags(words: &[OsString]) -> (Vec<OsString>, Vec<OsString>) {
    const WITH_VALUE: [&str; 4] = [
        "--context",
        "--kubeconfig",
        "--request-timeout",
        "--command-timeout",
    ];
    let mut own = Vec::new();
    let mut rest = Vec::new();
    let mut iter = words.iter();
    while let Some(w) = iter.next() {
        let text = w.to_string_lossy();
        let name = text.split('=').next().unwrap_or("");
        if WITH_VALUE.contains(&name) {
            own.push(w.clone());
            if !text.contains('=')
                && let Some(v) = iter.next()
            {
                own.push(v.clone());
            }
        } else if text == "--json" {
            own.push(w.clone());
        } else {
            rest.push(w.clone());
        }
    }
    (own, rest)
}

/// `query`'s settings: the cluster's, and how long the command may run.
struct QueryArgs {
    cluster: ClusterArgs,
    /// `--command-timeout`: the command answers `Timeout` by then, however many requests
    /// it makes (each one is also bounded by `--request-timeout`).
    command_timeout: std::time::Duration,
}

/// Parse the flags (a problem there is a usage error) and the command (whose own errors,
/// such as `ReadOnly`, are returned inside).
fn prepare(
    mut pargs: pico_args::Arguments,
    kubectl: Option<Vec<OsString>>,
) -> Result<(QueryArgs, Result<Command>)> {
    let cluster = common::cluster_args(&mut pargs)?;
    let command_timeout = common::duration(&mut pargs, "--command-timeout", 60)?;
    let settings = QueryArgs {
        cluster,
        command_timeout,
    };
    let json: Option<String> = pargs
        .opt_value_from_str("--command-json")
        .map_err(common::usage)?;
    let rest = pargs.finish();
    // Without `--`, what is left after our own flags is the command (`query get pods -A`);
    // with it, what is left before `--` is kubectl's flags typed where kubectl takes them
    // (`query --namespace shop -- get pods`, `-nshop`, `--namespace=shop`): they join the
    // command, whose parser accepts flags before the verb and refuses unknown ones.
    let kubectl = match (kubectl, rest.is_empty()) {
        (None, false) if json.is_none() => Some(rest),
        (Some(words), false) if json.is_none() => Some(rest.into_iter().chain(words).collect()),
        (k, true) => k,
        (_, false) => {
            return Err(Error::config(format!(
                "unexpected argument {:?} (put the kubectl-style command after `--`)",
                rest[0]
            )));
        }
    };
    let cmd = match (json, kubectl) {
        (Some(j), None) => command::parse_json_str(&j),
        (None, Some(words)) => words
            .into_iter()
            .map(|w| {
                w.into_string()
                    .map_err(|_| Error::invalid("arguments must be UTF-8"))
            })
            .collect::<Result<Vec<String>>>()
            .and_then(|w| command::parse_args(&w)),
        (Some(_), Some(_)) => {
            return Err(Error::config(
                "give either --command-json or `-- ARGS`, not both",
            ));
        }
        (None, None) => {
            return Err(Error::config(
                "no command: try `kubeglass query -- get pods -A` (see --help)",
            ));
        }
    };
    Ok((settings, cmd))
}

/// Exit status of an answer the output budget cut: it is valid and incomplete (exit 0 would
/// pass 165 of 1,000 pods off as all of them to a script; 1 is a failure, 2 bad usage).
pub const EXIT_CUT: u8 = 3;

/// Print a result: the output itself — its note lines (`[kubeglass: …]`, hints, the cut
/// line) on stderr, in their place, as kubectl writes `Found 3 pods, using pod/…` — or with
/// `--json` the result object; a failure is one `error:` line on stderr. Exit 0 on
/// success, [`EXIT_CUT`] when the budget cut the answer, 1 on failure (the caller makes a
/// bad command line 2).
fn report(result: Result<Output>, json: bool) -> ExitCode {
    let code = match &result {
        Ok(out) if out.truncated => ExitCode::from(EXIT_CUT),
        Ok(_) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(1),
    };
    if json {
        println!("{}", result_object(&result));
        if let Err(e) = &result {
            common::print_error(e);
        }
        return code;
    }
    match result {
        Ok(out) => {
            print_answer(&out);
            code
        }
        Err(e) => {
            // kubectl's partial result: what was found, then the error.
            if let Some(p) = &e.partial {
                let newline = if p.ends_with('\n') || p.is_empty() {
                    ""
                } else {
                    "\n"
                };
                let _ = write!(std::io::stdout().lock(), "{p}{newline}");
            }
            common::print_error(&e);
            code
        }
    }
}

/// The answer on stdout, its note lines on stderr, each written in turn (stdout flushed
/// before a note) so a terminal shows them in the answer's order; a JSON document's cut
/// note, which lives in its `metadata`, is said on stderr after it.
fn print_answer(out: &Output) {
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let mut ends_with_newline = true;
    // A closed pipe (`| head`) is not an error worth a message.
    for (is_note, part) in out.parts() {
        if is_note {
            let _ = stdout.flush();
            let _ = stderr.write_all(part.as_bytes());
        } else {
            let _ = stdout.write_all(part.as_bytes());
            ends_with_newline = part.ends_with('\n');
        }
    }
    if !ends_with_newline {
        let _ = stdout.write_all(b"\n");
    }
    let _ = stdout.flush();
    if let Some(note) = &out.doc_note {
        let _ = writeln!(stderr, "[{note}]");
    }
}

/// The result object of `--json` (the agent's response without its envelope fields).
pub fn result_object(result: &Result<Output>) -> serde_json::Value {
    match result {
        Ok(out) => serde_json::json!({
            "status": "ok",
            "format": out.format,
            "output": out.text,
            "truncated": out.truncated,
        }),
        Err(e) => {
            let mut v = serde_json::json!({
                "status": "error",
                "error": {"code": e.code, "message": e.message},
            });
            if let Some(p) = &e.partial {
                v["format"] = serde_json::json!("text");
                v["output"] = serde_json::json!(p);
            }
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<OsString> {
        s.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn connection_flags_among_the_command_words_are_query_flags() {
        let (own, rest) = split_query_flags(&words(
            "get pods --context prod -n shop --kubeconfig=/k --request-timeout 5s --json",
        ));
        assert_eq!(
            own,
            words("--context prod --kubeconfig=/k --request-timeout 5s --json")
        );
        assert_eq!(rest, words("get pods -n shop"));
        let (own, rest) = split_query_flags(&words("logs x --namespaces a --contexts"));
        assert!(own.is_empty());
        assert_eq!(rest.len(), 5);
    }
}
