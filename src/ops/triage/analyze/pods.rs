//! Nodes and pods: a node not Ready, under pressure or cordoned; a pod's one problem
//! (crash, config error, unschedulable — with requests no node can hold said as such —,
//! evicted, not ready), grouped under its owner; and the relations a pod states (its node,
//! its claims, the ConfigMap or Secret its config error names) kept for the chains.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::Value;

use super::{Crash, LabelSet, MAX_LABEL_SETS, Severity, Triage, link_subject, quote};
use crate::json::{items, text};
use crate::object::{declared_ports, owner_subject};
use crate::quantity;
use crate::timefmt;

/// The subject standalone pods (no controller) are grouped under.
pub(super) const STANDALONE: &str = "pods";

impl Triage {
    /// A node: not Ready, under pressure, or cordoned. Its allocatable CPU and memory are
    /// kept (the largest of each) to judge requests no node can hold.
    pub fn node(&mut self, n: &Value, now: SystemTime) {
        let name = text(n, "/metadata/name");
        self.nodes.0 += 1;
        let alloc = |k: &str, parse: fn(&str) -> Option<i64>| {
            n.pointer(&format!("/status/allocatable/{k}"))
                .and_then(Value::as_str)
                .and_then(parse)
                .unwrap_or(0)
        };
        let (cpu, mem) = (
            alloc("cpu", quantity::parse_cpu_millis),
            alloc("memory", quantity::parse_bytes),
        );
        self.largest = (self.largest.0.max(cpu), self.largest.1.max(mem));
        let mut problems = Vec::new();
        let mut ready = false;
        for c in items(n, "/status/conditions") {
            let (ty, status) = (text(c, "/type"), text(c, "/status"));
            if ty == "Ready" {
                ready = status == "True";
                if !ready {
                    let since =
                        timefmt::age(c.get("lastTransitionTime").and_then(Value::as_str), now);
                    // Not Ready leads the line, whatever order the conditions come in.
                    problems.insert(
                        0,
                        format!(
                            "NotReady for {since} ({}: {})",
                            text(c, "/reason"),
                            quote(text(c, "/message"))
                        ),
                    );
                }
            } else if status == "True" && ty.ends_with("Pressure") {
                problems.push(ty.to_string());
            }
        }
        if n.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
            problems.push("cordoned".into());
        }
        if ready {
            self.nodes.1 += 1;
        } else {
            self.not_ready_nodes.insert(name.to_string());
        }
        if !problems.is_empty() {
            let next = format!("describe node {name}");
            self.add(
                Severity::Node,
                "",
                &format!("node/{name}"),
                problems.join(", "),
                name,
                next,
            );
        }
    }

    /// A pod: healthy (counted) or one problem, grouped by owner and kind of problem.
    pub fn pod(&mut self, p: &Value) {
        let (ns, name) = (text(p, "/metadata/namespace"), text(p, "/metadata/name"));
        self.pods += 1;
        self.saw(ns);
        let subject = owner_or_standalone(p);
        let claims: Vec<&str> = items(p, "/spec/volumes")
            .map(|v| text(v, "/persistentVolumeClaim/claimName"))
            .filter(|c| !c.is_empty())
            .collect();
        for c in &claims {
            self.claims.used(ns, c);
        }
        let Some(problem) = pod_problem(p, ns, name, &subject, self.largest) else {
            *self.healthy.entry(ns.to_string()).or_default() += 1;
            self.remember_labels(ns, p, &subject, true);
            return;
        };
        self.remember_labels(ns, p, &subject, false);
        let here = (ns.to_string(), link_subject(&subject, &problem.what));
        // The relations this pod states, for the chains: its claims, its node (when the
        // node evicted it or is not Ready), the ConfigMap or Secret its config error names.
        for c in claims {
            self.links
                .add((ns.to_string(), format!("pvc/{c}")), here.clone());
        }
        let node = text(p, "/spec/nodeName");
        if !node.is_empty()
            && (text(p, "/status/reason") == "Evicted" || self.not_ready_nodes.contains(node))
        {
            self.links
                .add((String::new(), format!("node/{node}")), here.clone());
        }
        if let Some((object, what)) = problem.config.as_ref() {
            let name = object.split('/').nth(1).unwrap_or_default();
            let next = match object.starts_with("secret/") {
                true => format!("get secret {name} -n {ns}"),
                false => format!("describe configmap {name} -n {ns}"),
            };
            self.add(Severity::Config, ns, object, what.clone(), name, next);
            self.links
                .add((ns.to_string(), object.clone()), here.clone());
        }
        if let Some(container) = problem.crash {
            self.crashes.entry(here).or_insert(Crash {
                pod: name.to_string(),
                container,
                last_line: None,
            });
        }
        self.add(
            problem.severity,
            ns,
            &subject,
            problem.what,
            name,
            problem.next,
        );
    }

    fn remember_labels(&mut self, ns: &str, p: &Value, subject: &str, ready: bool) {
        let labels: BTreeMap<String, String> = p
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(k, _)| {
                k.as_str() != "pod-template-hash" && k.as_str() != "controller-revision-hash"
            })
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        let sets = self.labels.entry(ns.to_string()).or_default();
        if sets.len() >= MAX_LABEL_SETS && !sets.contains_key(&labels) {
            return;
        }
        let set = sets.entry(labels).or_insert_with(|| LabelSet {
            owner: subject.to_string(),
            ..LabelSet::default()
        });
        if ready {
            set.ready += 1;
        }
        for port in declared_ports(p) {
            // Pods alike declare the same ports: a few distinct ones are enough to judge.
            if set.ports.len() < 16 && !set.ports.contains(&port) {
                set.ports.push(port);
            }
        }
    }
}

