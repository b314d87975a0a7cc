//! Bearer tokens: fixed, from a rotating file (re-read every minute, and at once after a
//! 401), or from an exec credential plugin (cached until its `expirationTimestamp`).

use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::error::{Code, Error, Result};
use crate::process;
use crate::sensitive::Sensitive;
use crate::timefmt;

use super::config::{AuthSource, ExecConfig};
use super::deadline;

/// How long a token read from a file is used before the file is read again.
const FILE_REFRESH: Duration = Duration::from_secs(60);
/// An exec token is renewed this long before it expires.
const EXEC_MARGIN: Duration = Duration::from_secs(30);
/// An exec plugin that says nothing about expiry is asked again after this long.
const EXEC_DEFAULT_TTL: Duration = Duration::from_secs(10 * 60);

/// A token and when to fetch a fresh one.
#[derive(Debug)]
struct Cached {
    token: Sensitive<String>,
    renew_at: Instant,
}

/// Supplies the `Authorization` token for each request.
#[derive(Debug)]
pub struct Auth {
    source: AuthSource,
    cache: Mutex<Option<Cached>>,
}

impl Auth {
    /// Tokens from `source`.
    pub fn new(source: AuthSource) -> Auth {
        Auth {
            source,
            cache: Mutex::new(None),
        }
    }

    /// Whether a 401 may be cured by fetching the token again.
    pub fn refreshable(&self) -> bool {
        matches!(self.source, AuthSource::TokenFile(_) | AuthSource::Exec(_))
    }

    /// Forget the cached token (after a 401).
    pub fn invalidate(&self) {
        if let Ok(mut c) = self.cache.lock()
            && let Some(cached) = c.as_mut()
        {
            cached.renew_at = Instant::now();
        }
    }

    /// The current token, if this identity uses one.
    pub fn token(&self) -> Result<Option<Sensitive<String>>> {
        match &self.source {
            AuthSource::None => Ok(None),
            AuthSource::Token(t) => Ok(Some(t.clone())),
            AuthSource::TokenFile(_) | AuthSource::Exec(_) => self.cached().map(Some),
        }
    }

    fn cached(&self) -> Result<Sensitive<String>> {
        let lock = || {
            self.cache
                .lock()
                .map_err(|_| Error::internal("token cache lock poisoned"))
        };
        if let Some(c) = lock()?.as_ref().filter(|c| Instant::now() < c.renew_at) {
            return Ok(c.token.clone());
        }
        // The plugin or file read runs without the lock: a slow plugin must not stall
        // requests that could use the cached token of another thread's refresh.
        let fresh = match &self.source {
            AuthSource::TokenFile(p) => read_token_file(p).map(|t| (t, FILE_REFRESH)),
            AuthSource::Exec(e) => run_exec(e),
            _ => Err(Error::internal("no token source")),
        };
        let mut guard = lock()?;
        match (fresh, guard.as_mut()) {
            (Ok((token, ttl)), _) => {
                let token = Sensitive::new(token);
                *guard = Some(Cached {
                    token: token.clone(),
                    renew_at: Instant::now() + ttl,
                });
                Ok(token)
            }
            // A failed re-read keeps the last good token (as client-go does).
            (Err(e), Some(old)) if matches!(self.source, AuthSource::TokenFile(_)) => {
                log::warn!("could not re-read the token file, keeping the last token: {e}");
                Ok(old.token.clone())
            }
            (Err(e), _) => Err(e),
        }
    }
}

fn read_token_file(p: &std::path::Path) -> Result<String> {
    let t = std::fs::read_to_string(p)
        .map_err(|e| Error::config(format!("cannot read token file {}: {e}", p.display())))?;
    let t = t.trim();
    if t.is_empty() {
        return Err(Error::config(format!(
            "token file {} is empty",
            p.display()
        )));
    }
    Ok(t.to_string())
}

/// Run an exec credential plugin; returns the token and how long to use it.
fn run_exec(e: &ExecConfig) -> Result<(String, Duration)> {
    let program = if e.command.contains('/') && !e.command.starts_with('/') {
        e.dir.join(&e.command).display().to_string()
    } else {
        e.command.clone()
    };
    let info = serde_json::json!({"apiVersion": e.api_version, "kind": "ExecCredential",
        "spec": {"interactive": false}});
    log::debug!("running exec credential plugin {program}");
    let mut cmd = Command::new(&program);
    cmd.args(&e.args)
        .envs(e.env.iter().map(|(k, v)| (k, v.expose())))
        .env("KUBERNETES_EXEC_INFO", info.to_string());
    let out = process::output_within(cmd, deadline::bound(process::HELPER_TIMEOUT))
        .map_err(|err| Error::config(format!("exec credential plugin {program:?} {err}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(Error::new(
            Code::Unauthorized,
            format!(
                "exec credential plugin {program:?} failed ({}): {}",
                out.status,
                stderr.lines().next().unwrap_or("").trim()
            ),
        ));
    }
    parse_exec_output(&out.stdout, &program)
}

