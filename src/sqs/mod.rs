//! A minimal SQS client: the AWS JSON 1.0 protocol over ureq, every request signed by hand
//! with aws-sigv4. Only what the agent and `send` need.

mod error;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use crate::aws::Provider;
use crate::error::Error;

pub use error::{ErrorKind, SqsError, parse_error};

/// One received message.
#[derive(Debug, Clone)]
pub struct Message {
    /// SQS message id.
    pub message_id: String,
    /// Handle for delete / change visibility.
    pub receipt_handle: String,
    /// The body.
    pub body: String,
    /// How many times it was received (ApproximateReceiveCount).
    pub receive_count: u32,
}

/// An SQS endpoint with credentials.
pub struct Sqs {
    agent: ureq::Agent,
    endpoint: String,
    host: String,
    region: String,
    creds: Arc<Provider>,
}

/// The endpoint for `queue_url`: `AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL`, else its origin.
pub fn endpoint_for(queue_url: &str) -> Result<String, Error> {
    for var in ["AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL"] {
        if let Ok(v) = std::env::var(var).map(|v| v.trim().to_string())
            && !v.is_empty()
        {
            return Ok(v.trim_end_matches('/').to_string());
        }
    }
    let (scheme, rest) = queue_url
        .split_once("://")
        .ok_or_else(|| Error::config(format!("queue URL {queue_url:?} is not a URL")))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || !matches!(scheme, "https" | "http") {
        return Err(Error::config(format!(
            "queue URL {queue_url:?} has no https host"
        )));
    }
    Ok(format!("{scheme}://{host}"))
}

/// The signing region: `AWS_REGION`, `AWS_DEFAULT_REGION`, else from `sqs.<region>.amazonaws.com`.
pub fn region_for(queue_url: &str) -> Result<String, Error> {
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Ok(v) = std::env::var(var)
            && !v.trim().is_empty()
        {
            return Ok(v.trim().to_string());
        }
    }
    let host = queue_url
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or("");
    let parts: Vec<&str> = host.split('.').collect();
    match parts.as_slice() {
        ["sqs", region, ..] | [region, "queue", "amazonaws", ..] => Ok(region.to_string()),
        _ => Err(Error::config(format!(
            "cannot tell the AWS region from {queue_url:?}: set AWS_REGION"
        ))),
    }
}

impl Sqs {
    /// A client for the endpoint serving `queue_url` (`ca_file` adds a trusted CA).
    pub fn new(
        queue_url: &str,
        ca_file: Option<&Path>,
        creds: Arc<Provider>,
    ) -> Result<Sqs, Error> {
        Sqs::at(
            &endpoint_for(queue_url)?,
            &region_for(queue_url)?,
            ca_file,
            creds,
        )
    }

    /// A client for an explicit endpoint and signing region.
    pub fn at(
        endpoint: &str,
        region: &str,
        ca_file: Option<&Path>,
        creds: Arc<Provider>,
    ) -> Result<Sqs, Error> {
        let (endpoint, region) = (
            endpoint.trim_end_matches('/').to_string(),
            region.to_string(),
        );
        let host = endpoint
            .split("://")
            .nth(1)
            .unwrap_or("")
            .split('/')
            .next()
            .unwrap_or("")
            .to_string();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(format!("kubeglass/{}", env!("CARGO_PKG_VERSION")))
            .timeout_connect(Some(Duration::from_secs(10)))
            // Above the 20 s long poll.
            .timeout_global(Some(Duration::from_secs(45)))
            // SQS bodies are small JSON: 16 KiB buffers instead of ureq's 128 KiB, which
            // are allocated and zeroed for every new connection (measured: a tenth of the
            // agent's CPU per command against a server that does not keep connections).
            .input_buffer_size(16 * 1024)
            .output_buffer_size(16 * 1024)
            .tls_config(tls(ca_file)?)
            .build();
        Ok(Sqs {
            agent: config.into(),
            endpoint,
            host,
            region,
            creds,
        })
    }

    /// Call `AmazonSQS.<action>` with a JSON body.
    pub fn call(&self, action: &str, body: &Value) -> Result<Value, SqsError> {
        let payload = body.to_string().into_bytes();
        let creds = self
            .creds
            .get()
            .map_err(|e| SqsError::new(ErrorKind::Auth, "NoCredentials", e.message))?;
        let req = self
            .signed(action, payload, &creds, SystemTime::now())
            .map_err(|m| SqsError::new(ErrorKind::Client, "Signing", m))?;
        let mut resp = self.agent.run(req).map_err(|e| {
            SqsError::new(
                ErrorKind::Transport,
                "Transport",
                format!("{} unreachable: {e}", self.endpoint),
            )
        })?;
        let status = resp.status().as_u16();
        let query_error = resp
            .headers()
            .get("x-amzn-query-error")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = resp
            .body_mut()
            .with_config()
            .limit(2 * 1024 * 1024)
            .read_to_string()
            .unwrap_or_default();
        if (200..300).contains(&status) {
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            // A garbled success is an error, not "nothing": a proxy's HTML page must not
            // read as an empty queue.
            return serde_json::from_str(&text).map_err(|e| {
                let head: String = text.chars().take(120).collect();
                SqsError::new(
                    ErrorKind::Server,
                    "GarbledReply",
                    format!("{action} answered {status} with unreadable JSON ({e}): {head:?}"),
                )
            });
        }
        let err = parse_error(status, query_error.as_deref(), &text);
        if err.kind == ErrorKind::Auth {
            self.creds.invalidate();
        }
        Err(err)
    }

