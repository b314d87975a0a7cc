//! Every Kubernetes read kubeglass makes, as the RBAC rules that allow it: the one list the
//! chart's Roles must equal (`tests/chart_rbac.rs` renders the chart and compares, rule by
//! rule, in each RBAC mode), and that the ops' own type lists are checked against below, so
//! an op that starts reading a new type fails a test until the list (and the chart) say so.
//!
//! Verbs are `get` and `list`, and `watch` for what the flight recorder watches (`run
//! --record`, the chart's `recorder.enabled`, on by default there): pods, events,
//! ReplicaSets, ControllerRevisions and Jobs in the namespaces it may read, and nodes.
//! Discovery (`/api`, `/apis`) is a non-resource URL every authenticated identity may read
//! (the `system:discovery` ClusterRole): no rule.

/// One RBAC rule: these resources of one API group, with these verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The API group (`""` for the core group).
    pub group: &'static str,
    /// Resources (plural names; `pods/log` is a subresource).
    pub resources: &'static [&'static str],
    /// The verbs.
    pub verbs: &'static [&'static str],
    /// Who reads them and why (for a reviewer).
    pub why: &'static str,
}

/// Both verbs a type read needs: one object (`get`), a list (`list`).
const READ: &[&str] = &["get", "list"];

/// Rules on namespaced resources: granted in every namespace the agent may read (one
/// ClusterRole, or one Role per namespace).
pub const NAMESPACED: &[Rule] = &[
    Rule {
        group: "",
        resources: &[
            "pods",
            "services",
            "endpoints",
            "events",
            "configmaps",
            "persistentvolumeclaims",
            "replicationcontrollers",
            "resourcequotas",
            "limitranges",
        ],
        verbs: READ,
        why: "get/describe; triage (pods, services, endpoints, events, claims, quotas); describe \
              namespace (quotas, limit ranges); changes (pods, events, configmaps, services)",
    },
    Rule {
        group: "",
        resources: &["pods/log"],
        verbs: &["get"],
        why: "logs; triage quotes a crash-looping container's previous log",
    },
    Rule {
        group: "apps",
        resources: &[
            "deployments",
            "replicasets",
            "statefulsets",
            "daemonsets",
            "controllerrevisions",
        ],
        verbs: READ,
        why: "get/describe; triage; rollout history and diff, changes, triage's last change and \
              describe's Last Rollout (ReplicaSets, ControllerRevisions)",
    },
    Rule {
        group: "batch",
        resources: &["jobs", "cronjobs"],
        verbs: READ,
        why: "get/describe; triage (failed Jobs, late CronJobs); changes (failed Jobs)",
    },
    Rule {
        group: "networking.k8s.io",
        resources: &["ingresses", "networkpolicies"],
        verbs: READ,
        why: "get/describe; changes (their writers)",
    },
    Rule {
        group: "autoscaling",
        resources: &["horizontalpodautoscalers"],
        verbs: READ,
        why: "get/describe; triage; changes",
    },
    Rule {
        group: "policy",
        resources: &["poddisruptionbudgets"],
        verbs: READ,
        why: "get/describe; changes",
    },
    Rule {
        group: "discovery.k8s.io",
        resources: &["endpointslices"],
        verbs: READ,
        why: "endpoints",
    },
    Rule {
        group: "rbac.authorization.k8s.io",
        resources: &["roles", "rolebindings"],
        verbs: READ,
        why: "changes (who changed a Role or RoleBinding, and which fields)",
    },
    Rule {
        group: "metrics.k8s.io",
        resources: &["pods"],
        verbs: READ,
        why: "top pods",
    },
    Rule {
        group: "",
        resources: &["pods", "events"],
        verbs: &["watch"],
        why: "the flight recorder (run --record): terminations, Warning events, failed pods",
    },
    Rule {
        group: "apps",
        resources: &["replicasets", "controllerrevisions"],
        verbs: &["watch"],
        why: "the flight recorder (run --record): rollouts of Deployments, StatefulSets and \
              DaemonSets (their new revisions)",
    },
    Rule {
        group: "batch",
        resources: &["jobs"],
        verbs: &["watch"],
        why: "the flight recorder (run --record): Jobs that failed",
    },
];

