//! An object's own label selector, for the queries the engine sends on an op's behalf (the
//! pods a Service or workload selects).
//!
//! Why this exists: a Service may select pods by a label whose value the redactor hides
//! (`api-token: …`). The object the op holds shows `api-token=<redacted>`, and a query built
//! from that selects nothing (the API refuses `<` in a value), so `endpoints`, `describe`,
//! `logs deploy/x`, `rollout history` and triage would answer about no pods. The real
//! selector is therefore read here, from the object as the API sent it, and kept in a
//! [`Selector`] whose real text never leaves this module: not in an answer, an error message,
//! a log line or a `Debug` print. Only the selector is kept; the rest of the unredacted object
//! is dropped where it is read.

use std::fmt;

use serde_json::Value;

use crate::error::{Code, Error, Result};
use crate::json::text;
use crate::kube::{self, Resource};
use crate::object::selector_of;
use crate::redact::{REDACTED, Redacted};
use crate::url::with_query;

use super::Engine;

/// A label selector taken from an object: what is shown of it (redacted) and what the
/// engine queries with (the real one, private to this module).
#[derive(Clone, PartialEq, Eq)]
pub struct Selector {
    shown: String,
    query: String,
}

/// Only the shown form: the real one may hold hidden label values.
impl fmt::Debug for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Selector").field(&self.shown).finish()
    }
}

impl Selector {
    /// The selector as the redacted object shows it (`app=web,api-token=<redacted>`), for
    /// messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Whether the redactor hid part of it: labels as shown cannot then be compared with it
    /// (both sides read `<redacted>`), only the API server can say what it selects.
    pub fn is_hidden(&self) -> bool {
        self.shown != self.query
    }
}

impl Engine {
    /// The label selector of `obj` (an object of `res`: a Service's `spec.selector`, a
    /// workload's `matchLabels`/`matchExpressions`), `None` when it has none. When the
    /// redactor hid part of it, the object is read again as the API sends it (one GET, the
    /// same object: its uid must match) and only its selector is kept.
    pub fn selector(&self, res: &Resource, obj: &Redacted<Value>) -> Result<Option<Selector>> {
        let Some(shown) = selector_of(obj.value()) else {
            return Ok(None);
        };
        // Label keys and values cannot hold `<`: a selector with the marker in it is one the
        // redactor changed (a hidden key's value, or a value shaped like a credential).
        if !shown.contains(REDACTED) {
            return Ok(Some(Selector {
                query: shown.clone(),
                shown,
            }));
        }
        let (ns, name, uid) = (
            text(obj, "/metadata/namespace"),
            text(obj, "/metadata/name"),
            text(obj, "/metadata/uid"),
        );
        let path = res.path((!ns.is_empty()).then_some(ns), Some(name));
        if name.is_empty() || kube::is_secrets_path(&path) {
            return Err(Error::internal(format!(
                "no selector to read again for {}/{name}",
                res.plural
            )));
        }
        let raw = self.client.get_accept(&path, "application/json")?;
        if raw.pointer("/metadata/uid").and_then(Value::as_str) != Some(uid) {
            return Err(Error::new(
                Code::NotFound,
                format!(
                    "{}/{name} was replaced while kubeglass read it; ask again",
                    res.plural
                ),
            ));
        }
        let query = selector_of(&raw).unwrap_or_default();
        Ok(Some(Selector { shown, query }))
    }

    /// List objects of `res` in `ns` that `sel` selects, page by page, each page redacted
    /// before `each` sees it (as [`Engine::list_pages`]). When the selector holds hidden
    /// values, a failure's message names the list and the shown selector, never the request.
    pub fn list_selected(
        &self,
        res: &Resource,
        ns: &str,
        sel: &Selector,
        accept: &str,
        page: usize,
        each: impl FnMut(Redacted<Value>) -> Result<bool>,
    ) -> Result<()> {
        let base = res.path(Some(ns), None);
        let path = with_query(&base, &[("labelSelector", Some(&sel.query))]);
        self.list_pages(&path, accept, page, each)
            .map_err(|err| match sel.is_hidden() {
                false => err,
                // The message may quote the request (`paging through …?labelSelector=…`) or
                // the API's words about a value: rebuilt from what is safe to show.
                true => Error::new(
                    err.code,
                    format!(
                        "listing {} in {ns} selected by {} failed ({}{})",
                        res.plural,
                        sel.shown,
                        err.code,
                        err.status
                            .map(|s| format!(", HTTP {s}"))
                            .unwrap_or_default()
                    ),
                )
                .for_request(&base, err.status),
            })
    }

    /// Whether `sel` selects at least one pod in `ns` (one metadata-only request of one item).
    pub fn selects_any_pod(&self, ns: &str, sel: &Selector) -> Result<bool> {
        let pods = self.resolve_type("pods")?;
        let mut any = false;
        self.list_selected(&pods, ns, sel, kube::ACCEPT_METADATA, 1, |page| {
            any = !page.items().is_empty();
            Ok(false)
        })?;
        Ok(any)
    }
}

#[cfg(test)]
mod tests {
    use super::Selector;

    #[test]
    fn a_selectors_debug_shows_only_its_redacted_form() {
        let sel = Selector {
            shown: "api-token=<redacted>".into(),
            query: "api-token=s3cr3t".into(),
        };
        assert!(sel.is_hidden());
        assert_eq!(format!("{sel:?}"), r#"Selector("api-token=<redacted>")"#);
    }
}
