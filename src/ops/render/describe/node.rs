//! Nodes: conditions with their transition times, the Lease, system info, and the pods on
//! the node with what they request against what it can allocate.

use serde_json::Value;

use crate::quantity;
use crate::redact::Redacted;
use crate::timefmt;

use super::{Doc, Related, items, message, scalar, text};

/// `describe node`, with its Lease, the pods on it and what they request.
pub fn node(d: &mut Doc, o: &Value, r: &Related) {
    d.kv(0, "Name", text(o, "/metadata/name"));
    d.kv(0, "Roles", &roles(o).join(","));
    d.map(0, "Labels", o.pointer("/metadata/labels"));
    d.annotations(0, "Annotations", o.pointer("/metadata/annotations"));
    d.kv(
        0,
        "CreationTimestamp",
        &d.age_and_time(text(o, "/metadata/creationTimestamp")),
    );
    d.list(0, "Taints", &taints(o));
    let unschedulable = o.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true);
    d.kv(0, "Unschedulable", &unschedulable.to_string());
    lease(d, r.lease.as_ref());
    conditions(d, o);
    d.section(0, "Addresses");
    for a in items(o, "/status/addresses") {
        d.kv(1, text(a, "/type"), text(a, "/address"));
    }
    for (key, label) in [("capacity", "Capacity"), ("allocatable", "Allocatable")] {
        let Some(m) = o
            .pointer(&format!("/status/{key}"))
            .and_then(Value::as_object)
            .filter(|m| !m.is_empty())
        else {
            continue;
        };
        d.section(0, label);
        for (k, v) in m {
            d.kv(1, k, &scalar(Some(v)));
        }
    }
    d.section(0, "System Info");
    for (k, label) in [
        ("machineID", "Machine ID"),
        ("systemUUID", "System UUID"),
        ("bootID", "Boot ID"),
        ("kernelVersion", "Kernel Version"),
        ("osImage", "OS Image"),
        ("operatingSystem", "Operating System"),
        ("architecture", "Architecture"),
        ("containerRuntimeVersion", "Container Runtime Version"),
        ("kubeletVersion", "Kubelet Version"),
        ("kubeProxyVersion", "Kube-Proxy Version"),
    ] {
        let v = text(o, &format!("/status/nodeInfo/{k}"));
        d.kv(1, label, if v.is_empty() { " " } else { v });
    }
    d.kv_some(0, "PodCIDR", text(o, "/spec/podCIDR"));
    let cidrs: Vec<String> = items(o, "/spec/podCIDRs")
        .map(|c| scalar(Some(c)))
        .collect();
    d.kv_some(0, "PodCIDRs", &cidrs.join(","));
    d.kv_some(0, "ProviderID", text(o, "/spec/providerID"));
    if r.node_pods_unreadable {
        d.kv(0, "Pods", "not readable (the pods list was refused)");
    } else {
        pods(d, o, r);
    }
}

/// Roles from `node-role.kubernetes.io/<role>` and `kubernetes.io/role` labels, sorted.
fn roles(o: &Value) -> Vec<String> {
    let mut roles: Vec<String> = o
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| match k.strip_prefix("node-role.kubernetes.io/") {
            Some(role) if !role.is_empty() => Some(role.to_string()),
            _ if k == "kubernetes.io/role" => {
                v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
            }
            _ => None,
        })
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// Taints sorted by effect then key, as kubectl writes them (`key=value:Effect`).
fn taints(o: &Value) -> Vec<String> {
    let mut list: Vec<&Value> = items(o, "/spec/taints").collect();
    list.sort_by_key(|t| format!("{},{}", text(t, "/effect"), text(t, "/key")));
    list.into_iter()
        .map(|t| {
            let v = text(t, "/value");
            let v = if v.is_empty() {
                String::new()
            } else {
                format!("={v}")
            };
            format!("{}{v}:{}", text(t, "/key"), text(t, "/effect"))
        })
        .collect()
}

/// The node's Lease in kube-node-lease: who renews it and when it last did.
fn lease(d: &mut Doc, lease: Option<&Result<Redacted<Value>, Redacted<String>>>) {
    match lease {
        None => {}
        Some(Err(why)) => d.kv(0, "Lease", &format!("Failed to get lease: {}", why.value())),
        Some(Ok(l)) => {
            d.section(0, "Lease");
            let field = |p: &str, time: bool| match text(l, p) {
                "" => "<unset>".to_string(),
                v if time => timefmt::describe_time(v),
                v => v.to_string(),
            };
            d.kv(1, "HolderIdentity", &field("/spec/holderIdentity", false));
            d.kv(1, "AcquireTime", &field("/spec/acquireTime", true));
            d.kv(1, "RenewTime", &field("/spec/renewTime", true));
        }
    }
}

