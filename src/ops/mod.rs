//! The read operations: each turns a validated [`Command`] into GET requests and an [`Output`].

use crate::command::Command;
use crate::error::Result;
use crate::output::Output;

/// Runs commands; the agent loop and `kubeglass query` both hold one (shared across threads).
pub trait Executor: Send + Sync {
    /// Run `cmd`, cutting its output at `max_output_bytes`.
    fn execute(&self, cmd: &Command, max_output_bytes: usize) -> Result<Output>;
}
