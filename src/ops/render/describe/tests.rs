//! Describe output from objects recorded on the testbed (tests/fixtures/describe/).

use serde_json::{Value, json};

use super::*;
use crate::redact::shown;

/// The renderer, given a fixture redacted as the fetch layer would.
fn render(obj: &Value, related: &Related, now: SystemTime) -> String {
    super::render(&shown(obj.clone()), related, now)
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/describe/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn with_kind(mut v: Value, kind: &str) -> Value {
    v["kind"] = json!(kind);
    v
}

fn list(name: &str) -> Vec<Redacted<Value>> {
    let items = fixture(name).as_array().cloned().unwrap_or_default();
    items.into_iter().map(shown).collect()
}

fn now() -> SystemTime {
    SystemTime::now()
}

#[test]
fn crash_looping_pod_shows_state_last_termination_and_backoff() {
    let related = Related {
        events: list("pod-api-events"),
        ..Related::default()
    };
    let out = render(&with_kind(fixture("pod-api"), "Pod"), &related, now());
    for want in [
        "Name:",
        "Status:",
        "Containers:",
        "State:",
        "Reason:",
        "CrashLoopBackOff",
        "Last State:",
        "Exit Code:",
        "Restart Count:",
        "Conditions:",
        "Events:",
        "BackOff",
        "Controlled By:",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    let exit = out
        .lines()
        .find(|l| l.trim_start().starts_with("Exit Code:"))
        .unwrap_or_default();
    assert!(
        exit.ends_with(" 2"),
        "last termination exit code 2: {exit:?}"
    );
}

#[test]
fn not_ready_node_shows_conditions_and_pods() {
    let pod = fixture("pod-api");
    let related = Related {
        events: list("node-2-events"),
        node_pods: vec![shown(pod)],
        ..Related::default()
    };
    let out = render(&with_kind(fixture("node-2"), "Node"), &related, now());
    for want in [
        "Conditions:",
        "Ready",
        "MemoryPressure",
        "Capacity:",
        "Allocatable:",
        "Non-terminated Pods:",
        "(1 in total)",
        "Allocated resources:",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
}

#[test]
fn deployment_lists_replicas_and_replica_sets() {
    let related = Related {
        replica_sets: list("deploy-api-rs"),
        ..Related::default()
    };
    let out = render(
        &with_kind(fixture("deploy-api"), "Deployment"),
        &related,
        now(),
    );
    for want in [
        "Replicas:",
        "desired |",
        "StrategyType:",
        "Pod Template:",
        "NewReplicaSet:",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("Selector:") && l.ends_with("app=api")),
        "{out}"
    );
}

#[test]
fn a_workloads_last_rollout_is_its_own_section_before_the_events() {
    let created =
        crate::timefmt::format_rfc3339(SystemTime::now() - std::time::Duration::from_secs(300));
    let related = Related {
        replica_sets: list("deploy-api-rs"),
        last_rollout: Some(LastRollout {
            from: 2,
            to: 3,
            created: created.clone(),
            summary: "image api: shop/api:2.4.0 → shop/api:2.4.1".into(),
        }),
        ..Related::default()
    };
    let out = render(
        &with_kind(fixture("deploy-api"), "Deployment"),
        &related,
        now(),
    );
    let at = |prefix: &str| out.lines().position(|l| l.starts_with(prefix));
    has_line(
        &out,
        "Last Rollout: revision 2 → 3 (5m ago): image api: shop/api:2.4.0 → shop/api:2.4.1",
    );
    assert!(at("NewReplicaSet:") < at("Last Rollout:"), "{out}");
    assert!(at("Last Rollout:") < at("Events:"), "{out}");
    let first = Related {
        last_rollout: Some(LastRollout {
            from: 1,
            to: 1,
            created,
            summary: String::new(),
        }),
        ..Related::default()
    };
    let sts = with_kind(
        json!({"metadata": {"name": "db", "namespace": "shop"}}),
        "StatefulSet",
    );
    has_line(
        &render(&sts, &first, now()),
        "Last Rollout: revision 1 (5m ago), the first",
    );
    // Not read (RBAC, a custom resource): no section at all.
    assert!(!render(&sts, &Related::default(), now()).contains("Last Rollout"));
}

#[test]
fn failed_job_service_and_custom_resource() {
    let out = render(
        &with_kind(fixture("job-failed"), "Job"),
        &Related::default(),
        now(),
    );
    assert!(
        out.contains("Pods Statuses:") && out.contains("BackoffLimitExceeded"),
        "{out}"
    );
    let related = Related {
        endpoints: Some(shown(fixture("ep-web"))),
        ..Related::default()
    };
    let out = render(&with_kind(fixture("svc-web"), "Service"), &related, now());
    assert!(
        out.contains("Endpoints:") && out.contains("10.244."),
        "{out}"
    );
    let out = render(&fixture("widget"), &Related::default(), now());
    assert!(
        out.contains("Kind:") && out.contains("Widget") && out.contains("Spec:"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("Events:") && l.ends_with("<none>")),
        "{out}"
    );
}

#[test]
fn secrets_say_their_data_is_not_read() {
    let s = json!({"kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}});
    let out = render(&s, &Related::default(), now());
    assert!(
        out.contains("not read: kubeglass reads only the metadata"),
        "{out}"
    );
    assert!(!needs("Secret").events);
    let cells = crate::redact::shown(json!({"kind": "Opaque", "keys": "2"})).map(|v| SecretCells {
        kind: v["kind"].as_str().unwrap_or_default().into(),
        keys: v["keys"].as_str().unwrap_or_default().into(),
    });
    let related = Related {
        secret: Some(cells),
        ..Related::default()
    };
    let out = render(&s, &related, now());
    assert!(out.contains("\nType:"), "{out}");
    assert!(
        out.contains("Opaque") && out.contains("2 keys (names and values not read"),
        "{out}"
    );
}

#[test]
fn hostile_objects_do_not_panic() {
    for kind in [
        "Pod",
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
        "Service",
        "Node",
        "Namespace",
        "ConfigMap",
        "Secret",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "Ingress",
        "HorizontalPodAutoscaler",
        "ResourceQuota",
        "LimitRange",
        "Widget",
    ] {
        for body in [
            json!({"kind": kind}),
            json!({"kind": kind, "metadata": 5, "spec": [], "status": "x"}),
            json!({"kind": kind, "metadata": {"labels": {"a": null}}, "spec": {"containers": [null, 3, {"env": "x"}],
                   "selector": {"matchExpressions": [{}]}, "ports": [{}], "rules": [{"http": {"paths": [{}]}}]},
                   "status": {"conditions": [null], "containerStatuses": [{"state": {}}]}}),
        ] {
            let out = render(
                &body,
                &Related {
                    events: vec![shown(json!(null)), shown(json!({"count": "x"}))],
                    lease: Some(Ok(shown(json!({"spec": 3})))),
                    quotas: Some(vec![shown(json!({"status": {"hard": 1}}))]),
                    limit_ranges: Some(vec![shown(json!({"spec": {"limits": [{"max": []}]}}))]),
                    backends: vec![Backend {
                        name: String::new(),
                        service: Some(shown(json!([]))),
                        endpoints: Some(shown(json!({"subsets": 1}))),
                    }],
                    ..Related::default()
                },
                now(),
            );
            assert!(out.contains("Name:"), "{kind}: {out}");
        }
    }
    let deep = (0..50).fold(json!(1), |acc, _| json!({"a": acc}));
    let out = render(
        &json!({"kind": "X", "spec": deep}),
        &Related::default(),
        now(),
    );
    assert!(out.contains('…'));
}

/// A fixed clock for the tests that check ages and times.
fn at(ts: &str) -> SystemTime {
    crate::timefmt::parse_rfc3339(ts).unwrap()
}

/// The output's lines with whitespace runs collapsed (kubectl aligns with a tabwriter; the
/// words matter, not the columns).
fn words(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn has_line(out: &str, want: &str) {
    assert!(
        words(out).iter().any(|l| l == want),
        "missing line {want:?} in:\n{out}"
    );
}

#[test]
fn pod_shows_ips_host_ports_capitalised_ready_and_kubectl_times() {
    let out = render(
        &with_kind(fixture("pod-api"), "Pod"),
        &Related::default(),
        now(),
    );
    has_line(&out, "IPs:");
    has_line(&out, "Host Port: 0/TCP");
    has_line(&out, "Ready: False");
    let start = words(&out)
        .into_iter()
        .find(|l| l.starts_with("Start Time:"))
        .unwrap_or_default();
    assert!(
        start.ends_with("+0000") && start.contains(", "),
        "RFC 1123 form: {start:?}"
    );
    let out = render(&fixture("pod-kg-user"), &Related::default(), now());
    has_line(&out, "Annotations: example.com/owner: team-payments");
    has_line(&out, "QoS Class: Burstable");
    has_line(
        &out,
        "Type: PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
    );
    has_line(&out, "ClaimName: kg-data");
}

#[test]
fn pod_templates_show_volumes_node_selectors_tolerations_and_field_refs() {
    let out = render(&fixture("deploy-kg-template"), &Related::default(), now());
    for want in [
        "Annotations: example.com/team: payments",
        "Ports: 8080/TCP, 9090/TCP (http=8080, metrics=9090)",
        "Host Ports: 0/TCP, 9090/TCP",
        "app-config ConfigMap Optional: false",
        "POD_NAME: (v1:metadata.name)",
        "CPU_LIMIT: node allocatable (limits.cpu)",
        "SETTING: <set to the key 'setting' of config map 'app-config'> Optional: true",
        "/var/run/creds from creds (rw,path=\"token\")",
        "Type: EmptyDir (a temporary directory that shares a pod's lifetime)",
        "SecretName: app-creds",
        "HostPathType: Directory",
        "Node-Selectors: kubernetes.io/os=linux",
        "Tolerations: op=Exists",
        "dedicated=payments:NoSchedule",
    ] {
        has_line(&out, want);
    }
}

#[test]
fn events_seen_once_are_aged_from_first_seen() {
    let events = list("node-2-events");
    let first = text(events[0].value(), "/firstTimestamp").to_string();
    // An hour after the first time seen; the last time is 29 minutes after the first.
    let now = at(&first) + std::time::Duration::from_secs(3600);
    let related = Related {
        events,
        ..Related::default()
    };
    let out = render(&fixture("node-2"), &related, now);
    let row = words(&out)
        .into_iter()
        .find(|l| l.contains("NodeNotReady"))
        .unwrap_or_default();
    assert!(
        row.contains(" 60m "),
        "age from the first time seen: {row:?}"
    );
}

#[test]
fn hpa_shows_current_metric_beside_target() {
    let out = render(&fixture("hpa-web"), &Related::default(), now());
    has_line(&out, "Metrics: ( current / target )");
    has_line(
        &out,
        "resource cpu on pods (as a percentage of request): 41% (0) / 70%",
    );
    has_line(&out, "Min replicas: 3");
    has_line(&out, "Max replicas: 10");
    has_line(&out, "Deployment pods: 3 current / 3 desired");
}

#[test]
fn condition_messages_are_shown_whole_as_kubectl_does_and_long_ones_keep_their_end() {
    const CAUSE: &str =
        "the server could not find the requested resource (get pods.metrics.k8s.io)";
    let hpa = |message: String| {
        let mut h = fixture("hpa-web");
        h["status"]["conditions"] = json!([{"type": "ScalingActive", "status": "False",
            "reason": "FailedGetResourceMetric", "message": message}]);
        render(&h, &Related::default(), now())
    };
    let whole = format!(
        "the HPA was unable to compute the replica count: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: {CAUSE}"
    );
    let out = hpa(whole.clone());
    assert!(out.contains(&whole), "214 bytes are not cut: {out}");
    let long = format!("{}: {CAUSE}", "unable to get metrics ".repeat(60));
    let out = hpa(long);
    let row = out
        .lines()
        .find(|l| l.contains("FailedGetResourceMetric"))
        .unwrap();
    assert!(row.trim_end().ends_with(&format!(" … {CAUSE}")), "{row}");
    assert!(row.len() < 1200, "{} bytes", row.len());
}

#[test]
fn namespace_shows_quota_used_and_hard_and_limit_ranges() {
    let related = Related {
        quotas: Some(list("quota-kg-list")),
        limit_ranges: Some(list("limits-kg-list")),
        ..Related::default()
    };
    let out = render(&fixture("ns-kg"), &related, now());
    for want in [
        "Resource Quotas",
        "Name: compute",
        "Resource Used Hard",
        "cpu 100m 4",
        "memory 128Mi 8Gi",
        "Scopes: BestEffort",
        "Resource Limits",
        "Type Resource Min Max Default Request Default Limit Max Limit/Request Ratio",
        "Container cpu - 2 100m 500m -",
        "PersistentVolumeClaim storage 1Gi - - - -",
    ] {
        has_line(&out, want);
    }
    let out = render(
        &fixture("ns-kg"),
        &Related {
            quotas: Some(vec![]),
            limit_ranges: None,
            ..Related::default()
        },
        now(),
    );
    has_line(&out, "No resource quota.");
    has_line(&out, "Resource Limits: <not readable>");
}

#[test]
fn quota_and_limit_range_describe_on_their_own() {
    let quotas = list("quota-kg-list");
    let compute = quotas
        .iter()
        .find(|q| text(q, "/metadata/name") == "compute")
        .unwrap();
    let out = render(
        &with_kind(compute.value().clone(), "ResourceQuota"),
        &Related::default(),
        now(),
    );
    has_line(&out, "Resource Used Hard");
    has_line(&out, "pods 1 10");
    assert!(
        !out.contains("Events:"),
        "kubectl shows no events here: {out}"
    );
    let limits = list("limits-kg-list");
    let out = render(
        &with_kind(limits[0].value().clone(), "LimitRange"),
        &Related::default(),
        now(),
    );
    has_line(&out, "Container memory - - 128Mi 256Mi -");
}

#[test]
fn daemonset_shows_up_to_date_and_available_counts() {
    let out = render(&fixture("ds-node-exporter"), &Related::default(), now());
    for want in [
        "Node-Selector: <none>",
        "Desired Number of Nodes Scheduled: 2",
        "Current Number of Nodes Scheduled: 2",
        "Number of Nodes Scheduled with Up-to-date Pods: 0",
        "Number of Nodes Scheduled with Available Pods: 1",
        "Number of Nodes Misscheduled: 0",
        "Pods Status: 0 Running / 0 Waiting / 0 Succeeded / 0 Failed",
    ] {
        has_line(&out, want);
    }
}

#[test]
fn statefulset_shows_partition_claims_and_a_missing_service() {
    let related = Related {
        service_missing: true,
        ..Related::default()
    };
    let sts = fixture("sts-kg");
    let out = render(&sts, &related, now());
    has_line(
        &out,
        &format!("Replicas: {} desired | 0 total", sts["spec"]["replicas"]),
    );
    for want in [
        "Partition: 1",
        "Volume Claims:",
        "Capacity: 5Gi",
        "Access Modes: [ReadWriteOnce]",
    ] {
        has_line(&out, want);
    }
    assert!(out.contains("\"kg-sts-headless\" does not exist"), "{out}");
    let out = render(&fixture("sts-kg"), &Related::default(), now());
    assert!(!out.contains("does not exist"), "{out}");
}

#[test]
fn cronjob_shows_deadline_parallelism_and_completions() {
    let out = render(&fixture("cronjob-kg-report"), &Related::default(), now());
    for want in [
        "Starting Deadline Seconds: 120s",
        "Parallelism: 2",
        "Completions: 4",
        "Selector: <unset>",
        "Last Schedule Time: <unset>",
        "NODE: (v1:spec.nodeName)",
        "Tolerations: batch:NoSchedule op=Exists",
    ] {
        has_line(&out, want);
    }
}

#[test]
fn node_shows_transition_times_system_info_lease_and_pod_shares() {
    let pods = list("pods-node-1-list");
    let mut totals = PodTotals::default();
    for p in &pods {
        totals.add(PodTotals::of(p));
    }
    // As if the node held 1,000 more pods than the rows kept: the count and sums hold all.
    for _ in 0..1000 {
        totals.add(PodTotals::of(pods[0].value()));
    }
    let related = Related {
        node_pods: pods,
        node_totals: Some(totals),
        lease: Some(Err(crate::redact::message(
            "leases.coordination.k8s.io \"node-1\" not found",
        ))),
        ..Related::default()
    };
    let out = render(&fixture("node-1"), &related, now());
    for want in [
        "Lease: Failed to get lease: leases.coordination.k8s.io \"node-1\" not found",
        "Kube-Proxy Version: v1.20.2",
        "Operating System: linux",
        "PodCIDR: 10.244.1.0/24",
        "(Total limits may be over 100 percent, i.e., overcommitted.)",
    ] {
        has_line(&out, want);
    }
    assert!(
        out.contains("LastTransitionTime"),
        "conditions carry the transition time: {out}"
    );
    let total = words(&out)
        .into_iter()
        .find(|l| l.starts_with("Non-terminated Pods:"))
        .unwrap_or_default();
    assert_eq!(
        total,
        format!("Non-terminated Pods: ({} in total)", totals.pods)
    );
    assert!(out.contains("more pods (get pods -A --field-selector spec.nodeName=node-1)"));
    let node = with_kind(fixture("node-2"), "Node");
    let out = render(
        &node,
        &Related {
            lease: Some(Ok(shown(json!({"spec": {"holderIdentity": "node-2",
                "renewTime": "2026-11-24T15:00:00.000000Z"}})))),
            ..Related::default()
        },
        now(),
    );
    has_line(&out, "HolderIdentity: node-2");
    has_line(&out, "RenewTime: Tue, 24 Nov 2026 15:00:00 +0000");
    let taints: Vec<String> = words(&out)
        .into_iter()
        .skip_while(|l| !l.starts_with("Taints:"))
        .take(2)
        .collect();
    assert_eq!(
        taints,
        [
            "Taints: node.kubernetes.io/not-ready:NoSchedule",
            "node.kubernetes.io/unreachable:NoSchedule"
        ],
        "sorted by effect, then key: {out}"
    );
}

#[test]
fn ingress_shows_tls_hosts_and_backend_endpoints() {
    let related = Related {
        backends: vec![Backend {
            name: "web".into(),
            service: Some(shown(fixture("svc-web-object"))),
            endpoints: Some(shown(fixture("ep-web"))),
        }],
        ..Related::default()
    };
    let out = render(&fixture("ingress-web"), &related, now());
    has_line(&out, "TLS:");
    has_line(&out, "web-tls terminates shop.example.com");
    has_line(&out, "Default backend: <default>");
    assert!(
        words(&out)
            .iter()
            .any(|l| l.starts_with("/ web:80 (10.244.") && l.ends_with(":8080)")),
        "the backend's ready endpoints: {out}"
    );
    let out = render(&fixture("ingress-web"), &Related::default(), now());
    has_line(&out, "/ web:80");
}

#[test]
fn pvc_shows_used_by_and_finalizers() {
    let related = Related {
        used_by: Some(vec!["kg-user".into()]),
        ..Related::default()
    };
    let out = render(&fixture("pvc-kg-data"), &related, now());
    has_line(&out, "Used By: kg-user");
    has_line(&out, "Finalizers: [kubernetes.io/pvc-protection]");
    has_line(&out, "StorageClass: gp3");
    let related = Related {
        used_by: Some(vec![]),
        ..Related::default()
    };
    let out = render(&fixture("pvc-kg-data"), &related, now());
    has_line(&out, "Used By: <none>");
    let out = render(&fixture("pvc-kg-data"), &Related::default(), now());
    assert!(
        out.contains("Used By:") && out.contains("not readable"),
        "{out}"
    );
}

#[test]
fn annotations_read_as_key_colon_value_without_last_applied() {
    let obj = json!({"kind": "ConfigMap", "metadata": {"name": "x", "annotations": {
        "a": "1",
        "kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{}}",
        "long": "y".repeat(200),
    }}});
    let out = render(&obj, &Related::default(), now());
    has_line(&out, "Annotations: a: 1");
    assert!(!out.contains("last-applied"), "{out}");
    has_line(&out, "long:");
    assert!(out.contains(&format!("{}...", "y".repeat(138))), "{out}");
}

#[test]
fn terminating_pods_say_how_long_and_scoped_node_counts_say_so() {
    let mut pod = with_kind(fixture("pod-api"), "Pod");
    pod["metadata"]["deletionTimestamp"] = json!("2026-11-24T15:00:00Z");
    pod["metadata"]["deletionGracePeriodSeconds"] = json!(30);
    let out = render(&pod, &Related::default(), at("2026-11-24T15:02:00Z"));
    has_line(&out, "Status: Terminating (lasts 2m)");
    has_line(&out, "Termination Grace Period: 30s");
    let related = Related {
        node_pods_scoped: true,
        ..Related::default()
    };
    let out = render(&with_kind(fixture("node-2"), "Node"), &related, now());
    has_line(
        &out,
        "Non-terminated Pods: (0 in total, in the namespaces kubeglass may read)",
    );
    let related = Related {
        node_pods_unreadable: true,
        ..Related::default()
    };
    let out = render(&with_kind(fixture("node-2"), "Node"), &related, now());
    assert!(
        !out.contains("in total"),
        "no count when pods were refused: {out}"
    );
    has_line(&out, "Pods: not readable (the pods list was refused)");
}

/// Each container may ask for up to 8E (the API accepts it): a node's sums saturate rather
/// than panic (debug) or wrap negative (release).
#[test]
fn node_totals_of_huge_requests_never_overflow() {
    let c = json!({"name": "c", "resources": {
        "requests": {"cpu": "9P", "memory": "8E", "ephemeral-storage": "8E"},
        "limits": {"cpu": "9P", "memory": "8E", "ephemeral-storage": "8E"}}});
    let pod = json!({"spec": {"containers": [c.clone(), c]}});
    let mut totals = PodTotals::of(&pod);
    totals.add(PodTotals::of(&pod));
    assert_eq!(totals.memory, (i64::MAX, i64::MAX));
    assert_eq!(totals.cpu, (i64::MAX, i64::MAX));
    let related = Related {
        node_totals: Some(totals),
        ..Related::default()
    };
    let out = render(&fixture("node-1"), &related, now());
    assert!(!out.contains(" (-"), "no negative share: {out}");
}

#[test]
fn the_new_replica_set_is_the_oldest_with_the_deployments_template_as_kubectl_picks_it() {
    let deploy = with_kind(fixture("deploy-api"), "Deployment");
    let rs = |name: &str, created: &str, image: &str| {
        let mut t = deploy["spec"]["template"].clone();
        t["metadata"]["labels"]["pod-template-hash"] = json!(name);
        t["spec"]["containers"][0]["image"] = json!(image);
        shown(
            json!({"metadata": {"name": name, "creationTimestamp": created,
            "annotations": {"deployment.kubernetes.io/revision": "3"}},
            "spec": {"replicas": 1, "template": t}, "status": {"replicas": 1}}),
        )
    };
    let image = deploy["spec"]["template"]["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let related = Related {
        replica_sets: vec![
            rs("a-old", "2026-01-02T00:00:00Z", &image),
            rs("b-other", "2026-01-01T00:00:00Z", "other:1"),
            rs("c-young", "2026-01-03T00:00:00Z", &image),
        ],
        ..Related::default()
    };
    let out = render(&deploy, &related, now());
    has_line(&out, "NewReplicaSet: a-old (1/1 replicas created)");
}

#[test]
fn multi_line_messages_cannot_forge_describe_lines() {
    let forged = "panic: boom\n  Ready: True\nEvents: <none>\r\n";
    let pod = json!({"kind": "Pod",
        "metadata": {"name": "api-1", "namespace": "shop"},
        "spec": {"containers": [{"name": "app", "image": "api:1"}]},
        "status": {"phase": "Running", "message": forged,
            "conditions": [{"type": "Ready", "status": "False", "message": forged}],
            "containerStatuses": [{"name": "app", "ready": false, "restartCount": 3,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": forged}},
                "lastState": {"terminated": {"reason": "Error", "exitCode": 1, "message": forged}}}]}});
    let related = Related {
        events: vec![shown(
            json!({"type": "Warning", "reason": "BackOff", "message": forged,
            "involvedObject": {"kind": "Pod", "name": "api-1"}}),
        )],
        ..Related::default()
    };
    let widget = json!({"kind": "Widget", "apiVersion": "example.com/v1",
        "metadata": {"name": "w"}, "spec": {"note": forged, "x\nEvents": "y", "list": [forged]}});
    for out in [
        render(&pod, &related, now()),
        render(&widget, &Related::default(), now()),
    ] {
        let events: Vec<&str> = out.lines().filter(|l| l.starts_with("Events:")).collect();
        assert_eq!(events.len(), 1, "one Events section:\n{out}");
        assert!(!out.contains('\r'), "{out}");
        // Each continuation starts two columns past its value's column (20 or more).
        for l in out
            .lines()
            .filter(|l| l.trim_start().starts_with("Ready: True"))
        {
            let indent = l.len() - l.trim_start().len();
            assert!(
                indent >= KEY_WIDTH + 2,
                "a forged line at column {indent}:\n{out}"
            );
        }
        assert!(!out.contains("\nEvents: <none>\n  "), "{out}");
    }
    let out = render(&pod, &related, now());
    let message = out
        .lines()
        .position(|l| l.trim_start().starts_with("Message:") && l.ends_with("panic: boom"))
        .expect("the message's first line beside its key");
    let next = out.lines().nth(message + 1).unwrap_or_default();
    assert_eq!(
        next,
        format!("{}  Ready: True", " ".repeat(KEY_WIDTH + 2)),
        "{out}"
    );
}