/// The token and its lifetime from an ExecCredential document.
fn parse_exec_output(stdout: &[u8], program: &str) -> Result<(String, Duration)> {
    let v: Value = serde_json::from_slice(stdout).map_err(|err| {
        Error::config(format!(
            "exec credential plugin {program:?} printed no ExecCredential JSON: {err}"
        ))
    })?;
    let token = v
        .pointer("/status/token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Error::config(format!(
                "exec credential plugin {program:?} returned no status.token (client certificates from plugins are not supported)"
            ))
        })?;
    let ttl = v
        .pointer("/status/expirationTimestamp")
        .and_then(Value::as_str)
        .and_then(timefmt::parse_rfc3339)
        .map(|exp| {
            exp.duration_since(SystemTime::now())
                .unwrap_or_default()
                .saturating_sub(EXEC_MARGIN)
        })
        .unwrap_or(EXEC_DEFAULT_TTL);
    Ok((token.to_string(), ttl))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The current token as plain text.
    fn tok(a: &Auth) -> Option<String> {
        a.token().unwrap().map(|t| t.expose().clone())
    }

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kubeglass-auth-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn token_files_are_cached_and_reread_after_invalidate() {
        let d = tmp("file");
        let p = d.join("token");
        std::fs::write(&p, "one\n").unwrap();
        let a = Auth::new(AuthSource::TokenFile(p.clone()));
        assert_eq!(tok(&a).as_deref(), Some("one"));
        std::fs::write(&p, "two").unwrap();
        assert_eq!(tok(&a).as_deref(), Some("one"), "cached for a minute");
        a.invalidate();
        assert_eq!(tok(&a).as_deref(), Some("two"), "re-read after a 401");
        std::fs::remove_file(&p).unwrap();
        a.invalidate();
        assert_eq!(tok(&a).as_deref(), Some("two"), "last good token kept");
        let empty = d.join("empty");
        std::fs::write(&empty, " \n").unwrap();
        assert!(Auth::new(AuthSource::TokenFile(empty)).token().is_err());
    }

    #[test]
    fn exec_plugin_tokens_and_expiry() {
        let d = tmp("exec");
        let script = d.join("plugin.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\ncase \"$KUBERNETES_EXEC_INFO\" in *ExecCredential*) ;; *) exit 3;; esac\n\
             echo '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"tok-'\"$1\"'\",\"expirationTimestamp\":\"2999-01-01T00:00:00Z\"}}'\n",
        )
        .unwrap();
        let cfg = ExecConfig {
            command: "sh".into(),
            args: vec![script.display().to_string(), "x".into()],
            env: vec![],
            api_version: "client.authentication.k8s.io/v1beta1".into(),
            dir: d.clone(),
        };
        let a = Auth::new(AuthSource::Exec(cfg.clone()));
        assert_eq!(tok(&a).as_deref(), Some("tok-x"));
        let shown = format!("{a:?}");
        assert!(
            !shown.contains("tok-x") && shown.contains("<redacted>"),
            "a cached exec token never shows in Debug: {shown}"
        );
        let (_, ttl) = run_exec(&cfg).unwrap();
        assert!(ttl > Duration::from_secs(3600 * 24 * 365));
        let failing = ExecConfig {
            command: "false".into(),
            args: vec![],
            ..cfg
        };
        assert_eq!(
            Auth::new(AuthSource::Exec(failing))
                .token()
                .unwrap_err()
                .code,
            Code::Unauthorized
        );
        assert!(parse_exec_output(b"{}", "p").is_err());
        let (_, ttl) = parse_exec_output(br#"{"status":{"token":"t"}}"#, "p").unwrap();
        assert_eq!(ttl, EXEC_DEFAULT_TTL);
    }

    #[test]
    fn debug_of_auth_shows_no_fixed_or_file_token() {
        let fixed = Auth::new(AuthSource::Token("FIXED-SECRET".into()));
        assert_eq!(tok(&fixed).as_deref(), Some("FIXED-SECRET"));
        let shown = format!("{fixed:?}");
        assert!(!shown.contains("FIXED-SECRET"), "{shown}");
        let p = tmp("debug").join("token");
        std::fs::write(&p, "FILE-SECRET").unwrap();
        let file = Auth::new(AuthSource::TokenFile(p));
        assert_eq!(tok(&file).as_deref(), Some("FILE-SECRET"));
        let shown = format!("{file:?}");
        assert!(!shown.contains("FILE-SECRET"), "{shown}");
        assert!(
            !format!("{:?}", file.token().unwrap()).contains("FILE-SECRET"),
            "nor the token handed to the transport"
        );
    }
}
