//! Waiting out an unavailable API within the command's deadline: a refused or reset
//! connection, a request that got no answer in its timeout, or a 429/5xx (an API server
//! restarting, overloaded or between leaders) is retried with capped, jittered backoff for
//! as long as the command's deadline allows, so a short API blip answers a queued batch
//! `ok` instead of `ApiUnavailable`. Retrying is safe because kubeglass only GETs. Only
//! the agent's client retries (`Settings::retry_unavailable`).
//!
//! Bounded: never past the thread's deadline ([`super::deadline`]); without one (start-up
//! reads), for at most [`NO_DEADLINE_WINDOW`]. When the time runs out the last error is
//! answered, still `ApiUnavailable` (the API was the problem, not the command's size), with
//! how long it was waited for.

use std::time::{Duration, Instant, SystemTime};

use crate::error::{Code, Error, Result};

use super::deadline;

/// The first wait before a retry; each later one doubles, up to [`MAX_WAIT`].
const FIRST_WAIT: Duration = Duration::from_millis(250);
/// The longest wait between two tries: a restarted API server is used within this of its
/// return.
const MAX_WAIT: Duration = Duration::from_secs(4);
/// How long a request with no command deadline (the agent's start-up reads) keeps trying.
const NO_DEADLINE_WINDOW: Duration = Duration::from_secs(10);

/// Whether `e` says the API was unavailable for a moment (worth another try), rather than
/// that it answered and meant it: `ApiUnavailable` from a 408/429/5xx answer, or from a
/// request or body read that failed on the network (its cause is a ureq or I/O error). Not
/// an answer too large to read, nor one that was not JSON.
pub(super) fn is_transient(e: &Error) -> bool {
    if e.code != Code::ApiUnavailable {
        return false;
    }
    if let Some(s) = e.status {
        return s == 408 || s == 429 || s >= 500;
    }
    let Some(cause) = std::error::Error::source(e) else {
        return false;
    };
    if let Some(u) = cause.downcast_ref::<ureq::Error>() {
        // Refused, reset, no answer in time: the server is away. A certificate, proxy or
        // name-resolution failure is configuration and would fail the same way again.
        return matches!(
            u,
            ureq::Error::Io(_)
                | ureq::Error::Timeout(_)
                | ureq::Error::ConnectionFailed
                | ureq::Error::BodyStalled
                | ureq::Error::Protocol(_)
        );
    }
    cause.is::<std::io::Error>()
}

/// The wait before retry `attempt` (1-based): doubling from [`FIRST_WAIT`], capped at
/// [`MAX_WAIT`], with jitter down to half so many workers do not retry in step.
pub(super) fn wait_before(attempt: u32, jitter_seed: u64) -> Duration {
    let full = FIRST_WAIT
        .saturating_mul(1 << attempt.saturating_sub(1).min(8))
        .min(MAX_WAIT);
    let half = full / 2;
    let spread =
        (jitter_seed.wrapping_mul(6_364_136_223_846_793_005) >> 33) % (half.as_millis() as u64 + 1);
    half + Duration::from_millis(spread)
}

/// Run `request` (one GET and the reading of its answer) until it succeeds, fails for a
/// reason other than [`is_transient`], or the next wait would end past the deadline; `what`
/// names the request in the one log line each retry writes.
pub(super) fn with_retry<T>(what: &str, mut request: impl FnMut() -> Result<T>) -> Result<T> {
    let started = Instant::now();
    let window_end = started + NO_DEADLINE_WINDOW;
    let mut attempt = 0u32;
    loop {
        let err = match request() {
            Ok(v) => {
                if attempt > 0 {
                    log::info!(
                        "the Kubernetes API answered {what} after {attempt} retr{} ({} ms)",
                        if attempt == 1 { "y" } else { "ies" },
                        started.elapsed().as_millis()
                    );
                }
                return Ok(v);
            }
            Err(e) if is_transient(&e) => e,
            Err(e) => return Err(e),
        };
        attempt += 1;
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| u64::from(d.subsec_nanos()));
        let wait = wait_before(attempt, seed);
        let left = deadline::remaining()
            .unwrap_or_else(|| window_end.saturating_duration_since(Instant::now()));
        if wait >= left {
            return Err(gave_up(err, attempt, started.elapsed()));
        }
        log::warn!(
            "the Kubernetes API is unavailable for {what} ({}): retry {attempt} in {} ms, {} s \
             left of the command's deadline",
            err.message,
            wait.as_millis(),
            left.as_secs()
        );
        std::thread::sleep(wait);
    }
}

/// The last error, saying it was retried until the deadline (a backend then knows a resend
/// later may succeed).
fn gave_up(mut e: Error, tries: u32, waited: Duration) -> Error {
    if tries > 1 {
        e.message = format!(
            "{} (tried {tries} times over {} s, until the command's deadline)",
            e.message,
            waited.as_secs()
        );
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn unavailable(status: Option<u16>) -> Error {
        let e = Error::new(Code::ApiUnavailable, "down");
        match status {
            Some(s) => e.for_request("/api/v1/pods", Some(s)),
            None => e.caused_by(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        }
    }

    #[test]
    fn only_an_unavailable_api_is_retried() {
        assert!(is_transient(&unavailable(None)));
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_transient(&unavailable(Some(s))), "{s}");
        }
        assert!(!is_transient(
            &Error::new(Code::Forbidden, "no").for_request("/x", Some(403))
        ));
        assert!(!is_transient(&Error::new(Code::NotFound, "no")));
        // Too large to read, or not JSON: asking again gets the same answer.
        assert!(!is_transient(&Error::new(
            Code::ApiUnavailable,
            "too large"
        )));
        assert!(!is_transient(&Error::new(Code::Timeout, "deadline")));
    }

    #[test]
    fn waits_double_up_to_the_cap_with_jitter() {
        for seed in [0, 1, 12345, u64::MAX] {
            let w1 = wait_before(1, seed);
            assert!(w1 >= FIRST_WAIT / 2 && w1 <= FIRST_WAIT, "{w1:?}");
            let w20 = wait_before(20, seed);
            assert!(w20 >= MAX_WAIT / 2 && w20 <= MAX_WAIT, "{w20:?}");
        }
    }

    #[test]
    fn a_blip_shorter_than_the_deadline_is_waited_out() {
        let calls = Cell::new(0);
        let got = deadline::within(Instant::now() + Duration::from_secs(5), || {
            with_retry("/api/v1/pods", || {
                calls.set(calls.get() + 1);
                if calls.get() < 3 {
                    Err(unavailable(Some(503)))
                } else {
                    Ok(7)
                }
            })
        });
        assert_eq!(got.unwrap(), 7);
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn retrying_stops_at_the_deadline_with_the_apis_error() {
        let t0 = Instant::now();
        let got: Result<()> = deadline::within(t0 + Duration::from_millis(900), || {
            with_retry("/api/v1/pods", || Err(unavailable(None)))
        });
        let e = got.unwrap_err();
        assert_eq!(e.code, Code::ApiUnavailable, "{e}");
        assert!(
            t0.elapsed() < Duration::from_millis(900),
            "{:?}",
            t0.elapsed()
        );
    }

    #[test]
    fn a_refusal_is_not_retried() {
        let calls = Cell::new(0);
        let got: Result<()> = with_retry("/x", || {
            calls.set(calls.get() + 1);
            Err(Error::new(Code::Forbidden, "no").for_request("/x", Some(403)))
        });
        assert_eq!(got.unwrap_err().code, Code::Forbidden);
        assert_eq!(calls.get(), 1);
    }
}
