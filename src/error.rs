//! The one error type that reaches a user: a protocol error code and a message to act on.
//!
//! Each layer (kube, sqs, aws) has its own error enum with full context; they all convert
//! into [`Error`] at the engine or agent boundary, where the code becomes part of the
//! wire protocol (`error.code`) and of `kubeglass query`'s `error: <Code>: <message>` line.

use std::fmt;
use std::sync::Arc;

/// Protocol error codes (wire protocol v1, `docs/protocol.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Code {
    /// The command could not be parsed or has invalid fields.
    InvalidCommand,
    /// The command would change the cluster (delete, apply, exec, …): refused before any request.
    ReadOnly,
    /// The command is well-formed but not something kubeglass does (an unknown op or flag).
    Unsupported,
    /// The command reaches outside the configured namespaces or cluster-scoped reads.
    OutOfScope,
    /// The Kubernetes API refused the caller (HTTP 403).
    Forbidden,
    /// The Kubernetes API did not accept the credentials (HTTP 401).
    Unauthorized,
    /// The object or resource type does not exist (HTTP 404, or unknown to discovery).
    NotFound,
    /// The command's deadline passed, or a list's continue token expired (HTTP 410).
    Expired,
    /// The command's deadline (`--command-timeout`, or the message's own when earlier)
    /// passed while it ran. A single request's timeout is [`Code::ApiUnavailable`].
    Timeout,
    /// The Kubernetes API could not be reached, got no answer in time, or answered
    /// 408/429/5xx — and still so when the command's deadline came (it is retried until then).
    ApiUnavailable,
    /// SQS (or an AWS credential endpoint) could not be reached, or answered 5xx/throttled.
    QueueUnavailable,
    /// The local configuration (kubeconfig, flags, environment) is unusable.
    Config,
    /// Anything else: a bug or an unexpected answer.
    Internal,
}

impl Code {
    /// The code as it appears on the wire and on stderr.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidCommand => "InvalidCommand",
            Code::ReadOnly => "ReadOnly",
            Code::Unsupported => "Unsupported",
            Code::OutOfScope => "OutOfScope",
            Code::Forbidden => "Forbidden",
            Code::Unauthorized => "Unauthorized",
            Code::NotFound => "NotFound",
            Code::Expired => "Expired",
            Code::Timeout => "Timeout",
            Code::ApiUnavailable => "ApiUnavailable",
            Code::QueueUnavailable => "QueueUnavailable",
            Code::Config => "Config",
            Code::Internal => "Internal",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with its protocol code and a message a user can act on (never a credential),
/// and the context it came from: the HTTP status and request path of a failed request, and
/// the underlying cause (reachable through [`std::error::Error::source`]).
#[derive(Debug, Clone)]
pub struct Error {
    /// What kind of failure this is, as sent on the wire.
    pub code: Code,
    /// One line, naming what failed and, where possible, what to do about it.
    pub message: String,
    /// The HTTP status of the answer that failed, when there was one.
    pub status: Option<u16>,
    /// The request path (without its query) whose request failed, when there was one.
    pub path: Option<String>,
    /// What the command could still answer (kubectl's partial result: `get pod a b` with
    /// `a` missing prints `b`, then the error). Already redacted and cut to the budget.
    pub partial: Option<String>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// Errors are equal when what a user sees of them is: code, message, status, path.
impl PartialEq for Error {
    fn eq(&self, other: &Error) -> bool {
        (self.code, &self.message, self.status, &self.path)
            == (other.code, &other.message, other.status, &other.path)
    }
}

impl Eq for Error {}

impl Error {
    /// An error of `code` with `message`.
    pub fn new(code: Code, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            status: None,
            path: None,
            partial: None,
            source: None,
        }
    }

    /// This error with what the command could still answer (see [`Error::partial`]).
    pub fn with_partial(mut self, output: String) -> Error {
        self.partial = Some(output);
        self
    }

    /// Shorthand for [`Code::InvalidCommand`].
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(Code::InvalidCommand, message)
    }

    /// Shorthand for [`Code::Config`].
    pub fn config(message: impl Into<String>) -> Error {
        Error::new(Code::Config, message)
    }

    /// Shorthand for [`Code::Internal`].
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(Code::Internal, message)
    }

    /// Whether this is the API's 404 (or an unknown type).
    pub fn is_not_found(&self) -> bool {
        self.code == Code::NotFound
    }

    /// This error as the answer to a request for `path` (its query left out) with `status`.
    pub fn for_request(mut self, path: &str, status: Option<u16>) -> Error {
        self.path = Some(path.split('?').next().unwrap_or(path).to_string());
        self.status = status;
        self
    }

    /// This error, caused by `cause` (kept for `source()`; its text is in the message).
    pub fn caused_by(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.source = Some(Arc::new(cause));
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
