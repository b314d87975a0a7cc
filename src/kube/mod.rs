//! The read-only Kubernetes client: GET is the only method it has.
//!
//! It finds the cluster ([`config`]), authenticates ([`auth`]), resolves what a user types
//! into a resource ([`discovery`]), pages through lists, and maps API failures to protocol
//! error codes with the server's own message. Secrets can only be read as metadata: any
//! other request for them is refused in `transport` (private to this module) by the one
//! function that sends, whatever the caller asks, and an answer carrying more than their
//! metadata is dropped before anything reads it.

pub mod auth;
pub mod config;
pub mod deadline;
pub mod discovery;
mod lean;
mod resource;
mod retry;
mod transport;

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::error::{Code, Error, Result};

pub use discovery::Resource;

/// `Accept` for server-side printed tables (kubectl's columns), JSON as a fallback.
pub const ACCEPT_TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
/// `Accept` for a server-side Table and nothing else (no JSON fallback): how Secrets are
/// listed as tables, so a server that cannot print one fails instead of sending values.
pub const ACCEPT_TABLE_ONLY: &str = "application/json;as=Table;v=v1;g=meta.k8s.io";
/// `Accept` for metadata only: the one way kubeglass reads Secrets (no JSON fallback, so a
/// server that cannot do it fails instead of sending values).
pub const ACCEPT_METADATA: &str =
    "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io";
/// `Accept` for the metadata of one object (servers refuse the List form for a single GET).
pub const ACCEPT_METADATA_OBJECT: &str =
    "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io";

/// The most bytes read of one JSON answer of the API (one object, one list page, one
/// discovery document): a page of 250 objects is a few MiB even for large custom resources,
/// and a server that sends without end must not fill the agent's memory.
pub const MAX_API_BODY_BYTES: usize = 64 * 1024 * 1024;

/// How to reach the cluster (built by the CLI from flags and environment).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `--kubeconfig`.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`.
    pub context: Option<String>,
    /// Per request.
    pub timeout: Duration,
    /// Wait an unavailable API out within each command's deadline (`retry`): on for the
    /// agent, whose backend would otherwise resend a batch after every blip; off for
    /// `query` and `mcp`, where a person or a model is waiting and a wrong server address
    /// should fail at once, as kubectl does.
    pub retry_unavailable: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            kubeconfig: None,
            context: None,
            timeout: Duration::from_secs(30),
            retry_unavailable: false,
        }
    }
}

/// A read-only client of one cluster; share it across threads by reference.
pub struct Client {
    transport: transport::Transport,
    /// [`Settings::retry_unavailable`].
    retry: bool,
    namespace: String,
    discovery: discovery::Discovery,
}

impl Client {
    /// Connect as the settings say (kubeconfig, else in-cluster, else `~/.kube/config`).
    pub fn from_settings(s: &Settings) -> Result<Client> {
        let target = config::resolve(s)?;
        log::debug!("cluster: {} at {}", target.origin, target.server);
        let mut client = Client::from_target(target, s.timeout)?;
        client.retry = s.retry_unavailable;
        Ok(client)
    }

    /// A client for an already resolved target.
    pub fn from_target(target: config::Target, timeout: Duration) -> Result<Client> {
        let namespace = target.namespace.clone();
        Ok(Client {
            transport: transport::Transport::new(target, timeout)?,
            retry: false,
            namespace,
            discovery: discovery::Discovery::default(),
        })
    }

    /// The namespace commands use when they name none.
    pub fn default_namespace(&self) -> &str {
        &self.namespace
    }

    /// The API server's URL.
    pub fn server(&self) -> &str {
        self.transport.server()
    }

    /// GET `path` as JSON.
    pub fn get_json(&self, path: &str) -> Result<Value> {
        self.get_accept(path, "application/json")
    }

    /// GET `path` as JSON, tried once: for an optional API, where an aggregated API that is
    /// down (metrics-server) answers 503 until someone mends it and waiting would only
    /// spend the command's deadline.
    pub fn get_json_once(&self, path: &str) -> Result<Value> {
        self.get_parsed_once(path, "application/json", lean::from_slice)
    }

    /// GET `path` with an explicit `Accept`, parsed as JSON (without `managedFields`); an
    /// unavailable API is waited for within the command's deadline (`retry`).
    pub fn get_accept(&self, path: &str, accept: &str) -> Result<Value> {
        self.get_parsed(path, accept, lean::from_slice)
    }

    /// GET `path` parsed by `parse`: [`lean::from_slice`] for every command but `changes`,
    /// which reads `managedFields` (and turns them into writer summaries in the redactor).
    fn get_parsed(
        &self,
        path: &str,
        accept: &str,
        parse: fn(&[u8]) -> serde_json::Result<Value>,
    ) -> Result<Value> {
        // The GET and the reading of its answer are retried together: an API server that
        // restarts may reset the connection mid-body.
        self.retrying(path, || self.get_parsed_once(path, accept, parse))
    }

    /// `request` for `path`, with retries when this client waits an unavailable API out.
    fn retrying<T>(&self, path: &str, mut request: impl FnMut() -> Result<T>) -> Result<T> {
        if self.retry {
            retry::with_retry(path.split('?').next().unwrap_or(path), request)
        } else {
            request()
        }
    }

