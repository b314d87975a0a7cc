//! `kubeglass run --stdio`: the same protocol over stdin/stdout, one JSON command per line
//! in, one JSON response per line out (never split) — for local AI tools and tests.
//!
//! Lines are read as bytes through a bounded buffer: a line longer than
//! [`MAX_COMMAND_BYTES`] is consumed up to its newline but never held whole, and a line that
//! is not UTF-8 is answered `InvalidCommand` like any other broken command. Either way the
//! loop goes on with the next line, so one bad line cannot silence the ones after it.

use std::io::{self, BufRead, Write};
use std::time::Instant;

use crate::error::Error;
use crate::ops::{self, Bounds, Executor};
use crate::protocol::{self, AgentInfo, MAX_COMMAND_BYTES, Result1};

/// Answer every line of `input` on `output` until end of input; each command runs through
/// the same pipeline as the SQS agent's ([`ops::run_command`]), within `bounds`.
pub fn serve(
    exec: &dyn Executor,
    agent: &AgentInfo,
    bounds: Bounds,
    mut input: impl BufRead,
    mut output: impl Write,
) -> io::Result<()> {
    let mut buf = Vec::new();
    while let Some(len) = read_line_bounded(&mut input, MAX_COMMAND_BYTES, &mut buf)? {
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let started = Instant::now();
        let parsed = line_text(&buf, len).and_then(protocol::parse);
        let (id, result) = match parsed {
            Ok(m) => (m.id, ops::run_command(exec, m.command, m.deadline, bounds)),
            Err((id, e)) => (id.unwrap_or_default(), Err(e)),
        };
        let answer = protocol::answer_id();
        let r = Result1 {
            id: &id,
            answer: &answer,
            result: &result,
            agent,
            duration_ms: started.elapsed().as_millis() as u64,
        };
        for msg in protocol::result_messages(&r, usize::MAX) {
            writeln!(output, "{msg}")?;
        }
        output.flush()?;
    }
    Ok(())
}

/// The next line, keeping at most `limit + 1` of its bytes: enough to tell it is too
/// long, never the whole of a huge line. Returns its full length, `None` at end of input.
fn read_line_bounded(
    input: &mut impl BufRead,
    limit: usize,
    buf: &mut Vec<u8>,
) -> io::Result<Option<usize>> {
    crate::lines::read_bounded(input, limit + 1, buf)
}

