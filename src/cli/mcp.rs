//! `kubeglass mcp`: serve the read operations as MCP tools on stdin/stdout, with the same
//! cluster, scope, redaction and budget flags as `query`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use super::common;
use crate::error::Error;

/// Help for `kubeglass mcp --help`.
pub fn help() -> String {
    format!(
        "\
kubeglass mcp — the read operations as a Model Context Protocol server on stdio

Usage:
  kubeglass mcp [OPTIONS]

Started by an AI tool (Claude Desktop/Code, Cursor, VS Code, …), which talks JSON-RPC on
stdin/stdout. Tools: triage, get, describe, logs, events, endpoints, rollout_history, top,
api_resources, version — each read-only; a tool call's arguments are the JSON command form
(docs/protocol.md) and can never widen the options below. Logs go to stderr
(RUST_LOG, default warn). End of input exits 0.

  --command-timeout DUR      longest a tool call may run (default 60s), then `Timeout`; calls
                             are answered one at a time, so this bounds the wait for the next
  --fleet FILE               many clusters (README, \"Many clusters\"): every tool takes a
                             `cluster` argument naming one of FILE's clusters, reached through
                             its agent's SQS queue pair (AWS credentials and region as for
                             `send`) or a local kubeconfig context; a `clusters` tool lists
                             them. The flags below then apply to the local contexts only: an
                             agent keeps its own scope and redaction.
  --contexts a,b             the same `cluster` argument over these contexts of the local
                             kubeconfig only (an operator allowlist: any other context is
                             refused before a request), no SQS

{}",
        common::CLUSTER_HELP
    )
}

/// Run `kubeglass mcp` with the arguments after the subcommand.
pub fn main(args: Vec<OsString>) -> ExitCode {
    let mut pargs = pico_args::Arguments::from_vec(args);
    if pargs.contains(["-h", "--help"]) {
        print!("{}", help());
        return ExitCode::SUCCESS;
    }
    super::init_logging();
    let settings = common::cluster_args(&mut pargs).and_then(|s| {
        let timeout = common::duration(&mut pargs, "--command-timeout", 60)?;
        let file: Option<PathBuf> = pargs.opt_value_from_str("--fleet").map_err(common::usage)?;
        let contexts: Option<String> = pargs
            .opt_value_from_str("--contexts")
            .map_err(common::usage)?;
        let fleet = match (file, contexts) {
            (Some(_), Some(_)) => {
                return Err(Error::config(
                    "--contexts does not go with --fleet: name contexts in the fleet file",
                ));
            }
            (Some(f), None) => Some(Fleet::File(f)),
            (None, Some(c)) => Some(Fleet::Contexts(c)),
            (None, None) => None,
        };
        if fleet.is_some() && s.kube.context.is_some() {
            return Err(Error::config(
                "--context does not go with --fleet or --contexts",
            ));
        }
        match pargs.finish().first() {
            Some(extra) => Err(Error::config(format!(
                "unexpected argument {extra:?} (see kubeglass mcp --help)"
            ))),
            None => Ok((s, timeout, fleet)),
        }
    });
    let (settings, call_timeout, fleet) = match settings {
        Ok(s) => s,
        Err(e) => {
            common::print_error(&e);
            return ExitCode::from(2);
        }
    };
    let limits = crate::mcp::Limits {
        max_output_bytes: settings.max_output_bytes,
        call_timeout,
    };
    if let Some(fleet) = fleet {
        let members = match fleet {
            Fleet::File(file) => crate::fleet::load(&file),
            Fleet::Contexts(list) => crate::fleet::contexts(&list),
        };
        // An unusable fleet file or context is said at start, like an unusable kubeconfig.
        let fleet = match members.and_then(|m| {
            crate::fleet::Fleet::connect(m, &settings.kube, &settings.scope, &settings.redact)
        }) {
            Ok(f) => f,
            Err(e) => {
                common::print_error(&e);
                return ExitCode::from(if e.code == crate::error::Code::Config {
                    2
                } else {
                    1
                });
            }
        };
        log::info!("mcp: fleet of {}", fleet.names().join(", "));
        return serve(crate::mcp::Backend::Fleet(&fleet), limits);
    }
    // An unusable kubeconfig is said at start (the AI tool shows stderr), not per call.
    let engine = match settings.connect() {
        Ok(e) => e,
        Err(e) => {
            common::print_error(&e);
            return ExitCode::from(1);
        }
    };
    let reach = crate::mcp::Reach {
        namespaces: engine.scope().namespaces.clone(),
        default_namespace: engine.default_namespace().to_string(),
    };
    serve(crate::mcp::Backend::Local(&engine, &reach), limits)
}

/// Where the clusters of `--fleet` or `--contexts` come from.
enum Fleet {
    /// A fleet file.
    File(PathBuf),
    /// A comma-separated list of local contexts.
    Contexts(String),
}

/// Serve on stdin/stdout until end of input.
fn serve(backend: crate::mcp::Backend, limits: crate::mcp::Limits) -> ExitCode {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    match crate::mcp::serve(backend, limits, stdin, stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The client closed stdout: nobody is left to answer.
            log::warn!("mcp: stopping: {e}");
            ExitCode::from(1)
        }
    }
}
