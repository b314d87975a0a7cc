//! SQS errors, typed from the JSON `__type`/`code`, the `x-amzn-query-error` header, or an
//! XML error body (some servers answer auth failures in XML).

use std::fmt;

use crate::error::{Code, Error};

/// What kind of failure, for retry decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Slow down and retry.
    Throttling,
    /// Credentials or signature refused: refresh credentials, back off.
    Auth,
    /// The queue does not exist.
    NotFound,
    /// 5xx: retry.
    Server,
    /// Network, TLS, timeout: retry.
    Transport,
    /// Anything else the request did wrong.
    Client,
}

/// A failed SQS call.
#[derive(Debug, Clone)]
pub struct SqsError {
    /// Kind.
    pub kind: ErrorKind,
    /// AWS error code (`QueueDoesNotExist`).
    pub code: String,
    /// Message.
    pub message: String,
}

impl SqsError {
    /// A new error.
    pub fn new(kind: ErrorKind, code: impl Into<String>, message: impl Into<String>) -> SqsError {
        SqsError {
            kind,
            code: code.into(),
            message: message.into(),
        }
    }

    /// Whether retrying soon may succeed: throttling, 5xx, the network, and expired
    /// credentials (they are fetched again). The one place the agent's reaction is decided.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::Throttling | ErrorKind::Server | ErrorKind::Transport => true,
            ErrorKind::Auth => self.code == "ExpiredToken" || self.code == "RequestExpired",
            ErrorKind::NotFound | ErrorKind::Client => false,
        }
    }

    /// Whether the queue refused a message for its size (`InvalidParameterValue … must be
    /// shorter than N bytes`, `MessageTooLong`).
    pub fn is_too_large(&self) -> bool {
        self.code == "MessageTooLong"
            || (self.code.contains("InvalidParameterValue")
                && (self.message.contains("shorter than") || self.message.contains("too long")))
    }

    /// As a user-facing error: its protocol code and what the operator should check.
    pub fn to_error(&self, queue: &str) -> Error {
        let (code, check) = match self.kind {
            ErrorKind::NotFound => (
                Code::NotFound,
                "check the queue URL (--command-queue-url / --response-queue-url) and its region",
            ),
            ErrorKind::Auth if self.code == "NoCredentials" => (
                Code::Config,
                "give the agent AWS credentials: see docs/cli.md, \"AWS credentials\"",
            ),
            ErrorKind::Auth if self.code.starts_with("AccessDenied") => (
                Code::Forbidden,
                "this IAM identity lacks a permission on this queue, or the queue URL has a typo (the agent's policy: chart/README.md)",
            ),
            ErrorKind::Auth => (
                Code::Unauthorized,
                "the AWS credentials are not valid here (wrong key, wrong account or region, clock skew)",
            ),
            // No SQS error code in the answer (`parse_error` fell back to `HTTP<status>`):
            // whatever answered is not SQS, so "malformed" would send the reader astray.
            ErrorKind::Client if self.code.starts_with("HTTP") => (
                Code::Config,
                "this endpoint does not answer as SQS does: check the queue URL's host and AWS_ENDPOINT_URL_SQS",
            ),
            ErrorKind::Client => (Code::Config, "the request was refused as malformed"),
            ErrorKind::Throttling | ErrorKind::Server | ErrorKind::Transport => (
                Code::QueueUnavailable,
                "SQS could not be reached or is busy; retried with backoff",
            ),
        };
        Error::new(code, format!("{queue}: {self} ({check})"))
    }
}

impl fmt::Display for SqsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SQS {}: {}", self.code, self.message)
    }
}

/// Type an error answer.
pub fn parse_error(status: u16, query_error: Option<&str>, body: &str) -> SqsError {
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let field = |k: &str| {
        json.as_ref()
            .and_then(|v| v.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let mut code = field("code")
        .or_else(|| field("__type"))
        .or_else(|| crate::aws::xml_tag(body, "Code").map(str::to_string))
        .unwrap_or_else(|| format!("HTTP{status}"));
    // `com.amazonaws.sqs#QueueDoesNotExist` → `QueueDoesNotExist`.
    if let Some((_, c)) = code.rsplit_once('#') {
        code = c.to_string();
    }
    if let Some((c, _)) = code.split_once(':') {
        code = c.to_string();
    }
    if let Some(q) = query_error
        .and_then(|q| q.split(';').next())
        .filter(|q| !q.is_empty())
    {
        code = q.to_string();
    }
    let message = field("message")
        .or_else(|| field("Message"))
        .or_else(|| crate::aws::xml_tag(body, "Message").map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect());
    let kind = match code.as_str() {
        c if c.contains("Throttl") || c.contains("OverLimit") || c == "RequestThrottled" => {
            ErrorKind::Throttling
        }
        "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "AccessDenied"
        | "AccessDeniedException"
        | "ExpiredToken"
        | "UnrecognizedClientException"
        | "MissingAuthenticationToken"
        | "IncompleteSignature"
        | "InvalidSecurity" => ErrorKind::Auth,
        c if c.contains("NonExistentQueue") || c.contains("QueueDoesNotExist") => {
            ErrorKind::NotFound
        }
        _ if status == 401 || status == 403 => ErrorKind::Auth,
        _ if status == 429 => ErrorKind::Throttling,
        _ if status >= 500 => ErrorKind::Server,
        _ => ErrorKind::Client,
    };
    SqsError {
        kind,
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_header_and_xml_errors() {
        let e = parse_error(
            400,
            None,
            r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#,
        );
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::NotFound, "QueueDoesNotExist")
        );
        let e = parse_error(
            400,
            Some("AWS.SimpleQueueService.NonExistentQueue;Sender"),
            r#"{"__type":"x#Y"}"#,
        );
        assert_eq!(e.kind, ErrorKind::NotFound);
        let xml = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>";
        let e = parse_error(403, None, xml);
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Auth, "InvalidClientTokenId")
        );
        assert!(e.message.starts_with("The security token"));
        assert_eq!(
            parse_error(400, None, r#"{"__type":"ThrottlingException"}"#).kind,
            ErrorKind::Throttling
        );
        assert_eq!(parse_error(503, None, "").kind, ErrorKind::Server);
        assert!(!parse_error(400, None, "{}").is_retryable());
    }

    #[test]
    fn an_endpoint_that_is_not_sqs_is_named_so_not_a_malformed_request() {
        let e = parse_error(404, None, "<html><h1>404 Not Found</h1></html>").to_error("q");
        assert_eq!(e.code, Code::Config);
        assert!(e.message.contains("SQS HTTP404: <html>"), "{}", e.message);
        assert!(
            e.message.contains("does not answer as SQS"),
            "{}",
            e.message
        );
        let e = parse_error(
            400,
            None,
            r#"{"__type":"InvalidParameterValue","message":"x"}"#,
        );
        assert!(e.to_error("q").message.contains("refused as malformed"));
    }

    #[test]
    fn the_missing_credentials_error_points_at_a_doc_section_that_exists() {
        let e = SqsError::new(ErrorKind::Auth, "NoCredentials", "none").to_error("q");
        assert_eq!(e.code, Code::Config);
        assert!(
            e.message.contains("docs/cli.md, \"AWS credentials\""),
            "{e}"
        );
        let doc = include_str!("../../docs/cli.md");
        assert!(
            doc.lines().any(|l| l == "## AWS credentials"),
            "docs/cli.md lost its \"AWS credentials\" section"
        );
    }
}
