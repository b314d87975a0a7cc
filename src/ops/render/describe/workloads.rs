//! Workloads: Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, HPAs.

use serde_json::Value;

use crate::object::selector_of;
use crate::redact::Redacted;

use super::pod::container;
use super::{Doc, Related, items, scalar, text};

/// A pod template: labels, containers (no runtime state), volumes.
fn pod_template(d: &mut Doc, tpl: Option<&Value>) {
    let Some(t) = tpl else {
        return;
    };
    d.section(0, "Pod Template");
    d.map(1, "Labels", t.pointer("/metadata/labels"));
    d.kv_some(1, "Service Account", text(t, "/spec/serviceAccountName"));
    d.section(1, "Containers");
    let mut inner = Doc {
        out: String::new(),
        now: d.now,
    };
    for c in items(t, "/spec/containers") {
        container(&mut inner, c, None);
    }
    for l in inner.out.lines() {
        d.line(1, l);
    }
}

/// `Pods Status: 1 Running / 2 Waiting / 0 Succeeded / 0 Failed` of the selected pods.
fn pods_status(d: &mut Doc, pods: &[Redacted<Value>]) {
    let count = |phase: &str| {
        pods.iter()
            .filter(|p| text(p, "/status/phase") == phase)
            .count()
    };
    d.kv(
        0,
        "Pods Status",
        &format!(
            "{} Running / {} Waiting / {} Succeeded / {} Failed",
            count("Running"),
            count("Pending"),
            count("Succeeded"),
            count("Failed")
        ),
    );
}

