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
pub fn printable(s: &str) -> Cow<'_, str> {
    let is_control = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !s.contains(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c as u32 {
            _ if !is_control(c) => out.push(c),
            n @ 0..=0x1f => {
                out.push('^');
                out.push(char::from(b'@' + n as u8));
            }
            n => out.push_str(&format!("\\u{n:04x}")),
        }
    }
    Cow::Owned(out)
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
}
