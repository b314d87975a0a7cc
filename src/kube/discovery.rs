//! What a typed resource name means: a built-in table for the well-known types (no request
//! at all, or one to pick the newest served version), then the server's discovery —
//! aggregated where served (one request), legacy (`/api`, `/apis`, `/apis/G/V`) elsewhere —
//! cached for [`TTL`]. Custom resources resolve by plural, singular, kind, short name or
//! `plural.group`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::{Code, Error, Result};
use crate::json::strings;

use super::Client;
use super::resource::TYPE_FORMS;
pub use super::resource::{Resource, check_type_form, is_api_version};

/// How long discovery answers are reused.
pub const TTL: Duration = Duration::from_secs(5 * 60);
/// `Accept` for aggregated discovery (Kubernetes ≥ 1.30), legacy JSON as the fallback.
const ACCEPT_AGGREGATED: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

/// plural, singular, kind, group, versions (newest first), namespaced, short names.
type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
    &'static [&'static str],
);

/// Well-known types: resolved without discovery. Where servers differ in the version
/// (EndpointSlice, CronJob, HPA, PDB, Ingress), the first served one is used.
const BUILTIN: &[Builtin] = &[
    ("pods", "pod", "Pod", "", &["v1"], true, &["po"]),
    (
        "services",
        "service",
        "Service",
        "",
        &["v1"],
        true,
        &["svc"],
    ),
    (
        "endpoints",
        "endpoints",
        "Endpoints",
        "",
        &["v1"],
        true,
        &["ep"],
    ),
    ("events", "event", "Event", "", &["v1"], true, &["ev"]),
    (
        "configmaps",
        "configmap",
        "ConfigMap",
        "",
        &["v1"],
        true,
        &["cm"],
    ),
    ("secrets", "secret", "Secret", "", &["v1"], true, &[]),
    (
        "namespaces",
        "namespace",
        "Namespace",
        "",
        &["v1"],
        false,
        &["ns"],
    ),
    ("nodes", "node", "Node", "", &["v1"], false, &["no"]),
    (
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
        "",
        &["v1"],
        true,
        &["pvc"],
    ),
    (
        "persistentvolumes",
        "persistentvolume",
        "PersistentVolume",
        "",
        &["v1"],
        false,
        &["pv"],
    ),
    (
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        "",
        &["v1"],
        true,
        &["sa"],
    ),
    (
        "replicationcontrollers",
        "replicationcontroller",
        "ReplicationController",
        "",
        &["v1"],
        true,
        &["rc"],
    ),
    (
        "resourcequotas",
        "resourcequota",
        "ResourceQuota",
        "",
        &["v1"],
        true,
        &["quota"],
    ),
    (
        "limitranges",
        "limitrange",
        "LimitRange",
        "",
        &["v1"],
        true,
        &["limits"],
    ),
    (
        "deployments",
        "deployment",
        "Deployment",
        "apps",
        &["v1"],
        true,
        &["deploy"],
    ),
    (
        "replicasets",
        "replicaset",
        "ReplicaSet",
        "apps",
        &["v1"],
        true,
        &["rs"],
    ),
    (
        "statefulsets",
        "statefulset",
        "StatefulSet",
        "apps",
        &["v1"],
        true,
        &["sts"],
    ),
    (
        "daemonsets",
        "daemonset",
        "DaemonSet",
        "apps",
        &["v1"],
        true,
        &["ds"],
    ),
    (
        "controllerrevisions",
        "controllerrevision",
        "ControllerRevision",
        "apps",
        &["v1"],
        true,
        &[],
    ),
    ("jobs", "job", "Job", "batch", &["v1"], true, &[]),
    (
        "cronjobs",
        "cronjob",
        "CronJob",
        "batch",
        &["v1", "v1beta1"],
        true,
        &["cj"],
    ),
    (
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "HorizontalPodAutoscaler",
        "autoscaling",
        &["v2", "v2beta2", "v1"],
        true,
        &["hpa"],
    ),
    (
        "poddisruptionbudgets",
        "poddisruptionbudget",
        "PodDisruptionBudget",
        "policy",
        &["v1", "v1beta1"],
        true,
        &["pdb"],
    ),
    (
        "ingresses",
        "ingress",
        "Ingress",
        "networking.k8s.io",
        &["v1", "v1beta1"],
        true,
        &["ing"],
    ),
    (
        "networkpolicies",
        "networkpolicy",
        "NetworkPolicy",
        "networking.k8s.io",
        &["v1"],
        true,
        &["netpol"],
    ),
    (
        "ingressclasses",
        "ingressclass",
        "IngressClass",
        "networking.k8s.io",
        &["v1", "v1beta1"],
        false,
        &[],
    ),
    (
        "endpointslices",
        "endpointslice",
        "EndpointSlice",
        "discovery.k8s.io",
        &["v1", "v1beta1"],
        true,
        &[],
    ),
    (
        "storageclasses",
        "storageclass",
        "StorageClass",
        "storage.k8s.io",
        &["v1"],
        false,
        &["sc"],
    ),
    (
        "customresourcedefinitions",
        "customresourcedefinition",
        "CustomResourceDefinition",
        "apiextensions.k8s.io",
        &["v1"],
        false,
        &["crd", "crds"],
    ),
    (
        "priorityclasses",
        "priorityclass",
        "PriorityClass",
        "scheduling.k8s.io",
        &["v1"],
        false,
        &["pc"],
    ),
    (
        "leases",
        "lease",
        "Lease",
        "coordination.k8s.io",
        &["v1"],
        true,
        &[],
    ),
    (
        "roles",
        "role",
        "Role",
        "rbac.authorization.k8s.io",
        &["v1"],
        true,
        &[],
    ),
    (
        "rolebindings",
        "rolebinding",
        "RoleBinding",
        "rbac.authorization.k8s.io",
        &["v1"],
        true,
        &[],
    ),
    (
        "clusterroles",
        "clusterrole",
        "ClusterRole",
        "rbac.authorization.k8s.io",
        &["v1"],
        false,
        &[],
    ),
    (
        "clusterrolebindings",
        "clusterrolebinding",
        "ClusterRoleBinding",
        "rbac.authorization.k8s.io",
        &["v1"],
        false,
        &[],
    ),
];

