//! Pods, and what pods and pod templates share: containers, volumes, tolerations.

use serde_json::Value;

use crate::timefmt::describe_time;

use super::{Doc, bool_word, clip, items, message, scalar, text};

/// `describe pod`.
pub fn pod(d: &mut Doc, p: &Value) {
    d.kv(0, "Name", text(p, "/metadata/name"));
    d.kv(0, "Namespace", text(p, "/metadata/namespace"));
    d.kv_some(0, "Priority", &scalar(p.pointer("/spec/priority")));
    d.kv_some(0, "Priority Class Name", text(p, "/spec/priorityClassName"));
    d.kv_some(0, "Runtime Class Name", text(p, "/spec/runtimeClassName"));
    d.kv_some(0, "Service Account", text(p, "/spec/serviceAccountName"));
    let node = text(p, "/spec/nodeName");
    let node = if node.is_empty() {
        String::new()
    } else {
        format!("{node}/{}", text(p, "/status/hostIP"))
    };
    d.kv(0, "Node", &node);
    let start = text(p, "/status/startTime");
    if !start.is_empty() {
        d.kv(0, "Start Time", &describe_time(start));
    }
    d.map(0, "Labels", p.pointer("/metadata/labels"));
    d.annotations(0, "Annotations", p.pointer("/metadata/annotations"));
    let phase = text(p, "/status/phase");
    let terminating = p.pointer("/metadata/deletionTimestamp").is_some()
        && phase != "Failed"
        && phase != "Succeeded";
    if terminating {
        let since = text(p, "/metadata/deletionTimestamp");
        let lasts = crate::timefmt::age(Some(since), d.now);
        d.kv(0, "Status", &format!("Terminating (lasts {lasts})"));
        if let Some(g) = p.pointer("/metadata/deletionGracePeriodSeconds") {
            d.kv(
                0,
                "Termination Grace Period",
                &format!("{}s", scalar(Some(g))),
            );
        }
    } else {
        d.kv(0, "Status", phase);
    }
    d.kv_some(0, "Reason", text(p, "/status/reason"));
    d.kv_some(0, "Message", text(p, "/status/message"));
    d.kv(0, "IP", text(p, "/status/podIP"));
    let ips: Vec<&str> = items(p, "/status/podIPs").map(|i| text(i, "/ip")).collect();
    if ips.is_empty() {
        d.kv(0, "IPs", "<none>");
    } else {
        d.section(0, "IPs");
        for ip in ips {
            d.kv(1, "IP", ip);
        }
    }
    d.controlled_by(p);
    d.kv_some(0, "NominatedNodeName", text(p, "/status/nominatedNodeName"));
    let statuses = |list: &str| -> Vec<&Value> { items(p, &format!("/status/{list}")).collect() };
    if p.pointer("/spec/initContainers").is_some() {
        d.section(0, "Init Containers");
        for c in items(p, "/spec/initContainers") {
            container(
                d,
                c,
                find_status(&statuses("initContainerStatuses"), c),
                Some(p),
            );
        }
    }
    d.section(0, "Containers");
    for c in items(p, "/spec/containers") {
        container(
            d,
            c,
            find_status(&statuses("containerStatuses"), c),
            Some(p),
        );
    }
    d.conditions(0, p);
    volumes(d, p.pointer("/spec/volumes"));
    let qos = match text(p, "/status/qosClass") {
        "" => qos_class(p),
        q => q,
    };
    d.kv(0, "QoS Class", qos);
    d.map(0, "Node-Selectors", p.pointer("/spec/nodeSelector"));
    tolerations(d, p.pointer("/spec/tolerations"));
}

fn find_status<'a>(statuses: &[&'a Value], c: &Value) -> Option<&'a Value> {
    let name = text(c, "/name");
    statuses.iter().copied().find(|s| text(s, "/name") == name)
}

