//! Services, nodes, namespaces, config, storage and ingress.

use serde_json::Value;

use crate::object::selector_of;

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
    d.kv_some(0, "IP Family Policy", text(o, "/spec/ipFamilyPolicy"));
    let families: Vec<String> = items(o, "/spec/ipFamilies")
        .map(|f| scalar(Some(f)))
        .collect();
    d.kv(0, "IP Families", &families.join(","));
    d.kv(0, "IP", text(o, "/spec/clusterIP"));
    let ips: Vec<String> = items(o, "/spec/clusterIPs")
        .map(|f| scalar(Some(f)))
        .collect();
    d.kv(0, "IPs", &ips.join(","));
    let external: Vec<String> = items(o, "/spec/externalIPs")
        .map(|f| scalar(Some(f)))
        .collect();
    d.kv_some(0, "External IPs", &external.join(","));
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
/// Table's cells — kubeglass never reads Secret data, nor the key names (see docs/security.md).
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

/// `describe pvc`, with the pods that mount it.
pub fn pvc(d: &mut Doc, o: &Value, r: &Related) {
    d.kv(0, "Name", text(o, "/metadata/name"));
    d.kv(0, "Namespace", text(o, "/metadata/namespace"));
    let class = match text(o, "/spec/storageClassName") {
        "" => text(
            o,
            "/metadata/annotations/volume.beta.kubernetes.io~1storage-class",
        ),
        c => c,
    };
    d.kv(
        0,
        "StorageClass",
        if class.is_empty() { " " } else { class },
    );
    let status = if o.pointer("/metadata/deletionTimestamp").is_some() {
        "Terminating"
    } else {
        text(o, "/status/phase")
    };
    d.kv(0, "Status", status);
    let volume = text(o, "/spec/volumeName");
    d.kv(0, "Volume", if volume.is_empty() { " " } else { volume });
    d.map(0, "Labels", o.pointer("/metadata/labels"));
    d.annotations(0, "Annotations", o.pointer("/metadata/annotations"));
    let finalizers: Vec<String> = items(o, "/metadata/finalizers")
        .map(|f| scalar(Some(f)))
        .collect();
    d.kv(0, "Finalizers", &format!("[{}]", finalizers.join(" ")));
    let bound = !volume.is_empty();
    let capacity = if bound {
        text(o, "/status/capacity/storage")
    } else {
        ""
    };
    d.kv(
        0,
        "Capacity",
        if capacity.is_empty() { " " } else { capacity },
    );
    let modes: Vec<String> = items(o, "/status/accessModes")
        .map(|m| access_mode(&scalar(Some(m))))
        .collect();
    let modes = if bound {
        modes.join(",")
    } else {
        String::new()
    };
    d.kv(
        0,
        "Access Modes",
        if modes.is_empty() { " " } else { &modes },
    );
    d.kv_some(0, "VolumeMode", text(o, "/spec/volumeMode"));
    d.kv_some(0, "Requested", text(o, "/spec/resources/requests/storage"));
    if let Some(src) = o.pointer("/spec/dataSource") {
        d.section(0, "DataSource");
        d.kv_some(1, "APIGroup", text(src, "/apiGroup"));
        d.kv(1, "Kind", text(src, "/kind"));
        d.kv(1, "Name", text(src, "/name"));
    }
    match &r.used_by {
        Some(names) => {
            let mut used_by = names.clone();
            used_by.sort();
            d.list(0, "Used By", &used_by);
        }
        None => d.kv(
            0,
            "Used By",
            "<not readable: the namespace's pods could not be listed>",
        ),
    }
    if o.pointer("/status/conditions").is_some() {
        d.conditions(0, o);
    }
}