/// One pod's problem.
pub(super) struct Problem {
    severity: Severity,
    what: String,
    next: String,
    /// The crash-looping container, whose previous log holds the next step.
    crash: Option<String>,
    /// The ConfigMap or Secret a config error names (`cm/x`) and what is wrong with it.
    config: Option<(String, String)>,
}

impl Problem {
    fn new(severity: Severity, what: String, next: String) -> Problem {
        Problem {
            severity,
            what,
            next,
            crash: None,
            config: None,
        }
    }
}

/// The problem of one pod, if any. `largest`: the largest allocatable CPU (millicores) and
/// memory (bytes) of any node, zero when no node was read.
pub(super) fn pod_problem(
    p: &Value,
    ns: &str,
    name: &str,
    subject: &str,
    largest: (i64, i64),
) -> Option<Problem> {
    let describe = format!("describe pod {name} -n {ns}");
    let phase = text(p, "/status/phase");
    let init = items(p, "/status/initContainerStatuses").map(|c| (c, true));
    let statuses: Vec<(&Value, bool)> = init
        .chain(items(p, "/status/containerStatuses").map(|c| (c, false)))
        .collect();
    let logs_target = if subject.starts_with("deploy/")
        || subject.starts_with("sts/")
        || subject.starts_with("ds/")
    {
        subject.to_string()
    } else {
        name.to_string()
    };
    for &(c, is_init) in &statuses {
        let cname = text(c, "/name");
        let shown = match is_init {
            true => format!("init container {cname}"),
            false => format!("container {cname}"),
        };
        let waiting = text(c, "/state/waiting/reason");
        let last = c.pointer("/lastState/terminated");
        let restarts = c.get("restartCount").and_then(Value::as_i64).unwrap_or(0);
        let last_exit = last.map(|t| {
            format!(
                "last exit {} ({})",
                t.get("exitCode").and_then(Value::as_i64).unwrap_or(0),
                text(t, "/reason")
            )
        });
        match waiting {
            "CrashLoopBackOff" => {
                let exit = last_exit.unwrap_or_else(|| "no last exit recorded".into());
                let mut problem = Problem::new(
                    Severity::Crash,
                    format!("CrashLoopBackOff, {shown} {exit}, {restarts} restarts"),
                    format!("logs {logs_target} -n {ns} -c {cname} --previous"),
                );
                problem.crash = Some(cname.to_string());
                return Some(problem);
            }
            "ImagePullBackOff"
            | "ErrImagePull"
            | "InvalidImageName"
            | "CreateContainerConfigError"
            | "CreateContainerError"
            | "RunContainerError" => {
                let raw = text(c, "/state/waiting/message");
                let mut problem = Problem::new(
                    Severity::Crash,
                    format!("{waiting}, {shown}: {}", quote(raw)),
                    describe,
                );
                if waiting == "CreateContainerConfigError" {
                    problem.config = missing_config(raw);
                }
                return Some(problem);
            }
            _ => {}
        }
        if last.is_some_and(|t| text(t, "/reason") == "OOMKilled") {
            let exit = last_exit.unwrap_or_default();
            return Some(Problem::new(
                Severity::Crash,
                format!("OOMKilled, {shown} {exit}, {restarts} restarts"),
                describe,
            ));
        }
    }
    match phase {
        "Pending" => {
            // Only a pod not yet placed can be too large for every node.
            let unplaced = text(p, "/spec/nodeName").is_empty();
            let what = unplaced
                .then(|| too_large(p, largest))
                .flatten()
                .unwrap_or_else(|| pending_what(p));
            Some(Problem::new(Severity::Unscheduled, what, describe))
        }
        "Failed" => Some(Problem::new(
            Severity::Crash,
            format!(
                "Failed: {}: {}",
                text(p, "/status/reason"),
                quote(text(p, "/status/message"))
            ),
            describe,
        )),
        "Running"
            if statuses
                .iter()
                .any(|(c, _)| c.get("ready") == Some(&Value::Bool(false))) =>
        {
            Some(Problem::new(
                Severity::NotReady,
                "running but not ready".into(),
                describe,
            ))
        }
        "Running" | "Succeeded" => {
            let (restarting, _) = statuses.iter().find(|(c, _)| {
                c.get("restartCount").and_then(Value::as_i64).unwrap_or(0) > 0
                    && c.pointer("/lastState/terminated").is_some()
            })?;
            let t = restarting.pointer("/lastState/terminated")?;
            Some(Problem::new(
                Severity::NotReady,
                format!(
                    "restarting, container {} last exit {} ({})",
                    text(restarting, "/name"),
                    t.get("exitCode").and_then(Value::as_i64).unwrap_or(0),
                    text(t, "/reason")
                ),
                format!("logs {logs_target} -n {ns} --previous"),
            ))
        }
        _ => Some(Problem::new(
            Severity::Unscheduled,
            format!("phase {phase:?}"),
            describe,
        )),
    }
}

