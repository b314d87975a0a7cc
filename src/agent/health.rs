//! The health file the liveness probe (`kubeglass health`) reads: its modification time is
//! the agent's last good contact with both queues, so a loop that stops working lets it
//! age; while the agent knows why it cannot work (a queue refuses it, SQS is unreachable)
//! the file says so, so the probe's message names the cause, not just "stuck".
//!
//! Layout: the first line is the last good time (RFC 3339); a second line `failing: <why>`
//! is there while the agent is failing. Writing the cause keeps the old modification time.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::timefmt;

/// Prefix of the cause line.
const FAILING: &str = "failing: ";

/// The agent's side: records good contacts and causes of failure.
pub struct Health {
    path: PathBuf,
    /// The last good contact, and the cause now written (`None`: healthy).
    state: Mutex<(SystemTime, Option<String>)>,
}

impl Health {
    /// Health recorded at `path`.
    pub fn new(path: PathBuf) -> Health {
        Health {
            path,
            state: Mutex::new((SystemTime::now(), None)),
        }
    }

    /// A good contact now: the file's time is now and it names no cause.
    pub fn good(&self) {
        let now = SystemTime::now();
        if let Ok(mut s) = self.state.lock() {
            *s = (now, None);
        }
        write(&self.path, now, None);
    }

    /// The agent cannot work, for `cause`: the file keeps its last good time (so it ages
    /// past the probe's `--max-age`) and says why. Written once per change of cause.
    pub fn failing(&self, cause: &str) {
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        if s.1.as_deref() == Some(cause) {
            return;
        }
        s.1 = Some(cause.to_string());
        write(&self.path, s.0, Some(cause));
    }

    /// Whether a cause is recorded now.
    pub fn is_failing(&self) -> bool {
        self.state.lock().is_ok_and(|s| s.1.is_some())
    }
}

/// Write the file with `last_good` as its text and modification time, and `cause`.
fn write(path: &Path, last_good: SystemTime, cause: Option<&str>) {
    let mut text = timefmt::format_rfc3339(last_good);
    text.push('\n');
    if let Some(c) = cause {
        // One line: a cause quotes SQS's message, which may hold line breaks.
        text.push_str(FAILING);
        text.push_str(&c.replace(['\n', '\r'], " "));
        text.push('\n');
    }
    let written = std::fs::write(path, text).and_then(|()| {
        std::fs::File::options()
            .write(true)
            .open(path)?
            .set_modified(last_good)
    });
    if let Err(e) = written {
        log::warn!("cannot write the health file {}: {e}", path.display());
    }
}

/// What the file at `path` says at `now`: how long since the last good contact, and the
/// cause of failing when the agent recorded one.
pub fn read(path: &Path, now: SystemTime) -> std::io::Result<(Duration, Option<String>)> {
    let modified = std::fs::metadata(path)?.modified()?;
    let age = now.duration_since(modified).unwrap_or_default();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let cause = text
        .lines()
        .find_map(|l| l.strip_prefix(FAILING))
        .map(str::to_string);
    Ok((age, cause))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_is_recorded_without_refreshing_the_time_and_cleared_by_a_good_contact() {
        let dir = std::env::temp_dir().join(format!("kubeglass-health-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("alive");
        let h = Health::new(path.clone());
        h.good();
        let (_, cause) = read(&path, SystemTime::now()).unwrap();
        assert_eq!(cause, None);
        std::thread::sleep(Duration::from_millis(1100));
        h.failing("answers cannot be sent:\nAccessDenied");
        assert!(h.is_failing());
        let (age, cause) = read(&path, SystemTime::now()).unwrap();
        assert!(age >= Duration::from_secs(1), "the time was kept: {age:?}");
        assert_eq!(
            cause.as_deref(),
            Some("answers cannot be sent: AccessDenied")
        );
        h.good();
        let (age, cause) = read(&path, SystemTime::now()).unwrap();
        assert!(age < Duration::from_secs(1) && cause.is_none(), "{age:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
