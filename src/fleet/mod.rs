//! Many clusters from one backend (`kubeglass mcp --fleet FILE`, `kubeglass send --fleet`):
//! the fleet file, validated once at start, and each cluster's way in — its agent over a
//! command/response queue pair ([`remote`]), or a local kubeconfig context.
//!
//! ```yaml
//! clusters:
//!   - name: prod-eu
//!     commandQueueUrl: https://sqs.eu-west-1.amazonaws.com/123456789012/kubeglass-commands
//!     responseQueueUrl: https://sqs.eu-west-1.amazonaws.com/123456789012/kubeglass-responses
//!     region: eu-west-1          # optional: from the URL (or AWS_REGION) otherwise
//!     profile: prod              # optional: this AWS profile instead of the default chain
//!   - name: laptop
//!     context: kind-dev          # a local kubeconfig context instead of queues
//! ```
//!
//! Everything a file can get wrong is said at start with the cluster's name and the field,
//! never at the first call: an AI tool shows a server's stderr only when it fails to start.

pub mod remote;

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::command::Command;
use crate::error::{Error, Result};
use crate::kube;
use crate::ops::{self, Bounds, Engine};
use crate::output::Output;
use crate::redact::RedactSettings;
use crate::scope::Scope;

/// The most clusters one fleet file may name (each gets a thread and a client at start).
pub const MAX_CLUSTERS: usize = 200;

/// One cluster of the fleet, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The name the caller picks it by (the `cluster` argument).
    pub name: String,
    /// How it is reached.
    pub via: Via,
}

/// How a cluster is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// Its agent, over SQS: commands out on one queue, answers back on the other.
    Queues(Queues),
    /// A context of the local kubeconfig, read directly with the operator's flags.
    Context(String),
}

/// A cluster's queue pair and the AWS settings to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queues {
    /// Where commands go (the agent's `--command-queue-url`).
    pub command: String,
    /// Where its answers come back (the agent's `--response-queue-url`).
    pub response: String,
    /// The signing region when given (else `AWS_REGION`, else from the URL).
    pub region: Option<String>,
    /// The AWS profile whose credentials sign for this cluster (else the default chain).
    pub profile: Option<String>,
}

/// The file as written (camelCase, like a kubeconfig); unknown fields are refused so a
/// typo (`commandQueueURL`) is an error, not a cluster without queues.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    clusters: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Entry {
    name: String,
    command_queue_url: Option<String>,
    response_queue_url: Option<String>,
    region: Option<String>,
    profile: Option<String>,
    context: Option<String>,
}

/// Read and validate the fleet file at `path`.
pub fn load(path: &Path) -> Result<Vec<Member>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::config(format!("fleet file {}: {e}", path.display())))?;
    parse(&text).map_err(|e| Error::config(format!("fleet file {}: {}", path.display(), e.message)))
}

/// `mcp --contexts a,b`: a fleet of local kubeconfig contexts, each its own cluster name
/// (so a context name must be a valid cluster name too).
pub fn contexts(list: &str) -> Result<Vec<Member>> {
    let mut members: Vec<Member> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !valid_name(name) {
            return Err(Error::config(format!(
                "--contexts: {name:?} is not usable as a cluster name (1-63 characters of a-z, \
                 0-9, '-', '_' and '.'): use a fleet file to name it"
            )));
        }
        if !members.iter().any(|m| m.name == name) {
            members.push(Member {
                name: name.to_string(),
                via: Via::Context(name.to_string()),
            });
        }
    }
    if members.is_empty() {
        return Err(Error::config("--contexts names no context"));
    }
    Ok(members)
}