    /// One GET of `path` and its answer, read whole and parsed by `parse`.
    fn get_parsed_once(
        &self,
        path: &str,
        accept: &str,
        parse: fn(&[u8]) -> serde_json::Result<Value>,
    ) -> Result<Value> {
        let mut reader = self.transport.get(path, accept)?;
        // Read the page whole, then parse from the slice: serde_json's reader path goes byte
        // by byte (measured: a third of the CPU of a 10,000-pod list). A page is bounded by
        // the `limit` of its request, and its bytes by MAX_API_BODY_BYTES whatever the
        // server sends.
        let mut body = Vec::with_capacity(64 * 1024);
        let mut capped = std::io::Read::take(&mut reader, MAX_API_BODY_BYTES as u64 + 1);
        std::io::Read::read_to_end(&mut capped, &mut body).map_err(|e| {
            // Only the command's deadline is `Timeout` (docs/protocol.md): a body cut by
            // the request's own timeout, the deadline still ahead, is an unavailable API.
            let timed_out = deadline::remaining().is_some_and(|r| r.is_zero());
            let code = if timed_out {
                Code::Timeout
            } else {
                Code::ApiUnavailable
            };
            Error::new(
                code,
                transport::shown(&format!("reading the API's answer to {path} failed: {e}")),
            )
            .for_request(path, None)
            .caused_by(e)
        })?;
        if body.len() > MAX_API_BODY_BYTES {
            return Err(Error::new(
                Code::ApiUnavailable,
                format!(
                    "the API's answer to {} is larger than {MAX_API_BODY_BYTES} bytes, the most \
                     kubeglass reads of one response; it was not read (narrow the request: a \
                     name, -l or --field-selector)",
                    path.split('?').next().unwrap_or(path)
                ),
            )
            .for_request(path, None));
        }
        let value = parse(&body).map_err(|e| {
            Error::new(
                Code::ApiUnavailable,
                transport::shown(&format!(
                    "the API answered {path} with unreadable JSON: {e}"
                )),
            )
            .for_request(path, None)
            .caused_by(e)
        })?;
        // Every Secret body passes here (a log stream of one is refused when sent).
        transport::check_secret_answer(path, &value)?;
        Ok(value)
    }

    /// GET `path` and stream the body (logs).
    pub fn get_stream(&self, path: &str) -> Result<Box<dyn BufRead + Send>> {
        // Only the request is retried: once the stream is handed over, its reader owns it.
        self.retrying(path, || self.transport.get(path, "text/plain, */*"))
    }

    /// GET a watch (`path` with `watch=1`): its stream of JSON events, one a line, which may
    /// take up to `body_timeout` in all (set it above the watch's `timeoutSeconds`, so the
    /// server ends a quiet watch and a stalled one is cut). Not retried: the recorder that
    /// watches resumes, relists and backs off itself. Still a GET through the transport's
    /// checks (a watch of Secrets is refused there like any other non-metadata read).
    pub fn watch(&self, path: &str, body_timeout: Duration) -> Result<Box<dyn BufRead + Send>> {
        self.transport
            .get_within(path, "application/json", Some(body_timeout))
    }

    /// List `path` page by page (`limit`/`continue`), calling `each` with every page until
    /// it returns false or the list ends.
    pub fn list_pages(
        &self,
        path: &str,
        accept: &str,
        limit: usize,
        each: impl FnMut(Value) -> Result<bool>,
    ) -> Result<()> {
        self.list_pages_parsed(path, accept, limit, false, each)
    }

    /// [`Client::list_pages`], keeping `metadata.managedFields` when `managed_fields`.
    pub fn list_pages_parsed(
        &self,
        path: &str,
        accept: &str,
        limit: usize,
        managed_fields: bool,
        mut each: impl FnMut(Value) -> Result<bool>,
    ) -> Result<()> {
        let parse: fn(&[u8]) -> serde_json::Result<Value> = if managed_fields {
            |b| serde_json::from_slice(b)
        } else {
            lean::from_slice
        };
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut token: Option<String> = None;
        loop {
            deadline::check(&format!("paging through {path}"))?;
            let mut url = format!("{path}{sep}limit={limit}");
            if let Some(t) = &token {
                url.push_str("&continue=");
                url.push_str(&crate::url::encode(t));
            }
            let page = self
                .get_parsed(&url, accept, parse)
                .map_err(|e| match e.code {
                    Code::Expired => Error::new(
                        Code::Expired,
                        format!(
                            "the list changed too much while paging ({}); run the command again",
                            e.message
                        ),
                    ),
                    _ => e,
                })?;
            token = page
                .pointer("/metadata/continue")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            if !each(page)? || token.is_none() {
                return Ok(());
            }
        }
    }

    /// Resolve a typed resource name (`po`, `deploy`, `widgets.example.com`, `Widget`).
    pub fn resolve(&self, typed: &str) -> Result<Resource> {
        self.discovery.resolve(self, typed)
    }

    /// Every resource type the server serves, in any version (kubectl's `api-resources`).
    pub fn api_resources(&self) -> Result<Vec<Resource>> {
        self.discovery.every_version(self)
    }
}

/// Whether a request path addresses the core `secrets` resource (list, object, subresource).
pub fn is_secrets_path(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let seg: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if seg.first() != Some(&"api") {
        return false;
    }
    // /api/v1/secrets…  or  /api/v1/namespaces/NS/secrets…
    match seg.get(2) {
        Some(&"namespaces") if seg.len() >= 5 => seg[4] == "secrets",
        Some(r) => *r == "secrets",
        None => false,
    }
}
