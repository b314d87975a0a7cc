//! `endpoints SERVICE`: which addresses back a service, ready or not, which pods and nodes
//! they are, and — when there are none ready — why, in one plain sentence.

use serde_json::Value;

use crate::json::{items as array, text};
use crate::output::table::render_columns;
use crate::redact::Redacted;

use crate::object::selector_of;

/// One backend address.
struct Address {
    ip: String,
    ready: bool,
    pod: String,
    node: String,
}

/// The report for `svc`, from its EndpointSlices (preferred) or Endpoints, and the pods its
/// selector matches.
pub fn render(
    svc: &Redacted<Value>,
    slices: &[Redacted<Value>],
    endpoints: Option<&Redacted<Value>>,
    pods: &[Redacted<Value>],
) -> String {
    let svc = svc.value();
    let endpoints = endpoints.map(|e| e.value());
    let ns = text(svc, "/metadata/namespace");
    let mut out = String::new();
    let ty = match text(svc, "/spec/type") {
        "" => "ClusterIP",
        t => t,
    };
    out.push_str(&format!(
        "Service:    {ns}/{}\n",
        text(svc, "/metadata/name")
    ));
    out.push_str(&format!(
        "Type:       {ty}   IP: {}\n",
        or_none(text(svc, "/spec/clusterIP"))
    ));
    let selector = selector_of(svc);
    out.push_str(&format!(
        "Selector:   {}\n",
        selector.as_deref().unwrap_or("<none>")
    ));
    out.push_str(&format!("Ports:      {}\n", service_ports(svc)));
    let (mut addresses, ports) = if slices.is_empty() {
        from_endpoints(endpoints)
    } else {
        from_slices(slices)
    };
    fill_nodes(&mut addresses, pods);
    let ready = addresses.iter().filter(|a| a.ready).count();
    out.push_str(&format!(
        "Endpoints:  {ready} ready, {} not ready{}\n",
        addresses.len() - ready,
        if ports.is_empty() {
            String::new()
        } else {
            format!(" (ports {})", ports.join(", "))
        }
    ));
    if !addresses.is_empty() {
        let rows: Vec<Vec<String>> = addresses
            .iter()
            .map(|a| {
                vec![
                    a.ip.clone(),
                    if a.ready { "true" } else { "false" }.to_string(),
                    or_none(&a.pod).to_string(),
                    or_none(&a.node).to_string(),
                ]
            })
            .collect();
        for l in render_columns(&["ADDRESS", "READY", "POD", "NODE"], &rows) {
            out.push_str("  ");
            out.push_str(&l);
            out.push('\n');
        }
    }
    out.push_str(&format!("Pods:       {} match the selector\n", pods.len()));
    for line in diagnosis(svc, ty, selector.as_deref(), ready, &addresses, pods) {
        out.push_str(&format!("Diagnosis:  {line}\n"));
    }
    out
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "<none>" } else { s }
}

