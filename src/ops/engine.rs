//! The engine: one Kubernetes client plus the scope and redaction settings, dispatching each
//! command to its operation. `kubeglass query` runs one command on it; the agent shares one
//! across its workers.

use crate::cli::common::ClusterArgs;
use crate::command::{Command, Op};
use crate::error::{Code, Error, Result};
use crate::kube::{Client, Resource};
use crate::output::Output;
use crate::redact::RedactSettings;
use crate::scope::Scope;

use super::{Executor, get, info, inspect, logs};

/// Runs read commands against one cluster within one scope.
pub struct Engine {
    client: Client,
    scope: Scope,
    redact: RedactSettings,
}

/// Where a namespaced command reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Namespaces {
    /// A cluster-scoped type: no namespace in the path.
    Cluster,
    /// One namespace.
    One(String),
    /// Every namespace, in one request per page.
    All,
    /// `-A` under a namespace allow-list: each allowed namespace in turn.
    Each(Vec<String>),
}

impl Namespaces {
    /// The namespaces to put in request paths, in order (`None` = no namespace segment).
    pub fn paths(&self) -> Vec<Option<&str>> {
        match self {
            Namespaces::Cluster | Namespaces::All => vec![None],
            Namespaces::One(ns) => vec![Some(ns.as_str())],
            Namespaces::Each(list) => list.iter().map(|n| Some(n.as_str())).collect(),
        }
    }

    /// Whether results span namespaces (tables then get a NAMESPACE column).
    pub fn is_many(&self) -> bool {
        matches!(self, Namespaces::All | Namespaces::Each(_))
    }

    /// kubectl's phrase for an empty result: "in shop namespace" / "" (cluster or all).
    pub fn empty_phrase(&self) -> String {
        match self {
            Namespaces::One(ns) => format!("No resources found in {ns} namespace."),
            _ => "No resources found".to_string(),
        }
    }
}

impl Engine {
    /// Connect to the cluster the settings name (kubeconfig or in-cluster).
    pub fn connect(c: &ClusterArgs) -> Result<Engine> {
        let client = Client::from_settings(&c.kube)?;
        Ok(Engine::new(client, c.scope.clone(), c.redact.clone()))
    }

    /// An engine over an existing client.
    pub fn new(client: Client, scope: Scope, redact: RedactSettings) -> Engine {
        Engine {
            client,
            scope,
            redact,
        }
    }

    /// The Kubernetes client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The redaction settings.
    pub fn redact(&self) -> &RedactSettings {
        &self.redact
    }

    /// The scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The one namespace a single-namespace op (logs, endpoints, …) reads, scope-checked.
    pub fn namespace(&self, cmd: &Command) -> Result<String> {
        let ns = cmd
            .namespace
            .clone()
            .unwrap_or_else(|| self.client.default_namespace().to_string());
        self.scope.check_namespace(&ns)?;
        Ok(ns)
    }

    /// Where `cmd` reads objects of `res`, refusing what is out of scope before any request.
    pub fn namespaces(&self, cmd: &Command, res: &Resource) -> Result<Namespaces> {
        if !res.namespaced {
            self.scope.check_cluster_scoped(&res.plural)?;
            return Ok(Namespaces::Cluster);
        }
        if cmd.all_namespaces {
            return Ok(match self.scope.namespaces_for_all() {
                None => Namespaces::All,
                Some(list) => Namespaces::Each(list.to_vec()),
            });
        }
        Ok(Namespaces::One(self.namespace(cmd)?))
    }

    /// Resolve the command's resource type; an explicit out-of-scope namespace is refused
    /// first, so not even discovery runs for it.
    pub fn resolve(&self, cmd: &Command, typed: &str) -> Result<Resource> {
        if let (Some(ns), false) = (&cmd.namespace, cmd.all_namespaces) {
            self.scope.check_namespace(ns)?;
        }
        self.client.resolve(typed)
    }
}

impl Executor for Engine {
    fn execute(&self, cmd: &Command, max_output_bytes: usize) -> Result<Output> {
        let max = cmd
            .max_output_bytes
            .map_or(max_output_bytes, |m| m.min(max_output_bytes));
        log::debug!("executing {} (budget {max} bytes)", cmd.op.as_str());
        match cmd.op {
            Op::Get => get::run(self, cmd, max),
            Op::Logs => logs::run(self, cmd, max),
            Op::Describe => inspect::describe(self, cmd, max),
            Op::Events => inspect::events(self, cmd, max),
            Op::Endpoints => inspect::endpoints(self, cmd, max),
            Op::RolloutHistory => info::rollout_history(self, cmd, max),
            Op::Top => info::top(self, cmd, max),
            Op::ApiResources => info::api_resources(self, max),
            Op::Version => info::version(self),
        }
    }
}

pub use crate::kube::encode;

/// `path` plus `key=value` query pairs (values encoded; `None` values skipped).
pub fn with_query(path: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = path.to_string();
    let mut sep = if path.contains('?') { '&' } else { '?' };
    for (k, v) in pairs {
        if let Some(v) = v {
            out.push(sep);
            out.push_str(k);
            out.push('=');
            out.push_str(&encode(v));
            sep = '&';
        }
    }
    out
}

/// Whether an error is the API's 404.
pub fn is_not_found(e: &Error) -> bool {
    e.code == Code::NotFound
}

/// The label selector of a workload or service object, as a query string value
/// (`matchLabels` and `matchExpressions`; a Service's plain `spec.selector` map).
pub fn selector_of(obj: &serde_json::Value) -> Option<String> {
    let spec = obj.get("spec")?;
    let sel = spec.get("selector")?;
    let mut parts = Vec::new();
    let labels = sel.get("matchLabels").or_else(|| {
        // Service: the selector is the label map itself.
        sel.get("matchExpressions").is_none().then_some(sel)
    });
    if let Some(map) = labels.and_then(|l| l.as_object()) {
        for (k, v) in map {
            parts.push(format!("{k}={}", v.as_str().unwrap_or_default()));
        }
    }
    for e in sel
        .get("matchExpressions")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
    {
        let key = e.get("key").and_then(|k| k.as_str()).unwrap_or_default();
        let values: Vec<&str> = e
            .get("values")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str())
            .collect();
        match e.get("operator").and_then(|o| o.as_str()) {
            Some("In") => parts.push(format!("{key} in ({})", values.join(","))),
            Some("NotIn") => parts.push(format!("{key} notin ({})", values.join(","))),
            Some("Exists") => parts.push(key.to_string()),
            Some("DoesNotExist") => parts.push(format!("!{key}")),
            _ => {}
        }
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            with_query(
                "/api/v1/pods",
                &[("labelSelector", Some("app in (a,b)")), ("x", None)]
            ),
            "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29"
        );
        assert_eq!(
            with_query("/p?limit=5", &[("a", Some("b=c"))]),
            "/p?limit=5&a=b%3Dc"
        );
    }

    #[test]
    fn selectors_of_workloads_and_services() {
        let deploy = json!({"spec": {"selector": {"matchLabels": {"app": "api"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
                                 {"key": "canary", "operator": "DoesNotExist"}]}}});
        assert_eq!(
            selector_of(&deploy).as_deref(),
            Some("app=api,tier in (a,b),!canary")
        );
        let svc = json!({"spec": {"selector": {"app": "checkout"}}});
        assert_eq!(selector_of(&svc).as_deref(), Some("app=checkout"));
        assert_eq!(selector_of(&json!({"spec": {}})), None);
        assert_eq!(selector_of(&json!({"spec": {"selector": "junk"}})), None);
    }
}
