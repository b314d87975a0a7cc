//! Workloads: Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, HPAs.

use serde_json::Value;

use crate::object::selector_of;
use crate::redact::Redacted;

use crate::timefmt::{describe_time, human_duration, parse_rfc3339};

use super::pod::{container, tolerations, volumes};
use super::{Doc, Related, bool_word, items, scalar, text};

/// kubectl's Pod Template: labels, annotations, containers (no runtime state), volumes,
/// node selectors and tolerations, indented under the workload.
fn pod_template(d: &mut Doc, tpl: Option<&Value>) {
    d.section(0, "Pod Template");
    let Some(t) = tpl else {
        d.line(1, "<unset>");
        return;
    };
    let mut inner = Doc {
        out: String::new(),
        now: d.now,
    };
    inner.map(0, "Labels", t.pointer("/metadata/labels"));
    if t.pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .is_some_and(|m| !m.is_empty())
    {
        inner.annotations(0, "Annotations", t.pointer("/metadata/annotations"));
    }
    inner.kv_some(0, "Service Account", text(t, "/spec/serviceAccountName"));
    if t.pointer("/spec/initContainers").is_some() {
        inner.section(0, "Init Containers");
        for c in items(t, "/spec/initContainers") {
            container(&mut inner, c, None, None);
        }
    }
    inner.section(0, "Containers");
    for c in items(t, "/spec/containers") {
        container(&mut inner, c, None, None);
    }
    volumes(&mut inner, t.pointer("/spec/volumes"));
    inner.kv_some(0, "Priority Class Name", text(t, "/spec/priorityClassName"));
    inner.map(0, "Node-Selectors", t.pointer("/spec/nodeSelector"));
    tolerations(&mut inner, t.pointer("/spec/tolerations"));
    for l in inner.out.lines() {
        d.line(1, l);
    }
}

