//! `logs --fold`: what a workload is logging, as patterns instead of a tail.
//!
//! Each **redacted** line (the same reader and redactor as plain logs, so folding can show
//! nothing a tail would hide) is reduced to a template — timestamps, UUIDs, ULIDs, hex ids,
//! IPs, durations, quoted strings and numbers replaced by `<ts>`, `<uuid>`, `<ulid>`,
//! `<hex>`, `<ip>`, `<dur>`, `"<str>"`, `<n>`, and long tokens holding a digit (pod names,
//! request ids) by `<id>` — and lines are grouped by level and template. The answer lists
//! FATAL/panic, ERROR and WARN templates first, then the rest, most frequent first, each
//! with its count, first and last time seen (from the kubelet's timestamps), the pods that
//! logged it and one full redacted example.
//!
//! Bounds: at most [`MAX_TEMPLATES`] distinct templates are kept (later new ones are only
//! counted), each holding at most [`MAX_TEMPLATE_BYTES`] of template and example and
//! [`MAX_PODS_NAMED`] pod names; so memory does not grow with the log, only the time spent
//! reading it (the command deadline bounds that). The answer is cut between groups at the
//! budget. `--tail` and `--limit-bytes` are refused with `--fold` (they would count the
//! lines the kubelet adds for the redactor's context); `--since` narrows instead.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex_lite::{Captures, Regex};

use crate::command::LogOptions;
use crate::error::Result;
use crate::output::budget::Budget;
use crate::output::{Format, Output};

use super::super::engine::Engine;
use super::{MAX_LINE_BYTES, Stream, log_path};

/// Most distinct templates kept; lines of later new templates are counted only.
pub const MAX_TEMPLATES: usize = 1000;
/// Longest template and example kept (cut at a character boundary).
const MAX_TEMPLATE_BYTES: usize = 400;
/// Most pod names kept per template; the rest are counted.
const MAX_PODS_NAMED: usize = 5;

/// Which lines travel: `--grep` keeps, `--grep-v` drops (both on the redacted line).
pub struct Filter<'a> {
    /// `--grep`.
    pub grep: Option<&'a Regex>,
    /// `--grep-v`.
    pub grep_v: Option<&'a Regex>,
}

impl Filter<'_> {
    fn keeps(&self, line: &str) -> bool {
        self.grep.is_none_or(|g| g.is_match(line)) && !self.grep_v.is_some_and(|g| g.is_match(line))
    }
}

/// Severity as far as a line shows it; the order templates are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// FATAL, panic, critical.
    Fatal,
    /// ERROR, err.
    Error,
    /// WARN, warning.
    Warn,
    /// Anything else (INFO, DEBUG, no level).
    Other,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Level::Fatal => "FATAL",
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Other => "-",
        }
    }
}

/// One template's tally.
#[derive(Debug, Default)]
struct Group {
    count: usize,
    first: Option<String>,
    last: Option<String>,
    pods: BTreeSet<String>,
    more_pods: bool,
    example: String,
    order: usize,
}

/// Lines folded into bounded groups.
#[derive(Debug, Default)]
pub struct Folder {
    groups: HashMap<(Level, String), Group>,
    /// Lines whose template was new after [`MAX_TEMPLATES`] were kept.
    pub overflow: usize,
    /// Lines folded (after the filters).
    pub lines: usize,
}

impl Folder {
    /// Fold one redacted line (without the kubelet's timestamp) seen at `time` in `pod`.
    pub fn add(&mut self, pod: &str, time: Option<&str>, line: &str) {
        self.lines += 1;
        let key = (level_of(line), cut(&template(line), MAX_TEMPLATE_BYTES));
        let next = self.groups.len();
        let g = match self.groups.get_mut(&key) {
            Some(g) => g,
            None if next >= MAX_TEMPLATES => {
                self.overflow += 1;
                return;
            }
            None => self.groups.entry(key).or_insert_with(|| Group {
                example: cut(line, MAX_TEMPLATE_BYTES),
                order: next,
                ..Group::default()
            }),
        };
        g.count += 1;
        if let Some(t) = time {
            if g.first.as_deref().is_none_or(|f| t < f) {
                g.first = Some(t.to_string());
            }
            if g.last.as_deref().is_none_or(|l| t > l) {
                g.last = Some(t.to_string());
            }
        }
        if !g.pods.contains(pod) {
            if g.pods.len() < MAX_PODS_NAMED {
                g.pods.insert(pod.to_string());
            } else {
                g.more_pods = true;
            }
        }
    }