/// Cached discovery answers.
#[derive(Default)]
pub struct Discovery {
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    /// Resource names served per `group/version`, by path.
    group_versions: HashMap<String, (Instant, Vec<String>)>,
    /// The full list, from the last complete discovery.
    all: Option<(Instant, Vec<Resource>)>,
    /// The same with the types only another version serves ([`Discovery::every_version`]).
    every: Option<(Instant, Vec<Resource>)>,
}

/// The version pinned by `TYPE.VERSION.GROUP` for a built-in of `group`, checked: it goes
/// into the request path as typed.
fn pinned_version<'q>(group: &str, qualifier: Option<&'q str>) -> Result<Option<&'q str>> {
    let Some(v) = qualifier
        .and_then(|q| q.strip_suffix(group))
        .and_then(|v| v.strip_suffix('.'))
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    if is_api_version(v) {
        Ok(Some(v))
    } else {
        Err(Error::invalid(format!(
            "API version {v:?} is not valid: {TYPE_FORMS}"
        )))
    }
}

impl Discovery {
    /// Resolve what a user typed into a served resource type.
    pub fn resolve(&self, client: &Client, typed: &str) -> Result<Resource> {
        // Checked here too, not only when the command is parsed: nothing unchecked may reach
        // a request path, whoever calls.
        check_type_form(typed)?;
        let lower = typed.trim().to_lowercase();
        let (name, qualifier) = match lower.split_once('.') {
            Some((n, q)) => (n, Some(q)),
            None => (lower.as_str(), None),
        };
        if let Some(b) = BUILTIN.iter().find(|b| builtin_matches(b, name, qualifier)) {
            return self.builtin(client, b, qualifier);
        }
        let all = self.all(client)?;
        let matches = |r: &&Resource| {
            r.answers_to(name)
                && qualifier
                    .is_none_or(|q| q == r.group || q == format!("{}.{}", r.version, r.group))
        };
        all.iter()
            .filter(matches)
            .min_by_key(|r| (r.plural != name, r.group.contains('.') as u8 ^ 1))
            .cloned()
            .ok_or_else(|| {
                Error::new(
                    Code::NotFound,
                    format!(
                        "the server doesn't have a resource type {typed:?} (see `api-resources` for what it serves)"
                    ),
                )
            })
    }

