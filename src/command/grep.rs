//! `--grep` patterns, compiled in one place with limits that bound what one costs.
//!
//! regex-lite matches in time proportional to the compiled program's size times the
//! line's length, and a log line reaches at most 20 KiB (16 KiB kept plus the redactor's
//! slack). The deadline is checked between lines, so the program's size is what bounds how
//! far past its deadline a command can run: `(?:(?:(?:.?){40}){40}){40}bb` (37 bytes)
//! expands to 64,000 states and took about 4 s per 16 KiB line. At [`GREP_SIZE_LIMIT`] the
//! worst patterns that still compile (`(?:.?){32}bb`, `.{82}z`) take 15–25 ms on a 20 KiB
//! line (measured, regex-lite at opt-level 3), leaving room under the 100 ms a command may
//! overrun for the redactor's work on the same line and a busy machine (at 8 KiB they took
//! 30–40 ms, and a test on a loaded machine overran by 107 ms); ordinary patterns
//! (`(?i)error|timeout`, timestamps, an HTTP access-log line) compile to a fraction of it
//! and take 1–2 ms.

use regex_lite::{Regex, RegexBuilder};

/// The most heap one compiled `--grep` program may take (regex-lite's `size_limit`), which
/// bounds its matching time per line.
pub const GREP_SIZE_LIMIT: usize = 4 * 1024;
/// The deepest nesting a `--grep` pattern may have (regex-lite's `nest_limit`).
pub const GREP_NEST_LIMIT: u32 = 16;

/// `pattern` compiled within the limits; the error says which one it broke.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(GREP_SIZE_LIMIT)
        .nest_limit(GREP_NEST_LIMIT)
        .build()
        .map_err(|e| {
            let e = e.to_string();
            if e.contains("size limit") {
                format!(
                    "it compiles to more than {GREP_SIZE_LIMIT} bytes (counted repetitions \
                     such as {{40}} multiply, and nested ones multiply again), which would cost \
                     too much time per log line; use a shorter pattern"
                )
            } else {
                e
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_that_would_hold_a_core_past_the_deadline_are_refused() {
        for p in [
            "(?:(?:(?:.?){40}){40}){40}bb",
            "(?:(?:(?:(?:.?){1000}){1000}){1000}){1000}",
            "(?:.?){1000}bb",
            ".{5000}",
        ] {
            let e = compile(p).unwrap_err();
            assert!(e.contains(&GREP_SIZE_LIMIT.to_string()), "{p}: {e}");
        }
        let deep = format!("{}a{}", "(".repeat(40), ")".repeat(40));
        assert!(compile(&deep).is_err());
        for p in [
            "ERROR|WARN|FATAL",
            "(?i)error|exception|timeout|refused|panic",
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}",
            r"(?i)connection (refused|reset|timed out)",
            r"user=\w+ id=[0-9a-f]{32}",
            r"^\S+\s+\S+\s+(GET|POST) /api/v[0-9]+/\S* [45]\d\d",
        ] {
            assert!(compile(p).is_ok(), "{p}");
        }
    }
}
