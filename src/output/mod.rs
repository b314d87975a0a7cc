//! Shaping results for an investigator: tables, documents, and the output budget.

use std::borrow::Cow;
use std::ops::Range;

pub mod budget;
pub mod doc;
pub mod table;

/// `s` with every terminal control character from server data made visible: C0 controls
/// but newline and tab in caret notation (ESC is `^[`, as kubectl escapes it); DEL and C1
/// controls (U+0080–U+009F, CSI among them) as `\u00XX`, which JSON reads as the same
/// character (serde_json writes them raw; it escapes C0 itself). Objects, events and error
/// messages are written by whoever can create them: an ESC or CSI in an annotation must not
/// recolour, retitle or clear the reader's terminal.
///
/// The invisible format characters that reorder or hide text ([`is_invisible_format`]:
/// bidi embeddings, overrides and isolates, zero-width characters, line separators) are
/// written as `\uXXXX` too (a surrogate pair above U+FFFF, so JSON still reads the same
/// character): a right-to-left override in a message could make `deny` read as `allow` on
/// the reader's screen (Trojan Source), and a zero-width space hides what a name really is.
pub fn printable(s: &str) -> Cow<'_, str> {
    let escaped = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_invisible_format(c);
    if !s.contains(escaped) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c as u32 {
            _ if !escaped(c) => out.push(c),
            n @ 0..=0x1f => {
                out.push('^');
                out.push(char::from(b'@' + n as u8));
            }
            _ => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    Cow::Owned(out)
}

/// Invisible characters that change how the text around them is shown: Unicode's bidi
/// controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, the marks
/// U+200E/U+200F and U+061C), zero-width and joining characters (U+200B–U+200D, U+2060–
/// U+2064, U+FEFF, U+180E), the line and paragraph separators some terminals break lines at
/// (U+2028, U+2029), the soft hyphen, deprecated format controls (U+206A–U+206F),
/// interlinear annotations (U+FFF9–U+FFFB) and tag characters (U+E0000–U+E007F, which can
/// carry hidden ASCII). A zero-width joiner inside an emoji sequence is escaped too: a
/// rendered emoji is worth less than a name that reads as what it is.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c as u32,
        0x00AD
            | 0x061C
            | 0x180E
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0xE0000..=0xE007F
    )
}

/// The kind of text in [`Output::text`], as sent in the protocol's `format` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text: tables, describe output, logs.
    Text,
    /// A JSON document.
    Json,
    /// A YAML document.
    Yaml,
}

/// The result of one command, already redacted and cut to its budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// What the investigator reads (the agent and MCP send it as it is, notes in place).
    pub text: String,
    /// How to read `text`.
    pub format: Format,
    /// Whether the budget cut the output (the text then ends with a line saying so).
    pub truncated: bool,
    /// Where `text` holds kubeglass's own note lines (`[kubeglass: …]`, a hint, the budget's
    /// cut line), each a whole line with its newline, in order. `query` prints them on
    /// stderr and the rest on stdout, as kubectl keeps `Found 3 pods, using pod/…` off
    /// stdout. They are marked where they are written, never found by matching the text:
    /// a log line can look like a note.
    pub notes: Vec<Range<usize>>,
    /// The cut note of a JSON document, which holds it in its `metadata` and has no line to
    /// lend: `query` says it on stderr too.
    pub doc_note: Option<String>,
}

impl Output {
    /// A short plain-text answer that needs no budget (a "nothing found" line).
    pub fn text(text: String) -> Output {
        Output::plain(text, Format::Text, false)
    }

    /// `text` in `format`, without note lines.
    pub fn plain(text: String, format: Format, truncated: bool) -> Output {
        Output {
            text,
            format,
            truncated,
            notes: Vec::new(),
            doc_note: None,
        }
    }

    /// Plain text cut to `max` bytes line by line, the cut saying `hint`.
    pub fn lines(text: &str, max: usize, hint: &str) -> Output {
        let mut budget = budget::Budget::new(max);
        for l in text.lines() {
            budget.push(l);
        }
        budget.finish(Format::Text, hint)
    }

    /// The text without its note lines (stdout of `query`), and the note lines without
    /// their newlines (its stderr).
    pub fn split_notes(&self) -> (String, Vec<&str>) {
        let mut body = String::with_capacity(self.text.len());
        let mut notes = Vec::with_capacity(self.notes.len());
        for (is_note, part) in self.parts() {
            if is_note {
                notes.push(part.trim_end_matches('\n'));
            } else {
                body.push_str(part);
            }
        }
        (body, notes)
    }

    /// The text in order as (is a note line, text) parts, so a printer can send each to
    /// its stream in turn (a note before the log lines is read before them).
    pub fn parts(&self) -> Vec<(bool, &str)> {
        let mut parts = Vec::with_capacity(2 * self.notes.len() + 1);
        let mut at = 0;
        for r in &self.notes {
            let (Some(before), Some(note)) = (self.text.get(at..r.start), self.text.get(r.clone()))
            else {
                // A span that does not fit the text (a bug): everything is the answer.
                return vec![(false, self.text.as_str())];
            };
            if !before.is_empty() {
                parts.push((false, before));
            }
            parts.push((true, note));
            at = r.end;
        }
        match self.text.get(at..) {
            Some(rest) if !rest.is_empty() => parts.push((false, rest)),
            _ => {}
        }
        parts
    }