/// kubectl's short access modes (`RWO`, `ROX`, `RWX`, `RWOP`).
fn access_mode(m: &str) -> String {
    match m {
        "ReadWriteOnce" => "RWO",
        "ReadOnlyMany" => "ROX",
        "ReadWriteMany" => "RWX",
        "ReadWriteOncePod" => "RWOP",
        other => other,
    }
    .to_string()
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

/// `describe ingress` (networking v1 and v1beta1 backends), each backend with the ready
/// endpoints behind it.
pub fn ingress(d: &mut Doc, o: &Value, r: &Related) {
    d.kv(0, "Name", text(o, "/metadata/name"));
    d.map(0, "Labels", o.pointer("/metadata/labels"));
    d.kv(0, "Namespace", text(o, "/metadata/namespace"));
    let mut addr: Vec<String> = items(o, "/status/loadBalancer/ingress")
        .map(|i| match text(i, "/ip") {
            "" => text(i, "/hostname").to_string(),
            ip => ip.to_string(),
        })
        .filter(|a| !a.is_empty())
        .collect();
    addr.sort();
    addr.dedup();
    d.kv(0, "Address", &addr.join(","));
    d.kv(0, "Ingress Class", text(o, "/spec/ingressClassName"));
    let default = o
        .pointer("/spec/defaultBackend")
        .or_else(|| o.pointer("/spec/backend"))
        .map(|b| backend(b, r))
        .unwrap_or_else(|| "<default>".into());
    d.kv(0, "Default backend", &default);
    let tls: Vec<&Value> = items(o, "/spec/tls").collect();
    if !tls.is_empty() {
        d.section(0, "TLS");
        for t in tls {
            let hosts: Vec<String> = items(t, "/hosts").map(|h| scalar(Some(h))).collect();
            let hosts = hosts.join(",");
            match text(t, "/secretName") {
                "" => d.line(1, &format!("SNI routes {hosts}")),
                secret => d.line(1, &format!("{secret} terminates {hosts}")),
            }
        }
    }
    let mut rows = vec![vec!["----".to_string(), "----".into(), "--------".into()]];
    for rule in items(o, "/spec/rules").filter(|r| r.get("http").is_some()) {
        let host = match text(rule, "/host") {
            "" => "*",
            h => h,
        };
        rows.push(vec![host.to_string(), String::new(), String::new()]);
        for p in items(rule, "/http/paths") {
            rows.push(vec![
                String::new(),
                text(p, "/path").to_string(),
                backend(p.get("backend").unwrap_or(&Value::Null), r),
            ]);
        }
    }
    if rows.len() == 1 {
        rows.push(vec!["*".into(), "*".into(), default]);
    }
    d.section(0, "Rules");
    d.table(1, &["Host", "Path", "Backends"], &rows);
    d.annotations(0, "Annotations", o.pointer("/metadata/annotations"));
}

/// Most endpoints listed for one backend, as kubectl lists.
const BACKEND_ENDPOINTS: usize = 3;

/// `web:80 (10.244.1.11:8080,10.244.1.12:8080)`: the Service port and the ready endpoints
/// of the matching Endpoints port.
fn backend(b: &Value, r: &Related) -> String {
    if let Some(res) = b.get("resource") {
        let group = match text(res, "/apiGroup") {
            "" => "<none>",
            g => g,
        };
        return format!(
            "APIGroup: {group}, Kind: {}, Name: {}",
            text(res, "/kind"),
            text(res, "/name")
        );
    }
    let svc = b
        .pointer("/service/name")
        .or_else(|| b.get("serviceName"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let port = b
        .pointer("/service/port/number")
        .or_else(|| b.pointer("/service/port/name"))
        .or_else(|| b.get("servicePort"));
    let port_text = scalar(port);
    let Some(found) = r.backends.iter().find(|x| x.name == svc) else {
        return format!("{svc}:{port_text}");
    };
    let (Some(service), Some(eps)) = (&found.service, &found.endpoints) else {
        return format!("{svc}:{port_text} (<error: not readable>)");
    };
    let port_name = items(service, "/spec/ports")
        .find(|p| {
            let by_number = port.and_then(Value::as_i64).is_some()
                && p.get("port").and_then(Value::as_i64) == port.and_then(Value::as_i64);
            let by_name = port.and_then(Value::as_str).is_some()
                && p.get("name").and_then(Value::as_str) == port.and_then(Value::as_str);
            by_number || by_name
        })
        .map(|p| text(p, "/name").to_string())
        .unwrap_or_default();
    let mut ready = Vec::new();
    for s in items(eps, "/subsets") {
        for p in items(s, "/ports").filter(|p| text(p, "/name") == port_name) {
            for a in items(s, "/addresses") {
                ready.push(format!("{}:{}", text(a, "/ip"), scalar(p.get("port"))));
            }
        }
    }
    let list = if ready.is_empty() {
        "<none>".to_string()
    } else if ready.len() > BACKEND_ENDPOINTS {
        format!(
            "{} + {} more...",
            ready[..BACKEND_ENDPOINTS].join(","),
            ready.len() - BACKEND_ENDPOINTS
        )
    } else {
        ready.join(",")
    };
    format!("{svc}:{port_text} ({list})")
}
