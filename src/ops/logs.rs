//! `logs`: container logs of a pod, of the pod kubectl would pick from a workload, or of the
//! pods a selector matches — streamed, redacted line by line, filtered at the source with
//! `--grep`, and cut to the budget keeping the **newest** lines (the end of a log is where
//! the crash is).
//!
//! Decisions: the default is the last 200 lines (`--tail -1` for all); with `--grep`, the
//! whole log (or the `--since` window) is searched and `--tail` counts matching lines.
//! `--grep` matches the **redacted** line, so a pattern cannot probe a hidden value
//! character by character: a hit and a miss on a secret's characters look the same.

use std::borrow::Cow;

use serde_json::Value;

use crate::command::{Command, LogOptions};
use crate::error::{Code, Error, Result};
use crate::json::text;
use crate::output::budget::Tail;
use crate::output::{Format, Noted, Output};
use crate::redact::Redacted;

use super::engine::{Engine, LogLines};
use crate::url::{encode, with_query};

mod fold;

/// `--tail` when none is given.
pub const DEFAULT_TAIL: i64 = 200;

/// Lines read above `--tail` so the redactor sees where a multi-line value opens.
pub const TAIL_CONTEXT: i64 = 64;
/// `--max-log-requests` when none is given.
const DEFAULT_MAX_LOG_REQUESTS: u32 = 5;
/// Log lines longer than this are cut (a minified blob on one line must not take it all).
const MAX_LINE_BYTES: usize = 16 * 1024;
/// Words that mark a log line as an error or a warning for the tail-window note
/// ([`Window::alarm_note`]): as written, case-sensitive, so `errors=0` is not one.
const ALARMS: &[&str] = &["ERROR", "WARN", "FATAL", "panic"];
/// The same words as a `--grep` pattern, for the note's next step.
const ALARM_GREP: &str = "ERROR|WARN|FATAL|panic";
/// Bytes of a stream's room held back for its tail-window note (only when the stream has at
/// least four times that).
const ALARM_NOTE_ROOM: usize = 320;

/// One container log to read.
struct Stream {
    pod: String,
    container: String,
    /// With `--previous`: how the pod status says the container's last run ended.
    last_run: String,
}

