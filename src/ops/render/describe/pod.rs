//! Pods and the containers of pod templates.

use serde_json::Value;

use super::{Doc, clip, items, scalar, text};

/// `describe pod`.
pub fn pod(d: &mut Doc, p: &Value) {
    d.kv(0, "Name", text(p, "/metadata/name"));
    d.kv(0, "Namespace", text(p, "/metadata/namespace"));
    d.kv(0, "Priority", &scalar(p.pointer("/spec/priority")));
    d.kv_some(0, "Priority Class Name", text(p, "/spec/priorityClassName"));
    d.kv(0, "Service Account", text(p, "/spec/serviceAccountName"));
    let node = text(p, "/spec/nodeName");
    let host_ip = text(p, "/status/hostIP");
    d.kv(
        0,
        "Node",
        &if host_ip.is_empty() {
            node.to_string()
        } else {
            format!("{node}/{host_ip}")
        },
    );
    d.kv(0, "Start Time", text(p, "/status/startTime"));
    d.map(0, "Labels", p.pointer("/metadata/labels"));
    d.map(0, "Annotations", p.pointer("/metadata/annotations"));
    let status = if p.pointer("/metadata/deletionTimestamp").is_some() {
        "Terminating"
    } else {
        text(p, "/status/phase")
    };
    d.kv(0, "Status", status);
    d.kv_some(0, "Reason", text(p, "/status/reason"));
    d.kv_some(0, "Message", text(p, "/status/message"));
    d.kv(0, "IP", text(p, "/status/podIP"));
    d.controlled_by(p);
    let statuses = |list: &str| -> Vec<&Value> { items(p, &format!("/status/{list}")).collect() };
    if p.pointer("/spec/initContainers").is_some() {
        d.section(0, "Init Containers");
        for c in items(p, "/spec/initContainers") {
            container(d, c, find_status(&statuses("initContainerStatuses"), c));
        }
    }
    d.section(0, "Containers");
    for c in items(p, "/spec/containers") {
        container(d, c, find_status(&statuses("containerStatuses"), c));
    }
    d.conditions(0, p);
    volumes(d, p);
    d.kv(0, "QoS Class", text(p, "/status/qosClass"));
    d.map(0, "Node-Selectors", p.pointer("/spec/nodeSelector"));
    let tolerations: Vec<String> = items(p, "/spec/tolerations").map(toleration).collect();
    d.list(0, "Tolerations", &tolerations);
}

fn find_status<'a>(statuses: &[&'a Value], c: &Value) -> Option<&'a Value> {
    let name = text(c, "/name");
    statuses.iter().copied().find(|s| text(s, "/name") == name)
}

/// One container: image, ports, state, last state, readiness, resources, probes, env, mounts.
pub fn container(d: &mut Doc, c: &Value, status: Option<&Value>) {
    d.section(1, text(c, "/name"));
    if let Some(s) = status {
        d.kv_some(2, "Container ID", text(s, "/containerID"));
    }
    d.kv(2, "Image", text(c, "/image"));
    if let Some(s) = status {
        d.kv_some(2, "Image ID", text(s, "/imageID"));
    }
    let ports: Vec<String> = items(c, "/ports")
        .map(|p| {
            let proto = match text(p, "/protocol") {
                "" => "TCP",
                x => x,
            };
            let name = text(p, "/name");
            let name = if name.is_empty() {
                String::new()
            } else {
                format!(" ({name})")
            };
            format!("{}/{proto}{name}", scalar(p.get("containerPort")))
        })
        .collect();
    d.kv(2, "Port", &ports.join(", "));
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
        d.kv(2, "Ready", &scalar(s.get("ready")));
        d.kv(2, "Restart Count", &scalar(s.get("restartCount")));
    }
    for (key, label) in [("limits", "Limits"), ("requests", "Requests")] {
        if let Some(m) = c
            .pointer(&format!("/resources/{key}"))
            .and_then(Value::as_object)
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
    env(d, c);
    let mounts: Vec<String> = items(c, "/volumeMounts")
        .map(|m| {
            let ro = if m.get("readOnly").and_then(Value::as_bool) == Some(true) {
                "ro"
            } else {
                "rw"
            };
            format!("{} from {} ({ro})", text(m, "/mountPath"), text(m, "/name"))
        })
        .collect();
    d.list(2, "Mounts", &mounts);
}

fn words(d: &mut Doc, c: &Value, key: &str, label: &str) {
    let w: Vec<String> = items(c, &format!("/{key}"))
        .map(|x| clip(&scalar(Some(x)), 300))
        .collect();
    if !w.is_empty() {
        d.section(2, label);
        for x in w {
            d.line(3, &x);
        }
    }
}