/// `Pods Status: 1 Running / 2 Waiting / 0 Succeeded / 0 Failed` of the pods `o` controls.
fn pods_status(d: &mut Doc, o: &Value, pods: &[Redacted<Value>]) {
    let uid = text(o, "/metadata/uid");
    let count = |phase: &str| {
        pods.iter()
            .filter(|p| controller_uid(p) == Some(uid) && text(p, "/status/phase") == phase)
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

/// The uid of a pod's controller (kubectl counts only the pods the workload controls).
fn controller_uid(p: &Value) -> Option<&str> {
    items(p, "/metadata/ownerReferences")
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        .map(|o| text(o, "/uid"))
}

/// A number, or `<unset>` as kubectl prints a missing optional one.
fn or_unset(v: Option<&Value>, suffix: &str) -> String {
    match v {
        Some(x) if !x.is_null() => format!("{}{suffix}", scalar(Some(x))),
        _ => "<unset>".into(),
    }
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
    // kubectl's FindNewReplicaSet: the oldest ReplicaSet whose pod template is the
    // Deployment's (its pod-template-hash label aside); else the highest revision.
    let template = |rs: &Value| {
        let mut t = rs.pointer("/spec/template").cloned();
        if let Some(labels) = t
            .as_mut()
            .and_then(|t| t.pointer_mut("/metadata/labels"))
            .and_then(Value::as_object_mut)
        {
            labels.remove("pod-template-hash");
        }
        t
    };
    let mut by_age: Vec<&Redacted<Value>> = r.replica_sets.iter().collect();
    by_age.sort_by_key(|rs| {
        (
            text(rs, "/metadata/creationTimestamp"),
            text(rs, "/metadata/name"),
        )
    });
    let wanted = template(o);
    let newest = by_age
        .into_iter()
        .find(|rs| wanted.is_some() && template(rs) == wanted)
        .or_else(|| r.replica_sets.iter().max_by_key(|rs| rev(rs)));
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

/// `describe` of ReplicaSets and ReplicationControllers.
pub fn controller(d: &mut Doc, o: &Value, r: &Related) {
    d.head(o);
    d.kv(0, "Selector", selector_of(o).as_deref().unwrap_or(""));
    d.controlled_by(o);
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
    pods_status(d, o, &r.pods);
    pod_template(d, o.pointer("/spec/template"));
    d.conditions(0, o);
}

/// `describe daemonset`: the scheduled, up-to-date and available counts a stuck rollout
/// shows in.
pub fn daemonset(d: &mut Doc, o: &Value, r: &Related) {
    d.head(o);
    d.kv(0, "Selector", selector_of(o).as_deref().unwrap_or(""));
    let node_selector: Vec<String> = o
        .pointer("/spec/template/spec/nodeSelector")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", scalar(Some(v))))
        .collect();
    d.kv(0, "Node-Selector", &node_selector.join(","));
    for (label, field) in [
        (
            "Desired Number of Nodes Scheduled",
            "desiredNumberScheduled",
        ),
        (
            "Current Number of Nodes Scheduled",
            "currentNumberScheduled",
        ),
        (
            "Number of Nodes Scheduled with Up-to-date Pods",
            "updatedNumberScheduled",
        ),
        (
            "Number of Nodes Scheduled with Available Pods",
            "numberAvailable",
        ),
        ("Number of Nodes Misscheduled", "numberMisscheduled"),
    ] {
        d.line(
            0,
            &format!("{label}: {}", num(o, &format!("/status/{field}"))),
        );
    }
    d.kv(0, "Pods Ready", &num(o, "/status/numberReady").to_string());
    pods_status(d, o, &r.pods);
    d.kv(0, "Update Strategy", text(o, "/spec/updateStrategy/type"));
    pod_template(d, o.pointer("/spec/template"));
    d.conditions(0, o);
}

/// `describe statefulset`, with a warning when its governing Service is missing (its pods
/// then get no stable network identity).
pub fn statefulset(d: &mut Doc, o: &Value, r: &Related) {
    d.head(o);
    d.kv(0, "Selector", selector_of(o).as_deref().unwrap_or(""));
    let desired = o
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    d.kv(
        0,
        "Replicas",
        &format!("{desired} desired | {} total", num(o, "/status/replicas")),
    );
    d.kv_some(
        0,
        "Ready Replicas",
        &scalar(o.pointer("/status/readyReplicas")),
    );
    d.kv(0, "Update Strategy", text(o, "/spec/updateStrategy/type"));
    let ru = o.pointer("/spec/updateStrategy/rollingUpdate");
    if let Some(p) = ru.and_then(|ru| ru.get("partition")) {
        d.kv(1, "Partition", &scalar(Some(p)));
        d.kv_some(
            1,
            "MaxUnavailable",
            &scalar(ru.and_then(|ru| ru.get("maxUnavailable"))),
        );
    }
    let service = text(o, "/spec/serviceName");
    d.kv_some(0, "Service Name", service);
    if r.service_missing {
        d.kv(
            0,
            "Warning",
            &format!("its governing Service {service:?} does not exist in this namespace"),
        );
    }
    pods_status(d, o, &r.pods);
    pod_template(d, o.pointer("/spec/template"));
    let claims: Vec<&Value> = items(o, "/spec/volumeClaimTemplates").collect();
    if claims.is_empty() {
        d.kv(0, "Volume Claims", "<none>");
    } else {
        d.section(0, "Volume Claims");
        for c in claims {
            d.kv(1, "Name", text(c, "/metadata/name"));
            d.kv(1, "StorageClass", text(c, "/spec/storageClassName"));
            d.map(1, "Labels", c.pointer("/metadata/labels"));
            d.map(1, "Annotations", c.pointer("/metadata/annotations"));
            let cap = text(c, "/spec/resources/requests/storage");
            d.kv(
                1,
                "Capacity",
                if cap.is_empty() { "<default>" } else { cap },
            );
            let modes: Vec<String> = items(c, "/spec/accessModes")
                .map(|m| scalar(Some(m)))
                .collect();
            d.kv(1, "Access Modes", &format!("[{}]", modes.join(" ")));
        }
    }
    d.conditions(0, o);
}

/// `describe job`, with its pods and conditions (kubectl shows neither).
pub fn job(d: &mut Doc, o: &Value, r: &Related) {
    d.head(o);
    d.kv(0, "Selector", selector_of(o).as_deref().unwrap_or(""));
    d.controlled_by(o);
    d.kv_some(0, "Parallelism", &scalar(o.pointer("/spec/parallelism")));
    d.kv(
        0,
        "Completions",
        &or_unset(o.pointer("/spec/completions"), ""),
    );
    d.kv_some(0, "Completion Mode", text(o, "/spec/completionMode"));
    d.kv_some(0, "Suspend", &scalar(o.pointer("/spec/suspend")));
    d.kv_some(0, "Backoff Limit", &scalar(o.pointer("/spec/backoffLimit")));
    d.kv_some(
        0,
        "TTL Seconds After Finished",
        &scalar(o.pointer("/spec/ttlSecondsAfterFinished")),
    );
    let (start, done) = (
        text(o, "/status/startTime"),
        text(o, "/status/completionTime"),
    );
    if !start.is_empty() {
        d.kv(0, "Start Time", &describe_time(start));
    }
    if !done.is_empty() {
        d.kv(0, "Completed At", &describe_time(done));
    }
    if let (Some(s), Some(f)) = (parse_rfc3339(start), parse_rfc3339(done)) {
        d.kv(
            0,
            "Duration",
            &human_duration(f.duration_since(s).unwrap_or_default()),
        );
    }
    if let Some(a) = o.pointer("/spec/activeDeadlineSeconds") {
        d.kv(
            0,
            "Active Deadline Seconds",
            &format!("{}s", scalar(Some(a))),
        );
    }
    let ready = o
        .pointer("/status/ready")
        .and_then(Value::as_i64)
        .map(|n| format!(" ({n} Ready)"))
        .unwrap_or_default();
    d.kv(
        0,
        "Pods Statuses",
        &format!(
            "{} Active{ready} / {} Succeeded / {} Failed",
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
    pod_template(d, o.pointer("/spec/template"));
    d.conditions(0, o);
}

/// `describe cronjob`.
pub fn cronjob(d: &mut Doc, o: &Value) {
    d.head(o);
    d.kv(0, "Schedule", text(o, "/spec/schedule"));
    d.kv(0, "Concurrency Policy", text(o, "/spec/concurrencyPolicy"));
    let suspend = o.pointer("/spec/suspend");
    d.kv(
        0,
        "Suspend",
        if suspend.is_some() {
            bool_word(suspend)
        } else {
            "<unset>"
        },
    );
    d.kv(
        0,
        "Successful Job History Limit",
        &or_unset(o.pointer("/spec/successfulJobsHistoryLimit"), ""),
    );
    d.kv(
        0,
        "Failed Job History Limit",
        &or_unset(o.pointer("/spec/failedJobsHistoryLimit"), ""),
    );
    d.kv(
        0,
        "Starting Deadline Seconds",
        &or_unset(o.pointer("/spec/startingDeadlineSeconds"), "s"),
    );
    let job = o.pointer("/spec/jobTemplate/spec");
    let job_field = |k: &str| job.and_then(|j| j.get(k));
    let selector = job
        .filter(|j| j.get("selector").is_some())
        .and_then(|j| selector_of(&serde_json::json!({ "spec": j })))
        .unwrap_or_else(|| "<unset>".into());
    d.kv(0, "Selector", &selector);
    d.kv(0, "Parallelism", &or_unset(job_field("parallelism"), ""));
    d.kv(0, "Completions", &or_unset(job_field("completions"), ""));
    if let Some(a) = job_field("activeDeadlineSeconds") {
        d.kv(
            0,
            "Active Deadline Seconds",
            &format!("{}s", scalar(Some(a))),
        );
    }
    pod_template(d, o.pointer("/spec/jobTemplate/spec/template"));
    let last = text(o, "/status/lastScheduleTime");
    d.kv(
        0,
        "Last Schedule Time",
        &if last.is_empty() {
            "<unset>".to_string()
        } else {
            describe_time(last)
        },
    );
    let success = text(o, "/status/lastSuccessfulTime");
    if !success.is_empty() {
        d.kv(0, "Last Successful Time", &describe_time(success));
    }
    let active: Vec<String> = items(o, "/status/active")
        .map(|j| text(j, "/name").to_string())
        .collect();
    d.kv(0, "Active Jobs", &active.join(", "));
}

/// `describe hpa`: each metric's current value beside its target, as kubectl writes them
/// for autoscaling/v1 and v2 (v2beta1's field names read too), and the conditions (v1 keeps
/// them in an annotation).
pub fn hpa(d: &mut Doc, o: &Value) {
    d.head(o);
    let kind = text(o, "/spec/scaleTargetRef/kind");
    d.kv(
        0,
        "Reference",
        &format!("{kind}/{}", text(o, "/spec/scaleTargetRef/name")),
    );
    if o.pointer("/spec/metrics").is_some() {
        d.kv(0, "Metrics", "( current / target )");
        let current: Vec<&Value> = items(o, "/status/currentMetrics").collect();
        for (i, m) in items(o, "/spec/metrics").enumerate() {
            d.line(1, &hpa_metric(m, current.get(i).copied()));
        }
    } else if let Some(t) = o.pointer("/spec/targetCPUUtilizationPercentage") {
        d.kv(
            0,
            "Target CPU utilization",
            &format!("{}%", scalar(Some(t))),
        );
        let current = match o.pointer("/status/currentCPUUtilizationPercentage") {
            Some(c) => scalar(Some(c)),
            None => "<unknown>".into(),
        };
        d.kv(0, "Current CPU utilization", &format!("{current}%"));
    }
    d.kv(
        0,
        "Min replicas",
        &or_unset(o.pointer("/spec/minReplicas"), ""),
    );
    d.kv(0, "Max replicas", &scalar(o.pointer("/spec/maxReplicas")));
    d.kv(
        0,
        &format!("{kind} pods"),
        &format!(
            "{} current / {} desired",
            num(o, "/status/currentReplicas"),
            num(o, "/status/desiredReplicas")
        ),
    );
    // autoscaling/v1 carries the v2 conditions as JSON in an annotation.
    let annotated = o
        .pointer("/metadata/annotations/autoscaling.alpha.kubernetes.io~1conditions")
        .and_then(Value::as_str)
        .and_then(|s| serde_json::from_str::<Value>(s).ok());
    match annotated {
        Some(c) if o.pointer("/status/conditions").is_none() => {
            d.conditions(0, &serde_json::json!({"status": {"conditions": c}}))
        }
        _ => d.conditions(0, o),
    }
}

/// One line of kubectl's HPA Metrics: `resource cpu on pods  (as a percentage of request):
/// 41% (205m) / 70%`.
fn hpa_metric(m: &Value, current: Option<&Value>) -> String {
    let unknown = || "<unknown>".to_string();
    let cur = |pointer: &str| {
        current
            .and_then(|c| c.pointer(pointer))
            .map(|v| scalar(Some(v)))
            .filter(|s| !s.is_empty())
    };
    let target = |pointers: &[&str]| {
        pointers
            .iter()
            .find_map(|p| m.pointer(p))
            .map(|v| scalar(Some(v)))
    };
    match text(m, "/type") {
        "Resource" | "ContainerResource" => {
            let key = if text(m, "/type") == "Resource" {
                "resource"
            } else {
                "containerResource"
            };
            let name = text(m, &format!("/{key}/name"));
            let on = if key == "resource" {
                format!("resource {name} on pods")
            } else {
                format!(
                    "resource {name} of container \"{}\" on pods",
                    text(m, "/containerResource/container")
                )
            };
            if let Some(avg) = target(&[
                &format!("/{key}/target/averageValue"),
                &format!("/{key}/targetAverageValue"),
            ]) {
                let c = cur(&format!("/{key}/current/averageValue"))
                    .or_else(|| cur(&format!("/{key}/currentAverageValue")))
                    .unwrap_or_else(unknown);
                return format!("{on}:  {c} / {avg}");
            }
            let util = cur(&format!("/{key}/current/averageUtilization"))
                .or_else(|| cur(&format!("/{key}/currentAverageUtilization")));
            let value = cur(&format!("/{key}/current/averageValue"))
                .or_else(|| cur(&format!("/{key}/currentAverageValue")))
                .unwrap_or_default();
            let c = util.map_or_else(unknown, |u| format!("{u}% ({value})"));
            let t = target(&[
                &format!("/{key}/target/averageUtilization"),
                &format!("/{key}/targetAverageUtilization"),
            ])
            .map_or_else(|| "<auto>".to_string(), |t| format!("{t}%"));
            format!("{on}  (as a percentage of request):  {c} / {t}")
        }
        "Pods" => {
            let name = target(&["/pods/metric/name", "/pods/metricName"]).unwrap_or_default();
            let c = cur("/pods/current/averageValue")
                .or_else(|| cur("/pods/currentAverageValue"))
                .unwrap_or_else(unknown);
            let t = target(&["/pods/target/averageValue", "/pods/targetAverageValue"])
                .unwrap_or_default();
            format!("\"{name}\" on pods:  {c} / {t}")
        }
        "Object" => {
            let name = target(&["/object/metric/name", "/object/metricName"]).unwrap_or_default();
            let obj = m
                .pointer("/object/describedObject")
                .or_else(|| m.pointer("/object/target"))
                .map(|o| format!("{}/{}", text(o, "/kind"), text(o, "/name")))
                .unwrap_or_default();
            if let Some(avg) = target(&["/object/target/averageValue", "/object/averageValue"]) {
                let c = cur("/object/current/averageValue").unwrap_or_else(unknown);
                format!("\"{name}\" on {obj} (target average value):  {c} / {avg}")
            } else {
                let t =
                    target(&["/object/target/value", "/object/targetValue"]).unwrap_or_default();
                let c = cur("/object/current/value")
                    .or_else(|| cur("/object/currentValue"))
                    .unwrap_or_else(unknown);
                format!("\"{name}\" on {obj} (target value):  {c} / {t}")
            }
        }
        "External" => {
            let name =
                target(&["/external/metric/name", "/external/metricName"]).unwrap_or_default();
            if let Some(avg) = target(&[
                "/external/target/averageValue",
                "/external/targetAverageValue",
            ]) {
                let c = cur("/external/current/averageValue")
                    .or_else(|| cur("/external/currentAverageValue"))
                    .unwrap_or_else(unknown);
                format!("\"{name}\" (target average value):  {c} / {avg}")
            } else {
                let t = target(&["/external/target/value", "/external/targetValue"])
                    .unwrap_or_default();
                let c = cur("/external/current/value")
                    .or_else(|| cur("/external/currentValue"))
                    .unwrap_or_else(unknown);
                format!("\"{name}\" (target value):  {c} / {t}")
            }
        }
        other => format!("<unknown metric type {other:?}>"),
    }
}
