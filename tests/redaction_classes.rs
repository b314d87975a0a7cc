//! Every class of credential leak the adversarial pass on issue 27 found, planted in every
//! place a value can reach an answer — an object field, an annotation, a ConfigMap value
//! (flat and inside each document syntax), an env value, a log line (single and multi-line) —
//! and the everyday investigation data that must come back unchanged.
//!
//! Each case is `(what, text, secrets)`: `text` holds the credential in one syntax, and no
//! `secret` may appear in what any carrier shows.

mod support;

use kubeglass::testing::logs::LogLines;
use kubeglass::testing::redact::{self, RedactSettings, Source};
use serde_json::{Value, json};
use support::classes::cases;

fn fetched(v: Value) -> String {
    redact::fetched(v, Source::Object, &RedactSettings::default())
        .value()
        .to_string()
}

fn log(text: &str) -> String {
    support::log_shown(text)
}

/// The carriers of one text: (where, what is shown).
fn carriers(text: &str) -> Vec<(&'static str, String)> {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                    "data": {"config": text}});
    let ann = json!({"apiVersion": "v1", "kind": "Pod",
                     "metadata": {"name": "p", "annotations": {"example.com/config": text}}});
    let env = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                     "spec": {"containers": [{"name": "a", "env": [{"name": "APP_CONFIG", "value": text}]}]}});
    let event =
        json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "message": text});
    vec![
        ("configmap value", fetched(cm)),
        ("annotation", fetched(ann)),
        ("env value", fetched(env)),
        ("event message", fetched(event)),
        ("log lines", log(text)),
        ("text", redact::text(text).into_owned()),
    ]
}

