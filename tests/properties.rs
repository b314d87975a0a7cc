//! Property tests (proptest): promises that must hold for *any* input, not only the cases
//! written by hand beside the code. Each property names the promise it keeps; a failure
//! prints the smallest input proptest could shrink it to (keep it as a unit test when fixed).
//!
//! - commands: whatever the parser accepts round-trips through the JSON form (and the wire
//!   message), and no write verb ever validates, in either form;
//! - the output budget: the text stays within the budget plus its note, is cut between whole
//!   chunks, JSON stays one valid document, and a note says so whenever anything was dropped;
//! - result parts: split → join is byte-identical for any text and any `MaximumMessageSize`,
//!   and every part fits;
//! - redaction: a credential of each known shape, between random text, never survives (in
//!   free text and in a log line).

use kubeglass::Code;
use kubeglass::testing::command::{Command, parse_args, parse_json, parse_line};
use kubeglass::testing::output::budget::Budget;
use kubeglass::testing::output::{Format, Output};
use kubeglass::testing::protocol::{self, AgentInfo, Result1};
use kubeglass::testing::redact::{self, LogRedactor, RedactSettings};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

/// `n` cases a property (or `PROPTEST_CASES`, for a longer exploring run); failures are
/// printed (shrunk), not persisted to files.
fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n);
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------- commands

/// The verbs kubectl has that change the cluster or open a channel into it.
const WRITE_VERBS: &[&str] = &[
    "delete",
    "apply",
    "create",
    "edit",
    "patch",
    "replace",
    "scale",
    "autoscale",
    "label",
    "annotate",
    "set",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "run",
    "expose",
    "debug",
    "certificate",
    "exec",
    "attach",
    "port-forward",
    "cp",
    "proxy",
];

const READ_VERBS: &[&str] = &[
    "get",
    "list",
    "describe",
    "logs",
    "events",
    "endpoints",
    "top",
    "api-resources",
    "version",
    "triage",
];

/// One word of a kubectl-style command: resource types, names, flags with and without
/// values, and some odd words.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "pods",
            "pod",
            "po",
            "deploy",
            "deployments.apps",
            "svc",
            "nodes",
            "node",
            "secrets",
            "widgets.example.com",
            "deploy/web",
            "pod/api-1",
            "-A",
            "-p",
            "--previous",
            "--all-containers",
            "--timestamps",
            "-o",
            "-n",
            "-l",
            "-c",
            "--tail",
            "--since",
            "--grep",
            "--for",
            "--types",
            "--limit-bytes",
            "--max-log-requests",
            "--max-output-bytes",
            "--field-selector",
            "--since-time",
            "history",
            "web",
            "api-1",
            "shop",
            "json",
            "yaml",
            "wide",
            "name",
            "table",
            "app=web",
            "Warning",
            "pod/api-1",
            "5",
            "-1",
            "10s",
            "2024-01-01T00:00:00Z",
            "ERROR|panic",
            "--watch",
            "-w",
            "--raw",
            "..",
            "a/b/c",
        ])
        .prop_map(str::to_string),
        "[a-z][a-z0-9-]{0,12}",
        "--[a-z-]{1,12}(=[a-z0-9]{0,6})?",
        "-n=[a-z]{1,8}",
        "--namespace=[a-z]{1,8}",
        "--tail=[0-9]{1,4}",
        "-o=(json|yaml|wide|name)",
        "\\PC{0,10}",
    ]
}

/// A kubectl-style command: a verb (read, write, or anything) and up to eight words.
fn argv(verbs: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    (
        select(verbs.to_vec()),
        proptest::collection::vec(word(), 0..8),
    )
        .prop_map(|(verb, rest)| {
            let mut w = vec![verb.to_string()];
            w.extend(rest);
            w
        })
}

/// Everything that must hold for a command the parser accepted: it serialises to the JSON
/// form, which parses back to the same command, also inside a wire message.
fn assert_round_trips(cmd: &Command) -> Result<(), TestCaseError> {
    let v = serde_json::to_value(cmd).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let again = parse_json(&v);
    prop_assert_eq!(
        again.as_ref().ok(),
        Some(cmd),
        "JSON form {} gave {:?}",
        v,
        again
    );
    let body = json!({"version": 1, "id": "p-1", "command": v}).to_string();
    let msg = protocol::parse(&body).map_err(|(_, e)| TestCaseError::fail(e.message))?;
    let wire = msg.command.ok();
    prop_assert_eq!(wire.as_ref(), Some(cmd));
    Ok(())
}