fn num(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

/// `describe deployment`.
pub fn deployment(d: &mut Doc, o: &Value, r: &Related) {
    d.head(o);
    d.kv(0, "Selector", selector_of(o).as_deref().unwrap_or(""));
    let desired = o
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    d.kv(
        0,
        "Replicas",
        &format!(
            "{desired} desired | {} updated | {} total | {} available | {} unavailable",
            num(o, "/status/updatedReplicas"),
            num(o, "/status/replicas"),
            num(o, "/status/availableReplicas"),
            num(o, "/status/unavailableReplicas")
        ),
    );
    d.kv(0, "StrategyType", text(o, "/spec/strategy/type"));
    d.kv(
        0,
        "MinReadySeconds",
        &num(o, "/spec/minReadySeconds").to_string(),
    );
    if let Some(ru) = o.pointer("/spec/strategy/rollingUpdate") {
        d.kv(
            0,
            "RollingUpdateStrategy",
            &format!(
                "{} max unavailable, {} max surge",
                scalar(ru.get("maxUnavailable")),
                scalar(ru.get("maxSurge"))
            ),
        );
    }
    pod_template(d, o.pointer("/spec/template"));
    d.conditions(0, o);
    let rev = |rs: &Value| {
        text(
            rs,
            "/metadata/annotations/deployment.kubernetes.io~1revision",
        )
        .parse::<i64>()
        .unwrap_or(0)
    };
    let newest = r.replica_sets.iter().max_by_key(|rs| rev(rs));
    let rs_line = |rs: &Redacted<Value>| {
        format!(
            "{} ({}/{} replicas created)",
            text(rs, "/metadata/name"),
            num(rs, "/status/replicas"),
            rs.pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(0)
        )
    };
    let old: Vec<String> = r
        .replica_sets
        .iter()
        .filter(|rs| Some(*rs) != newest && num(rs, "/status/replicas") > 0)
        .map(rs_line)
        .collect();
    d.list(0, "OldReplicaSets", &old);
    d.kv(0, "NewReplicaSet", &newest.map(rs_line).unwrap_or_default());
}

/// `describe` of ReplicaSets, StatefulSets, DaemonSets and ReplicationControllers.
pub fn controller(d: &mut Doc, o: &Value, r: &Related) {
    d.head(o);
    d.kv(0, "Selector", selector_of(o).as_deref().unwrap_or(""));
    d.controlled_by(o);
    if text(o, "/kind") == "DaemonSet" {
        d.kv(
            0,
            "Desired Number of Nodes Scheduled",
            &num(o, "/status/desiredNumberScheduled").to_string(),
        );
        d.kv(
            0,
            "Current Number of Nodes Scheduled",
            &num(o, "/status/currentNumberScheduled").to_string(),
        );
        d.kv(
            0,
            "Number of Nodes Misscheduled",
            &num(o, "/status/numberMisscheduled").to_string(),
        );
        d.kv(0, "Pods Ready", &num(o, "/status/numberReady").to_string());
    } else {
        let desired = o
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        d.kv(
            0,
            "Replicas",
            &format!("{} current / {desired} desired", num(o, "/status/replicas")),
        );
        d.kv_some(
            0,
            "Ready Replicas",
            &scalar(o.pointer("/status/readyReplicas")),
        );
    }
    if text(o, "/kind") == "StatefulSet" {
        d.kv(0, "Update Strategy", text(o, "/spec/updateStrategy/type"));
        d.kv_some(0, "Service Name", text(o, "/spec/serviceName"));
    }
    pods_status(d, &r.pods);
    pod_template(d, o.pointer("/spec/template"));
    d.conditions(0, o);
}

/// `describe job`.
pub fn job(d: &mut Doc, o: &Value, r: &Related) {
    d.head(o);
    d.kv(0, "Selector", selector_of(o).as_deref().unwrap_or(""));
    d.controlled_by(o);
    d.kv(0, "Parallelism", &scalar(o.pointer("/spec/parallelism")));
    d.kv(0, "Completions", &scalar(o.pointer("/spec/completions")));
    d.kv(0, "Backoff Limit", &scalar(o.pointer("/spec/backoffLimit")));
    d.kv(0, "Start Time", text(o, "/status/startTime"));
    d.kv_some(0, "Completed At", text(o, "/status/completionTime"));
    d.kv_some(
        0,
        "Active Deadline Seconds",
        &scalar(o.pointer("/spec/activeDeadlineSeconds")),
    );
    d.kv(
        0,
        "Pods Statuses",
        &format!(
            "{} Active / {} Succeeded / {} Failed",
            num(o, "/status/active"),
            num(o, "/status/succeeded"),
            num(o, "/status/failed")
        ),
    );
    if !r.pods.is_empty() {
        let names: Vec<String> = r
            .pods
            .iter()
            .map(|p| {
                format!(
                    "{} ({})",
                    text(p, "/metadata/name"),
                    text(p, "/status/phase")
                )
            })
            .collect();
        d.list(0, "Pods", &names);
    }
    d.conditions(0, o);
    pod_template(d, o.pointer("/spec/template"));
}

/// `describe cronjob`.
pub fn cronjob(d: &mut Doc, o: &Value) {
    d.head(o);
    d.kv(0, "Schedule", text(o, "/spec/schedule"));
    d.kv(0, "Concurrency Policy", text(o, "/spec/concurrencyPolicy"));
    d.kv(0, "Suspend", &scalar(o.pointer("/spec/suspend")));
    d.kv(
        0,
        "Successful Job History Limit",
        &scalar(o.pointer("/spec/successfulJobsHistoryLimit")),
    );
    d.kv(
        0,
        "Failed Job History Limit",
        &scalar(o.pointer("/spec/failedJobsHistoryLimit")),
    );
    d.kv(0, "Last Schedule Time", text(o, "/status/lastScheduleTime"));
    d.kv_some(
        0,
        "Last Successful Time",
        text(o, "/status/lastSuccessfulTime"),
    );
    let active: Vec<String> = items(o, "/status/active")
        .map(|j| text(j, "/name").to_string())
        .collect();
    d.kv(0, "Active Jobs", &active.join(", "));
    pod_template(d, o.pointer("/spec/jobTemplate/spec/template"));
}

/// `describe hpa` (autoscaling v1, v2beta2 and v2 shapes).
pub fn hpa(d: &mut Doc, o: &Value) {
    d.head(o);
    let target = o.pointer("/spec/scaleTargetRef");
    d.kv(
        0,
        "Reference",
        &target
            .map(|t| format!("{}/{}", text(t, "/kind"), text(t, "/name")))
            .unwrap_or_default(),
    );
    let metrics: Vec<String> = items(o, "/spec/metrics")
        .map(|m| {
            let ty = text(m, "/type");
            let res = m
                .pointer("/resource/name")
                .and_then(Value::as_str)
                .unwrap_or(ty);
            let target = m
                .pointer("/resource/target/averageUtilization")
                .or_else(|| m.pointer("/resource/targetAverageUtilization"))
                .map(|v| format!("{}%", scalar(Some(v))))
                .unwrap_or_default();
            format!("{res} target {target}")
        })
        .collect();
    if metrics.is_empty() {
        if let Some(t) = o.pointer("/spec/targetCPUUtilizationPercentage") {
            d.kv(0, "Metrics", &format!("cpu target {}%", scalar(Some(t))));
        }
    } else {
        d.list(0, "Metrics", &metrics);
    }
    d.kv(0, "Min replicas", &scalar(o.pointer("/spec/minReplicas")));
    d.kv(0, "Max replicas", &scalar(o.pointer("/spec/maxReplicas")));
    d.kv(
        0,
        "Replicas",
        &format!(
            "{} current / {} desired",
            num(o, "/status/currentReplicas"),
            num(o, "/status/desiredReplicas")
        ),
    );
    d.conditions(0, o);
}