#[test]
fn no_class_of_planted_credential_comes_back_from_any_carrier() {
    let mut leaks = Vec::new();
    for (what, text, secrets) in cases() {
        for (carrier, shown) in carriers(&text) {
            // Shown JSON escapes: compare with the text as it would be escaped too.
            for s in &secrets {
                if shown.contains(s) {
                    leaks.push(format!("{what} in {carrier}: {s:?} shown in {shown}"));
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}

#[test]
fn a_yaml_value_written_before_its_name_is_hidden_in_whole_texts_and_log_streams() {
    // A log stream holds a `value:` line back until the lines below it tell (up to 32).
    let cases = [
        (
            "env:\n- value: VbnYml01\n  name: DB_PASSWORD\n- name: LOG_LEVEL\n  value: info\n",
            "VbnYml01",
        ),
        ("- value: VbnYml02\n  key: password\n", "VbnYml02"),
        // A generated password holding a closing bracket is a value, not a flow map's end.
        (
            "env:\n- value: Vbn7]kP9q\n  name: DB_PASSWORD\n",
            "Vbn7]kP9q",
        ),
        (
            "env:\n- value: \"Vbn}cd01\"\n  name: DB_PASSWORD\n",
            "Vbn}cd01",
        ),
        (
            "params:\n  - value: |\n      VbnBlk01\n    \"name\": \"api-token\"\n",
            "VbnBlk01",
        ),
    ];
    for (text, secret) in cases {
        for (carrier, shown) in carriers(text) {
            assert!(!shown.contains(secret), "{carrier}: {shown}");
        }
    }
    // With the kubelet's timestamps (`logs --timestamps`) too.
    let stamped = "2026-12-07T03:12:00.000000001Z - value: VbnTs001\n\
                   2026-12-07T03:12:00.000000002Z   name: DB_PASSWORD\n";
    assert!(!log(stamped).contains("VbnTs001"), "{}", log(stamped));
    // A harmless name keeps its value, whichever comes first, and the log keeps its lines.
    let plain = "env:\n- value: info\n  name: LOG_LEVEL\n- value: VbnKeep1\n  other: DB_PASSWORD\n";
    assert_eq!(redact::text(plain), plain);
    assert_eq!(log(plain), plain.trim_end());
}

#[test]
fn a_value_waiting_for_its_name_keeps_every_log_line_in_order_within_the_look_ahead() {
    // Each `value:` waits for lines below; deep lines never decide, so the wait ends at
    // its bounds (32 lines or 64 KiB) and every line still comes out, once, in order.
    let mut text = String::new();
    for i in 0..3 {
        text.push_str(&format!("- value: v{i}\n"));
        for j in 0..40 {
            text.push_str(&format!("    deep {i} {j} {}\n", "x".repeat(j * 300)));
        }
    }
    text.push_str("- value: VbnLate1\n  name: DB_PASSWORD\n");
    let shown = log(&text);
    let lines: Vec<&str> = shown.lines().collect();
    let want: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), want.len());
    assert_eq!(&lines[..want.len() - 2], &want[..want.len() - 2]);
    assert!(
        !shown.contains("VbnLate1"),
        "{:?}",
        &lines[want.len() - 2..]
    );
}

#[test]
fn a_long_token_the_read_cut_splits_shows_none_of_itself() {
    // The recorder keeps 300 bytes a line: a token starting before that and running past
    // what the reader keeps is left out whole, not shown up to the 300th byte.
    let text = format!("{} eyJ{}\nnext\n", "x".repeat(250), "A".repeat(5000));
    let reader = std::io::Cursor::new(text.into_bytes());
    let mut lines = LogLines::new(Box::new(reader), &RedactSettings::default(), 300);
    let first = lines
        .next_line()
        .expect("reads")
        .expect("a line")
        .into_string();
    assert!(!first.contains("eyJ"), "{first}");
    assert!(first.starts_with(&"x".repeat(250)), "{first}");
}

#[test]
fn a_map_key_shaped_like_a_token_is_hidden_and_its_value_kept() {
    let cr = json!({"apiVersion": "example.com/v1", "kind": "Team", "metadata": {"name": "t"},
        "spec": {"members": {"ghp_C1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8": "alice",
                             "ghp_D1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8": "bob"},
                 "tokens": {"ghp_E1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8": "carol"},
                 "owners": {"alice": "admin"}}});
    let shown: Value = serde_json::from_str(&fetched(cr)).unwrap();
    let text = shown.to_string();
    for s in ["C1b2C3d4E5f6", "D1b2C3d4E5f6", "E1b2C3d4E5f6"] {
        assert!(!text.contains(s), "{s} in {text}");
    }
    let tokens = shown["spec"]["members"].as_object().unwrap();
    let mut users: Vec<_> = tokens.values().filter_map(Value::as_str).collect();
    users.sort_unstable();
    assert_eq!(users, ["alice", "bob"], "{text}");
    assert_eq!(shown["spec"]["owners"]["alice"], "admin", "{text}");
}

#[test]
fn a_sensitive_field_hides_its_value_whatever_its_type() {
    let crd = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
    "spec": {
        "password": ["TypeArr1"],
        "secret": {"value": "TypeObj1"},
        "token": {"data": "TypeObj2"},
        "apiKey": 4477001122_u64,
        "params": [{"name": "db-password", "default": "TypeTkn1"},
                   {"key": "password", "value": "TypeKv01"},
                   {"name": "DB_PASSWORD", "value": {"raw": "TypeRaw1"}}],
        "enabled": true,
    }});
    let shown = fetched(crd);
    for s in [
        "TypeArr1",
        "TypeObj1",
        "TypeObj2",
        "4477001122",
        "TypeTkn1",
        "TypeKv01",
        "TypeRaw1",
    ] {
        assert!(!shown.contains(s), "{s} in {shown}");
    }
    assert!(shown.contains("\"enabled\":true"), "{shown}");
}

#[test]
fn a_table_column_with_a_sensitive_name_is_hidden_whatever_its_type() {
    let table = json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1",
        "columnDefinitions": [{"name": "Name", "type": "string"}, {"name": "API Key", "type": "integer"}],
        "rows": [{"cells": ["w", 987654321], "object": {"metadata": {"name": "w"}}}]});
    let shown = fetched(table);
    assert!(!shown.contains("987654321"), "{shown}");
}