/// Run `logs`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let ns = e.namespace(cmd)?;
    let opts = &cmd.logs;
    let grep = match &opts.grep {
        Some(g) => Some(crate::command::grep::compile(g).map_err(|err| {
            Error::invalid(format!(
                "--grep {g:?} is not a valid regular expression: {err}"
            ))
        })?),
        None => None,
    };
    let grep_v = match &opts.grep_v {
        Some(g) => Some(crate::command::grep::compile(g).map_err(|err| {
            Error::invalid(format!(
                "--grep-v {g:?} is not a valid regular expression: {err}"
            ))
        })?),
        None => None,
    };
    let (pods, mut notes) = target_pods(e, cmd, &ns)?;
    if opts.grep.as_deref().is_some_and(|g| g.contains("\\|")) {
        notes.push(
            "kubeglass: --grep takes Rust regular expressions: alternation is `|` (`\\|` matches a literal `|`)"
                .into(),
        );
    }
    let mut streams = Vec::new();
    for pod in &pods {
        let (names, note) = containers(pod, opts)?;
        notes.extend(note);
        if !opts.previous {
            notes.extend(names.iter().filter_map(|c| previous_hint(pod, c, cmd, &ns)));
        }
        let pod_name = text(pod, "/metadata/name").to_string();
        streams.extend(names.into_iter().map(|container| Stream {
            pod: pod_name.clone(),
            last_run: if opts.previous {
                last_run(pod, &container)
            } else {
                String::new()
            },
            container,
        }));
    }
    let limit = opts.max_log_requests.unwrap_or(DEFAULT_MAX_LOG_REQUESTS) as usize;
    if streams.len() > limit {
        notes.push(format!(
            "kubeglass: {} container logs match; reading the first {limit} (raise --max-log-requests or narrow -l)",
            streams.len()
        ));
        streams.truncate(limit);
    }
    if opts.fold {
        let filter = fold::Filter {
            grep: grep.as_ref(),
            grep_v: grep_v.as_ref(),
        };
        return fold::run(e, &ns, &streams, opts, &filter, &notes, max);
    }
    let prefix = streams.len() > 1;
    let room = max.saturating_sub(notes.iter().map(|n| n.len() + 3).sum::<usize>() + 200);
    let per_stream = room / streams.len().max(1);
    // Room for the tail-window note is held back only where it costs a stream little: a
    // tiny budget keeps its lines and goes without the note.
    let alarm_note = tail_of(opts).is_some() && grep.is_none() && per_stream >= 4 * ALARM_NOTE_ROOM;
    let per_stream = per_stream - if alarm_note { ALARM_NOTE_ROOM } else { 0 };
    let mut text = Noted::default();
    let mut truncated = false;
    let mut shown = 0;
    for n in &notes {
        text.note(&format!("[{n}]"));
    }
    let mut gone = Vec::new();
    for s in &streams {
        let path = log_path(&ns, s, opts, grep.is_some());
        let mut lines = match e.log_lines(&path, MAX_LINE_BYTES) {
            Ok(lines) => lines,
            Err(err) if opts.previous && err.status == Some(400) => {
                // The request is valid: the kubelet no longer has (or never had) that run.
                let why = previous_gone(s, &ns, &err.message);
                text.note(&format!("[kubeglass: {why}]"));
                gone.push(why);
                continue;
            }
            Err(err) => return Err(err),
        };
        let limits = Limits {
            room: per_stream,
            tail: tail_of(opts),
            bytes: opts.limit_bytes.map(|b| b.max(0) as usize),
        };
        let mut kept = keep_newest_except(&mut lines, &limits, grep.as_ref(), grep_v.as_ref())?;
        kept.windowed &= alarm_note;
        truncated |= kept.dropped().0 > 0;
        shown += kept.kept().count();
        write_tail(
            &kept,
            &mut text,
            prefix.then(|| format!("[pod/{}/{}] ", s.pod, s.container)),
        );
    }
    if !gone.is_empty() && gone.len() == streams.len() {
        return Err(Error::new(Code::NotFound, gone.join("; ")));
    }
    // Said whenever nothing matched, notes (a picked pod, a hint) or not.
    if shown == 0 {
        text.note(&format!(
            "[kubeglass: no log lines{}]",
            describe_filter(opts)
        ));
    }
    Ok(text.into_output(Format::Text, truncated))
}

/// For a container that is crash-looping or was restarted, when `--previous` was not asked:
/// how its last run ended and the command that shows that run's log (the crash is there,
/// not in the fresh container's few lines).
fn previous_hint(pod: &Value, container: &str, cmd: &Command, ns: &str) -> Option<String> {
    let status = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(container))?;
    let last = status.pointer("/lastState/terminated")?;
    let looping = text(status, "/state/waiting/reason") == "CrashLoopBackOff";
    let code = last.get("exitCode").and_then(Value::as_i64).unwrap_or(0);
    let target = match (cmd.resource.as_deref(), cmd.names.first()) {
        (Some(kind), Some(name)) if !matches!(kind, "pod" | "pods" | "po") => {
            format!("{kind}/{name}")
        }
        _ => text(pod, "/metadata/name").to_string(),
    };
    Some(format!(
        "kubeglass: container {container} {} its last run ended {} (exit {code}) at {}; that run's log: logs {target} -n {ns} -c {container} --previous",
        if looping {
            "is crash-looping;"
        } else {
            "was restarted;"
        },
        text(last, "/reason"),
        text(last, "/finishedAt")
    ))
}

/// How the pod status says `container`'s last run ended: `exit 2 (Error) at
/// 2026-12-07T15:00:00Z, 7 restarts`, or that it records none.
fn last_run(pod: &Value, container: &str) -> String {
    let status = ["/status/containerStatuses", "/status/initContainerStatuses"]
        .iter()
        .filter_map(|p| pod.pointer(p).and_then(Value::as_array))
        .flatten()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(container));
    let Some(status) = status else {
        return "the pod status has no entry for it".into();
    };
    let restarts = status
        .get("restartCount")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    match status.pointer("/lastState/terminated") {
        Some(t) => format!(
            "its last run ended with exit {} ({}) at {}, {restarts} restarts",
            t.get("exitCode").and_then(Value::as_i64).unwrap_or(0),
            match text(t, "/reason") {
                "" => "no reason given",
                r => r,
            },
            match text(t, "/finishedAt") {
                "" => "an unrecorded time",
                f => f,
            },
        ),
        None => format!("the pod status records no terminated run ({restarts} restarts)"),
    }
}

