//! Services, nodes, namespaces, config, storage and ingress.

use serde_json::Value;

use crate::object::selector_of;
use crate::quantity;
use crate::redact::Redacted;
use crate::timefmt;

use super::{Doc, Related, clip, items, scalar, text};

/// `describe service`, with its endpoints.
pub fn service(d: &mut Doc, o: &Value, r: &Related) {
    d.head(o);
    d.kv(0, "Selector", selector_of(o).as_deref().unwrap_or(""));
    d.kv(
        0,
        "Type",
        if text(o, "/spec/type").is_empty() {
            "ClusterIP"
        } else {
            text(o, "/spec/type")
        },
    );
    d.kv(0, "IP", text(o, "/spec/clusterIP"));
    d.kv_some(0, "External Name", text(o, "/spec/externalName"));
    let lb: Vec<String> = items(o, "/status/loadBalancer/ingress")
        .map(|i| format!("{}{}", text(i, "/ip"), text(i, "/hostname")))
        .collect();
    if !lb.is_empty() {
        d.kv(0, "LoadBalancer Ingress", &lb.join(", "));
    }
    let addresses: Vec<String> = r
        .endpoints
        .iter()
        .flat_map(|ep| items(ep, "/subsets"))
        .flat_map(|s| {
            let ports: Vec<String> = items(s, "/ports").map(|p| scalar(p.get("port"))).collect();
            items(s, "/addresses")
                .map(move |a| {
                    format!(
                        "{}:{}",
                        text(a, "/ip"),
                        ports.first().cloned().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for p in items(o, "/spec/ports") {
        let name = if text(p, "/name").is_empty() {
            "<unset>"
        } else {
            text(p, "/name")
        };
        let proto = if text(p, "/protocol").is_empty() {
            "TCP"
        } else {
            text(p, "/protocol")
        };
        d.kv(
            0,
            "Port",
            &format!("{name}  {}/{proto}", scalar(p.get("port"))),
        );
        d.kv(
            0,
            "TargetPort",
            &format!("{}/{proto}", scalar(p.get("targetPort"))),
        );
        d.kv_some(0, "NodePort", &scalar(p.get("nodePort")));
    }
    let ready = if addresses.is_empty() {
        "<none>".to_string()
    } else {
        addresses.join(",")
    };
    d.kv(0, "Endpoints", &ready);
    d.kv(0, "Session Affinity", text(o, "/spec/sessionAffinity"));
}

/// `describe node`, with the pods on it and what they request.
pub fn node(d: &mut Doc, o: &Value, r: &Related) {
    d.kv(0, "Name", text(o, "/metadata/name"));
    let roles: Vec<&str> = o
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
        .collect();
    d.kv(0, "Roles", &roles.join(","));
    d.map(0, "Labels", o.pointer("/metadata/labels"));
    d.map(0, "Annotations", o.pointer("/metadata/annotations"));
    d.kv(
        0,
        "CreationTimestamp",
        text(o, "/metadata/creationTimestamp"),
    );
    let taints: Vec<String> = items(o, "/spec/taints")
        .map(|t| {
            let v = text(t, "/value");
            let v = if v.is_empty() {
                String::new()
            } else {
                format!("={v}")
            };
            format!("{}{v}:{}", text(t, "/key"), text(t, "/effect"))
        })
        .collect();
    d.list(0, "Taints", &taints);
    let unschedulable = scalar(o.pointer("/spec/unschedulable"));
    d.kv(
        0,
        "Unschedulable",
        if unschedulable.is_empty() {
            "false"
        } else {
            &unschedulable
        },
    );
    let rows: Vec<Vec<String>> = items(o, "/status/conditions")
        .map(|c| {
            vec![
                text(c, "/type").to_string(),
                text(c, "/status").to_string(),
                text(c, "/lastHeartbeatTime").to_string(),
                text(c, "/reason").to_string(),
                clip(text(c, "/message"), 120),
            ]
        })
        .collect();
    d.section(0, "Conditions");
    d.table(
        1,
        &["Type", "Status", "LastHeartbeatTime", "Reason", "Message"],
        &rows,
    );
    let addrs: Vec<String> = items(o, "/status/addresses")
        .map(|a| format!("{}: {}", text(a, "/type"), text(a, "/address")))
        .collect();
    d.list(0, "Addresses", &addrs);
    for (key, label) in [("capacity", "Capacity"), ("allocatable", "Allocatable")] {
        d.section(0, label);
        for (k, v) in o
            .pointer(&format!("/status/{key}"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            d.kv(1, k, &scalar(Some(v)));
        }
    }
    d.section(0, "System Info");
    for (k, label) in [
        ("kernelVersion", "Kernel Version"),
        ("osImage", "OS Image"),
        ("containerRuntimeVersion", "Container Runtime Version"),
        ("kubeletVersion", "Kubelet Version"),
        ("architecture", "Architecture"),
    ] {
        d.kv(1, label, text(o, &format!("/status/nodeInfo/{k}")));
    }
    d.kv_some(0, "PodCIDR", text(o, "/spec/podCIDR"));
    node_pods(d, o, &r.node_pods);
}

/// Rows of a node's Non-terminated Pods table shown before a count takes over.
const NODE_POD_ROWS: usize = 20;

/// The Non-terminated Pods table and the Allocated resources summary.
fn node_pods(d: &mut Doc, node: &Value, pods: &[Redacted<Value>]) {
    let sum = |p: &Value, kind: &str, res: &str| -> i64 {
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
            .sum()
    };
    let mib = |b: i64| format!("{}Mi", b / (1024 * 1024));
    // The longest section of a node goes first when room is short: a few rows, then a
    // count and the command that lists them all; Allocated resources and Events stay.
    let rows: Vec<Vec<String>> = pods
        .iter()
        .take(NODE_POD_ROWS)
        .map(|p| {
            vec![
                text(p, "/metadata/namespace").to_string(),
                text(p, "/metadata/name").to_string(),
                format!("{}m", sum(p, "requests", "cpu")),
                format!("{}m", sum(p, "limits", "cpu")),
                mib(sum(p, "requests", "memory")),
                mib(sum(p, "limits", "memory")),
                timefmt::age(
                    p.pointer("/metadata/creationTimestamp")
                        .and_then(Value::as_str),
                    d.now,
                ),
            ]
        })
        .collect();
    d.kv(
        0,
        "Non-terminated Pods",
        &format!("({} in total)", pods.len()),
    );
    if !rows.is_empty() {
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
    }
    if pods.len() > NODE_POD_ROWS {
        let name = text(node, "/metadata/name");
        d.line(
            1,
            &format!(
                "… {} more pods (get pods -A --field-selector spec.nodeName={name})",
                pods.len() - NODE_POD_ROWS
            ),
        );
    }
    let alloc = |res: &str| {
        let q = text(node, &format!("/status/allocatable/{res}"));
        let parsed = if res == "cpu" {
            quantity::parse_cpu_millis(q)
        } else {
            quantity::parse_bytes(q)
        };
        parsed.unwrap_or(0)
    };
    let pct = |used: i64, total: i64| {
        if total > 0 {
            format!(" ({}%)", used * 100 / total)
        } else {
            String::new()
        }
    };
    let total = |kind: &str, res: &str| pods.iter().map(|p| sum(p, kind, res)).sum::<i64>();
    d.section(0, "Allocated resources");
    let (cr, cl, mr, ml) = (
        total("requests", "cpu"),
        total("limits", "cpu"),
        total("requests", "memory"),
        total("limits", "memory"),
    );
    let (ac, am) = (alloc("cpu"), alloc("memory"));
    d.table(
        1,
        &["Resource", "Requests", "Limits"],
        &[
            vec![
                "cpu".into(),
                format!("{cr}m{}", pct(cr, ac)),
                format!("{cl}m{}", pct(cl, ac)),
            ],
            vec![
                "memory".into(),
                format!("{}{}", mib(mr), pct(mr, am)),
                format!("{}{}", mib(ml), pct(ml, am)),
            ],
        ],
    );
}

/// `describe namespace`.
pub fn namespace(d: &mut Doc, o: &Value) {
    d.kv(0, "Name", text(o, "/metadata/name"));
    d.map(0, "Labels", o.pointer("/metadata/labels"));
    d.map(0, "Annotations", o.pointer("/metadata/annotations"));
    d.kv(0, "Status", text(o, "/status/phase"));
}

/// `describe configmap`: keys and values (ConfigMaps are not secret), long values cut.
pub fn configmap(d: &mut Doc, o: &Value) {
    d.head(o);
    d.out.push_str("\nData\n====\n");
    for (k, v) in o
        .pointer("/data")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        d.out
            .push_str(&format!("{k}:\n----\n{}\n\n", clip(&scalar(Some(v)), 2000)));
    }
    let binary: Vec<String> = o
        .pointer("/binaryData")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .collect();
    d.out
        .push_str(&format!("BinaryData\n====\n{}\n", binary.join("\n")));
}

/// `describe secret`: metadata, and the type and number of keys from the server-side
/// Table's cells — kubeglass never reads Secret data, nor the key names (see README).
pub fn secret(d: &mut Doc, o: &Value, related: &super::Related) {
    d.head(o);
    match &related.secret {
        Some(cells) => {
            d.kv_some(0, "Type", &cells.kind);
            d.kv(
                0,
                "Data",
                &format!(
                    "{} keys (names and values not read: kubeglass reads only the metadata of Secrets)",
                    cells.keys
                ),
            );
        }
        None => d.kv(
            0,
            "Data",
            "not read: kubeglass reads only the metadata of Secrets",
        ),
    }
}

/// `describe pvc`.
pub fn pvc(d: &mut Doc, o: &Value) {
    d.head(o);
    d.kv(0, "StorageClass", text(o, "/spec/storageClassName"));
    d.kv(0, "Status", text(o, "/status/phase"));
    d.kv(0, "Volume", text(o, "/spec/volumeName"));
    d.kv(0, "Capacity", text(o, "/status/capacity/storage"));
    d.kv(0, "Requested", text(o, "/spec/resources/requests/storage"));
    let modes: Vec<String> = items(o, "/spec/accessModes")
        .map(|m| scalar(Some(m)))
        .collect();
    d.kv(0, "Access Modes", &modes.join(","));
    d.kv(0, "VolumeMode", text(o, "/spec/volumeMode"));
}

/// `describe pv`.
pub fn pv(d: &mut Doc, o: &Value) {
    d.head(o);
    d.kv(0, "StorageClass", text(o, "/spec/storageClassName"));
    d.kv(0, "Status", text(o, "/status/phase"));
    let claim = o.pointer("/spec/claimRef");
    d.kv(
        0,
        "Claim",
        &claim
            .map(|c| format!("{}/{}", text(c, "/namespace"), text(c, "/name")))
            .unwrap_or_default(),
    );
    d.kv(
        0,
        "Reclaim Policy",
        text(o, "/spec/persistentVolumeReclaimPolicy"),
    );
    let modes: Vec<String> = items(o, "/spec/accessModes")
        .map(|m| scalar(Some(m)))
        .collect();
    d.kv(0, "Access Modes", &modes.join(","));
    d.kv(0, "Capacity", text(o, "/spec/capacity/storage"));
    d.kv_some(0, "Message", text(o, "/status/message"));
}

/// `describe ingress` (networking v1 and v1beta1 backends).
pub fn ingress(d: &mut Doc, o: &Value) {
    d.head(o);
    d.kv(0, "Ingress Class", text(o, "/spec/ingressClassName"));
    let addr: Vec<String> = items(o, "/status/loadBalancer/ingress")
        .map(|i| format!("{}{}", text(i, "/ip"), text(i, "/hostname")))
        .collect();
    d.kv(0, "Address", &addr.join(","));
    let backend = |b: &Value| {
        let svc = b
            .pointer("/service/name")
            .or_else(|| b.get("serviceName"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let port = b
            .pointer("/service/port/number")
            .or_else(|| b.pointer("/service/port/name"))
            .or_else(|| b.get("servicePort"));
        format!("{svc}:{}", scalar(port))
    };
    d.kv(
        0,
        "Default backend",
        &o.pointer("/spec/defaultBackend")
            .or_else(|| o.pointer("/spec/backend"))
            .map(backend)
            .unwrap_or_default(),
    );
    let rows: Vec<Vec<String>> = items(o, "/spec/rules")
        .flat_map(|r| {
            let host = if text(r, "/host").is_empty() {
                "*"
            } else {
                text(r, "/host")
            }
            .to_string();
            items(r, "/http/paths")
                .map(move |p| {
                    vec![
                        host.clone(),
                        text(p, "/path").to_string(),
                        backend(p.get("backend").unwrap_or(&Value::Null)),
                    ]
                })
                .collect::<Vec<_>>()
        })
        .collect();
    d.section(0, "Rules");
    d.table(1, &["Host", "Path", "Backends"], &rows);
    let tls: Vec<String> = items(o, "/spec/tls")
        .map(|t| text(t, "/secretName").to_string())
        .collect();
    if !tls.is_empty() {
        d.kv(0, "TLS", &format!("{} (secrets)", tls.join(", ")));
    }
}
