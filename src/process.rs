//! Running a credential helper (a kubeconfig exec plugin, an AWS `credential_process`) with
//! a time limit: a helper that hangs must not hang the command — or the agent — with it.

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Longest a credential helper may run (shortened further by a command's deadline).
pub const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// Run `cmd` (stdin closed), collecting its output, killing it after `timeout`.
/// `Err` says why in one line: it did not start, or it was killed for taking too long.
pub fn output_within(mut cmd: Command, timeout: Duration) -> Result<Output, String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("did not start: {e}"))?;
    // Drain both pipes on their own threads: a helper that fills one pipe must not block.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_within(&mut child, timeout)?;
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            // At most 1 MiB of a helper's output is kept: a token document is small.
            let _ = p.by_ref().take(1 << 20).read_to_end(&mut buf);
            let _ = std::io::copy(&mut p, &mut std::io::sink());
        }
        buf
    })
}

fn wait_within(child: &mut Child, timeout: Duration) -> Result<std::process::ExitStatus, String> {
    let end = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() >= end => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "killed after {} s without finishing",
                    timeout.as_secs()
                ));
            }
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("could not be waited for: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hanging_helper_is_killed_on_time() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 30"]);
        let started = Instant::now();
        let err = output_within(cmd, Duration::from_millis(300)).unwrap_err();
        assert!(err.contains("killed after"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn output_and_status_are_collected() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let out = output_within(cmd, Duration::from_secs(10)).unwrap();
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
        assert_eq!(out.status.code(), Some(3));
        assert!(output_within(Command::new("/no/such/helper"), Duration::from_secs(1)).is_err());
    }
}