    /// How many distinct templates are kept.
    pub fn templates(&self) -> usize {
        self.groups.len()
    }

    /// The groups as answer chunks (three lines each), most important first.
    pub fn render(&self) -> Vec<String> {
        let mut groups: Vec<(&(Level, String), &Group)> = self.groups.iter().collect();
        groups.sort_by(|a, b| {
            (a.0.0, std::cmp::Reverse(a.1.count), a.1.order).cmp(&(
                b.0.0,
                std::cmp::Reverse(b.1.count),
                b.1.order,
            ))
        });
        groups
            .into_iter()
            .map(|((level, template), g)| {
                let seen = match (&g.first, &g.last) {
                    (Some(f), Some(l)) if f == l => short_time(f),
                    (Some(f), Some(l)) => format!("{}..{}", short_time(f), short_time(l)),
                    _ => "-".to_string(),
                };
                let mut pods: Vec<&str> = g.pods.iter().map(String::as_str).collect();
                if g.more_pods {
                    pods.push("…");
                }
                let mut chunk = format!(
                    "{}x {} {seen} pods: {}\n  {template}",
                    g.count,
                    level.label(),
                    pods.join(",")
                );
                if g.example != *template {
                    chunk.push_str(&format!("\n  e.g. {}", g.example));
                }
                chunk
            })
            .collect()
    }
}

/// An RFC 3339 time to the second (`2026-12-07T16:00:01Z`).
fn short_time(t: &str) -> String {
    match (t.get(..19), t.ends_with('Z')) {
        (Some(s), true) => format!("{s}Z"),
        _ => t.to_string(),
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let end = s.floor_char_boundary(max);
    format!("{}…", &s[..end])
}

/// The variable parts of a line, leftmost-first: timestamps before numbers, UUIDs before
/// hex, IPs before numbers, durations before tokens. Quoted strings followed by `:` are
/// JSON keys and kept.
static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<ts>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)",
        r"|(?P<uuid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})",
        r"|(?P<ip>\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?)",
        r#"|(?P<str>"(?:[^"\\]|\\.)*"\s*:?|\B'[^'\n]*')"#,
        r"|(?P<dur>(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+\b)",
        r"|(?P<tok>[A-Za-z0-9_.-]*\d[A-Za-z0-9_.-]*)",
    ))
    .expect("the template pattern compiles")
});

/// Level words near the start of a line (where loggers put them).
static LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(panic|fatal|critical|crit|error|err|warning|warn)\b")
        .expect("the level pattern compiles")
});

/// The line's level, from the first level word in its first 120 bytes.
pub fn level_of(line: &str) -> Level {
    let head = &line[..line.floor_char_boundary(120)];
    match LEVEL
        .captures(head)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_ascii_lowercase())
        .as_deref()
    {
        Some("panic" | "fatal" | "critical" | "crit") => Level::Fatal,
        Some("error" | "err") => Level::Error,
        Some("warning" | "warn") => Level::Warn,
        _ => Level::Other,
    }
}

/// The line with its variable parts replaced by placeholders.
pub fn template(line: &str) -> String {
    VARIABLE
        .replace_all(line, |c: &Captures<'_>| {
            let m = |name| c.name(name).map(|m| m.as_str());
            if m("ts").is_some() {
                "<ts>".to_string()
            } else if m("uuid").is_some() {
                "<uuid>".to_string()
            } else if m("ip").is_some() {
                "<ip>".to_string()
            } else if let Some(s) = m("str") {
                if s.ends_with(':') {
                    s.to_string()
                } else if s.starts_with('\'') {
                    "'<str>'".to_string()
                } else {
                    "\"<str>\"".to_string()
                }
            } else if m("dur").is_some() {
                "<dur>".to_string()
            } else {
                token(m("tok").unwrap_or_default())
            }
        })
        .into_owned()
}

