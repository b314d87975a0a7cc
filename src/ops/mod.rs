//! The read operations, one file each: every op fetches through the [`Engine`] (the only
//! way to read the cluster, and the redaction choke point), renders — pure renderers live in
//! [`render`] — and cuts to the output budget. This file only dispatches.
//!
//! ```text
//! command ─▶ ops::execute ─▶ <op>.rs ─fetch─▶ engine.rs ─GET─▶ kube/ ─▶ redact ─▶ Redacted
//!                                  └─render─▶ render/… , output/ (table, doc, budget)
//! ```

use std::borrow::Cow;
use std::time::Instant;

use crate::command::{Command, Op};
use crate::error::Result;
use crate::output::Output;
use crate::{kube, redact};

mod describe;
mod endpoints;
pub mod engine;
mod events;
mod get;
pub mod logs;
mod related;
pub mod render;
mod rollout;
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
        };
        // Every answer of every transport leaves here. Budgeted lines are already printable
        // (a second pass changes nothing); the few answers built without a budget (the
        // server's version, a "nothing found" line) carry server text too.
        let result = result.map(|mut out| {
            if let Cow::Owned(text) = crate::output::printable(&out.text) {
                out.text = text;
            }
            out
        });
        // Error messages quote the API, kubeconfig URLs and plugin output: redact them too,
        // and keep their control characters off the reader's terminal.
        result.map_err(|mut e| {
            let message = redact::message(&e.message).into_string();
            e.message = crate::output::printable(&message).into_owned();
            e
        })
    }
}

/// The op for `cmd`, after the namespace reads are limited to the scope.
fn dispatch(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    // Here rather than in parsing: it needs the operator's redaction settings, and every
    // transport (query, SQS, MCP) ends here.
    e.refuse_hidden_selectors(cmd)?;
    let scoped = e.namespace_reads_in_scope(cmd)?;
    let cmd = scoped.as_ref().unwrap_or(cmd);
    match cmd.op {
        Op::Get => get::run(e, cmd, max),
        Op::Logs => logs::run(e, cmd, max),
        Op::Describe => describe::run(e, cmd, max),
        Op::Events => events::run(e, cmd, max),
        Op::Endpoints => endpoints::run(e, cmd, max),
        Op::RolloutHistory => rollout::run(e, cmd, max),
        Op::Top => top::run(e, cmd, max),
        Op::ApiResources => server::api_resources(e, max),
        Op::Version => server::version(e),
        Op::Triage => triage::run(e, cmd, max),
    }
}