/// Why `--previous` found no log for the stream, with what the pod status still says.
fn previous_gone(s: &Stream, ns: &str, kubelet: &str) -> String {
    let kubelet = crate::lines::cut_middle(kubelet.trim(), 200);
    format!(
        "no previous log of container {} in pod {} (the kubelet: {kubelet}); {}; its current log: logs {} -n {ns} -c {}",
        s.container, s.pod, s.last_run, s.pod, s.container
    )
}

/// " matching --grep …" / " since …" for the empty-result note.
fn describe_filter(opts: &LogOptions) -> String {
    let mut s = String::new();
    if let Some(g) = &opts.grep {
        s.push_str(&format!(" matching --grep {g:?}"));
    }
    if opts.since_seconds.is_some() || opts.since_time.is_some() {
        s.push_str(" in the --since window");
    }
    s
}

/// How many lines to keep: `--tail`, the default, or all (`-1`).
fn tail_of(opts: &LogOptions) -> Option<usize> {
    match opts.tail {
        Some(n) if n < 0 => None,
        Some(n) => Some(n as usize),
        None => Some(DEFAULT_TAIL as usize),
    }
}

/// The pods/log request; with `--grep` the server does not tail, we tail matches.
fn log_path(ns: &str, s: &Stream, opts: &LogOptions, grep: bool) -> String {
    let tail = match opts.tail {
        _ if grep => None,
        Some(n) if n < 0 => None,
        Some(n) => Some(n),
        None => Some(DEFAULT_TAIL),
    };
    // The kubelet cuts `tailLines` before the redactor sees a line: a value spanning lines
    // (`password: |` and its block, a PEM key) could open above the first line kept, and its
    // body would pass as ordinary lines. Read TAIL_CONTEXT more; the tail keeps `--tail`.
    // (Not with --limit-bytes, which counts from the first line read.)
    let tail = tail.map(|t| match opts.limit_bytes {
        None => t.saturating_add(TAIL_CONTEXT),
        Some(_) => t,
    });
    // No limitBytes: the kubelet would cut before redaction (see keep_newest).
    let (tail, since) = (
        tail.map(|t| t.to_string()),
        opts.since_seconds.map(|t| t.to_string()),
    );
    let path = format!("/api/v1/namespaces/{ns}/pods/{}/log", encode(&s.pod));
    with_query(
        &path,
        &[
            ("container", Some(&s.container)),
            ("tailLines", tail.as_deref()),
            ("sinceSeconds", since.as_deref()),
            ("sinceTime", opts.since_time.as_deref()),
            ("previous", opts.previous.then_some("true")),
            ("timestamps", opts.timestamps.then_some("true")),
        ],
    )
}

/// The newest lines of one stream, as they are written into the answer.
pub(crate) fn write_tail(kept: &Window, out: &mut Noted, prefix: Option<String>) {
    let (dropped, dropped_bytes) = kept.dropped();
    if dropped > 0 {
        out.note(&format!(
            "{}[kubeglass: {dropped} earlier lines ({dropped_bytes} bytes) left out to stay within the output budget; narrow with --tail, --since or --grep]",
            prefix.as_deref().unwrap_or(""),
        ));
    }
    if let Some(note) = kept.alarm_note() {
        out.note(&format!("{}[{note}]", prefix.as_deref().unwrap_or("")));
    }
    for l in kept.kept() {
        if let Some(p) = &prefix {
            out.push_str(p);
        }
        out.push_str(l);
        out.push_str("\n");
    }
}

/// The lines kept from one stream, and what the lines read above them hold.
pub(crate) struct Window {
    tail: Tail,
    /// A `--tail` window without `--grep`: the read also held lines above it.
    windowed: bool,
    /// Lines read and not shown (above the window, or left out for room).
    hidden: usize,
    /// Of those, lines with one of the [`ALARMS`].
    hidden_alarms: usize,
    /// Shown lines with one of the [`ALARMS`].
    shown_alarms: usize,
}

impl Window {
    /// The kept lines, oldest first.
    pub(crate) fn kept(&self) -> impl Iterator<Item = &String> {
        self.tail.kept()
    }

    /// How many lines (and bytes) were left out for room.
    pub(crate) fn dropped(&self) -> (usize, usize) {
        self.tail.dropped()
    }

