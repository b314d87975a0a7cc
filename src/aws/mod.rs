//! AWS credentials without the SDK: a small chain (environment, IRSA web identity, container
//! credentials / EKS Pod Identity, shared files with `credential_process`, EC2 IMDSv2),
//! cached and refreshed before expiry. Secrets never reach a log line: [`Credentials`] keeps
//! them in `Sensitive`, whose `Debug` prints `<redacted>`.

mod chain;

pub use chain::xml_tag;
// For the fuzz entry points (`crate::fuzzing`): the credential endpoints' JSON answers.
pub(crate) use chain::json_credentials;

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::error::{Code, Error, Result};
use crate::sensitive::Sensitive;

pub use chain::load;

/// Temporary credentials are renewed when less than this remains.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// One set of AWS credentials.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// Access key id (not secret, but not logged either).
    pub access_key_id: Sensitive<String>,
    /// Secret access key.
    pub secret_access_key: Sensitive<String>,
    /// Session token of temporary credentials.
    pub session_token: Option<Sensitive<String>>,
    /// When temporary credentials expire.
    pub expires: Option<SystemTime>,
    /// Which link of the chain gave them (for logs).
    pub source: &'static str,
}

impl Credentials {
    /// Whether these should be replaced now.
    fn stale(&self) -> bool {
        self.expires.is_some_and(|e| {
            e.duration_since(SystemTime::now()).unwrap_or_default() < REFRESH_MARGIN
        })
    }

    /// The form aws-sigv4 signs with; `.into()` makes the `Identity` its signing parameters
    /// take (naming that type would need aws-smithy-runtime-api as a dependency of our own).
    pub fn sigv4_credentials(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            self.access_key_id.expose(),
            self.secret_access_key.expose(),
            self.session_token.as_ref().map(|t| t.expose().clone()),
            self.expires,
            "kubeglass",
        )
    }
}

/// Hands out current credentials, loading and refreshing them through the chain.
pub struct Provider {
    cached: Mutex<Option<Credentials>>,
    /// The source last logged at info: a refresh from the same source logs at debug only.
    announced: Mutex<String>,
    loader: Box<dyn Fn() -> Result<Credentials> + Send + Sync>,
}

impl Provider {
    /// The default chain, read from the environment.
    pub fn from_env() -> Provider {
        Provider::with_loader(Box::new(load))
    }

    /// The chain for one named profile of the shared files (a fleet file's `profile`):
    /// `AWS_PROFILE` is that name and the environment's own keys are not used, so the
    /// operator's choice for this cluster is what signs.
    pub fn for_profile(name: String) -> Provider {
        Provider::with_loader(Box::new(move || {
            chain::load_with(&|k| match k {
                "AWS_PROFILE" => Some(name.clone()),
                "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" | "AWS_SESSION_TOKEN" => None,
                other => std::env::var(other).ok(),
            })
        }))
    }

    /// Fixed credentials (tests, `send`).
    pub fn fixed(c: Credentials) -> Provider {
        Provider::with_loader(Box::new(move || Ok(c.clone())))
    }

    fn with_loader(loader: Box<dyn Fn() -> Result<Credentials> + Send + Sync>) -> Provider {
        Provider {
            cached: Mutex::new(None),
            announced: Mutex::new(String::new()),
            loader,
        }
    }

    /// Current credentials; a failed refresh keeps the old ones until they really expire.
    pub fn get(&self) -> Result<Credentials> {
        let lock = || {
            self.cached
                .lock()
                .map_err(|_| Error::internal("credentials lock poisoned"))
        };
        if let Some(c) = lock()?.as_ref().filter(|c| !c.stale()) {
            return Ok(c.clone());
        }
        // Loading (a credential_process, IMDS, STS) runs without the lock: a slow source
        // must not stall requests of other threads.
        let loaded = (self.loader)();
        let mut guard = lock()?;
        match (loaded, guard.as_ref()) {
            (Ok(fresh), _) => {
                self.announce(fresh.source);
                *guard = Some(fresh.clone());
                Ok(fresh)
            }
            (Err(e), Some(old)) if old.expires.is_some_and(|x| x > SystemTime::now()) => {
                log::warn!("refreshing AWS credentials failed, using the current ones: {e}");
                Ok(old.clone())
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Log where credentials came from: at info when the source changed, else at debug.
    fn announce(&self, source: &str) {
        let Ok(mut last) = self.announced.lock() else {
            return;
        };
        if *last == source {
            log::debug!("AWS credentials refreshed from {source}");
        } else {
            log::info!("AWS credentials from {source}");
            *last = source.to_string();
        }
    }

    /// Drop the cached credentials (after an auth error).
    pub fn invalidate(&self) {
        if let Ok(mut g) = self.cached.lock() {
            *g = None;
        }
    }
}

/// An error for a credential source that answered badly.
fn cred_error(source: &str, msg: impl fmt::Display) -> Error {
    Error::new(Code::Config, format!("AWS credentials ({source}): {msg}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: "very-secret".into(),
            session_token: Some("session-value".into()),
            expires: None,
            source: "env",
        };
        let s = format!("{c:?}");
        assert!(
            !s.contains("very-secret") && !s.contains("session-value") && !s.contains("AKIA"),
            "{s}"
        );
        assert!(s.contains("<redacted>") && s.contains("\"env\""), "{s}");
    }

    #[test]
    fn stale_credentials_are_reloaded_and_failures_keep_valid_ones() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let calls = std::sync::Arc::new(AtomicUsize::new(0));
        let n = calls.clone();
        let p = Provider::with_loader(Box::new(move || {
            let i = n.fetch_add(1, Ordering::SeqCst);
            if i >= 2 {
                return Err(Error::config("down"));
            }
            Ok(Credentials {
                access_key_id: format!("k{i}").into(),
                secret_access_key: "s".into(),
                session_token: None,
                // Within the refresh margin: always stale, but still valid.
                expires: Some(SystemTime::now() + Duration::from_secs(60)),
                source: "test",
            })
        }));
        assert_eq!(p.get().unwrap().access_key_id.expose(), "k0");
        assert_eq!(
            p.get().unwrap().access_key_id.expose(),
            "k1",
            "stale ones are replaced"
        );
        assert_eq!(
            p.get().unwrap().access_key_id.expose(),
            "k1",
            "a failed refresh keeps valid ones"
        );
        p.invalidate();
        assert!(p.get().is_err());
    }
}
