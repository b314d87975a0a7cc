//! Watches through the engine: the recorder's only way to follow the cluster. Each event's
//! object passes the object redactor before anyone sees it, as every other read does, so
//! what the recorder keeps was redacted at capture.

use std::io::BufRead;
use std::time::Duration;

use serde_json::Value;

use super::Engine;
use crate::error::{Code, Error, Result};
use crate::redact::{self, Redacted, Source};

/// The largest watch event line read (one object): a pod is a few KiB, a huge one a few
/// hundred; a line past this ends the watch (the recorder relists).
const MAX_EVENT_BYTES: usize = 4 * 1024 * 1024;

/// One watch event: its type and its object, redacted.
pub struct WatchEvent {
    /// `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`.
    pub kind: String,
    /// The object (for `ERROR`, the API's `Status`).
    pub object: Redacted<Value>,
}

/// The events of one open watch, in the order the server sends them.
pub struct WatchEvents {
    reader: Box<dyn BufRead + Send>,
    buf: Vec<u8>,
    settings: crate::redact::RedactSettings,
}

impl WatchEvents {
    /// The next event; `None` when the server ended the watch (its `timeoutSeconds`).
    pub fn next_event(&mut self) -> Result<Option<WatchEvent>> {
        let read = crate::lines::read_bounded(&mut self.reader, MAX_EVENT_BYTES, &mut self.buf)
            .map_err(|e| {
                Error::new(
                    Code::ApiUnavailable,
                    format!("reading a watch stream failed: {e}"),
                )
                .caused_by(e)
            })?;
        let Some(total) = read else {
            return Ok(None);
        };
        if total > self.buf.len() {
            return Err(Error::new(
                Code::ApiUnavailable,
                format!("a watch event is larger than {MAX_EVENT_BYTES} bytes"),
            ));
        }
        let mut v: Value = serde_json::from_slice(&self.buf).map_err(|e| {
            Error::new(
                Code::ApiUnavailable,
                format!("a watch event is not JSON: {e}"),
            )
        })?;
        if self.buf.capacity() > 256 * 1024 {
            // One huge object must not keep its buffer for the watch's life.
            self.buf = Vec::new();
        }
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let object = v.get_mut("object").map(Value::take).unwrap_or(Value::Null);
        Ok(Some(WatchEvent {
            kind,
            object: redact::fetched(object, Source::Object, &self.settings),
        }))
    }
}

impl Engine {
    /// Open a watch on `path` (a list path with `watch=1`…), cut after `body_timeout`.
    pub fn watch(&self, path: &str, body_timeout: Duration) -> Result<WatchEvents> {
        if crate::kube::is_secrets_path(path) {
            // The transport refuses it too; said here so the reason is plain.
            return Err(Error::invalid("Secrets are never watched"));
        }
        Ok(WatchEvents {
            reader: self.client.watch(path, body_timeout)?,
            buf: Vec::new(),
            settings: self.redact.clone(),
        })
    }
}