    /// The signed HTTP request for one action.
    pub fn signed(
        &self,
        action: &str,
        payload: Vec<u8>,
        creds: &crate::aws::Credentials,
        now: SystemTime,
    ) -> Result<ureq::http::Request<Vec<u8>>, String> {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
        let target = format!("AmazonSQS.{action}");
        let uri = format!("{}/", self.endpoint);
        let headers = [
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amz-target", target.as_str()),
            ("x-amzn-query-mode", "true"),
            ("host", self.host.as_str()),
        ];
        let identity = creds.sigv4_credentials().into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("sqs")
            .time(now)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let signable = SignableRequest::new(
            "POST",
            uri.clone(),
            headers.iter().copied(),
            SignableBody::Bytes(&payload),
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| e.to_string())?
            .into_parts();
        let mut builder = ureq::http::Request::builder().method("POST").uri(&uri);
        for (k, v) in headers.iter().filter(|(k, _)| *k != "host") {
            builder = builder.header(*k, *v);
        }
        let mut req = builder.body(payload).map_err(|e| e.to_string())?;
        instructions.apply_to_request_http1x(&mut req);
        // The signature and the session token are credentials: keep them out of any log an
        // HTTP stack writes (aws-sigv4 marks the token only).
        for name in ["authorization", "x-amz-security-token"] {
            if let Some(v) = req.headers_mut().get_mut(name) {
                v.set_sensitive(true);
            }
        }
        Ok(req)
    }

    /// Long-poll up to `max` messages.
    pub fn receive(
        &self,
        queue: &str,
        max: u32,
        wait_s: u32,
        visibility_s: u32,
    ) -> Result<Vec<Message>, SqsError> {
        let v = self.call(
            "ReceiveMessage",
            &json!({"QueueUrl": queue, "MaxNumberOfMessages": max.clamp(1, 10), "WaitTimeSeconds": wait_s.min(20),
                    "VisibilityTimeout": visibility_s, "MessageSystemAttributeNames": ["ApproximateReceiveCount"]}),
        )?;
        messages_of(&v)
    }

    /// Send one message (FIFO queues need a group and a deduplication id); returns the
    /// `MessageId` SQS gave it (empty if the reply had none), for logs that tie a send to
    /// what a receiver saw.
    pub fn send(
        &self,
        queue: &str,
        body: &str,
        fifo: Option<(&str, &str)>,
    ) -> Result<String, SqsError> {
        let mut req = json!({"QueueUrl": queue, "MessageBody": body});
        if let Some((group, dedup)) = fifo {
            req["MessageGroupId"] = json!(group);
            req["MessageDeduplicationId"] = json!(dedup);
        }
        self.call("SendMessage", &req).map(|v| {
            v.get("MessageId")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        })
    }

    /// Delete a handled message.
    pub fn delete(&self, queue: &str, receipt: &str) -> Result<(), SqsError> {
        self.call(
            "DeleteMessage",
            &json!({"QueueUrl": queue, "ReceiptHandle": receipt}),
        )
        .map(|_| ())
    }

    /// Change a message's visibility (0 returns it to the queue at once).
    pub fn change_visibility(&self, queue: &str, receipt: &str, secs: u32) -> Result<(), SqsError> {
        self.call(
            "ChangeMessageVisibility",
            &json!({"QueueUrl": queue, "ReceiptHandle": receipt, "VisibilityTimeout": secs}),
        )
        .map(|_| ())
    }

    /// One queue attribute (all values are strings).
    pub fn attribute(&self, queue: &str, name: &str) -> Result<Option<String>, SqsError> {
        let v = self.call(
            "GetQueueAttributes",
            &json!({"QueueUrl": queue, "AttributeNames": [name]}),
        )?;
        Ok(v.pointer(&format!("/Attributes/{name}"))
            .and_then(Value::as_str)
            .map(str::to_string))
    }
}