/// Validate a fleet file's text: every cluster named once, with a DNS-label-like name, and
/// either both queue URLs (same kind: both FIFO or neither) or a context, not both.
pub fn parse(text: &str) -> Result<Vec<Member>> {
    let file: File = serde_saphyr::from_str(text).map_err(|e| Error::config(e.to_string()))?;
    if file.clusters.is_empty() {
        return Err(Error::config("`clusters` lists no cluster"));
    }
    if file.clusters.len() > MAX_CLUSTERS {
        return Err(Error::config(format!(
            "{} clusters; at most {MAX_CLUSTERS}",
            file.clusters.len()
        )));
    }
    let mut members: Vec<Member> = Vec::new();
    for (i, e) in file.clusters.into_iter().enumerate() {
        let at = format!("cluster {} ({:?})", i + 1, e.name);
        if !valid_name(&e.name) {
            return Err(Error::config(format!(
                "{at}: a name is 1-63 characters of a-z, 0-9, '-', '_' and '.', starting with a \
                 letter or digit"
            )));
        }
        if members.iter().any(|m| m.name == e.name) {
            return Err(Error::config(format!("{at}: the name is used twice")));
        }
        let via = match (e.command_queue_url, e.response_queue_url, e.context) {
            (Some(c), Some(r), None) => {
                for (field, url) in [("commandQueueUrl", &c), ("responseQueueUrl", &r)] {
                    if !(url.starts_with("https://") || url.starts_with("http://"))
                        || url.split('/').count() < 5
                    {
                        return Err(Error::config(format!(
                            "{at}: {field} {url:?} is not a queue URL \
                             (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)"
                        )));
                    }
                }
                if c.ends_with(".fifo") != r.ends_with(".fifo") {
                    return Err(Error::config(format!(
                        "{at}: one queue is FIFO and the other is not; use a FIFO pair or a \
                         standard pair"
                    )));
                }
                if c == r {
                    return Err(Error::config(format!(
                        "{at}: commandQueueUrl and responseQueueUrl are the same queue"
                    )));
                }
                Via::Queues(Queues {
                    command: c,
                    response: r,
                    region: nonempty(&at, "region", e.region)?,
                    profile: nonempty(&at, "profile", e.profile)?,
                })
            }
            (None, None, Some(ctx)) => {
                if e.region.is_some() || e.profile.is_some() {
                    return Err(Error::config(format!(
                        "{at}: region and profile go with queues, not with a context"
                    )));
                }
                Via::Context(nonempty(&at, "context", Some(ctx))?.unwrap_or_default())
            }
            (_, _, Some(_)) => {
                return Err(Error::config(format!(
                    "{at}: give either queue URLs or a context, not both"
                )));
            }
            (Some(_), None, None) | (None, Some(_), None) => {
                return Err(Error::config(format!(
                    "{at}: needs both commandQueueUrl and responseQueueUrl"
                )));
            }
            (None, None, None) => {
                return Err(Error::config(format!(
                    "{at}: needs commandQueueUrl and responseQueueUrl, or a context"
                )));
            }
        };
        members.push(Member { name: e.name, via });
    }
    Ok(members)
}

/// The fleet, connected: each cluster with its way in.
pub struct Fleet {
    clusters: Vec<(String, Target)>,
}

/// A connected cluster.
pub enum Target {
    /// Its agent over SQS.
    Agent(Box<remote::Remote>),
    /// A local kubeconfig context, read with the operator's scope and redaction.
    Local {
        /// The context's name.
        context: String,
        /// The engine reading it.
        engine: Box<Engine>,
    },
}

impl Fleet {
    /// Connect every member: a client per queue pair (nothing is sent), an engine per local
    /// context (its kubeconfig read now, so a missing context is said at start). `kube`,
    /// `scope` and `redact` are the operator's flags, applied to local contexts only: an
    /// agent keeps its own.
    pub fn connect(
        members: Vec<Member>,
        kube: &kube::Settings,
        scope: &Scope,
        redact: &RedactSettings,
    ) -> Result<Fleet> {
        let mut clusters = Vec::with_capacity(members.len());
        for m in members {
            let target = match &m.via {
                Via::Queues(q) => {
                    Target::Agent(Box::new(remote::Remote::connect(q).map_err(|e| {
                        Error::config(format!("cluster {}: {}", m.name, e.message))
                    })?))
                }
                Via::Context(ctx) => {
                    let mut k = kube.clone();
                    k.context = Some(ctx.clone());
                    let engine =
                        Engine::connect(&k, scope.clone(), redact.clone()).map_err(|e| {
                            let msg = crate::redact::message(&e.message).into_string();
                            Error::new(e.code, format!("cluster {} (context {ctx}): {msg}", m.name))
                        })?;
                    Target::Local {
                        context: ctx.clone(),
                        engine: Box::new(engine),
                    }
                }
            };
            clusters.push((m.name, target));
        }
        Ok(Fleet { clusters })
    }

    /// The clusters' names, in the file's order.
    pub fn names(&self) -> Vec<&str> {
        self.clusters.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The clusters, in the file's order.
    pub fn clusters(&self) -> &[(String, Target)] {
        &self.clusters
    }

    /// Run `cmd` (already validated here; `wire` is its JSON command form, what an agent
    /// gets) on cluster `name` within `bounds`. An error names the cluster.
    pub fn run(&self, name: &str, cmd: Command, wire: &Value, bounds: Bounds) -> Result<Output> {
        let Some((_, target)) = self.clusters.iter().find(|(n, _)| n == name) else {
            return Err(Error::invalid(format!(
                "unknown cluster {name:?}; clusters: {}",
                self.names().join(", ")
            )));
        };
        let result = match target {
            Target::Agent(r) => r.call(wire, bounds.max_output_bytes, bounds.command_timeout),
            Target::Local { engine, .. } => {
                ops::run_command(engine.as_ref(), Ok(cmd), None, bounds)
            }
        };
        result.map_err(|mut e| {
            e.message = format!("cluster {name}: {}", e.message);
            e
        })
    }
}

/// A cluster name: what a model types and a table shows, so short and plain.
fn valid_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
}