/// The ConfigMap or Secret a kubelet config error names, and what is wrong with it:
/// `configmap "x" not found`, `couldn't find key k in ConfigMap ns/x` (and the same for
/// Secrets) — the kubelet's own wording, the only place the API states which object.
pub(super) fn missing_config(message: &str) -> Option<(String, String)> {
    for (kind, short) in [("configmap", "configmap"), ("secret", "secret")] {
        if let Some(rest) = message.strip_prefix(&format!("{kind} \"")) {
            let name = rest.split('"').next()?;
            return rest
                .contains("not found")
                .then(|| (format!("{short}/{name}"), "does not exist".to_string()));
        }
    }
    let rest = message.split("couldn't find key ").nth(1)?;
    let (key, rest) = rest.split_once(" in ")?;
    let (kind, object) = rest.split_once(' ')?;
    let name = object.split_whitespace().next()?.rsplit('/').next()?;
    let short = match kind {
        "ConfigMap" => "configmap",
        "Secret" => "secret",
        _ => return None,
    };
    Some((format!("{short}/{name}"), format!("has no key {key}")))
}

/// A pending pod whose requests (the sum of its containers', or its largest init
/// container's) exceed what the largest node can allocate: no capacity added to the
/// existing nodes' size helps, so it is said instead of the scheduler's "Insufficient cpu".
fn too_large(p: &Value, largest: (i64, i64)) -> Option<String> {
    if largest == (0, 0) {
        return None;
    }
    let sum = |path: &str, k: &str, parse: fn(&str) -> Option<i64>| -> i64 {
        items(p, path)
            .filter_map(|c| {
                c.pointer(&format!("/resources/requests/{k}"))
                    .and_then(Value::as_str)
                    .and_then(parse)
            })
            .sum()
    };
    let most = |k: &str, parse: fn(&str) -> Option<i64>| -> i64 {
        items(p, "/spec/initContainers")
            .filter_map(|c| {
                c.pointer(&format!("/resources/requests/{k}"))
                    .and_then(Value::as_str)
                    .and_then(parse)
            })
            .max()
            .unwrap_or(0)
    };
    let cpu = sum("/spec/containers", "cpu", quantity::parse_cpu_millis)
        .max(most("cpu", quantity::parse_cpu_millis));
    let mem = sum("/spec/containers", "memory", quantity::parse_bytes)
        .max(most("memory", quantity::parse_bytes));
    let over_cpu = largest.0 > 0 && cpu > largest.0;
    let over_mem = largest.1 > 0 && mem > largest.1;
    if !over_cpu && !over_mem {
        return None;
    }
    let mut over = Vec::new();
    if over_cpu {
        over.push(format!("cpu {}", millis(cpu)));
    }
    if over_mem {
        over.push(format!("memory {}", bytes(mem)));
    }
    Some(format!(
        "Pending: requests {} — more than any node can allocate (largest: cpu {}, memory {})",
        over.join(", "),
        millis(largest.0),
        bytes(largest.1)
    ))
}

/// CPU as kubectl shows it: whole cores plainly, else millicores.
fn millis(m: i64) -> String {
    match m % 1000 {
        0 => (m / 1000).to_string(),
        _ => format!("{m}m"),
    }
}

/// Bytes in binary units with one decimal (`6.8Gi`).
fn bytes(b: i64) -> String {
    let b = b as f64;
    for (unit, size) in [
        ("Ti", 1u64 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ] {
        let size = size as f64;
        if b >= size {
            let v = b / size;
            return match v.fract() < 0.05 {
                true => format!("{v:.0}{unit}"),
                false => format!("{v:.1}{unit}"),
            };
        }
    }
    format!("{b}")
}

/// Why a pod is Pending, as far as its own status says.
fn pending_what(p: &Value) -> String {
    let scheduled = items(p, "/status/conditions").find(|c| text(c, "/type") == "PodScheduled");
    match scheduled {
        Some(c) if text(c, "/status") == "False" => {
            let msg = text(c, "/message");
            if msg.is_empty() {
                "Pending, unschedulable".into()
            } else {
                format!("Pending, unschedulable ({})", quote(msg))
            }
        }
        _ => match text(p, "/spec/nodeName") {
            "" => "Pending, not scheduled yet".into(),
            node if items(p, "/status/containerStatuses").next().is_none() => {
                format!("Pending on {node} with no container status")
            }
            node => format!("Pending on {node}"),
        },
    }
}

fn owner_or_standalone(p: &Value) -> String {
    owner_subject(p).unwrap_or_else(|| STANDALONE.to_string())
}