/// `http 80/TCP -> 8080, …`.
fn service_ports(svc: &Value) -> String {
    let ports: Vec<String> = array(svc, "/spec/ports")
        .map(|p| {
            let name = text(p, "/name");
            let port = p.get("port").map(value_text).unwrap_or_default();
            let proto = match text(p, "/protocol") {
                "" => "TCP",
                x => x,
            };
            let target = p
                .get("targetPort")
                .map(value_text)
                .unwrap_or_else(|| port.clone());
            let name = if name.is_empty() {
                String::new()
            } else {
                format!("{name} ")
            };
            format!("{name}{port}/{proto} -> {target}")
        })
        .collect();
    if ports.is_empty() {
        "<none>".into()
    } else {
        ports.join(", ")
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// Add the `port/protocol`s an EndpointSlice or Endpoints subset declares, once each.
fn add_ports(ports: &mut Vec<String>, v: &Value) {
    for p in array(v, "/ports") {
        let port = format!(
            "{}/{}",
            p.get("port").map(value_text).unwrap_or_default(),
            text(p, "/protocol")
        );
        if !ports.contains(&port) {
            ports.push(port);
        }
    }
}

/// Addresses from EndpointSlices (discovery.k8s.io v1 or v1beta1).
fn from_slices(slices: &[Redacted<Value>]) -> (Vec<Address>, Vec<String>) {
    let mut out = Vec::new();
    let mut ports = Vec::new();
    for s in slices {
        add_ports(&mut ports, s);
        for ep in array(s, "/endpoints") {
            // A missing `ready` condition means ready (the API's documented default).
            let ready = ep
                .pointer("/conditions/ready")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let node = match text(ep, "/nodeName") {
                "" => text(ep, "/topology/kubernetes.io~1hostname"),
                n => n,
            };
            for ip in array(ep, "/addresses").filter_map(Value::as_str) {
                out.push(Address {
                    ip: ip.to_string(),
                    ready,
                    pod: text(ep, "/targetRef/name").to_string(),
                    node: node.to_string(),
                });
            }
        }
    }
    (out, ports)
}

/// Addresses from the core Endpoints object.
fn from_endpoints(ep: Option<&Value>) -> (Vec<Address>, Vec<String>) {
    let mut out = Vec::new();
    let mut ports = Vec::new();
    let Some(ep) = ep else {
        return (out, ports);
    };
    for subset in array(ep, "/subsets") {
        add_ports(&mut ports, subset);
        for (key, ready) in [("/addresses", true), ("/notReadyAddresses", false)] {
            for a in array(subset, key) {
                out.push(Address {
                    ip: text(a, "/ip").to_string(),
                    ready,
                    pod: text(a, "/targetRef/name").to_string(),
                    node: text(a, "/nodeName").to_string(),
                });
            }
        }
    }
    (out, ports)
}

/// An address that names no node takes its pod's `spec.nodeName` (found by the address's
/// target pod, else by its IP): Endpoints written by hand or by an older controller often
/// leave `nodeName` out, and `<none>` would read as "not scheduled".
fn fill_nodes(addresses: &mut [Address], pods: &[Redacted<Value>]) {
    for a in addresses.iter_mut().filter(|a| a.node.is_empty()) {
        let pod = pods.iter().find(|p| {
            let name = text(p, "/metadata/name");
            if a.pod.is_empty() {
                !a.ip.is_empty() && text(p, "/status/podIP") == a.ip
            } else {
                name == a.pod
            }
        });
        if let Some(p) = pod {
            a.node = text(p, "/spec/nodeName").to_string();
        }
    }
}

/// Why the service has (or lacks) ready endpoints.
fn diagnosis(
    svc: &Value,
    ty: &str,
    selector: Option<&str>,
    ready: usize,
    addresses: &[Address],
    pods: &[Redacted<Value>],
) -> Vec<String> {
    let ns = text(svc, "/metadata/namespace");
    if ty == "ExternalName" {
        return vec![format!(
            "ExternalName service: DNS answers with {}; it has no endpoints",
            or_none(text(svc, "/spec/externalName"))
        )];
    }
    let Some(selector) = selector else {
        return vec![format!(
            "the service has no selector: its endpoints are managed by hand or by another controller ({} ready)",
            ready
        )];
    };
    if pods.is_empty() {
        return vec![format!(
            "the selector {selector} matches no pods in namespace {ns}: the service has no backends"
        )];
    }
    let mut lines = Vec::new();
    if ready == 0 {
        let states: Vec<String> = pods.iter().take(10).map(|p| pod_state(p)).collect();
        lines.push(format!(
            "{} pods match the selector but none is a ready endpoint: {}",
            pods.len(),
            states.join("; ")
        ));
    } else if ready < addresses.len() {
        lines.push(format!(
            "{ready} of {} endpoints are ready",
            addresses.len()
        ));
    } else {
        lines.push(format!("all {ready} endpoints are ready"));
    }
    lines.extend(target_port_problems(svc, pods));
    lines
}

/// `web-1 (Running, 0/1 ready)`.
fn pod_state(pod: &Value) -> String {
    let statuses: Vec<&Value> = array(pod, "/status/containerStatuses").collect();
    let ready = statuses
        .iter()
        .filter(|c| c.get("ready").and_then(Value::as_bool) == Some(true))
        .count();
    let waiting = statuses
        .iter()
        .find_map(|c| c.pointer("/state/waiting/reason").and_then(Value::as_str));
    let phase = waiting.unwrap_or_else(|| or_none(text(pod, "/status/phase")));
    format!(
        "{} ({phase}, {ready}/{} ready)",
        text(pod, "/metadata/name"),
        statuses.len()
    )
}

/// Target ports (named or numeric) that no matching pod's declared container ports resolve
/// ([`crate::object::unresolved_target_ports`], shared with `triage`).
fn target_port_problems(svc: &Value, pods: &[Redacted<Value>]) -> Vec<String> {
    let declared: Vec<(String, i64)> = pods
        .iter()
        .flat_map(|p| crate::object::declared_ports(p.value()).collect::<Vec<_>>())
        .collect();
    crate::object::unresolved_target_ports(svc, &declared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::shown;
    use serde_json::json;

    /// The renderer over fixtures redacted as the fetch layer would.
    fn render(svc: &Value, slices: &[Value], ep: Option<&Value>, pods: &[Value]) -> String {
        let all = |v: &[Value]| v.iter().cloned().map(shown).collect::<Vec<_>>();
        let ep = ep.cloned().map(shown);
        super::render(&shown(svc.clone()), &all(slices), ep.as_ref(), &all(pods))
    }

    fn svc(selector: Value) -> Value {
        json!({"metadata": {"name": "checkout", "namespace": "shop"},
               "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.9", "selector": selector,
                        "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}})
    }

    #[test]
    fn no_matching_pod_is_said_plainly() {
        let out = render(&svc(json!({"app": "checkout"})), &[], None, &[]);
        assert!(out.contains("Endpoints:  0 ready, 0 not ready"), "{out}");
        assert!(
            out.contains("the selector app=checkout matches no pods in namespace shop"),
            "{out}"
        );
        assert!(out.contains("http 80/TCP -> 8080"), "{out}");
    }

    #[test]
    fn slices_with_ready_and_not_ready() {
        let slice = json!({"ports": [{"port": 8080, "protocol": "TCP"}], "endpoints": [
            {"addresses": ["10.0.0.1"], "conditions": {"ready": true}, "targetRef": {"name": "web-1"}, "topology": {"kubernetes.io/hostname": "node-1"}},
            {"addresses": ["10.0.0.2"], "conditions": {"ready": false}, "targetRef": {"name": "web-2"}, "nodeName": "node-2"}]});
        let pod = json!({"metadata": {"name": "web-1"}});
        let out = render(
            &svc(json!({"app": "web"})),
            &[slice],
            None,
            &[pod.clone(), pod],
        );
        assert!(
            out.contains("1 ready, 1 not ready (ports 8080/TCP)"),
            "{out}"
        );
        assert!(out.contains("10.0.0.2   false   web-2   node-2"), "{out}");
        assert!(out.contains("1 of 2 endpoints are ready"), "{out}");
    }

    #[test]
    fn endpoints_fallback_and_not_ready_pods() {
        let ep = json!({"subsets": [{"notReadyAddresses": [{"ip": "10.0.0.3", "targetRef": {"name": "api-1"}}], "ports": [{"port": 8080, "protocol": "TCP"}]}]});
        let pod = json!({"metadata": {"name": "api-1"}, "status": {"phase": "Running",
            "containerStatuses": [{"ready": false, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
        let out = render(&svc(json!({"app": "api"})), &[], Some(&ep), &[pod]);
        assert!(
            out.contains("none is a ready endpoint: api-1 (CrashLoopBackOff, 0/1 ready)"),
            "{out}"
        );
    }

    #[test]
    fn a_numeric_target_port_matching_no_container_port_is_diagnosed() {
        let pod = json!({"metadata": {"name": "web-1"}, "spec": {"containers": [
            {"name": "web", "ports": [{"name": "http", "containerPort": 8081}]}]}});
        let out = render(&svc(json!({"app": "web"})), &[], None, &[pod]);
        assert!(
            out.contains(
                "targetPort 8080: no container of its pods declares that port (they declare 8081)"
            ),
            "{out}"
        );
    }

    #[test]
    fn an_address_without_a_node_takes_its_pods_node() {
        let ep = json!({"subsets": [{"ports": [{"port": 8080, "protocol": "TCP"}], "addresses": [
            {"ip": "10.0.0.1", "targetRef": {"kind": "Pod", "name": "web-1"}},
            {"ip": "10.0.0.2"},
            {"ip": "10.0.0.3", "nodeName": "node-9", "targetRef": {"kind": "Pod", "name": "web-3"}},
            {"ip": "10.0.0.4", "targetRef": {"kind": "Pod", "name": "gone"}}]}]});
        let pod = |name: &str, ip: &str, node: &str| json!({"metadata": {"name": name}, "spec": {"nodeName": node}, "status": {"podIP": ip}});
        let pods = [
            pod("web-1", "10.0.0.1", "node-1"),
            pod("web-2", "10.0.0.2", "node-2"),
            pod("web-3", "10.0.0.3", "node-1"),
        ];
        let out = render(&svc(json!({"app": "web"})), &[], Some(&ep), &pods);
        assert!(out.contains("10.0.0.1   true    web-1    node-1"), "{out}");
        assert!(
            out.contains("10.0.0.2   true    <none>   node-2"),
            "found by IP: {out}"
        );
        assert!(
            out.contains("10.0.0.3   true    web-3    node-9"),
            "the address's own nodeName wins: {out}"
        );
        assert!(
            out.contains("10.0.0.4   true    gone     <none>"),
            "no such pod: {out}"
        );
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let out = render(
            &json!({}),
            &[json!("x"), json!({"endpoints": 3})],
            Some(&json!([])),
            &[json!(null)],
        );
        assert!(out.contains("no selector"));
    }
}