    /// This output with `f` applied to the text between and inside its note lines, the
    /// note spans moved to match (for changes that may alter lengths, such as escaping).
    pub fn map_text(mut self, f: impl Fn(&str) -> Cow<'_, str>) -> Output {
        if self.notes.is_empty() {
            if let Cow::Owned(t) = f(&self.text) {
                self.text = t;
            }
            return self;
        }
        let mut text = String::with_capacity(self.text.len());
        let mut spans = Vec::with_capacity(self.notes.len());
        let mut at = 0;
        for r in &self.notes {
            text.push_str(&f(self.text.get(at..r.start).unwrap_or("")));
            let start = text.len();
            text.push_str(&f(self.text.get(r.clone()).unwrap_or("")));
            spans.push(start..text.len());
            at = r.end;
        }
        text.push_str(&f(self.text.get(at..).unwrap_or("")));
        self.text = text;
        self.notes = spans;
        self
    }
}

/// Text written line by line with its note lines marked (for an op that builds its answer
/// without a [`budget::Budget`]).
#[derive(Debug, Default)]
pub struct Noted {
    /// The text so far.
    pub text: String,
    /// The note lines in it.
    pub notes: Vec<Range<usize>>,
}

impl Noted {
    /// Append a note line (`[kubeglass: …]`); a newline is added.
    pub fn note(&mut self, line: &str) {
        let start = self.text.len();
        self.text.push_str(line);
        self.text.push('\n');
        self.notes.push(start..self.text.len());
    }

    /// Append text that is the answer itself.
    pub fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// The text as an [`Output`].
    pub fn into_output(self, format: Format, truncated: bool) -> Output {
        Output {
            text: self.text,
            format,
            truncated,
            notes: self.notes,
            doc_note: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_split_from_the_answer_and_survive_escaping() {
        let mut n = Noted::default();
        n.note("[kubeglass: picked pod/a]");
        n.push_str("line \u{1b}one\n[kubeglass: a log line, not a note]\n");
        n.note("[kubeglass: cut \u{1b}]");
        let out = n.into_output(Format::Text, true).map_text(printable);
        let (body, notes) = out.split_notes();
        assert_eq!(body, "line ^[one\n[kubeglass: a log line, not a note]\n");
        assert_eq!(notes, ["[kubeglass: picked pod/a]", "[kubeglass: cut ^[]"]);
        assert!(
            out.text
                .starts_with("[kubeglass: picked pod/a]\nline ^[one\n")
        );
    }

    #[test]
    fn output_never_carries_terminal_control_characters() {
        assert!(matches!(printable("plain\ttext\n"), Cow::Borrowed(_)));
        assert_eq!(
            printable("a\u{1b}[31mred\u{1b}]0;title\u{7}\r\u{7f}b\u{9b}2J\u{85}é"),
            "a^[[31mred^[]0;title^G^M\\u007fb\\u009b2J\\u0085é"
        );
        let json = serde_json::json!({"k": "x\u{9b}\u{7f}y"}).to_string();
        let safe = printable(&json);
        assert!(!safe.chars().any(|c| c.is_control()), "{safe}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&safe).unwrap(),
            serde_json::json!({"k": "x\u{9b}\u{7f}y"}),
            "DEL and C1 characters in JSON stay the same characters"
        );
    }

    #[test]
    fn bidi_controls_and_invisible_characters_are_made_visible() {
        // Trojan Source: the override makes the reader see `user is admin` reversed.
        assert_eq!(
            printable("ok\u{202e}nimda si resu\u{202c}"),
            "ok\\u202enimda si resu\\u202c"
        );
        for c in [
            '\u{202a}',
            '\u{202b}',
            '\u{202c}',
            '\u{202d}',
            '\u{202e}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{200e}',
            '\u{200f}',
            '\u{061c}',
            '\u{200b}',
            '\u{200d}',
            '\u{2060}',
            '\u{feff}',
            '\u{2028}',
            '\u{2029}',
            '\u{00ad}',
            '\u{e0041}',
        ] {
            let shown = printable(&format!("pass{c}word")).into_owned();
            assert!(!shown.contains(c), "{c:?} passes: {shown}");
            assert!(
                shown.starts_with("pass\\u") && shown.ends_with("word"),
                "{shown}"
            );
        }
        // Letters of any script, combining accents and emoji stay as they are.
        for s in ["שלום", "مرحبا", "e\u{301}", "日本語", "🙂"] {
            assert!(matches!(printable(s), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn escaped_invisible_characters_read_back_as_themselves_in_json() {
        let v = serde_json::json!({"k": "a\u{202e}b\u{200f}c\u{e0041}d"});
        let safe = printable(&v.to_string()).into_owned();
        assert!(!safe.chars().any(is_invisible_format), "{safe}");
        assert!(
            safe.contains("\\udb40\\udc41"),
            "a surrogate pair above U+FFFF: {safe}"
        );
        assert_eq!(serde_json::from_str::<serde_json::Value>(&safe).unwrap(), v);
    }
}
