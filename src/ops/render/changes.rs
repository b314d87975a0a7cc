//! `changes`: the timeline's entries, the bounded keeper that holds the newest of them while
//! pages are walked, and the text and JSON it renders. Pure: entries in, lines out.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::time::{Duration, SystemTime};

use serde_json::json;

use crate::output::budget::Budget;
use crate::output::{Format, Output};
use crate::timefmt::format_rfc3339;

/// What sort of change an entry is (the cut counts by these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A new ReplicaSet or ControllerRevision.
    Rollout,
    /// A scale change (ScalingReplicaSet, SuccessfulRescale) or pods a controller made.
    Scale,
    /// A write recorded in managedFields.
    Update,
    /// Something that started failing.
    Failure,
}

impl Kind {
    /// The kind's name, as the JSON form and the cut's counts say it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Rollout => "rollout",
            Kind::Scale => "scale",
            Kind::Update => "update",
            Kind::Failure => "failure",
        }
    }
}

/// One change: when, what object (`deploy/api`, with its namespace when several are read),
/// what happened and who did it. Every text was read from redacted objects.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// When it happened.
    pub time: SystemTime,
    /// The entry's sort.
    pub kind: Kind,
    /// The namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// `KIND/NAME` in kubectl's short form.
    pub object: String,
    /// What happened.
    pub what: String,
    /// Who did it (a field manager, an event's source), empty when unknown.
    pub who: String,
}

/// The newest entries seen, at most `cap` of them; the older ones are only counted by kind
/// (memory stays bounded however many pages are walked).
#[derive(Debug)]
pub struct Keeper {
    cap: usize,
    heap: BinaryHeap<Reverse<Entry>>,
    dropped: BTreeMap<Kind, usize>,
}

impl Keeper {
    /// A keeper of at most `cap` entries.
    pub fn new(cap: usize) -> Keeper {
        Keeper {
            cap: cap.max(1),
            heap: BinaryHeap::new(),
            dropped: BTreeMap::new(),
        }
    }

    /// Offer an entry; when full, the oldest of all is counted and dropped.
    pub fn offer(&mut self, e: Entry) {
        self.heap.push(Reverse(e));
        if self.heap.len() > self.cap
            && let Some(Reverse(old)) = self.heap.pop()
        {
            *self.dropped.entry(old.kind).or_default() += 1;
        }
    }

    /// The entries kept, newest first, and the counts of those dropped.
    pub fn finish(self) -> (Vec<Entry>, BTreeMap<Kind, usize>) {
        let mut v: Vec<Entry> = self.heap.into_iter().map(|Reverse(e)| e).collect();
        v.sort_by(|a, b| b.cmp(a));
        (v, self.dropped)
    }
}

/// The window a `changes` answer covers, for its header.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Now.
    pub now: SystemTime,
    /// How far back.
    pub since: Duration,
    /// How long the API server keeps events (its `--event-ttl`, 1 h by default).
    pub event_ttl: Duration,
}

impl Window {
    /// The start of the window.
    pub fn start(&self) -> SystemTime {
        self.now
            .checked_sub(self.since)
            .unwrap_or(SystemTime::UNIX_EPOCH)
    }

    /// The header line(s): the window, and when it reaches past the event TTL, that the
    /// older part comes from objects only.
    pub fn header(&self, scope: &str) -> Vec<String> {
        let mut out = vec![format!(
            "Changes {scope} in the last {} ({} to {}), newest first:",
            span(self.since),
            format_rfc3339(self.start()),
            format_rfc3339(self.now)
        )];
        if self.since > self.event_ttl {
            let cutoff = self.now.checked_sub(self.event_ttl).unwrap_or(self.now);
            out.push(format!(
                "Note: events expire after {} (the API server's default --event-ttl): before {} \
                 the list shows changes from objects only (revisions, managedFields, statuses).",
                span(self.event_ttl),
                format_rfc3339(cutoff)
            ));
        }
        out
    }
}

/// A window's length as typed: `2h`, `1h30m`, `45m`, `90s`.
pub fn span(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m) = (s / 3600, s % 3600 / 60);
    match (h, m, s % 60) {
        (0, 0, r) => format!("{r}s"),
        (0, m, 0) => format!("{m}m"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, 0) => format!("{h}h{m}m"),
        _ => format!("{s}s"),
    }
}

/// `HH:MM:SS` (UTC) within a day's window, the date too beyond one.
fn clock(t: SystemTime, long: bool) -> String {
    let s = format_rfc3339(t);
    if long {
        s.replacen('T', " ", 1).trim_end_matches('Z').to_string()
    } else {
        s.get(11..19).unwrap_or(&s).to_string()
    }
}

/// One text line: `TIME  KIND/NAME  WHAT  (WHO)`.
pub fn line(e: &Entry, many: bool, long: bool) -> String {
    let object = if many && !e.namespace.is_empty() {
        format!("{}/{}", e.namespace, e.object)
    } else {
        e.object.clone()
    };
    let who = if e.who.is_empty() {
        String::new()
    } else {
        format!("  ({})", e.who)
    };
    format!("{}  {object}  {}{who}", clock(e.time, long), e.what)
}

