//! The output budget: every result stops at `--max-output-bytes`, cut between whole chunks
//! (lines, or list items), and says what was left out and how to narrow the query.
//!
//! # Shapes per format
//! - [`Format::Text`]: each chunk is a line (or a block of lines); a newline is added when it
//!   lacks one. When cut, the last line is `[kubeglass: output cut …; <hint>]`.
//! - [`Format::Yaml`]: as text, but the note line is a YAML comment (`# kubeglass: …`), so
//!   the cut output still parses.
//! - [`Format::Json`]: **the output stays one valid JSON document.** Each chunk must be one
//!   complete JSON value. A budget made with [`Budget::json_list`] writes kubectl's
//!   `{"apiVersion": "v1", "items": […], "kind": "List", "metadata": {…}}` in kubectl's
//!   layout (four-space indent, items indented to their place), one item per chunk, and
//!   closes the list itself; when cut, the note goes into `metadata."kubeglass.truncated"`.
//!   A plain budget ([`Budget::new`], e.g. one object) writes its chunk as it is; if it had
//!   to cut, what fitted is wrapped in that same List shape so the note has a place.
//!
//! Room for the envelope and the note (up to 400 bytes, a quarter of a tiny budget) is
//! reserved up front, so the finished text stays within the budget unless the hint is long.

use super::{Format, Output};

/// Bytes held back for the closing of a JSON list and the note line.
const NOTE_RESERVE: usize = 400;
/// The start of a JSON list result (kubectl's layout: `json.MarshalIndent` by four).
const LIST_HEAD: &str = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n";
/// Between two JSON list items.
const LIST_SEP: &str = ",\n";
/// The end of a JSON list result (the note, when there is one, goes before
/// `resourceVersion` as [`NOTE_KEY`] says).
const LIST_TAIL: &str = "\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n";
/// The note's key and punctuation in a JSON list's metadata (its value is counted apart).
const NOTE_KEY: &str = "        \"kubeglass.truncated\": ,\n";
/// What each line of a list item is indented by: it sits two levels deep.
const ITEM_INDENT: &str = "        ";

/// Collects whole chunks until the byte budget is spent, then counts what was left out.
#[derive(Debug)]
pub struct Budget {
    max_bytes: usize,
    /// What the kept chunks may use: `max_bytes` less the reserve for envelope and note.
    room: usize,
    json_list: bool,
    kept: Vec<String>,
    /// Indices into `kept` of the chunks that are notes ([`Budget::push_note`]).
    note_chunks: Vec<usize>,
    used: usize,
    full: bool,
    left_out_bytes: usize,
    left_out_chunks: usize,
    skipped_items: usize,
    /// What the left-out part holds, when the caller knows better than "N lines".
    detail: Option<String>,
    /// More to say in the note (`--sort-by ordered only the 2,000 objects read`).
    remarks: Vec<String>,
}

impl Budget {
    /// A budget of `max_bytes` for text, YAML or plain JSON output.
    pub fn new(max_bytes: usize) -> Budget {
        let reserve = NOTE_RESERVE.min(max_bytes / 4);
        Budget {
            max_bytes,
            room: max_bytes.saturating_sub(reserve),
            json_list: false,
            kept: Vec::new(),
            note_chunks: Vec::new(),
            used: 0,
            full: false,
            left_out_bytes: 0,
            left_out_chunks: 0,
            skipped_items: 0,
            detail: None,
            remarks: Vec::new(),
        }
    }

    /// A budget whose JSON result is a `List` of the pushed chunks (one JSON value each).
    pub fn json_list(max_bytes: usize) -> Budget {
        let mut b = Budget::new(max_bytes);
        b.json_list = true;
        b.used = LIST_HEAD.len();
        // The List's end is longer than a line's note reserve at a tiny budget.
        let reserve = (max_bytes - b.room).max(LIST_TAIL.len() + NOTE_KEY.len());
        b.room = max_bytes.saturating_sub(reserve);
        b
    }

