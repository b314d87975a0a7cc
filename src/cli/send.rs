//! `kubeglass send`: the backend's side, for trying an install by hand — send one command,
//! wait for its response parts, join them and print the output.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};

use super::common::{self, flag_or_env};
use crate::command::parse_duration_seconds;
use crate::error::{Code, Error, Result};
use crate::fleet::{self, Queues, Via};
use crate::protocol;
use crate::sqs::Sqs;

const HELP: &str = "\
kubeglass send — send one command to an agent and print its answer (for trying an install)

Usage:
  kubeglass send --command-queue-url URL --response-queue-url URL [OPTIONS] [--] ARGS…
  kubeglass send … --command-json '{\"op\":\"get\",\"resource\":\"pods\"}'
  kubeglass send --fleet FILE --cluster NAME [OPTIONS] [--] ARGS…

Options:
  --timeout DUR        how long to wait for the answer (default 60s)
  --id ID              the command id (default send-<time>); an id the agent already
                       answered is reported at once, not waited for
  --show-heartbeats    print agents' heartbeats seen while waiting (to stderr)
  --fleet FILE --cluster NAME
                       the queue pair (and region, profile) of cluster NAME of a fleet
                       file (README, \"Many clusters\") instead of the queue URL flags;
                       --cluster '*' sends to every cluster behind queues at once and
                       prints each answer under `=== cluster NAME ===`

Credentials and region as for `kubeglass run` (they need send on the command queue and
receive/delete on the response queue).

Other messages on the response queue (other backends' answers, heartbeats) are left alone:
each is received at most once, kept invisible while `send` waits (so it is not received again
and its receive count rises by one at most), and handed back at once when `send` ends.
`send` is for trying an install: a production backend uses its own response queue, or
reads every message on it.
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
        // A failed command's partial result (`get pod a b` with `a` missing).
        Ok((false, partial)) => {
            print!("{partial}");
            if !partial.is_empty() && !partial.ends_with('\n') {
                println!();
            }
            ExitCode::from(1)
        }
        Err(e) => {
            common::print_error(&e);
            ExitCode::from(if e.code == Code::Config { 2 } else { 1 })
        }
    }
}

fn send(pargs: &mut pico_args::Arguments, words: Option<Vec<OsString>>) -> Result<(bool, String)> {
    let heartbeats = pargs.contains("--show-heartbeats");
    let route = route(pargs)?;
    let from_fleet = !matches!(route, Route::Direct(_));
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
    let given_id: Option<String> = pargs.opt_value_from_str("--id").map_err(common::usage)?;
    if from_fleet && (given_id.is_some() || heartbeats) {
        return Err(Error::config(
            "--id and --show-heartbeats do not go with --fleet (its calls make their own ids)",
        ));
    }
    let id = given_id.unwrap_or_else(|| format!("send-{nanos}"));
    let json_cmd: Option<String> = pargs
        .opt_value_from_str("--command-json")
        .map_err(common::usage)?;
    let mut body = json!({"version": protocol::VERSION, "id": id});
    let words = command_words(pargs, words, json_cmd.is_some())?;
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
    let queues = match route {
        Route::Direct(q) => q,
        Route::One(q) => return fleet_send(&q, body, timeout),
        Route::Many(all) => return fan_out(&all, &body, timeout),
    };
    let (commands, responses) = (queues.command.clone(), queues.response.clone());
    let sqs = fleet::remote::client(&queues)?;
    let fifo = commands
        .ends_with(".fifo")
        .then_some((id.as_str(), id.as_str()));
    let message_id = sqs
        .send(&commands, &body.to_string(), fifo)
        .map_err(|e| e.to_error(&commands))?;
    log::debug!("sent command {id} as SQS MessageId {message_id}");
    let mut w = Waiter {
        sqs: &sqs,
        queue: &responses,
        id: &id,
        heartbeats,
        held: Vec::new(),
    };
    let parts = w.wait(timeout);
    w.release_held();
    let parts = parts?;
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
        // A partial result (`get pod a b` with `a` missing) comes before its error.
        let partial = if first.get("output").is_some() {
            protocol::join_parts(&parts).unwrap_or_default()
        } else {
            String::new()
        };
        eprintln!("error: {code}: {msg}");
        return Ok((false, partial));
    }
    protocol::join_parts(&parts)
        .map(|t| (true, t))
        .map_err(|e| Error::internal(format!("cannot join the parts: {e}")))
}