    /// When the window shows no error or warning line but lines read above it do: how many
    /// (a `--tail 50` can start just after the three ERROR lines that explain it). Only the
    /// lines of this read are counted — the window and the [`TAIL_CONTEXT`] lines above it —
    /// and the note says so.
    pub(crate) fn alarm_note(&self) -> Option<String> {
        if !self.windowed || self.shown_alarms > 0 || self.hidden_alarms == 0 {
            return None;
        }
        Some(format!(
            "kubeglass: no line shown holds {}, but {} of the {} earlier lines read with them do (only those were read); --grep '{ALARM_GREP}' searches the whole log",
            ALARMS.join("/"),
            self.hidden_alarms,
            self.hidden,
        ))
    }
}

/// Whether `line` holds one of the [`ALARMS`].
fn is_alarm(line: &str) -> bool {
    ALARMS.iter().any(|w| line.contains(w))
}

/// Read redacted lines, keeping only the newest matching lines within the limits. `--grep`
/// sees each line after redaction (and after the PEM state saw every line in order).
pub(crate) fn keep_newest(
    lines: &mut LogLines,
    limits: &Limits,
    grep: Option<&regex_lite::Regex>,
) -> Result<Window> {
    keep_newest_except(lines, limits, grep, None)
}

/// [`keep_newest`], leaving out the lines `grep_v` matches (after redaction too).
pub(crate) fn keep_newest_except(
    lines: &mut LogLines,
    limits: &Limits,
    grep: Option<&regex_lite::Regex>,
    grep_v: Option<&regex_lite::Regex>,
) -> Result<Window> {
    let mut kept = Tail::new(limits.room, limits.tail);
    let (mut pushed, mut alarms) = (0usize, 0usize);
    let mut read = 0;
    while let Some(line) = lines.next_line()? {
        let mut line = line.into_string();
        // --limit-bytes counts the redacted log from its start and cuts the last line at a
        // word boundary: a cut made before redaction (the kubelet's limitBytes) could split
        // a secret so its pattern no longer matches, and move along it byte by byte.
        let mut last = false;
        if let Some(limit) = limits.bytes {
            let left = limit.saturating_sub(read);
            if line.len() + 1 > left {
                line.truncate(crate::lines::word_cut(&line, left, usize::MAX));
                last = true;
            }
            read += line.len() + 1;
        }
        if grep.is_some_and(|g| !g.is_match(&line)) || grep_v.is_some_and(|g| g.is_match(&line)) {
            if last {
                break;
            }
            continue;
        }
        // Containers print colours and cursor moves; the reader's terminal must not obey
        // them (grep above saw the line as written).
        let clean = match crate::output::printable(&line) {
            Cow::Owned(s) => Some(s),
            Cow::Borrowed(_) => None,
        };
        if let Some(clean) = clean {
            line = clean;
        }
        pushed += 1;
        alarms += usize::from(is_alarm(&line));
        kept.push(line);
        if last {
            break;
        }
    }
    let shown_alarms = kept.kept().filter(|l| is_alarm(l)).count();
    Ok(Window {
        windowed: limits.tail.is_some_and(|t| t > 0) && grep.is_none(),
        hidden: pushed - kept.kept().count(),
        hidden_alarms: alarms - shown_alarms,
        shown_alarms,
        tail: kept,
    })
}

/// How much of a log stream to keep.
pub(crate) struct Limits {
    /// Bytes of the output budget for this stream (the newest lines are kept).
    pub(crate) room: usize,
    /// `--tail` (matching lines with `--grep`).
    pub(crate) tail: Option<usize>,
    /// `--limit-bytes`: stop after this many bytes of redacted log.
    pub(crate) bytes: Option<usize>,
}