    /// Keep the whole chunk if it fits, else nothing. Returns false once the budget is full;
    /// from then on every chunk is only counted, so the output never has gaps.
    pub fn push(&mut self, chunk: &str) -> bool {
        // Every table, describe, event and document line passes here: the one place that
        // keeps server data from driving the reader's terminal.
        let chunk = &*super::printable(chunk);
        let indented;
        let chunk = if self.json_list {
            indented = indent(chunk);
            indented.as_str()
        } else {
            chunk
        };
        let cost = chunk.len() + self.separator_len(chunk);
        if !self.full && self.used + cost <= self.room {
            self.used += cost;
            self.kept.push(chunk.to_string());
            return true;
        }
        self.full = true;
        self.left_out_bytes += chunk.len();
        self.left_out_chunks += 1;
        false
    }

    /// [`Budget::push`] a note line (`[kubeglass: …]`): kept in the text, and marked so that
    /// `query` can print it on stderr ([`Output::notes`]).
    pub fn push_note(&mut self, line: &str) -> bool {
        let kept = self.push(line);
        if kept {
            self.note_chunks.push(self.kept.len() - 1);
        }
        kept
    }

    /// Record `n_items` items left out without rendering them (e.g. list pages not fetched).
    pub fn skipped(&mut self, n_items: usize) {
        if n_items > 0 {
            self.full = true;
            self.skipped_items += n_items;
        }
    }

    /// How many pushed chunks were left out so far.
    pub fn left_out(&self) -> usize {
        self.left_out_chunks
    }

    /// Say what the left-out part holds (`2957 more rows: 2950 Running, 7 Pending`) instead
    /// of counting lines; `n_unpushed` rows were counted but never pushed.
    pub fn describe_left_out(&mut self, n_unpushed: usize, detail: String) {
        if n_unpushed > 0 {
            self.full = true;
            self.skipped_items += n_unpushed;
        }
        self.detail = Some(detail);
    }

    /// Add `remark` to the note of a cut result (said only when something was left out).
    pub fn remark(&mut self, remark: String) {
        self.remarks.push(remark);
    }

    /// What the kept chunks may use: the budget less the reserve for the note.
    pub fn room(&self) -> usize {
        self.room
    }

    /// The budget, in bytes.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Whether the budget stopped taking chunks (callers can stop reading).
    pub fn is_full(&self) -> bool {
        self.full
    }

    /// The result text in `format`, ending with one note line (or JSON field) when cut;
    /// `hint` says how to narrow, e.g. "narrow with -l, --field-selector or --tail".
    pub fn finish(self, format: Format, hint: &str) -> Output {
        let truncated = self.left_out_chunks > 0 || self.skipped_items > 0;
        let note = truncated.then(|| self.note(hint));
        let (text, notes, doc_note) = match format {
            Format::Json => (self.json_text(note.as_deref()), Vec::new(), note),
            Format::Yaml => {
                let (t, n) = self.lines_text(note.map(|n| format!("# {n}")));
                (t, n, None)
            }
            Format::Text => {
                let (t, n) = self.lines_text(note.map(|n| format!("[{n}]")));
                (t, n, None)
            }
        };
        Output {
            text,
            format,
            truncated,
            notes,
            doc_note,
        }
    }

    fn separator_len(&self, chunk: &str) -> usize {
        match (self.json_list, chunk.ends_with('\n')) {
            (true, _) if self.kept.is_empty() => 0,
            (true, _) => LIST_SEP.len(),
            (false, true) => 0,
            (false, false) => 1,
        }
    }

    fn note(&self, hint: &str) -> String {
        let mut note = self.left_out_note();
        for r in &self.remarks {
            note.push_str("; ");
            note.push_str(r);
        }
        format!(
            "kubeglass: output cut at {} bytes: {note}; {hint}",
            self.max_bytes
        )
    }

