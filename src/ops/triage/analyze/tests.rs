//! Triage rules on objects shaped like the testbed's seeded faults.

use serde_json::{Value, json};

use super::*;

fn now() -> SystemTime {
    timefmt::parse_rfc3339("2026-12-02T05:00:00Z").unwrap()
}

fn pod(ns: &str, name: &str, owner: Option<(&str, &str)>, labels: Value, status: Value) -> Value {
    let owners: Vec<Value> = owner
        .map(|(kind, n)| json!({"kind": kind, "name": n, "controller": true}))
        .into_iter()
        .collect();
    json!({"metadata": {"namespace": ns, "name": name, "labels": labels, "ownerReferences": owners},
           "spec": {"nodeName": "node-1"}, "status": status})
}

fn running_ready() -> Value {
    json!({"phase": "Running", "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0,
        "state": {"running": {}}}]})
}

fn report(t: Triage) -> String {
    t.render(now()).join("\n")
}

#[test]
fn every_seeded_fault_is_one_line_with_its_evidence_and_next_step() {
    let mut t = Triage::default();
    t.node(
        &json!({"metadata": {"name": "node-2"}, "status": {"conditions": [
            {"type": "MemoryPressure", "status": "True"},
            {"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown",
             "message": "Kubelet stopped posting node status.", "lastTransitionTime": "2026-12-02T04:35:00Z"}]}}),
        now(),
    );
    for n in ["api-e3e7b13d1-q8w7e", "api-e3e7b13d1-r5t6y"] {
        t.pod(&pod("shop", n, Some(("ReplicaSet", "api-e3e7b13d1")),
            json!({"app": "api", "pod-template-hash": "e3e7b13d1"}),
            json!({"phase": "Running", "containerStatuses": [{"name": "api", "ready": false, "restartCount": 7,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 2, "reason": "Error"}}}]})));
    }
    t.pod(&pod("payments", "billing-3afdc1281-z9x8c", Some(("ReplicaSet", "billing-3afdc1281")),
        json!({"app": "billing", "pod-template-hash": "3afdc1281"}),
        json!({"phase": "Running", "containerStatuses": [{"name": "billing", "ready": true, "restartCount": 3,
            "state": {"running": {}}, "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]})));
    t.pod(&pod(
        "payments",
        "postgres-0",
        Some(("StatefulSet", "postgres")),
        json!({"app": "postgres"}),
        json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False"}]}),
    ));
    t.event(&json!({"metadata": {"namespace": "payments"}, "involvedObject": {"kind": "Pod", "name": "postgres-0"},
        "reason": "FailedScheduling", "count": 25, "lastTimestamp": "2026-12-02T04:17:00Z",
        "message": "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory."}));
    t.pod(&pod(
        "shop",
        "checkout-v2-872fc8a22-m3n4b",
        Some(("ReplicaSet", "checkout-v2-872fc8a22")),
        json!({"app": "checkout-v2", "pod-template-hash": "872fc8a22"}),
        running_ready(),
    ));
    t.service(&json!({"metadata": {"namespace": "shop", "name": "checkout"}, "spec": {"selector": {"app": "checkout"}}}));
    t.job(&json!({"metadata": {"namespace": "shop", "name": "nightly-report-28911"}, "status": {"failed": 3,
        "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                        "message": "Job has reached the specified backoff limit"}]}}));
    t.storage_classes_read();
    t.claim(
        &json!({"metadata": {"namespace": "payments", "name": "data-postgres-0"},
        "spec": {"storageClassName": "gp3"}, "status": {"phase": "Pending"}}),
    );
    t.pod(&pod("shop", "web-6372175ac-klmno", Some(("ReplicaSet", "web-6372175ac")),
        json!({"app": "web", "pod-template-hash": "6372175ac"}),
        json!({"phase": "Running", "containerStatuses": [{"name": "web", "ready": false, "restartCount": 0, "state": {"running": {}}}]})));
    t.event(&json!({"metadata": {"namespace": "shop"}, "involvedObject": {"kind": "Pod", "name": "web-6372175ac-klmno"},
        "reason": "Unhealthy", "count": 118, "lastTimestamp": "2026-12-02T04:17:00Z",
        "message": "Readiness probe failed: HTTP probe failed with statuscode: 503"}));
    t.workload(
        "Deployment",
        &json!({"metadata": {"namespace": "shop", "name": "web"},
        "spec": {"replicas": 3}, "status": {"readyReplicas": 2, "updatedReplicas": 3}}),
    );
    let r = report(t);
    for want in [
        "node/node-2: NotReady for 25m (NodeStatusUnknown: Kubelet stopped posting node status.), MemoryPressure → describe node node-2",
        "shop deploy/api: CrashLoopBackOff, container api last exit 2 (Error), 7 restarts (2 pods, e.g. api-e3e7b13d1-q8w7e, api-e3e7b13d1-r5t6y) → logs deploy/api -n shop -c api --previous",
        "payments deploy/billing: OOMKilled, container billing last exit 137 (OOMKilled), 3 restarts",
        "payments sts/postgres: Pending, unschedulable: 0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.",
        "payments pvc/data-postgres-0: Pending: StorageClass gp3 does not exist",
        "shop svc/checkout: selects no pod (app=checkout); near miss: app=checkout-v2 (deploy/checkout-v2)",
        "shop job/nightly-report-28911: Failed BackoffLimitExceeded: Job has reached the specified backoff limit (3 failed pods)",
        "shop deploy/web: running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 503 [2/3 ready]",
    ] {
        assert!(r.contains(want), "missing {want:?} in:\n{r}");
    }
    let lines: Vec<&str> = r.lines().collect();
    assert!(
        lines[1].starts_with("node/node-2"),
        "the node is most severe:\n{r}"
    );
    assert!(
        r.ends_with("healthy: 1 pods running and ready (shop 1)"),
        "{r}"
    );
}

#[test]
fn thousands_of_pods_alike_are_one_line_with_a_count() {
    let mut t = Triage::default();
    for i in 0..3000 {
        t.pod(&pod(
            "load",
            &format!("load-{i:05}"),
            None,
            json!({"app": "load"}),
            json!({"phase": "Pending"}),
        ));
    }
    for i in 0..40 {
        t.pod(&pod(
            "shop",
            &format!("ok-{i}"),
            None,
            json!({"app": "ok"}),
            running_ready(),
        ));
    }
    let r = report(t);
    assert_eq!(r.lines().count(), 3, "{r}");
    assert!(
        r.contains("load pods: Pending on node-1 with no container status (3000 pods, e.g. load-00000, load-00001, load-00002) → describe pod load-00000 -n load"),
        "{r}"
    );
    assert!(
        r.contains("healthy: 40 pods running and ready (shop 40)"),
        "{r}"
    );
}

#[test]
fn a_workload_without_pod_problems_gets_its_own_line_and_a_cluster_without_problems_says_so() {
    let mut t = Triage::default();
    t.workload(
        "DaemonSet",
        &json!({"metadata": {"namespace": "monitoring", "name": "node-exporter"},
        "status": {"desiredNumberScheduled": 2, "numberReady": 1, "updatedNumberScheduled": 0}}),
    );
    let r = report(t);
    assert!(r.contains("monitoring ds/node-exporter: 1/2 ready, 0/2 up-to-date → describe ds/node-exporter -n monitoring"), "{r}");
    let quiet = report(Triage::default());
    assert!(quiet.contains("0 finding(s)"), "{quiet}");
}

#[test]
fn hostile_objects_do_not_panic() {
    let mut t = Triage::default();
    for v in [
        json!(null),
        json!([]),
        json!({"status": 5}),
        json!({"metadata": {"labels": 3}, "status": {"conditions": [null]}}),
    ] {
        t.pod(&v);
        t.node(&v, now());
        t.workload("Deployment", &v);
        t.service(&v);
        t.endpoints(&v);
        t.job(&v);
        t.claim(&v);
        t.autoscaler(&v);
        t.quota(&v);
        t.event(&v);
    }
    let _ = report(t);
}

#[test]
fn a_service_selecting_by_a_hidden_label_value_is_judged_by_the_server_not_by_shown_labels() {
    let svc = |name: &str| {
        json!({"metadata": {"namespace": "shop", "name": name},
               "spec": {"selector": {"app": "vault", "api-token": "<redacted>"}}})
    };
    let mut t = Triage::default();
    // Shown labels equal the shown selector whatever the real values: no judgement from them.
    t.pod(&pod(
        "shop",
        "vault-0",
        None,
        json!({"app": "vault", "api-token": "<redacted>"}),
        running_ready(),
    ));
    assert!(!t.service(&svc("vault")));
    assert!(!t.service(&svc("vault-old")));
    assert!(
        t.service(&json!({"metadata": {"namespace": "shop", "name": "web"},
                              "spec": {"selector": {"app": "web"}}}))
    );
    t.service_selecting(&svc("vault"), true);
    t.service_selecting(&svc("vault-old"), false);
    let out = report(t);
    assert!(
        out.contains("svc/vault-old: selects no pod (api-token=<redacted>,app=vault)"),
        "{out}"
    );
    assert!(out.contains("svc/web: selects no pod (app=web)"), "{out}");
    assert!(!out.contains("svc/vault:"), "{out}");
}

/// The issue's incident, in objects: a missing ConfigMap key behind order-api and its
/// Service; a PVC with a missing StorageClass behind order-db and a worker dialling it; a
/// node under DiskPressure that evicted a pod; a gateway Service whose targetPort names no
/// container port; a suspended CronJob; a request no node can hold; a claim nobody mounts.
fn incident() -> Triage {
    let mut t = Triage::default();
    t.node(
        &json!({"metadata": {"name": "node-1"}, "status": {"allocatable": {"cpu": "1930m", "memory": "7130316Ki"},
            "conditions": [{"type": "Ready", "status": "True"}, {"type": "DiskPressure", "status": "True"}]}}),
        now(),
    );
    t.storage_classes_read();
    let crash = |reason: &str, msg: &str| {
        json!({"phase": "Pending", "containerStatuses": [{"name": "api", "ready": false, "restartCount": 0,
            "state": {"waiting": {"reason": reason, "message": msg}}}]})
    };
    t.pod(&pod(
        "orders",
        "order-api-5d9f8-abcde",
        Some(("ReplicaSet", "order-api-5d9f8")),
        json!({"app": "order-api", "pod-template-hash": "5d9f8"}),
        crash(
            "CreateContainerConfigError",
            "couldn't find key DB_URL in ConfigMap orders/order-config",
        ),
    ));
    let mut db = pod(
        "orders",
        "order-db-0",
        Some(("StatefulSet", "order-db")),
        json!({"app": "order-db"}),
        json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
            "message": "0/1 nodes are available: 1 pod has unbound immediate PersistentVolumeClaims."}]}),
    );
    db["spec"]["volumes"] =
        json!([{"name": "data", "persistentVolumeClaim": {"claimName": "data-order-db-0"}}]);
    t.pod(&db);
    t.pod(&pod("orders", "order-worker-7c6b5-qwert", Some(("ReplicaSet", "order-worker-7c6b5")),
        json!({"app": "order-worker", "pod-template-hash": "7c6b5"}),
        json!({"phase": "Pending", "initContainerStatuses": [{"name": "migrate", "ready": false, "restartCount": 9,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]})));
    let mut edge = pod(
        "edge",
        "gateway-6f7d8-zxcvb",
        Some(("ReplicaSet", "gateway-6f7d8")),
        json!({"app": "gateway", "pod-template-hash": "6f7d8"}),
        running_ready(),
    );
    edge["spec"]["containers"] =
        json!([{"name": "app", "ports": [{"name": "http", "containerPort": 8080}]}]);
    t.pod(&edge);
    let mut evicted = pod(
        "batch",
        "report-1",
        None,
        json!({"app": "report"}),
        json!({"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: ephemeral-storage."}),
    );
    evicted["spec"]["nodeName"] = json!("node-1");
    t.pod(&evicted);
    let mut big = pod(
        "batch",
        "crunch-0",
        Some(("StatefulSet", "crunch")),
        json!({"app": "crunch"}),
        json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
            "message": "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory."}]}),
    );
    big["spec"]["containers"] =
        json!([{"name": "c", "resources": {"requests": {"cpu": "4", "memory": "16Gi"}}}]);
    big["spec"]["nodeName"] = Value::Null; // not placed yet
    t.pod(&big);
    t.claim_users_read(true);
    t.workload("StatefulSet", &json!({"metadata": {"namespace": "orders", "name": "order-db"},
        "spec": {"replicas": 1, "volumeClaimTemplates": [{"metadata": {"name": "data"}}]}, "status": {}}));
    t.claim_users_read(false);
    for (ns, name, selector, target) in [
        ("orders", "order-api", "order-api", json!(8080)),
        ("orders", "order-db", "order-db", json!(5432)),
        ("edge", "gateway", "gateway", json!("http-api")),
    ] {
        t.service(&json!({"metadata": {"namespace": ns, "name": name}, "spec": {"selector": {"app": selector},
            "ports": [{"port": if name == "order-db" { 5432 } else { 80 }, "targetPort": target}]}}));
    }
    t.endpoints_read();
    t.endpoints(
        &json!({"metadata": {"namespace": "orders", "name": "order-api"},
        "subsets": [{"notReadyAddresses": [{"ip": "10.0.0.5"}]}]}),
    );
    t.endpoints(&json!({"metadata": {"namespace": "edge", "name": "gateway"}, "subsets": []}));
    t.cronjob(&json!({"metadata": {"namespace": "batch", "name": "cleanup", "creationTimestamp": "2026-11-01T00:00:00Z"},
        "spec": {"schedule": "0 3 * * *", "suspend": true}, "status": {"lastScheduleTime": "2026-11-29T03:00:00Z"}}), now());
    t.claim(
        &json!({"metadata": {"namespace": "orders", "name": "data-order-db-0"},
        "spec": {"storageClassName": "fast-ssd"}, "status": {"phase": "Pending"}}),
    );
    t.claim(&json!({"metadata": {"namespace": "orders", "name": "old-scratch"}, "status": {"phase": "Bound"}}));
    t.claim(&json!({"metadata": {"namespace": "orders", "name": "data-order-db-1"}, "status": {"phase": "Bound"}}));
    t.last_log_line(
        &("orders".into(), "deploy/order-worker".into()),
        "FATAL: could not connect to order-db:5432: connection refused".into(),
    );
    t
}

#[test]
fn chains_print_the_root_cause_first_with_its_symptoms_folded_under_it() {
    let r = report(incident());
    let lines: Vec<&str> = r.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{r}"))
    };
    let (cm, api, api_svc) = (
        at("orders configmap/order-config: has no key DB_URL"),
        at("↳ deploy/order-api: CreateContainerConfigError"),
        at("↳ svc/order-api: no ready endpoint (1 not ready)"),
    );
    assert!(cm < api && api < api_svc, "{r}");
    let (pvc, db, worker) = (
        at("orders pvc/data-order-db-0: Pending: StorageClass fast-ssd does not exist"),
        at("↳ sts/order-db: Pending"),
        at("↳ deploy/order-worker: CrashLoopBackOff, init container migrate"),
    );
    assert!(pvc < db && db < worker, "{r}");
    assert!(!lines[pvc].starts_with(' '), "the claim is a root:\n{r}");
    assert!(
        lines[worker].contains(
            r#"previous log ends "FATAL: could not connect to order-db:5432: connection refused""#
        ),
        "{r}"
    );
    let (node, evicted) = (
        at("node/node-1: DiskPressure"),
        at("↳ batch pod/report-1: Failed: Evicted: The node was low"),
    );
    assert!(node < evicted, "{r}");
    // Each finding is printed once.
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("deploy/order-worker"))
            .count(),
        1,
        "{r}"
    );
}