/// The pods to read and notes about how they were chosen.
fn target_pods(e: &Engine, cmd: &Command, ns: &str) -> Result<(Vec<Redacted<Value>>, Vec<String>)> {
    let pods = e.resolve_type("pods")?;
    let name = cmd.names.first();
    let kind = cmd.resource.as_deref();
    match (kind, name) {
        (None | Some("pod" | "pods" | "po"), Some(name)) => {
            let pod = e.get(&pods.path(Some(ns), Some(name)))?;
            Ok((vec![pod], Vec::new()))
        }
        (Some(typed), Some(name)) => {
            let res = e.resolve(cmd, typed)?;
            // Scope first (a cluster-scoped type under --no-cluster-resources is OutOfScope),
            // then refuse what cannot own pods, before any object is read.
            e.namespaces(cmd, &res)?;
            if !res.namespaced {
                return Err(Error::invalid(format!(
                    "`logs {typed}/{name}`: {} is cluster-scoped and selects no pods; use a pod or a workload (deploy, sts, ds, job, rs, svc)",
                    res.plural
                )));
            }
            let obj = e.get(&res.path(Some(ns), Some(name)))?;
            let sel = e.selector(&res, &obj)?.ok_or_else(|| {
                Error::invalid(format!(
                    "{typed}/{name} has no pod selector to pick a pod with"
                ))
            })?;
            let mut list = Vec::new();
            e.list_selected(&pods, ns, &sel, "application/json", MAX_PODS, |page| {
                list = page.items();
                Ok(false)
            })?;
            if list.is_empty() {
                return Err(Error::new(
                    Code::NotFound,
                    format!(
                        "no pods of {typed}/{name} (selector {}) in namespace {ns}",
                        sel.shown()
                    ),
                ));
            }
            list.sort_by_key(|p| logging_rank(p));
            if cmd.logs.fold {
                // Folding answers for the workload: every pod (the fan-out bound applies).
                return Ok((list, Vec::new()));
            }
            let picked = list.swap_remove(0);
            let note = (!list.is_empty()).then(|| {
                format!(
                    "kubeglass: {typed}/{name} has {} pods; showing pod/{} (picked as kubectl does: running, ready, most restarts first)",
                    list.len() + 1,
                    text(&picked, "/metadata/name")
                )
            });
            Ok((vec![picked], note.into_iter().collect()))
        }
        (_, None) => {
            let sel = cmd
                .selector
                .as_deref()
                .ok_or_else(|| Error::invalid("`logs` needs a pod, TYPE/NAME, or -l SELECTOR"))?;
            let list = list_pods(e, ns, sel)?;
            if list.is_empty() {
                return Err(Error::new(
                    Code::NotFound,
                    format!("no pods match -l {sel} in namespace {ns}"),
                ));
            }
            Ok((list, Vec::new()))
        }
    }
}

/// Most pods a selector's log request reads (one page: a log fan-out is small by design).
const MAX_PODS: usize = 500;

/// Pods in `ns` matching a label selector (one page of [`MAX_PODS`]).
fn list_pods(e: &Engine, ns: &str, selector: &str) -> Result<Vec<Redacted<Value>>> {
    let pods = e.resolve_type("pods")?;
    let limit = MAX_PODS.to_string();
    let path = with_query(
        &pods.path(Some(ns), None),
        &[("labelSelector", Some(selector)), ("limit", Some(&limit))],
    );
    Ok(e.get(&path)?.items())
}

/// kubectl's `ByLogging` order as a sort key: scheduled, running, ready, most restarts, oldest.
fn logging_rank(pod: &Value) -> (u8, u8, u8, i64, String) {
    let scheduled = u8::from(text(pod, "/spec/nodeName").is_empty());
    let phase = match text(pod, "/status/phase") {
        "Running" => 0,
        "Unknown" => 1,
        "Pending" => 2,
        _ => 3,
    };
    let ready = u8::from(!condition_true(pod, "Ready"));
    let restarts: i64 = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("restartCount").and_then(Value::as_i64))
        .sum();
    let created = text(pod, "/metadata/creationTimestamp").to_string();
    (scheduled, phase, ready, -restarts, created)
}

fn condition_true(pod: &Value, kind: &str) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| {
            c.get("type").and_then(Value::as_str) == Some(kind)
                && c.get("status").and_then(Value::as_str) == Some("True")
        })
}