/// A token holding a digit: a number, a hex id, a ULID, a long id, or a short word whose
/// digit runs become `<n>` (`v2`, `http2` stay readable and still fold).
fn token(t: &str) -> String {
    let core = t.trim_matches(|c| c == '.' || c == '-' || c == '_');
    if core.is_empty() {
        return t.to_string();
    }
    let (lead, trail) = {
        let start = t.find(core).unwrap_or(0);
        (&t[..start], &t[start + core.len()..])
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit() || c == '.');
    let hex = core.strip_prefix("0x").unwrap_or(core);
    let kind = if digits(core) {
        "<n>".to_string()
    } else if hex.len() >= 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        "<hex>".to_string()
    } else if core.len() == 26
        && core
            .chars()
            .all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"ILOU".contains(c)))
    {
        "<ulid>".to_string()
    } else if core.len() >= 8 && core.chars().any(|c| c.is_ascii_alphabetic()) {
        "<id>".to_string()
    } else {
        let mut out = String::new();
        let mut in_digits = false;
        for ch in core.chars() {
            if ch.is_ascii_digit() {
                if !in_digits {
                    out.push_str("<n>");
                }
                in_digits = true;
            } else {
                out.push(ch);
                in_digits = false;
            }
        }
        out
    };
    format!("{lead}{kind}{trail}")
}

/// Split the kubelet's `timestamps=true` prefix off a line.
pub fn split_time(line: &str) -> (Option<&str>, &str) {
    match line.split_once(' ') {
        Some((t, rest))
            if t.len() >= 20 && t.as_bytes().get(4) == Some(&b'-') && t.contains('T') =>
        {
            (Some(t), rest)
        }
        _ => (None, line),
    }
}