/// The QoS class kubectl computes when the kubelet has not set one: BestEffort without any
/// request or limit, Guaranteed when every container's cpu and memory limits equal its
/// requests, Burstable otherwise.
fn qos_class(p: &Value) -> &'static str {
    let containers: Vec<&Value> = items(p, "/spec/containers")
        .chain(items(p, "/spec/initContainers"))
        .collect();
    let res = |c: &Value, kind: &str, r: &str| {
        c.pointer(&format!("/resources/{kind}/{r}"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let any = containers.iter().any(|c| {
        ["cpu", "memory"]
            .iter()
            .any(|r| res(c, "requests", r).is_some() || res(c, "limits", r).is_some())
    });
    if !any {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        ["cpu", "memory"].iter().all(|r| {
            let limit = res(c, "limits", r);
            limit.is_some() && res(c, "requests", r).is_none_or(|q| Some(q) == limit)
        })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// One container: image, ports, state, readiness, resources, probes, env, mounts. `pod` is
/// given for a pod (its status and its values of `fieldRef` variables), not for a template.
pub fn container(d: &mut Doc, c: &Value, status: Option<&Value>, pod: Option<&Value>) {
    d.section(1, text(c, "/name"));
    if let Some(s) = status {
        d.kv(2, "Container ID", or_blank(text(s, "/containerID")));
    }
    d.kv(2, "Image", text(c, "/image"));
    if let Some(s) = status {
        d.kv(2, "Image ID", or_blank(text(s, "/imageID")));
    }
    ports(d, c);
    words(d, c, "command", "Command");
    words(d, c, "args", "Args");
    if let Some(s) = status {
        state(d, "State", s.get("state"));
        if s.pointer("/lastState")
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
        {
            state(d, "Last State", s.get("lastState"));
        }
        d.kv(2, "Ready", bool_word(s.get("ready")));
        d.kv(2, "Restart Count", &scalar(s.get("restartCount")));
    }
    for (key, label) in [("limits", "Limits"), ("requests", "Requests")] {
        if let Some(m) = c
            .pointer(&format!("/resources/{key}"))
            .and_then(Value::as_object)
            .filter(|m| !m.is_empty())
        {
            d.section(2, label);
            for (k, v) in m {
                d.kv(3, k, &scalar(Some(v)));
            }
        }
    }
    for (key, label) in [
        ("livenessProbe", "Liveness"),
        ("readinessProbe", "Readiness"),
        ("startupProbe", "Startup"),
    ] {
        if let Some(p) = c.get(key) {
            d.kv(2, label, &probe(p));
        }
    }
    env(d, c, pod);
    mounts(d, c);
}

/// An empty value as kubectl prints it (nothing), not `<none>`.
pub(crate) fn or_blank(s: &str) -> &str {
    if s.is_empty() { " " } else { s }
}

/// `Port: 8080/TCP (http)` and `Host Port: 0/TCP`, plural with several; kubeglass adds the
/// port names kubectl leaves out.
fn ports(d: &mut Doc, c: &Value) {
    let proto = |p: &Value| match text(p, "/protocol") {
        "" => "TCP".to_string(),
        x => x.to_string(),
    };
    let list: Vec<&Value> = items(c, "/ports").collect();
    let ports: Vec<String> = list
        .iter()
        .map(|p| format!("{}/{}", scalar(p.get("containerPort")), proto(p)))
        .collect();
    let hosts: Vec<String> = list
        .iter()
        .map(|p| {
            let host = p.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
            format!("{host}/{}", proto(p))
        })
        .collect();
    let names: Vec<String> = list
        .iter()
        .filter(|p| !text(p, "/name").is_empty())
        .map(|p| {
            if list.len() == 1 {
                text(p, "/name").to_string()
            } else {
                format!("{}={}", text(p, "/name"), scalar(p.get("containerPort")))
            }
        })
        .collect();
    let mut port = ports.join(", ");
    if !names.is_empty() {
        port.push_str(&format!(" ({})", names.join(", ")));
    }
    let plural = if list.len() > 1 { "s" } else { "" };
    d.kv(2, &format!("Port{plural}"), &port);
    d.kv(2, &format!("Host Port{plural}"), &hosts.join(", "));
}

fn words(d: &mut Doc, c: &Value, key: &str, label: &str) {
    let w: Vec<String> = items(c, &format!("/{key}"))
        .map(|x| clip(&scalar(Some(x)), 300))
        .collect();
    if !w.is_empty() {
        d.section(2, label);
        for x in w {
            for l in x.lines() {
                d.line(3, l);
            }
        }
    }
}

/// `State: Waiting` with its reason (and the message kubectl leaves out), or `Terminated`
/// with exit code and times.
fn state(d: &mut Doc, label: &str, s: Option<&Value>) {
    let m = s.and_then(Value::as_object);
    let Some((which, detail)) = m.and_then(|m| m.iter().next()) else {
        d.kv(2, label, "Waiting");
        return;
    };
    let time = |k: &str| {
        let t = text(detail, k);
        if t.is_empty() {
            String::new()
        } else {
            describe_time(t)
        }
    };
    match which.as_str() {
        "running" => {
            d.kv(2, label, "Running");
            d.kv(3, "Started", &time("/startedAt"));
        }
        "terminated" => {
            d.kv(2, label, "Terminated");
            d.kv_some(3, "Reason", text(detail, "/reason"));
            d.kv_some(3, "Message", &message(text(detail, "/message")));
            d.kv(3, "Exit Code", &scalar(detail.get("exitCode")));
            if detail.get("signal").and_then(Value::as_i64).unwrap_or(0) > 0 {
                d.kv(3, "Signal", &scalar(detail.get("signal")));
            }
            d.kv(3, "Started", &time("/startedAt"));
            d.kv(3, "Finished", &time("/finishedAt"));
        }
        _ => {
            d.kv(2, label, "Waiting");
            d.kv_some(3, "Reason", text(detail, "/reason"));
            d.kv_some(3, "Message", &message(text(detail, "/message")));
        }
    }
}

/// kubectl's probe line: `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`.
fn probe(p: &Value) -> String {
    let how = if let Some(h) = p.get("httpGet") {
        let scheme = text(h, "/scheme").to_lowercase();
        let scheme = if scheme.is_empty() { "http" } else { &scheme };
        format!(
            "http-get {scheme}://{}:{}{}",
            text(h, "/host"),
            scalar(h.get("port")),
            text(h, "/path")
        )
    } else if let Some(t) = p.get("tcpSocket") {
        format!("tcp-socket {}:{}", text(t, "/host"), scalar(t.get("port")))
    } else if let Some(e) = p.get("exec") {
        let cmd: Vec<String> = items(e, "/command").map(|x| scalar(Some(x))).collect();
        format!("exec [{}]", cmd.join(" "))
    } else if let Some(g) = p.get("grpc") {
        format!(
            "grpc <pod>:{} {}",
            scalar(g.get("port")),
            text(g, "/service")
        )
    } else {
        "unknown".into()
    };
    let num = |k: &str, default: i64| p.get(k).and_then(Value::as_i64).unwrap_or(default);
    format!(
        "{how} delay={}s timeout={}s period={}s #success={} #failure={}",
        num("initialDelaySeconds", 0),
        num("timeoutSeconds", 1),
        num("periodSeconds", 10),
        num("successThreshold", 1),
        num("failureThreshold", 3)
    )
}

/// Environment: literal values (already redacted by the caller) and references, as kubectl
/// writes them.
fn env(d: &mut Doc, c: &Value, pod: Option<&Value>) {
    let from: Vec<&Value> = items(c, "/envFrom").collect();
    if !from.is_empty() {
        d.section(2, "Environment Variables from");
        for f in from {
            let (kind, r) = match (f.get("configMapRef"), f.get("secretRef")) {
                (Some(cm), _) => ("ConfigMap", cm),
                (_, Some(s)) => ("Secret", s),
                _ => ("", &Value::Null),
            };
            let prefix = text(f, "/prefix");
            let kind = if prefix.is_empty() {
                kind.to_string()
            } else {
                format!("{kind} with prefix '{prefix}'")
            };
            d.line(
                3,
                &format!("{}  {kind}  Optional: {}", text(r, "/name"), optional(r)),
            );
        }
    }
    let vars: Vec<&Value> = items(c, "/env").collect();
    if vars.is_empty() {
        d.kv(2, "Environment", "<none>");
        return;
    }
    d.section(2, "Environment");
    for v in vars {
        let name = text(v, "/name");
        let value = match v.get("valueFrom") {
            None => clip(&scalar(v.get("value")), 300),
            Some(src) => value_from(src, c, pod),
        };
        let value = value.lines().next().unwrap_or("").to_string();
        d.kv(3, name, &if value.is_empty() { " ".into() } else { value });
    }
}

fn optional(r: &Value) -> &'static str {
    if r.get("optional").and_then(Value::as_bool) == Some(true) {
        "true"
    } else {
        "false"
    }
}

fn value_from(src: &Value, c: &Value, pod: Option<&Value>) -> String {
    if let Some(s) = src.get("secretKeyRef") {
        format!(
            "<set to the key '{}' in secret '{}'>  Optional: {}",
            text(s, "/key"),
            text(s, "/name"),
            optional(s)
        )
    } else if let Some(m) = src.get("configMapKeyRef") {
        format!(
            "<set to the key '{}' of config map '{}'>  Optional: {}",
            text(m, "/key"),
            text(m, "/name"),
            optional(m)
        )
    } else if let Some(f) = src.get("fieldRef") {
        let path = text(f, "/fieldPath");
        let version = match text(f, "/apiVersion") {
            "" => "v1",
            v => v,
        };
        let value = pod.map(|p| field_value(p, path)).unwrap_or_default();
        format!("{value} ({version}:{path})")
            .trim_start()
            .to_string()
    } else if let Some(r) = src.get("resourceFieldRef") {
        let resource = text(r, "/resource");
        let value = resource
            .split_once('.')
            .map(|(kind, name)| text(c, &format!("/resources/{kind}/{name}")).to_string())
            .unwrap_or_default();
        let value = if value.is_empty() && resource.starts_with("limits.") {
            "node allocatable".to_string()
        } else {
            value
        };
        format!("{value} ({resource})").trim_start().to_string()
    } else {
        "<unknown source>".into()
    }
}

/// The value of a downward-API field path of `pod` (the paths kubectl resolves).
fn field_value(pod: &Value, path: &str) -> String {
    let keyed = |prefix: &str, map: &str| {
        path.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix("']"))
            .map(|key| {
                pod.pointer(&format!("/metadata/{map}"))
                    .and_then(|m| m.get(key))
                    .map(|v| scalar(Some(v)))
                    .unwrap_or_default()
            })
    };
    if let Some(v) = keyed("metadata.labels['", "labels") {
        return v;
    }
    if let Some(v) = keyed("metadata.annotations['", "annotations") {
        return v;
    }
    match path {
        "metadata.name"
        | "metadata.namespace"
        | "metadata.uid"
        | "spec.nodeName"
        | "spec.serviceAccountName"
        | "status.podIP"
        | "status.hostIP" => text(pod, &format!("/{}", path.replace('.', "/"))).to_string(),
        _ => String::new(),
    }
}

/// Mounts sorted by path, `rw`/`ro` and the sub-path as kubectl writes them.
fn mounts(d: &mut Doc, c: &Value) {
    let mut list: Vec<&Value> = items(c, "/volumeMounts").collect();
    list.sort_by_key(|m| text(m, "/mountPath"));
    let lines: Vec<String> = list
        .iter()
        .map(|m| {
            let mut flags = vec![
                if m.get("readOnly").and_then(Value::as_bool) == Some(true) {
                    "ro".to_string()
                } else {
                    "rw".to_string()
                },
            ];
            let sub = text(m, "/subPath");
            if !sub.is_empty() {
                flags.push(format!("path={sub:?}"));
            }
            format!(
                "{} from {} ({})",
                text(m, "/mountPath"),
                text(m, "/name"),
                flags.join(",")
            )
        })
        .collect();
    if lines.is_empty() {
        d.kv(2, "Mounts", "<none>");
    } else {
        d.section(2, "Mounts");
        for l in lines {
            d.line(3, &l);
        }
    }
}

/// kubectl's Volumes section: each volume's type with its main fields.
pub fn volumes(d: &mut Doc, vols: Option<&Value>) {
    let vols: Vec<&Value> = vols
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    if vols.is_empty() {
        d.kv(0, "Volumes", "<none>");
        return;
    }
    d.section(0, "Volumes");
    for v in vols {
        d.section(1, text(v, "/name"));
        volume_source(d, v);
    }
}

fn volume_source(d: &mut Doc, v: &Value) {
    let b = |x: &Value, k: &str| {
        if x.get(k).and_then(Value::as_bool) == Some(true) {
            "true"
        } else {
            "false"
        }
    };
    if let Some(h) = v.get("hostPath") {
        d.kv(2, "Type", "HostPath (bare host directory volume)");
        d.kv(2, "Path", text(h, "/path"));
        d.kv(2, "HostPathType", text(h, "/type"));
    } else if let Some(e) = v.get("emptyDir") {
        d.kv(
            2,
            "Type",
            "EmptyDir (a temporary directory that shares a pod's lifetime)",
        );
        d.kv(
            2,
            "Medium",
            if text(e, "/medium").is_empty() {
                " "
            } else {
                text(e, "/medium")
            },
        );
        let size = text(e, "/sizeLimit");
        d.kv(
            2,
            "SizeLimit",
            if size.is_empty() { "<unset>" } else { size },
        );
    } else if let Some(s) = v.get("secret") {
        d.kv(2, "Type", "Secret (a volume populated by a Secret)");
        d.kv(2, "SecretName", text(s, "/secretName"));
        d.kv(2, "Optional", b(s, "optional"));
    } else if let Some(c) = v.get("configMap") {
        d.kv(2, "Type", "ConfigMap (a volume populated by a ConfigMap)");
        d.kv(2, "Name", text(c, "/name"));
        d.kv(2, "Optional", b(c, "optional"));
    } else if let Some(c) = v.get("persistentVolumeClaim") {
        d.kv(
            2,
            "Type",
            "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
        );
        d.kv(2, "ClaimName", text(c, "/claimName"));
        d.kv(2, "ReadOnly", b(c, "readOnly"));
    } else if let Some(p) = v.get("projected") {
        d.kv(
            2,
            "Type",
            "Projected (a volume that contains injected data from multiple sources)",
        );
        for s in items(p, "/sources") {
            if let Some(x) = s.get("secret") {
                d.kv(2, "SecretName", text(x, "/name"));
                d.kv(2, "Optional", b(x, "optional"));
            } else if s.get("downwardAPI").is_some() {
                d.kv(2, "DownwardAPI", "true");
            } else if let Some(x) = s.get("configMap") {
                d.kv(2, "ConfigMapName", text(x, "/name"));
                d.kv(2, "Optional", b(x, "optional"));
            } else if let Some(x) = s.get("serviceAccountToken") {
                d.kv(
                    2,
                    "TokenExpirationSeconds",
                    &scalar(x.get("expirationSeconds")),
                );
            }
        }
    } else if let Some(x) = v.get("downwardAPI") {
        d.kv(
            2,
            "Type",
            "DownwardAPI (a volume populated by information about the pod)",
        );
        d.section(2, "Items");
        for i in items(x, "/items") {
            let from = match (i.get("fieldRef"), i.get("resourceFieldRef")) {
                (Some(f), _) => text(f, "/fieldPath"),
                (_, Some(r)) => text(r, "/resource"),
                _ => "",
            };
            d.line(3, &format!("{from} -> {}", text(i, "/path")));
        }
    } else if let Some(x) = v.get("csi") {
        d.kv(
            2,
            "Type",
            "CSI (a Container Storage Interface (CSI) volume source)",
        );
        d.kv(2, "Driver", text(x, "/driver"));
        d.kv(2, "FSType", text(x, "/fsType"));
        d.kv(2, "ReadOnly", b(x, "readOnly"));
    } else if let Some(x) = v.get("nfs") {
        d.kv(
            2,
            "Type",
            "NFS (an NFS mount that lasts the lifetime of a pod)",
        );
        d.kv(2, "Server", text(x, "/server"));
        d.kv(2, "Path", text(x, "/path"));
        d.kv(2, "ReadOnly", b(x, "readOnly"));
    } else {
        let kind = v
            .as_object()
            .and_then(|m| m.keys().find(|k| k.as_str() != "name"))
            .cloned()
            .unwrap_or_default();
        d.kv(2, "Type", &kind);
    }
}

/// Tolerations sorted by key, as kubectl writes them (`key=value:Effect op=Exists for 300s`).
pub fn tolerations(d: &mut Doc, list: Option<&Value>) {
    let mut list: Vec<&Value> = list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    list.sort_by_key(|t| text(t, "/key"));
    let lines: Vec<String> = list.into_iter().map(toleration).collect();
    d.list(0, "Tolerations", &lines);
}

fn toleration(t: &Value) -> String {
    let key = text(t, "/key");
    let mut s = key.to_string();
    let value = text(t, "/value");
    if !value.is_empty() {
        s.push('=');
        s.push_str(value);
    }
    let effect = text(t, "/effect");
    if !effect.is_empty() {
        s.push(':');
        s.push_str(effect);
    }
    if text(t, "/operator") == "Exists" && value.is_empty() {
        s.push_str(if key.is_empty() && effect.is_empty() {
            "op=Exists"
        } else {
            " op=Exists"
        });
    }
    if let Some(secs) = t.get("tolerationSeconds").and_then(Value::as_i64) {
        s.push_str(&format!(" for {secs}s"));
    }
    s
}