    /// What was left out, as the note says it.
    fn left_out_note(&self) -> String {
        if let Some(d) = &self.detail {
            return d.clone();
        }
        let mut left = Vec::new();
        if self.left_out_chunks > 0 {
            left.push(format!(
                "{} more lines/items ({} bytes)",
                self.left_out_chunks, self.left_out_bytes
            ));
        }
        if self.skipped_items > 0 {
            left.push(format!("{} more items not fetched", self.skipped_items));
        }
        format!("{} left out", left.join(" and "))
    }

    /// The kept chunks as lines, then the cut line; with where the note lines are.
    fn lines_text(self, note: Option<String>) -> (String, Vec<std::ops::Range<usize>>) {
        let mut text = String::with_capacity(self.used + note.as_ref().map_or(0, |n| n.len() + 1));
        let mut spans = Vec::with_capacity(self.note_chunks.len() + 1);
        let mut notes = self.note_chunks.iter().peekable();
        for (i, chunk) in self.kept.iter().enumerate() {
            let start = text.len();
            text.push_str(chunk);
            if !chunk.ends_with('\n') {
                text.push('\n');
            }
            if notes.next_if(|&&n| n == i).is_some() {
                spans.push(start..text.len());
            }
        }
        if let Some(n) = note {
            let start = text.len();
            text.push_str(&n);
            text.push('\n');
            spans.push(start..text.len());
        }
        (text, spans)
    }

    /// A JSON List of the kept chunks when this is a list budget or when it was cut (so the
    /// result is one document carrying the note); the chunks as they are otherwise.
    fn json_text(self, note: Option<&str>) -> String {
        if !self.json_list && note.is_none() {
            return self.lines_text(None).0;
        }
        let mut text = String::from(LIST_HEAD);
        let (items_end, meta) =
            LIST_TAIL.split_at(LIST_TAIL.find("        \"resourceVersion").unwrap_or(0));
        if self.kept.is_empty() {
            // kubectl's empty List: `"items": [],`.
            text.truncate(text.len() - 1);
            text.push_str(items_end.trim_start_matches("\n    "));
        } else if self.json_list {
            text.push_str(&self.kept.join(LIST_SEP));
            text.push_str(items_end);
        } else {
            let kept: Vec<String> = self.kept.iter().map(|c| indent(c)).collect();
            text.push_str(&kept.join(LIST_SEP));
            text.push_str(items_end);
        }
        if let Some(n) = note {
            // Sorted before `resourceVersion`, as Go writes a map's keys.
            let (key, end) = NOTE_KEY.split_at(NOTE_KEY.len() - 2);
            text.push_str(key);
            text.push_str(&serde_json::Value::from(n).to_string());
            text.push_str(end);
        }
        text.push_str(meta);
        text
    }
}

