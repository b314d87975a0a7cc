//! The read operations, one file each: every op fetches through the [`Engine`] (the only
//! way to read the cluster, and the redaction choke point), renders — pure renderers live in
//! [`render`] — and cuts to the output budget. This file dispatches, and holds the two
//! bounds every command gets whatever its transport: [`run_command`], the one pipeline
//! (deadline, then the executor), and the executor's final cut to `max_output_bytes`.
//!
//! ```text
//! command ─▶ ops::execute ─▶ <op>.rs ─fetch─▶ engine.rs ─GET─▶ kube/ ─▶ redact ─▶ Redacted
//!                                  └─render─▶ render/… , output/ (table, doc, budget)
//! ```

use std::time::{Duration, Instant, SystemTime};

use crate::command::{Command, Op};
use crate::error::{Code, Error, Result};
use crate::output::budget::Budget;
use crate::output::{Format, Output};
use crate::{kube, redact};

mod changes;
mod describe;
mod endpoints;
pub mod engine;
mod events;
mod get;
mod helm;
mod history;
pub mod logs;
pub(crate) mod reads;
mod related;
pub mod render;
mod rollout;
mod rollout_diff;
mod scope;
mod server;
mod top;
mod triage;

pub use engine::Engine;

/// Runs commands; the agent loop and `kubeglass query` both hold one (shared across threads).
pub trait Executor: Send + Sync {
    /// Run `cmd` on the calling thread, cutting its output at `max_output_bytes`; with a
    /// `deadline`, no request outlives it and the command fails `Timeout` when it passes.
    fn execute(
        &self,
        cmd: &Command,
        max_output_bytes: usize,
        deadline: Option<Instant>,
    ) -> Result<Output>;
}

/// What bounds every command, wherever it came from (SQS, stdio, MCP, `query`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// The answer budget; a command may ask for less, never more.
    pub max_output_bytes: usize,
    /// The longest a command runs (`--command-timeout`) before it answers `Timeout`.
    pub command_timeout: Duration,
}

/// The one command pipeline every transport uses (SQS, `run --stdio`, MCP, `query`): a
/// command already parsed and validated (or the error that refused it) runs within its
/// deadline — the command timeout from now, or the message's own deadline when earlier; a
/// message whose deadline passed before it ran is answered `Expired` without running — and
/// the executor cuts its answer to the budget. Transports differ only in how commands
/// arrive and answers leave; what bounds the work is decided here, once.
pub fn run_command(
    exec: &dyn Executor,
    cmd: Result<Command>,
    message_deadline: Option<SystemTime>,
    bounds: Bounds,
) -> Result<Output> {
    if message_deadline.is_some_and(|d| d < SystemTime::now()) {
        return Err(Error::new(
            Code::Expired,
            "the command's deadline passed before it ran",
        ));
    }
    let cmd = cmd?;
    let mut deadline = Instant::now() + bounds.command_timeout;
    if let Some(d) = message_deadline {
        let left = d.duration_since(SystemTime::now()).unwrap_or_default();
        deadline = deadline.min(Instant::now() + left);
    }
    exec.execute(&cmd, bounds.max_output_bytes, Some(deadline))
}

impl Executor for Engine {
    fn execute(
        &self,
        cmd: &Command,
        max_output_bytes: usize,
        deadline: Option<Instant>,
    ) -> Result<Output> {
        let max = cmd
            .max_output_bytes
            .map_or(max_output_bytes, |m| m.min(max_output_bytes));
        log::debug!("executing {} (budget {max} bytes)", cmd.op.as_str());
        let run = || dispatch(self, cmd, max);
        let result = match deadline {
            Some(d) => kube::deadline::within(d, run),
            None => run(),
        }
        .map(|out| final_cut(printable(out), max));
        // Error messages quote the API, kubeconfig URLs and plugin output: redact them too,
        // and keep their control characters off the reader's terminal.
        result.map_err(|mut e| {
            let message = redact::message(&e.message).into_string();
            e.message = crate::output::printable(&message).into_owned();
            // What a failed command could still answer is an answer too: the same cut.
            e.partial = e.partial.take().map(|p| {
                let out = Output::plain(p, Format::Text, false);
                final_cut(printable(out), max).text
            });
            e
        })
    }
}