/// Secrets, as metadata only (`PartialObjectMetadata`, object-less Tables): granted unless
/// the chart's `rbac.secrets` is `none`, which also starts the agent with `--no-secrets`.
pub const SECRETS: Rule = Rule {
    group: "",
    resources: &["secrets"],
    verbs: READ,
    why: "get/describe secrets (metadata, TYPE and DATA count only); changes (their writers)",
};

/// Rules on cluster-scoped resources (and the node Leases in `kube-node-lease`, read by name
/// beside a node): granted with every namespace, or with `rbac.clusterScopedReads`.
pub const CLUSTER: &[Rule] = &[
    Rule {
        group: "",
        resources: &["namespaces", "nodes", "persistentvolumes"],
        verbs: READ,
        why: "get/describe; triage and changes (nodes); -A over allowed namespaces",
    },
    Rule {
        group: "storage.k8s.io",
        resources: &["storageclasses"],
        verbs: READ,
        why: "get/describe; triage (a claim naming a class that does not exist)",
    },
    Rule {
        group: "apiextensions.k8s.io",
        resources: &["customresourcedefinitions"],
        verbs: READ,
        why: "get/describe crd",
    },
    Rule {
        group: "metrics.k8s.io",
        resources: &["nodes"],
        verbs: READ,
        why: "top nodes",
    },
    Rule {
        group: "coordination.k8s.io",
        resources: &["leases"],
        verbs: &["get"],
        why: "describe node (its Lease in kube-node-lease, read by the node's name)",
    },
    Rule {
        group: "",
        resources: &["nodes"],
        verbs: &["watch"],
        why: "the flight recorder (run --record): node conditions that went bad",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `typed` (`plural` or `plural.group`, as the ops name what they read) is
    /// granted `verb` by some rule.
    fn granted(typed: &str, verb: &str) -> bool {
        let (plural, group) = typed.split_once('.').unwrap_or((typed, ""));
        NAMESPACED
            .iter()
            .chain(CLUSTER)
            .chain([&SECRETS])
            .filter(|r| r.verbs.contains(&verb) && r.resources.contains(&plural))
            .any(|r| r.group == group || !typed.contains('.'))
    }

    #[test]
    fn every_type_an_op_reads_on_its_own_is_granted() {
        let mut read: Vec<&str> = Vec::new();
        read.extend(super::super::triage::NAMESPACED);
        read.extend(["nodes", "storageclasses", "events"]);
        read.extend(super::super::changes::UPDATED_TYPES);
        read.extend([
            "replicasets.apps",
            "controllerrevisions.apps",
            "events",
            "pods",
            "jobs.batch",
            "nodes",
        ]);
        // describe's related reads and the other ops' own.
        read.extend([
            "resourcequotas",
            "limitranges",
            "leases.coordination.k8s.io",
            "endpoints",
            "endpointslices.discovery.k8s.io",
            "services",
            "persistentvolumeclaims",
            "namespaces",
        ]);
        for typed in read {
            let verb = if typed.starts_with("leases") {
                "get"
            } else {
                "list"
            };
            assert!(
                granted(typed, verb),
                "{typed} ({verb}) is read but not granted"
            );
        }
        assert!(granted("pods/log", "get"));
        assert!(!granted("widgets.example.com", "list"));
        for watched in crate::recorder::WATCHED {
            assert!(granted(watched, "watch"), "the recorder watches {watched}");
        }
    }

    #[test]
    fn nothing_is_written_nothing_but_the_recorder_watched_and_nothing_is_a_wildcard() {
        for r in NAMESPACED.iter().chain(CLUSTER).chain([&SECRETS]) {
            let watched = |t: &&str| {
                let typed = match r.group {
                    "" => t.to_string(),
                    g => format!("{t}.{g}"),
                };
                crate::recorder::WATCHED.contains(&typed.as_str())
            };
            assert!(
                r.verbs.iter().all(|v| ["get", "list"].contains(v))
                    || r.verbs == ["watch"] && r.resources.iter().all(watched),
                "{r:?}"
            );
            assert!(!r.resources.contains(&"*") && r.group != "*", "{r:?}");
            assert!(!r.why.is_empty());
        }
    }
}