#[test]
fn what_was_missed_is_named() {
    let r = report(incident());
    for want in [
        "edge svc/gateway: no ready endpoint, 1 pod(s) ready (deploy/gateway): targetPort http-api: no container of its pods declares that port name",
        "batch cronjob/cleanup: suspended (last run 3d2h ago; schedule \"0 3 * * *\")",
        "batch sts/crunch: Pending: requests cpu 4, memory 16Gi — more than any node can allocate (largest: cpu 1930m, memory 6.8Gi)",
        "orders pvc/old-scratch: Bound, used by no pod and no StatefulSet template",
    ] {
        assert!(r.contains(want), "missing {want:?} in:\n{r}");
    }
    // A claim a StatefulSet template would create is in use, mounted or not.
    assert!(!r.contains("pvc/data-order-db-1"), "{r}");
    // The gateway's ready pod is behind a broken Service: not healthy.
    assert!(
        r.ends_with(
            "healthy: 0 pods running and ready; 1 ready pods behind a broken Service not counted"
        ),
        "{r}"
    );
    assert!(
        r.starts_with("triage: 3 namespace(s), 1/1 nodes Ready, 6 pods"),
        "{r}"
    );
}

#[test]
fn a_cron_schedule_gives_its_period() {
    use std::time::Duration;
    let m = |n: u64| Some(Duration::from_secs(n * 60));
    assert_eq!(batch::schedule_period("*/5 * * * *"), m(5));
    assert_eq!(batch::schedule_period("0 * * * *"), m(60));
    assert_eq!(batch::schedule_period("0 3 * * *"), m(1440));
    assert_eq!(batch::schedule_period("0 3 * * 1"), m(7 * 1440));
    assert_eq!(batch::schedule_period("@hourly"), m(60));
    assert_eq!(batch::schedule_period("junk"), None);
}

