//! HTTP for the Kubernetes API: one keep-alive ureq agent with the cluster's TLS settings,
//! GET only, a `User-Agent`, timeouts, and API failures turned into error codes.

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::time::Duration;

use ureq::tls::{ClientCert, PrivateKey, RootCerts, TlsConfig};

use crate::error::{Code, Error, Result};
use crate::sensitive::{self, Sensitive};

use super::auth::Auth;
use super::config::Target;
use super::deadline;
use crate::tls::{certs_from_pem, system_roots};

/// Most bytes of an error body read to find the API's message.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// The HTTP side of a client.
pub struct Transport {
    agent: ureq::Agent,
    server: String,
    auth: Auth,
}

impl Transport {
    /// An agent for `target`.
    pub fn new(target: Target, timeout: Duration) -> Result<Transport> {
        let tls = tls_config(&target)?;
        let proxy = match &target.proxy_url {
            Some(p) => Some(ureq::Proxy::new(p).map_err(|e| {
                Error::config(format!(
                    "{}: proxy-url {p:?} is not usable: {e}",
                    target.origin
                ))
            })?),
            None => ureq::Proxy::try_from_env(),
        };
        if target.tls_server_name.is_some() {
            log::warn!(
                "{}: tls-server-name is not supported; verifying the certificate against the server's host name",
                target.origin
            );
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(format!("kubeglass/{}", env!("CARGO_PKG_VERSION")))
            .timeout_connect(Some(Duration::from_secs(10).min(timeout)))
            .timeout_recv_response(Some(timeout))
            // Log streams may be long: the body gets more time than the answer's head.
            .timeout_recv_body(Some(timeout * 4))
            .max_redirects(0)
            .proxy(proxy)
            .tls_config(tls)
            .build();
        Ok(Transport {
            agent: config.into(),
            server: target.server,
            auth: Auth::new(target.auth),
        })
    }

    /// The server URL.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// GET `path`; a success gives the body as a reader, a failure the API's error.
    pub fn get(&self, path: &str, accept: &str) -> Result<Box<dyn BufRead + Send>> {
        let mut resp = self.send(path, accept)?;
        if resp.status() == 401 && self.auth.refreshable() {
            log::info!("401 from the API: fetching the token again and retrying once");
            self.auth.invalidate();
            resp = self.send(path, accept)?;
        }
        let status = resp.status().as_u16();
        if (200..300).contains(&status) {
            let reader = resp.into_body().into_reader();
            return Ok(Box::new(BufReader::with_capacity(64 * 1024, reader)));
        }
        let mut body = String::new();
        let _ = resp
            .into_body()
            .into_reader()
            .take(ERROR_BODY_LIMIT)
            .read_to_string(&mut body);
        Err(api_error(status, &body, path))
    }

    fn send(&self, path: &str, accept: &str) -> Result<ureq::http::Response<ureq::Body>> {
        let url = format!("{}{path}", self.server);
        log::debug!("GET {}", loggable(path));
        deadline::check(&format!("reading {path}"))?;
        let mut req = self.agent.get(&url).header("Accept", accept);
        if let Some(token) = self.auth.token()? {
            req = req.header(ureq::http::header::AUTHORIZATION, bearer(&token)?);
        }
        // The command's time left bounds the whole request, its body (a log stream) included.
        if let Some(left) = deadline::remaining() {
            let left = left.max(Duration::from_millis(1));
            req = req.config().timeout_global(Some(left)).build();
        }
        req.call().map_err(|e| match e {
            ureq::Error::Timeout(_) if deadline::remaining().is_some_and(|r| r.is_zero()) => {
                deadline::expired(&format!("reading {path}"))
            }
            e => transport_error(e, &self.server, path),
        })
    }
}

/// The `Authorization` value for `token`, marked sensitive so HTTP stacks keep it out of
/// their logs; the error never quotes the token.
fn bearer(token: &Sensitive<String>) -> Result<ureq::http::HeaderValue> {
    sensitive::header_value(&format!("Bearer {}", token.expose())).ok_or_else(|| {
        Error::config("the bearer token holds characters an HTTP header cannot carry")
    })
}

/// A failed answer as an error with the API's own message.
pub fn api_error(status: u16, body: &str, path: &str) -> Error {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| {
            let text = body.trim();
            if text.is_empty() {
                format!(
                    "HTTP {status} for {}",
                    path.split('?').next().unwrap_or(path)
                )
            } else {
                text.chars().take(300).collect()
            }
        });
    let code = match status {
        400 | 422 => Code::InvalidCommand,
        401 => Code::Unauthorized,
        403 => Code::Forbidden,
        404 => Code::NotFound,
        410 => Code::Expired,
        408 | 504 => Code::Timeout,
        429 | 500..=599 => Code::ApiUnavailable,
        _ => Code::Internal,
    };
    Error::new(code, message).for_request(path, Some(status))
}

fn transport_error(e: ureq::Error, server: &str, path: &str) -> Error {
    let err = match &e {
        ureq::Error::Timeout(t) => Error::new(
            Code::Timeout,
            format!("the Kubernetes API at {server} did not answer in time ({t})"),
        ),
        other => Error::new(
            Code::ApiUnavailable,
            format!("cannot reach the Kubernetes API at {server}: {other}"),
        ),
    };
    err.for_request(path, None).caused_by(e)
}

