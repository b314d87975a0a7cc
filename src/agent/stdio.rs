//! `kubeglass run --stdio`: the same protocol over stdin/stdout, one JSON command per line
//! in, one JSON response per line out (never split) — for local AI tools and tests.

use std::io::{BufRead, Write};
use std::time::{Instant, SystemTime};

use crate::error::{Code, Error};
use crate::ops::Executor;
use crate::protocol::{self, AgentInfo, Result1};

/// Answer every line of `input` on `output` until end of input.
pub fn serve(
    exec: &dyn Executor,
    agent: &AgentInfo,
    max_output_bytes: usize,
    input: impl BufRead,
    mut output: impl Write,
) -> std::io::Result<()> {
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let started = Instant::now();
        let (id, result) = match protocol::parse(&line) {
            Ok(m) => {
                let result = match (m.command, m.deadline) {
                    (_, Some(d)) if d < SystemTime::now() => {
                        Err(Error::new(Code::Expired, "the command's deadline passed"))
                    }
                    (Err(e), _) => Err(e),
                    (Ok(cmd), _) => exec.execute(&cmd, max_output_bytes),
                };
                (m.id, result)
            }
            Err((id, e)) => (id.unwrap_or_default(), Err(e)),
        };
        let r = Result1 {
            id: &id,
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