#[test]
fn a_cronjob_without_success_for_several_periods_is_late() {
    let mut t = Triage::default();
    t.job(&json!({"metadata": {"namespace": "ops", "name": "backup-1", "ownerReferences": [{"kind": "CronJob", "name": "backup"}]},
        "status": {"completionTime": "2026-11-28T01:00:00Z", "conditions": [{"type": "Complete", "status": "True"}]}}));
    t.cronjob(&json!({"metadata": {"namespace": "ops", "name": "backup", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"schedule": "0 1 * * *"}, "status": {"lastScheduleTime": "2026-12-02T01:00:00Z"}}), now());
    let r = report(t);
    assert!(
        r.contains(
            "ops cronjob/backup: no successful run for 4d4h (schedule \"0 1 * * *\", every 24h"
        ),
        "{r}"
    );
}

#[test]
fn config_errors_name_the_missing_object_or_key() {
    assert_eq!(
        pods::missing_config("configmap \"order-config\" not found"),
        Some(("configmap/order-config".into(), "does not exist".into()))
    );
    assert_eq!(
        pods::missing_config("couldn't find key password in Secret shop/db"),
        Some(("secret/db".into(), "has no key password".into()))
    );
    assert_eq!(pods::missing_config("something else"), None);
}

#[test]
fn a_relation_of_one_standalone_pod_does_not_fold_another_problem_under_it() {
    let mut t = Triage::default();
    t.node(
        &json!({"metadata": {"name": "node-1"}, "status": {"conditions": [
            {"type": "Ready", "status": "True"}, {"type": "DiskPressure", "status": "True"}]}}),
        now(),
    );
    t.pod(&pod(
        "load",
        "evicted-1",
        None,
        json!({}),
        json!({"phase": "Failed", "reason": "Evicted", "message": "low on disk"}),
    ));
    t.pod(&pod(
        "load",
        "waiting-1",
        None,
        json!({}),
        json!({"phase": "Pending"}),
    ));
    let r = report(t);
    let lines: Vec<&str> = r.lines().collect();
    assert!(
        lines.contains(&"  ↳ load pod/evicted-1: Failed: Evicted: low on disk"),
        "{r}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("load pod/waiting-1: Pending on node-1")),
        "the pending pod is not the node's symptom:\n{r}"
    );
}
#[test]
fn an_hpa_message_keeps_its_operative_clause() {
    let mut t = Triage::default();
    t.autoscaler(&json!({"metadata": {"namespace": "shop", "name": "api"},
        "spec": {"maxReplicas": 5}, "status": {"currentReplicas": 1, "conditions": [
        {"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric",
         "message": "the HPA was unable to compute the replica count: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)"}]}}));
    let out = report(t);
    assert!(
        out.contains("the server could not find the requested resource (get pods.metrics.k8s.io))"),
        "quoted whole (214 bytes fit): {out}"
    );
}

