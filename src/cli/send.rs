//! `kubeglass send`: the backend's side, for trying an install by hand — send one command,
//! wait for its response parts, join them and print the output.

use std::ffi::OsString;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};

use super::common::{self, flag_or_env};
use crate::aws::Provider;
use crate::command::parse_duration_seconds;
use crate::error::{Code, Error, Result};
use crate::protocol;
use crate::sqs::Sqs;

const HELP: &str = "\
kubeglass send — send one command to an agent and print its answer

Usage:
  kubeglass send --command-queue-url URL --response-queue-url URL [--timeout 60s] [--id ID] -- ARGS…
  kubeglass send … --command-json '{\"op\":\"get\",\"resource\":\"pods\"}'

Credentials and region as for `kubeglass run` (they need send on the command queue and
receive/delete on the response queue). Other messages on the response queue are left alone.
";

/// Run `kubeglass send`.
pub fn main(mut args: Vec<OsString>) -> ExitCode {
    let words = args
        .iter()
        .position(|a| a == "--")
        .map(|i| args.split_off(i)[1..].to_vec());
    let mut pargs = pico_args::Arguments::from_vec(args);
    if pargs.contains(["-h", "--help"]) {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    super::init_logging();
    match send(&mut pargs, words) {
        Ok((true, text)) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            ExitCode::SUCCESS
        }
        Ok((false, _)) => ExitCode::from(1),
        Err(e) => {
            common::print_error(&e);
            ExitCode::from(if e.code == Code::Config { 2 } else { 1 })
        }
    }
}

fn send(pargs: &mut pico_args::Arguments, words: Option<Vec<OsString>>) -> Result<(bool, String)> {
    let commands = flag_or_env(pargs, "--command-queue-url", "KUBEGLASS_COMMAND_QUEUE_URL")?
        .ok_or_else(|| Error::config("--command-queue-url is required"))?;
    let responses = flag_or_env(
        pargs,
        "--response-queue-url",
        "KUBEGLASS_RESPONSE_QUEUE_URL",
    )?
    .ok_or_else(|| Error::config("--response-queue-url is required"))?;
    let timeout = match pargs
        .opt_value_from_str::<_, String>("--timeout")
        .map_err(common::usage)?
    {
        Some(t) => Duration::from_secs(
            parse_duration_seconds(&t)
                .map_err(|_| Error::config(format!("--timeout {t:?}")))?
                .max(1) as u64,
        ),
        None => Duration::from_secs(60),
    };
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let id: String = pargs
        .opt_value_from_str("--id")
        .map_err(common::usage)?
        .unwrap_or_else(|| format!("send-{nanos}"));
    let json_cmd: Option<String> = pargs
        .opt_value_from_str("--command-json")
        .map_err(common::usage)?;
    let mut body = json!({"version": protocol::VERSION, "id": id});
    match (json_cmd, words) {
        (Some(j), None) => {
            body["command"] = serde_json::from_str(&j)
                .map_err(|e| Error::invalid(format!("--command-json: {e}")))?
        }
        (None, Some(w)) => {
            let w: Vec<String> = w
                .into_iter()
                .map(|x| x.to_string_lossy().into_owned())
                .collect();
            body["kubectl"] = json!(w);
        }
        _ => {
            return Err(Error::config(
                "give the command after `--` or with --command-json",
            ));
        }
    }
    let sqs = Sqs::new(&commands, None, Arc::new(Provider::from_env()))?;
    let fifo = commands
        .ends_with(".fifo")
        .then_some((id.as_str(), id.as_str()));
    sqs.send(&commands, &body.to_string(), fifo)
        .map_err(|e| e.to_error(&commands))?;
    let parts = wait_for(&sqs, &responses, &id, timeout)?;
    let first = &parts[0];
    if first.get("status").and_then(Value::as_str) == Some("error") {
        let code = first
            .pointer("/error/code")
            .and_then(Value::as_str)
            .unwrap_or("Internal");
        let msg = first
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("");
        eprintln!("error: {code}: {msg}");
        return Ok((false, String::new()));
    }
    protocol::join_parts(&parts)
        .map(|t| (true, t))
        .map_err(|e| Error::internal(format!("cannot join the parts: {e}")))
}

/// Receive until every part of `id` arrived (deleting them), or time out.
fn wait_for(sqs: &Sqs, queue: &str, id: &str, timeout: Duration) -> Result<Vec<Value>> {
    let end = Instant::now() + timeout;
    let mut parts: Vec<Value> = Vec::new();
    while Instant::now() < end {
        let msgs = sqs
            .receive(queue, 10, 5, 30)
            .map_err(|e| e.to_error(queue))?;
        for m in msgs {
            let Ok(v) = serde_json::from_str::<Value>(&m.body) else {
                continue;
            };
            if v.get("id").and_then(Value::as_str) == Some(id)
                && v.get("type").and_then(Value::as_str) == Some("result")
            {
                let _ = sqs.delete(queue, &m.receipt_handle);
                parts.push(v);
            } else {
                // Not ours: let another reader have it right away.
                let _ = sqs.change_visibility(queue, &m.receipt_handle, 0);
            }
        }
        let want = parts
            .first()
            .and_then(|p| p.get("parts"))
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        if parts.len() as u64 >= want {
            return Ok(parts);
        }
    }
    Err(Error::new(
        Code::Timeout,
        format!("no complete answer to {id} within {} s", timeout.as_secs()),
    ))
}