proptest! {
    #![proptest_config(cases(512))]

    #[test]
    fn every_accepted_kubectl_command_round_trips_through_the_json_form(words in argv(READ_VERBS)) {
        if let Ok(cmd) = parse_args(&words) {
            assert_round_trips(&cmd)?;
            // The one-string form (shell-quoted) gives the same command.
            let line = words.iter().map(|w| shell_quote(w)).collect::<Vec<_>>().join(" ");
            let one_string = parse_line(&line).ok();
            prop_assert_eq!(one_string.as_ref(), Some(&cmd), "{}", line);
        }
    }

    #[test]
    fn no_write_verb_ever_validates_as_arguments(words in argv(WRITE_VERBS), kubectl in any::<bool>()) {
        let words = if kubectl {
            std::iter::once("kubectl".to_string()).chain(words).collect()
        } else {
            words
        };
        let err = parse_args(&words).expect_err("a write verb was accepted");
        prop_assert!(matches!(err.code, Code::ReadOnly | Code::Unsupported), "{:?}: {:?}", words, err);
    }

    #[test]
    fn no_write_verb_ever_validates_as_json(
        op in select(WRITE_VERBS.to_vec()),
        resource in proptest::option::of(select(vec!["pods", "deploy", "deploy/web", "nodes"])),
        names in proptest::collection::vec("[a-z]{1,6}", 0..3),
        namespace in proptest::option::of("[a-z]{1,6}"),
    ) {
        let mut v = json!({"op": op, "names": names});
        if let Some(r) = resource { v["resource"] = json!(r); }
        if let Some(n) = namespace { v["namespace"] = json!(n); }
        let err = parse_json(&v).expect_err("a write op was accepted");
        prop_assert!(matches!(err.code, Code::ReadOnly | Code::Unsupported), "{}: {:?}", v, err);
        let rollout = json!({"op": format!("rollout-{}", select_rollout(op))});
        prop_assert!(parse_json(&rollout).is_err());
    }

    #[test]
    fn every_accepted_json_command_round_trips(v in json_command()) {
        if let Ok(cmd) = parse_json(&v) {
            assert_round_trips(&cmd)?;
        }
    }
}

/// A rollout sub-command that writes, picked from the op's first letter.
fn select_rollout(op: &str) -> &'static str {
    ["undo", "restart", "pause", "resume"][op.len() % 4]
}

/// A JSON command with random fields from the wire form's vocabulary.
fn json_command() -> impl Strategy<Value = Value> {
    let op = select(vec![
        "get",
        "list",
        "describe",
        "logs",
        "log",
        "events",
        "endpoints",
        "rollout-history",
        "rollout history",
        "top",
        "api-resources",
        "version",
        "triage",
    ]);
    let resource = proptest::option::of(select(vec![
        "pods",
        "pod",
        "nodes",
        "deploy",
        "deploy/web",
        "svc/x",
        "widgets.example.com",
        "a.v1.example.com",
        "Pods",
    ]));
    let names = proptest::collection::vec(select(vec!["web", "api-1", "system:node", "a.b"]), 0..3);
    let namespace = proptest::option::of(select(vec!["shop", "default", "Shop", ""]));
    let output = proptest::option::of(select(vec!["table", "wide", "json", "yaml", "name"]));
    let logs = proptest::option::of((
        proptest::option::of(-2i64..500),
        any::<bool>(),
        proptest::option::of(select(vec!["ERROR", "a|b", "(", "x{2}"])),
        proptest::option::of(select(vec!["api", "side-car"])),
    ));
    let extra = (
        any::<bool>(),
        proptest::option::of(select(vec!["app=web", "tier in (a,b)"])),
        proptest::option::of(0usize..100_000),
        proptest::collection::vec(select(vec!["Warning", "Normal"]), 0..2),
        proptest::option::of(select(vec!["pod/api-1", "deploy/web"])),
    );
    (op, resource, names, namespace, output, logs, extra).prop_map(
        |(op, resource, names, namespace, output, logs, (all, sel, max, types, for_obj))| {
            let mut v = json!({"op": op});
            if let Some(r) = resource {
                v["resource"] = json!(r);
            }
            if !names.is_empty() {
                v["names"] = json!(names);
            }
            if let Some(n) = namespace {
                v["namespace"] = json!(n);
            }
            if let Some(o) = output {
                v["output"] = json!(o);
            }
            if all {
                v["all_namespaces"] = json!(true);
            }
            if let Some(s) = sel {
                v["selector"] = json!(s);
            }
            if let Some(m) = max {
                v["max_output_bytes"] = json!(m);
            }
            if !types.is_empty() {
                v["types"] = json!(types);
            }
            if let Some(f) = for_obj {
                v["for"] = json!(f);
            }
            if let Some((tail, previous, grep, container)) = logs {
                v["logs"] = json!({"tail": tail, "previous": previous, "grep": grep, "container": container});
            }
            v
        },
    )
}