#[test]
fn a_long_quote_is_cut_in_the_middle_and_loses_the_preemption_summary_first() {
    let long = format!(
        "the HPA was unable to compute the replica count: {}: the server could not find the requested resource",
        "unable to get metrics for resource cpu".repeat(8)
    );
    let q = quote(&long);
    assert!(q.len() <= QUOTE, "{q}");
    assert!(q.starts_with("the HPA was unable"), "{q}");
    assert!(
        q.ends_with(" … the server could not find the requested resource"),
        "{q}"
    );
    let sched = format!(
        "0/6 nodes are available: 3 node(s) didn't match Pod's node affinity/selector, {}3 Insufficient memory. preemption: 0/6 nodes are available: 3 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.",
        "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, ".repeat(2)
    );
    let q = quote(&sched);
    assert!(q.ends_with("3 Insufficient memory."), "{q}");
    assert!(!q.contains("preemption"), "{q}");
    assert_eq!(quote("short\n  message"), "short message");
}

#[test]
fn a_workload_finding_ends_with_its_last_change_and_other_findings_do_not() {
    let mut t = Triage::default();
    for n in ["api-7d9f-q8w7e", "api-7d9f-r5t6y"] {
        t.pod(&pod("shop", n, Some(("ReplicaSet", "api-7d9f")),
            json!({"app": "api", "pod-template-hash": "7d9f"}),
            json!({"phase": "Running", "containerStatuses": [{"name": "api", "ready": false, "restartCount": 7,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]})));
    }
    t.workload(
        "StatefulSet",
        &json!({"metadata": {"namespace": "payments", "name": "db"},
        "spec": {"replicas": 1}, "status": {"readyReplicas": 0}}),
    );
    t.pod(&pod(
        "shop",
        "lonely",
        None,
        json!({}),
        json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False"}]}),
    ));
    // Asked before the report: the lone StatefulSet will have a finding too.
    let subjects = t.workload_subjects();
    assert_eq!(
        subjects,
        [
            ("payments".to_string(), ["sts/db".to_string()].into()),
            ("shop".to_string(), ["deploy/api".to_string()].into()),
        ]
        .into()
    );
    t.last_change(
        "shop",
        "deploy/api",
        "10:12: image api: 2.4.0 → 2.4.1".into(),
    );
    t.last_change("payments", "sts/db", "09:40: revision 1, the first".into());
    let lines = t.report(now());
    let ends = |needle: &str| {
        lines
            .iter()
            .find(|l| l.body.contains(needle))
            .and_then(|l| l.tail.clone())
    };
    assert_eq!(
        ends("deploy/api: CrashLoopBackOff").as_deref(),
        Some("last change 10:12: image api: 2.4.0 → 2.4.1")
    );
    assert_eq!(
        ends("sts/db: 0/1 ready").as_deref(),
        Some("last change 09:40: revision 1, the first")
    );
    assert_eq!(ends("pod/lonely"), None);
    let api = lines
        .into_iter()
        .find(|l| l.body.contains("deploy/api"))
        .unwrap()
        .text();
    assert!(
        api.ends_with(" --previous — last change 10:12: image api: 2.4.0 → 2.4.1"),
        "{api}"
    );
}

#[test]
fn a_helm_release_stuck_pending_or_failed_is_one_line_with_its_history_as_next_step() {
    let mut t = Triage::default();
    t.helm_release("shop", "web", 4, "pending-upgrade");
    t.helm_release("shop", "db", 2, "failed");
    let out = report(t);
    assert!(
        out.contains("helm/web") && out.contains("revision 4 pending-upgrade"),
        "{out}"
    );
    assert!(out.contains("another operation is in progress"), "{out}");
    assert!(out.contains("helm history web -n shop"), "{out}");
    assert!(
        out.contains("helm/db") && out.contains("revision 2 failed"),
        "{out}"
    );
}
