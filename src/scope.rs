//! Which part of the cluster kubeglass may read: a namespace allow-list, a switch for
//! cluster-scoped types and one for Secrets. Checked before any request is planned, so an
//! out-of-scope command never reaches the API (`OutOfScope`).

use crate::error::{Code, Error, Result};
use crate::names::check_namespace_name;

/// The configured reach of every command (`--namespaces`, `--no-cluster-resources`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// The allowed namespaces, sorted and deduplicated; `None` means every namespace.
    pub namespaces: Option<Vec<String>>,
    /// Whether cluster-scoped types (nodes, namespaces, PVs, CRDs, …) may be read.
    pub cluster_resources: bool,
    /// Secrets may not be read at all, not even their metadata (`--no-secrets`: the
    /// identity's RBAC has no Secret grant, as the chart's `rbac.secrets: none` makes it).
    pub no_secrets: bool,
}

impl Scope {
    /// Parse a comma-separated namespace list (`shop,payments`; empty means every namespace).
    pub fn parse(list: &str, cluster_resources: bool) -> Result<Scope> {
        let mut namespaces = Vec::new();
        for ns in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            check_namespace_name(ns).map_err(|e| {
                Error::config(format!(
                    "--namespaces / KUBEGLASS_NAMESPACES: {}",
                    e.message
                ))
            })?;
            namespaces.push(ns.to_string());
        }
        namespaces.sort();
        namespaces.dedup();
        let namespaces = (!namespaces.is_empty()).then_some(namespaces);
        Ok(Scope {
            namespaces,
            cluster_resources,
            no_secrets: false,
        })
    }

    /// This scope, with Secrets refused when `no_secrets`.
    pub fn without_secrets(self, no_secrets: bool) -> Scope {
        Scope { no_secrets, ..self }
    }

    /// Refuse a read of Secrets (core `secrets`; a custom resource of that name is another
    /// type) when they are switched off: before any request, so the answer names the switch
    /// rather than a Forbidden from the API server.
    pub fn check_secrets(&self) -> Result<()> {
        if !self.no_secrets {
            return Ok(());
        }
        Err(Error::new(
            Code::OutOfScope,
            // The switch is named last: a sensitive-looking flag followed by a word would
            // have that word redacted as its value.
            "Secrets are outside kubeglass's scope: this agent was deployed without any grant \
             on Secrets, not even their metadata, and refuses them before asking the API \
             server; ask for the workloads or ConfigMaps instead (set by --no-secrets)",
        ))
    }

    /// Everything: every namespace and cluster-scoped types.
    pub fn all() -> Scope {
        Scope {
            namespaces: None,
            cluster_resources: true,
            no_secrets: false,
        }
    }

    /// Refuse a namespace outside the allow-list, naming the allowed ones.
    pub fn check_namespace(&self, ns: &str) -> Result<()> {
        match &self.namespaces {
            Some(allowed) if !allowed.iter().any(|a| a == ns) => Err(Error::new(
                Code::OutOfScope,
                format!(
                    "namespace {ns:?} is outside kubeglass's scope; allowed namespaces: {}",
                    allowed.join(", ")
                ),
            )),
            _ => Ok(()),
        }
    }

    /// What `-A` means: `None` for every namespace, else the allowed ones (queried one by one).
    pub fn namespaces_for_all(&self) -> Option<&[String]> {
        self.namespaces.as_deref()
    }

    /// Refuse a cluster-scoped type when cluster resources are switched off.
    pub fn check_cluster_scoped(&self, plural: &str) -> Result<()> {
        if self.cluster_resources {
            return Ok(());
        }
        let within = match &self.namespaces {
            Some(allowed) => format!("namespaced types in {}", allowed.join(", ")),
            None => "namespaced types".to_string(),
        };
        Err(Error::new(
            Code::OutOfScope,
            format!(
                "{plural:?} is cluster-scoped and cluster resources are off (--no-cluster-resources); \
                 only {within} can be read"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_namespace_outside_scope_naming_the_allowed_ones() {
        let s = Scope::parse("shop, payments,shop", true).unwrap();
        assert!(s.check_namespace("shop").is_ok());
        let e = s.check_namespace("kube-system").unwrap_err();
        assert_eq!(e.code, Code::OutOfScope);
        assert!(e.message.contains("payments, shop"), "{}", e.message);
    }

    #[test]
    fn all_namespaces_becomes_the_allowed_union() {
        let s = Scope::parse("shop,payments", true).unwrap();
        assert_eq!(
            s.namespaces_for_all(),
            Some(&["payments".to_string(), "shop".to_string()][..])
        );
        assert_eq!(Scope::parse("", true).unwrap().namespaces_for_all(), None);
        assert_eq!(Scope::all().namespaces_for_all(), None);
    }

    #[test]
    fn empty_list_allows_every_namespace() {
        assert!(
            Scope::parse(" , ", true)
                .unwrap()
                .check_namespace("anything")
                .is_ok()
        );
    }

    #[test]
    fn refuses_cluster_scoped_types_when_switched_off() {
        let s = Scope::parse("shop", false).unwrap();
        let e = s.check_cluster_scoped("nodes").unwrap_err();
        assert_eq!(e.code, Code::OutOfScope);
        assert!(
            e.message.contains("nodes") && e.message.contains("shop"),
            "{}",
            e.message
        );
        assert!(Scope::all().check_cluster_scoped("nodes").is_ok());
    }

    #[test]
    fn refuses_secrets_when_switched_off_and_only_then() {
        assert!(Scope::all().check_secrets().is_ok());
        let e = Scope::all()
            .without_secrets(true)
            .check_secrets()
            .unwrap_err();
        assert_eq!(e.code, Code::OutOfScope);
        assert!(e.message.contains("--no-secrets"), "{}", e.message);
    }

    #[test]
    fn rejects_an_invalid_namespace_in_the_list() {
        assert_eq!(
            Scope::parse("shop,Bad_NS", true).unwrap_err().code,
            Code::Config
        );
    }
}