/// The answer: header, lines newest first cut by the budget, and the count by kind of what
/// was left out (by the keeper or the budget).
pub fn render(
    entries: &[Entry],
    mut dropped: BTreeMap<Kind, usize>,
    window: Window,
    scope: &str,
    many: bool,
    json: Option<&[serde_json::Value]>,
    max: usize,
) -> Output {
    // The JSON form carries the flight recorder's items (the table form says them after
    // the cut, in src/ops/changes.rs).
    let (json_out, recorded) = (json.is_some(), json.unwrap_or_default());
    const HINT: &str = "narrow with --since, --for TYPE/NAME or -n";
    let long = window.since > Duration::from_secs(86_400);
    let mut budget = if json_out {
        Budget::json_list(max)
    } else {
        Budget::new(max)
    };
    if !json_out {
        for h in window.header(scope) {
            budget.push(&h);
        }
        if entries.is_empty() {
            budget.push("No changes found.");
        }
    }
    for e in entries {
        let fits = if json_out {
            let v = json!({
                "time": format_rfc3339(e.time),
                "kind": e.kind.as_str(),
                "namespace": e.namespace,
                "object": e.object,
                "what": e.what,
                "who": e.who,
            });
            budget.push(&crate::output::doc::pretty(&v))
        } else {
            budget.push(&line(e, many, long))
        };
        if !fits {
            *dropped.entry(e.kind).or_default() += 1;
        }
    }
    let mut recorded_cut = 0;
    for v in recorded {
        if !budget.push(&crate::output::doc::pretty(v)) {
            recorded_cut += 1;
        }
    }
    let total: usize = dropped.values().sum();
    if total + recorded_cut > 0 {
        let counts: Vec<String> = dropped
            .iter()
            .map(|(k, n)| format!("{n} {}", k.as_str()))
            .collect();
        let unpushed = (total + recorded_cut).saturating_sub(budget.left_out());
        let mut detail = format!("{total} older changes ({})", counts.join(", "));
        if recorded_cut > 0 {
            detail.push_str(&format!("; {recorded_cut} recorded"));
        }
        budget.describe_left_out(unpushed, detail);
    }
    budget.finish(if json_out { Format::Json } else { Format::Text }, HINT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn at(secs: u64, kind: Kind, object: &str) -> Entry {
        Entry {
            time: UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs),
            kind,
            namespace: "shop".into(),
            object: object.into(),
            what: format!("w{secs}"),
            who: "m".into(),
        }
    }

    fn window() -> Window {
        Window {
            now: UNIX_EPOCH + Duration::from_secs(1_800_000_000 + 7200),
            since: Duration::from_secs(7200),
            event_ttl: Duration::from_secs(3600),
        }
    }

    #[test]
    fn the_keeper_holds_the_newest_and_counts_the_rest_by_kind() {
        let mut k = Keeper::new(2);
        k.offer(at(10, Kind::Update, "cm/a"));
        k.offer(at(30, Kind::Rollout, "deploy/x"));
        k.offer(at(5, Kind::Failure, "pod/p"));
        k.offer(at(20, Kind::Scale, "deploy/x"));
        let (kept, dropped) = k.finish();
        let objects: Vec<&str> = kept.iter().map(|e| e.what.as_str()).collect();
        assert_eq!(objects, ["w30", "w20"]);
        assert_eq!(dropped.get(&Kind::Update), Some(&1));
        assert_eq!(dropped.get(&Kind::Failure), Some(&1));
    }

    #[test]
    fn lines_are_newest_first_with_the_window_the_ttl_note_and_the_cut_counts() {
        let entries = vec![
            at(30, Kind::Rollout, "deploy/x"),
            at(10, Kind::Update, "cm/a"),
        ];
        let out = render(
            &entries,
            BTreeMap::new(),
            window(),
            "in shop",
            false,
            None,
            4096,
        );
        let lines: Vec<&str> = out.text.lines().collect();
        assert!(
            lines[0].starts_with("Changes in shop in the last 2h ("),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with("Note: events expire after 1h"),
            "{}",
            lines[1]
        );
        assert_eq!(lines[2], "08:00:30  deploy/x  w30  (m)");
        assert_eq!(lines[3], "08:00:10  cm/a  w10  (m)");
        let mut many = Vec::new();
        for i in 0..200 {
            many.push(at(
                1000 - i,
                if i % 2 == 0 {
                    Kind::Update
                } else {
                    Kind::Failure
                },
                "cm/a",
            ));
        }
        let mut dropped = BTreeMap::new();
        dropped.insert(Kind::Rollout, 3);
        let out = render(&many, dropped, window(), "in shop", false, None, 1024);
        assert!(out.truncated && out.text.len() <= 1024, "{}", out.text);
        let last = out.text.lines().last().unwrap();
        assert!(
            last.contains(" rollout") && last.contains(" update") && last.contains(" failure"),
            "{last}"
        );
        let json_out = render(
            &entries,
            BTreeMap::new(),
            window(),
            "in shop",
            false,
            Some(&[]),
            4096,
        );
        let v: serde_json::Value = serde_json::from_str(&json_out.text).unwrap();
        assert_eq!(v["items"][0]["kind"], "rollout");
        assert_eq!(v["items"][1]["object"], "cm/a");
    }
}