/// The queue pair: a fleet file's cluster (`--fleet FILE --cluster NAME`, with its region
/// and profile), else the queue URL flags or their environment variables.
fn route(pargs: &mut pico_args::Arguments) -> Result<Route> {
    let file: Option<PathBuf> = pargs.opt_value_from_str("--fleet").map_err(common::usage)?;
    let cluster: Option<String> = pargs
        .opt_value_from_str("--cluster")
        .map_err(common::usage)?;
    let Some(file) = file else {
        if cluster.is_some() {
            return Err(Error::config("--cluster names a cluster of --fleet FILE"));
        }
        let command = flag_or_env(pargs, "--command-queue-url", "KUBEGLASS_COMMAND_QUEUE_URL")?
            .ok_or_else(|| Error::config("--command-queue-url is required"))?;
        let response = flag_or_env(
            pargs,
            "--response-queue-url",
            "KUBEGLASS_RESPONSE_QUEUE_URL",
        )?
        .ok_or_else(|| Error::config("--response-queue-url is required"))?;
        let q = Queues {
            command,
            response,
            region: None,
            profile: None,
        };
        return Ok(Route::Direct(q));
    };
    let members = fleet::load(&file)?;
    let names = || {
        members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let name = cluster.ok_or_else(|| {
        Error::config(format!("--fleet needs --cluster NAME (one of {})", names()))
    })?;
    if name == "*" {
        let all: Vec<(String, Queues)> = members
            .iter()
            .filter_map(|m| match &m.via {
                Via::Queues(q) => Some((m.name.clone(), q.clone())),
                Via::Context(_) => None,
            })
            .collect();
        if all.is_empty() {
            return Err(Error::config(format!(
                "{} has no cluster behind queues",
                file.display()
            )));
        }
        return Ok(Route::Many(all));
    }
    match members.iter().find(|m| m.name == name).map(|m| &m.via) {
        Some(Via::Queues(q)) => Ok(Route::One(q.clone())),
        Some(Via::Context(ctx)) => Err(Error::config(format!(
            "cluster {name} is the local context {ctx}: use kubeglass query --context {ctx}"
        ))),
        None => Err(Error::config(format!(
            "no cluster {name:?} in {}; clusters: {}",
            file.display(),
            names()
        ))),
    }
}

/// Where `send` sends: the queue URL flags, one cluster of a fleet file, or every cluster of
/// it behind queues (`--cluster '*'`).
enum Route {
    /// `--command-queue-url` and `--response-queue-url`: `send` as it always was.
    Direct(Queues),
    /// One cluster of a fleet file.
    One(Queues),
    /// `--cluster '*'`: every cluster of a fleet file behind queues, with its name.
    Many(Vec<(String, Queues)>),
}

/// `send --fleet FILE --cluster '*'`: the command to every cluster behind queues at once, the
/// answers printed in the file's order under `=== cluster NAME ===`, a failed cluster as its
/// `error:` line there; success only when every cluster answered `ok`.
fn fan_out(all: &[(String, Queues)], body: &Value, timeout: Duration) -> Result<(bool, String)> {
    let results: Vec<Result<(bool, String)>> = std::thread::scope(|s| {
        let handles: Vec<_> = all
            .iter()
            .map(|(_, q)| s.spawn(move || fleet_send_quiet(q, body.clone(), timeout)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::internal("a send thread panicked")))
            })
            .collect()
    });
    let mut text = String::new();
    let mut all_ok = true;
    for ((name, _), r) in all.iter().zip(results) {
        text.push_str(&format!("=== cluster {name} ===\n"));
        match r {
            Ok((ok, out)) => {
                all_ok &= ok;
                text.push_str(&out);
            }
            Err(e) => {
                all_ok = false;
                text.push_str(&format!("error: {}: {}", e.code, e.message));
            }
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    Ok((all_ok, text))
}

/// [`fleet_send`] with an agent's error answer in the text (its partial output, then the
/// `error:` line) instead of on stderr.
fn fleet_send_quiet(queues: &Queues, body: Value, timeout: Duration) -> Result<(bool, String)> {
    let remote = fleet::remote::Remote::connect(queues)?;
    match remote.exchange(wire(&body)?, None, timeout) {
        Ok(out) => Ok((true, out.text)),
        Err(e) => {
            let mut text = e.partial.clone().unwrap_or_default();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&format!("error: {}: {}", e.code, e.message));
            Ok((false, text))
        }
    }
}

/// The command of a `send` body in its protocol form: `command` or `kubectl`.
fn wire(body: &Value) -> Result<(&'static str, Value)> {
    match (body.get("command"), body.get("kubectl")) {
        (Some(c), _) => Ok(("command", c.clone())),
        (None, Some(k)) => Ok(("kubectl", k.clone())),
        (None, None) => Err(Error::internal("no command to send")),
    }
}

