//! HTTP for the Kubernetes API: one keep-alive ureq agent with the cluster's TLS settings,
//! GET only, a `User-Agent`, timeouts, and API failures turned into error codes.
//!
//! Two of kubeglass's promises are enforced here, in [`Transport::send`], the one function
//! that puts a request on the wire, and nowhere else: the client only GETs (`send` has no
//! method parameter), and a Secret is only ever requested as metadata
//! ([`check_secret_access`]). This module is private to `kube`, so no code outside the
//! client can reach a request that skips them.

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::time::Duration;

use ureq::tls::{ClientCert, PrivateKey, RootCerts, TlsConfig};

use crate::error::{Code, Error, Result};
use crate::sensitive::{self, Sensitive};

use super::auth::Auth;
use super::config::{AuthSource, Target};
use super::{deadline, is_secrets_path};
use crate::tls::{certs_from_pem, system_roots};

/// ureq's input and output buffer per connection (its default is 128 KiB each).
const BUFFER_BYTES: usize = 32 * 1024;
/// Most bytes of an error body read to find the API's message.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// The HTTP side of a client: the only way to send a request.
pub(super) struct Transport {
    agent: ureq::Agent,
    server: String,
    auth: Auth,
    /// Who the requests are sent as, for an `Unauthorized` answer: the origin (kubeconfig,
    /// context, user) and the way it authenticates.
    identity: String,
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
            // ureq keeps 128 KiB in and 128 KiB out per open connection by default; the
            // flight recorder holds one watch connection open per watched type and namespace
            // (50 with ten namespaces: 58 MiB RSS with ureq's default, 37 MiB with these;
            // debug build, 300 pods). The buffers need only fit a
            // response's or request's head (a bearer token of a few KiB); bodies stream.
            .input_buffer_size(BUFFER_BYTES)
            .output_buffer_size(BUFFER_BYTES)
            .proxy(proxy)
            .tls_config(tls)
            .build();
        let identity = format!("{} with {}", target.origin, auth_method(&target));
        Ok(Transport {
            agent: config.into(),
            server: target.server,
            auth: Auth::new(target.auth),
            identity,
        })
    }

    /// The server URL.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// GET `path`; a success gives the body as a reader, a failure the API's error.
    pub fn get(&self, path: &str, accept: &str) -> Result<Box<dyn BufRead + Send>> {
        self.get_within(path, accept, None)
    }

    /// [`Transport::get`] whose body may take `body_timeout` to arrive, in place of the
    /// agent's default (four request timeouts): a watch is a body that streams for as long
    /// as the server keeps it open, so its bound is set by the caller, explicitly.
    pub fn get_within(
        &self,
        path: &str,
        accept: &str,
        body_timeout: Option<Duration>,
    ) -> Result<Box<dyn BufRead + Send>> {
        let mut resp = self.send(path, accept, body_timeout)?;
        if resp.status() == 401 && self.auth.refreshable() {
            log::info!("401 from the API: fetching the token again and retrying once");
            self.auth.invalidate();
            resp = self.send(path, accept, body_timeout)?;
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
        let err = api_error(status, &body, path);
        if status == 401 {
            return Err(self.unauthorized(err));
        }
        Err(err)
    }

    /// A 401 as kubectl's "You must be logged in to the server", saying as whom and how
    /// (the server's own text is only `Unauthorized`) and what to do.
    fn unauthorized(&self, mut err: Error) -> Error {
        err.message = format!(
            "you must be logged in to the server: {} did not accept the credentials of {} \
             ({}); the token may have expired or been revoked — renew it (or the \
             client certificate), or pick another context with --context",
            self.server, self.identity, err.message
        );
        err
    }

    /// Send one GET. Every request kubeglass makes passes here, so the Secret check sits
    /// here: it sees the exact path and `Accept` that go on the wire, after every caller's
    /// choices, and nothing can be sent without passing it.
    fn send(
        &self,
        path: &str,
        accept: &str,
        body_timeout: Option<Duration>,
    ) -> Result<ureq::http::Response<ureq::Body>> {
        check_secret_access(path, accept)?;
        let url = format!("{}{path}", self.server);
        log::debug!("GET {}", loggable(path));
        deadline::check(&format!("reading {path}"))?;
        let mut req = self.agent.get(&url).header("Accept", accept);
        if let Some(token) = self.auth.token()? {
            req = req.header(ureq::http::header::AUTHORIZATION, bearer(&token)?);
        }
        if let Some(body) = body_timeout {
            req = req.config().timeout_recv_body(Some(body)).build();
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

/// Text from the server or the network as an error message may carry it: through the text
/// redactor and with terminal control characters made visible. Errors are made safe where
/// they are created, here, so every log line and answer that prints one is safe too.
pub(super) fn shown(text: &str) -> String {
    let redacted = crate::redact::message(text).into_string();
    crate::output::printable(&redacted).into_owned()
}

/// How `t` authenticates, in words (never the credential itself).
fn auth_method(t: &Target) -> String {
    match (&t.auth, t.client_cert.is_some()) {
        (AuthSource::Token(_), _) => "the token written in the kubeconfig".into(),
        (AuthSource::TokenFile(p), _) => format!("the token file {}", p.display()),
        (AuthSource::Exec(e), _) => format!("the exec credential plugin {:?}", e.command),
        (AuthSource::None, true) => "a client certificate".into(),
        (AuthSource::None, false) => "no credentials (anonymous)".into(),
    }
}

/// A failed answer as an error with the API's own message (made safe to show).
fn api_error(status: u16, body: &str, path: &str) -> Error {
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
        // A 408 or 504 is the server's (or a gateway's) own timeout, not the command's
        // deadline: the API is unavailable for now, as with 429 and other 5xx.
        408 | 429 | 500..=599 => Code::ApiUnavailable,
        _ => Code::Internal,
    };
    Error::new(code, shown(&message)).for_request(path, Some(status))
}

/// A request that got no answer, as an error (made safe to show: the server URL comes from
/// a kubeconfig and ureq's text may quote it).
fn transport_error(e: ureq::Error, server: &str, path: &str) -> Error {
    let err = match &e {
        // `Timeout` is the command's deadline (docs/protocol.md); a request that got no
        // answer within its own timeout, the deadline still ahead, is an unavailable API
        // (and is retried within the deadline, `super::retry`).
        ureq::Error::Timeout(t) => Error::new(
            Code::ApiUnavailable,
            shown(&format!(
                "the Kubernetes API at {server} did not answer within the request timeout ({t})"
            )),
        ),
        other => Error::new(
            Code::ApiUnavailable,
            shown(&format!(
                "cannot reach the Kubernetes API at {server}: {other}"
            )),
        ),
    };
    err.for_request(path, None).caused_by(e)
}

/// Refuse any Secret read that is not metadata-only: the last line of defence, below every
/// operation, so no code path can fetch a Secret's data. Metadata (`PartialObjectMetadata`)
/// passes, and so does a server-side Table whose rows carry no object or only its metadata
/// (`includeObject=None|Metadata`): its cells are name, type, number of keys and age.
pub(super) fn check_secret_access(path: &str, accept: &str) -> Result<()> {
    // A path the server could read as another one (`..`, `.` segments, percent-escaped
    // letters) is refused outright: the Secret check must see the path the server sees.
    if path_is_ambiguous(path) {
        return Err(Error::new(
            Code::Forbidden,
            format!("kubeglass sends only plain request paths, not {path:?}"),
        ));
    }
    if !is_secrets_path(path) {
        return Ok(());
    }
    let all = |what: &str| accept.split(',').all(|range| range.contains(what));
    if all("as=PartialObjectMetadata") {
        return Ok(());
    }
    let include: Vec<&str> = path
        .split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter(|p| p.starts_with("includeObject="))
                .collect()
        })
        .unwrap_or_default();
    let safe_rows = matches!(
        include.as_slice(),
        ["includeObject=None"] | ["includeObject=Metadata"]
    );
    if all("as=Table") && safe_rows {
        return Ok(());
    }
    Err(Error::new(
        Code::Forbidden,
        "kubeglass reads only the metadata of Secrets, never their data",
    ))
}