/// The messages of a ReceiveMessage answer (none when `Messages` is absent); a `Messages`
/// that is not a list is a garbled reply, not an empty queue.
pub fn messages_of(v: &Value) -> Result<Vec<Message>, SqsError> {
    let messages = match v.get("Messages") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(m)) => m,
        Some(other) => {
            return Err(SqsError::new(
                ErrorKind::Server,
                "GarbledReply",
                format!(
                    "ReceiveMessage answered Messages that are not a list: {:?}",
                    other.to_string().chars().take(80).collect::<String>()
                ),
            ));
        }
    };
    Ok(messages
        .iter()
        .map(|m| {
            let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            Message {
                message_id: s("MessageId"),
                receipt_handle: s("ReceiptHandle"),
                body: s("Body"),
                receive_count: m
                    .pointer("/Attributes/ApproximateReceiveCount")
                    .and_then(Value::as_str)
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(1),
            }
        })
        .collect())
}

/// System roots (SSL_CERT_FILE honoured) plus `--ca-file`.
fn tls(ca_file: Option<&Path>) -> Result<ureq::tls::TlsConfig, Error> {
    use crate::tls::{certs_from_pem, roots_with};
    let extra = match ca_file {
        Some(p) => {
            let pem = std::fs::read(p)
                .map_err(|e| Error::config(format!("--ca-file {}: {e}", p.display())))?;
            certs_from_pem(&pem, &format!("--ca-file {}", p.display()), "file")?
        }
        None => Vec::new(),
    };
    Ok(ureq::tls::TlsConfig::builder()
        .root_certs(roots_with(extra))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::Credentials;

    #[test]
    fn endpoints_and_regions_from_queue_urls() {
        let url = "https://sqs.eu-west-1.amazonaws.com/123456789012/cmds";
        // The tests' environment may set AWS_* variables; only assert the URL-derived parts.
        if std::env::var("AWS_ENDPOINT_URL_SQS").is_err()
            && std::env::var("AWS_ENDPOINT_URL").is_err()
        {
            assert_eq!(
                endpoint_for(url).unwrap(),
                "https://sqs.eu-west-1.amazonaws.com"
            );
        }
        if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err() {
            assert_eq!(region_for(url).unwrap(), "eu-west-1");
            assert!(region_for("http://127.0.0.1:5000/123/q").is_err());
        }
        assert!(
            endpoint_for("not a url").is_err() || std::env::var("AWS_ENDPOINT_URL_SQS").is_ok()
        );
    }

    /// A client for the us-east-1 endpoint with fixed `creds` (nothing is sent).
    fn client_with(creds: &Credentials) -> Sqs {
        Sqs {
            agent: ureq::Agent::new_with_defaults(),
            endpoint: "https://sqs.us-east-1.amazonaws.com".into(),
            host: "sqs.us-east-1.amazonaws.com".into(),
            region: "us-east-1".into(),
            creds: Arc::new(Provider::fixed(creds.clone())),
        }
    }

    #[test]
    fn requests_are_signed_deterministically() {
        let creds = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
            expires: None,
            source: "test",
        };
        let sqs = client_with(&creds);
        let t = crate::timefmt::parse_rfc3339("2015-08-30T12:36:00Z").unwrap();
        let a = sqs
            .signed("SendMessage", b"{}".to_vec(), &creds, t)
            .unwrap();
        let b = sqs
            .signed("SendMessage", b"{}".to_vec(), &creds, t)
            .unwrap();
        let auth = a.headers()["authorization"].to_str().unwrap();
        assert_eq!(auth, b.headers()["authorization"].to_str().unwrap());
        assert!(
            auth.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request"
            ),
            "{auth}"
        );
        assert!(
            auth.contains(
                "SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode"
            ),
            "{auth}"
        );
        assert_eq!(a.headers()["x-amz-date"], "20150830T123600Z");
        assert!(a.headers()["authorization"].is_sensitive());
        let c = sqs
            .signed("SendMessage", b"{\"x\":1}".to_vec(), &creds, t)
            .unwrap();
        assert_ne!(
            auth,
            c.headers()["authorization"].to_str().unwrap(),
            "the body is signed"
        );
    }

    #[test]
    fn signed_requests_mark_signature_and_session_token_sensitive() {
        let creds = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "SECRET-KEY".into(),
            session_token: Some("SESSION-SECRET".into()),
            expires: None,
            source: "test",
        };
        let sqs = client_with(&creds);
        let req = sqs
            .signed("SendMessage", b"{}".to_vec(), &creds, SystemTime::now())
            .unwrap();
        for name in ["authorization", "x-amz-security-token"] {
            assert!(req.headers()[name].is_sensitive(), "{name}");
        }
        let shown = format!("{:?}", req.headers());
        assert!(
            !shown.contains("SESSION-SECRET") && !shown.contains("Signature="),
            "{shown}"
        );
    }
}
