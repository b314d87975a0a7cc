//! Every class of credential leak the adversarial pass on issue 27 found, planted in every
//! place a value can reach an answer — an object field, an annotation, a ConfigMap value
//! (flat and inside each document syntax), an env value, a log line (single and multi-line) —
//! and the everyday investigation data that must come back unchanged.
//!
//! Each case is `(what, text, secrets)`: `text` holds the credential in one syntax, and no
//! `secret` may appear in what any carrier shows.

use kubeglass::redact::{self, LogRedactor, RedactSettings, Source};
use serde_json::{Value, json};

/// Texts that hold a credential, by class (issue 27's list), with the secret parts.
fn cases() -> Vec<(&'static str, String, Vec<&'static str>)> {
    let c = |what, text: &str, secrets: &[&'static str]| (what, text.to_string(), secrets.to_vec());
    vec![
        // 1. A sensitive key whose value is not a string (as text: JSON documents).
        c(
            "json array",
            r#"{"password": ["Arr4yPw1", "Arr4yPw2"]}"#,
            &["Arr4yPw1", "Arr4yPw2"],
        ),
        c(
            "json nested value",
            r#"{"apiToken": {"value": "N3stedTok"}}"#,
            &["N3stedTok"],
        ),
        c(
            "json number",
            r#"{"apiKey": 44771234567}"#,
            &["44771234567"],
        ),
        c(
            "json name/value",
            r#"[{"name": "DB_PASSWORD", "value": "NvPair99"}]"#,
            &["NvPair99"],
        ),
        c(
            "json key/value",
            r#"{"key": "password", "value": "KvPair77"}"#,
            &["KvPair77"],
        ),
        c(
            "tekton default",
            r#"{"name": "db-password", "default": "TknDef55"}"#,
            &["TknDef55"],
        ),
        c(
            "json raw value",
            r#"{"name": "DB_PASSWORD", "value": {"raw": "RawVal33"}}"#,
            &["RawVal33"],
        ),
        c(
            "spring json",
            r#"{"spring":{"datasource":{"url":"jdbc:x","password":"Spr1ngPw"}}}"#,
            &["Spr1ngPw"],
        ),
        c(
            "json in text",
            r#"config loaded {"password": ["InTxtArr9"]} ok"#,
            &["InTxtArr9"],
        ),
        c(
            "json obj in text",
            r#"cfg={"apiToken": {"value": "InTxtObj8"}}"#,
            &["InTxtObj8"],
        ),
        c(
            "escaped json",
            r#"{\"password\":\"EscJs0n1\"}"#,
            &["EscJs0n1"],
        ),
        // 2. Documents inside strings.
        c(
            "yaml block literal",
            "db:\n  password: |\n    BlockLit01\n    BlockLit02\n  user: app\n",
            &["BlockLit01", "BlockLit02"],
        ),
        c(
            "yaml folded",
            "password: >-\n  F0ldedPw\nother: 1\n",
            &["F0ldedPw"],
        ),
        c(
            "yaml anchor",
            "password: &pw Anch0rPw\ncopy: *pw\n",
            &["Anch0rPw"],
        ),
        c("yaml tag", "password: !!str T4ggedPw\n", &["T4ggedPw"]),
        c(
            "yaml list",
            "tokens:\n  - L1stTok1\n  - L1stTok2\nname: x\n",
            &["L1stTok1", "L1stTok2"],
        ),
        c(
            "yaml seq same indent",
            "secrets:\n- SeqSame1\n- SeqSame2\nname: x\n",
            &["SeqSame1", "SeqSame2"],
        ),
        c(
            "yaml nested map",
            "credentials:\n  user: bob\n  pass: N3stMapPw\nport: 1\n",
            &["N3stMapPw"],
        ),
        c(
            "xml element",
            "<config><password>XmlPw001</password></config>",
            &["XmlPw001"],
        ),
        c(
            "xml cdata",
            "<db><secret><![CDATA[CdataPw9]]></secret></db>",
            &["CdataPw9"],
        ),
        c(
            "xml ns",
            "<a:clientSecret>NsSecr3t</a:clientSecret>",
            &["NsSecr3t"],
        ),
        c(
            "hadoop property",
            "<property>\n  <name>fs.s3a.secret.key</name>\n  <value>HadoopSk1</value>\n</property>",
            &["HadoopSk1"],
        ),
        c(
            "xml attributes",
            r#"<add key="DbPassword" value="AttrPw42"/>"#,
            &["AttrPw42"],
        ),
        c(
            "toml triple",
            "password = \"\"\"Tr1pleQ\"\"\"\n",
            &["Tr1pleQ"],
        ),
        c(
            "toml triple multi",
            "password = '''\nTr1pleM1\nTr1pleM2\n'''\nuser = \"x\"\n",
            &["Tr1pleM1", "Tr1pleM2"],
        ),
        c(
            "ini",
            "[db]\nhost = x\npassword = IniPw123\n",
            &["IniPw123"],
        ),
        c(
            "properties",
            "spring.datasource.password=PropPw12\nspring.datasource.url=jdbc:x\n",
            &["PropPw12"],
        ),
        c("properties colon", "db.password:PropCol9\n", &["PropCol9"]),
        c(
            "form body",
            "user%3Dbob%26password%3DFormPw77",
            &["FormPw77"],
        ),
        c(
            "form body plain",
            "user=bob&password=FormPl4n&x=1",
            &["FormPl4n"],
        ),
        c(
            "cookie header",
            "Cookie: theme=dark; session_id=C00kieSid; csrftoken=CsrfT0k3n",
            &["C00kieSid", "CsrfT0k3n"],
        ),
        c(
            "set-cookie",
            "Set-Cookie: sid=SetC00k1e; Path=/; HttpOnly",
            &["SetC00k1e"],
        ),
        c(
            "signed url sig",
            "https://x.blob.core.windows.net/c/b?sv=2020&sig=AbCd%2BEf%3D123",
            &["AbCd%2BEf", "AbCd+Ef"],
        ),
        c(
            "goog signature",
            "https://storage.googleapis.com/b/o?X-Goog-Signature=9f8e7d6c5b4a39281706",
            &["9f8e7d6c5b4a39281706"],
        ),
        c(
            "aws signature",
            "https://b.s3.amazonaws.com/k?X-Amz-Signature=a1b2c3d4e5f60718&X-Amz-Credential=AKIDX%2F2024",
            &["a1b2c3d4e5f60718"],
        ),
        // 3. Shapes of tools.
        c(
            "oracle jdbc",
            "jdbc:oracle:thin:scott/OraT1ger@db:1521/ORCL",
            &["OraT1ger"],
        ),
        c("sqlplus", "sqlplus system/SqlPlusPw1@prod", &["SqlPlusPw1"]),
        c(
            "ezconnect",
            "app/EzConnPw@//db.example:1521/svc",
            &["EzConnPw"],
        ),
        c(
            "netrc one line",
            "machine api.example.com login bob password N3trcPw",
            &["N3trcPw"],
        ),
        c(
            "netrc lines",
            "machine api.example.com\n  login bob\n  password N3trcLn\n",
            &["N3trcLn"],
        ),
        c(
            "identified by",
            "CREATE USER app IDENTIFIED BY 'IdentPw1';",
            &["IdentPw1"],
        ),
        c(
            "mongodb",
            "mongodb://app:M0ngo%40Pw@db1,db2/?replicaSet=rs0",
            &["M0ngo"],
        ),
        c(
            "mongodb at",
            "mongodb+srv://app:M0ngo@AtPw@cluster0.example.net/db",
            &["M0ngo@AtPw", "AtPw"],
        ),
        c(
            "odbc",
            "Driver={ODBC};Server=db;Uid=sa;Pwd={Odbc;Pw};",
            &["Odbc;Pw", "Odbc"],
        ),
        c(
            "ado",
            "Server=db;Database=x;User Id=sa;Password=Ado Pw 1;",
            &["Ado Pw 1", "Pw 1"],
        ),
        c(
            "sshpass",
            "sshpass -p 'SshP4ss' ssh root@host",
            &["SshP4ss"],
        ),
        c(
            "mysql -p",
            "mysql -u root -pMyS3cretPw app",
            &["MyS3cretPw"],
        ),
        c("redis requirepass", "requirepass R3disPw", &["R3disPw"]),
        c(
            "redis-cli -a",
            "redis-cli -h cache -a R3disCli ping",
            &["R3disCli"],
        ),
        c("curl -u", "curl -u admin:CurlPw99 https://x", &["CurlPw99"]),
        c("quoted after space", "PASSWORD 'QuotedSp1'", &["QuotedSp1"]),
        c("dovecot plain", "admin:{PLAIN}D0vecotPw", &["D0vecotPw"]),
        c(
            "bcrypt",
            "admin:$2y$10$abcdefghijklmnopqrstuu1234567890ABCDEFGHIJKLMNOPQRSTU",
            &["abcdefghijklmnopqrstuu1234567890ABCDEFGHIJKLMNOPQRSTU"],
        ),
        // 4. Multi-line values in logs are covered by the multi-line texts above.
        c(
            "pretty json",
            "{\n  \"password\": [\n    \"PrettyPw1\"\n  ],\n  \"user\": \"x\"\n}",
            &["PrettyPw1"],
        ),
        c(
            "pretty json next line",
            "\"password\":\n    \"NextLn99\"\n",
            &["NextLn99"],
        ),
        // 5. Key names disguised.
        c("cyrillic a", "p\u{430}ssword=Cyr1llic9", &["Cyr1llic9"]),
        c("zero width", "pass\u{200b}word=ZeroW1dth", &["ZeroW1dth"]),
        c(
            "fullwidth",
            "\u{ff50}\u{ff41}\u{ff53}\u{ff53}\u{ff57}\u{ff4f}\u{ff52}\u{ff44}=FullW1dth",
            &["FullW1dth"],
        ),
        c(
            "json cyrillic key",
            "{\"p\u{430}ssword\": \"CyrJs0n1\"}",
            &["CyrJs0n1"],
        ),
    ]
}

fn fetched(v: Value) -> String {
    redact::fetched(v, Source::Object, &RedactSettings::default())
        .value()
        .to_string()
}

fn log(text: &str) -> String {
    let mut r = LogRedactor::new(&RedactSettings::default());
    text.split('\n')
        .map(|l| r.redact_line(l).into_string())
        .collect::<Vec<_>>()
        .join("\n")
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