/// `send --fleet`: the command in `body` sent as `mcp --fleet` sends one (its own id, the
/// timeout as its deadline, other callers' messages handed back at once: docs/mcp.md), so a
/// script can share a response queue with MCP servers. An agent's error answer prints its
/// partial output, if any, and the error line.
fn fleet_send(queues: &Queues, body: Value, timeout: Duration) -> Result<(bool, String)> {
    let remote = fleet::remote::Remote::connect(queues)?;
    match remote.exchange(wire(&body)?, None, timeout) {
        Ok(out) => Ok((true, out.text)),
        Err(mut e) => match e.partial.take() {
            Some(partial) => {
                eprintln!("error: {}: {}", e.code, e.message);
                Ok((false, partial))
            }
            None => Err(e),
        },
    }
}

/// The command words: after `--`, or (as `query` takes them) what is left after the flags;
/// a leftover word that looks like a flag is an unknown flag, not part of the command.
fn command_words(
    pargs: &mut pico_args::Arguments,
    after_dashes: Option<Vec<OsString>>,
    json: bool,
) -> Result<Option<Vec<OsString>>> {
    let rest = std::mem::replace(pargs, pico_args::Arguments::from_vec(Vec::new())).finish();
    if let Some(flag) = rest
        .first()
        .filter(|w| w.to_string_lossy().starts_with('-'))
    {
        return Err(Error::config(format!(
            "unknown flag {flag:?} (see kubeglass send --help; put the command after `--`)"
        )));
    }
    match (after_dashes, rest.is_empty()) {
        (words, true) => Ok(words),
        (None, false) if !json => Ok(Some(rest)),
        (_, false) => Err(Error::config(format!(
            "unexpected argument {:?} (see kubeglass send --help)",
            rest[0]
        ))),
    }
}

/// Waits on the response queue for one command's answer.
struct Waiter<'a> {
    sqs: &'a Sqs,
    queue: &'a str,
    id: &'a str,
    heartbeats: bool,
    /// Receipt handles of other messages, kept invisible until the wait ends.
    held: Vec<String>,
}

impl Waiter<'_> {
    /// Receive until every part of the answer arrived (deleting them), or time out.
    fn wait(&mut self, timeout: Duration) -> Result<Vec<Value>> {
        let end = Instant::now() + timeout;
        // Parts keyed by (id, answer), the first complete answer taken (docs/protocol.md).
        let mut answers = protocol::Assembly::default();
        while Instant::now() < end {
            let left = end.saturating_duration_since(Instant::now());
            // Messages we receive stay invisible past the wait: another backend's message
            // is received by us once, never again (its receive count rises by one at most).
            let hide = (left.as_secs() + 2).min(43_200) as u32;
            let wait_s = left.as_secs().clamp(1, 20) as u32;
            let msgs = self
                .sqs
                .receive(self.queue, 10, wait_s, hide)
                .map_err(|e| e.to_error(self.queue))?;
            let mut complete = None;
            for m in msgs {
                let v = serde_json::from_str::<Value>(&m.body).unwrap_or(Value::Null);
                match self.classify(&v) {
                    Mine::Part => {
                        let _ = self.sqs.delete(self.queue, &m.receipt_handle);
                        // The rest of this batch is still sorted (held or deleted).
                        complete = complete.or_else(|| answers.add(v));
                    }
                    Mine::Duplicate => {
                        let _ = self.sqs.delete(self.queue, &m.receipt_handle);
                        return Err(Error::invalid(format!(
                            "the agent already answered a command with id {:?}: pick a new --id",
                            self.id
                        )));
                    }
                    Mine::Other => self.held.push(m.receipt_handle),
                }
            }
            if let Some(parts) = complete {
                return Ok(parts);
            }
        }
        Err(Error::new(
            Code::Timeout,
            format!(
                "no complete answer to {} within {} s",
                self.id,
                timeout.as_secs()
            ),
        ))
    }

    /// Whether a message is a part of our answer, the agent's "already answered" notice for
    /// our id, or someone else's (printing heartbeats when asked).
    fn classify(&self, v: &Value) -> Mine {
        let ours = v.get("id").and_then(Value::as_str) == Some(self.id);
        match v.get("type").and_then(Value::as_str) {
            Some("result") if ours => Mine::Part,
            Some("duplicate") if ours => Mine::Duplicate,
            Some("heartbeat") => {
                if self.heartbeats {
                    eprintln!("heartbeat: {v}");
                }
                Mine::Other
            }
            _ => Mine::Other,
        }
    }

    /// Hand every held message back at once (visibility 0).
    fn release_held(&mut self) {
        for h in self.held.drain(..) {
            let _ = self.sqs.change_visibility(self.queue, &h, 0);
        }
    }
}

/// What a message on the response queue is to `send`.
enum Mine {
    Part,
    Duplicate,
    Other,
}