/// `out` with every character that could drive or deceive the reader's terminal made
/// visible ([`crate::output::printable`]). Every answer of every transport leaves through
/// the executor: budgeted lines already are printable (a second pass changes nothing), but
/// the few answers built without a budget (the server's version, a "nothing found" line)
/// carry server text too. Before the final cut, so escaping cannot grow an answer past it.
fn printable(out: Output) -> Output {
    out.map_text(crate::output::printable)
}

/// The one place the answer budget is enforced for every op: each op cuts its own output
/// where it knows how (whole rows, newest log lines), but a short answer that skips the
/// budget (`Output::text`), a note written beside it or an op's miscount must not make an
/// answer larger than `max`. Text and YAML are cut between lines with the budget's note; a
/// JSON document that does not fit becomes the budget's empty List carrying the note (still
/// one valid document). Only a budget smaller than the note itself cuts inside it.
fn final_cut(out: Output, max: usize) -> Output {
    if out.text.len() <= max {
        return out;
    }
    log::debug!(
        "the executor cut an answer of {} bytes to {max}",
        out.text.len()
    );
    const HINT: &str = "narrow the command or ask for more with max_output_bytes";
    let mut budget = Budget::new(max);
    match out.format {
        Format::Json => {
            budget.push(&out.text);
        }
        Format::Text | Format::Yaml => {
            // Note lines stay notes (`query` prints them on stderr).
            let mut notes = out.notes.iter().map(|r| r.start).peekable();
            let mut at = 0;
            for line in out.text.split_inclusive('\n') {
                let is_note = notes.next_if(|&n| n == at).is_some();
                at += line.len();
                let line = line.trim_end_matches('\n');
                let kept = if is_note {
                    budget.push_note(line)
                } else {
                    budget.push(line)
                };
                if !kept {
                    break;
                }
            }
        }
    }
    let mut cut = budget.finish(out.format, HINT);
    if cut.text.len() > max {
        let end = cut.text.floor_char_boundary(max);
        cut.text.truncate(end);
    }
    cut.truncated = true;
    cut
}

/// The op for `cmd`, after the namespace reads are limited to the scope.
fn dispatch(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    // Here rather than in parsing: it needs the operator's redaction settings, and every
    // transport (query, SQS, MCP) ends here.
    e.refuse_hidden_selectors(cmd)?;
    let scoped = e.namespace_reads_in_scope(cmd)?;
    let cmd = scoped.as_ref().unwrap_or(cmd);
    match cmd.op {
        // The allowed namespaces listed by name: one that does not exist is only noted.
        Op::Get if scoped.is_some() => get::run_in_scope(e, cmd, max),
        Op::Get => get::run(e, cmd, max),
        Op::Logs => logs::run(e, cmd, max),
        Op::Describe if scoped.is_some() => describe::run_in_scope(e, cmd, max),
        Op::Describe => describe::run(e, cmd, max),
        Op::Events => events::run(e, cmd, max),
        Op::Endpoints => endpoints::run(e, cmd, max),
        Op::RolloutHistory => rollout::run(e, cmd, max),
        Op::RolloutDiff => rollout_diff::run(e, cmd, max),
        Op::Changes => changes::run(e, cmd, max),
        Op::Top => top::run(e, cmd, max),
        Op::ApiResources => server::api_resources(e, max),
        Op::Version => server::version(e, max),
        Op::Triage => triage::run(e, cmd, max),
        Op::History => history::run(e, cmd, max),
        Op::HelmList | Op::HelmHistory => helm::run(e, cmd, max),
        Op::Scope => scope::run(e, cmd, max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_answer_leaves_the_executor_over_its_budget() {
        let long = |format| Output::plain("0123456789\n".repeat(1000), format, false);
        for max in [1, 100, 1024, 5000] {
            for format in [Format::Text, Format::Yaml, Format::Json] {
                let cut = final_cut(long(format), max);
                assert!(
                    cut.text.len() <= max,
                    "{max} {format:?}: {}",
                    cut.text.len()
                );
                assert!(cut.truncated);
            }
        }
        let cut = final_cut(long(Format::Json), 1024);
        let v: serde_json::Value = serde_json::from_str(&cut.text).expect("still JSON");
        assert!(v["metadata"]["kubeglass.truncated"].is_string(), "{v}");
        let cut = final_cut(long(Format::Text), 1024);
        assert!(
            cut.text
                .lines()
                .last()
                .is_some_and(|l| l.starts_with("[kubeglass: output cut"))
        );
        let small = final_cut(Output::text("short\n".into()), 1024);
        assert_eq!((small.text.as_str(), small.truncated), ("short\n", false));
    }
}
