//! The deadline of the command running on this thread: every request the client sends gets
//! at most the time left as its timeout, and paging and log reading stop when it passes.
//!
//! Why thread-local: the client is shared by all workers, and a command runs start to end on
//! one worker thread, so the deadline belongs to the thread for the command's duration.
//! [`within`] is the single place that sets it (the engine wraps every command in it) and
//! restores the previous value on return, so no request below can outlive its command —
//! discovery and credential plugins included — without every call site passing it along.

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::error::{Code, Error, Result};

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Run `f` with `deadline` as this thread's deadline (the earlier one wins when nested).
pub fn within<T>(deadline: Instant, f: impl FnOnce() -> T) -> T {
    let outer = DEADLINE.with(Cell::get);
    let inner = outer.map_or(deadline, |o| o.min(deadline));
    DEADLINE.with(|d| d.set(Some(inner)));
    // Restore on every exit, unwinding included (a guard, not a line after `f`).
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            DEADLINE.with(|d| d.set(self.0));
        }
    }
    let _restore = Restore(outer);
    f()
}

/// Time left before this thread's deadline (`None`: no deadline; zero once it passed).
pub fn remaining() -> Option<Duration> {
    DEADLINE
        .with(Cell::get)
        .map(|d| d.saturating_duration_since(Instant::now()))
}

/// `timeout` shortened to the time left (at least 1 ms, so a request fails fast rather than
/// getting no timeout at all).
pub fn bound(timeout: Duration) -> Duration {
    remaining().map_or(timeout, |r| r.min(timeout).max(Duration::from_millis(1)))
}

/// `Timeout` once the deadline passed, naming what was being done.
pub fn check(doing: &str) -> Result<()> {
    match remaining() {
        Some(r) if r.is_zero() => Err(expired(doing)),
        _ => Ok(()),
    }
}

/// The error for a command whose time ran out while `doing`.
pub fn expired(doing: &str) -> Error {
    Error::new(
        Code::Timeout,
        format!("the command's time ran out while {doing}; narrow it or raise --command-timeout"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_holds_inside_and_is_gone_after() {
        assert_eq!(remaining(), None);
        let soon = Instant::now() + Duration::from_millis(50);
        within(soon, || {
            assert!(remaining().is_some_and(|r| r <= Duration::from_millis(50)));
            assert!(bound(Duration::from_secs(30)) <= Duration::from_millis(50));
            // A nested, later deadline does not extend the outer one.
            within(Instant::now() + Duration::from_secs(60), || {
                assert!(remaining().is_some_and(|r| r <= Duration::from_millis(50)));
            });
            std::thread::sleep(Duration::from_millis(60));
            assert_eq!(check("listing pods").unwrap_err().code, Code::Timeout);
            assert_eq!(bound(Duration::from_secs(30)), Duration::from_millis(1));
        });
        assert_eq!(remaining(), None);
        assert!(check("x").is_ok());
    }
}