/// Whether the server could resolve `path` to a different one than its text says: dot
/// segments (a server that cleans paths), or a percent-escape of a character that can make
/// up a segment or split one (`%73ecrets` is `secrets` to the API server, `%2F` a `/`),
/// of `%` itself, or a malformed one. Escapes of other characters (`system%3Anode`, how a
/// name with `:` travels) stay what they say.
fn path_is_ambiguous(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    if path.split('/').any(|s| s == "." || s == "..") {
        return true;
    }
    let b = path.as_bytes();
    b.iter()
        .enumerate()
        .filter(|(_, c)| **c == b'%')
        .any(|(i, _)| {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match hex.map(|h| u8::from_str_radix(h, 16)) {
                Some(Ok(c)) => c.is_ascii_alphanumeric() || b"-._~/%".contains(&c),
                _ => true,
            }
        })
}

/// Refuse a Secret answer that carries more than metadata, whatever was asked: a server (or
/// a proxy in front of it) that ignores `as=PartialObjectMetadata` sends the whole Secret as
/// plain JSON, and its values must stop here, before the redactor or any renderer sees them.
/// Accepted: `PartialObjectMetadata`, its list, and a `Table` whose rows carry no object or
/// only `PartialObjectMetadata`.
pub(super) fn check_secret_answer(path: &str, body: &serde_json::Value) -> Result<()> {
    if !is_secrets_path(path) {
        return Ok(());
    }
    let kind = |v: &serde_json::Value| v.get("kind").and_then(|k| k.as_str()).map(str::to_string);
    let metadata_only = |v: &serde_json::Value| kind(v).as_deref() == Some("PartialObjectMetadata");
    let ok = match kind(body).as_deref() {
        Some("PartialObjectMetadata") => true,
        Some("PartialObjectMetadataList") => body
            .get("items")
            .and_then(|i| i.as_array())
            .is_none_or(|items| items.iter().all(metadata_only)),
        Some("Table") => body
            .get("rows")
            .and_then(|r| r.as_array())
            .is_none_or(|rows| {
                rows.iter().all(|row| match row.get("object") {
                    None | Some(serde_json::Value::Null) => true,
                    Some(o) => metadata_only(o),
                })
            }),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    Err(Error::new(
        Code::Forbidden,
        format!(
            "the API answered a metadata-only request for {} with more than metadata; \
             kubeglass never reads the data of Secrets, so the answer was dropped unread",
            path.split('?').next().unwrap_or(path)
        ),
    )
    .for_request(path, None))
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
    use crate::kube::{ACCEPT_METADATA, ACCEPT_METADATA_OBJECT, ACCEPT_TABLE, ACCEPT_TABLE_ONLY};

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
    fn error_text_from_the_server_is_redacted_and_printable_where_it_is_created() {
        let body = r#"{"message":"denied \u001b]0;owned\u0007 for Authorization: Bearer abc.def.ghi-SECRET"}"#;
        let e = api_error(403, body, "/api/v1/pods");
        assert!(
            !e.message.contains('\u{1b}') && !e.message.contains('\u{7}'),
            "{}",
            e.message
        );
        assert!(e.message.contains("^[]0;owned^G"), "{}", e.message);
        assert!(!e.message.contains("SECRET"), "{}", e.message);
        let e = api_error(500, "plain \u{9b}2J text password=hunter2", "/x");
        assert!(
            !e.message.contains('\u{9b}') && !e.message.contains("hunter2"),
            "{}",
            e.message
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
    fn secrets_are_requested_as_metadata_only() {
        for p in [
            "/api/v1/secrets",
            "/api/v1/secrets?limit=5",
            "/api/v1/namespaces/shop/secrets",
            "/api/v1/namespaces/shop/secrets/db",
            "//api/v1/namespaces/shop/secrets/db/",
        ] {
            assert_eq!(
                check_secret_access(p, "application/json").unwrap_err().code,
                Code::Forbidden,
                "{p}"
            );
            assert_eq!(
                check_secret_access(p, ACCEPT_TABLE).unwrap_err().code,
                Code::Forbidden,
                "{p}"
            );
            assert!(check_secret_access(p, ACCEPT_METADATA).is_ok(), "{p}");
            assert!(
                check_secret_access(p, ACCEPT_METADATA_OBJECT).is_ok(),
                "{p}"
            );
            let sep = if p.contains('?') { '&' } else { '?' };
            for ok in ["None", "Metadata"] {
                let q = format!("{p}{sep}includeObject={ok}");
                assert!(check_secret_access(&q, ACCEPT_TABLE_ONLY).is_ok(), "{q}");
                // A JSON fallback could bring the values from a server without Tables.
                assert!(check_secret_access(&q, ACCEPT_TABLE).is_err(), "{q}");
            }
            for bad in [
                "includeObject=Object",
                "includeObject=None&includeObject=Object",
            ] {
                let q = format!("{p}{sep}{bad}");
                assert!(check_secret_access(&q, ACCEPT_TABLE_ONLY).is_err(), "{q}");
            }
            assert!(check_secret_access(p, ACCEPT_TABLE_ONLY).is_err(), "{p}");
            let with_fallback = format!("{ACCEPT_METADATA},application/json");
            assert!(
                check_secret_access(p, &with_fallback).is_err(),
                "{p}: no JSON fallback"
            );
        }
        for p in [
            "/api/v1/namespaces/secrets",
            "/api/v1/namespaces",
            "/apis/example.com/v1/secrets",
            "/api/v1/pods",
        ] {
            assert!(check_secret_access(p, "application/json").is_ok(), "{p}");
        }
    }

    #[test]
    fn a_path_the_server_could_read_as_another_is_never_sent() {
        for p in [
            "/api/v1/namespaces/shop/%73ecrets",
            "/api/v1/namespaces/shop/pods/../secrets",
            "/api/v1/namespaces/shop/./secrets/x",
        ] {
            let e = check_secret_access(p, "application/json").unwrap_err();
            assert_eq!(e.code, Code::Forbidden, "{p}");
        }
        for p in [
            "/api/v1/namespaces/shop/pods/web%2F..%2Fsecrets",
            "/api/v1/namespaces/shop/pods/%2e%2e",
            "/api/v1/namespaces/shop/pods/x%25",
            "/api/v1/namespaces/shop/pods/x%zz",
            "/api/v1/namespaces/shop/pods/x%4",
        ] {
            assert!(check_secret_access(p, "application/json").is_err(), "{p}");
        }
        for p in [
            "/api/v1/pods?labelSelector=a%3Db",
            "/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Anode",
        ] {
            assert!(check_secret_access(p, "application/json").is_ok(), "{p}");
        }
    }

    #[test]
    fn a_secret_answer_with_more_than_metadata_is_dropped() {
        use serde_json::json;
        let p = "/api/v1/namespaces/shop/secrets";
        let whole = json!({"kind": "Secret", "metadata": {"name": "db"}, "data": {"p": "eA=="}});
        let list = json!({"kind": "SecretList", "items": [whole.clone()]});
        let meta = json!({"kind": "PartialObjectMetadata", "metadata": {"name": "db"}});
        let sneaky =
            json!({"kind": "PartialObjectMetadataList", "items": [meta.clone(), whole.clone()]});
        let table_objects =
            json!({"kind": "Table", "rows": [{"cells": ["db"], "object": whole.clone()}]});
        for bad in [&whole, &list, &sneaky, &table_objects] {
            let e = check_secret_answer(p, bad).unwrap_err();
            assert_eq!(e.code, Code::Forbidden, "{bad}");
            assert!(!e.message.contains("eA=="), "{}", e.message);
        }
        let metas = json!({"kind": "PartialObjectMetadataList", "items": [meta.clone()]});
        let table = json!({"kind": "Table", "rows": [{"cells": ["db"], "object": meta.clone()}, {"cells": ["x"]}]});
        for good in [&meta, &metas, &table] {
            assert!(check_secret_answer(p, good).is_ok(), "{good}");
        }
        assert!(check_secret_answer("/api/v1/namespaces/shop/pods", &whole).is_ok());
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
