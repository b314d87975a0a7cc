//! kubeglass: a tiny, read-only, outbound-only Kubernetes agent for remote AI investigators.
//!
//! Data flows one way: command → validate → plan requests → GET → shape → redact → budget →
//! respond. `kubeglass query` runs one command locally; `kubeglass run` takes commands from
//! SQS (or stdio) and sends results back; `kubeglass mcp` serves the same reads as MCP tools.
//!
//! Four promises, each enforced in one place (README, "Security model"): GET only and
//! Secrets as metadata only in `kube::transport` (`Transport::send`, private to `kube`);
//! everything shown redacted in `redact`; every command bounded in time and every answer in
//! size by [`ops::run_command`] and the executor's final cut.
//!
//! The public modules are what the binary, the integration tests and the fuzz targets use;
//! every other module is crate-private, so no code outside the crate can reach past the
//! choke points those modules keep.
#![forbid(unsafe_code)]

pub mod agent;
pub mod aws;
pub mod cli;
pub mod command;
pub mod error;
/// Entry points for the fuzz targets in `fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod json;
pub(crate) mod jsonpath;
pub mod kube;
pub(crate) mod lines;
pub(crate) mod mcp;
pub(crate) mod names;
pub(crate) mod object;
pub mod ops;
pub mod output;
pub(crate) mod process;
pub mod protocol;
pub(crate) mod quantity;
pub mod redact;
pub mod scope;
pub(crate) mod sensitive;
pub mod sqs;
pub(crate) mod timefmt;
pub(crate) mod tls;
pub(crate) mod url;

pub use error::{Code, Error, Result};
