//! Lines of untrusted length (command lines on stdin, container log lines): read with a
//! bound on what is kept, and cut at a word boundary, so a huge line never sits in memory
//! and a cut never shows the start of a credential it splits.

use std::io::{self, BufRead};

/// Read the next line of `input` (without its `\n`) into `buf`, keeping at most `keep` of
/// its bytes and consuming the rest up to the newline. Returns the line's full length, or
/// `None` at end of input (a last line without a newline still counts).
pub fn read_bounded(
    input: &mut impl BufRead,
    keep: usize,
    buf: &mut Vec<u8>,
) -> io::Result<Option<usize>> {
    buf.clear();
    let mut total = 0usize;
    let mut seen_any = false;
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(seen_any.then_some(total));
        }
        seen_any = true;
        let (part, newline) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], true),
            None => (chunk, false),
        };
        let room = part.len().min(keep.saturating_sub(buf.len()));
        buf.extend_from_slice(&part[..room]);
        total = total.saturating_add(part.len());
        let used = part.len() + usize::from(newline);
        input.consume(used);
        if newline {
            return Ok(Some(total));
        }
    }
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
    // After the last character that is not part of a word (which may be several bytes
    // long: `i + 1` would cut inside a `é` and panic — found by the `logs` fuzz target).
    let word_start = line[..cut]
        .char_indices()
        .rfind(|&(_, c)| !(c.is_ascii_alphanumeric() || "+/=_-.%".contains(c)))
        .map_or(0, |(i, c)| i + c.len_utf8());
    if cut - word_start <= max_backoff {
        word_start
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