#[test]
fn references_to_credentials_stay_readable() {
    // A Secret volume, image pull secrets and a secret selector name credentials without
    // holding them: an investigation needs them.
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "imagePullSecrets": [{"name": "regcred"}],
        "volumes": [{"name": "creds", "secret": {"secretName": "db-creds", "defaultMode": 420,
                     "items": [{"key": "password", "path": "pw"}], "optional": false}}],
        "containers": [{"name": "a", "env": [{"name": "DB_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "db-creds", "key": "password"}}}]}]}});
    let shown: Value = serde_json::from_str(&fetched(pod)).unwrap();
    let spec = &shown["spec"];
    assert_eq!(spec["imagePullSecrets"][0]["name"], "regcred");
    assert_eq!(spec["volumes"][0]["secret"]["secretName"], "db-creds");
    assert_eq!(spec["volumes"][0]["secret"]["defaultMode"], 420);
    assert_eq!(spec["volumes"][0]["secret"]["items"][0]["key"], "password");
    assert_eq!(spec["volumes"][0]["secret"]["items"][0]["path"], "pw");
    assert_eq!(
        spec["containers"][0]["env"][0]["valueFrom"]["secretKeyRef"]["name"],
        "db-creds"
    );
}

#[test]
fn credential_flags_in_any_word_list_are_hidden() {
    let cr = json!({"apiVersion": "example.com/v1", "kind": "Job", "metadata": {"name": "j"},
        "spec": {"extraArgs": ["--password", "ArgvPw01", "-u", "admin:ArgvPw02"],
                 "command": ["sshpass", "-p", "ArgvPw03", "ssh", "host"],
                 "args": ["redis-cli", "-a", "ArgvPw04"],
                 "other": ["mysql", "-pArgvPw05"]}});
    let shown = fetched(cr);
    for s in ["ArgvPw01", "ArgvPw02", "ArgvPw03", "ArgvPw04", "ArgvPw05"] {
        assert!(!shown.contains(s), "{s} in {shown}");
    }
    assert!(shown.contains("admin:"), "{shown}");
}

/// Everyday investigation data that must come back exactly as it was.
const BENIGN: &[&str] = &[
    "request_id=01HZY3V5QK9T3M2N8P7R6S4W1X status=200 duration=12ms",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    "pulling image registry.example.com/shop/api@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "containerd://3b1c5f7e9a2d4c6b8e0f1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c1e3b",
    "commit 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b deployed",
    "uid: 6f1a2b3c-4d5e-6f7a-8b9c-0d1e2f3a4b5c",
    "Back-off restarting failed container api in pod api-7d9f8c6b5-x2k4q_shop(6f1a2b3c-4d5e-6f7a-8b9c-0d1e2f3a4b5c)",
    "Readiness probe failed: Get \"http://10.244.1.7:8080/healthz\": dial tcp 10.244.1.7:8080: connect: connection refused",
    "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available",
    "panic: runtime error: invalid memory address or nil pointer dereference",
    "\tat com.example.Service.handle(Service.java:42)",
    "GET /api/v1/namespaces/shop/pods?limit=500 200 OK 3ms",
    "key loaded",
    "password changed for user bob",
    "token expired, refreshing",
    "invalid password for bob",
    "MountVolume.SetUp failed for volume \"db-creds\" : secret \"db-creds\" not found",
    "Successfully assigned shop/api-7d9f8c6b5-x2k4q to node-1",
    "level=info msg=\"listening\" addr=:8080",
    "{\"level\":\"info\",\"msg\":\"started\",\"port\":8080}",
    "connection identified by id 42",
    r#"{"msg":"caf\u00e9 ready","user":"b\u006fb","sep":"\u0026"} tail"#,
];

#[test]
fn everyday_investigation_data_comes_back_unchanged() {
    let mut changed = Vec::new();
    for b in BENIGN {
        let shown = redact::text(b);
        if shown != *b {
            changed.push(format!("{b}\n  → {shown}"));
        }
        let logged = log(b);
        if logged != *b {
            changed.push(format!("(log) {b}\n  → {logged}"));
        }
    }
    assert!(changed.is_empty(), "{}", changed.join("\n"));
}
