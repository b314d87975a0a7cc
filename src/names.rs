//! Kubernetes naming rules for what a command puts in a request path: namespaces (DNS
//! labels) and object names (DNS subdomains, plus `:` for RBAC names). Shared by command
//! validation and the scope settings.

use crate::error::{Error, Result};

/// Longest DNS label (a namespace).
pub const MAX_LABEL_LEN: usize = 63;
/// Longest DNS subdomain (an object name).
pub const MAX_SUBDOMAIN_LEN: usize = 253;

/// A namespace is a DNS label: `[a-z0-9-]`, at most 63 bytes, alphanumeric at both ends.
pub fn check_namespace_name(ns: &str) -> Result<()> {
    let ok = !ns.is_empty()
        && ns.len() <= MAX_LABEL_LEN
        && ns
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !ns.starts_with('-')
        && !ns.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "namespace {ns:?} is not valid: lower-case letters, digits and '-', at most 63"
        )))
    }
}

/// An object name: a DNS subdomain (`[a-z0-9.-]`, ≤253), plus `:` because RBAC objects use it
/// (`system:node`). Names become path segments, so never one made of dots and colons only
/// (`.`, `..`, `...`, `..:..`), and never `/`, `%`, `?`, `#` or control characters (the
/// character set leaves them out).
pub fn check_object_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_SUBDOMAIN_LEN
        && !name.bytes().all(|b| matches!(b, b'.' | b':'))
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b':')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "name {name:?} is not valid: lower-case letters, digits, '.', '-' (and ':'), at most 253, not dots and colons only"
        )))
    }
}
