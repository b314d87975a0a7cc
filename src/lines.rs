//! Lines of untrusted length (command lines on stdin, container log lines): read with a
//! bound on what is kept, and cut at a word boundary, so a huge line never sits in memory
//! and a cut never shows the start of a credential it splits. Messages quoted from the API
//! (conditions, events, container states) are cut in the middle ([`cut_middle`]): their
//! last clause is usually the cause.

use std::borrow::Cow;
use std::io::{self, BufRead};

/// Read the next line of `input` (without its `\n`) into `buf`, keeping at most `keep` of
/// its bytes and consuming the rest up to the newline. Returns the line's full length, or
/// `None` at end of input (a last line without a newline still counts).
pub fn read_bounded(
    input: &mut impl BufRead,
    keep: usize,
    buf: &mut Vec<u8>,
) -> io::Result<Option<usize>> {
    read_bounded_ends(input, keep, 0, buf, &mut Vec::new())
}

/// [`read_bounded`], also keeping in `tail` the last `tail_keep` bytes of a line longer than
/// `keep` (empty otherwise): what a line ends with can open a value on the lines below it
/// (`password=x \\`, `<<EOF`), so a redactor must see the end of a line it does not show.
pub fn read_bounded_ends(
    input: &mut impl BufRead,
    keep: usize,
    tail_keep: usize,
    buf: &mut Vec<u8>,
    tail: &mut Vec<u8>,
) -> io::Result<Option<usize>> {
    buf.clear();
    tail.clear();
    let mut total = 0usize;
    let mut seen_any = false;
    let trim = |tail: &mut Vec<u8>| {
        if tail.len() > tail_keep {
            tail.drain(..tail.len() - tail_keep);
        }
    };
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            trim(tail);
            return Ok(seen_any.then_some(total));
        }
        seen_any = true;
        let (part, newline) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], true),
            None => (chunk, false),
        };
        let room = part.len().min(keep.saturating_sub(buf.len()));
        buf.extend_from_slice(&part[..room]);
        // Past `keep`: only the newest `tail_keep` bytes are held (trimmed as it grows, so
        // a line of gigabytes holds at most twice that).
        let past = &part[room..];
        let from = past.len().saturating_sub(tail_keep);
        tail.extend_from_slice(&past[from..]);
        if tail.len() > 2 * tail_keep {
            trim(tail);
        }
        total = total.saturating_add(part.len());
        let used = part.len() + usize::from(newline);
        input.consume(used);
        if newline {
            trim(tail);
            return Ok(Some(total));
        }
    }
}