    /// A built-in type at the newest of its versions that the server serves.
    fn builtin(&self, client: &Client, b: &Builtin, qualifier: Option<&str>) -> Result<Resource> {
        let (plural, singular, kind, group, versions, namespaced, shorts) = *b;
        let mut candidates: Vec<&str> = versions.to_vec();
        if let Some(v) = pinned_version(group, qualifier)? {
            candidates = vec![v];
        }
        let version = if candidates.len() == 1 {
            candidates[0].to_string()
        } else {
            let mut found = None;
            for v in candidates {
                if self.serves(client, group, v, plural)? {
                    found = Some(v.to_string());
                    break;
                }
            }
            found.ok_or_else(|| {
                Error::new(
                    Code::NotFound,
                    format!(
                        "this cluster does not serve {plural} in {group} {}",
                        versions.join(" or ")
                    ),
                )
            })?
        };
        Ok(Resource {
            group: group.into(),
            version,
            plural: plural.into(),
            singular: singular.into(),
            kind: kind.into(),
            namespaced,
            short_names: shorts.iter().map(|s| s.to_string()).collect(),
            verbs: vec!["get".into(), "list".into(), "watch".into()],
            categories: Vec::new(),
        })
    }

    /// Whether `group/version` serves `plural` (one cached request per group version).
    fn serves(&self, client: &Client, group: &str, version: &str, plural: &str) -> Result<bool> {
        let path = format!("/apis/{group}/{version}");
        if let Some(names) = self.fresh_group_version(&path) {
            return Ok(names.iter().any(|n| n == plural));
        }
        let names: Vec<String> = match client.get_json(&path) {
            Ok(list) => parse_resource_list(&list, group, version)
                .into_iter()
                .map(|r| r.plural)
                .collect(),
            Err(e) if e.code == Code::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let found = names.iter().any(|n| n == plural);
        if let Ok(mut c) = self.cache.lock() {
            c.group_versions.insert(path, (Instant::now(), names));
        }
        Ok(found)
    }

    fn fresh_group_version(&self, path: &str) -> Option<Vec<String>> {
        let c = self.cache.lock().ok()?;
        let (at, names) = c.group_versions.get(path)?;
        (at.elapsed() < TTL).then(|| names.clone())
    }

    /// Every served resource type (cached).
    pub fn all(&self, client: &Client) -> Result<Vec<Resource>> {
        if let Ok(c) = self.cache.lock()
            && let Some((at, list)) = &c.all
            && at.elapsed() < TTL
        {
            return Ok(list.clone());
        }
        let list = served(client, false)?;
        if let Ok(mut c) = self.cache.lock() {
            c.all = Some((Instant::now(), list.clone()));
        }
        Ok(list)
    }
}

impl Discovery {
    /// Every served resource type as kubectl's `api-resources` lists them: each group's
    /// preferred version, plus the types only another version serves (`cronjobs` in
    /// `batch/v1beta1` on 1.20). Cached for [`TTL`] (`get all` and `api-resources` ask).
    pub fn every_version(&self, client: &Client) -> Result<Vec<Resource>> {
        if let Ok(c) = self.cache.lock()
            && let Some((at, list)) = &c.every
            && at.elapsed() < TTL
        {
            return Ok(list.clone());
        }
        let list = served(client, true)?;
        if let Ok(mut c) = self.cache.lock() {
            c.every = Some((Instant::now(), list.clone()));
        }
        Ok(list)
    }
}

/// Add the resources whose plural `group_out` does not hold yet (an earlier, preferred
/// version of the group serves them).
fn add_unseen(group_out: &mut Vec<Resource>, more: Vec<Resource>) {
    for r in more {
        if !group_out.iter().any(|o| o.plural == r.plural) {
            group_out.push(r);
        }
    }
}

fn builtin_matches(b: &Builtin, name: &str, qualifier: Option<&str>) -> bool {
    let (plural, singular, kind, group, _, _, shorts) = *b;
    let name_ok =
        name == plural || name == singular || name == kind.to_lowercase() || shorts.contains(&name);
    let group_ok = match qualifier {
        None => true,
        Some(q) => {
            q == group
                || q.strip_suffix(group)
                    .is_some_and(|v| v.ends_with('.') && !group.is_empty())
        }
    };
    name_ok && group_ok
}

/// Aggregated discovery (one request for all groups, one for core); `None` when the server
/// answers in the legacy form.
fn aggregated(client: &Client, every: bool) -> Result<Option<Vec<Resource>>> {
    let apis = client.get_accept("/apis", ACCEPT_AGGREGATED)?;
    if apis.get("kind").and_then(Value::as_str) != Some("APIGroupDiscoveryList") {
        return Ok(None);
    }
    let core = client.get_accept("/api", ACCEPT_AGGREGATED)?;
    let mut out = parse_aggregated_versions(&core, every);
    out.extend(parse_aggregated_versions(&apis, every));
    Ok(Some(out))
}

/// Every served type: each group's preferred version, and with `every` the types only
/// another version serves; aggregated discovery when the server has it, else legacy.
fn served(client: &Client, every: bool) -> Result<Vec<Resource>> {
    match aggregated(client, every)? {
        Some(list) => Ok(list),
        None => legacy(client, every),
    }
}

/// Resources of the preferred (first) version of each group in an APIGroupDiscoveryList.
#[cfg(test)]
fn parse_aggregated(list: &Value) -> Vec<Resource> {
    parse_aggregated_versions(list, false)
}

/// Resources of each group's preferred version, and with `every`, those only a later
/// version serves.
fn parse_aggregated_versions(list: &Value, every: bool) -> Vec<Resource> {
    let mut out = Vec::new();
    for g in list
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let group = g
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let versions = g.get("versions").and_then(Value::as_array);
        let take = if every { usize::MAX } else { 1 };
        let mut group_out = Vec::new();
        for v in versions.into_iter().flatten().take(take) {
            add_unseen(&mut group_out, aggregated_version(group, v));
        }
        out.extend(group_out);
    }
    out
}

