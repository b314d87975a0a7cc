//! PersistentVolumeClaims: one still Pending (its StorageClass missing, or waiting for a
//! volume), and one no pod mounts and no StatefulSet template would create — judged
//! against what was read before claims: every pod's volumes and every StatefulSet's
//! `volumeClaimTemplates`.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Severity, Triage};
use crate::json::{items, text};

/// Most claim names remembered as mounted; past it, unused claims are not judged (the
/// answer would guess).
const MAX_USED_CLAIMS: usize = 20_000;

/// Which claims are in use, as far as pods and StatefulSet templates say.
#[derive(Debug, Default)]
pub(super) struct Claims {
    used: BTreeSet<(String, String)>,
    /// `(ns, "data-order-db-", "order-db")`: the names a StatefulSet's template gives its
    /// claims, and the StatefulSet.
    templates: BTreeSet<(String, String, String)>,
    overflow: bool,
    /// Pods and StatefulSets were both read: unused claims may be judged.
    judged: (bool, bool),
}

impl Claims {
    /// A pod in `ns` mounts `claim`.
    pub(super) fn used(&mut self, ns: &str, claim: &str) {
        if self.used.len() >= MAX_USED_CLAIMS {
            self.overflow = true;
            return;
        }
        self.used.insert((ns.to_string(), claim.to_string()));
    }

    fn in_use(&self, ns: &str, name: &str) -> bool {
        self.used.contains(&(ns.to_string(), name.to_string()))
            || self.template_of(ns, name).is_some()
    }

    /// The StatefulSet whose claim template gives `name` (`data-order-db-0` → `order-db`).
    fn template_of(&self, ns: &str, name: &str) -> Option<&str> {
        self.templates
            .iter()
            .find(|(n, prefix, _)| {
                n == ns
                    && name
                        .strip_prefix(prefix.as_str())
                        .is_some_and(|ord| ord.parse::<u32>().is_ok())
            })
            .map(|(_, _, sts)| sts.as_str())
    }
}

impl Triage {
    /// A StatefulSet's claim templates (`data` of `order-db` makes `data-order-db-N`).
    pub(super) fn claim_templates(&mut self, sts: &Value) {
        let (ns, name) = (
            text(sts, "/metadata/namespace"),
            text(sts, "/metadata/name"),
        );
        for t in items(sts, "/spec/volumeClaimTemplates") {
            if self.claims.templates.len() < MAX_USED_CLAIMS {
                let prefix = format!("{}-{name}-", text(t, "/metadata/name"));
                self.claims
                    .templates
                    .insert((ns.to_string(), prefix, name.to_string()));
            }
        }
    }

    /// Pods (`pods`) or StatefulSets were read in full: claims can be judged unused.
    pub fn claim_users_read(&mut self, pods: bool) {
        match pods {
            true => self.claims.judged.0 = true,
            false => self.claims.judged.1 = true,
        }
    }

    /// A PersistentVolumeClaim: still Pending (judged at the end, against StorageClasses),
    /// or mounted by nothing.
    pub fn claim(&mut self, c: &Value) {
        let (ns, name) = (text(c, "/metadata/namespace"), text(c, "/metadata/name"));
        self.saw(ns);
        if text(c, "/status/phase") == "Pending" {
            // The StatefulSet whose template makes this claim waits for it, mounted yet or not.
            if let Some(sts) = self.claims.template_of(ns, name) {
                let sts = (ns.to_string(), format!("sts/{sts}"));
                self.links.add((ns.to_string(), format!("pvc/{name}")), sts);
            }
            let class = text(c, "/spec/storageClassName").to_string();
            self.pending_claims
                .push((ns.to_string(), name.to_string(), class));
            return;
        }
        let judged = self.claims.judged == (true, true) && !self.claims.overflow;
        if judged && !self.claims.in_use(ns, name) {
            self.add(
                Severity::Unused,
                ns,
                &format!("pvc/{name}"),
                format!(
                    "{}, used by no pod and no StatefulSet template",
                    text(c, "/status/phase")
                ),
                name,
                format!("describe pvc {name} -n {ns}"),
            );
        }
    }

    /// A StorageClass that exists (only called when cluster-scoped reads are allowed).
    pub fn storage_class(&mut self, sc: &Value) {
        let name = text(sc, "/metadata/name").to_string();
        self.storage_classes
            .get_or_insert_with(BTreeSet::new)
            .insert(name);
    }

    /// StorageClasses were listed (none may exist): missing ones can be named.
    pub fn storage_classes_read(&mut self) {
        self.storage_classes.get_or_insert_with(BTreeSet::new);
    }

    pub(super) fn judge_claims(&mut self) {
        for (ns, name, class) in std::mem::take(&mut self.pending_claims) {
            let what = match (&self.storage_classes, class.as_str()) {
                (Some(known), c) if !c.is_empty() && !known.contains(c) => {
                    format!("Pending: StorageClass {c} does not exist")
                }
                (Some(known), "") if known.is_empty() => {
                    "Pending: no StorageClass named and none exists".to_string()
                }
                (None, c) => format!(
                    "Pending (StorageClass {c:?} not checked: cluster-scoped reads are off)"
                ),
                (Some(_), c) => format!("Pending (StorageClass {c}: waiting for a volume)"),
            };
            self.add(
                Severity::Storage,
                &ns,
                &format!("pvc/{name}"),
                what,
                &name,
                format!("describe pvc {name} -n {ns}"),
            );
        }
    }
}