/// `w` quoted for a POSIX shell (single quotes; a `'` closed, escaped and reopened).
fn shell_quote(w: &str) -> String {
    format!("'{}'", w.replace('\'', r"'\''"))
}

#[test]
fn the_generators_reach_accepted_commands() {
    // A property over accepted commands proves nothing if none is ever accepted.
    assert!(parse_args(&["get".into(), "pods".into(), "-n".into(), "shop".into()]).is_ok());
    assert!(parse_json(&json!({"op": "logs", "names": ["web"], "logs": {"tail": 5}})).is_ok());
}

// ---------------------------------------------------------------- the output budget

const HINT: &str = "narrow with -l";

/// Chunks of text: printable, Unicode, some with inner newlines, some empty.
fn chunks() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(
        prop_oneof![
            "[ -~]{0,120}",
            "\\PC{0,60}",
            "[a-z]{0,40}\n[a-z]{0,40}",
            "x{300,900}",
        ],
        0..40,
    )
}

/// The kept chunks as the text budget writes them (each made printable — `\\PC` includes
/// U+2028 and the bidi controls, which are escaped — and ending with a newline).
fn as_lines(chunks: &[String]) -> String {
    chunks
        .iter()
        .map(|c| kubeglass::testing::output::printable(c).into_owned())
        .map(|c| {
            if c.ends_with('\n') {
                c
            } else {
                format!("{c}\n")
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(cases(384))]

    #[test]
    fn text_budget_cuts_between_whole_chunks_and_says_so(
        chunks in chunks(),
        max in 256usize..20_000,
        skipped in prop_oneof![Just(0usize), 1usize..5000],
        yaml in any::<bool>(),
    ) {
        let mut b = Budget::new(max);
        let kept = chunks.iter().take_while(|c| b.push(c)).count();
        for c in &chunks[kept..] {
            prop_assert!(!b.push(c), "a chunk was kept after a cut");
        }
        b.skipped(skipped);
        let format = if yaml { Format::Yaml } else { Format::Text };
        let out = b.finish(format, HINT);
        let dropped = kept < chunks.len() || skipped > 0;
        prop_assert_eq!(out.truncated, dropped, "truncated flag");
        let body = as_lines(&chunks[..kept]);
        prop_assert!(out.text.starts_with(&body), "the kept chunks, whole and in order");
        let note = &out.text[body.len()..];
        if dropped {
            let prefix = if yaml { "# kubeglass: output cut" } else { "[kubeglass: output cut" };
            prop_assert!(note.starts_with(prefix) && note.contains(HINT), "note: {:?}", note);
            prop_assert_eq!(note.matches('\n').count(), 1, "one note line");
        } else {
            prop_assert_eq!(note, "", "no note when nothing was dropped");
        }
        prop_assert!(body.len() <= max, "{} bytes kept for a budget of {}", body.len(), max);
        prop_assert!(out.text.len() <= max + note.len());
    }

    #[test]
    fn json_list_budget_stays_one_valid_document(
        items in proptest::collection::vec(
            prop_oneof![
                "\\PC{0,80}".prop_map(|s| json!({"metadata": {"name": s}})),
                (0u32..1000, "[ -~]{0,400}").prop_map(|(n, s)| json!({"n": n, "s": s})),
                Just(json!([1, null, true, "x\u{1b}[31m"])),
            ],
            0..40,
        ),
        max in 256usize..20_000,
        plain_single in any::<bool>(),
    ) {
        let texts: Vec<String> = items.iter().map(Value::to_string).collect();
        // A plain budget holds one object (an empty answer is the caller's "not found").
        let plain_single = plain_single && !texts.is_empty();
        let (mut b, pushed) = if plain_single {
            (Budget::new(max), &texts[..texts.len().min(1)])
        } else {
            (Budget::json_list(max), &texts[..])
        };
        let kept = pushed.iter().take_while(|c| b.push(c)).count();
        let out = b.finish(Format::Json, HINT);
        let v: Value = serde_json::from_str(&out.text)
            .map_err(|e| TestCaseError::fail(format!("{e}: {}", out.text)))?;
        let dropped = kept < pushed.len();
        prop_assert_eq!(out.truncated, dropped);
        let note = v.pointer("/metadata/kubeglass.truncated").and_then(Value::as_str);
        prop_assert_eq!(note.is_some(), dropped, "a note exactly when something was dropped");
        let kept_values: Vec<Value> = pushed[..kept].iter().map(|t| serde_json::from_str(t).unwrap()).collect();
        if plain_single && !dropped {
            if let Some(only) = kept_values.first() {
                prop_assert_eq!(&v, only, "a single object passes through");
            }
        } else {
            prop_assert_eq!(v["kind"].as_str(), Some("List"));
            prop_assert_eq!(v["items"].as_array(), Some(&kept_values), "the kept items, whole and in order");
        }
        let note_len = note.map_or(0, |n| serde_json::to_string(n).unwrap().len());
        prop_assert!(out.text.len() <= max + note_len, "{} > {} + {}", out.text.len(), max, note_len);
    }
}

// ---------------------------------------------------------------- result parts

fn agent(id: String, cluster: String) -> AgentInfo {
    AgentInfo {
        id,
        cluster,
        version: "0.1.0".into(),
    }
}

/// Result texts: random Unicode (with control characters and quotes, which cost more once
/// escaped), or repetitive text that gzip shrinks (the gzip+base64 path).
fn result_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,3000}",
        proptest::collection::vec(any::<char>(), 0..3000).prop_map(|c| c.into_iter().collect()),
        ("[ -~]{1,60}", 1usize..2000).prop_map(|(line, n)| format!("{line}\n").repeat(n)),
        proptest::collection::vec(
            select(vec!["\"", "\\", "\u{1}", "\n", "é", "€", "𝄞", "x"]),
            0..6000
        )
        .prop_map(|c| c.concat()),
    ]
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn parts_join_back_byte_identical_and_each_fits(
        text in result_text(),
        max in prop_oneof![1024usize..4096, 4096usize..300_000, Just(1_048_576usize)],
        truncated in any::<bool>(),
        agent_id in "[a-z0-9-]{1,253}",
        cluster in "\\PC{0,100}",
        id in "[A-Za-z0-9._:-]{1,128}",
        order in any::<u64>(),
    ) {
        let out = Ok(Output::plain(text.clone(), Format::Text, truncated));
        let agent = agent(agent_id, cluster);
        let msgs = protocol::result_messages(
            &Result1 { id: &id, answer: "a1", result: &out, agent: &agent, duration_ms: 7 },
            max,
        );
        for m in &msgs {
            prop_assert!(m.len() <= max, "a part of {} bytes for a limit of {}", m.len(), max);
        }
        let mut values: Vec<Value> = msgs.iter().map(|m| serde_json::from_str(m).unwrap()).collect();
        // A backend receives parts in any order.
        let n = values.len();
        if n > 1 {
            values.rotate_left((order as usize) % n);
        }
        prop_assert_eq!(protocol::join_parts(&values).unwrap(), text);
        for v in &values {
            prop_assert_eq!(v["id"].as_str(), Some(id.as_str()));
            prop_assert_eq!(v["parts"].as_u64(), Some(n as u64));
            prop_assert_eq!(v["truncated"].as_bool(), Some(truncated));
        }
    }
}