/// Conditions with both heartbeat and transition times: when a node went NotReady.
fn conditions(d: &mut Doc, o: &Value) {
    let time = |c: &Value, k: &str| timefmt::describe_time(text(c, k));
    let mut rows = vec![vec![
        "----".to_string(),
        "------".into(),
        "-----------------".into(),
        "------------------".into(),
        "------".into(),
        "-------".into(),
    ]];
    rows.extend(items(o, "/status/conditions").map(|c| {
        vec![
            text(c, "/type").to_string(),
            text(c, "/status").to_string(),
            time(c, "/lastHeartbeatTime"),
            time(c, "/lastTransitionTime"),
            text(c, "/reason").to_string(),
            message(text(c, "/message")).into_owned(),
        ]
    }));
    if rows.len() == 1 {
        return;
    }
    d.section(0, "Conditions");
    d.table(
        1,
        &[
            "Type",
            "Status",
            "LastHeartbeatTime",
            "LastTransitionTime",
            "Reason",
            "Message",
        ],
        &rows,
    );
}

/// Rows of a node's Non-terminated Pods table shown before a count takes over.
pub const NODE_POD_ROWS: usize = 20;

/// What pods request and limit (cpu in millicores, memory and ephemeral storage in bytes),
/// summed as kubectl sums them for a node (containers only: related pods are kept slim).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PodTotals {
    /// How many pods were added.
    pub pods: usize,
    /// cpu requests and limits (millicores).
    pub cpu: (i64, i64),
    /// memory requests and limits (bytes).
    pub memory: (i64, i64),
    /// ephemeral-storage requests and limits (bytes).
    pub ephemeral: (i64, i64),
    /// Whether some quantity was written in binary units (then shown as `Mi`, `Gi`).
    pub binary: bool,
}

impl PodTotals {
    /// The totals of one pod.
    pub fn of(p: &Value) -> PodTotals {
        let sum = |kind: &str, res: &str| -> i64 {
            items(p, "/spec/containers")
                .filter_map(|c| {
                    c.pointer(&format!("/resources/{kind}/{res}"))
                        .and_then(Value::as_str)
                })
                .filter_map(|q| {
                    if res == "cpu" {
                        quantity::parse_cpu_millis(q)
                    } else {
                        quantity::parse_bytes(q)
                    }
                })
                // Quantities up to 8E each are valid: a sum saturates rather than overflows.
                .fold(0i64, i64::saturating_add)
        };
        let binary = items(p, "/spec/containers").any(|c| {
            ["requests", "limits"].iter().any(|k| {
                ["memory", "ephemeral-storage"]
                    .iter()
                    .any(|r| text(c, &format!("/resources/{k}/{r}")).ends_with('i'))
            })
        });
        PodTotals {
            pods: 1,
            cpu: (sum("requests", "cpu"), sum("limits", "cpu")),
            memory: (sum("requests", "memory"), sum("limits", "memory")),
            ephemeral: (
                sum("requests", "ephemeral-storage"),
                sum("limits", "ephemeral-storage"),
            ),
            binary,
        }
    }

    /// Add another pod's (or set's) totals.
    pub fn add(&mut self, o: PodTotals) {
        let add = |a: (i64, i64), b: (i64, i64)| (a.0.saturating_add(b.0), a.1.saturating_add(b.1));
        self.pods += o.pods;
        self.cpu = add(self.cpu, o.cpu);
        self.memory = add(self.memory, o.memory);
        self.ephemeral = add(self.ephemeral, o.ephemeral);
        self.binary |= o.binary;
    }
}

/// Millicores as a Kubernetes quantity (`250m`, `2`).
fn cpu_quantity(m: i64) -> String {
    if m % 1000 == 0 {
        (m / 1000).to_string()
    } else {
        format!("{m}m")
    }
}

/// Bytes as a Kubernetes quantity in the largest exact unit (`16Gi`, `500M`, `0`).
fn byte_quantity(b: i64, binary: bool) -> String {
    if b == 0 {
        return "0".into();
    }
    let (base, units): (i64, &[&str]) = if binary && b % 1024 == 0 {
        (1024, &["Ki", "Mi", "Gi", "Ti", "Pi"])
    } else {
        (1000, &["k", "M", "G", "T", "P"])
    };
    let (mut n, mut unit) = (b, "");
    for u in units {
        if n % base != 0 {
            break;
        }
        n /= base;
        unit = u;
    }
    format!("{n}{unit}")
}

