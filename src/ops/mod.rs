//! The read operations: each turns a validated [`Command`] into GET requests and an [`Output`].

use std::time::Instant;

use crate::command::Command;
use crate::error::Result;
use crate::output::Output;

pub mod describe;
pub mod endpoints;
pub mod engine;
pub mod events;
pub mod get;
pub mod info;
pub mod inspect;
pub mod logs;
pub mod rollout;

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