/// Roots, client certificate and verification as the target says.
fn tls_config(t: &Target) -> Result<TlsConfig> {
    let roots = match &t.ca_pem {
        Some(pem) => {
            RootCerts::new_with_certs(&certs_from_pem(pem, &t.origin, "certificate authority")?)
        }
        None => system_roots(),
    };
    if t.insecure {
        log::warn!(
            "{}: insecure-skip-tls-verify is set: the API server's certificate is NOT verified",
            t.origin
        );
    }
    let client_cert = match &t.client_cert {
        Some((cert, key)) => Some(client_cert(cert, key.expose(), &t.origin)?),
        None => None,
    };
    Ok(TlsConfig::builder()
        .root_certs(roots)
        .client_cert(client_cert)
        .disable_verification(t.insecure)
        .build())
}

/// The client certificate, checked against its key first (ureq would panic on a mismatch).
fn client_cert(cert: &[u8], key_pem: &[u8], origin: &str) -> Result<ClientCert> {
    let chain = certs_from_pem(cert, origin, "client certificate")?;
    let key = PrivateKey::from_pem(key_pem).map_err(|e| {
        Error::config(format!(
            "{origin}: the client key is not a PEM private key: {e}"
        ))
    })?;
    let der = {
        use rustls::pki_types::pem::PemObject;
        rustls::pki_types::PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| {
            Error::config(format!(
                "{origin}: the client key is not a PEM private key: {e}"
            ))
        })?
    };
    let signer = rustls::crypto::ring::sign::any_supported_type(&der)
        .map_err(|e| Error::config(format!("{origin}: unsupported client key: {e}")))?;
    let chain_der = chain
        .iter()
        .map(|c| rustls::pki_types::CertificateDer::from(c.der().to_vec()))
        .collect();
    rustls::sign::CertifiedKey::new(chain_der, Arc::clone(&signer))
        .keys_match()
        .map_err(|e| {
            Error::config(format!(
                "{origin}: the client certificate does not match its key: {e}"
            ))
        })?;
    Ok(ClientCert::new_with_certs(&chain, key))
}

/// `path` for a log line, a label selector's value left out: one the engine built from an
/// object's real selector may hold a label value the redactor hides
/// (`ops::engine::selector`), and logs leave the cluster too.
fn loggable(path: &str) -> std::borrow::Cow<'_, str> {
    let Some((base, query)) = path.split_once('?') else {
        return path.into();
    };
    if !query.split('&').any(|p| p.starts_with("labelSelector=")) {
        return path.into();
    }
    let pairs: Vec<&str> = query
        .split('&')
        .map(|p| match p.starts_with("labelSelector=") {
            true => "labelSelector=…",
            false => p,
        })
        .collect();
    format!("{base}?{}", pairs.join("&")).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_their_status_path_and_cause() {
        let e = api_error(
            403,
            r#"{"message":"pods is forbidden"}"#,
            "/api/v1/pods?limit=5",
        );
        assert_eq!(
            (e.status, e.path.as_deref()),
            (Some(403), Some("/api/v1/pods"))
        );
        let cause = std::io::Error::other("connection reset");
        let e = Error::new(Code::ApiUnavailable, "x").caused_by(cause);
        let source = std::error::Error::source(&e).map(|s| s.to_string());
        assert_eq!(source.as_deref(), Some("connection reset"));
    }

    #[test]
    fn api_errors_keep_the_server_message() {
        let body = r#"{"kind":"Status","message":"pods \"x\" is forbidden: User \"u\" cannot list","code":403}"#;
        let e = api_error(403, body, "/api/v1/pods");
        assert_eq!(e.code, Code::Forbidden);
        assert!(e.message.starts_with("pods \"x\" is forbidden"));
        assert_eq!(api_error(404, "", "/x?y").message, "HTTP 404 for /x");
        assert_eq!(api_error(410, "{}", "/x").code, Code::Expired);
        assert_eq!(api_error(503, "busy", "/x").code, Code::ApiUnavailable);
        assert_eq!(
            api_error(401, "Unauthorized", "/x").code,
            Code::Unauthorized
        );
    }

    #[test]
    fn the_authorization_header_is_sensitive_and_never_quoted() {
        let v = bearer(&"SECRET-TOKEN".into()).unwrap();
        assert!(v.is_sensitive());
        assert_eq!(v.to_str().unwrap(), "Bearer SECRET-TOKEN");
        assert!(!format!("{v:?}").contains("SECRET-TOKEN"));
        let e = bearer(&"SECRET\nX-Injected: 1".into()).unwrap_err();
        assert_eq!(e.code, Code::Config);
        assert!(!e.message.contains("SECRET"), "{}", e.message);
    }

    #[test]
    fn bad_pem_is_a_config_error() {
        assert_eq!(
            certs_from_pem(b"junk", "o", "ca").unwrap_err().code,
            Code::Config
        );
        assert!(client_cert(b"junk", b"junk", "o").is_err());
    }

    #[test]
    fn a_logged_request_never_shows_a_label_selectors_value() {
        assert_eq!(
            loggable("/api/v1/namespaces/a/pods?labelSelector=api-token%3Ds3cr3t&limit=1"),
            "/api/v1/namespaces/a/pods?labelSelector=…&limit=1"
        );
        assert_eq!(loggable("/api/v1/pods?limit=5"), "/api/v1/pods?limit=5");
        assert_eq!(loggable("/version"), "/version");
    }
}
