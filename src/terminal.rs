//! Text that is safe to print on a terminal. Whatever the cluster sends — an ANSI escape in
//! a log line that recolours the screen, moves the cursor or retitles the window, a carriage
//! return in an event message that overwrites what came before it, a C1 code such as CSI —
//! is shown as a visible `\u{1b}` escape and never reaches the reader's terminal as it is.
//!
//! It is applied where server data becomes showable, in [`crate::redact`] (every object
//! string and key, every log line, every error message), so the output budget and table
//! widths count the escaped text.

use std::borrow::Cow;

/// Whether `c` acts on a terminal: the C0 controls but tab and newline, DEL, and C1.
pub fn is_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `s` with every control character ([`is_control`]) written as `\u{XX}`; borrowed when
/// there is none (the common case, found by one pass over the bytes).
pub fn escape(s: &str) -> Cow<'_, str> {
    // C1 characters are 0xC2 0x80..=0x9F in UTF-8: a 0xC2 byte sends the text to the
    // careful check (it also starts `°`, `©`, a no-break space…).
    let maybe = s
        .bytes()
        .any(|b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f || b == 0xc2);
    if !maybe || !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(
            escape("\u{1b}[31mred\u{1b}[0m\rover\u{7}\u{7f}\u{9b}2J"),
            "\\u{1b}[31mred\\u{1b}[0m\\u{d}over\\u{7}\\u{7f}\\u{9b}2J"
        );
        assert_eq!(escape("\u{1b}]0;title\u{7}"), "\\u{1b}]0;title\\u{7}");
    }

    #[test]
    fn plain_text_tabs_newlines_and_accents_pass_as_they_are() {
        for s in ["Running", "a\tb\nc", "20 °C © x\u{a0}y", "日本語 ✓", ""] {
            assert!(matches!(escape(s), Cow::Borrowed(b) if b == s), "{s:?}");
        }
        // Escaping twice changes nothing more.
        let once = escape("\u{1b}x").into_owned();
        assert_eq!(escape(&once), once);
    }
}
