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
#![forbid(unsafe_code)]

pub mod agent;
pub mod aws;
pub mod cli;
pub mod command;
pub mod error;
/// Entry points for the fuzz targets in `fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing;
pub mod json;
pub mod jsonpath;
pub mod kube;
pub mod lines;
pub mod mcp;
pub mod names;
pub mod object;
pub mod ops;
pub mod output;
pub mod process;
pub mod protocol;
pub mod quantity;
pub mod redact;
pub mod scope;
pub mod sensitive;
pub mod sqs;
pub mod timefmt;
pub mod tls;
pub mod url;

pub use error::{Code, Error, Result};