/// The line as text, or the error to answer it with (and its id, when that can still be
/// read, as for broken JSON).
fn line_text(buf: &[u8], len: usize) -> Result<&str, (Option<String>, Error)> {
    if len > MAX_COMMAND_BYTES {
        let id = protocol::salvage_id(&String::from_utf8_lossy(buf));
        return Err((
            id,
            Error::invalid(format!(
                "command is {len} bytes; the limit is {} KiB",
                MAX_COMMAND_BYTES / 1024
            )),
        ));
    }
    std::str::from_utf8(buf).map_err(|e| {
        let id = protocol::salvage_id(&String::from_utf8_lossy(buf));
        let err = Error::invalid(format!(
            "command is not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ));
        (id, err)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::output::{Format, Output};
    use serde_json::Value;
    use std::io::{BufReader, Cursor, Read};

    /// Answers every command with its op's name.
    struct Echo;

    impl Executor for Echo {
        fn execute(
            &self,
            cmd: &Command,
            _max: usize,
            _deadline: Option<Instant>,
        ) -> crate::error::Result<Output> {
            Ok(Output::plain(
                format!("did {}", cmd.op.as_str()),
                Format::Text,
                false,
            ))
        }
    }

    fn answers(input: impl BufRead) -> Vec<Value> {
        let agent = AgentInfo {
            id: "t".into(),
            cluster: "c".into(),
            version: "0".into(),
        };
        let mut out = Vec::new();
        let bounds = Bounds {
            max_output_bytes: 1000,
            command_timeout: std::time::Duration::from_secs(60),
        };
        serve(&Echo, &agent, bounds, input, &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    const GOOD_A: &[u8] = br#"{"version":1,"id":"a","kubectl":"get pods"}"#;
    const GOOD_C: &[u8] = br#"{"version":1,"id":"c","kubectl":"get nodes"}"#;

    #[test]
    fn a_non_utf8_line_is_answered_and_the_next_lines_still_are() {
        let mut input = Vec::new();
        input.extend_from_slice(GOOD_A);
        input.extend_from_slice(
            b"\n{\"version\":1,\"id\":\"b\",\"kubectl\":\"get pods \xff\xfe\"}\n",
        );
        input.extend_from_slice(b"\xc3\x28 no id here\r\n");
        input.extend_from_slice(GOOD_C);
        let lines = answers(Cursor::new(input));
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert_eq!(
            (&lines[0]["id"], &lines[0]["output"]),
            (&"a".into(), &"did get".into())
        );
        assert_eq!(lines[1]["id"], "b", "the id is still read");
        assert_eq!(lines[1]["error"]["code"], "InvalidCommand");
        assert!(
            lines[1]["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("not UTF-8")),
            "{}",
            lines[1]
        );
        assert_eq!(
            (&lines[2]["id"], &lines[2]["error"]["code"]),
            (&"".into(), &"InvalidCommand".into())
        );
        assert_eq!(
            (&lines[3]["id"], &lines[3]["output"]),
            (&"c".into(), &"did get".into())
        );
    }

    /// A reader of `left` bytes of `x`, then `rest`, generated as asked (the test never holds
    /// the long line either), counting the bytes handed out to show the line was read through.
    struct Huge {
        left: usize,
        rest: Cursor<Vec<u8>>,
        handed: usize,
    }

    impl Read for Huge {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = if self.left > 0 {
                let n = out.len().min(self.left);
                out[..n].fill(b'x');
                self.left -= n;
                n
            } else {
                self.rest.read(out)?
            };
            self.handed += n;
            Ok(n)
        }
    }

    #[test]
    fn a_line_over_the_limit_is_refused_without_being_held_and_the_next_is_answered() {
        const LONG: usize = 10 * 1024 * 1024;
        let mut rest = b"\n".to_vec();
        rest.extend_from_slice(GOOD_C);
        rest.push(b'\n');
        let mut src = BufReader::new(Huge {
            left: LONG,
            rest: Cursor::new(rest),
            handed: 0,
        });
        // The reader itself: the line's full length is known, only limit + 1 bytes are kept.
        let mut buf = Vec::new();
        let len = read_line_bounded(&mut src, MAX_COMMAND_BYTES, &mut buf).unwrap();
        assert_eq!(len, Some(LONG));
        assert_eq!(buf.len(), MAX_COMMAND_BYTES + 1);
        assert!(
            buf.capacity() < 2 * (MAX_COMMAND_BYTES + 1),
            "{}",
            buf.capacity()
        );
        assert!(src.get_ref().handed > LONG, "read through to the newline");
        let len = read_line_bounded(&mut src, MAX_COMMAND_BYTES, &mut buf).unwrap();
        assert_eq!((len, buf.as_slice()), (Some(GOOD_C.len()), GOOD_C));
        assert_eq!(
            read_line_bounded(&mut src, MAX_COMMAND_BYTES, &mut buf).unwrap(),
            None
        );

        // And through serve: the long line is InvalidCommand, the next one is answered.
        let mut rest = b"\n".to_vec();
        rest.extend_from_slice(GOOD_C);
        let mut input = GOOD_A.to_vec();
        input.push(b'\n');
        let src = BufReader::new(Cursor::new(input).chain(Huge {
            left: LONG,
            rest: Cursor::new(rest),
            handed: 0,
        }));
        let lines = answers(src);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0]["id"], "a");
        assert_eq!(lines[1]["error"]["code"], "InvalidCommand");
        assert_eq!(
            lines[1]["error"]["message"],
            format!("command is {LONG} bytes; the limit is 64 KiB")
        );
        assert_eq!(
            (&lines[2]["id"], &lines[2]["output"]),
            (&"c".into(), &"did get".into())
        );
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_parsed_and_one_more_byte_is_refused() {
        let pad = |n: usize| {
            let mut l = br#"{"version":1,"id":"p","kubectl":"get pods"}"#.to_vec();
            l.resize(n, b' ');
            l.push(b'\n');
            l
        };
        let lines = answers(Cursor::new(pad(MAX_COMMAND_BYTES)));
        assert_eq!(lines[0]["output"], "did get", "{}", lines[0]);
        let lines = answers(Cursor::new(pad(MAX_COMMAND_BYTES + 1)));
        assert_eq!(lines[0]["error"]["code"], "InvalidCommand");
        assert_eq!(lines[0]["id"], "p", "the id is read from the kept bytes");
    }

    #[test]
    fn blank_lines_are_skipped_and_a_last_line_needs_no_newline() {
        let mut input = b"\n  \r\n".to_vec();
        input.extend_from_slice(GOOD_C);
        let lines = answers(Cursor::new(input));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0]["id"], "c");
    }
}