/// Read every stream (whole logs, or the `--since` window) and answer the folded groups.
pub fn run(
    e: &Engine,
    ns: &str,
    streams: &[Stream],
    opts: &LogOptions,
    filter: &Filter<'_>,
    notes: &[String],
    max: usize,
) -> Result<Output> {
    let mut with_times = opts.clone();
    with_times.timestamps = true;
    let mut folder = Folder::default();
    let mut pods = BTreeSet::new();
    for s in streams {
        // Whole log: the `grep` form of the path asks the kubelet for no tail.
        let path = log_path(ns, s, &with_times, true);
        let mut lines = e.log_lines(&path, MAX_LINE_BYTES)?;
        pods.insert(s.pod.as_str());
        while let Some(line) = lines.next_line()? {
            let (time, text) = split_time(line.value());
            if !filter.keeps(text) {
                continue;
            }
            let text = crate::output::printable(text);
            folder.add(&s.pod, time, &text);
        }
    }
    let mut budget = Budget::new(max);
    for n in notes {
        budget.push_note(&format!("[{n}]"));
    }
    budget.push_note(&format!(
        "[kubeglass: {} lines from {} container log(s) of {} pod(s) folded into {} templates{}; \
         FATAL/ERROR/WARN first, then most frequent; <n> number, <id>/<hex>/<uuid>/<ulid> ids, \
         <ip>, <dur>, <ts>, \"<str>\" quoted]",
        folder.lines,
        streams.len(),
        pods.len(),
        folder.templates(),
        if folder.overflow > 0 {
            format!(
                " (+{} lines of templates past the first {MAX_TEMPLATES}, only counted)",
                folder.overflow
            )
        } else {
            String::new()
        }
    ));
    for chunk in folder.render() {
        if !budget.push(&chunk) {
            break;
        }
    }
    Ok(budget.finish(Format::Text, "narrow with --since, --grep, --grep-v or -c"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_parts_become_placeholders_so_lines_of_one_kind_share_a_template() {
        let a = "2026-12-07T16:00:01Z ERROR order 4417 failed for user 1b4e28ba-2fa1-11d2-883f-0016d3cca427 \
                 from 10.0.0.7:8080 after 30.5s (req 01ARZ3NDEKTSV4RRFFQ69G5FAV, pod api-5d8f7c-x2k9q, \"bad card\")";
        let b = "2026-12-07T16:09:59.123Z ERROR order 9 failed for user 6fa459ea-ee8a-3ca4-894e-db77e160355e \
                 from 192.168.1.20:443 after 250ms (req 01BX5ZZKBKACTAV9WEVGEMMVRZ, pod api-5d8f7c-abcde, \"expired\")";
        assert_eq!(template(a), template(b));
        assert_eq!(
            template(a),
            "<ts> ERROR order <n> failed for user <uuid> from <ip> after <dur> (req <ulid>, pod <id>, \"<str>\")"
        );
        assert_eq!(
            template("sha 0xdeadbeef v2 http2 k8s"),
            "sha <hex> v<n> http<n> k<n>s"
        );
        assert_eq!(
            template(r#"{"level":"info","msg":"served","ms":12}"#),
            r#"{"level":"<str>","msg":"<str>","ms":<n>}"#
        );
        assert_eq!(
            template("don't touch 'x1' here"),
            "don't touch '<str>' here"
        );
    }

    #[test]
    fn levels_are_read_from_the_start_of_a_line() {
        assert_eq!(level_of("ERROR boom"), Level::Error);
        assert_eq!(level_of("level=warn msg=slow"), Level::Warn);
        assert_eq!(level_of(r#"{"level":"fatal"}"#), Level::Fatal);
        assert_eq!(level_of("panic: runtime error"), Level::Fatal);
        assert_eq!(level_of("INFO 0 errors"), Level::Other);
    }

    #[test]
    fn groups_are_counted_with_pods_and_times_errors_first_then_most_frequent() {
        let mut f = Folder::default();
        for i in 0..30 {
            f.add(
                "web-a",
                Some("2026-12-07T16:00:00.5Z"),
                &format!("INFO served {i}"),
            );
        }
        f.add("web-b", Some("2026-12-07T16:00:09Z"), "WARN slow 1");
        f.add(
            "web-a",
            Some("2026-12-07T16:00:01Z"),
            "ERROR failed token=<redacted> 7",
        );
        f.add(
            "web-c",
            Some("2026-12-07T16:00:03Z"),
            "ERROR failed token=<redacted> 9",
        );
        let out = f.render();
        assert_eq!(out.len(), 3);
        assert_eq!(
            out[0],
            "2x ERROR 2026-12-07T16:00:01Z..2026-12-07T16:00:03Z pods: web-a,web-c\n  \
             ERROR failed token=<redacted> <n>\n  e.g. ERROR failed token=<redacted> 7"
        );
        assert!(out[1].starts_with("1x WARN "), "{}", out[1]);
        assert!(
            out[2].starts_with("30x - 2026-12-07T16:00:00Z pods: web-a"),
            "{}",
            out[2]
        );
    }

    #[test]
    fn distinct_templates_are_capped_and_the_rest_counted() {
        let mut f = Folder::default();
        for i in 0..MAX_TEMPLATES + 50 {
            // Each line its own template: letters vary, no digits.
            let word: String = format!("{i:x}")
                .chars()
                .map(|c| (b'g' + c.to_digit(16).unwrap_or(0) as u8) as char)
                .collect();
            f.add("p", None, &format!("event {word}"));
        }
        assert_eq!(f.templates(), MAX_TEMPLATES);
        assert_eq!(f.overflow, 50);
        assert_eq!(f.lines, MAX_TEMPLATES + 50);
    }

    #[test]
    fn the_kubelet_timestamp_is_split_off() {
        assert_eq!(
            split_time("2026-12-07T16:00:00.123456789Z hello world"),
            (Some("2026-12-07T16:00:00.123456789Z"), "hello world")
        );
        assert_eq!(split_time("hello world"), (None, "hello world"));
    }
}