/// Where the last word of `s` starts (a word: ASCII letters, digits and `+/=_-.%`, the
/// characters of tokens and base64), `s.len()` when `s` ends in a non-word character.
pub fn last_word_start(s: &str) -> usize {
    // After the last character that is not part of a word (which may be several bytes
    // long: `i + 1` would cut inside a `é` and panic — found by the `logs` fuzz target).
    s.char_indices()
        .rfind(|&(_, c)| !(c.is_ascii_alphanumeric() || "+/=_-.%".contains(c)))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// Where to cut `line` to at most `max` bytes: a char boundary, backed off to the start of
/// the word the cut falls in when that start is at most `max_backoff` bytes back (a word
/// longer than that is cut where it is).
pub fn word_cut(line: &str, max: usize, max_backoff: usize) -> usize {
    let mut cut = max.min(line.len());
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    if cut == line.len() {
        return cut;
    }
    let word_start = last_word_start(&line[..cut]);
    if cut - word_start <= max_backoff {
        word_start
    } else {
        cut
    }
}

/// What stands for the part [`cut_middle`] leaves out.
const ELISION: &str = " … ";
/// How far a middle cut moves to land between words rather than inside one.
const WORD_SLACK: usize = 24;

/// `s` in at most `max` bytes: whole when it fits, else its head and its tail joined by
/// ` … `. Kubernetes messages nest their causes (`unable to compute the replica count:
/// unable to get metrics …: the server could not find the requested resource (get
/// pods.metrics.k8s.io)`): the last clause is the operative one, so the tail starts at the
/// earliest clause boundary (`: `, `; `, `. `) whose rest fits in three fifths of the room,
/// or, when even the last clause is longer, at a word start. Both cuts are on character
/// boundaries; the head ends between words where one is near.
pub fn cut_middle(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    // Too small for a head and a tail: the head alone, marked.
    if max < ELISION.len() + 2 * WORD_SLACK {
        let mark = "…";
        if max < mark.len() {
            return Cow::Borrowed("");
        }
        let end = floor_boundary(s, max - mark.len());
        return Cow::Owned(format!("{}{mark}", &s[..end]));
    }
    let room = max - ELISION.len();
    let tail_max = room * 3 / 5;
    let from = s.len() - tail_max;
    let clause = s
        .match_indices([':', ';', '.'])
        .map(|(i, _)| i + 1)
        .filter(|&i| i >= from && s[i..].starts_with(' '))
        .map(|i| i + 1)
        .next();
    let tail_start = clause.unwrap_or_else(|| {
        // No clause fits: the newest half of the room, from the next word start.
        let at = ceil_boundary(s, s.len() - room / 2);
        s[at..]
            .char_indices()
            .take_while(|&(i, _)| i <= WORD_SLACK)
            .find(|&(_, c)| c.is_whitespace())
            .map_or(at, |(i, c)| at + i + c.len_utf8())
    });
    let tail = &s[tail_start..];
    let head_room = room - tail.len();
    let head = s[..word_cut(s, head_room, WORD_SLACK)].trim_end();
    Cow::Owned(format!("{head}{ELISION}{}", tail.trim_start()))
}

/// The largest char boundary of `s` at or below `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary of `s` at or above `i`.
fn ceil_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_lines_end_is_kept_for_the_redactor_and_a_short_line_has_none() {
        let long = format!("{}db.password=x \\", "a".repeat(10_000));
        let text = format!("{long}\nshort\n");
        let mut input = io::Cursor::new(text.into_bytes());
        let (mut buf, mut tail) = (Vec::new(), Vec::new());
        let total = read_bounded_ends(&mut input, 100, 16, &mut buf, &mut tail).unwrap();
        assert_eq!(total, Some(long.len()));
        assert_eq!(buf.len(), 100);
        assert_eq!(tail, b"adb.password=x \\", "the last 16 bytes");
        let total = read_bounded_ends(&mut input, 100, 16, &mut buf, &mut tail).unwrap();
        assert_eq!(
            (total, buf.as_slice(), tail.len()),
            (Some(5), &b"short"[..], 0)
        );
        assert_eq!(
            read_bounded_ends(&mut input, 100, 16, &mut buf, &mut tail).unwrap(),
            None
        );
    }

    const HPA: &str = "the HPA was unable to compute the replica count: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)";

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 500, failure_persistence: None, ..Default::default()
        })]
        /// Any text, any budget: within it, on char boundaries (a bad slice would panic),
        /// whole when it fits, and a last clause that fits the tail's share is kept whole.
        #[test]
        fn a_middle_cut_fits_and_keeps_a_last_clause_that_fits(
            s in "(\\PC|[ :;.]){0,300}",
            max in 0usize..320,
        ) {
            let cut = cut_middle(&s, max);
            proptest::prop_assert!(cut.len() <= max || s.len() <= max, "{:?}", cut);
            if s.len() <= max {
                proptest::prop_assert_eq!(&*cut, s.as_str());
            } else if max >= ELISION.len() + 2 * WORD_SLACK {
                let last = s.rsplit_once(": ").map_or("", |(_, l)| l);
                if !last.is_empty() && last.len() <= (max - ELISION.len()) * 3 / 5 {
                    proptest::prop_assert!(cut.ends_with(last.trim_start()), "{:?}", cut);
                }
            }
        }
    }

    #[test]
    fn a_middle_cut_keeps_the_last_clause() {
        let cut = cut_middle(HPA, 160);
        assert!(cut.len() <= 160, "{cut}");
        assert!(
            cut.starts_with("the HPA was unable to compute the replica count"),
            "{cut}"
        );
        assert!(
            cut.ends_with(
                " … the server could not find the requested resource (get pods.metrics.k8s.io)"
            ),
            "{cut}"
        );
        assert!(matches!(cut_middle(HPA, HPA.len()), Cow::Borrowed(_)));
    }

    #[test]
    fn a_long_last_clause_is_cut_at_a_word_start_and_keeps_its_end() {
        let s = format!("failed: {}the end", "word ".repeat(60));
        let cut = cut_middle(&s, 100);
        assert!(cut.len() <= 100, "{cut}");
        assert!(cut.starts_with("failed: word"), "{cut}");
        assert!(cut.ends_with("word the end"), "{cut}");
        assert!(cut.contains(" … word"), "the tail starts at a word: {cut}");
    }

    #[test]
    fn middle_cuts_stay_within_max_on_char_boundaries() {
        let texts = [
            HPA.to_string(),
            "日本語のメッセージ: ".repeat(20),
            "é".repeat(200),
            "x".repeat(300),
            format!("{}: {}", "a".repeat(100), "ü b".repeat(50)),
            "a: b; c. d".repeat(30),
        ];
        for s in &texts {
            for max in 0..=s.len() + 1 {
                let cut = cut_middle(s, max);
                assert!(cut.len() <= max, "{s:?} at {max}: {cut:?}");
                if max >= s.len() {
                    assert_eq!(cut, s.as_str());
                }
            }
        }
    }

    #[test]
    fn a_cut_after_a_multi_byte_character_stays_on_a_char_boundary() {
        // The `logs` fuzz target's first crash: a word after `é` (or the U+FFFD a non-UTF-8
        // byte becomes), cut by --limit-bytes, panicked the worker in String::truncate.
        for line in [
            "aé bcdef",
            "é\u{fffd}xyz",
            "日本語ab",
            "x\u{fffd}passwordhunter2",
        ] {
            for max in 0..=line.len() {
                let cut = word_cut(line, max, usize::MAX);
                assert!(
                    line.is_char_boundary(cut) && cut <= max,
                    "{line:?} at {max}: {cut}"
                );
            }
        }
        assert_eq!(word_cut("aé bcdef", 6, usize::MAX), 4);
        assert_eq!(word_cut("é\u{fffd}xyz", 6, usize::MAX), 5);
    }

    #[test]
    fn a_huge_line_is_consumed_but_only_its_head_kept() {
        let mut input = io::Cursor::new([vec![b'x'; 100_000], b"\nnext\n".to_vec()].concat());
        let mut buf = Vec::new();
        assert_eq!(
            read_bounded(&mut input, 10, &mut buf).unwrap(),
            Some(100_000)
        );
        assert_eq!(buf.len(), 10);
        assert_eq!(read_bounded(&mut input, 10, &mut buf).unwrap(), Some(4));
        assert_eq!(buf, b"next");
        assert_eq!(read_bounded(&mut input, 10, &mut buf).unwrap(), None);
    }

    #[test]
    fn cuts_back_off_to_a_word_start_within_the_limit() {
        assert_eq!(word_cut("ab password=hunter2", 15, usize::MAX), 3);
        assert_eq!(word_cut("short", 10, 0), 5);
        assert_eq!(word_cut(&"x".repeat(100), 50, 10), 50);
    }
}