// ---------------------------------------------------------------- redaction

/// A credential in one of the shapes the redactor knows: (the text that carries it, the
/// secret part that must not survive).
fn credential() -> impl Strategy<Value = (String, String)> {
    let token = "[A-Za-z0-9._~+/=-]{12,40}";
    prop_oneof![
        (
            select(vec!["Authorization: ", "authorization=", "AUTHORIZATION:"]),
            select(vec!["Bearer ", "Basic ", "Token ", ""]),
            token
        )
            .prop_map(|(h, s, t)| (format!("{h}{s}{t}"), t)),
        (
            select(vec![
                "Bearer ",
                "bearer ",
                "Bearer%20",
                "bearer+",
                "Bearer: "
            ]),
            token
        )
            .prop_map(|(b, t)| (format!("{b}{t}"), t)),
        (
            "eyJ[A-Za-z0-9_-]{5,30}",
            "eyJ[A-Za-z0-9_-]{5,30}",
            "[A-Za-z0-9_-]{8,40}"
        )
            .prop_map(|(h, p, s)| {
                let jwt = format!("{h}.{p}.{s}");
                (jwt.clone(), jwt)
            }),
        (
            select(vec![
                "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ABIA", "ACCA"
            ]),
            "[A-Z0-9]{16}"
        )
            .prop_map(|(p, r)| {
                let id = format!("{p}{r}");
                (id.clone(), id)
            }),
        (
            select(vec!["postgres", "https", "redis", "mongodb+srv", "amqp"]),
            "[a-z]{1,8}",
            "[A-Za-z0-9!$*;,~]{8,24}",
            "[a-z.]{1,20}"
        )
            .prop_map(|(s, u, p, h)| (format!("{s}://{u}:{p}@{h}/db"), p)),
        prop_oneof![
            "gh[pousr]_[A-Za-z0-9]{36}",
            "github_pat_[A-Za-z0-9_]{40}",
            "xox[abposr]-[0-9]{10}-[A-Za-z0-9]{20}",
            "[sr]k_(live|test)_[A-Za-z0-9]{24}",
            "glpat-[A-Za-z0-9_-]{20}",
            "npm_[A-Za-z0-9]{36}",
            "AIza[A-Za-z0-9_-]{35}",
        ]
        .prop_map(|t| (t.clone(), t)),
        (
            select(vec!["-u ", "--user "]),
            "[a-z]{1,8}",
            "[A-Za-z0-9!@#%^*]{8,20}"
        )
            .prop_map(|(f, u, p)| (format!("curl {f}{u}:{p} https://x"), p)),
        (
            select(vec![
                "password=",
                "DB_PASS: ",
                "\"apiKey\":\"",
                "client_secret => ",
                "token := ",
                "--password ",
                "X-Auth-Token: "
            ]),
            "[A-Za-z0-9!#$%*+]{10,30}"
        )
            .prop_map(|(k, v)| {
                let close = if k.ends_with('"') { "\"" } else { "" };
                (format!("{k}{v}{close}"), v)
            }),
        "[A-Za-z0-9+/]{40}"
            .prop_filter("key material mixes cases and digits", |k| {
                k.bytes().any(|b| b.is_ascii_uppercase())
                    && k.bytes().any(|b| b.is_ascii_lowercase())
                    && k.bytes().any(|b| b.is_ascii_digit())
            })
            .prop_map(|k| (k.clone(), k)),
        "[A-Za-z0-9+/]{24,64}".prop_map(|body| (
            format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"),
            body,
        )),
    ]
}