/// `used (pct%)` of `total`, the percentage truncated as kubectl's is.
fn with_pct(used: String, part: i64, total: i64) -> String {
    let pct = if total > 0 {
        (part as f64 / total as f64 * 100.0) as i64
    } else {
        0
    };
    format!("{used} ({pct}%)")
}

/// One row of requests and limits with their share of what the node can allocate.
fn resource_row(name: &str, t: &PodTotals, alloc: (i64, i64, i64)) -> [String; 5] {
    let (ac, am, _) = alloc;
    [
        name.to_string(),
        with_pct(cpu_quantity(t.cpu.0), t.cpu.0, ac),
        with_pct(cpu_quantity(t.cpu.1), t.cpu.1, ac),
        with_pct(byte_quantity(t.memory.0, t.binary), t.memory.0, am),
        with_pct(byte_quantity(t.memory.1, t.binary), t.memory.1, am),
    ]
}

/// The Non-terminated Pods table (a few rows, the total counted past them) and the
/// Allocated resources summary.
fn pods(d: &mut Doc, node: &Value, r: &Related) {
    let (pods, totals) = (&r.node_pods, r.node_totals.as_ref());
    let alloc = |res: &str| {
        let a = text(node, &format!("/status/allocatable/{res}"));
        let q = if a.is_empty() {
            text(node, &format!("/status/capacity/{res}"))
        } else {
            a
        };
        if res == "cpu" {
            quantity::parse_cpu_millis(q)
        } else {
            quantity::parse_bytes(q)
        }
        .unwrap_or(0)
    };
    let allocatable = (alloc("cpu"), alloc("memory"), alloc("ephemeral-storage"));
    let computed = pods.iter().fold(PodTotals::default(), |mut t, p| {
        t.add(PodTotals::of(p));
        t
    });
    let total = totals.copied().unwrap_or(computed);
    let scoped = if r.node_pods_scoped {
        ", in the namespaces kubeglass may read"
    } else {
        ""
    };
    d.kv(
        0,
        "Non-terminated Pods",
        &format!("({} in total{scoped})", total.pods),
    );
    // The longest section of a node goes first when room is short: a few rows, then a
    // count and the command that lists them all; Allocated resources and Events stay.
    let mut rows = vec![
        [
            "---------",
            "----",
            "------------",
            "----------",
            "---------------",
            "-------------",
            "---",
        ]
        .map(String::from)
        .to_vec(),
    ];
    rows.extend(pods.iter().take(NODE_POD_ROWS).map(|p| {
        let [_, cr, cl, mr, ml] = resource_row("", &PodTotals::of(p), allocatable);
        let age = timefmt::age(
            p.pointer("/metadata/creationTimestamp")
                .and_then(Value::as_str),
            d.now,
        );
        vec![
            text(p, "/metadata/namespace").to_string(),
            text(p, "/metadata/name").to_string(),
            cr,
            cl,
            mr,
            ml,
            age,
        ]
    }));
    d.table(
        1,
        &[
            "Namespace",
            "Name",
            "CPU Requests",
            "CPU Limits",
            "Memory Requests",
            "Memory Limits",
            "Age",
        ],
        &rows,
    );
    let shown = NODE_POD_ROWS.min(pods.len());
    if total.pods > shown {
        let name = text(node, "/metadata/name");
        d.line(
            1,
            &format!(
                "… {} more pods (get pods -A --field-selector spec.nodeName={name})",
                total.pods - shown
            ),
        );
    }
    d.section(0, "Allocated resources");
    d.line(
        1,
        "(Total limits may be over 100 percent, i.e., overcommitted.)",
    );
    let [_, cr, cl, mr, ml] = resource_row("", &total, allocatable);
    let ae = allocatable.2;
    let eph = |b: i64| with_pct(byte_quantity(b, total.binary), b, ae);
    d.table(
        1,
        &["Resource", "Requests", "Limits"],
        &[
            vec!["--------".into(), "--------".into(), "------".into()],
            vec!["cpu".into(), cr, cl],
            vec!["memory".into(), mr, ml],
            vec![
                "ephemeral-storage".into(),
                eph(total.ephemeral.0),
                eph(total.ephemeral.1),
            ],
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_like_kubectl() {
        assert_eq!(cpu_quantity(4000), "4");
        assert_eq!(cpu_quantity(250), "250m");
        assert_eq!(cpu_quantity(0), "0");
        assert_eq!(byte_quantity(16 * 1024 * 1024 * 1024, true), "16Gi");
        assert_eq!(byte_quantity(500_000_000, false), "500M");
        assert_eq!(byte_quantity(0, true), "0");
        assert_eq!(with_pct("4".into(), 4000, 1930), "4 (207%)");
        assert_eq!(with_pct("0".into(), 0, 0), "0 (0%)");
    }
}