/// `State: Waiting` with its reason, or `Terminated` with exit code and times.
fn state(d: &mut Doc, label: &str, s: Option<&Value>) {
    let Some(m) = s.and_then(Value::as_object) else {
        d.kv(2, label, "<unknown>");
        return;
    };
    let Some((which, detail)) = m.iter().next() else {
        d.kv(2, label, "<unknown>");
        return;
    };
    let name = match which.as_str() {
        "running" => "Running",
        "waiting" => "Waiting",
        "terminated" => "Terminated",
        other => other,
    };
    d.kv(2, label, name);
    d.kv_some(3, "Reason", text(detail, "/reason"));
    d.kv_some(3, "Message", &clip(text(detail, "/message"), 300));
    d.kv_some(3, "Exit Code", &scalar(detail.get("exitCode")));
    d.kv_some(3, "Signal", &scalar(detail.get("signal")));
    d.kv_some(3, "Started", text(detail, "/startedAt"));
    d.kv_some(3, "Finished", text(detail, "/finishedAt"));
}

/// kubectl's probe line: `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`.
fn probe(p: &Value) -> String {
    let how = if let Some(h) = p.get("httpGet") {
        let scheme = match text(h, "/scheme") {
            "" => "http".to_string(),
            s => s.to_lowercase(),
        };
        format!(
            "http-get {scheme}://{}:{}{}",
            text(h, "/host"),
            scalar(h.get("port")),
            text(h, "/path")
        )
    } else if let Some(t) = p.get("tcpSocket") {
        format!("tcp-socket :{}", scalar(t.get("port")))
    } else if let Some(e) = p.get("exec") {
        let cmd: Vec<String> = items(e, "/command").map(|x| scalar(Some(x))).collect();
        format!("exec [{}]", cmd.join(" "))
    } else if let Some(g) = p.get("grpc") {
        format!("grpc <pod>:{}", scalar(g.get("port")))
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

/// Environment: literal values (already redacted by the caller) and references, like kubectl.
fn env(d: &mut Doc, c: &Value) {
    let vars: Vec<&Value> = items(c, "/env").collect();
    let from: Vec<&Value> = items(c, "/envFrom").collect();
    if vars.is_empty() && from.is_empty() {
        d.kv(2, "Environment", "<none>");
        return;
    }
    for f in from {
        let (kind, name) = match (f.get("configMapRef"), f.get("secretRef")) {
            (Some(cm), _) => ("ConfigMap", text(cm, "/name")),
            (_, Some(s)) => ("Secret", text(s, "/name")),
            _ => ("?", ""),
        };
        d.kv(
            2,
            "Environment Variables from",
            &format!("{name} {kind} Optional: false"),
        );
    }
    d.section(2, "Environment");
    for v in vars {
        let name = text(v, "/name");
        let value = match v.get("valueFrom") {
            None => clip(&scalar(v.get("value")), 300),
            Some(src) => value_from(src),
        };
        d.kv(
            3,
            name,
            &if value.is_empty() {
                "\"\"".to_string()
            } else {
                value
            },
        );
    }
}

fn value_from(src: &Value) -> String {
    if let Some(s) = src.get("secretKeyRef") {
        format!(
            "<set to the key '{}' in secret '{}'>",
            text(s, "/key"),
            text(s, "/name")
        )
    } else if let Some(c) = src.get("configMapKeyRef") {
        format!(
            "<set to the key '{}' of config map '{}'>",
            text(c, "/key"),
            text(c, "/name")
        )
    } else if let Some(f) = src.get("fieldRef") {
        format!("({}) ", text(f, "/fieldPath"))
    } else if let Some(r) = src.get("resourceFieldRef") {
        format!("{} ({})", text(r, "/resource"), text(r, "/containerName"))
    } else {
        "<unknown source>".into()
    }
}

fn volumes(d: &mut Doc, p: &Value) {
    let vols: Vec<&Value> = items(p, "/spec/volumes").collect();
    if vols.is_empty() {
        d.kv(0, "Volumes", "<none>");
        return;
    }
    d.section(0, "Volumes");
    for v in vols {
        d.section(1, text(v, "/name"));
        let kind = v
            .as_object()
            .and_then(|m| m.iter().find(|(k, _)| k.as_str() != "name"))
            .map(|(k, src)| {
                let detail = ["secretName", "name", "claimName", "path", "medium"]
                    .iter()
                    .find_map(|f| src.get(*f).and_then(Value::as_str))
                    .unwrap_or("");
                if detail.is_empty() {
                    k.clone()
                } else {
                    format!("{k} ({detail})")
                }
            })
            .unwrap_or_default();
        d.kv(2, "Type", &kind);
    }
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
        s.push_str(" op=Exists");
    }
    if let Some(secs) = t.get("tolerationSeconds").and_then(Value::as_i64) {
        s.push_str(&format!(" for {secs}s"));
    }
    s
}