/// The resources of one version entry of an aggregated discovery group.
fn aggregated_version(group: &str, v: &Value) -> Vec<Resource> {
    let mut out = Vec::new();
    {
        let version = v.get("version").and_then(Value::as_str).unwrap_or("");
        for r in v
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let plural = r.get("resource").and_then(Value::as_str).unwrap_or("");
            let kind = r
                .pointer("/responseKind/kind")
                .and_then(Value::as_str)
                .unwrap_or("");
            if plural.is_empty() || kind.is_empty() {
                continue;
            }
            out.push(Resource {
                group: group.into(),
                version: version.into(),
                plural: plural.into(),
                singular: str_or(r, "singularResource", &kind.to_lowercase()),
                kind: kind.into(),
                namespaced: r.get("scope").and_then(Value::as_str) == Some("Namespaced"),
                short_names: strings(r.get("shortNames")),
                verbs: strings(r.get("verbs")),
                categories: strings(r.get("categories")),
            });
        }
    }
    out
}

/// Legacy discovery: `/api/v1`, `/apis`, then each group's preferred version (with `every`,
/// its other versions too, for the types only they serve).
fn legacy(client: &Client, every: bool) -> Result<Vec<Resource>> {
    let mut out = parse_resource_list(&client.get_json("/api/v1")?, "", "v1");
    let groups = client.get_json("/apis")?;
    for g in groups
        .get("groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = g.get("name").and_then(Value::as_str).unwrap_or("");
        let mut gvs: Vec<&str> = g
            .pointer("/preferredVersion/groupVersion")
            .and_then(Value::as_str)
            .into_iter()
            .collect();
        let others = g.get("versions").and_then(Value::as_array);
        for v in others.into_iter().flatten().filter(|_| every) {
            if let Some(gv) = v.get("groupVersion").and_then(Value::as_str)
                && !gvs.contains(&gv)
            {
                gvs.push(gv);
            }
        }
        let mut group_out: Vec<Resource> = Vec::new();
        for gv in gvs {
            let version = gv.rsplit('/').next().unwrap_or(gv);
            match client.get_json_once(&format!("/apis/{gv}")) {
                Ok(list) => add_unseen(&mut group_out, parse_resource_list(&list, name, version)),
                // An aggregated API that is down (metrics-server) must not break discovery.
                // `gv` is the server's text: shown safe, like the error (made so in transport).
                Err(e) => log::warn!(
                    "discovery of {} failed, skipping it: {e}",
                    super::transport::shown(gv)
                ),
            }
        }
        out.extend(group_out);
    }
    Ok(out)
}

