//! The flight recorder's capture of a terminated container's last log lines keeps the
//! redactor's promise however the log is cut (fake API, no testbed): a value whose name
//! opened above the lines kept (`password: |` and its block, pretty-printed JSON, a
//! `.properties` continuation, `name: DB_PASSWORD` above its `value:`) is hidden, and no
//! byte cut made before redaction (the kubelet's `limitBytes`) splits a credential so its
//! shape no longer matches (a URL's password cut before its `@`, a token cut short).
//! The fake kubelet honours `tailLines` and `limitBytes` exactly as the real one does.
//! Driven through `kubeglass run --stdio --record`, read back by `history` (table and JSON).

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::fake_api::{FakeApi, Seen};

/// Lines of each fake container log.
const LINES: usize = 100;

/// Filler line (419 bytes and a newline), long enough that the tail's first 19 lines fill
/// most of an 8 KiB `limitBytes`.
fn filler(i: usize) -> String {
    let mut l = format!("INFO request {i:03} served");
    while l.len() < 419 {
        l.push_str(" ok");
    }
    l.truncate(419);
    l
}

/// What each container planted, and the secret parts that must never come back.
fn planted(container: &str) -> Option<(Vec<String>, &'static [&'static str])> {
    // `open` is written just above the newest 20 lines; `body` is the newest lines.
    let (open, body, secrets): (&[&str], Vec<String>, &'static [&'static str]) = match container {
        "yaml" => (
            &["db:", "  password: |"],
            vec!["    YamlBlockLeak01".into(), "    YamlBlockLeak02".into()],
            &["YamlBlockLeak01", "YamlBlockLeak02"],
        ),
        "json" => (
            &["{", "  \"apiTokens\": ["],
            vec!["    \"JsonPrettyLeak03\"".into(), "  ]".into(), "}".into()],
            &["JsonPrettyLeak03"],
        ),
        "props" => (
            &["db.password=PropsHead00 \\"],
            vec!["    PropsContLeak04".into()],
            &["PropsHead00", "PropsContLeak04"],
        ),
        "namevalue" => (
            &["- name: DB_PASSWORD"],
            vec!["  value: NameValueLeak05".into()],
            &["NameValueLeak05"],
        ),
        // The newest line starts at byte 7980 of the tail (19 filler lines of 420 bytes):
        // a cut at 8192 falls 212 bytes into it, inside the credential.
        "cuturl" => (
            &[],
            vec![format!(
                "{:<185}postgres://app:UrlCutLeak06@db:5432/shop",
                "WARN retrying the database at"
            )],
            &["UrlCutLeak06"],
        ),
        "cuttoken" => (
            &[],
            vec![format!(
                "{:<190}ghp_16C7e42F292c6912E7710c838347Ae178B4a",
                "WARN pushing with"
            )],
            &["16C7e42F292c6912E7"],
        ),
        // A line longer than the reader keeps (the redactor sees its first 4 KiB and a bit)
        // that opens a value at its end: the line below is that value.
        "longline" => (
            &[],
            vec![
                format!("{} db.password=LongHd07 \\", "x".repeat(5000)),
                "    LongTl08".into(),
            ],
            &["LongTl08"],
        ),
        _ => return None,
    };
    let mut lines: Vec<String> = (0..LINES).map(filler).collect();
    let start = LINES - body.len();
    for (i, l) in body.into_iter().enumerate() {
        lines[start + i] = l;
    }
    // The opener sits just above the newest 20 lines.
    let above = LINES - 20;
    for (i, l) in open.iter().enumerate() {
        lines[above - open.len() + i] = l.to_string();
    }
    // A YAML block's indented lines run from its opener into the newest lines.
    if container == "yaml" {
        for l in lines.iter_mut().take(start).skip(above) {
            *l = "    YamlBlockLeak01".to_string();
        }
    }
    // A JSON list's items, and `.properties` continuation lines, likewise.
    let between = match container {
        "json" => Some("    \"JsonPrettyLeak03\","),
        "props" => Some("    PropsContLeak04 \\"),
        _ => None,
    };
    if let Some(b) = between {
        for l in lines.iter_mut().take(start).skip(above) {
            *l = b.to_string();
        }
    }
    Some((lines, secrets))
}

const CONTAINERS: [&str; 7] = [
    "yaml",
    "json",
    "props",
    "namevalue",
    "cuturl",
    "cuttoken",
    "longline",
];

fn query(url: &str, key: &str) -> Option<usize> {
    let q = url.split_once('?')?.1;
    q.split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
}

/// The kubelet's answer: the newest `tailLines` lines, then the first `limitBytes` bytes.
fn answer(s: &Seen) -> Option<(u16, String)> {
    let url = s.url.as_str();
    if url.starts_with("/api/v1/namespaces/shop/pods/leaky-1/log?") {
        let container = url
            .split(['?', '&'])
            .find_map(|kv| kv.strip_prefix("container="))?;
        let (lines, _) = planted(container)?;
        let tail = query(url, "tailLines")
            .unwrap_or(lines.len())
            .min(lines.len());
        let mut body: String = lines[lines.len() - tail..]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        if let Some(limit) = query(url, "limitBytes") {
            body.truncate(limit.min(body.len()));
        }
        return Some((200, body));
    }
    if url.starts_with("/api/v1/pods") {
        let statuses: Vec<Value> = CONTAINERS
            .iter()
            .map(|c| {
                json!({"name": c, "restartCount": 1, "state": {"running": {}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                    "finishedAt": "2026-12-07T03:12:00Z"}}})
            })
            .collect();
        let pod = json!({"metadata": {"name": "leaky-1", "namespace": "shop", "uid": "uid-leaky-1",
            "resourceVersion": "1"}, "spec": {"nodeName": "node-1"},
            "status": {"phase": "Running", "containerStatuses": statuses}});
        if url.contains("watch=1") {
            // Nothing more happens: the watch ends at once, the next one too.
            return Some((200, String::new()));
        }
        let list = json!({"kind": "PodList", "apiVersion": "v1",
            "metadata": {"resourceVersion": "100"}, "items": [pod]});
        return Some((200, list.to_string()));
    }
    None
}

#[test]
fn recorded_log_lines_hide_values_opened_above_the_window_and_split_by_a_byte_cut() {
    let api = FakeApi::start_with(answer);
    let mut agent = api.recording_agent();
    let mut ask = |id: &str, kubectl: &str| -> String {
        let v = agent.answer(id, kubectl);
        // A large answer comes gzip+base64'd, as on the wire.
        kubeglass::testing::protocol::join_parts(&[v]).expect("one whole answer")
    };
    let end = Instant::now() + Duration::from_secs(30);
    let mut table = String::new();
    while Instant::now() < end {
        table = ask("t", "history -A");
        if CONTAINERS
            .iter()
            .all(|c| table.contains(&format!("container {c} terminated")))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let json_form = ask("j", "history -A -o json");
    for c in CONTAINERS {
        assert!(
            table.contains(&format!("container {c} terminated")),
            "{c} recorded: {table}"
        );
    }
    let mut leaked = Vec::new();
    for c in CONTAINERS {
        let (_, secrets) = planted(c).expect("planted");
        for s in secrets {
            if table.contains(s) || json_form.contains(s) {
                leaked.push(format!("{c}: {s}"));
            }
        }
    }
    assert!(
        leaked.is_empty(),
        "leaked {leaked:?}\n--- table:\n{table}\n--- json:\n{json_form}"
    );
    // The newest line is still what the record shows (context is read, not kept).
    assert!(
        table.contains("    | }") && table.contains("postgres://app:<redacted>@db"),
        "{table}"
    );
}