/// An optional field that, when present, says something.
fn nonempty(at: &str, field: &str, v: Option<String>) -> Result<Option<String>> {
    match v {
        Some(s) if s.trim().is_empty() => Err(Error::config(format!("{at}: {field} is empty"))),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUE_EXAMPLE: &str = "\
clusters:
  - name: prod-eu
    commandQueueUrl: https://sqs.eu-west-1.amazonaws.com/123456789012/kubeglass-commands
    responseQueueUrl: https://sqs.eu-west-1.amazonaws.com/123456789012/kubeglass-responses
    region: eu-west-1          # optional: from the URL otherwise
  - name: laptop
    context: kind-dev          # a local kubeconfig context instead of queues
";

    #[test]
    fn the_documented_shape_parses_as_written() {
        let m = parse(ISSUE_EXAMPLE).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].name, "prod-eu");
        assert_eq!(
            m[0].via,
            Via::Queues(Queues {
                command: "https://sqs.eu-west-1.amazonaws.com/123456789012/kubeglass-commands"
                    .into(),
                response: "https://sqs.eu-west-1.amazonaws.com/123456789012/kubeglass-responses"
                    .into(),
                region: Some("eu-west-1".into()),
                profile: None,
            })
        );
        assert_eq!(m[1].via, Via::Context("kind-dev".into()));
    }

    #[test]
    fn a_fifo_pair_is_a_cluster_but_a_mixed_pair_is_refused() {
        let fifo = "clusters:\n- name: f\n  commandQueueUrl: https://sqs.x.amazonaws.com/1/c.fifo\n  responseQueueUrl: https://sqs.x.amazonaws.com/1/r.fifo\n  profile: ops\n";
        let m = parse(fifo).unwrap();
        assert!(matches!(&m[0].via, Via::Queues(q) if q.profile.as_deref() == Some("ops")));
        let mixed = fifo.replace("r.fifo", "r");
        assert!(parse(&mixed).unwrap_err().message.contains("FIFO"));
    }

    /// Each mistake is refused at start with the cluster and what is wrong.
    #[test]
    fn every_mistake_is_refused_naming_the_cluster_and_the_field() {
        let q = "commandQueueUrl: https://sqs.x.amazonaws.com/1/c\n  responseQueueUrl: https://sqs.x.amazonaws.com/1/r";
        for (text, says) in [
            ("clusters: []\n".to_string(), "no cluster"),
            ("{}\n".to_string(), "clusters"),
            ("clusters:\n- name: a\n".to_string(), "cluster 1 (\"a\"): needs"),
            (format!("clusters:\n- name: a\n  {q}\n- name: a\n  context: k\n"), "cluster 2 (\"a\"): the name is used twice"),
            (format!("clusters:\n- name: Prod\n  {q}\n"), "a name is"),
            (format!("clusters:\n- name: '*'\n  {q}\n"), "a name is"),
            (format!("clusters:\n- name: a\n  {q}\n  context: k\n"), "not both"),
            ("clusters:\n- name: a\n  commandQueueUrl: https://sqs.x.amazonaws.com/1/c\n".to_string(), "needs both"),
            ("clusters:\n- name: a\n  commandQueueUrl: kubeglass-commands\n  responseQueueUrl: https://sqs.x.amazonaws.com/1/r\n".to_string(), "commandQueueUrl \"kubeglass-commands\" is not a queue URL"),
            (format!("clusters:\n- name: a\n  {q}\n  commandQueueURL: x\n"), "commandQueueURL"),
            (format!("clusters:\n- name: a\n  {q}\n  region: ''\n"), "region is empty"),
            ("clusters:\n- name: a\n  context: k\n  region: eu-west-1\n".to_string(), "not with a context"),
            ("clusters:\n- name: a\n  commandQueueUrl: https://sqs.x.amazonaws.com/1/c\n  responseQueueUrl: https://sqs.x.amazonaws.com/1/c\n".to_string(), "the same queue"),
            ("clusters: [".to_string(), ""),
        ] {
            let e = parse(&text).expect_err(&text);
            assert_eq!(e.code, crate::error::Code::Config);
            assert!(e.message.contains(says), "{text}: {}", e.message);
        }
    }

    #[test]
    fn contexts_become_clusters_of_their_own_name() {
        let m = contexts("prod, staging,prod").unwrap();
        assert_eq!(
            m,
            vec![
                Member {
                    name: "prod".into(),
                    via: Via::Context("prod".into())
                },
                Member {
                    name: "staging".into(),
                    via: Via::Context("staging".into())
                },
            ]
        );
        assert!(contexts(" , ").is_err());
        assert!(contexts("arn:aws:eks:eu-west-1:1:cluster/x").is_err());
    }

    #[test]
    fn a_missing_file_is_a_config_error_naming_it() {
        let e = load(Path::new("/nonexistent/fleet.yaml")).unwrap_err();
        assert!(
            e.message.contains("/nonexistent/fleet.yaml"),
            "{}",
            e.message
        );
    }
}