/// Text around a credential: anything, ending (or starting) with a separator so it does not
/// glue onto the credential and make it another word.
fn surrounding() -> impl Strategy<Value = (String, String)> {
    let sep = select(vec![
        " ", "\t", ", ", "; ", "(", ")", "[", "]", "{", "}", "\"", "'", " | ", "<", ">",
    ]);
    let filler = prop_oneof!["[ -~]{0,40}", "\\PC{0,20}", Just(String::new())];
    (filler.clone(), sep.clone(), sep, filler)
        .prop_map(|(a, s1, s2, b)| (format!("{a}{s1}"), format!("{s2}{b}")))
}

proptest! {
    #![proptest_config(cases(2048))]

    #[test]
    fn a_credential_never_survives_redaction_whatever_surrounds_it(
        (cred, secret) in credential(),
        (before, after) in surrounding(),
        at_start in any::<bool>(),
    ) {
        let before = if at_start { String::new() } else { before };
        prop_assume!(!before.contains(&secret) && !after.contains(&secret));
        let input = format!("{before}{cred}{after}");
        let shown = redact::text(&input);
        prop_assert!(!shown.contains(&secret), "{:?} → {:?}", input, shown);
        // The same text as log lines, through the log redactor (line by line, as read).
        let mut logs = LogRedactor::new(&RedactSettings::default());
        let lines: Vec<String> = input.split('\n').map(|l| logs.redact_line(l).into_string()).collect();
        let joined = lines.join("\n");
        prop_assert!(!joined.contains(&secret), "log {:?} → {:?}", input, joined);
    }
}
