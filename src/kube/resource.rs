//! A resource type as kubeglass uses it — group, version, names, scope — and the request
//! paths built from it; with the checks that keep what a user types from steering a path
//! (a group must be a DNS subdomain, a version like `v1beta1`).

use crate::error::{Error, Result};
use crate::url::encode;

/// A resource type the server serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// API group, "" for core.
    pub group: String,
    /// The version used for requests (the newest served of the known ones).
    pub version: String,
    /// Plural name, as in URLs.
    pub plural: String,
    /// Singular name.
    pub singular: String,
    /// Kind.
    pub kind: String,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// Short names (`po`, `deploy`).
    pub short_names: Vec<String>,
    /// Verbs the server allows on it.
    pub verbs: Vec<String>,
    /// Categories (`all`).
    pub categories: Vec<String>,
}

impl Resource {
    /// The request path of the list (`name` None) or one object, in `namespace` if given.
    pub fn path(&self, namespace: Option<&str>, name: Option<&str>) -> String {
        let mut p = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        if let (Some(ns), true) = (namespace, self.namespaced) {
            p.push_str("/namespaces/");
            p.push_str(&encode(ns));
        }
        p.push('/');
        p.push_str(&self.plural);
        if let Some(n) = name {
            p.push('/');
            p.push_str(&encode(n));
        }
        p
    }

    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `batch/v1 jobs` (tests).
    #[cfg(test)]
    pub(super) fn api_version_plural(&self) -> String {
        format!("{} {}", self.api_version(), self.plural)
    }

    /// kubectl's `-o name` type: `pod`, `deployment.apps`.
    pub fn type_name(&self) -> String {
        let kind = self.kind.to_lowercase();
        if self.group.is_empty() {
            kind
        } else {
            format!("{kind}.{}", self.group)
        }
    }

    /// Whether `name` (lowercase, no group) names this type.
    pub(super) fn answers_to(&self, name: &str) -> bool {
        self.plural == name
            || self.singular == name
            || self.kind.eq_ignore_ascii_case(name)
            || self.short_names.iter().any(|s| s == name)
    }
}

/// What a typed resource type must look like: `TYPE`, `TYPE.GROUP` or `TYPE.VERSION.GROUP`.
pub(super) const TYPE_FORMS: &str = "expected TYPE, TYPE.GROUP or TYPE.VERSION.GROUP, the group a DNS \
     subdomain and the version like v1 or v1beta1 (e.g. pods, deploy, deployments.apps, \
     deployments.v1.apps, widgets.example.com)";

/// Whether `s` is a DNS subdomain as API groups are: dot-separated labels of lower-case
/// letters, digits and '-', each non-empty and alphanumeric at both ends, at most 253 bytes.
/// So never `..`, a leading or trailing '.', or anything a path could be steered with.
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.len() <= 63
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}

/// Whether `s` is an API version: `v` and digits, optionally `alpha` or `beta` and digits
/// (`v1`, `v2beta1`, `v1alpha3`).
pub fn is_api_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || rest.starts_with('0') {
        return false;
    }
    let rest = &rest[digits..];
    if rest.is_empty() {
        return true;
    }
    let Some(n) = rest
        .strip_prefix("alpha")
        .or_else(|| rest.strip_prefix("beta"))
    else {
        return false;
    };
    !n.is_empty() && !n.starts_with('0') && n.bytes().all(|c| c.is_ascii_digit())
}

/// Refuse a typed resource type whose group part could not be an API group (`deploy....apps`,
/// `deployments.v1.`, `pods.`): it would be copied into a request path.
pub fn check_type_form(typed: &str) -> Result<()> {
    let lower = typed.trim().to_lowercase();
    let (name, qualifier) = match lower.split_once('.') {
        Some((n, q)) => (n, Some(q)),
        None => (lower.as_str(), None),
    };
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
    if name_ok && qualifier.is_none_or(is_dns_subdomain) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "resource type {typed:?} is not valid: {TYPE_FORMS}"
        )))
    }
}
