//! kubeglass: a tiny, read-only, outbound-only Kubernetes agent for remote AI investigators.
//!
//! Data flows one way: command → validate → plan requests → GET → shape → redact → budget →
//! respond. `kubeglass query` runs one command locally; `kubeglass run` takes commands from
//! SQS (or stdio) and sends results back; `kubeglass mcp` serves the same reads as MCP tools.
//!
//! Four promises, each enforced in one place (docs/security.md): GET only and
//! Secrets as metadata only in `kube::transport` (`Transport::send`, private to `kube`);
//! everything shown redacted in `redact`; every command bounded in time and every answer in
//! size by [`ops::run_command`] and the executor's final cut.
//!
//! Every module is crate-private, so no code outside the crate can reach past the choke
//! points they keep; the binary calls [`main`], the integration tests reach what they test
//! through the hidden `testing` module and the fuzz targets through `fuzzing`.
#![forbid(unsafe_code)]

pub(crate) mod agent;
pub(crate) mod aws;
pub(crate) mod cli;
pub(crate) mod command;
pub(crate) mod error;
pub(crate) mod fleet;
/// Entry points for the fuzz targets in `fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod json;
pub(crate) mod jsonpath;
pub(crate) mod kube;
pub(crate) mod lines;
pub(crate) mod mcp;
pub(crate) mod names;
pub(crate) mod object;
pub(crate) mod ops;
pub(crate) mod output;
pub(crate) mod process;
pub(crate) mod protocol;
pub(crate) mod quantity;
pub(crate) mod recorder;
pub(crate) mod redact;
pub(crate) mod scope;
pub(crate) mod sensitive;
pub(crate) mod sqs;
/// What the integration tests reach inside the crate; not an API.
#[doc(hidden)]
pub mod testing;
pub(crate) mod timefmt;
pub(crate) mod tls;
pub(crate) mod url;

pub use cli::main;
pub use error::{Code, Error, Result};