/// The containers to read in `pod` and, when one was defaulted among several, a note.
fn containers(pod: &Value, opts: &LogOptions) -> Result<(Vec<String>, Option<String>)> {
    let names_in = |list: &str| -> Vec<String> {
        pod.pointer(&format!("/spec/{list}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_string))
            .collect()
    };
    let (init, main) = (names_in("initContainers"), names_in("containers"));
    let pod_name = text(pod, "/metadata/name");
    if opts.all_containers {
        return Ok((init.into_iter().chain(main).collect(), None));
    }
    if let Some(c) = &opts.container {
        if main.contains(c) || init.contains(c) {
            return Ok((vec![c.clone()], None));
        }
        // Cluster state, not a malformed command: `NotFound` (exit 1), naming what exists.
        return Err(Error::new(
            Code::NotFound,
            format!(
                "container {c:?} is not in pod {pod_name}; its containers: {} (-c NAME)",
                init.iter()
                    .chain(&main)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let annotated = text(
        pod,
        "/metadata/annotations/kubectl.kubernetes.io~1default-container",
    );
    if !annotated.is_empty() && main.iter().any(|c| c == annotated) {
        return Ok((vec![annotated.to_string()], None));
    }
    let first = main
        .first()
        .cloned()
        .ok_or_else(|| Error::internal(format!("pod {pod_name} lists no containers")))?;
    let note = (main.len() > 1).then(|| {
        format!(
            "kubeglass: defaulted container {first:?} of pod {pod_name} out of: {} (use -c or --all-containers)",
            main.join(", ")
        )
    });
    Ok((vec![first], note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::RedactSettings;
    use serde_json::json;
    use std::io::Cursor;

    fn limits(room: usize, tail: Option<usize>) -> Limits {
        Limits {
            room,
            tail,
            bytes: None,
        }
    }

    #[test]
    fn limit_bytes_cuts_after_redaction_so_it_cannot_step_through_a_secret() {
        let log = "connecting to postgres://app:S3cr3tPa55word@db.shop:5432/orders ok\n";
        for limit in 1..log.len() + 5 {
            let l = Limits {
                room: 10_000,
                tail: None,
                bytes: Some(limit),
            };
            let kept = keep_newest(&mut reader(log), &l, None).unwrap();
            let shown: String = kept.kept().cloned().collect();
            for secret_part in ["S3", "cr3t", "Pa55"] {
                assert!(
                    !shown.contains(secret_part),
                    "--limit-bytes {limit}: {shown}"
                );
            }
            assert!(shown.len() <= limit, "--limit-bytes {limit}: {shown:?}");
        }
    }

    #[test]
    fn log_lines_never_carry_terminal_control_characters() {
        let log = "\u{1b}[31mERROR\u{1b}[0m boom\u{1b}]0;pwned\u{7}\r\tdone\n";
        let kept = keep_newest(&mut reader(log), &limits(10_000, None), None).unwrap();
        let lines: Vec<_> = kept.kept().cloned().collect();
        // Colour (SGR) sequences are dropped by the redactor (a colour between a key and its
        // value hid the pair); every other control character is made visible.
        assert_eq!(lines, ["ERROR boom^[]0;pwned^G^M\tdone"]);
    }

    fn reader(s: &str) -> LogLines {
        let r: Box<dyn std::io::BufRead + Send> = Box::new(Cursor::new(s.as_bytes().to_vec()));
        LogLines::new(r, &RedactSettings::default(), MAX_LINE_BYTES)
    }

    #[test]
    fn newest_lines_are_kept_under_the_budget() {
        let log: String = (0..100).map(|i| format!("line {i:03}\n")).collect();
        let kept = keep_newest(&mut reader(&log), &limits(45, None), None).unwrap();
        let lines: Vec<_> = kept.kept().cloned().collect();
        assert_eq!(
            lines,
            ["line 095", "line 096", "line 097", "line 098", "line 099"]
        );
        assert_eq!(kept.dropped().0, 95);
        let mut noted = Noted::default();
        write_tail(&kept, &mut noted, None);
        let out = noted.into_output(Format::Text, true);
        let (body, notes) = out.split_notes();
        assert!(
            notes[0].starts_with("[kubeglass: 95 earlier lines"),
            "a note"
        );
        assert!(body.starts_with("line 095\n"), "{body}");
        let out = out.text;
        assert!(out.starts_with("[kubeglass: 95 earlier lines"));
        assert!(out.ends_with("line 099\n"));
    }

    #[test]
    fn a_tail_window_without_errors_says_how_many_earlier_lines_read_hold_them() {
        // --tail 3 reads 3 + TAIL_CONTEXT lines; the ERRORs are just above the window.
        let log = "INFO start\nERROR upstream 503\nWARN retry\nERROR upstream 503\nINFO a\nINFO b\nINFO c\n";
        let kept = keep_newest(&mut reader(log), &limits(10_000, Some(3)), None).unwrap();
        assert_eq!(
            kept.kept().collect::<Vec<_>>(),
            ["INFO a", "INFO b", "INFO c"]
        );
        let mut noted = Noted::default();
        write_tail(&kept, &mut noted, Some("[pod/p/c] ".into()));
        let out = noted.text;
        let first = out.lines().next().unwrap();
        assert!(
            first.starts_with("[pod/p/c] [kubeglass: no line shown holds ERROR/WARN/FATAL/panic, but 3 of the 4 earlier lines read with them do (only those were read)"),
            "{out}"
        );
        assert_eq!(out.lines().count(), 4, "one note line: {out}");
        // Not said when the window shows one, nor when nothing above holds one, nor for
        // --grep (its tail counts matches) or a whole log (--tail -1).
        let shown = keep_newest(&mut reader(log), &limits(10_000, Some(4)), None).unwrap();
        assert!(shown.alarm_note().is_none());
        let calm = keep_newest(
            &mut reader("INFO x\nINFO y\n"),
            &limits(10_000, Some(1)),
            None,
        )
        .unwrap();
        assert!(calm.alarm_note().is_none());
        let re = regex_lite::Regex::new("INFO").unwrap();
        let grep = keep_newest(&mut reader(log), &limits(10_000, Some(1)), Some(&re)).unwrap();
        assert!(grep.alarm_note().is_none());
        let all = keep_newest(&mut reader(log), &limits(10_000, None), None).unwrap();
        assert!(all.alarm_note().is_none());
        // `errors=0` is not an error line: the words count as written.
        let quiet = keep_newest(
            &mut reader("done errors=0\nINFO ok\n"),
            &limits(10_000, Some(1)),
            None,
        )
        .unwrap();
        assert!(quiet.alarm_note().is_none());
    }

    #[test]
    fn tail_and_grep_count_matching_lines_and_are_not_reported_as_cuts() {
        let log = "ok 1\nERROR a\nok 2\nERROR b\nERROR c\n";
        let re = regex_lite::Regex::new("ERROR").unwrap();
        let kept = keep_newest(&mut reader(log), &limits(10_000, Some(2)), Some(&re)).unwrap();
        assert_eq!(kept.kept().collect::<Vec<_>>(), ["ERROR b", "ERROR c"]);
        assert_eq!(kept.dropped().0, 0);
    }

    fn all_lines(log: &[u8]) -> Vec<String> {
        let r: Box<dyn std::io::BufRead + Send> = Box::new(Cursor::new(log.to_vec()));
        let mut lines = LogLines::new(r, &RedactSettings::default(), MAX_LINE_BYTES);
        let mut out = Vec::new();
        while let Some(l) = lines.next_line().unwrap() {
            out.push(l.into_string());
        }
        out
    }

    #[test]
    fn long_lines_are_cut_and_bad_utf8_survives() {
        let mut log = vec![b'x'; MAX_LINE_BYTES + 10];
        log.extend_from_slice(b"\na\xffb\r\n");
        let lines = all_lines(&log);
        assert!(
            lines[0].ends_with(" [kubeglass: 10 more bytes on this line]"),
            "{}",
            &lines[0][MAX_LINE_BYTES - 10..]
        );
        assert_eq!(lines[1], "a\u{fffd}b");
    }

    #[test]
    fn a_cut_never_shows_the_start_of_a_credential_it_splits() {
        let mut log = vec![b'x'; MAX_LINE_BYTES - 8];
        log.extend_from_slice(b" password=hunter2hunter2 and more\n");
        let shown = &all_lines(&log)[0];
        assert!(!shown.contains("hunt"), "{}", &shown[MAX_LINE_BYTES - 20..]);
        let mut raw = vec![b'y'; MAX_LINE_BYTES - 6];
        raw.extend_from_slice(b" AKIAIOSFODNN7EXAMPLE\n");
        let shown = &all_lines(&raw)[0];
        assert!(!shown.contains("AKIA"), "{}", &shown[MAX_LINE_BYTES - 20..]);
    }

    #[test]
    fn grep_sees_redacted_lines_so_it_cannot_probe_a_secret() {
        let log = "login password=hunter2 ok\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
        let hit = regex_lite::Regex::new("password=h").unwrap();
        let miss = regex_lite::Regex::new("password=x").unwrap();
        let body = regex_lite::Regex::new("MIIE").unwrap();
        let kept = |re| {
            keep_newest(&mut reader(log), &limits(10_000, None), Some(re))
                .unwrap()
                .kept()
                .cloned()
                .collect::<Vec<String>>()
        };
        assert_eq!(
            kept(&hit),
            kept(&miss),
            "a hit and a miss must look the same"
        );
        assert!(kept(&hit).is_empty());
        assert!(
            kept(&body).is_empty(),
            "a grep that skips the BEGIN line still sees the key hidden"
        );
        let any = regex_lite::Regex::new("password").unwrap();
        assert_eq!(kept(&any), ["login password=<redacted> ok"]);
    }

    #[test]
    fn containers_default_like_kubectl() {
        let pod = json!({"metadata": {"name": "p"}, "spec": {"initContainers": [{"name": "init"}],
            "containers": [{"name": "app"}, {"name": "sidecar"}]}});
        let (c, note) = containers(&pod, &LogOptions::default()).unwrap();
        assert_eq!(c, ["app"]);
        assert!(note.unwrap().contains("out of: app, sidecar"));
        let all = LogOptions {
            all_containers: true,
            ..LogOptions::default()
        };
        assert_eq!(
            containers(&pod, &all).unwrap().0,
            ["init", "app", "sidecar"]
        );
        let bad = LogOptions {
            container: Some("nope".into()),
            ..LogOptions::default()
        };
        let err = containers(&pod, &bad).unwrap_err();
        assert_eq!(err.code, Code::NotFound, "cluster state, not a bad command");
        assert!(
            err.message.contains("its containers: init, app, sidecar"),
            "{err}"
        );
        assert!(containers(&json!({}), &LogOptions::default()).is_err());
    }

    #[test]
    fn a_gone_previous_log_points_at_the_last_run_the_pod_status_records() {
        let pod = json!({"status": {"containerStatuses": [
            {"name": "api", "restartCount": 7, "lastState": {"terminated":
                {"exitCode": 2, "reason": "Error", "finishedAt": "2026-12-07T15:00:00Z"}}},
            {"name": "side", "restartCount": 0, "lastState": {}}]}});
        let s = Stream {
            pod: "api-1".into(),
            container: "api".into(),
            last_run: last_run(&pod, "api"),
        };
        assert_eq!(
            previous_gone(
                &s,
                "shop",
                "previous terminated container \"api\" in pod \"api-1\" not found\n"
            ),
            "no previous log of container api in pod api-1 (the kubelet: previous terminated container \"api\" in pod \"api-1\" not found); its last run ended with exit 2 (Error) at 2026-12-07T15:00:00Z, 7 restarts; its current log: logs api-1 -n shop -c api"
        );
        assert_eq!(
            last_run(&pod, "side"),
            "the pod status records no terminated run (0 restarts)"
        );
        assert_eq!(
            last_run(&json!({}), "x"),
            "the pod status has no entry for it"
        );
    }

    #[test]
    fn the_crash_looping_running_pod_is_picked() {
        let pod = |name: &str, phase: &str, restarts: i64| {
            json!({"metadata": {"name": name, "creationTimestamp": "2026-01-01T00:00:00Z"},
                   "spec": {"nodeName": "n1"},
                   "status": {"phase": phase, "containerStatuses": [{"restartCount": restarts}]}})
        };
        let mut pods = [
            pod("pending", "Pending", 0),
            pod("calm", "Running", 0),
            pod("loop", "Running", 7),
        ];
        pods.sort_by_key(logging_rank);
        assert_eq!(text(&pods[0], "/metadata/name"), "loop");
    }

    #[test]
    fn log_request_carries_the_options() {
        let s = Stream {
            pod: "api-1".into(),
            container: "api".into(),
            last_run: String::new(),
        };
        let opts = LogOptions {
            previous: true,
            tail: Some(1),
            ..LogOptions::default()
        };
        assert_eq!(
            log_path("shop", &s, &opts, false),
            "/api/v1/namespaces/shop/pods/api-1/log?container=api&tailLines=65&previous=true"
        );
        assert_eq!(
            log_path("shop", &s, &LogOptions::default(), true),
            "/api/v1/namespaces/shop/pods/api-1/log?container=api"
        );
    }
}