/// A JSON list item's lines, each indented to the item's depth in the List (a pretty
/// document's lines hold no raw newline inside a string: JSON escapes it).
fn indent(chunk: &str) -> String {
    let chunk = chunk.trim_end_matches('\n');
    let mut out = String::with_capacity(chunk.len() + ITEM_INDENT.len() * 8);
    for (i, line) in chunk.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(ITEM_INDENT);
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const HINT: &str = "narrow with -l, --field-selector or --tail";

    #[test]
    fn remarks_join_the_note_of_a_cut_result_only() {
        let mut whole = Budget::new(100);
        whole.push("a");
        whole.remark("--sort-by ordered only the 1 objects read".into());
        assert_eq!(whole.finish(Format::Text, HINT).text, "a\n");
        let mut cut = Budget::new(100);
        cut.push("a");
        cut.skipped(5);
        cut.remark("--sort-by ordered only the 1 objects read".into());
        let text = cut.finish(Format::Text, HINT).text;
        assert!(
            text.ends_with(
                "5 more items not fetched left out; --sort-by ordered only the 1 objects read; \
                 narrow with -l, --field-selector or --tail]\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn no_chunk_carries_terminal_control_characters() {
        let mut b = Budget::new(1000);
        b.push("web-1\u{1b}[2J\tRunning");
        b.push(r#"{"note":"\u001b[31m"}"#);
        let out = b.finish(Format::Text, HINT).text;
        assert_eq!(out, "web-1^[[2J\tRunning\n{\"note\":\"\\u001b[31m\"}\n");
    }

    #[test]
    fn budget_cuts_at_line_boundary() {
        let mut b = Budget::new(1000);
        let line = "x".repeat(99);
        let kept = (0..20).take_while(|_| b.push(&line)).count();
        assert!(b.is_full());
        let out = b.finish(Format::Text, HINT);
        assert!(out.truncated);
        let lines: Vec<&str> = out.text.lines().collect();
        assert_eq!(lines.len(), kept + 1);
        assert!(
            lines[..kept].iter().all(|l| *l == line),
            "only whole lines are kept"
        );
        assert!(out.text.len() <= 1000, "{}", out.text.len());
    }

    #[test]
    fn note_says_what_was_left_out_and_how_to_narrow() {
        let mut b = Budget::new(100);
        for _ in 0..10 {
            b.push("0123456789012345678");
        }
        b.skipped(500);
        let out = b.finish(Format::Text, HINT);
        let note = out.text.lines().last().unwrap();
        assert!(
            note.starts_with("[kubeglass: output cut at 100 bytes: "),
            "{note}"
        );
        assert!(
            note.contains("more lines/items (") && note.contains("500 more items not fetched"),
            "{note}"
        );
        assert!(note.contains(HINT), "{note}");
    }

    #[test]
    fn never_keeps_a_smaller_chunk_after_a_cut() {
        let mut b = Budget::new(100);
        assert!(b.push(&"a".repeat(50)));
        assert!(!b.push(&"b".repeat(60)));
        assert!(!b.push("c"));
        let out = b.finish(Format::Text, HINT);
        let lines: Vec<&str> = out.text.lines().collect();
        assert_eq!(lines.len(), 2, "{}", out.text);
        assert_eq!(lines[0], "a".repeat(50));
        assert!(
            lines[1].contains("2 more lines/items (61 bytes)"),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn nothing_cut_means_no_note() {
        let mut b = Budget::new(1000);
        b.push("NAME   READY");
        b.push("web    1/1\n");
        let out = b.finish(Format::Text, HINT);
        assert_eq!(out.text, "NAME   READY\nweb    1/1\n");
        assert!(!out.truncated);
    }

    #[test]
    fn json_list_stays_valid_json_when_cut() {
        let mut b = Budget::json_list(1200);
        let item = serde_json::json!({"metadata": {"name": "x".repeat(80)}}).to_string();
        while b.push(&item) {}
        b.push(&item);
        let out = b.finish(Format::Json, HINT);
        assert!(out.truncated && out.text.len() <= 1200);
        let v: Value = serde_json::from_str(&out.text).unwrap();
        assert_eq!(v["kind"], "List");
        assert!(!v["items"].as_array().unwrap().is_empty());
        let note = v["metadata"]["kubeglass.truncated"].as_str().unwrap();
        assert!(
            note.contains("2 more lines/items") && note.contains(HINT),
            "{note}"
        );
    }

    #[test]
    fn json_list_without_cut_has_no_note() {
        let mut b = Budget::json_list(1000);
        b.push("{\"a\":1}");
        b.push("{\"a\":2}");
        let v: Value = serde_json::from_str(&b.finish(Format::Json, HINT).text).unwrap();
        assert_eq!(v["items"], serde_json::json!([{"a": 1}, {"a": 2}]));
        assert_eq!(v["metadata"], serde_json::json!({"resourceVersion": ""}));
        let empty = Budget::json_list(100).finish(Format::Json, HINT).text;
        // kubectl's layout, byte for byte.
        assert_eq!(
            empty,
            "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"List\",\n    \
             \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"
        );
        let mut b = Budget::json_list(1000);
        b.push("{\n    \"a\": 1\n}");
        assert_eq!(
            b.finish(Format::Json, HINT).text,
            "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"a\": 1\n        }\n    \
             ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"
        );
    }

    #[test]
    fn plain_json_object_passes_through_and_a_cut_one_stays_valid() {
        let mut b = Budget::new(1000);
        b.push("{\"kind\":\"Pod\"}\n");
        assert_eq!(b.finish(Format::Json, HINT).text, "{\"kind\":\"Pod\"}\n");
        let mut b = Budget::new(100);
        b.push(&format!("{{\"big\":\"{}\"}}", "x".repeat(200)));
        let out = b.finish(Format::Json, HINT);
        let v: Value = serde_json::from_str(&out.text).unwrap();
        assert!(
            v["metadata"]["kubeglass.truncated"].is_string(),
            "{}",
            out.text
        );
    }

    #[test]
    fn yaml_note_is_a_comment() {
        let mut b = Budget::new(60);
        b.push("- name: a");
        b.push(&"x".repeat(100));
        let out = b.finish(Format::Yaml, HINT);
        assert!(
            out.text
                .lines()
                .last()
                .unwrap()
                .starts_with("# kubeglass: output cut")
        );
        let v: Value = serde_saphyr::from_str(&out.text).unwrap();
        assert_eq!(v, serde_json::json!([{"name": "a"}]));
    }
}

/// The other budget shape: keep the **newest** chunks (log lines, event rows) that fit
/// `room` bytes — and at most `max_items` of them, when asked — dropping from the front.
/// Drops made for room are counted (the answer says so); drops made for `max_items`
/// (`--tail`) were asked for and are not.
#[derive(Debug, Default)]
pub struct Tail {
    room: usize,
    max_items: Option<usize>,
    kept: std::collections::VecDeque<String>,
    bytes: usize,
    dropped: usize,
    dropped_bytes: usize,
}

impl Tail {
    /// A tail of at most `room` bytes (each chunk costs its length plus a newline).
    pub fn new(room: usize, max_items: Option<usize>) -> Tail {
        Tail {
            room,
            max_items,
            ..Tail::default()
        }
    }

    /// Keep `chunk` as the newest, dropping the oldest until the limits hold.
    pub fn push(&mut self, chunk: String) {
        self.bytes += chunk.len() + 1;
        self.kept.push_back(chunk);
        while self.bytes > self.room || self.max_items.is_some_and(|t| self.kept.len() > t) {
            let over_room = self.bytes > self.room;
            let Some(old) = self.kept.pop_front() else {
                break;
            };
            self.bytes -= old.len() + 1;
            if over_room {
                self.dropped += 1;
                self.dropped_bytes += old.len() + 1;
            }
        }
    }

    /// How many chunks (and bytes) were dropped for room.
    pub fn dropped(&self) -> (usize, usize) {
        (self.dropped, self.dropped_bytes)
    }

    /// The kept chunks, oldest first.
    pub fn kept(&self) -> impl Iterator<Item = &String> {
        self.kept.iter()
    }
}

#[cfg(test)]
mod tail_tests {
    use super::*;

    #[test]
    fn the_newest_chunks_stay_and_only_room_drops_are_counted() {
        let mut t = Tail::new(20, Some(2));
        for c in ["a", "b", "c", "0123456789abcdef"] {
            t.push(c.to_string());
        }
        let kept: Vec<&String> = t.kept().collect();
        assert_eq!(kept, ["c", "0123456789abcdef"]);
        assert_eq!(
            t.dropped(),
            (1, 2),
            "b went for room (counted), a for the count (not)"
        );
    }
}