/// The top-level resources of an APIResourceList (subresources like `pods/log` skipped).
pub fn parse_resource_list(list: &Value, group: &str, version: &str) -> Vec<Resource> {
    list.get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let plural = r.get("name").and_then(Value::as_str)?;
            let kind = r.get("kind").and_then(Value::as_str)?;
            if plural.contains('/') {
                return None;
            }
            Some(Resource {
                group: group.into(),
                version: version.into(),
                plural: plural.into(),
                singular: str_or(r, "singularName", &kind.to_lowercase()),
                kind: kind.into(),
                namespaced: r.get("namespaced").and_then(Value::as_bool).unwrap_or(true),
                short_names: strings(r.get("shortNames")),
                verbs: strings(r.get("verbs")),
                categories: strings(r.get("categories")),
            })
        })
        .collect()
}

fn str_or(v: &Value, key: &str, default: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(default)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn offline(typed: &str) -> Option<&'static Builtin> {
        let lower = typed.to_lowercase();
        let (n, q) = match lower.split_once('.') {
            Some((n, q)) => (n.to_string(), Some(q.to_string())),
            None => (lower.clone(), None),
        };
        BUILTIN
            .iter()
            .find(|b| builtin_matches(b, &n, q.as_deref()))
    }

    #[test]
    fn builtin_spellings() {
        for (typed, plural) in [
            ("po", "pods"),
            ("pod", "pods"),
            ("Pods", "pods"),
            ("Pod", "pods"),
            ("deploy", "deployments"),
            ("deployments.apps", "deployments"),
            ("deployment.v1.apps", "deployments"),
            ("svc", "services"),
            ("cj", "cronjobs"),
            ("hpa", "horizontalpodautoscalers"),
            ("crd", "customresourcedefinitions"),
            ("ev", "events"),
            ("ep", "endpoints"),
            ("netpol", "networkpolicies"),
        ] {
            assert_eq!(offline(typed).map(|b| b.0), Some(plural), "{typed}");
        }
        assert!(offline("widgets").is_none());
        assert!(
            offline("pods.example.com").is_none(),
            "a group that is not the built-in's"
        );
    }

    #[test]
    fn only_dns_subdomain_groups_and_kubernetes_versions_reach_a_path() {
        for ok in [
            "pods",
            "Pod",
            "deploy",
            "deployments.apps",
            "deployments.v1.apps",
            "Deployment.apps",
            "widgets.example.com",
            "widgets.v1alpha1.example.com",
            "hpa.v2.autoscaling",
            "certificatesigningrequests.certificates.k8s.io",
        ] {
            assert!(check_type_form(ok).is_ok(), "{ok}");
        }
        for bad in [
            "deployments....apps",
            "deployments...apps",
            "deployments.v1.",
            "deployments.",
            "pods.",
            ".apps",
            "deployments.apps.",
            "deployments.-apps",
            "deployments.ap_ps",
            "deployments.v1./apps",
            "deployments.v1.apps%2F..",
            "deployments.apps?x=1",
            "deployments.apps#x",
            "deployments.ap\u{7}ps",
        ] {
            let e = check_type_form(bad).unwrap_err();
            assert_eq!(e.code, Code::InvalidCommand, "{bad}");
            assert!(e.message.contains("TYPE.VERSION.GROUP"), "{}", e.message);
        }
        for v in ["v1", "v2", "v1beta1", "v2alpha3", "v10beta12"] {
            assert!(is_api_version(v), "{v}");
        }
        for v in [
            "", "v", "1", "v0", "v01", "V1", "v1.", "..", ".", "v1beta", "v1gamma1", "v1beta01",
            "v1 ", "v1/",
        ] {
            assert!(!is_api_version(v), "{v:?}");
        }
        assert_eq!(pinned_version("apps", Some("v1.apps")).unwrap(), Some("v1"));
        assert_eq!(pinned_version("apps", Some("apps")).unwrap(), None);
        assert_eq!(pinned_version("apps", None).unwrap(), None);
        for q in ["...apps", "foo.bar.apps", "v1x.apps", "v1..apps"] {
            assert_eq!(
                pinned_version("apps", Some(q)).unwrap_err().code,
                Code::InvalidCommand,
                "{q}"
            );
        }
    }

    #[test]
    fn every_version_adds_the_types_only_an_older_version_serves() {
        let res = |name: &str, kind: &str| serde_json::json!({"resource": name, "responseKind": {"kind": kind}, "scope": "Namespaced"});
        let list = serde_json::json!({"items": [{"metadata": {"name": "batch"}, "versions": [
            {"version": "v1", "resources": [res("jobs", "Job")]},
            {"version": "v1beta1", "resources": [res("jobs", "Job"), res("cronjobs", "CronJob")]}
        ]}]});
        let got: Vec<String> = parse_aggregated_versions(&list, true)
            .iter()
            .map(Resource::api_version_plural)
            .collect();
        assert_eq!(got, ["batch/v1 jobs", "batch/v1beta1 cronjobs"]);
        assert_eq!(parse_aggregated(&list).len(), 1);
    }

    #[test]
    fn paths_and_names() {
        let r = Resource {
            group: "apps".into(),
            version: "v1".into(),
            plural: "deployments".into(),
            singular: "deployment".into(),
            kind: "Deployment".into(),
            namespaced: true,
            short_names: vec![],
            verbs: vec![],
            categories: vec![],
        };
        assert_eq!(
            r.path(Some("shop"), Some("web")),
            "/apis/apps/v1/namespaces/shop/deployments/web"
        );
        assert_eq!(r.path(None, None), "/apis/apps/v1/deployments");
        assert_eq!(r.api_version(), "apps/v1");
        assert_eq!(r.type_name(), "deployment.apps");
        let node = Resource {
            group: "".into(),
            plural: "nodes".into(),
            kind: "Node".into(),
            namespaced: false,
            ..r
        };
        assert_eq!(node.path(Some("shop"), Some("n1")), "/api/v1/nodes/n1");
        assert_eq!(node.type_name(), "node");
    }

    #[test]
    fn discovery_documents_parse() {
        let legacy = json!({"resources": [
            {"name": "widgets", "singularName": "widget", "namespaced": true, "kind": "Widget", "shortNames": ["wd"], "verbs": ["get"]},
            {"name": "widgets/status", "namespaced": true, "kind": "Widget"},
            {"name": "broken"}]});
        let r = parse_resource_list(&legacy, "example.com", "v1");
        assert_eq!(r.len(), 1);
        assert!(r[0].answers_to("wd") && r[0].answers_to("widget") && r[0].answers_to("widgets"));
        let agg = json!({"kind": "APIGroupDiscoveryList", "items": [{"metadata": {"name": "apps"},
            "versions": [{"version": "v1", "resources": [{"resource": "deployments", "responseKind": {"kind": "Deployment"},
            "scope": "Namespaced", "singularResource": "deployment", "shortNames": ["deploy"]}]}]}]});
        let r = parse_aggregated(&agg);
        assert_eq!(
            (r[0].group.as_str(), r[0].version.as_str(), r[0].namespaced),
            ("apps", "v1", true)
        );
        assert!(parse_aggregated(&json!({"items": "junk"})).is_empty());
    }
}
