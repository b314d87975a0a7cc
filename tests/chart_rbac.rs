//! The chart grants exactly what the code reads: its Roles and ClusterRoles, rendered with the
//! real Helm engine (`.ci/chart_rules.py`, the chart tools `.ci/chart-check` installs), equal
//! the rules of `src/ops/reads.rs` in every RBAC mode — every namespace, listed namespaces
//! with and without cluster-scoped reads, Secrets as metadata or not at all — as sets of
//! (group, resource, verb), so neither a missing grant nor an extra one (a `watch` nothing
//! uses) passes. The Deployment's `--no-secrets` follows `rbac.secrets` too.
//!
//! Needs the chart tools' Python (`$KUBEGLASS_CI_CACHE/venv`, default
//! `~/.cache/kubeglass-ci/venv`; `.ci/chart-check` makes it) and fails without it.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use kubeglass::testing::reads::{CLUSTER, NAMESPACED, Rule, SECRETS};
use serde_json::{Value, json};

/// (group, resource, verb)
type Grant = (String, String, String);

fn grants<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    for r in rules {
        for res in r.resources {
            for verb in r.verbs {
                out.insert((r.group.to_string(), res.to_string(), verb.to_string()));
            }
        }
    }
    out
}

fn rendered_grants(rules: &Value) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    for rule in rules.as_array().into_iter().flatten() {
        for g in strs(&rule["apiGroups"]) {
            for res in strs(&rule["resources"]) {
                for verb in strs(&rule["verbs"]) {
                    out.insert((g.clone(), res.clone(), verb));
                }
            }
        }
    }
    out
}

fn python() -> PathBuf {
    let cache = std::env::var("KUBEGLASS_CI_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/kubeglass-ci")
        });
    let py = cache.join("venv/bin/python");
    assert!(
        py.exists(),
        "{} is missing: this test needs the chart tools (run .ci/chart-check once, or \
         `. .ci/lib.sh && ci_tools`)",
        py.display()
    );
    py
}

/// The Roles and ClusterRoles the chart renders with `values`: (kind, namespace, grants).
fn render(values: &Value) -> Vec<(String, Option<String>, BTreeSet<Grant>)> {
    let repo = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(python())
        .arg(format!("{repo}/.ci/chart_rules.py"))
        .arg(values.to_string())
        .output()
        .expect("run chart_rules.py");
    assert!(
        out.status.success(),
        "chart_rules.py {values} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let roles: Value = serde_json::from_slice(&out.stdout).expect("JSON from chart_rules.py");
    roles
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap_or("").to_string(),
                r["namespace"].as_str().map(str::to_string),
                rendered_grants(&r["rules"]),
            )
        })
        .collect()
}

fn diff(mode: &str, got: &BTreeSet<Grant>, want: &BTreeSet<Grant>) {
    let extra: Vec<&Grant> = got.difference(want).collect();
    let missing: Vec<&Grant> = want.difference(got).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "{mode}: the chart's RBAC differs from src/ops/reads.rs\n  granted but never read: \
         {extra:?}\n  read but not granted: {missing:?}"
    );
}

#[test]
#[ignore = "needs the chart tools (helm-python-sdk in ~/.cache/kubeglass-ci/venv)"]
fn the_charts_rbac_grants_exactly_what_the_code_reads_in_every_mode() {
    let secrets = grants([&SECRETS]);
    let namespaced = grants(NAMESPACED);
    let cluster = grants(CLUSTER);
    let with = |a: &BTreeSet<Grant>, b: &BTreeSet<Grant>| -> BTreeSet<Grant> {
        a.union(b).cloned().collect()
    };

    // Every namespace: one ClusterRole with everything.
    for (values, want) in [
        (json!({}), with(&with(&namespaced, &cluster), &secrets)),
        (
            json!({"rbac": {"secrets": "none"}}),
            with(&namespaced, &cluster),
        ),
    ] {
        let roles = render(&values);
        assert_eq!(roles.len(), 1, "{values}: {roles:?}");
        assert_eq!(roles[0].0, "ClusterRole");
        diff(&values.to_string(), &roles[0].2, &want);
    }

    // Listed namespaces: a Role in each, and cluster reads only when asked for.
    for (values, want_ns, want_cluster) in [
        (
            json!({"rbac": {"namespaces": ["shop", "payments"]}}),
            with(&namespaced, &secrets),
            None,
        ),
        (
            json!({"rbac": {"namespaces": ["shop"], "clusterScopedReads": true, "secrets": "none"}}),
            namespaced.clone(),
            Some(cluster.clone()),
        ),
    ] {
        let roles = render(&values);
        let role_nss: Vec<Option<String>> = roles
            .iter()
            .filter(|r| r.0 == "Role")
            .map(|r| r.1.clone())
            .collect();
        let listed: Vec<Option<String>> = values["rbac"]["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().map(str::to_string))
            .collect();
        assert_eq!(role_nss, listed, "{values}: one Role per listed namespace");
        for r in roles.iter().filter(|r| r.0 == "Role") {
            diff(&values.to_string(), &r.2, &want_ns);
        }
        let cluster_roles: Vec<_> = roles.iter().filter(|r| r.0 == "ClusterRole").collect();
        match &want_cluster {
            None => assert!(cluster_roles.is_empty(), "{values}: {cluster_roles:?}"),
            Some(want) => {
                assert_eq!(cluster_roles.len(), 1, "{values}");
                diff(&values.to_string(), &cluster_roles[0].2, want);
            }
        }
    }
}

/// The Deployment's arguments with `values`, through `chart_render.py`'s renderer.
fn agent_args(values: &Value) -> Vec<String> {
    let repo = env!("CARGO_MANIFEST_DIR");
    let script = "import json, sys\n\
        import helm_python as helm\n\
        from chart_render import CHART, render\n\
        with helm.Chart.load(CHART) as chart:\n\
        \x20   docs, _ = render(chart, json.loads(sys.argv[1]), 'kgci-args', 'kubeglass')\n\
        d = [d for d in docs if d['kind'] == 'Deployment'][0]\n\
        json.dump(d['spec']['template']['spec']['containers'][0]['args'], sys.stdout)\n";
    let out = Command::new(python())
        .current_dir(format!("{repo}/.ci"))
        .args(["-c", script, &values.to_string()])
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON args")
}

#[test]
#[ignore = "needs the chart tools (helm-python-sdk in ~/.cache/kubeglass-ci/venv)"]
fn without_a_secrets_grant_the_agent_is_started_refusing_secrets() {
    let none = agent_args(&json!({"rbac": {"secrets": "none"}}));
    assert!(none.iter().any(|a| a == "--no-secrets"), "{none:?}");
    let metadata = agent_args(&json!({}));
    assert!(
        !metadata.iter().any(|a| a == "--no-secrets"),
        "{metadata:?}"
    );
}
