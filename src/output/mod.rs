//! Shaping results for an investigator: tables, documents, and the output budget.

use std::borrow::Cow;

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
    /// What the investigator reads.
    pub text: String,
    /// How to read `text`.
    pub format: Format,
    /// Whether the budget cut the output (the text then ends with a line saying so).
    pub truncated: bool,
}

impl Output {
    /// A short plain-text answer that needs no budget (a "nothing found" line).
    pub fn text(text: String) -> Output {
        Output {
            text,
            format: Format::Text,
            truncated: false,
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
