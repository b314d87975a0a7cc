//! Unit tests of `get`'s pure parts: template output cut into lines.

use super::*;

/// `text` fed to [`Lines`] in chunks of `n` bytes, as the budget finishes it.
fn through_lines(text: &str, n: usize, max: usize) -> Output {
    let mut budget = Budget::new(max);
    let mut lines = Lines::new(String::new());
    let bytes: Vec<char> = text.chars().collect();
    for chunk in bytes.chunks(n) {
        lines.0.extend(chunk);
        lines.flush(&mut budget);
    }
    lines.finish("", &mut budget);
    budget.finish(Format::Text, HINT)
}

/// `text` pushed whole, line by line, as `get` did before streaming.
fn whole(text: &str, max: usize) -> Output {
    let mut budget = Budget::new(max);
    for l in text.lines() {
        budget.push(l);
    }
    budget.finish(Format::Text, HINT)
}

#[test]
fn streamed_template_text_is_cut_into_the_same_lines_as_the_whole_text() {
    let text = "a\tb\r\nc\n\nlast\r";
    for n in 1..=text.len() {
        assert_eq!(through_lines(text, n, 4096).text, whole(text, 4096).text);
    }
    // A line longer than the budget is counted once, when it passes the budget; the
    // rest of it is dropped unread (so the note's byte count is a lower bound).
    let long = "x".repeat(3000) + "\nshort\n";
    let without_bytes = |t: &str| t.split(" (").next().unwrap_or_default().to_string();
    for n in [1, 7, 100, 5000] {
        let out = through_lines(&long, n, 2048).text;
        assert_eq!(without_bytes(&out), without_bytes(&whole(&long, 2048).text));
        assert!(
            out.starts_with("[kubeglass: output cut at 2048 bytes: 2 more lines/items ("),
            "{out}"
        );
    }
}
